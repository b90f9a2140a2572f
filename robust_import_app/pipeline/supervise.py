"""Keep a long-running task alive: restart it, with backoff, whenever it dies."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import tenacity

logger = logging.getLogger(__name__)

DEFAULT_RESTART_BASE_S = 1.0
"""Width of the first jittered wait before a restart, in seconds."""
DEFAULT_RESTART_MAX_S = 60.0
"""Widest jittered wait before a restart, in seconds."""


async def supervise(
    run: Callable[[], Awaitable[None]],
    *,
    name: str,
    restart_base_s: float = DEFAULT_RESTART_BASE_S,
    restart_max_s: float = DEFAULT_RESTART_MAX_S,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Await ``run()`` again each time it raises, after a full-jitter exponential wait.

    Every death is logged with its traceback (``name`` says what died);
    ``sleep`` waits out each backoff, in seconds. Returns when ``run()``
    returns; cancellation passes straight through (tenacity retries
    ``Exception`` only, never ``CancelledError``).
    """
    retrying = tenacity.AsyncRetrying(
        retry=tenacity.retry_if_exception_type(Exception),
        wait=tenacity.wait_random_exponential(multiplier=restart_base_s, max=restart_max_s),
        stop=tenacity.stop_never,
        before_sleep=lambda state: _log_death(name, state),
        reraise=True,
        sleep=sleep,
    )
    async for attempt in retrying:
        with attempt:
            await run()


def _log_death(name: str, state: tenacity.RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    wait_s = state.next_action.sleep if state.next_action else 0.0
    logger.error("The %s stopped (%r); restarting it in %.1f s", name, error, wait_s, exc_info=error)
