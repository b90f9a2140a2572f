"""UpstreamGuard and Guards: breaker + limiter around a request, on a fake clock."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import youtube_transcript_api as yta

from robust_import_app.domain.errors import (
    ErrorCode,
    PermanentImportError,
    TransientImportError,
)
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.pipeline.config import (
    DEFAULT_WHISPER_INTERVAL_S,
    GuardConfig,
    default_guard_configs,
)
from robust_import_app.pipeline.resilience.breaker import BreakerState
from robust_import_app.pipeline.resilience.guard import Guards, UpstreamGuard
from tests.clock import FakeClock

VID = "dQw4w9WgXcQ"


def too_many_requests(retry_after: str | None = "30") -> httpx.HTTPStatusError:
    request = httpx.Request("GET", "https://www.googleapis.com/youtube/v3/videos")
    headers = {"Retry-After": retry_after} if retry_after else {}
    response = httpx.Response(429, headers=headers, request=request)
    return httpx.HTTPStatusError("429 Too Many Requests", request=request, response=response)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(100.0)


@pytest.fixture
def guard(clock: FakeClock) -> UpstreamGuard:
    return UpstreamGuard.from_config(Upstream.DATA_API, GuardConfig(), clock=clock, sleep=clock.sleep)


@pytest.fixture
def fast_guard(clock: FakeClock) -> UpstreamGuard:
    """1 ms spacing: the aiolimiter bucket runs on the event loop's real clock."""
    config = GuardConfig(interval_s=0.001, max_interval_s=0.01)
    return UpstreamGuard.from_config(Upstream.DATA_API, config, clock=clock, sleep=clock.sleep)


@pytest.mark.asyncio
async def test_success_runs_the_body_and_records_success(guard: UpstreamGuard) -> None:
    guard.breaker.record_failure(TransientImportError(ErrorCode.RATE_LIMITED))
    guard.limiter.on_rate_limited(None)
    ran = False
    async with guard.request(video_id=VID, stage="metadata"):
        ran = True
    assert ran
    assert guard.limiter.interval_s == pytest.approx(2.7)  # 3.0 x 0.9
    guard.breaker.record_failure(TransientImportError(ErrorCode.RATE_LIMITED))
    guard.breaker.record_failure(TransientImportError(ErrorCode.RATE_LIMITED))
    assert guard.breaker.state is BreakerState.CLOSED  # the success reset the count


@pytest.mark.asyncio
async def test_raw_exception_is_classified_and_raised_from_the_original(guard: UpstreamGuard, clock: FakeClock) -> None:
    original = too_many_requests("30")
    with pytest.raises(TransientImportError) as info:
        async with guard.request(video_id=VID, stage="metadata"):
            raise original
    error = info.value
    assert error.code is ErrorCode.RATE_LIMITED
    assert error.retry_after_s == 30.0
    assert (error.video_id, error.stage) == (VID, "metadata")
    assert error.__cause__ is original
    assert guard.limiter.interval_s == 3.0
    assert guard.limiter.paused_until == clock.now + 30.0


@pytest.mark.asyncio
async def test_next_request_waits_for_the_retry_after(guard: UpstreamGuard, clock: FakeClock) -> None:
    with pytest.raises(TransientImportError):
        async with guard.request(video_id=VID):
            raise too_many_requests("30")
    async with guard.request(video_id=VID):
        pass
    assert sum(clock.sleeps) == pytest.approx(30.0)


@pytest.mark.asyncio
async def test_consecutive_rate_limits_open_the_breaker_and_block_without_running(guard: UpstreamGuard) -> None:
    for _ in range(guard.breaker.failure_threshold):
        with pytest.raises(TransientImportError):
            async with guard.request(video_id=VID):
                raise too_many_requests(None)
    assert guard.breaker.state is BreakerState.OPEN
    ran = False
    with pytest.raises(TransientImportError) as info:
        async with guard.request(video_id=VID, stage="captions"):
            ran = True
    assert not ran
    assert info.value.code is ErrorCode.CIRCUIT_OPEN
    assert info.value.retry_after_s == pytest.approx(30.0)
    assert info.value.stage == "captions"


@pytest.mark.asyncio
async def test_breaker_opening_while_waiting_stops_the_request(clock: FakeClock) -> None:
    guard: UpstreamGuard

    async def sleep_while_others_fail(seconds: float) -> None:
        for _ in range(guard.breaker.failure_threshold):
            guard.breaker.record_failure(TransientImportError(ErrorCode.BOT_CHECK))
        await clock.sleep(seconds)

    guard = UpstreamGuard.from_config(Upstream.PLAYER, GuardConfig(), clock=clock, sleep=sleep_while_others_fail)
    guard.limiter.on_rate_limited(5.0)
    ran = False
    with pytest.raises(TransientImportError) as info:
        async with guard.request(video_id=VID):
            ran = True
    assert not ran and info.value.code is ErrorCode.CIRCUIT_OPEN


