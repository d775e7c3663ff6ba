"""Rate limits by the `limits` library: a moving window of `per_minute` requests per named bucket.

The storage is chosen in one place, `recassist.state.cache.limits_storage_uri`: process memory by
default, or the shared store that `state.cache_url` names (e.g. `redis://127.0.0.1:6379/0`), so
replicas count against the same limits. A bucket lives as long as its window (a minute), so the
table cannot grow past one minute of callers.
"""

from __future__ import annotations

import logging
import time

from limits import RateLimitItemPerDay, RateLimitItemPerMinute
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from recassist.errors import StateUnavailableError
from recassist.state.cache import limits_storage_uri

log = logging.getLogger(__name__)


class RateLimiter:
    """Named buckets of `per_minute` requests in any minute; thread-safe (the storage's own
    locking)."""

    def __init__(self, cache_url: str | None = None, *, degrade: bool = True) -> None:
        """`degrade`: while the shared store is down, count in this process's memory (each replica
        then limits alone) and say so in the log; else raise `StateUnavailableError` (a cap that
        bills money must not pass unseen)."""
        self.storage = storage_from_string(limits_storage_uri(cache_url), wrap_exceptions=True)
        self._limiter = MovingWindowRateLimiter(self.storage)
        self._local = MovingWindowRateLimiter(MemoryStorage()) if degrade else None

    def take(self, name: str, per_minute: int, *, per_day: bool = False) -> float:
        """0 if a request may pass now (and counts it), else the seconds until one may. With
        `per_day`, the limit is `per_minute` a day instead (a daily cap)."""
        item = RateLimitItemPerDay(per_minute) if per_day else RateLimitItemPerMinute(per_minute)
        try:
            return self._take(self._limiter, item, name)
        except StorageError as err:
            if self._local is None:
                raise StateUnavailableError(
                    f"the rate-limit store is not answering: {err}"
                ) from err
            log.warning(
                "rate limits counted in this process while the shared store is down: %s", err
            )
            return self._take(self._local, item, name)

    @staticmethod
    def _take(limiter: MovingWindowRateLimiter, item, name: str) -> float:
        if limiter.hit(item, "recassist", name):
            return 0.0
        reset, _ = limiter.get_window_stats(item, "recassist", name)
        return max(0.1, reset - time.time())
