"""What expires: objects by key with a time to live, in process memory (embedded, the default) or in
Redis (`state.cache_url`, shared by every replica).

`ExpiringStore` keeps the values themselves in memory, and pickled in Redis: its only writer and
reader is the app itself (chat sessions), and Redis must be reachable only by the app's replicas
(see docs/deploy.md). Redis errors (refused, reset, timed out) become `StateUnavailableError`, so a
caller degrades on one narrow error; the client reconnects by itself on the next call once Redis is
back.
"""

from __future__ import annotations

import pickle
import threading
import time
from collections import OrderedDict
from typing import Any

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from recassist.errors import StateUnavailableError
from recassist.settings import StateConfig

DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


def redis_client(config: StateConfig) -> redis.Redis | None:
    """The Redis client for `state.cache_url` (connecting lazily, on first use), or None when unset."""
    if not config.cache_url:
        return None
    return redis.Redis.from_url(
        config.cache_url,
        socket_timeout=config.connect_timeout_s,
        socket_connect_timeout=config.connect_timeout_s,
        health_check_interval=30,
    )


def limits_storage_uri(cache_url: str | None) -> str:
    """The storage URI for the `limits` library's rate-limit counters: Redis when `state.cache_url`
    is set (one count for every replica), else this process's memory."""
    return cache_url or "memory://"


class ExpiringStore:
    """Values by key under `prefix`, each expiring `ttl_s` after its last `put`: in Redis when a
    client is given, else in this process (the `capacity` most recently used kept). Thread-safe."""

    def __init__(
        self, prefix: str, ttl_s: int, capacity: int, client: redis.Redis | None = None
    ) -> None:
        self.prefix, self.ttl_s, self.capacity, self.client = prefix, ttl_s, capacity, client
        self._memory: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def shared(self) -> bool:
        return self.client is not None

    def get(self, key: str) -> Any | None:
        """The value under `key`, or None when there is none (or it expired). From Redis, a copy: a
        change to it is kept only once `put` back."""
        if self.client is None:
            return self._get_memory(key)
        try:
            raw = self.client.get(self.prefix + key)
        except DOWN as err:
            raise StateUnavailableError(
                f"the cache at state.cache_url is not answering: {err}"
            ) from err
        return None if raw is None else pickle.loads(raw)  # noqa: S301 - only the app writes these

    def put(self, key: str, value: Any) -> None:
        """Keep `value` under `key` for `ttl_s` from now."""
        if self.client is not None:
            raw = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            try:
                self.client.set(self.prefix + key, raw, ex=self.ttl_s)
            except DOWN as err:
                raise StateUnavailableError(
                    f"the cache at state.cache_url is not answering: {err}"
                ) from err
            return
        with self._lock:
            self._memory.pop(key, None)
            self._memory[key] = (time.monotonic() + self.ttl_s, value)
            while len(self._memory) > self.capacity:
                self._memory.popitem(last=False)

    def _get_memory(self, key: str) -> Any | None:
        with self._lock:
            found = self._memory.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self._memory[key]
                return None
            self._memory.move_to_end(key)
            return found[1]