@pytest.mark.asyncio
async def test_requests_queued_while_the_breaker_opened_and_cooled_down_send_one_probe(clock: FakeClock) -> None:
    """Four requests wait out a Retry-After; meanwhile the breaker opens and its 30 s cool-down ends."""
    queued = 4
    config = GuardConfig(interval_s=0.001, max_interval_s=0.01, concurrency=queued)
    guard: UpstreamGuard
    waiting = 0
    everyone_waits = asyncio.Event()

    async def sleep_until_all_queued(seconds: float) -> None:
        nonlocal waiting
        if everyone_waits.is_set():
            await clock.sleep(seconds)
            return
        waiting += 1
        if waiting == queued:  # every request passed the breaker and waits in the limiter
            for _ in range(guard.breaker.failure_threshold):
                guard.breaker.record_failure(TransientImportError(ErrorCode.RATE_LIMITED))
            clock.now += seconds  # the pause, and with it the cool-down, is over
            everyone_waits.set()
        await everyone_waits.wait()

    guard = UpstreamGuard.from_config(Upstream.PLAYER, config, clock=clock, sleep=sleep_until_all_queued)
    guard.limiter.on_rate_limited(60.0)
    sent = 0

    async def one_request() -> ErrorCode:
        nonlocal sent
        try:
            async with guard.request(video_id=VID):
                sent += 1
                raise too_many_requests(None)
        except TransientImportError as error:
            return error.code
        raise AssertionError("the request did not fail")

    codes = await asyncio.gather(*(one_request() for _ in range(queued)))

    assert sent == 1
    assert sorted(codes) == sorted([ErrorCode.RATE_LIMITED] + [ErrorCode.CIRCUIT_OPEN] * (queued - 1))
    assert guard.breaker.state is BreakerState.OPEN
    assert guard.breaker.current_cooldown_s == 60.0  # the probe's failure doubled the cool-down
    assert guard.breaker.retry_in_s == pytest.approx(60.0, abs=0.1)


@pytest.mark.asyncio
async def test_half_open_probe_admitted_before_the_wait_goes_out(fast_guard: UpstreamGuard, clock: FakeClock) -> None:
    guard = fast_guard
    for _ in range(guard.breaker.failure_threshold):
        guard.breaker.record_failure(TransientImportError(ErrorCode.RATE_LIMITED))
    clock.now += guard.breaker.retry_in_s
    async with guard.request(video_id=VID):
        with pytest.raises(TransientImportError) as info:
            async with guard.request(video_id=VID):
                pass
        assert info.value.code is ErrorCode.CIRCUIT_OPEN  # one probe at a time
    assert guard.breaker.state is BreakerState.CLOSED


@pytest.mark.asyncio
async def test_import_failure_inside_passes_through_as_is_and_is_recorded(fast_guard: UpstreamGuard) -> None:
    guard = fast_guard
    own = TransientImportError(ErrorCode.BOT_CHECK, video_id=VID)
    for _ in range(guard.breaker.failure_threshold):
        with pytest.raises(TransientImportError) as info:
            async with guard.request(video_id=VID):
                raise own
        assert info.value is own
    assert guard.breaker.state is BreakerState.OPEN
    assert guard.breaker.opened_reason is ErrorCode.BOT_CHECK


@pytest.mark.asyncio
async def test_no_captions_passes_through_unclassified_as_a_success(guard: UpstreamGuard) -> None:
    guard.breaker.record_failure(TransientImportError(ErrorCode.RATE_LIMITED))
    guard.breaker.record_failure(TransientImportError(ErrorCode.RATE_LIMITED))
    with pytest.raises(yta.TranscriptsDisabled):
        async with guard.request(video_id=VID, stage="captions"):
            raise yta.TranscriptsDisabled(VID)
    guard.breaker.record_failure(TransientImportError(ErrorCode.RATE_LIMITED))
    assert guard.breaker.state is BreakerState.CLOSED


@pytest.mark.asyncio
async def test_transcript_api_429_slows_the_limiter_like_a_rate_limit(fast_guard: UpstreamGuard) -> None:
    """youtube-transcript-api raises IpBlocked for HTTP 429 (dropping Retry-After)."""
    guard = fast_guard
    with pytest.raises(TransientImportError) as info:
        async with guard.request(video_id=VID, stage="captions"):
            raise yta.IpBlocked(VID)
    assert info.value.code is ErrorCode.IP_BLOCKED
    assert guard.limiter.interval_s == pytest.approx(0.0015)
    async with guard.request(video_id=VID):
        pass
    assert guard.limiter.interval_s == pytest.approx(0.0015 * 0.9)


