"""CircuitBreaker: closed -> open -> half-open -> closed, on a fake clock."""

from __future__ import annotations

import pytest

from robust_import_app.domain.errors import (
    ErrorCode,
    PermanentImportError,
    TransientImportError,
)
from robust_import_app.pipeline.resilience.breaker import BreakerState, CircuitBreaker
from tests.clock import FakeClock

RATE_LIMITED = TransientImportError(ErrorCode.RATE_LIMITED)
BOT_CHECK = TransientImportError(ErrorCode.BOT_CHECK)
IP_BLOCKED = TransientImportError(ErrorCode.IP_BLOCKED)
SERVER_ERROR = TransientImportError(ErrorCode.SERVER_ERROR)
TIMEOUT = TransientImportError(ErrorCode.TIMEOUT)
PRIVATE = PermanentImportError(ErrorCode.PRIVATE)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(500.0)


@pytest.fixture
def breaker(clock: FakeClock) -> CircuitBreaker:
    return CircuitBreaker(clock=clock)


def open_it(breaker: CircuitBreaker, error: TransientImportError = RATE_LIMITED) -> None:
    for _ in range(breaker.failure_threshold):
        breaker.record_failure(error)
    assert breaker.state is BreakerState.OPEN


def fail_probe(breaker: CircuitBreaker, clock: FakeClock) -> None:
    clock.now += breaker.retry_in_s
    assert breaker.allow_request()
    breaker.record_failure(RATE_LIMITED)


