"""The naive import design of the original plan, for the benchmark to compare against.

Written as the plan described it, in its own simple loop and nothing from
the pipeline but the classifier (used only to *label* a final failure)::

    semaphore of 3 videos at a time
    for each call of a video (metadata, caption list, first caption track):
        sleep 2 s                          fixed spacing, before every call
        wait while the breaker is open
        call; on any error retry up to 3 times after 1, 2, 4 s
    breaker: 3 consecutive failed calls (any error) -> no call for 30 s

The queue is a Python list in memory: a video whose retries run out is
failed; one neither complete nor failed when the loop ends is lost. A video
without captions (``TranscriptsDisabled``) completes without a transcript,
as it does in the pipeline; chapters are parsed from the description, with
no call.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from robust_import_app.domain.errors import ErrorCode
from robust_import_app.pipeline.resilience.classify import classify, is_no_captions
from robust_import_app.youtube import parse_chapters
from robust_import_app.youtube.sim import SimBackend

T = TypeVar("T")

CONCURRENCY = 3
"""Videos imported at once (the plan's semaphore)."""
DELAY_S = 2.0
"""Fixed sleep before every call, in seconds."""
RETRY_DELAYS_S = (1.0, 2.0, 4.0)
"""Waits before the 1st, 2nd and 3rd retry of a failed call, in seconds."""
BREAKER_THRESHOLD = 3
"""Consecutive failed calls (any error) that open the breaker."""
BREAKER_PAUSE_S = 30.0
"""How long an open breaker stops every call, in seconds."""


class Outcome(enum.StrEnum):
    """Where a video ended."""

    COMPLETE = "complete"
    FAILED = "failed"


@dataclass(slots=True)
class NaiveVideo:
    """One video of the in-memory queue."""

    video_id: str
    outcome: Outcome | None = None
    error_code: ErrorCode | None = None
    finished_at: float | None = None
    chapters: int = 0
    caption_cues: int = 0


@dataclass(slots=True)
class SimpleBreaker:
    """Counts consecutive failed calls; after ``threshold`` of them every call waits ``pause_s``."""

    threshold: int = BREAKER_THRESHOLD
    pause_s: float = BREAKER_PAUSE_S
    failures: int = 0
    paused_until: float = 0.0
    opened: int = 0

    async def wait_closed(self) -> None:
        """Sleep while the breaker is open."""
        while (wait_s := self.paused_until - time.monotonic()) > 0:
            await asyncio.sleep(wait_s)

    def record(self, *, ok: bool) -> None:
        """Count one call's outcome; open for ``pause_s`` on the ``threshold``-th failure in a row."""
        if ok:
            self.failures = 0
            return
        self.failures += 1
        if self.failures >= self.threshold:
            self.failures = 0
            self.paused_until = time.monotonic() + self.pause_s
            self.opened += 1


@dataclass(slots=True)
class NaiveImporter:
    """The plan's importer over ``backend``: see the module docstring."""

    backend: SimBackend
    on_finished: Callable[[NaiveVideo], None] = lambda video: None
    breaker: SimpleBreaker = field(default_factory=SimpleBreaker)
    calls: int = 0
    retries: int = 0
    queue: list[NaiveVideo] = field(default_factory=list)
    """The in-memory queue of the current run (readable while it runs)."""

    async def run(self, video_ids: list[str]) -> list[NaiveVideo]:
        """Import every video; returns the queue with each video's outcome."""
        self.queue = queue = [NaiveVideo(video_id) for video_id in video_ids]
        slots = asyncio.Semaphore(CONCURRENCY)

        async def one(video: NaiveVideo) -> None:
            async with slots:
                await self._import(video)
            self.on_finished(video)

        await asyncio.gather(*(one(video) for video in queue))
        return queue

    async def _import(self, video: NaiveVideo) -> None:
        vid = video.video_id
        try:
            metadata = await self._call(lambda: self.backend.fetch_metadata(vid))
            try:
                tracks = await self._call(lambda: self.backend.list_caption_tracks(vid))
            except Exception as exc:
                if not is_no_captions(exc):
                    raise
                tracks = []
            if tracks:
                cues = await self._call(lambda: self.backend.fetch_captions(vid, tracks[0]))
                video.caption_cues = len(cues)
            video.chapters = len(parse_chapters(metadata.description, metadata.duration_s))
        except Exception as exc:  # noqa: BLE001 - the plan fails a video on any error left after retries
            video.outcome = Outcome.FAILED
            video.error_code = classify(exc, video_id=vid).code
        else:
            video.outcome = Outcome.COMPLETE
        video.finished_at = time.monotonic()

    async def _call(self, call: Callable[[], Awaitable[T]]) -> T:
        """Sleep, wait out the breaker, call; retry any error after 1, 2, 4 s.

        "No captions" is an answer, not an error: it is raised at once and
        does not count for the breaker.
        """
        for attempt in range(len(RETRY_DELAYS_S) + 1):
            await asyncio.sleep(DELAY_S)
            await self.breaker.wait_closed()
            self.calls += 1
            try:
                result = await call()
            except Exception as exc:
                if is_no_captions(exc):
                    self.breaker.record(ok=True)
                    raise
                self.breaker.record(ok=False)
                if attempt == len(RETRY_DELAYS_S):
                    raise
                self.retries += 1
                await asyncio.sleep(RETRY_DELAYS_S[attempt])
            else:
                self.breaker.record(ok=True)
                return result
        raise AssertionError("unreachable")
