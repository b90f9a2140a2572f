"""A circuit breaker for one upstream: stop calling it while it keeps refusing."""

from __future__ import annotations

import enum
import time
from collections.abc import Callable

from robust_import_app.domain.errors import (
    ErrorCode,
    ImportFailure,
    TransientImportError,
)
from robust_import_app.pipeline.config import (
    DEFAULT_COOLDOWN_MAX_S,
    DEFAULT_COOLDOWN_S,
    DEFAULT_FAILURE_THRESHOLD,
)


class BreakerState(enum.StrEnum):
    """Where a :class:`CircuitBreaker` stands."""

    CLOSED = "closed"
    """Requests flow; consecutive counting failures are tallied."""
    OPEN = "open"
    """Nothing goes out until the cool-down ends."""
    HALF_OPEN = "half_open"
    """The cool-down ended: one probe request decides."""


class CircuitBreaker:
    """Open after repeated rate limits, bot checks or IP blocks; probe once after a cool-down.

    Rules (times in seconds on ``clock``, a monotonic clock):

    * CLOSED: ``failure_threshold`` consecutive counting failures (those with
      :attr:`TransientImportError.counts_for_breaker`: rate limit, bot check,
      IP block) open it. A success resets the count; other failures
      (permanent, server errors, timeouts, network) neither count nor reset.
    * OPEN: :meth:`allow_request` is False for ``cooldown_s``.
    * HALF_OPEN: :meth:`allow_request` is True exactly once (the probe). The
      probe's success closes the breaker and resets the cool-down to base;
      its counting failure reopens it with the cool-down doubled, capped at
      ``cooldown_max_s``. A non-counting outcome frees the probe slot, as does
      :meth:`release_probe` (the probe was cancelled). A probe that never
      reports is presumed lost after ``cooldown_s`` and another probe is
      allowed, unless its caller declared it in flight with
      :meth:`hold_probe` (a probe slower than the cool-down is not lost:
      :class:`~robust_import_app.pipeline.resilience.guard.UpstreamGuard`
      always reports or releases its probe). Outcomes reported while OPEN (requests sent before it
      opened) are ignored. A caller that waits between admission and sending
      (a rate limiter's queue) must ask again after the wait, as
      :class:`~robust_import_app.pipeline.resilience.guard.UpstreamGuard` does: the
      breaker may have opened, or opened and cooled down, meanwhile.

    Nothing here raises except :meth:`check` (and ``ValueError`` for bad
    settings at construction).
    """

    __slots__ = (
        "_clock",
        "_cooldown_s",
        "_failures",
        "_opened_at",
        "_probe_held",
        "_probe_started_at",
        "_state",
        "cooldown_max_s",
        "cooldown_s",
        "failure_threshold",
        "opened_reason",
    )

    failure_threshold: int  #: Consecutive counting failures that open the breaker.
    cooldown_s: float  #: Base cool-down, in seconds.
    cooldown_max_s: float  #: Cap on the doubled cool-down, in seconds.
    opened_reason: ErrorCode | None  #: Code of the failure that (re)opened it; None when closed.

    def __init__(
        self,
        *,
        failure_threshold: int = DEFAULT_FAILURE_THRESHOLD,
        cooldown_s: float = DEFAULT_COOLDOWN_S,
        cooldown_max_s: float = DEFAULT_COOLDOWN_MAX_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if not 0 < cooldown_s <= cooldown_max_s:
            raise ValueError("need 0 < cooldown_s <= cooldown_max_s")
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self.cooldown_max_s = cooldown_max_s
        self.opened_reason = None
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._cooldown_s = cooldown_s
        self._opened_at = 0.0
        self._probe_started_at: float | None = None
        self._probe_held = False

    @property
    def state(self) -> BreakerState:
        """The current state; an OPEN breaker whose cool-down ended reads HALF_OPEN."""
        if self._state is BreakerState.OPEN and self._clock() >= self._opened_at + self._cooldown_s:
            return BreakerState.HALF_OPEN
        return self._state

    @property
    def current_cooldown_s(self) -> float:
        """The cool-down, in seconds, that applies to the current or next open."""
        return self._cooldown_s

    @property
    def retry_in_s(self) -> float:
        """Seconds until a request may be allowed again; 0 when one may go now.

        While OPEN: until the cool-down ends. While HALF_OPEN with the probe
        out: until that probe is presumed lost (a held probe: at least one
        base cool-down from now).
        """
        now = self._clock()
        if self._state is BreakerState.OPEN:
            return max(0.0, self._opened_at + self._cooldown_s - now)
        if self._state is BreakerState.HALF_OPEN and self._probe_started_at is not None:
            if self._probe_held:
                return self.cooldown_s
            return max(0.0, self._probe_started_at + self.cooldown_s - now)
        return 0.0

    def allow_request(self) -> bool:
        """Whether a request may go out now (non-blocking); in HALF_OPEN, True once."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.OPEN:
            return False
        now = self._clock()
        probe_lost = (
            self._probe_started_at is not None
            and not self._probe_held
            and now >= self._probe_started_at + self.cooldown_s
        )
        if self._state is BreakerState.OPEN or self._probe_started_at is None or probe_lost:
            self._state = BreakerState.HALF_OPEN
            self._probe_started_at = now
            self._probe_held = False
            return True
        return False

    def hold_probe(self) -> None:
        """The probe just admitted is in flight and will report: never presume it lost.

        Held until :meth:`record_success`, :meth:`record_failure` or
        :meth:`release_probe`. Does nothing unless a probe is out.
        """
        if self._state is BreakerState.HALF_OPEN and self._probe_started_at is not None:
            self._probe_held = True

    def release_probe(self) -> None:
        """The probe ended without an outcome (it was cancelled): let another probe go."""
        if self._state is BreakerState.HALF_OPEN:
            self._probe_started_at = None
            self._probe_held = False

    def record_success(self) -> None:
        """A request succeeded: close (resetting the cool-down) and clear the count.

        Ignored while OPEN and no probe has gone out: it is a straggler sent
        before the breaker opened, not evidence that the upstream recovered.
        """
        if self._state is BreakerState.OPEN:
            return
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._cooldown_s = self.cooldown_s
        self._probe_started_at = None
        self._probe_held = False
        self.opened_reason = None

    def record_failure(self, error: ImportFailure) -> None:
        """A request failed with ``error``; only counting transient errors matter."""
        if not (isinstance(error, TransientImportError) and error.counts_for_breaker):
            self.release_probe()  # in HALF_OPEN the probe told us nothing: allow another
            return
        if self._state is BreakerState.HALF_OPEN:
            self._open(error.code, self._cooldown_s * 2)
        elif self._state is BreakerState.CLOSED:
            self._failures += 1
            if self._failures >= self.failure_threshold:
                self._open(error.code, self._cooldown_s)

    def check(self, *, video_id: str | None = None, stage: str | None = None) -> bool:
        """Admit one request now, or raise ``TransientImportError(CIRCUIT_OPEN)``.

        Returns True when the admitted request is the HALF_OPEN probe (whose
        outcome decides), False for an ordinary request while CLOSED. The
        error's ``retry_after_s`` is :attr:`retry_in_s`; its detail names the
        failure that opened the breaker.
        """
        half_open = self.state is BreakerState.HALF_OPEN
        if self.allow_request():
            return half_open
        reason = self.opened_reason.value if self.opened_reason else "unknown"
        raise TransientImportError(
            ErrorCode.CIRCUIT_OPEN,
            video_id=video_id,
            stage=stage,
            retry_after_s=self.retry_in_s,
            detail=f"opened by {reason}",
        )

    def _open(self, reason: ErrorCode, cooldown_s: float) -> None:
        self._state = BreakerState.OPEN
        self._opened_at = self._clock()
        self._cooldown_s = min(cooldown_s, self.cooldown_max_s)
        self._probe_started_at = None
        self._probe_held = False
        self._failures = 0
        self.opened_reason = reason

    def __repr__(self) -> str:
        return (
            f"CircuitBreaker(state={self.state.value!r}, failure_threshold={self.failure_threshold!r}, "
            f"cooldown_s={self.cooldown_s!r}, cooldown_max_s={self.cooldown_max_s!r})"
        )
