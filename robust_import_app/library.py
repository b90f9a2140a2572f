"""The user's library as the UI and the command line see it: lists and videos.

The first phase of an import lives here: :func:`import_paste` writes every new
video of a paste in one transaction (stage ``created``, progress 0, the
thumbnail from YouTube's image CDN) before any YouTube call; the worker
(:mod:`robust_import_app.pipeline.worker`) does the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert
from sqlmodel import col, func, select, update

from robust_import_app.db import Database
from robust_import_app.models import (
    ChapterRow,
    ImportBatch,
    TranscriptSegmentRow,
    Video,
    VideoList,
    utcnow,
)
from robust_import_app.pipeline.queue import RATE_WINDOW_S, TERMINAL, BatchCounts, estimate_remaining_s
from robust_import_app.pipeline.stage import ImportStage
from robust_import_app.settings import DEFAULT_LIST_NAME
from robust_import_app.youtube import RejectedLine, parse_paste, thumbnail_url

MAX_LIST_NAME = 100
MAX_IDS_PER_PASTE = 5000


class LibraryError(ValueError):
    """A request the library refuses, with a message fit for the user."""


@dataclass(frozen=True, slots=True)
class ListSummary:
    """A list in the sidebar."""

    id: int
    name: str
    video_count: int


@dataclass(frozen=True, slots=True)
class PasteOutcome:
    """What one paste did.

    ``created`` are the new video ids in paste order; ``duplicates`` were
    already in the list; ``repeated`` appeared more than once in the paste
    (created once); ``rejected`` lines had no usable video link.
    """

    batch_id: int | None
    created: tuple[str, ...]
    duplicates: tuple[str, ...]
    repeated: tuple[str, ...]
    rejected: tuple[RejectedLine, ...]


def ensure_default_list(db: Database) -> int:
    """The id of the "Inbox" list, created on first start."""
    with db.write() as session:
        existing = session.exec(select(VideoList).order_by(col(VideoList.id)).limit(1)).first()
        if existing is not None:
            return existing.id
        inbox = VideoList(name=DEFAULT_LIST_NAME)
        session.add(inbox)
        session.flush()
        return inbox.id


def list_summaries(db: Database) -> list[ListSummary]:
    """Every list with its number of videos, oldest list first."""
    with db.read() as session:
        rows = session.exec(
            select(VideoList.id, VideoList.name, func.count(col(Video.id)))
            .outerjoin(Video, col(Video.list_id) == VideoList.id)
            .group_by(col(VideoList.id))
            .order_by(col(VideoList.id))
        ).all()
    return [ListSummary(id=i, name=n, video_count=c) for i, n, c in rows]


def create_list(db: Database, name: str) -> int:
    """Create a list; raises :class:`LibraryError` for a blank, long or taken name."""
    name = " ".join(name.split())
    if not name:
        raise LibraryError("A list needs a name.")
    if len(name) > MAX_LIST_NAME:
        raise LibraryError(f"A list name can be at most {MAX_LIST_NAME} characters.")
    with db.write() as session:
        taken = session.exec(select(VideoList.id).where(func.lower(VideoList.name) == name.lower())).first()
        if taken is not None:
            raise LibraryError(f"A list named “{name}” already exists.")
        row = VideoList(name=name)
        session.add(row)
        session.flush()
        return row.id


def list_exists(db: Database, list_id: int) -> bool:
    """True when a list with this id exists."""
    with db.read() as session:
        return session.get(VideoList, list_id) is not None


def import_paste(db: Database, list_id: int, text: str) -> PasteOutcome:
    """Create every new video of a paste in one transaction, as one batch.

    Raises :class:`LibraryError` for an unknown list or a paste of more than
    ``MAX_IDS_PER_PASTE`` video ids. A paste with nothing new creates no batch.
    """
    parsed = parse_paste(text)
    if len(parsed.video_ids) > MAX_IDS_PER_PASTE:
        raise LibraryError(
            f"One paste can hold at most {MAX_IDS_PER_PASTE} videos; this one has {len(parsed.video_ids)}."
        )
    with db.write() as session:
        if session.get(VideoList, list_id) is None:
            raise LibraryError("That list no longer exists.")
        existing = set(
            session.exec(
                select(Video.youtube_id).where(
                    Video.list_id == list_id, col(Video.youtube_id).in_(parsed.video_ids)
                )
            ).all()
        )
        new_ids = [video_id for video_id in parsed.video_ids if video_id not in existing]
        batch_id = None
        if new_ids:
            batch = ImportBatch(list_id=list_id, total=len(new_ids))
            session.add(batch)
            session.flush()
            batch_id = batch.id
            now = utcnow()
            # One multi-row INSERT; later rows sort first, so the first link
            # of the paste ends up on top.
            session.exec(
                insert(Video),
                params=[
                    {
                        "list_id": list_id,
                        "batch_id": batch_id,
                        "youtube_id": video_id,
                        "thumbnail_url": thumbnail_url(video_id),
                        "import_stage": ImportStage.CREATED,
                        "import_progress": 0,
                        "attempt_count": 0,
                        "title": "",
                        "channel": "",
                        "description": "",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for video_id in reversed(new_ids)
                ],
            )
    return PasteOutcome(
        batch_id=batch_id,
        created=tuple(new_ids),
        duplicates=tuple(v for v in parsed.video_ids if v in existing),
        repeated=parsed.repeated,
        rejected=parsed.rejected,
    )


def count_videos(db: Database, list_id: int) -> int:
    """How many videos the list holds."""
    with db.read() as session:
        return session.exec(select(func.count()).select_from(Video).where(Video.list_id == list_id)).one()


def page_of_videos(db: Database, list_id: int, *, offset: int, limit: int) -> list[Video]:
    """One page of the list's videos, newest first."""
    with db.read() as session:
        return list(
            session.exec(
                select(Video)
                .where(Video.list_id == list_id)
                .order_by(col(Video.created_at).desc(), col(Video.id).desc())
                .offset(offset)
                .limit(limit)
            ).all()
        )