@pytest.mark.asyncio
async def test_server_error_and_bot_check_do_not_slow_the_limiter(fast_guard: UpstreamGuard) -> None:
    guard = fast_guard
    for own in (TransientImportError(ErrorCode.SERVER_ERROR), TransientImportError(ErrorCode.BOT_CHECK)):
        with pytest.raises(TransientImportError):
            async with guard.request(video_id=VID):
                raise own
    assert guard.limiter.interval_s == 0.001


def service_unavailable() -> httpx.HTTPStatusError:
    request = httpx.Request("GET", "https://www.googleapis.com/youtube/v3/videos")
    response = httpx.Response(503, request=request)
    return httpx.HTTPStatusError("503 Service Unavailable", request=request, response=response)


@pytest.mark.asyncio
async def test_server_errors_and_timeouts_never_open_the_default_breaker(fast_guard: UpstreamGuard) -> None:
    """They go to each video's backoff; only YouTube refusing us (429, bot check, IP block) counts."""
    guard = fast_guard
    for _ in range(20):
        for raw in (service_unavailable(), httpx.ReadTimeout("timed out")):
            with pytest.raises(TransientImportError):
                async with guard.request(video_id=VID):
                    raise raw
    assert guard.breaker.state is BreakerState.CLOSED


@pytest.mark.asyncio
async def test_default_breaker_opens_on_the_sixth_consecutive_refusal(fast_guard: UpstreamGuard) -> None:
    guard = fast_guard
    refusals = [too_many_requests(None), yta.IpBlocked(VID), TransientImportError(ErrorCode.BOT_CHECK)] * 2
    for count, raw in enumerate(refusals, start=1):
        assert guard.breaker.state is BreakerState.CLOSED, f"open after {count - 1} refusals"
        with pytest.raises(TransientImportError):
            async with guard.request(video_id=VID):
                raise raw
    assert guard.breaker.state is BreakerState.OPEN


@pytest.mark.asyncio
async def test_permanent_error_does_not_touch_limiter_or_breaker(fast_guard: UpstreamGuard) -> None:
    guard = fast_guard
    for _ in range(5):
        with pytest.raises(PermanentImportError) as info:
            async with guard.request(video_id=VID):
                raise yta.VideoUnavailable(VID)
        assert info.value.code is ErrorCode.REMOVED
        assert isinstance(info.value.__cause__, yta.VideoUnavailable)
    assert guard.breaker.state is BreakerState.CLOSED
    assert guard.limiter.interval_s == 0.001


@pytest.mark.asyncio
async def test_cancellation_records_nothing(guard: UpstreamGuard) -> None:
    with pytest.raises(asyncio.CancelledError):
        async with guard.request(video_id=VID):
            raise asyncio.CancelledError
    assert guard.limiter.interval_s == 2.0
    assert guard.breaker.state is BreakerState.CLOSED


def test_guards_cover_every_upstream_with_defaults(clock: FakeClock) -> None:
    guards = Guards.from_configs(clock=clock, sleep=clock.sleep)
    assert set(guards) == set(Upstream) and len(guards) == len(Upstream)
    assert guards[Upstream.WHISPER].limiter.interval_s == DEFAULT_WHISPER_INTERVAL_S
    assert guards[Upstream.PLAYER].limiter.interval_s == 2.0
    assert guards[Upstream.PLAYER] is not guards[Upstream.TRANSCRIPT]
    assert guards[Upstream.PLAYER].breaker is not guards[Upstream.TRANSCRIPT].breaker


