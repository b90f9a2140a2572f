"""AdaptiveRateLimiter: spacing, stretch on 429, Retry-After pauses, concurrency cap.

Pauses run on an injected fake clock; the aiolimiter bucket runs on the event
loop's clock, so its spacing is checked with 30 ms intervals (~60 ms real).
"""

from __future__ import annotations

import asyncio

import pytest

from robust_import_app.pipeline.resilience.ratelimit import AdaptiveRateLimiter
from tests.clock import FakeClock


def make(clock: FakeClock, **kwargs: float) -> AdaptiveRateLimiter:
    return AdaptiveRateLimiter(clock=clock, sleep=clock.sleep, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [{"interval_s": 0.0}, {"interval_s": -1.0}, {"interval_s": 5.0, "max_interval_s": 4.0}, {"concurrency": 0}],
)
def test_bad_settings_raise_value_error(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        AdaptiveRateLimiter(**kwargs)  # type: ignore[arg-type]


def test_defaults_allow_1800_requests_per_hour() -> None:
    limiter = AdaptiveRateLimiter()
    assert (limiter.interval_s, limiter.max_interval_s, limiter.concurrency) == (2.0, 10.0, 3)
    assert limiter.requests_per_hour == 1800


def test_each_429_stretches_by_half_up_to_the_max() -> None:
    limiter = make(FakeClock())
    seen = []
    for _ in range(6):
        limiter.on_rate_limited(None)
        seen.append(limiter.interval_s)
    assert seen == pytest.approx([3.0, 4.5, 6.75, 10.0, 10.0, 10.0])
    assert limiter.requests_per_hour == 360


def test_each_success_shrinks_toward_the_base() -> None:
    limiter = make(FakeClock())
    for _ in range(4):
        limiter.on_rate_limited(None)
    assert limiter.interval_s == 10.0
    limiter.on_success()
    assert limiter.interval_s == pytest.approx(9.0)
    for _ in range(50):
        limiter.on_success()
    assert limiter.interval_s == 2.0
    assert limiter.requests_per_hour == 1800


@pytest.mark.asyncio
async def test_retry_after_pauses_the_next_request() -> None:
    clock = FakeClock()
    limiter = make(clock)
    async with limiter:
        pass
    limiter.on_rate_limited(30.0)
    assert limiter.paused_until == 1030.0
    async with limiter:
        assert clock.now == 1030.0
    assert sum(clock.sleeps) == pytest.approx(30.0)


@pytest.mark.asyncio
async def test_retry_after_shorter_than_the_interval_keeps_the_interval() -> None:
    clock = FakeClock()
    limiter = make(clock)
    async with limiter:
        pass
    clock.now += 0.5
    limiter.on_rate_limited(0.1)  # interval becomes 3 s after the last request at 1000
    assert limiter.paused_until == 1003.0
    async with limiter:
        assert clock.now == 1003.0


@pytest.mark.asyncio
async def test_negative_retry_after_counts_as_zero() -> None:
    clock = FakeClock()
    limiter = make(clock)
    limiter.on_rate_limited(-5.0)  # no request yet: only the Retry-After applies
    assert limiter.paused_until == 1000.0
    async with limiter:
        pass
    assert clock.sleeps == []


@pytest.mark.asyncio
async def test_without_a_pause_the_first_request_goes_at_once() -> None:
    clock = FakeClock()
    async with make(clock):
        pass
    assert clock.sleeps == []


@pytest.mark.asyncio
async def test_bucket_spaces_requests_by_the_interval() -> None:
    loop = asyncio.get_running_loop()
    limiter = AdaptiveRateLimiter(interval_s=0.03, max_interval_s=0.1)
    times = []
    for _ in range(3):
        async with limiter:
            times.append(loop.time())
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert all(gap >= 0.025 for gap in gaps), gaps


@pytest.mark.asyncio
async def test_concurrency_cap_limits_requests_in_flight() -> None:
    limiter = AdaptiveRateLimiter(interval_s=0.001, max_interval_s=0.01, concurrency=2)
    in_flight = peak = 0

    async def request() -> None:
        nonlocal in_flight, peak
        async with limiter:
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1

    await asyncio.gather(*(request() for _ in range(6)))
    assert peak == 2


@pytest.mark.asyncio
async def test_slot_is_released_when_the_body_raises() -> None:
    limiter = AdaptiveRateLimiter(interval_s=0.001, max_interval_s=0.01, concurrency=1)
    with pytest.raises(RuntimeError):
        async with limiter:
            raise RuntimeError("boom")
    async with asyncio.timeout(1):
        async with limiter:
            pass


@pytest.mark.parametrize(
    ("retry_after_s", "pause_s"),
    [(1e300, 60.0), (float("inf"), 60.0), (float("nan"), None), (-5.0, 0.0), (30.0, 30.0)],
)
def test_a_retry_after_pause_is_bounded_by_max_pause_s(retry_after_s: float, pause_s: float | None) -> None:
    clock = FakeClock(100.0)
    limiter = make(clock, max_pause_s=60.0)
    limiter.on_rate_limited(retry_after_s)
    if pause_s is None:
        assert limiter.paused_until < clock()
    else:
        assert limiter.paused_until == pytest.approx(100.0 + pause_s)