def batch_counts(db: Database, list_id: int) -> BatchCounts:
    """Totals over the list's batches whose summary has not gone out yet, with the time left."""
    return _open_batch_counts(db, ImportBatch.list_id == list_id)


def batch_progress(db: Database, batch_id: int) -> BatchCounts:
    """Totals of one batch, with the time left (the command line's status line)."""
    return _open_batch_counts(db, ImportBatch.id == batch_id, include_announced=True)


def _open_batch_counts(db: Database, which, *, include_announced: bool = False) -> BatchCounts:
    """Counts of the batches ``which`` selects; the time left from the last minutes' rate.

    The rate is the videos finished (complete or failed) in the last
    ``RATE_WINDOW_S`` seconds, or since the oldest of these batches was
    pasted when that is more recent.
    """
    now = utcnow()
    since = now - dt.timedelta(seconds=RATE_WINDOW_S)
    finished = col(Video.import_stage).in_(TERMINAL)
    with db.read() as session:
        query = (
            select(
                func.count(),
                func.count().filter(Video.import_stage == ImportStage.COMPLETE),
                func.count().filter(Video.import_stage == ImportStage.ERROR),
                func.count().filter(finished, col(Video.updated_at) >= since),
                func.min(ImportBatch.created_at),
            )
            .select_from(Video)
            .join(ImportBatch, col(ImportBatch.id) == Video.batch_id)
            .where(which)
        )
        if not include_announced:
            query = query.where(col(ImportBatch.announced_at).is_(None))
        total, imported, failed, recent, started = session.exec(query).one()
    window_s = RATE_WINDOW_S
    if started is not None:
        window_s = min(window_s, (now - _aware(started)).total_seconds())
    eta_s = estimate_remaining_s(total - imported - failed, finished=recent, window_s=window_s)
    return BatchCounts(total=total, imported=imported, failed=failed, eta_s=eta_s)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def retry_failed(db: Database, list_id: int, video_ids: Sequence[int] | None = None) -> int:
    """Queue failed videos again from the stage that failed; returns how many.

    ``video_ids`` limits the retry to those rows; None retries every failed
    video of the list. Their batches announce a new summary when done.
    """
    with db.write() as session:
        query = select(Video).where(Video.list_id == list_id, Video.import_stage == ImportStage.ERROR)
        if video_ids is not None:
            query = query.where(col(Video.id).in_(video_ids))
        rows = session.exec(query).all()
        now = utcnow()
        for row in rows:
            stage = row.failed_stage or ImportStage.METADATA
            row.import_stage = stage
            row.import_progress = stage.progress
            row.failed_stage = None
            row.error_code = None
            row.error_message = None
            row.attempt_count = 0
            row.next_attempt_at = None
            row.updated_at = now
            session.add(row)
        batch_ids = {row.batch_id for row in rows if row.batch_id is not None}
        if batch_ids:
            session.exec(
                update(ImportBatch).where(col(ImportBatch.id).in_(batch_ids)).values(announced_at=None)
            )
        return len(rows)


@dataclass(frozen=True, slots=True)
class VideoDetail:
    """A video with its chapters and transcript, for its detail page."""

    video: Video
    chapters: tuple[ChapterRow, ...]
    segments: tuple[TranscriptSegmentRow, ...]


def video_detail(db: Database, video_row_id: int) -> VideoDetail | None:
    """The video row ``video_row_id`` with its chapters and transcript, or None."""
    with db.read() as session:
        video = session.get(Video, video_row_id)
        if video is None:
            return None
        chapters = session.exec(
            select(ChapterRow).where(ChapterRow.video_id == video_row_id).order_by(col(ChapterRow.start_s))
        ).all()
        segments = session.exec(
            select(TranscriptSegmentRow)
            .where(TranscriptSegmentRow.video_id == video_row_id)
            .order_by(col(TranscriptSegmentRow.start_s))
        ).all()
    return VideoDetail(video=video, chapters=tuple(chapters), segments=tuple(segments))


def chapter_counts(db: Database, video_row_ids: Sequence[int]) -> dict[int, int]:
    """Number of chapters per video row id (absent: none)."""
    if not video_row_ids:
        return {}
    with db.read() as session:
        rows = session.exec(
            select(ChapterRow.video_id, func.count())
            .where(col(ChapterRow.video_id).in_(video_row_ids))
            .group_by(col(ChapterRow.video_id))
        ).all()
    return dict(rows)

