"""A fake monotonic clock, so that no test sleeps for a backoff or a cool-down."""

from __future__ import annotations

import asyncio


class FakeClock:
    """Seconds that move only when a test sets ``now`` or awaits :meth:`sleep`."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Record the wait, move the clock by it, and yield to the event loop once."""
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)
