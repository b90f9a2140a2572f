"""The video queue: the worker's claims of videos and its writes of their stages.

Leases, fencing and release are the package's (:mod:`robust_import_app.pipeline.queue`,
:mod:`robust_import_app.pipeline.queue.lease`). A video is *due* when its
stage is not terminal, its ``next_attempt_at`` (the backoff schedule) has
passed and no live worker holds its lease; claiming it also clears
``next_attempt_at``, and the worker renews the lease on a heartbeat
(:meth:`ImportQueue.renew`) while the video is in flight.

Fair scheduling: each free slot goes to the open batch with the fewest videos
in flight (across all workers), ties to the older batch; within a batch,
videos go in paste order. A 3-video paste thus starts at the next claim even
while a 500-video batch fills every slot.

Changes of a video's import state made outside the worker (a new row, a
retry, a cancel) are :mod:`robust_import_app.pipeline.queue.transitions`'.

Every function here is synchronous and short: the worker calls them through
``asyncio.to_thread``. Times are timezone-aware UTC; durations in seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, delete, func, select, update
from sqlmodel.sql.expression import SelectOfScalar

from robust_import_app.db import Database
from robust_import_app.domain.errors import ErrorCode, ImportFailure
from robust_import_app.domain.sources import HOLDS_BATCH
from robust_import_app.domain.stages import ImportStage, Stage
from robust_import_app.domain.video import (
    CaptionSegment,
    CaptionSource,
    Chapter,
    VideoMetadata,
)
from robust_import_app.models import (
    UNFINISHED_SQL,
    ChapterRow,
    ImportBatch,
    ImportSource,
    TranscriptSegmentRow,
    Video,
    utcnow,
)
from robust_import_app.pipeline.config import DEFAULT_LEASE_S
from robust_import_app.pipeline.queue.lease import RELEASED, LeasedQueue, lease_clock
from robust_import_app.search.windows import replace_windows

TERMINAL = (ImportStage.COMPLETE, ImportStage.ERROR)


@dataclass(slots=True)
class VideoJob:
    """One claimed video, as the stages see it."""

    video_id: int
    youtube_id: str
    list_id: int
    batch_id: int | None
    stage: Stage
    attempt_count: int
    lease_token: str = ""
    duration_s: int | None = None
    description: str = ""
    language: str | None = None
    metadata: VideoMetadata | None = None


@dataclass(frozen=True, slots=True)
class CaptionsOutcome:
    """What the captions stage stores: the transcript and where it came from."""

    source: CaptionSource
    language: str | None
    segments: tuple[CaptionSegment, ...]
    note: str | None = None


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """The counts a finished batch announces in its summary toast.

    ``failed`` leaves out the videos the user cancelled: ``cancelled`` counts those.
    ``sources`` is how many playlists and channels the batch expanded; ``found``
    their entries, of which ``private`` and ``deleted`` were not imported and
    ``duplicates`` were already in the list.
    """

    batch_id: int
    list_id: int
    imported: int
    without_captions: int
    failed: int
    cancelled: int = 0
    sources: int = 0
    found: int = 0
    private: int = 0
    deleted: int = 0
    duplicates: int = 0


@dataclass(frozen=True, slots=True)
class BatchCounts:
    """Progress of a list's running batches, for the banner.

    ``eta_s`` is the estimated time left in seconds (None while nothing has
    finished yet to measure a rate from; see
    :func:`robust_import_app.pipeline.progress.text.estimate_remaining_s`).
    ``failed`` leaves out the videos the user cancelled: ``cancelled`` counts those.
    """

    total: int
    imported: int
    failed: int
    eta_s: float | None = None
    cancelled: int = 0

    @property
    def running(self) -> bool:
        """True while some video of a running batch is unfinished."""
        return self.imported + self.failed + self.cancelled < self.total


_unfinished = UNFINISHED_SQL
"""Written as the partial indexes' own condition, literally: SQLite uses a partial
index only for a query whose WHERE names the index's condition, not a bound
parameter list."""

CANCELLED_SQL = sa.and_(
    col(Video.import_stage) == ImportStage.ERROR, col(Video.error_code) == ErrorCode.CANCELLED.value
)
"""A video the user cancelled: stage ``error`` with the code ``cancelled``."""
HOLDS_BATCH_SQL = col(ImportSource.state).in_(HOLDS_BATCH)
"""A source that may still add videos to its batch, which stays open meanwhile."""
FAILED_SQL = sa.and_(
    col(Video.import_stage) == ImportStage.ERROR,
    sa.or_(col(Video.error_code).is_(None), col(Video.error_code) != ErrorCode.CANCELLED.value),
)
"""A video that failed on its own (not cancelled)."""


_Query = TypeVar("_Query", bound=SelectOfScalar[Any])
"""A select of one column, scoped by :meth:`ImportQueue._batch_scope` to the queue's batch."""


