"""The import queue is the database: the worker's reads and writes of it.

A video is *due* when its stage is not terminal, its ``next_attempt_at`` (the
backoff schedule) has passed and no live worker holds its lease. Claiming sets
``claimed_by``/``claimed_until``; every stage commit renews the lease; a worker
that died (``kill -9``) leaves leases that expire, and on the same host its
successor releases them at start-up (the process is gone, so the lease is too).

Every function here is synchronous and short: the worker calls them through
``asyncio.to_thread``. Times are timezone-aware UTC; durations in seconds.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass

import psutil
import sqlalchemy as sa
from sqlmodel import col, delete, func, select, update

from robust_import_app.db import Database
from robust_import_app.models import (
    ChapterRow,
    ImportBatch,
    TranscriptSegmentRow,
    Video,
    utcnow,
)
from robust_import_app.pipeline.errors import ImportFailure
from robust_import_app.pipeline.stage import ImportStage
from robust_import_app.youtube.data import (
    CaptionSegment,
    CaptionSource,
    Chapter,
    VideoMetadata,
)

DEFAULT_LEASE_S = 120.0
TERMINAL = (ImportStage.COMPLETE, ImportStage.ERROR)


def worker_identity() -> str:
    """``host:pid`` of this process, stored in ``claimed_by``."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(slots=True)
class VideoJob:
    """One claimed video, as the stages see it."""

    video_id: int
    youtube_id: str
    list_id: int
    batch_id: int | None
    stage: ImportStage
    attempt_count: int
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
    """The counts a finished batch announces in its summary toast."""

    batch_id: int
    list_id: int
    imported: int
    without_captions: int
    failed: int

    @property
    def message(self) -> str:
        """E.g. ``"47 imported, 3 without captions, 0 failed"``."""
        return (
            f"{self.imported} imported, {self.without_captions} without captions, "
            f"{self.failed} failed"
        )


@dataclass(frozen=True, slots=True)
class BatchCounts:
    """Progress of a list's running batches, for the banner."""

    total: int
    imported: int
    failed: int

    @property
    def running(self) -> bool:
        """True while some video of a running batch is unfinished."""
        return self.imported + self.failed < self.total


_unfinished = col(Video.import_stage).not_in(TERMINAL)


