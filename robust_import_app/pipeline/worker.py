"""The import worker: takes due videos from the database and runs their stages.

Started once per server process (a Reflex lifespan task) or by the command
line; the database is its queue (:mod:`robust_import_app.pipeline.queue`), so
closing a tab never stops an import and a restart resumes every unfinished
video from its stored stage. For each video it runs, top to bottom::

    for stage in metadata, captions, chapters:
        commit the stage and its progress, report it
        run the stage, store its result
    mark the video complete

A permanent failure marks the video failed with its reason. A transient one
puts it back with the next attempt time stored (backoff with jitter, bounded
per stage); when the attempts run out it fails with the last reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

from robust_import_app.pipeline.breaker import BreakerState
from robust_import_app.pipeline.classify import classify
from robust_import_app.pipeline.context import StageContext
from robust_import_app.pipeline.errors import ErrorCode, ImportFailure, PermanentImportError
from robust_import_app.pipeline.progress import ProgressSink, VideoUpdate
from robust_import_app.pipeline.queue import VideoJob
from robust_import_app.pipeline.retry import RetryPolicy, consumes_attempt
from robust_import_app.pipeline.stage import ImportStage, next_stage
from robust_import_app.pipeline.stages import captions, chapters, metadata
from robust_import_app.models import utcnow
from robust_import_app.youtube.data import Upstream

logger = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL_S = 1.0
BOT_CHECK_HINT = (
    "YouTube wants proof this is not a bot: set YOUTUBE_COOKIES_FILE to a cookies.txt "
    "exported from a signed-in browser, or YOUTUBE_PROXY_URL to a residential proxy."
)


@dataclass(frozen=True, slots=True)
class PauseNotice:
    """Why the import is paused and for how long, for the banner and the cards."""

    upstream: Upstream
    resume_in_s: float
    reason: ErrorCode | None

    @property
    def message(self) -> str:
        """E.g. "Paused — YouTube is rate-limiting, resuming in 25 s"."""
        what = "Whisper API" if self.upstream is Upstream.WHISPER else "YouTube"
        cause = (
            "asked to confirm this is not a bot"
            if self.reason in (ErrorCode.BOT_CHECK, ErrorCode.IP_BLOCKED)
            else "is rate-limiting"
        )
        return f"Paused — {what} {cause}, resuming in {max(1, round(self.resume_in_s))} s"

    @property
    def hint(self) -> str:
        """What the user can do about it ("" when waiting is all there is to do)."""
        return BOT_CHECK_HINT if self.reason in (ErrorCode.BOT_CHECK, ErrorCode.IP_BLOCKED) else ""


class ImportWorker:
    """Runs up to ``videos_in_flight`` videos at once through their stages.

    The per-upstream limits (rate, concurrency, circuit breaker) live in the
    context's guards; ``videos_in_flight`` only bounds how many videos are
    claimed at a time.
    """

    def __init__(
        self,
        ctx: StageContext,
        *,
        sink: ProgressSink,
        retry_policy: RetryPolicy,
        videos_in_flight: int,
        poll_interval_s: float = DEFAULT_POLL_INTERVAL_S,
    ) -> None:
        self.ctx = ctx
        self.queue = ctx.queue
        self.sink = sink
        self.retry_policy = retry_policy
        self.videos_in_flight = videos_in_flight
        self.poll_interval_s = poll_interval_s
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._claims_paused_until = 0.0

    def wake(self) -> None:
        """Look for due videos now (a paste just created some)."""
        self._wake.set()

    def pause_notice(self) -> PauseNotice | None:
        """The notice to show while an open circuit breaker holds videos back.

        The transcript endpoint's breaker holds nothing back: while it is open
        the caption chain goes straight to its next step.
        """
        for upstream, guard in self.ctx.guards.items():
            breaker = guard.breaker
            if upstream is not Upstream.TRANSCRIPT and breaker.state is BreakerState.OPEN:
                return PauseNotice(upstream=upstream, resume_in_s=breaker.retry_in_s, reason=breaker.opened_reason)
        return None

    async def run(self, *, until_idle: bool = False) -> None:
        """Work until cancelled, or with ``until_idle`` until nothing is left to do.

        On cancellation (server stop) every claimed video is released at once,
        so the next start resumes it without waiting for its lease to expire.
        """
        released = await asyncio.to_thread(self.queue.release_orphans)
        if released:
            logger.info("Resuming %d videos left unfinished by a stopped worker", released)
        try:
            while True:
                claimed = await self._claim()
                if until_idle and not claimed and not self._tasks and await self._nothing_scheduled():
                    return
                await self._wait(await self._idle_timeout_s())
        finally:
            for task in self._tasks:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _claim(self) -> int:
        free = self.videos_in_flight - len(self._tasks)
        if free <= 0 or time.monotonic() < self._claims_paused_until:
            return 0
        jobs = await asyncio.to_thread(self.queue.claim_due, free)
        for job in jobs:
            task = asyncio.create_task(self.process(job), name=f"import {job.youtube_id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(jobs)

    async def _nothing_scheduled(self) -> bool:
        return await asyncio.to_thread(self.queue.next_due_at) is None

    async def _idle_timeout_s(self) -> float:
        if len(self._tasks) < self.videos_in_flight and time.monotonic() >= self._claims_paused_until:
            next_due = await asyncio.to_thread(self.queue.next_due_at)
            if next_due is not None:
                return min(self.poll_interval_s, max(0.0, (next_due - utcnow()).total_seconds()))
        return self.poll_interval_s

    async def _wait(self, timeout_s: float) -> None:
        waiter = asyncio.create_task(self._wake.wait())
        try:
            await asyncio.wait({waiter, *self._tasks}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        self._wake.clear()

    async def process(self, job: VideoJob) -> None:
        """Run one claimed video from its stored stage to the end (or a wait)."""
        stage = next_stage(job.stage) if job.stage is ImportStage.CREATED else job.stage
        try:
            while stage is not ImportStage.COMPLETE:
                await asyncio.to_thread(self.queue.enter_stage, job, stage)
                self._report(job)
                await self._run_stage(job, stage)
                stage = next_stage(stage)
            await asyncio.to_thread(self.queue.complete, job)
        except ImportFailure as failure:
            await self._handle_failure(job, failure)
        except asyncio.CancelledError:
            await asyncio.shield(asyncio.to_thread(self.queue.release, job))
            raise
        except Exception as exc:
            logger.exception("Unexpected error importing %s", job.youtube_id)
            await self._handle_failure(job, classify(exc, video_id=job.youtube_id, stage=stage))
        self._report(job, waiting=not job.stage.is_terminal)
        if job.stage.is_terminal and job.batch_id is not None:
            summary = await asyncio.to_thread(self.queue.close_batch_if_done, job.batch_id)
            if summary is not None:
                self.sink.batch_finished(summary)

    async def _run_stage(self, job: VideoJob, stage: ImportStage) -> None:
        if stage is ImportStage.METADATA:
            result = await metadata.run(job, self.ctx)
            await asyncio.to_thread(self.queue.save_metadata, job, result)
        elif stage is ImportStage.CAPTIONS:
            outcome = await captions.run(job, self.ctx)
            await asyncio.to_thread(self.queue.save_captions, job, outcome)
        elif stage is ImportStage.CHAPTERS:
            has_youtube_chapters = await asyncio.to_thread(self.queue.has_chapters, job)
            found = chapters.run(job, has_youtube_chapters=has_youtube_chapters)
            if found is not None:
                await asyncio.to_thread(self.queue.save_chapters, job, found)

    async def _handle_failure(self, job: VideoJob, failure: ImportFailure) -> None:
        consumes = consumes_attempt(failure)
        attempt = job.attempt_count + 1
        delay_s = None if isinstance(failure, PermanentImportError) else self.retry_policy.next_delay_s(attempt, failure)
        if delay_s is None:
            logger.info("Import of %s failed at %s: %s", job.youtube_id, job.stage, failure)
            await asyncio.to_thread(self.queue.fail, job, failure)
            return
        if failure.code is ErrorCode.CIRCUIT_OPEN:
            self._claims_paused_until = max(self._claims_paused_until, time.monotonic() + delay_s)
        await asyncio.to_thread(self.queue.reschedule, job, failure, delay_s=delay_s, consume_attempt=consumes)

    def _report(self, job: VideoJob, *, waiting: bool = False) -> None:
        self.sink.video_changed(
            VideoUpdate(
                list_id=job.list_id,
                batch_id=job.batch_id,
                youtube_id=job.youtube_id,
                stage=job.stage,
                waiting=waiting,
            )
        )