class ImportQueue(LeasedQueue):
    """The worker's view of the ``video`` table.

    ``worker_id`` names the lease holder (unique per queue by default);
    ``lease_s`` is how long, in seconds, a claim stays valid without a
    renewal. ``batch_id`` scopes the queue to one batch: the command line's
    ``import`` works on its own paste only.

    Every method that writes about a claimed video raises
    :class:`~robust_import_app.pipeline.queue.lease.LeaseLost` when this
    worker no longer holds it (see the package docstring).
    """

    def __init__(
        self,
        db: Database,
        *,
        worker_id: str | None = None,
        lease_s: float = DEFAULT_LEASE_S,
        batch_id: int | None = None,
    ) -> None:
        super().__init__(db, Video, worker_id=worker_id, lease_s=lease_s, batch_id=batch_id)

    def orphan_candidates(self) -> sa.ColumnElement[bool]:
        """Only unfinished videos hold leases: the partial index's condition."""
        return sa.and_(_unfinished)

    def claim_due(
        self,
        limit: int,
        *,
        exclude: Collection[int] = (),
        stages: Collection[ImportStage] | None = None,
        now: dt.datetime | None = None,
    ) -> list[VideoJob]:
        """Lease up to ``limit`` due videos, fairly across batches (see the module docstring).

        ``exclude`` names video rows this worker already works on: they are
        never claimed again, even when their lease ran out. ``stages`` limits
        the claim to videos stored at those stages (the bulk metadata step
        takes only ``created`` ones). ``now`` stands in for the database's clock
        (:func:`~robust_import_app.pipeline.queue.lease.lease_clock`). On SQLite the
        write transaction holds the database lock; on PostgreSQL ``FOR UPDATE
        SKIP LOCKED`` keeps two workers from claiming the same rows.
        """
        if limit <= 0:
            return []
        with self.db.write() as session:
            now = now or lease_clock(session)
            candidates = self._candidates(session, limit, exclude=exclude, stages=stages, now=now)
            jobs: list[VideoJob] = []
            for row in candidates:
                assert row.id is not None  # read from the table: its primary key is set
                token = self.claim(session, row.id, now)
                if token is not None:
                    jobs.append(_job(row, token))
            return jobs

    def _candidates(
        self,
        session: Session,
        limit: int,
        *,
        exclude: Collection[int],
        stages: Collection[ImportStage] | None,
        now: dt.datetime,
    ) -> list[Video]:
        """The rows to claim: each slot to the open batch with the fewest in flight."""
        batches = session.exec(
            self._batch_scope(
                select(ImportBatch.id).where(col(ImportBatch.announced_at).is_(None)).order_by(col(ImportBatch.id))
            )
        ).all()
        held = dict(
            session.exec(
                select(Video.batch_id, func.count())
                .where(col(Video.claimed_by).is_not(None), col(Video.claimed_until) >= now)
                .group_by(col(Video.batch_id))
            ).all()
        )
        order = sorted(
            [*batches, None] if self.batch_id is None else batches, key=lambda b: (held.get(b, 0), b is None, b or 0)
        )
        due = sa.or_(col(Video.next_attempt_at).is_(None), col(Video.next_attempt_at) <= now)
        pools: dict[int | None, list[Video]] = {}
        for batch_id in order:
            if len(pools) >= limit:
                break
            query = select(Video).where(_unfinished, self.free(now), due)
            query = query.where(col(Video.batch_id).is_(None) if batch_id is None else Video.batch_id == batch_id)
            if exclude:
                query = query.where(col(Video.id).not_in(list(exclude)))
            if stages is not None:
                query = query.where(col(Video.import_stage).in_(list(stages)))
            rows = session.exec(
                query.order_by(col(Video.id).desc()).limit(limit).with_for_update(skip_locked=True)
            ).all()
            if rows:
                pools[batch_id] = list(rows)
        chosen: list[Video] = []
        load = {batch_id: held.get(batch_id, 0) for batch_id in pools}
        while len(chosen) < limit and pools:
            batch_id = min(pools, key=lambda b: (load[b], b is None, b or 0))
            chosen.append(pools[batch_id].pop(0))
            load[batch_id] += 1
            if not pools[batch_id]:
                del pools[batch_id]
        return chosen

    def _batch_scope(self, query: _Query) -> _Query:
        return query if self.batch_id is None else query.where(col(ImportBatch.id) == self.batch_id)

    def next_due_at(self) -> dt.datetime | None:
        """When the next scheduled retry falls due (None: nothing scheduled)."""
        with self.db.read() as session:
            return session.exec(
                select(func.min(Video.next_attempt_at)).where(
                    col(Video.next_attempt_at).is_not(None), _unfinished, self.in_scope()
                )
            ).one()

    def has_unfinished(self) -> bool:
        """True while some video in this queue's scope is not complete or failed."""
        with self.db.read() as session:
            return session.exec(select(Video.id).where(_unfinished, self.in_scope()).limit(1)).first() is not None

    def renew(self, jobs: Sequence[VideoJob]) -> list[VideoJob]:
        """Extend the leases of ``jobs`` by ``lease_s`` from now; returns those no longer held."""
        if not jobs:
            return []
        with self.db.write() as session:
            now = lease_clock(session)
            return [job for job in jobs if not self.renew_in(session, job.video_id, job.lease_token, now)]

    def enter_stage(self, job: VideoJob, stage: Stage) -> None:
        """Commit ``stage`` and its progress before the stage runs; renew the lease.

        The attempt count starts again at 0 when the stage changes (retries are
        bounded per stage).
        """
        self.enter_stage_many([job], stage)

    def save_metadata(self, job: VideoJob, metadata: VideoMetadata) -> None:
        """Store the metadata stage's result; YouTube's own chapters are stored with it.

        The thumbnail stays the image CDN's 320x180 ``mqdefault.jpg`` the card
        was created with: yt-dlp's choice is often the 1280x720 ``maxresdefault``.
        """
        with self.db.write() as session:
            self._fence(
                session,
                job,
                title=metadata.title,
                channel=metadata.channel,
                duration_s=metadata.duration_s,
                published=metadata.published,
                description=metadata.description,
                language=metadata.language,
                updated_at=utcnow(),
            )
            if metadata.chapters:
                _replace_chapters(session, job.video_id, metadata.chapters)
        job.metadata = metadata
        job.duration_s = metadata.duration_s
        job.description = metadata.description
        job.language = metadata.language

    def has_chapters(self, job: VideoJob) -> bool:
        """True when chapters are already stored (YouTube's own, which win)."""
        with self.db.read() as session:
            return (
                session.exec(
                    select(func.count()).select_from(ChapterRow).where(ChapterRow.video_id == job.video_id)
                ).one()
                > 0
            )

    def save_captions(self, job: VideoJob, outcome: CaptionsOutcome) -> None:
        """Replace the video's transcript, and its search windows, with ``outcome`` (idempotent on resume)."""
        with self.db.write() as session:
            self._fence(
                session,
                job,
                caption_source=outcome.source,
                caption_language=outcome.language,
                note=outcome.note,
                updated_at=utcnow(),
            )
            session.exec(delete(TranscriptSegmentRow).where(col(TranscriptSegmentRow.video_id) == job.video_id))
            session.add_all(
                TranscriptSegmentRow(
                    video_id=job.video_id,
                    start_s=segment.start_s,
                    duration_s=segment.duration_s,
                    text=segment.text,
                    language=outcome.language,
                    source=outcome.source,
                )
                for segment in outcome.segments
            )
            replace_windows(session, job.video_id, outcome.segments)

    def save_chapters(self, job: VideoJob, chapters: Sequence[Chapter]) -> None:
        """Replace the video's chapters (idempotent on resume)."""
        with self.db.write() as session:
            self._fence(session, job, updated_at=utcnow())
            _replace_chapters(session, job.video_id, chapters)

    def complete(self, job: VideoJob) -> None:
        """Mark the video complete and release it."""
        self._update(
            job,
            import_stage=ImportStage.COMPLETE,
            import_progress=ImportStage.COMPLETE.progress,
            failed_stage=None,
            error_code=None,
            error_message=None,
            next_attempt_at=None,
            **RELEASED,
            updated_at=utcnow(),
        )
        job.stage = ImportStage.COMPLETE

    def fail(self, job: VideoJob, failure: ImportFailure) -> None:
        """Mark the video failed at its current stage, with the reason, and release it."""
        self._update(
            job,
            import_stage=ImportStage.ERROR,
            failed_stage=job.stage,
            error_code=failure.code.value,
            error_message=failure.message,
            next_attempt_at=None,
            **RELEASED,
            updated_at=utcnow(),
        )
        job.stage = ImportStage.ERROR

    def reschedule(
        self,
        job: VideoJob,
        failure: ImportFailure,
        *,
        delay_s: float,
        consume_attempt: bool = True,
    ) -> dt.datetime:
        """Store the next attempt time ``delay_s`` seconds from now and release the video.

        The stage stays as it is; the last transient reason is kept for display.
        Returns the next attempt time, by the database's clock (the one
        :meth:`claim_due` compares it with).
        """
        attempt_count = job.attempt_count + 1 if consume_attempt else job.attempt_count
        next_attempt_at = self.reschedule_row(
            job.video_id, job.lease_token, failure, delay_s=delay_s, attempt_count=attempt_count
        )
        job.attempt_count = attempt_count
        return next_attempt_at

    def release(self, job: VideoJob) -> None:
        """Give the lease back without changing anything else (worker shutdown)."""
        self._update(job, **RELEASED)

    def enter_stage_many(self, jobs: Sequence[VideoJob], stage: Stage) -> None:
        """:meth:`enter_stage` for several videos in one transaction; raises :class:`LeaseLost` for any lost."""
        now = utcnow()
        with self.db.write() as session:
            until = self.lease_until(lease_clock(session))
            for job in jobs:
                attempt_count = 0 if stage != job.stage else job.attempt_count
                self._fence(
                    session,
                    job,
                    import_stage=stage,
                    import_progress=stage.progress,
                    attempt_count=attempt_count,
                    claimed_until=until,
                    updated_at=now,
                )
        for job in jobs:
            if stage != job.stage:
                job.attempt_count = 0
            job.stage = stage

    def release_jobs(self, jobs: Sequence[VideoJob]) -> None:
        """Give back the leases of ``jobs`` that this worker still holds, in one transaction."""
        with self.db.write() as session:
            for job in jobs:
                self.release_in(session, job.video_id, job.lease_token)

    def close_batch_if_done(self, batch_id: int) -> BatchSummary | None:
        """Announce a batch once: its summary when every video in it is finished and no source
        of it may add more (:data:`HOLDS_BATCH_SQL`).

        The batch row is locked (``SELECT … FOR UPDATE`` on PostgreSQL, the
        write lock on SQLite), so two workers finishing its last videos at
        once announce it once. Returns None while some video is unfinished or
        when the summary was already announced (by this or another worker).
        """
        with self.db.write() as session:
            batch = session.get(ImportBatch, batch_id, with_for_update=True)
            if batch is None or batch.announced_at is not None:
                return None
            unfinished, summary = _tally(session, batch)
            if unfinished:
                return None
            batch.announced_at = utcnow()
            session.add(batch)
            return summary

    def close_finished_batches(self) -> list[BatchSummary]:
        """Announce every open batch (in scope) whose videos are all finished; their summaries.

        Catches the batches whose last video's worker died between finishing
        it and announcing: each is announced once, as :meth:`close_batch_if_done`.
        """
        with self.db.read() as session:
            open_ids = session.exec(
                self._batch_scope(select(ImportBatch.id).where(col(ImportBatch.announced_at).is_(None)))
            ).all()
            finished: list[int] = []
            for batch_id in open_ids:
                assert batch_id is not None  # read from the table: its primary key is set
                if (
                    session.exec(select(Video.id).where(col(Video.batch_id) == batch_id, _unfinished).limit(1)).first()
                    is None
                    and session.exec(
                        select(ImportSource.id).where(col(ImportSource.batch_id) == batch_id, HOLDS_BATCH_SQL).limit(1)
                    ).first()
                    is None
                ):
                    finished.append(batch_id)
        return [summary for batch_id in finished if (summary := self.close_batch_if_done(batch_id)) is not None]

    def announced_summary(self, batch_id: int) -> BatchSummary | None:
        """The batch's summary once some worker announced it, else None."""
        with self.db.read() as session:
            batch = session.get(ImportBatch, batch_id)
            if batch is None or batch.announced_at is None:
                return None
            return _tally(session, batch)[1]

    # --- the Whisper budget: a batch's transcription seconds, written fenced --

    def reserve_whisper_seconds(self, job: VideoJob, *, seconds: float, cap_s: float) -> bool:
        """Count ``seconds`` of the video's audio against its batch's transcription cap.

        Reserved once per video: a video that already holds a reservation
        (an earlier attempt stopped by a crash) keeps it and nothing more is
        counted. Returns False, counting nothing, when the seconds would
        exceed ``cap_s``.
        """
        with self.db.write() as session:
            already = session.exec(
                self.fenced(job.video_id, job.lease_token)
                .where(col(Video.whisper_reserved_s).is_not(None))
                .values(updated_at=utcnow())
            ).rowcount
            if already:
                return True
            if job.batch_id is not None:
                counted = session.exec(
                    update(ImportBatch)
                    .where(col(ImportBatch.id) == job.batch_id, col(ImportBatch.whisper_seconds) + seconds <= cap_s)
                    .values(whisper_seconds=col(ImportBatch.whisper_seconds) + seconds)
                ).rowcount
                if counted != 1:
                    return False
            self._fence(session, job, whisper_reserved_s=seconds)
            return True

    def release_whisper_seconds(self, job: VideoJob) -> None:
        """Give back the video's reservation from :meth:`reserve_whisper_seconds` (never below 0).

        For audio that was not transcribed after all (the API refused or
        failed, the server stopped), so that the retry is not charged twice.
        """
        with self.db.write() as session:
            reserved = session.exec(select(Video.whisper_reserved_s).where(col(Video.id) == job.video_id)).first()
            if not reserved:
                return
            self._fence(session, job, whisper_reserved_s=None)
            if job.batch_id is not None:
                remaining = col(ImportBatch.whisper_seconds) - reserved
                session.exec(
                    update(ImportBatch)
                    .where(col(ImportBatch.id) == job.batch_id)
                    .values(whisper_seconds=sa.case((remaining > 0, remaining), else_=0.0))
                )

    def _fence(self, session: Session, job: VideoJob, **values: object) -> None:
        self.fence(session, job.video_id, job.lease_token, **values)

    def _update(self, job: VideoJob, **values: object) -> None:
        self.update(job.video_id, job.lease_token, **values)