class ImportQueue:
    """The worker's view of the ``video`` table.

    ``worker_id`` names the lease holder; ``lease_s`` is how long a claim
    stays valid without a stage commit renewing it.
    """

    def __init__(
        self,
        db: Database,
        *,
        worker_id: str | None = None,
        lease_s: float = DEFAULT_LEASE_S,
    ) -> None:
        self.db = db
        self.worker_id = worker_id or worker_identity()
        self.lease_s = lease_s

    def _lease_until(self, now: dt.datetime) -> dt.datetime:
        return now + dt.timedelta(seconds=self.lease_s)

    def release_orphans(self) -> int:
        """Release leases held by dead processes on this host; returns how many."""
        host = socket.gethostname()
        with self.db.write() as session:
            holders = session.exec(
                select(Video.claimed_by).where(_unfinished, col(Video.claimed_by).is_not(None)).distinct()
            ).all()
            dead = [
                holder
                for holder in holders
                if holder
                and holder.rpartition(":")[0] == host
                and (holder == self.worker_id or not psutil.pid_exists(int(holder.rpartition(":")[2])))
            ]
            if not dead:
                return 0
            result = session.exec(
                update(Video)
                .where(col(Video.claimed_by).in_(dead))
                .values(claimed_by=None, claimed_until=None)
            )
            return result.rowcount

    def claim_due(self, limit: int, *, now: dt.datetime | None = None) -> list[VideoJob]:
        """Lease up to ``limit`` due videos: older pastes first, each in paste order.

        (A paste's rows share ``created_at`` and are inserted last link first,
        so that the first link sorts to the top of the grid.) On SQLite the
        write transaction holds the database lock; on PostgreSQL ``FOR UPDATE
        SKIP LOCKED`` keeps two workers from claiming the same rows.
        """
        if limit <= 0:
            return []
        now = now or utcnow()
        free = sa.or_(col(Video.claimed_until).is_(None), col(Video.claimed_until) < now)
        due = sa.or_(col(Video.next_attempt_at).is_(None), col(Video.next_attempt_at) <= now)
        with self.db.write() as session:
            rows = session.exec(
                select(Video)
                .where(_unfinished, free, due)
                .order_by(col(Video.created_at), col(Video.id).desc())
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return []
            session.exec(
                update(Video)
                .where(col(Video.id).in_([row.id for row in rows]), free)
                .values(claimed_by=self.worker_id, claimed_until=self._lease_until(now))
            )
            return [
                VideoJob(
                    video_id=row.id,
                    youtube_id=row.youtube_id,
                    list_id=row.list_id,
                    batch_id=row.batch_id,
                    stage=row.import_stage,
                    attempt_count=row.attempt_count,
                    duration_s=row.duration_s,
                    description=row.description,
                    language=row.language,
                )
                for row in rows
            ]

    def next_due_at(self) -> dt.datetime | None:
        """When the next scheduled retry falls due (None: nothing scheduled)."""
        with self.db.read() as session:
            return session.exec(
                select(func.min(Video.next_attempt_at)).where(
                    _unfinished, col(Video.next_attempt_at).is_not(None)
                )
            ).one()

    def enter_stage(self, job: VideoJob, stage: ImportStage) -> None:
        """Commit ``stage`` and its progress before the stage runs; renew the lease.

        The attempt count starts again at 0 when the stage changes (retries are
        bounded per stage).
        """
        if stage != job.stage:
            job.attempt_count = 0
        job.stage = stage
        now = utcnow()
        self._update(
            job,
            import_stage=stage,
            import_progress=stage.progress,
            attempt_count=job.attempt_count,
            claimed_until=self._lease_until(now),
            updated_at=now,
        )

    def save_metadata(self, job: VideoJob, metadata: VideoMetadata) -> None:
        """Store the metadata stage's result; YouTube's own chapters are stored with it.

        The thumbnail stays the image CDN's 320x180 ``mqdefault.jpg`` the card
        was created with: yt-dlp's choice is often the 1280x720 ``maxresdefault``.
        """
        job.metadata = metadata
        job.duration_s = metadata.duration_s
        job.description = metadata.description
        job.language = metadata.language
        with self.db.write() as session:
            session.exec(
                update(Video)
                .where(col(Video.id) == job.video_id)
                .values(
                    title=metadata.title,
                    channel=metadata.channel,
                    duration_s=metadata.duration_s,
                    published=metadata.published,
                    description=metadata.description,
                    language=metadata.language,
                    updated_at=utcnow(),
                )
            )
            if metadata.chapters:
                _replace_chapters(session, job.video_id, metadata.chapters)

    def has_chapters(self, job: VideoJob) -> bool:
        """True when chapters are already stored (YouTube's own, which win)."""
        with self.db.read() as session:
            return session.exec(
                select(func.count()).select_from(ChapterRow).where(ChapterRow.video_id == job.video_id)
            ).one() > 0

    def save_captions(self, job: VideoJob, outcome: CaptionsOutcome) -> None:
        """Replace the video's transcript with ``outcome`` (idempotent on resume)."""
        with self.db.write() as session:
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
            session.exec(
                update(Video)
                .where(col(Video.id) == job.video_id)
                .values(
                    caption_source=outcome.source,
                    caption_language=outcome.language,
                    note=outcome.note,
                    updated_at=utcnow(),
                )
            )

    def save_chapters(self, job: VideoJob, chapters: Sequence[Chapter]) -> None:
        """Replace the video's chapters (idempotent on resume)."""
        with self.db.write() as session:
            _replace_chapters(session, job.video_id, chapters)

    def complete(self, job: VideoJob) -> None:
        """Mark the video complete and release it."""
        job.stage = ImportStage.COMPLETE
        self._update(
            job,
            import_stage=ImportStage.COMPLETE,
            import_progress=ImportStage.COMPLETE.progress,
            failed_stage=None,
            error_code=None,
            error_message=None,
            next_attempt_at=None,
            claimed_by=None,
            claimed_until=None,
            updated_at=utcnow(),
        )

    def fail(self, job: VideoJob, failure: ImportFailure) -> None:
        """Mark the video failed at its current stage, with the reason, and release it."""
        failed_stage = job.stage
        job.stage = ImportStage.ERROR
        self._update(
            job,
            import_stage=ImportStage.ERROR,
            failed_stage=failed_stage,
            error_code=failure.code.value,
            error_message=failure.message,
            next_attempt_at=None,
            claimed_by=None,
            claimed_until=None,
            updated_at=utcnow(),
        )

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
        Returns the next attempt time.
        """
        if consume_attempt:
            job.attempt_count += 1
        now = utcnow()
        next_attempt_at = now + dt.timedelta(seconds=delay_s)
        self._update(
            job,
            attempt_count=job.attempt_count,
            next_attempt_at=next_attempt_at,
            error_code=failure.code.value,
            error_message=None,
            claimed_by=None,
            claimed_until=None,
            updated_at=now,
        )
        return next_attempt_at

    def release(self, job: VideoJob) -> None:
        """Give the lease back without changing anything else (worker shutdown)."""
        self._update(job, claimed_by=None, claimed_until=None)

    def close_batch_if_done(self, batch_id: int) -> BatchSummary | None:
        """Announce a batch once: its summary when every video in it is finished.

        Returns None while some video is unfinished or when the summary was
        already announced (by this or another worker).
        """
        with self.db.write() as session:
            batch = session.get(ImportBatch, batch_id)
            if batch is None or batch.announced_at is not None:
                return None
            unfinished, summary = _tally(session, batch)
            if unfinished:
                return None
            batch.announced_at = utcnow()
            session.add(batch)
            return summary

    def announced_summary(self, batch_id: int) -> BatchSummary | None:
        """The batch's summary once some worker announced it, else None."""
        with self.db.read() as session:
            batch = session.get(ImportBatch, batch_id)
            if batch is None or batch.announced_at is None:
                return None
            return _tally(session, batch)[1]

    def reserve_whisper_seconds(self, batch_id: int, *, seconds: float, cap_s: float) -> bool:
        """Count ``seconds`` of audio against the batch's transcription cap.

        Returns False, counting nothing, when they would exceed ``cap_s``.
        """
        with self.db.write() as session:
            result = session.exec(
                update(ImportBatch)
                .where(col(ImportBatch.id) == batch_id, ImportBatch.whisper_seconds + seconds <= cap_s)
                .values(whisper_seconds=ImportBatch.whisper_seconds + seconds)
            )
            return result.rowcount == 1

    def release_whisper_seconds(self, batch_id: int, *, seconds: float) -> None:
        """Give back ``seconds`` reserved by :meth:`reserve_whisper_seconds` (never below 0).

        For audio that was not transcribed after all (the API refused or
        failed, the server stopped), so that the retry is not charged twice.
        """
        remaining = ImportBatch.whisper_seconds - seconds
        with self.db.write() as session:
            session.exec(
                update(ImportBatch)
                .where(col(ImportBatch.id) == batch_id)
                .values(whisper_seconds=sa.case((remaining > 0, remaining), else_=0.0))
            )

    def _update(self, job: VideoJob, **values: object) -> None:
        with self.db.write() as session:
            session.exec(update(Video).where(col(Video.id) == job.video_id).values(**values))


def _tally(session, batch: ImportBatch) -> tuple[int, BatchSummary]:
    """How many videos of ``batch`` are unfinished, and its summary counts."""
    stage, source = Video.import_stage, Video.caption_source
    unfinished, imported, without, failed = session.exec(
        select(
            func.count().filter(_unfinished),
            func.count().filter(stage == ImportStage.COMPLETE),
            func.count().filter(stage == ImportStage.COMPLETE, source == CaptionSource.NONE),
            func.count().filter(stage == ImportStage.ERROR),
        ).where(Video.batch_id == batch.id)
    ).one()
    summary = BatchSummary(
        batch_id=batch.id, list_id=batch.list_id, imported=imported, without_captions=without, failed=failed
    )
    return unfinished, summary


def _replace_chapters(session, video_id: int, chapters: Sequence[Chapter]) -> None:
    session.exec(delete(ChapterRow).where(col(ChapterRow.video_id) == video_id))
    session.add_all(
        ChapterRow(video_id=video_id, start_s=c.start_time, end_s=c.end_time, title=c.title)
        for c in chapters
    )
