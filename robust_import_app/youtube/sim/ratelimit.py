"""The simulated upstream's own rate limit, and the counts a benchmark reads."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from robust_import_app.domain.upstreams import Upstream


class TokenBucket:
    """Token bucket: ``rate_per_s`` tokens a second, bursts up to ``max(1, rate_per_s)``.

    The bucket starts full. :meth:`try_acquire` takes a token or tells how long
    until one is free; it never waits. Raises ValueError for a rate <= 0.
    ``clock`` returns monotonic seconds (injected in tests).
    """

    __slots__ = ("_capacity", "_clock", "_last_s", "_tokens", "rate_per_s")

    def __init__(self, rate_per_s: float, *, clock: Callable[[], float]) -> None:
        if not rate_per_s > 0:
            raise ValueError(f"rate_per_s must be > 0, got {rate_per_s}")
        self.rate_per_s = rate_per_s
        self._capacity = max(1.0, rate_per_s)
        self._clock = clock
        self._tokens = self._capacity
        self._last_s = clock()

    def try_acquire(self) -> float | None:
        """Take one token and return None, or return the seconds until one is free."""
        now_s = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now_s - self._last_s) * self.rate_per_s)
        self._last_s = now_s
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return None
        return (1.0 - self._tokens) / self.rate_per_s


def retry_after_header_s(wait_s: float) -> int:
    """An HTTP ``Retry-After`` value: whole seconds, rounded up, at least 1."""
    return max(1, math.ceil(wait_s))


@dataclass(slots=True)
class UpstreamStats:
    """Calls one simulated upstream received.

    ``accepted``: calls its rate limit let through; ``rejected``: calls answered
    HTTP 429 by the rate limit; ``faulted``: accepted calls that met an injected
    transient fault.
    """

    accepted: int = 0
    rejected: int = 0
    faulted: int = 0


@dataclass(slots=True)
class SimStats:
    """Call counts per upstream: ``player`` (yt-dlp calls) and ``transcript``."""

    player: UpstreamStats = field(default_factory=UpstreamStats)
    transcript: UpstreamStats = field(default_factory=UpstreamStats)

    def of(self, upstream: Upstream) -> UpstreamStats:
        """The counts of ``upstream`` (PLAYER or TRANSCRIPT)."""
        return self.player if upstream is Upstream.PLAYER else self.transcript