def _job(row: Video, token: str) -> VideoJob:
    assert row.id is not None  # read from the table: its primary key is set
    return VideoJob(
        video_id=row.id,
        youtube_id=row.youtube_id,
        list_id=row.list_id,
        batch_id=row.batch_id,
        stage=row.import_stage,
        attempt_count=row.attempt_count,
        lease_token=token,
        duration_s=row.duration_s,
        description=row.description,
        language=row.language,
    )


def _tally(session: Session, batch: ImportBatch) -> tuple[int, BatchSummary]:
    """How many videos and sources of ``batch`` are unfinished, and its summary counts."""
    assert batch.id is not None  # read from the table: its primary key is set
    stage, source = col(Video.import_stage), col(Video.caption_source)
    unfinished, imported, without, failed, cancelled = session.execute(
        sa.select(
            func.count().filter(_unfinished),
            func.count().filter(stage == ImportStage.COMPLETE),
            func.count().filter(stage == ImportStage.COMPLETE, source == CaptionSource.NONE),
            func.count().filter(FAILED_SQL),
            func.count().filter(CANCELLED_SQL),
        ).where(col(Video.batch_id) == batch.id)
    ).one()
    sources, found, private, deleted, duplicates, sources_unfinished = session.execute(
        sa.select(
            func.count(),
            func.coalesce(func.sum(ImportSource.found), 0),
            func.coalesce(func.sum(ImportSource.private), 0),
            func.coalesce(func.sum(ImportSource.deleted), 0),
            func.coalesce(func.sum(ImportSource.duplicates), 0),
            func.count().filter(HOLDS_BATCH_SQL),
        ).where(col(ImportSource.batch_id) == batch.id)
    ).one()
    summary = BatchSummary(
        batch_id=batch.id,
        list_id=batch.list_id,
        imported=imported,
        without_captions=without,
        failed=failed,
        cancelled=cancelled,
        sources=sources,
        found=found,
        private=private,
        deleted=deleted,
        duplicates=duplicates,
    )
    return unfinished + sources_unfinished, summary


def _replace_chapters(session: Session, video_id: int, chapters: Sequence[Chapter]) -> None:
    session.exec(delete(ChapterRow).where(col(ChapterRow.video_id) == video_id))
    session.add_all(
        ChapterRow(video_id=video_id, start_s=c.start_time, end_s=c.end_time, title=c.title) for c in chapters
    )
