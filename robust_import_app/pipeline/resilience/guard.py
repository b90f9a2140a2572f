"""One guard per upstream: its rate limiter and circuit breaker around every request."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from robust_import_app.domain.errors import ErrorCode, ImportFailure
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.pipeline.config import GuardConfig, default_guard_configs
from robust_import_app.pipeline.resilience.breaker import BreakerState, CircuitBreaker
from robust_import_app.pipeline.resilience.classify import classify, is_no_captions
from robust_import_app.pipeline.resilience.ratelimit import AdaptiveRateLimiter

SLOW_DOWN_CODES = frozenset({ErrorCode.RATE_LIMITED, ErrorCode.IP_BLOCKED})
"""Failures that stretch the limiter: HTTP 429 as yt-dlp and httpx report it
(RATE_LIMITED) and as youtube-transcript-api reports it (``IpBlocked``, which
that library raises for a 429 and for its "too many requests" reCAPTCHA page)."""


class UpstreamGuard:
    """Run requests to one upstream through its breaker and limiter.

    ::

        async with guards[Upstream.PLAYER].request(video_id=vid, stage="metadata"):
            info = await asyncio.to_thread(ydl.extract_info, url, download=False)

    On entry: raises ``TransientImportError(CIRCUIT_OPEN)`` when the breaker
    refuses, then waits for the limiter's spacing and a concurrency slot and
    asks the breaker again (unless this request is already the half-open
    probe), so that requests queued behind the limiter while the breaker
    opened are refused, and once it is half-open exactly one of them goes out
    as the probe. On exit: a clean exit records a success;
    an exception is classified (:func:`~robust_import_app.pipeline.resilience.classify.classify`,
    its Retry-After clamped to the limiter's ``max_pause_s``),
    recorded (a RATE_LIMITED or IP_BLOCKED one, see :data:`SLOW_DOWN_CODES`,
    also slows the limiter, honouring its ``retry_after_s``) and re-raised as
    the classified ``ImportFailure`` ``from`` the original. An ``ImportFailure`` raised inside is recorded and
    re-raised as is; a "no captions" error (:func:`is_no_captions`) is an
    answer, so it counts as a success and passes through unclassified.
    The half-open probe is held in the breaker (:meth:`CircuitBreaker.hold_probe`)
    until its outcome is recorded, however slow it is, so no second probe
    goes out meanwhile. Cancellation records nothing (a cancelled probe is
    released, so that another may go).
    """

    __slots__ = ("breaker", "limiter", "upstream")

    def __init__(self, upstream: Upstream, *, limiter: AdaptiveRateLimiter, breaker: CircuitBreaker) -> None:
        self.upstream = upstream
        self.limiter = limiter
        self.breaker = breaker

    @classmethod
    def from_config(
        cls,
        upstream: Upstream,
        config: GuardConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> UpstreamGuard:
        """Build the limiter and breaker ``config`` describes."""
        limiter = AdaptiveRateLimiter(
            interval_s=config.interval_s,
            max_interval_s=config.max_interval_s,
            concurrency=config.concurrency,
            max_pause_s=config.retry_after_max_s,
            clock=clock,
            sleep=sleep,
        )
        breaker = CircuitBreaker(
            failure_threshold=config.failure_threshold,
            cooldown_s=config.cooldown_s,
            cooldown_max_s=config.cooldown_max_s,
            clock=clock,
        )
        return cls(upstream, limiter=limiter, breaker=breaker)

    @asynccontextmanager
    async def request(self, *, video_id: str | None = None, stage: str | None = None) -> AsyncIterator[None]:
        """Guard one request; see the class docstring for what is raised."""
        probe = self.breaker.check(video_id=video_id, stage=stage)
        if probe:
            self.breaker.hold_probe()
        try:
            async with self.limiter:
                if not probe:
                    # The breaker may have opened (and even cooled down) while we
                    # waited: ask again, so that of the requests queued here only
                    # one goes out as the half-open probe and the rest are refused.
                    if probe := self.breaker.check(video_id=video_id, stage=stage):
                        self.breaker.hold_probe()
                try:
                    yield
                except Exception as exc:
                    if is_no_captions(exc):
                        self._record_success()
                        raise
                    failure = classify(exc, video_id=video_id, stage=stage, retry_after_max_s=self.limiter.max_pause_s)
                    self._record_failure(failure)
                    if failure is exc:
                        raise
                    raise failure from exc
                self._record_success()
        except BaseException as exc:
            if probe and not isinstance(exc, Exception):  # cancelled: nothing recorded, another probe may go
                self.breaker.release_probe()
            raise

    def _record_success(self) -> None:
        self.limiter.on_success()
        self.breaker.record_success()

    def _record_failure(self, failure: ImportFailure) -> None:
        if failure.code in SLOW_DOWN_CODES:
            self.limiter.on_rate_limited(failure.retry_after_s)
        self.breaker.record_failure(failure)

    def __repr__(self) -> str:
        return f"UpstreamGuard({self.upstream.value!r}, limiter={self.limiter!r}, breaker={self.breaker!r})"


class BreakerView(Protocol):
    """What the worker reads of a breaker to say why it pauses (no I/O)."""

    @property
    def state(self) -> BreakerState: ...

    @property
    def retry_in_s(self) -> float: ...

    opened_reason: ErrorCode | None


class Guard(Protocol):
    """A guard the pipeline can use: :class:`UpstreamGuard` here, or the Redis-shared
    :class:`~robust_import_app.pipeline.resilience.shared_guard.SharedUpstreamGuard`."""

    upstream: Upstream

    @property
    def breaker(self) -> BreakerView: ...

    def request(
        self, *, video_id: str | None = None, stage: str | None = None
    ) -> AbstractAsyncContextManager[None]: ...


class Guards(Mapping[Upstream, Guard]):
    """One :class:`UpstreamGuard` per :class:`Upstream`, read like a dict."""

    __slots__ = ("_guards",)

    def __init__(self, guards: Mapping[Upstream, Guard]) -> None:
        self._guards = dict(guards)

    @classmethod
    def from_configs(
        cls,
        configs: Mapping[Upstream, GuardConfig] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> Guards:
        """A guard for every upstream; ``configs`` overrides :func:`default_guard_configs`."""
        merged = {**default_guard_configs(), **(configs or {})}
        return cls({up: UpstreamGuard.from_config(up, cfg, clock=clock, sleep=sleep) for up, cfg in merged.items()})

    def __getitem__(self, upstream: Upstream) -> Guard:
        return self._guards[upstream]

    def __iter__(self) -> Iterator[Upstream]:
        return iter(self._guards)

    def __len__(self) -> int:
        return len(self._guards)

    def __repr__(self) -> str:
        return f"Guards({self._guards!r})"
