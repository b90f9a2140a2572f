"""An adaptive rate limiter for one upstream: spacing, back-off on 429, concurrency cap."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from types import TracebackType

from aiolimiter import AsyncLimiter

from robust_import_app.pipeline.config import (
    DEFAULT_CONCURRENCY,
    DEFAULT_INTERVAL_S,
    DEFAULT_MAX_INTERVAL_S,
    DEFAULT_RETRY_AFTER_MAX_S,
    bounded_wait_s,
)

STRETCH_ON_RATE_LIMIT = 1.5
"""Factor the interval grows by on each HTTP 429 (capped at ``max_interval_s``)."""
SHRINK_ON_SUCCESS = 0.9
"""Factor the interval shrinks by on each success (floored at the base interval)."""


class AdaptiveRateLimiter:
    """Space requests to one upstream, slowing down when it answers 429.

    One request may leave every ``interval_s`` seconds: a leaky bucket
    (:class:`aiolimiter.AsyncLimiter` with ``max_rate=1``, ``time_period`` =
    the current interval), so the burst is a single request and the rate is
    ``3600 / interval_s`` requests per hour. At most ``concurrency`` requests
    are in flight (an :class:`asyncio.Semaphore` held for the whole
    ``async with`` block)::

        limiter = AdaptiveRateLimiter(interval_s=2.0)  # 1,800 requests/hour
        async with limiter:
            response = await fetch()
        limiter.on_success()  # or limiter.on_rate_limited(retry_after_s)

    Each 429 stretches the interval ×1.5 up to ``max_interval_s``; each
    success brings it back ×0.9 toward ``interval_s``. A Retry-After wins over
    both: no request leaves before ``paused_until`` (on ``clock``, seconds),
    which is at most ``max_pause_s`` after the 429 was seen.
    When the interval changes, the bucket is rebuilt with the new period and
    the next request waits at least the new interval after the last one.

    ``clock`` (monotonic seconds) and ``sleep`` drive the pauses and can be
    faked in tests; the bucket's spacing runs on the event loop's monotonic
    clock (aiolimiter reads ``loop.time()``), so tests of repeated requests
    use millisecond intervals.
    Raises :class:`ValueError` for a non-positive interval, a maximum below
    the base, or a concurrency below 1.
    """

    __slots__ = (
        "_bucket",
        "_clock",
        "_interval_s",
        "_last_request_at",
        "_paused_until",
        "_slots",
        "_sleep",
        "base_interval_s",
        "concurrency",
        "max_interval_s",
        "max_pause_s",
    )

    base_interval_s: float  #: Seconds between requests when all goes well.
    max_interval_s: float  #: Longest spacing, in seconds, after repeated 429s.
    concurrency: int  #: Requests in flight at once.
    max_pause_s: float  #: Longest Retry-After pause, in seconds.

    def __init__(
        self,
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        max_interval_s: float = DEFAULT_MAX_INTERVAL_S,
        concurrency: int = DEFAULT_CONCURRENCY,
        max_pause_s: float = DEFAULT_RETRY_AFTER_MAX_S,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not 0 < interval_s <= max_interval_s:
            raise ValueError("need 0 < interval_s <= max_interval_s")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.base_interval_s = interval_s
        self.max_interval_s = max_interval_s
        self.concurrency = concurrency
        self.max_pause_s = max_pause_s
        self._clock = clock
        self._sleep = sleep
        self._interval_s = interval_s
        self._bucket = AsyncLimiter(1, interval_s)
        self._slots = asyncio.Semaphore(concurrency)
        self._paused_until = -math.inf
        self._last_request_at: float | None = None

    @property
    def interval_s(self) -> float:
        """Current seconds between two requests."""
        return self._interval_s

    @property
    def paused_until(self) -> float:
        """Clock time (monotonic seconds) before which no request leaves."""
        return self._paused_until

    @property
    def requests_per_hour(self) -> int:
        """Requests per hour the current interval allows (3600 / interval_s)."""
        return int(3600 // self._interval_s)

    def on_success(self) -> None:
        """Bring the interval back ×0.9, not below the base."""
        self._set_interval(max(self.base_interval_s, self._interval_s * SHRINK_ON_SUCCESS))

    def on_rate_limited(self, retry_after_s: float | None = None) -> None:
        """Stretch the interval ×1.5 (capped) and honour a Retry-After, in seconds.

        A negative ``retry_after_s`` counts as 0, one over ``max_pause_s``
        (infinity included) as ``max_pause_s``; NaN is ignored.
        """
        self._set_interval(min(self.max_interval_s, self._interval_s * STRETCH_ON_RATE_LIMIT))
        if (pause_s := bounded_wait_s(retry_after_s, self.max_pause_s)) is not None:
            self._pause_until(self._clock() + pause_s)

    async def __aenter__(self) -> None:
        await self._slots.acquire()
        try:
            await self._wait_turn()
        except BaseException:
            self._slots.release()
            raise
        self._last_request_at = self._clock()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._slots.release()

    async def _wait_turn(self) -> None:
        """Wait out any pause, then take the bucket's next slot."""
        while True:
            while (wait_s := self._paused_until - self._clock()) > 0:
                await self._sleep(wait_s)
            bucket = self._bucket
            await bucket.acquire()
            # The interval may have changed (new bucket, new pause) while we waited.
            if bucket is self._bucket and self._paused_until <= self._clock():
                return

    def _set_interval(self, interval_s: float) -> None:
        if interval_s == self._interval_s:
            return
        self._interval_s = interval_s
        self._bucket = AsyncLimiter(1, interval_s)
        if self._last_request_at is not None:
            self._pause_until(self._last_request_at + interval_s)

    def _pause_until(self, when: float) -> None:
        self._paused_until = max(self._paused_until, when)

    def __repr__(self) -> str:
        return (
            f"AdaptiveRateLimiter(interval_s={self._interval_s!r}, base_interval_s={self.base_interval_s!r}, "
            f"max_interval_s={self.max_interval_s!r}, concurrency={self.concurrency!r})"
        )
