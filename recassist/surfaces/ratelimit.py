"""Rate limits by the `limits` library: a moving window of `per_minute` requests per named bucket.

The storage is chosen in one place, `recassist.state.cache.limits_storage_uri`: process memory by
default, or the shared store that `state.cache_url` names (e.g. `redis://127.0.0.1:6379/0`), so replicas count against the same
limits. A bucket lives as long as its window (a minute), so the table cannot grow past one minute of
callers.
"""

from __future__ import annotations

import time

from limits import RateLimitItemPerDay, RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from recassist.state.cache import limits_storage_uri


class RateLimiter:
    """Named buckets of `per_minute` requests in any minute; thread-safe (the storage's own
    locking)."""

    def __init__(self, cache_url: str | None = None) -> None:
        self.storage = storage_from_string(limits_storage_uri(cache_url))
        self._limiter = MovingWindowRateLimiter(self.storage)

    def take(self, name: str, per_minute: int, *, per_day: bool = False) -> float:
        """0 if a request may pass now (and counts it), else the seconds until one may. With
        `per_day`, the limit is `per_minute` a day instead (a daily cap)."""
        item = RateLimitItemPerDay(per_minute) if per_day else RateLimitItemPerMinute(per_minute)
        if self._limiter.hit(item, "recassist", name):
            return 0.0
        reset, _ = self._limiter.get_window_stats(item, "recassist", name)
        return max(0.1, reset - time.time())
