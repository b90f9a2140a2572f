"""The retry policy, built from tenacity's strategies: when to try a stage again.

Only :class:`~robust_import_app.domain.errors.TransientImportError` is
retried (``tenacity.retry_if_exception_type``), at most ``max_attempts``
attempts per stage (``tenacity.stop_after_attempt``), after a full-jitter
exponential wait (``tenacity.wait_random_exponential``: its docstring picks it
"to mediate contention between multiple uncoordinated processes for a shared
resource", which is our case: every video competes for one upstream's
quota), lengthened to the upstream's Retry-After when that is longer
(:class:`wait_retry_after`).

The pipeline stores the next attempt time in the database, so the main entry
point is :meth:`RetryPolicy.next_delay_s`, which asks the same tenacity
objects about one failed attempt; :meth:`RetryPolicy.async_retrying` gives an
in-process ``tenacity.AsyncRetrying`` for callers that retry in a loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import tenacity
from tenacity.retry import retry_base
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from robust_import_app.domain.errors import (
    ErrorCode,
    ImportFailure,
    TransientImportError,
)
from robust_import_app.pipeline.config import (
    DEFAULT_BACKOFF_BASE_S,
    DEFAULT_BACKOFF_MAX_S,
    DEFAULT_MAX_ATTEMPTS,
    MAX_WAIT_S,
    bounded_wait_s,
)


def consumes_attempt(error: ImportFailure) -> bool:
    """False for CIRCUIT_OPEN: the request never went out, so no attempt is used.

    The caller keeps the attempt count unchanged for such errors and still
    schedules the retry with :meth:`RetryPolicy.next_delay_s`.
    """
    return error.code is not ErrorCode.CIRCUIT_OPEN


class wait_retry_after(wait_base):  # noqa: N801 - named like tenacity's strategies
    """Wait the longer of ``fallback`` and the failure's ``retry_after_s`` (seconds), at most ``max_s``.

    A Retry-After is honoured in full, even beyond ``fallback``'s maximum, up
    to ``max_s`` (:data:`~robust_import_app.pipeline.config.MAX_WAIT_S`): an
    infinite or huge one waits ``max_s``, a NaN one is ignored, so the wait is
    always finite and the next attempt time representable.
    """

    def __init__(self, fallback: wait_base, *, max_s: float = MAX_WAIT_S) -> None:
        self.fallback = fallback
        self.max_s = max_s

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        wait_s = self.fallback(retry_state)
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None and outcome.failed else None
        retry_after_s = bounded_wait_s(getattr(error, "retry_after_s", None), self.max_s)
        return min(max(wait_s, retry_after_s) if retry_after_s is not None else wait_s, self.max_s)


class RetryPolicy:
    """How many attempts a stage gets and how long to wait between them.

    Times are in seconds. The wait before attempt ``n + 1`` is uniform in
    ``[0, min(backoff_base_s * 2**(n - 1), backoff_max_s)]`` (full jitter),
    or the failure's ``retry_after_s`` when that is longer (but never more
    than :data:`~robust_import_app.pipeline.config.MAX_WAIT_S`, a day)::

        policy = RetryPolicy(max_attempts=8, backoff_base_s=1.0, backoff_max_s=120.0)
        delay_s = policy.next_delay_s(attempt, error)  # None: give up

    Raises :class:`ValueError` for ``max_attempts < 1`` or a non-positive
    base, or a maximum below the base.
    """

    __slots__ = ("backoff_base_s", "backoff_max_s", "max_attempts", "retry", "stop", "wait")

    def __init__(
        self,
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff_base_s: float = DEFAULT_BACKOFF_BASE_S,
        backoff_max_s: float = DEFAULT_BACKOFF_MAX_S,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0 < backoff_base_s <= backoff_max_s:
            raise ValueError("need 0 < backoff_base_s <= backoff_max_s")
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.stop: stop_base = tenacity.stop_after_attempt(max_attempts)
        self.wait: wait_base = wait_retry_after(
            tenacity.wait_random_exponential(multiplier=backoff_base_s, max=backoff_max_s)
        )
        self.retry: retry_base = tenacity.retry_if_exception_type(TransientImportError)

    def next_delay_s(self, attempt: int, error: ImportFailure) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None to give up.

        ``attempt`` is the 1-based number of the attempt that just failed
        with ``error`` (the count of attempts used so far). None when the
        error is permanent or ``attempt`` reached ``max_attempts``. A
        CIRCUIT_OPEN error never exhausts the attempts (see
        :func:`consumes_attempt`); its wait is its ``retry_after_s`` or the
        backoff for ``max(attempt, 1)``, whichever is longer.
        """
        state = tenacity.RetryCallState(retry_object=self.async_retrying(), fn=None, args=(), kwargs={})
        state.attempt_number = max(attempt, 1)
        state.set_exception((type(error), error, error.__traceback__))
        if not self.retry(state):
            return None
        if consumes_attempt(error) and self.stop(state):
            return None
        return self.wait(state)

    def async_retrying(self, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> tenacity.AsyncRetrying:
        """A ``tenacity.AsyncRetrying`` with this policy, for in-process retry loops.

        It re-raises the last error once attempts run out (``reraise=True``);
        every attempt counts here, CIRCUIT_OPEN included. ``sleep`` is
        injectable for tests.
        """
        return tenacity.AsyncRetrying(stop=self.stop, wait=self.wait, retry=self.retry, sleep=sleep, reraise=True)

    def __repr__(self) -> str:
        return (
            f"RetryPolicy(max_attempts={self.max_attempts!r}, backoff_base_s={self.backoff_base_s!r}, "
            f"backoff_max_s={self.backoff_max_s!r})"
        )