@pytest.mark.parametrize(
    "kwargs", [{"failure_threshold": 0}, {"cooldown_s": 0.0}, {"cooldown_s": 400.0, "cooldown_max_s": 300.0}]
)
def test_bad_settings_raise_value_error(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(**kwargs)  # type: ignore[arg-type]


def test_opens_after_six_consecutive_refusals_by_default(breaker: CircuitBreaker) -> None:
    for error in (RATE_LIMITED, BOT_CHECK, IP_BLOCKED, RATE_LIMITED, BOT_CHECK):
        breaker.record_failure(error)
    assert breaker.state is BreakerState.CLOSED and breaker.allow_request()
    breaker.record_failure(IP_BLOCKED)
    assert breaker.state is BreakerState.OPEN
    assert breaker.opened_reason is ErrorCode.IP_BLOCKED


def test_server_errors_and_timeouts_do_not_count(breaker: CircuitBreaker) -> None:
    for _ in range(50):
        breaker.record_failure(SERVER_ERROR)
        breaker.record_failure(TIMEOUT)
    assert breaker.state is BreakerState.CLOSED


def test_open_blocks_for_the_cooldown(breaker: CircuitBreaker, clock: FakeClock) -> None:
    open_it(breaker, BOT_CHECK)
    assert not breaker.allow_request()
    assert breaker.retry_in_s == 30.0
    clock.now += 29.0
    assert not breaker.allow_request()
    assert breaker.retry_in_s == pytest.approx(1.0)


def test_check_raises_circuit_open_with_retry_after(breaker: CircuitBreaker, clock: FakeClock) -> None:
    breaker.check(video_id="abc", stage="metadata")  # closed: no error
    open_it(breaker, BOT_CHECK)
    clock.now += 10.0
    with pytest.raises(TransientImportError) as info:
        breaker.check(video_id="abc", stage="metadata")
    error = info.value
    assert error.code is ErrorCode.CIRCUIT_OPEN
    assert error.retry_after_s == pytest.approx(20.0)
    assert (error.video_id, error.stage) == ("abc", "metadata")
    assert "bot_check" in error.detail


def test_check_tells_the_probe_from_an_ordinary_request(breaker: CircuitBreaker, clock: FakeClock) -> None:
    assert breaker.check() is False
    open_it(breaker)
    clock.now += 30.0
    assert breaker.check() is True
    with pytest.raises(TransientImportError) as info:
        breaker.check()
    assert info.value.code is ErrorCode.CIRCUIT_OPEN
    breaker.record_failure(RATE_LIMITED)
    assert breaker.current_cooldown_s == 60.0


def test_half_open_allows_exactly_one_probe(breaker: CircuitBreaker, clock: FakeClock) -> None:
    open_it(breaker)
    clock.now += 30.0
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.retry_in_s == 0.0
    assert breaker.allow_request()
    assert not breaker.allow_request()
    assert not breaker.allow_request()
    assert breaker.retry_in_s > 0


def test_probe_success_closes_and_resets_the_cooldown(breaker: CircuitBreaker, clock: FakeClock) -> None:
    open_it(breaker)
    fail_probe(breaker, clock)  # cool-down now 60 s
    assert breaker.current_cooldown_s == 60.0
    clock.now += 60.0
    assert breaker.allow_request()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.opened_reason is None
    assert breaker.allow_request() and breaker.allow_request()
    open_it(breaker)
    assert breaker.retry_in_s == 30.0


def test_probe_failure_reopens_with_doubling_cooldown_up_to_the_cap(breaker: CircuitBreaker, clock: FakeClock) -> None:
    open_it(breaker)
    cooldowns = [breaker.retry_in_s]
    for _ in range(5):
        fail_probe(breaker, clock)
        assert breaker.state is BreakerState.OPEN
        cooldowns.append(breaker.retry_in_s)
    assert cooldowns == [30.0, 60.0, 120.0, 240.0, 300.0, 300.0]


def test_success_while_closed_resets_the_count(breaker: CircuitBreaker) -> None:
    for _ in range(breaker.failure_threshold - 1):
        breaker.record_failure(RATE_LIMITED)
    breaker.record_success()
    for _ in range(breaker.failure_threshold - 1):
        breaker.record_failure(RATE_LIMITED)
    assert breaker.state is BreakerState.CLOSED


def test_non_counting_failures_neither_count_nor_reset(breaker: CircuitBreaker) -> None:
    for _ in range(breaker.failure_threshold - 1):
        breaker.record_failure(RATE_LIMITED)
        breaker.record_failure(PRIVATE)
        breaker.record_failure(TIMEOUT)
        breaker.record_failure(SERVER_ERROR)
    assert breaker.state is BreakerState.CLOSED
    breaker.record_failure(RATE_LIMITED)
    assert breaker.state is BreakerState.OPEN


def test_non_counting_probe_outcome_frees_the_probe(breaker: CircuitBreaker, clock: FakeClock) -> None:
    open_it(breaker)
    clock.now += 30.0
    assert breaker.allow_request()
    breaker.record_failure(PRIVATE)
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow_request()
    assert not breaker.allow_request()


def test_lost_probe_is_replaced_after_a_cooldown(breaker: CircuitBreaker, clock: FakeClock) -> None:
    open_it(breaker)
    clock.now += 30.0
    assert breaker.allow_request()
    clock.now += 29.0
    assert not breaker.allow_request()
    clock.now += 1.0
    assert breaker.allow_request()


def test_outcomes_of_requests_sent_before_opening_are_ignored(breaker: CircuitBreaker, clock: FakeClock) -> None:
    open_it(breaker)
    breaker.record_success()
    breaker.record_failure(RATE_LIMITED)
    assert breaker.state is BreakerState.OPEN
    assert breaker.retry_in_s == 30.0


def test_a_held_probe_slower_than_the_cooldown_lets_no_second_probe_out(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    open_it(breaker)
    clock.now += 30.0
    assert breaker.allow_request()
    breaker.hold_probe()
    for _ in range(5):
        clock.now += 30.0
        assert not breaker.allow_request(), "the probe is in flight, not lost"
        assert breaker.retry_in_s == 30.0
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow_request() and breaker.allow_request()


def test_a_released_probe_lets_another_go_at_once(breaker: CircuitBreaker, clock: FakeClock) -> None:
    open_it(breaker)
    clock.now += 30.0
    assert breaker.allow_request()
    breaker.hold_probe()
    breaker.release_probe()
    assert breaker.allow_request()
    assert not breaker.allow_request()
