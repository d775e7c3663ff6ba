"""API access: keys with roles, the loopback-only demo mode, request size and rate limits.

- Keys (`api.keys` in the settings) come in the `X-API-Key` header; each has roles: `app` (recommend,
  chat, feedback, search), `marketer` (audiences), `admin` (data). A missing or unknown key is 401, a key
  without the role 403.
- With no keys configured, only clients on the loopback interface are served: the local demo works with
  no setup, and nothing is open to the network by accident.
- Bodies over `api.max_body_bytes` get 413; more than `api.requests_per_minute` from one key (or one
  client address) get 429 with Retry-After.
"""

from __future__ import annotations

import hmac
import ipaddress
import threading
import time
from collections.abc import Callable

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.middleware.base import BaseHTTPMiddleware

from recassist.settings import ApiConfig

HEADER = "X-API-Key"


def _loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def require(config: ApiConfig, role: str) -> Callable[[Request], None]:
    """A FastAPI dependency admitting callers with `role` (or loopback callers when no keys are set)."""

    def check(request: Request) -> None:
        if not config.keys:
            if not _loopback(request.client.host if request.client else None):
                raise HTTPException(403, "no API keys are configured, so only clients on 127.0.0.1 are served")
            return
        given = request.headers.get(HEADER)
        if not given:
            raise HTTPException(401, f"missing {HEADER} header")
        for key in config.keys:
            if hmac.compare_digest(key.key.get_secret_value().encode(), given.encode()):
                if role not in key.roles:
                    raise HTTPException(403, f"API key '{key.name}' lacks the '{role}' role")
                return
        raise HTTPException(401, "unknown API key")

    return check


class LimitsMiddleware(BaseHTTPMiddleware):
    """Request size and per-client rate limits for paths under `prefix`."""

    def __init__(self, app, config: ApiConfig, prefix: str = "/api/") -> None:
        super().__init__(app)
        self.config, self.prefix = config, prefix
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, last refill time)
        self._lock = threading.Lock()

    def _take(self, client: str) -> float:
        """0 if a request may pass now, else the seconds until one may."""
        rate = self.config.requests_per_minute / 60.0
        capacity = float(self.config.requests_per_minute)
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / rate

    async def dispatch(self, request: Request, call_next):
        if not request.url.path.startswith(self.prefix):
            return await call_next(request)
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.config.max_body_bytes:
            return JSONResponse(
                {"detail": f"request body of {int(length):,} bytes is over the limit of {self.config.max_body_bytes:,}"},
                status_code=413,
            )
        client = request.headers.get(HEADER) or (request.client.host if request.client else "unknown")
        wait = self._take(client)
        if wait > 0:
            return JSONResponse(
                {"detail": f"rate limit of {self.config.requests_per_minute} requests a minute reached; retry in {wait:.1f} s"},
                status_code=429,
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        return await call_next(request)
