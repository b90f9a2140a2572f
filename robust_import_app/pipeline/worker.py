"""The import worker: takes due videos from the database and runs their stages.

Started once per server process (a Reflex lifespan task) or by the command
line; the database is its queue (:mod:`robust_import_app.pipeline.queue.videos`), so
closing a tab never stops an import and a restart resumes every unfinished
video from its stored stage. For each video it runs, top to bottom::

    for stage in the stage table (metadata, captions, chapters):
        commit the stage and its progress, report it
        run the stage, store its result
    mark the video complete

A permanent failure marks the video failed with its reason. A transient one
puts it back with the next attempt time stored (backoff with jitter, bounded
per stage); when the attempts run out it fails with the last reason.

Beside the videos, one source job at a time: a page of a pasted playlist or
channel (:mod:`robust_import_app.pipeline.sources.expand`, leased like a video and
renewed by the same heartbeat), or else a due check of a followed source
(:mod:`robust_import_app.pipeline.sources.follow`). The videos a page or a check
creates are claimed at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import tenacity

from robust_import_app.domain.errors import ErrorCode, ImportFailure, PermanentImportError, TransientImportError
from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.domain.video import VideoMetadata
from robust_import_app.models import utcnow
from robust_import_app.pipeline.progress.pause import PauseNotice
from robust_import_app.pipeline.progress.sink import ProgressSink, VideoUpdate
from robust_import_app.pipeline.queue.lease import LeaseLost
from robust_import_app.pipeline.queue.sources import SourceJob
from robust_import_app.pipeline.queue.videos import VideoJob
from robust_import_app.pipeline.resilience.breaker import BreakerState
from robust_import_app.pipeline.resilience.classify import classify
from robust_import_app.pipeline.resilience.retry import RetryPolicy, consumes_attempt
from robust_import_app.pipeline.sources.expand import SourceExpander
from robust_import_app.pipeline.sources.follow import FollowChecker, FollowJob
from robust_import_app.pipeline.stages import table
from robust_import_app.pipeline.stages.context import StageContext
from robust_import_app.pipeline.stages.table import StageSpec
from robust_import_app.youtube.data_api import MAX_IDS_PER_CALL

logger = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL_S = 1.0
DB_RETRY_MAX_S = 30.0
"""Longest wait, in seconds, between retries of a failing database in the claim loop."""
HEARTBEAT_FRACTION = 0.2
"""The heartbeat renews the leases in flight every fifth of a lease."""
SELF_FENCE_FRACTION = 0.5
"""A video whose lease was not renewed for half a lease is stopped, at the
latest 0.7 of a lease after its last renewal: before the lease can expire
and another worker claim it."""


def is_transient(exc: BaseException) -> bool:
    """True for errors worth retrying: those :func:`classify` calls transient (a busy or dropped database)."""
    return isinstance(exc, Exception) and isinstance(classify(exc), TransientImportError)


def _log_db_retry(state: tenacity.RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    wait_s = state.next_action.sleep if state.next_action else 0.0
    logger.warning("Import queue unavailable (%s); retrying in %.1f s", error, wait_s)


@dataclass(slots=True)
class _Flight:
    """A video in flight: its job, its task and when its lease was last renewed (``clock`` seconds)."""

    job: VideoJob
    task: asyncio.Task[None]
    renewed_at: float
    finishing: bool = False
    """Set once the video's final write (complete, fail, reschedule) is under way."""


@dataclass(slots=True)
class _SourceWork:
    """The source job in flight: a page of ``job`` (leased, renewed by the heartbeat) or a follow check."""

    task: asyncio.Task[None]
    job: SourceJob | None = None
    renewed_at: float = 0.0