def test_guards_apply_overrides(clock: FakeClock) -> None:
    slow = GuardConfig(interval_s=12.0, max_interval_s=30.0, concurrency=1, failure_threshold=2, cooldown_s=60.0)
    guards = Guards.from_configs({Upstream.PLAYER: slow}, clock=clock, sleep=clock.sleep)
    player = guards[Upstream.PLAYER]
    assert (player.limiter.interval_s, player.limiter.max_interval_s, player.limiter.concurrency) == (12.0, 30.0, 1)
    assert (player.breaker.failure_threshold, player.breaker.cooldown_s) == (2, 60.0)
    assert guards[Upstream.DATA_API].limiter.interval_s == 2.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"interval_s": 0.0},
        {"interval_s": 20.0},  # above the default max_interval_s
        {"concurrency": 0},
        {"failure_threshold": 0},
        {"cooldown_s": 0.0},
        {"cooldown_s": 600.0},
    ],
)
def test_guard_config_rejects_bad_values(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        GuardConfig(**kwargs)  # type: ignore[arg-type]


def test_guard_config_is_keyword_only_frozen_and_readable() -> None:
    with pytest.raises(TypeError):
        GuardConfig(2.0)  # type: ignore[misc]
    config = GuardConfig()
    with pytest.raises(AttributeError):
        config.interval_s = 1.0  # type: ignore[misc]
    assert "interval_s=2.0" in repr(config)
    assert config.requests_per_hour == 1800
    assert default_guard_configs()[Upstream.WHISPER].requests_per_hour == 1200


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "raised",
    [
        too_many_requests("1e300"),
        too_many_requests("Fri, 31 Dec 9999 23:59:59 GMT"),
        TransientImportError(ErrorCode.RATE_LIMITED, retry_after_s=float("inf")),
        TransientImportError(ErrorCode.RATE_LIMITED, retry_after_s=1e300),
    ],
    ids=["1e300", "year-9999", "failure-inf", "failure-1e300"],
)
async def test_an_unbounded_retry_after_pauses_the_upstream_at_most_retry_after_max_s(
    clock: FakeClock, raised: Exception
) -> None:
    config = GuardConfig(retry_after_max_s=120.0)
    guard = UpstreamGuard.from_config(Upstream.DATA_API, config, clock=clock, sleep=clock.sleep)
    with pytest.raises(TransientImportError):
        async with guard.request(video_id=VID):
            raise raised
    assert guard.limiter.paused_until == clock.now + 120.0
    async with guard.request(video_id=VID):
        pass
    assert sum(clock.sleeps) == pytest.approx(120.0)


@pytest.mark.asyncio
async def test_a_clamped_retry_after_is_what_the_failure_carries(clock: FakeClock) -> None:
    guard = UpstreamGuard.from_config(
        Upstream.DATA_API, GuardConfig(retry_after_max_s=120.0), clock=clock, sleep=clock.sleep
    )
    with pytest.raises(TransientImportError) as info:
        async with guard.request(video_id=VID):
            raise too_many_requests("1e300")
    assert info.value.retry_after_s == 120.0


@pytest.mark.parametrize("retry_after_max_s", [0.0, -1.0, 86_401.0, float("inf"), float("nan")])
def test_a_retry_after_cap_outside_a_day_is_refused(retry_after_max_s: float) -> None:
    with pytest.raises(ValueError):
        GuardConfig(retry_after_max_s=retry_after_max_s)


@pytest.mark.asyncio
async def test_a_probe_slower_than_the_cooldown_lets_no_second_probe_out(
    fast_guard: UpstreamGuard, clock: FakeClock
) -> None:
    guard = fast_guard
    for _ in range(guard.breaker.failure_threshold):
        with pytest.raises(TransientImportError):
            async with guard.request(video_id=VID):
                raise too_many_requests(None)
    clock.now += guard.breaker.cooldown_s
    probe_may_answer = asyncio.Event()
    sent: list[float] = []

    async def probe() -> None:
        async with guard.request(video_id=VID):
            sent.append(clock.now)
            await probe_may_answer.wait()

    probe_task = asyncio.create_task(probe())
    while not sent:
        await asyncio.sleep(0)
    for _ in range(4):  # 1.1 and 2.4 cool-downs later, and beyond: still the one probe
        clock.now += guard.breaker.cooldown_s * 0.7
        with pytest.raises(TransientImportError) as refused:
            async with guard.request(video_id=VID):
                sent.append(clock.now)
        assert refused.value.code is ErrorCode.CIRCUIT_OPEN
    assert len(sent) == 1
    probe_may_answer.set()
    await probe_task
    assert guard.breaker.state is BreakerState.CLOSED
    async with guard.request(video_id=VID):
        sent.append(clock.now)
    assert len(sent) == 2


@pytest.mark.asyncio
async def test_a_cancelled_probe_lets_the_next_request_probe(fast_guard: UpstreamGuard, clock: FakeClock) -> None:
    guard = fast_guard
    for _ in range(guard.breaker.failure_threshold):
        with pytest.raises(TransientImportError):
            async with guard.request(video_id=VID):
                raise too_many_requests(None)
    clock.now += guard.breaker.cooldown_s
    with pytest.raises(asyncio.CancelledError):
        async with guard.request(video_id=VID):
            raise asyncio.CancelledError
    async with guard.request(video_id=VID):
        pass
    assert guard.breaker.state is BreakerState.CLOSED
