"""Rate limits for public endpoints: one token bucket per key (a link, an address, an account).

A bucket holds up to `burst` tokens and refills at `per_second`; each request takes one. A request that
finds the bucket empty is refused with the time until the next token, which the HTTP layer sends as
`Retry-After`. Buckets live in memory, per process: a limit is per server process, which is what a
single `cxscore serve` is. Memory is bounded: when more than `max_keys` keys are tracked, the ones
idle longest are dropped (a dropped key starts again with a full bucket, which is the state it would
have refilled to anyway once idle for `burst / per_second` seconds).

>>> clock = iter([0.0, 0.0, 0.0, 0.5]).__next__
>>> limit = RateLimiter(per_second=2, burst=2, clock=clock)
>>> limit.allow("link-1"), limit.allow("link-1"), limit.allow("link-1")
(True, True, False)
>>> limit.allow("link-1")  # half a second later, one token is back
True
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from cxscore.errors import RateLimitedError

__all__ = ["RateLimiter"]


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets keyed by a string; thread-safe; bounded memory."""

    def __init__(
        self,
        per_second: float,
        burst: int,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_second <= 0:
            raise ValueError(f"A rate limit needs per_second > 0, got {per_second}.")
        if burst < 1:
            raise ValueError(f"A rate limit needs burst >= 1, got {burst}.")
        if max_keys < 1:
            raise ValueError(f"A rate limit needs max_keys >= 1, got {max_keys}.")
        self.per_second = float(per_second)
        self.burst = int(burst)
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def _take(self, key: str) -> float:
        """Take a token for `key`: 0.0 when granted, else the seconds until one is available."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = _Bucket(tokens=float(self.burst), updated=now)
                self._buckets[key] = bucket
                while len(self._buckets) > self.max_keys:
                    self._buckets.popitem(last=False)
            else:
                self._buckets.move_to_end(key)
                elapsed = max(0.0, now - bucket.updated)
                bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.per_second)
                bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.per_second

    def allow(self, key: str) -> bool:
        """Take a token for `key`; False when the bucket is empty (nothing is taken then)."""
        return self._take(key) == 0.0

    def check(self, key: str, what: str = "requests") -> None:
        """Take a token for `key` or raise `RateLimitedError` saying when to try again."""
        wait = self._take(key)
        if wait > 0.0:
            raise RateLimitedError(
                f"Too many {what}: at most {self.burst} at once and {self.per_second:g} per second. "
                f"Try again in {wait:.1f} s.",
                retry_after=wait,
            )

    def __len__(self) -> int:
        with self._lock:
            return len(self._buckets)