class ImportWorker:
    """Runs up to ``videos_in_flight`` videos at once through their stages.

    The per-upstream limits (rate, concurrency, circuit breaker) live in the
    context's guards; ``videos_in_flight`` only bounds how many videos are
    claimed at a time.

    While a video is in flight a heartbeat renews its lease every fifth of
    ``queue.lease_s``. A video whose lease was lost (taken over by another
    worker after a stall, or its row deleted) is cancelled at once; so is one
    whose lease could not be renewed for :data:`SELF_FENCE_FRACTION` of the
    lease (the database is unreachable), before any other worker may claim
    it. Transient database errors in the claim loop are retried with
    jittered backoff; they never end :meth:`run`.

    ``expander`` lists the pages of pasted playlists and channels,
    ``follower`` checks followed sources; without them this worker does
    neither (a worker of the command line checks no follows).
    """

    def __init__(
        self,
        ctx: StageContext,
        *,
        sink: ProgressSink,
        retry_policy: RetryPolicy,
        videos_in_flight: int,
        poll_interval_s: float = DEFAULT_POLL_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
        expander: SourceExpander | None = None,
        follower: FollowChecker | None = None,
    ) -> None:
        if expander is not None and expander.queue.worker_id != ctx.queue.worker_id:
            raise ValueError("the expander's source queue must lease under the worker's id")
        self.ctx = ctx
        self.queue = ctx.queue
        self.expander = expander
        self.follower = follower
        self._source_work: _SourceWork | None = None
        self.sink = sink
        self.retry_policy = retry_policy
        self.videos_in_flight = videos_in_flight
        self.poll_interval_s = poll_interval_s
        self._clock = clock
        self._wake = asyncio.Event()
        self._flights: dict[int, _Flight] = {}
        self._claiming: asyncio.Future[list[VideoJob]] | None = None
        self._claims_paused_until = 0.0

    def wake(self) -> None:
        """Look for due videos now (a paste just created some)."""
        self._wake.set()

    @property
    def in_flight(self) -> int:
        """How many videos this worker works on now."""
        return len(self._flights)

    @property
    def source_job_running(self) -> bool:
        """True while a page of a source is being listed, or a followed source checked."""
        return self._source_work is not None

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
        so the next start resumes it without waiting for its lease to expire;
        a claim that was running in its thread is waited for and released too.
        """
        heartbeat = asyncio.create_task(self._heartbeat(), name="import lease heartbeat")
        try:
            released = await self._db_retrying(self.queue.release_orphans)
            if released:
                logger.info("Resuming %d videos left unfinished by a stopped worker", released)
            if self.expander is not None:
                released = await self._db_retrying(self.expander.queue.release_orphans)
                if released:
                    logger.info("Resuming %d sources left unfinished by a stopped worker", released)
            while True:
                if self.ctx.data_api is not None:
                    await self._db_retrying(self._prefetch_metadata)
                claimed = await self._db_retrying(self._claim)
                started = await self._db_retrying(self._start_source_work)
                if not claimed:
                    await self._db_retrying(self._announce_finished)
                busy = claimed or started or self._flights or self._source_work is not None
                if until_idle and not busy and await self._db_retrying(self._idle):
                    return
                await self._wait(await self._db_retrying(self._idle_timeout_s))
        finally:
            heartbeat.cancel()
            await self._stop()

    async def _stop(self) -> None:
        """Cancel every video and source job in flight and give back every lease, the interrupted claim's too."""
        tasks = [flight.task for flight in self._flights.values()]
        if self._source_work is not None:
            tasks.append(self._source_work.task)
        for task in tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(asyncio.gather(*tasks, return_exceptions=True))
        claiming = self._claiming
        with contextlib.suppress(Exception, asyncio.CancelledError):
            if claiming is not None:
                await asyncio.shield(claiming)
        try:
            await asyncio.shield(asyncio.to_thread(self.queue.release_held))
            if self.expander is not None:
                await asyncio.shield(asyncio.to_thread(self.expander.queue.release_held))
        except Exception:
            logger.warning("Could not release this worker's leases; they expire in %g s", self.queue.lease_s)

    async def _db_retrying(self, call: Callable[[], Any]) -> Any:
        """Run ``call`` (sync: in a thread), retrying transient database errors forever with backoff."""
        retrying = tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception(is_transient),
            wait=tenacity.wait_random_exponential(multiplier=self.poll_interval_s, max=DB_RETRY_MAX_S),
            stop=tenacity.stop_never,
            before_sleep=_log_db_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                if asyncio.iscoroutinefunction(call):
                    return await call()
                return await asyncio.to_thread(call)
        raise AssertionError("unreachable: tenacity stops only by raising")

    async def _claim(self) -> int:
        free = self.videos_in_flight - len(self._flights)
        if free <= 0 or self._clock() < self._claims_paused_until:
            return 0
        started = self._clock()
        self._claiming = asyncio.ensure_future(
            asyncio.to_thread(self.queue.claim_due, free, exclude=frozenset(self._flights))
        )
        try:
            jobs = await asyncio.shield(self._claiming)
        finally:
            if self._claiming.done():
                self._claiming = None
        for job in jobs:
            task = asyncio.create_task(self.process(job), name=f"import {job.youtube_id}")
            self._flights[job.video_id] = _Flight(job=job, task=task, renewed_at=started)
            task.add_done_callback(functools.partial(self._landed, job.video_id))
        return len(jobs)

    def _landed(self, video_id: int, _task: asyncio.Task[None]) -> None:
        """The video's task ended (done, failed or cancelled): it is no longer in flight."""
        self._flights.pop(video_id, None)

    async def _prefetch_metadata(self) -> int:
        """With the Data API: the metadata stage of up to 50 queued videos in one ``videos.list`` call.

        Claims videos that have not started (stage ``created``), commits the
        stage table's first stage (metadata), asks the Data API for all of
        them at once (1 quota unit), stores what it returns through that
        stage's save and moves those videos on to the stage after it; then
        gives every lease back, so the rest of each
        video's pipeline runs as usual. A video the API did not return stays
        at the metadata stage, where yt-dlp answers (and says why). Returns
        how many videos got their metadata here.
        """
        batcher = self.ctx.data_api
        if batcher is None or batcher.quota_exhausted or self._clock() < self._claims_paused_until:
            return 0
        jobs = await asyncio.to_thread(
            self.queue.claim_due, MAX_IDS_PER_CALL, exclude=frozenset(self._flights), stages=(ImportStage.CREATED,)
        )
        if not jobs:
            return 0
        done = 0
        first = table.STAGES[0]
        try:
            await asyncio.to_thread(self.queue.enter_stage_many, jobs, first.stage)
            answers = await asyncio.gather(*(batcher.metadata(job.youtube_id) for job in jobs), return_exceptions=True)
            for job, answer in zip(jobs, answers, strict=True):
                if isinstance(answer, VideoMetadata):
                    await asyncio.to_thread(first.save, self.queue, job, answer)
                    await asyncio.to_thread(self.queue.enter_stage, job, table.next_stage(first.stage))
                    done += 1
                self._report(job, waiting=True)
        except LeaseLost:
            pass
        finally:
            await asyncio.shield(asyncio.to_thread(self.queue.release_jobs, jobs))
        return done

    async def _idle(self) -> bool:
        if self.expander is not None and await asyncio.to_thread(self.expander.queue.has_work):
            return False
        return await asyncio.to_thread(self.queue.next_due_at) is None and not await asyncio.to_thread(
            self.queue.has_unfinished
        )

    async def _start_source_work(self) -> bool:
        """Start the next source job when none is in flight: a due page, else a due follow check.

        Returns True when one was started.
        """
        if self._source_work is not None:
            return False
        started = self._clock()
        if self.expander is not None:
            job = await asyncio.to_thread(self.expander.queue.claim_due)
            if job is not None:
                task = asyncio.create_task(self._expand(job), name=f"expand source {job.source_id}")
                self._hold_source_work(_SourceWork(task=task, job=job, renewed_at=started))
                return True
        if self.follower is not None:
            check = await asyncio.to_thread(self.follower.claim_due)
            if check is not None:
                task = asyncio.create_task(self._check(check), name=f"check source {check.source_id}")
                self._hold_source_work(_SourceWork(task=task))
                return True
        return False

    def _hold_source_work(self, work: _SourceWork) -> None:
        self._source_work = work

        def done(_task: asyncio.Task[None]) -> None:
            if self._source_work is work:
                self._source_work = None
            self._wake.set()  # its videos are due now, and the next page may be

        work.task.add_done_callback(done)

    async def _expand(self, job: SourceJob) -> None:
        """List and store one page of ``job``; announce its batch when that was the source's last word."""
        assert self.expander is not None
        try:
            await self.expander.run_page(job)
        except Exception:
            logger.exception(
                "Could not store a page of source %d; it is listed again when its lease expires", job.source_id
            )
            return
        if job.state.is_finished and job.batch_id is not None:
            summary = await self._db_retrying(functools.partial(self.queue.close_batch_if_done, job.batch_id))
            if summary is not None:
                self.sink.batch_finished(summary)

    async def _check(self, check: FollowJob) -> None:
        """Run one follow check; its batch is announced when its videos are done, as any batch."""
        assert self.follower is not None
        try:
            await self.follower.check(check)
        except Exception:
            logger.exception("Follow check of source %d failed; it runs again at its next interval", check.source_id)

    async def _idle_timeout_s(self) -> float:
        if len(self._flights) < self.videos_in_flight and self._clock() >= self._claims_paused_until:
            next_due = await asyncio.to_thread(self.queue.next_due_at)
            if next_due is not None:
                return min(self.poll_interval_s, max(0.0, (next_due - utcnow()).total_seconds()))
        return self.poll_interval_s

    async def _wait(self, timeout_s: float) -> None:
        waiter = asyncio.create_task(self._wake.wait())
        tasks = {flight.task for flight in self._flights.values()}
        try:
            await asyncio.wait({waiter, *tasks}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        self._wake.clear()

    async def _heartbeat(self) -> None:
        """Renew the leases in flight every fifth of a lease; stop the videos that lost theirs.

        A renewal that hangs (a locked or unreachable database) does not hold
        up the check for stale leases, which runs at every tick.
        """
        interval_s = self.queue.lease_s * HEARTBEAT_FRACTION
        renewing: asyncio.Task[None] | None = None
        try:
            while True:
                await asyncio.sleep(interval_s)
                if renewing is None or renewing.done():
                    renewing = asyncio.create_task(self.renew_leases(), name="renew import leases")
                self._stop_stale()
        finally:
            if renewing is not None:
                renewing.cancel()

    async def renew_leases(self) -> None:
        """Renew every lease in flight; cancel the videos (and the source page) whose lease another worker holds now."""
        await self._renew_source_lease()
        flights = [flight for flight in self._flights.values() if not flight.finishing]
        if not flights:
            return
        started = self._clock()
        try:
            lost = await asyncio.to_thread(self.queue.renew, [flight.job for flight in flights])
        except Exception as exc:
            if not is_transient(exc):
                raise
            logger.warning("Could not renew import leases: %s", exc)
            return
        lost_ids = {job.video_id for job in lost}
        for flight in flights:
            if flight.job.video_id in lost_ids:
                logger.warning("Lost the lease on %s; another worker has it", flight.job.youtube_id)
                flight.task.cancel()
            else:
                flight.renewed_at = started

    async def _renew_source_lease(self) -> None:
        work = self._source_work
        if work is None or work.job is None or self.expander is None:
            return
        started = self._clock()
        try:
            held = await asyncio.to_thread(self.expander.queue.renew, work.job)
        except Exception as exc:
            if not is_transient(exc):
                raise
            logger.warning("Could not renew the lease of source %d: %s", work.job.source_id, exc)
            return
        if held:
            work.renewed_at = started
        else:
            logger.warning("Lost the lease on source %d; it was cancelled or another worker has it", work.job.source_id)
            work.task.cancel()

    def _stop_stale(self) -> None:
        """Cancel the videos (and the source page) whose lease was not renewed for :data:`SELF_FENCE_FRACTION` of a lease."""
        deadline = self._clock() - self.queue.lease_s * SELF_FENCE_FRACTION
        for flight in list(self._flights.values()):
            if flight.renewed_at < deadline and not flight.finishing and not flight.task.done():
                logger.warning("Stopping %s: its lease could not be renewed in time", flight.job.youtube_id)
                flight.task.cancel()
        work = self._source_work
        if work is not None and work.job is not None and work.renewed_at < deadline and not work.task.done():
            logger.warning("Stopping source %d: its lease could not be renewed in time", work.job.source_id)
            work.task.cancel()

    async def process(self, job: VideoJob) -> None:
        """Run one claimed video from its stored stage to the end (or a wait).

        Writes nothing once the lease is lost (:class:`LeaseLost`); a failure
        to store the outcome leaves the video to its lease, which expires and
        lets it be claimed again.
        """
        stage: str = job.stage
        try:
            try:
                stage = table.next_stage(stage) if stage is ImportStage.CREATED else stage
                while stage is not ImportStage.COMPLETE:
                    spec = table.spec_for(stage)
                    await asyncio.to_thread(self.queue.enter_stage, job, spec.stage)
                    self._report(job)
                    await self._run_stage(job, spec)
                    stage = table.next_stage(spec.stage)
                self._finishing(job)
                await asyncio.to_thread(self.queue.complete, job)
            except (ImportFailure, LeaseLost, asyncio.CancelledError):
                raise
            except Exception as exc:
                failure = classify(exc, video_id=job.youtube_id, stage=stage)
                if not isinstance(failure, TransientImportError):
                    logger.exception("Unexpected error importing %s", job.youtube_id)
                raise failure from exc
        except ImportFailure as failure:
            self._finishing(job)
            try:
                await self._handle_failure(job, failure)
            except LeaseLost:
                return
            except Exception:
                logger.exception(
                    "Could not store the outcome of %s; it is retried when its lease expires", job.youtube_id
                )
                return
        except LeaseLost:
            logger.info("Stopped %s: its lease was taken over, or it was cancelled or deleted", job.youtube_id)
            return
        except asyncio.CancelledError:
            with contextlib.suppress(LeaseLost, Exception):
                await asyncio.shield(asyncio.to_thread(self.queue.release, job))
            raise
        self._report(job, waiting=not job.stage.is_terminal)
        if job.stage.is_terminal and job.batch_id is not None:
            summary = await self._db_retrying(functools.partial(self.queue.close_batch_if_done, job.batch_id))
            if summary is not None:
                self.sink.batch_finished(summary)

    async def _announce_finished(self) -> None:
        """Announce batches finished without a summary (the worker that finished them died)."""
        for summary in await asyncio.to_thread(self.queue.close_finished_batches):
            self.sink.batch_finished(summary)

    def _finishing(self, job: VideoJob) -> None:
        """The video's last write (which gives its lease back) is under way: the heartbeat leaves it be."""
        flight = self._flights.get(job.video_id)
        if flight is not None:
            flight.finishing = True

    async def _run_stage(self, job: VideoJob, spec: StageSpec[Any]) -> None:
        result = await spec.run(job, self.ctx)
        await asyncio.to_thread(spec.save, self.queue, job, result)

    async def _handle_failure(self, job: VideoJob, failure: ImportFailure) -> None:
        consumes = consumes_attempt(failure)
        attempt = job.attempt_count + 1
        delay_s = (
            None if isinstance(failure, PermanentImportError) else self.retry_policy.next_delay_s(attempt, failure)
        )
        if delay_s is None:
            logger.info("Import of %s failed at %s: %s", job.youtube_id, job.stage, failure)
            await asyncio.to_thread(self.queue.fail, job, failure)
            return
        if failure.code is ErrorCode.CIRCUIT_OPEN:
            self._claims_paused_until = max(self._claims_paused_until, self._clock() + delay_s)
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
