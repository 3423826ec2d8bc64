"""Token buckets: burst, refill, independence of keys, bounded memory, thread safety."""

from __future__ import annotations

import threading

import pytest

from cxscore.errors import RateLimitedError
from cxscore.service.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refusal_then_refill() -> None:
    clock = FakeClock()
    limit = RateLimiter(per_second=5, burst=3, clock=clock)
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]
    clock.now += 0.2  # one token at 5 per second
    assert limit.allow("a") is True
    assert limit.allow("a") is False
    clock.now += 10  # refills to the burst, not beyond
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]


def test_keys_are_independent() -> None:
    limit = RateLimiter(per_second=1, burst=1, clock=FakeClock())
    assert limit.allow("a") and limit.allow("b")
    assert not limit.allow("a")


def test_check_says_when_to_retry() -> None:
    clock = FakeClock()
    limit = RateLimiter(per_second=2, burst=1, clock=clock)
    limit.check("link")
    with pytest.raises(RateLimitedError, match=r"Try again in 0\.5 s") as raised:
        limit.check("link", "survey answers")
    assert raised.value.retry_after == pytest.approx(0.5)
    assert "survey answers" in str(raised.value)


def test_memory_is_bounded_by_dropping_the_longest_idle_keys() -> None:
    limit = RateLimiter(per_second=1, burst=1, max_keys=3, clock=FakeClock())
    for key in "abcd":
        limit.allow(key)
    assert len(limit) == 3
    assert limit.allow("a") is True  # "a" was dropped, so it starts with a full bucket again
    assert limit.allow("d") is False  # "d" is still tracked and empty


def test_concurrent_requests_never_get_more_than_the_burst() -> None:
    limit = RateLimiter(per_second=1e-9, burst=50)
    granted: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(40):
            ok = limit.allow("shared")
            with lock:
                granted.append(ok)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) == 50


@pytest.mark.parametrize(("per_second", "burst"), [(0, 1), (-1, 1), (1, 0)])
def test_impossible_limits_are_refused(per_second: float, burst: int) -> None:
    with pytest.raises(ValueError, match="rate limit needs"):
        RateLimiter(per_second=per_second, burst=burst)
