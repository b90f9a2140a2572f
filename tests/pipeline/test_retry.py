"""RetryPolicy: tenacity's stop/wait/retry asked about one failed attempt."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from robust_import_app.domain.errors import (
    ErrorCode,
    PermanentImportError,
    TransientImportError,
)
from robust_import_app.pipeline.config import MAX_WAIT_S
from robust_import_app.pipeline.resilience.retry import RetryPolicy, consumes_attempt

TIMEOUT = TransientImportError(ErrorCode.TIMEOUT)


@pytest.fixture(autouse=True)
def _seeded() -> None:
    random.seed(1234)  # tenacity's jitter uses the random module


@pytest.mark.parametrize(
    "kwargs",
    [{"max_attempts": 0}, {"backoff_base_s": 0.0}, {"backoff_base_s": 10.0, "backoff_max_s": 5.0}],
)
def test_bad_settings_raise_value_error(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_defaults() -> None:
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.backoff_base_s, policy.backoff_max_s) == (8, 1.0, 120.0)


@pytest.mark.parametrize("attempt", range(1, 8))
def test_full_jitter_exponential_bounds(attempt: int) -> None:
    policy = RetryPolicy(max_attempts=20)
    window = min(2 ** (attempt - 1), 120.0)
    delays = [policy.next_delay_s(attempt, TIMEOUT) for _ in range(300)]
    assert all(d is not None and 0.0 <= d <= window for d in delays)
    # Full jitter spreads over the whole window, not just near its top.
    assert min(delays) < window * 0.1  # type: ignore[type-var]
    assert max(delays) > window * 0.9  # type: ignore[type-var]


def test_window_is_capped_at_backoff_max() -> None:
    policy = RetryPolicy(max_attempts=50, backoff_max_s=120.0)
    delays = [policy.next_delay_s(30, TIMEOUT) for _ in range(300)]
    assert max(delays) <= 120.0  # type: ignore[type-var]
    assert max(delays) > 100.0  # type: ignore[type-var]


def test_retry_after_wins_over_the_backoff() -> None:
    policy = RetryPolicy()
    error = TransientImportError(ErrorCode.RATE_LIMITED, retry_after_s=300.0)
    assert policy.next_delay_s(1, error) == 300.0  # beyond backoff_max_s too


def test_backoff_wins_over_a_shorter_retry_after() -> None:
    policy = RetryPolicy()
    error = TransientImportError(ErrorCode.RATE_LIMITED, retry_after_s=0.5)
    delays = [policy.next_delay_s(7, error) for _ in range(100)]
    assert all(0.5 <= d <= 64.0 for d in delays)  # type: ignore[operator]
    assert max(delays) > 30.0  # type: ignore[type-var]


def test_permanent_error_is_not_retried() -> None:
    assert RetryPolicy().next_delay_s(1, PermanentImportError(ErrorCode.PRIVATE)) is None


def test_attempts_run_out_at_max_attempts() -> None:
    policy = RetryPolicy(max_attempts=8)
    assert policy.next_delay_s(7, TIMEOUT) is not None
    assert policy.next_delay_s(8, TIMEOUT) is None
    assert policy.next_delay_s(9, TIMEOUT) is None


def test_circuit_open_does_not_consume_an_attempt() -> None:
    policy = RetryPolicy(max_attempts=3)
    circuit = TransientImportError(ErrorCode.CIRCUIT_OPEN, retry_after_s=25.0)
    assert not consumes_attempt(circuit)
    assert consumes_attempt(TIMEOUT)
    assert consumes_attempt(PermanentImportError(ErrorCode.REMOVED))
    assert policy.next_delay_s(3, TIMEOUT) is None
    delay = policy.next_delay_s(3, circuit)  # attempts used up, but this one never went out
    assert delay is not None and delay >= 25.0
    assert policy.next_delay_s(0, circuit) == 25.0  # before any attempt: the breaker's wait


@pytest.mark.asyncio
async def test_async_retrying_retries_transient_errors_with_the_injected_sleep() -> None:
    policy = RetryPolicy(max_attempts=5)
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    calls = 0

    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise TransientImportError(ErrorCode.RATE_LIMITED, retry_after_s=7.0)
        return "ok"

    assert await policy.async_retrying(sleep=fake_sleep)(flaky) == "ok"
    assert calls == 3
    assert sleeps == [7.0, 7.0]


@pytest.mark.asyncio
async def test_async_retrying_stops_at_once_on_permanent_and_reraises_when_exhausted() -> None:
    policy = RetryPolicy(max_attempts=3)

    async def no_sleep(seconds: float) -> None:
        return None

    calls = 0

    async def private() -> None:
        nonlocal calls
        calls += 1
        raise PermanentImportError(ErrorCode.PRIVATE)

    with pytest.raises(PermanentImportError):
        await policy.async_retrying(sleep=no_sleep)(private)
    assert calls == 1

    calls = 0

    async def timing_out() -> None:
        nonlocal calls
        calls += 1
        raise TransientImportError(ErrorCode.TIMEOUT)

    with pytest.raises(TransientImportError):
        await policy.async_retrying(sleep=no_sleep)(timing_out)
    assert calls == 3


@pytest.mark.parametrize("retry_after_s", [1e300, float("inf"), 2.5e11])
def test_a_huge_retry_after_waits_at_most_a_day_and_the_next_attempt_time_is_representable(
    retry_after_s: float,
) -> None:
    policy = RetryPolicy()
    for error in (
        TransientImportError(ErrorCode.RATE_LIMITED, retry_after_s=retry_after_s),
        TransientImportError(ErrorCode.CIRCUIT_OPEN, retry_after_s=retry_after_s),
    ):
        delay_s = policy.next_delay_s(1, error)
        assert delay_s == MAX_WAIT_S == 86_400.0
        assert dt.datetime.now(dt.UTC) + dt.timedelta(seconds=delay_s)  # what the queue stores: no OverflowError


@pytest.mark.parametrize("retry_after_s", [float("nan"), -5.0])
def test_a_nan_or_negative_retry_after_leaves_the_backoff(retry_after_s: float) -> None:
    delay_s = RetryPolicy().next_delay_s(1, TransientImportError(ErrorCode.RATE_LIMITED, retry_after_s=retry_after_s))
    assert delay_s is not None and 0 <= delay_s <= 1.0
