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

from sqlalchemy import insert, literal
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, func, select, update

from robust_import_app.db import Database
from robust_import_app.domain.stages import ImportStage
from robust_import_app.models import (
    ChapterRow,
    ImportBatch,
    TranscriptSegmentRow,
    Video,
    VideoList,
    utcnow,
)
from robust_import_app.models.tables import ImportSource, TranscriptWindow
from robust_import_app.pipeline.progress.text import RATE_WINDOW_S, estimate_remaining_s
from robust_import_app.pipeline.queue import transitions
from robust_import_app.pipeline.queue.videos import CANCELLED_SQL, FAILED_SQL, TERMINAL, BatchCounts
from robust_import_app.pipeline.sources.plan import cancel_sources, insert_sources, plan_sources
from robust_import_app.settings import DEFAULT_LIST_NAME
from robust_import_app.youtube import PasteResult, RejectedLine, SourceRef, parse_paste

MAX_LIST_NAME = 100
MAX_IDS_PER_PASTE = 5000
MAX_SOURCES_PER_PASTE = 100
"""Playlists and channels one paste may name (each may hold thousands of videos)."""
PASTE_WRITE_ATTEMPTS = 3
"""A paste that met a concurrent write of the same video (the list's unique key) is written again, this often in all:
the next attempt reads that video as a duplicate."""


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
    ``sources`` are the ids of the source rows created for the paste's
    playlists and channels (their videos join ``batch_id`` as the worker
    lists them); ``duplicate_sources`` were not created again, the list
    already expands or follows them; ``offers`` are the ids of the offered
    playlists of watch links with ``list=`` (:func:`robust_import_app.sources.accept_offer`).
    """

    batch_id: int | None
    created: tuple[str, ...]
    duplicates: tuple[str, ...]
    repeated: tuple[str, ...]
    rejected: tuple[RejectedLine, ...]
    sources: tuple[int, ...] = ()
    duplicate_sources: tuple[SourceRef, ...] = ()
    offers: tuple[int, ...] = ()

    @property
    def queued(self) -> bool:
        """True when the paste gave the worker something to do (videos, sources, offers to size): wake it."""
        return bool(self.created or self.sources or self.offers)


def ensure_default_list(db: Database) -> int:
    """The id of the "Inbox" list (the oldest list), created on first start.

    Every page load asks, so it reads first: only the very first start takes
    the write lock, and a page load never waits behind the worker's writes.
    """
    with db.read() as session:
        existing_id = session.exec(select(VideoList.id).order_by(col(VideoList.id)).limit(1)).first()
    if existing_id is not None:
        return existing_id
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


def _list_name(name: str) -> str:
    """``name`` with its runs of white space made one space; :class:`LibraryError` when blank or too long."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise LibraryError("A list needs a name; this one is only spaces." if name else "A list needs a name.")
    if len(cleaned) > MAX_LIST_NAME:
        raise LibraryError(f"A list name can be at most {MAX_LIST_NAME} characters.")
    return cleaned


def _refuse_taken_name(session, name: str, *, own_id: int | None = None) -> None:
    """Raise :class:`LibraryError` when another list has ``name`` (case ignored)."""
    query = select(VideoList.id).where(func.lower(VideoList.name) == name.lower())
    if own_id is not None:
        query = query.where(VideoList.id != own_id)
    if session.exec(query).first() is not None:
        raise LibraryError(f"A list named “{name}” already exists.")


def create_list(db: Database, name: str) -> int:
    """Create a list; raises :class:`LibraryError` for a blank, long or taken name."""
    name = _list_name(name)
    with db.write() as session:
        _refuse_taken_name(session, name)
        row = VideoList(name=name)
        session.add(row)
        session.flush()
        return row.id


def list_exists(db: Database, list_id: int) -> bool:
    """True when a list with this id exists."""
    with db.read() as session:
        return session.get(VideoList, list_id) is not None


def import_paste(
    db: Database,
    list_id: int,
    text: str,
    *,
    source_limit: int | None = None,
    ask_large: bool = True,
) -> PasteOutcome:
    """Create every new video of a paste in one transaction, as one batch, with a source row per playlist or channel.

    In the same transaction each pasted playlist or channel becomes a
    source row (state ``queued``) whose videos join the paste's batch as the
    worker lists them; a source the list already expands or follows is
    reported in ``duplicate_sources`` instead. The playlist of a watch link
    with ``list=`` becomes an offer (state ``offered``, no batch). Sources
    take at most ``source_limit`` entries each (None: all); with
    ``ask_large`` (the UI, the API) one larger than
    ``IMPORT_SOURCE_CONFIRM_OVER`` waits for the user's choice before any of
    its videos is created, without it (the command line) it never asks.

    Raises :class:`LibraryError` for an unknown list, a paste of more than
    ``MAX_IDS_PER_PASTE`` video ids or ``MAX_SOURCES_PER_PASTE`` sources, and
    a ``source_limit`` below 1. A paste with nothing new creates no batch.
    """
    parsed = parse_paste(text)
    if len(parsed.video_ids) > MAX_IDS_PER_PASTE:
        raise LibraryError(
            f"One paste can hold at most {MAX_IDS_PER_PASTE} videos; this one has {len(parsed.video_ids)}."
        )
    if len(parsed.sources) > MAX_SOURCES_PER_PASTE:
        raise LibraryError(
            f"One paste can name at most {MAX_SOURCES_PER_PASTE} playlists and channels; "
            f"this one has {len(parsed.sources)}."
        )
    if source_limit is not None and source_limit < 1:
        raise LibraryError("A limit on a playlist or channel must be at least 1 video.")
    for attempt in range(PASTE_WRITE_ATTEMPTS):
        try:
            return _write_paste(db, list_id, parsed, source_limit=source_limit, ask_large=ask_large)
        except IntegrityError:
            # A paste or a source's page of the same video into the list committed in between: read again.
            if attempt + 1 == PASTE_WRITE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _write_paste(
    db: Database, list_id: int, parsed: PasteResult, *, source_limit: int | None, ask_large: bool
) -> PasteOutcome:
    """:func:`import_paste`'s transaction; raises ``IntegrityError`` when a concurrent write added one of its videos."""
    with db.write() as session:
        if session.get(VideoList, list_id) is None:
            raise LibraryError("That list no longer exists.")
        existing = set(
            session.exec(
                select(Video.youtube_id).where(Video.list_id == list_id, col(Video.youtube_id).in_(parsed.video_ids))
            ).all()
        )
        new_ids = [video_id for video_id in parsed.video_ids if video_id not in existing]
        plan = plan_sources(session, list_id, parsed.sources, parsed.playlist_offers)
        batch_id = None
        if new_ids or plan.new:
            batch = ImportBatch(list_id=list_id, total=len(new_ids))
            session.add(batch)
            session.flush()
            batch_id = batch.id
        if new_ids:
            now = utcnow()
            # One executemany on the table (not the ORM's bulk path, which
            # costs as much again per row); later rows sort first, so the
            # first link of the paste ends up on top.
            session.connection().execute(
                insert(Video.__table__),
                [
                    transitions.new_video_row(list_id, batch_id, video_id, created_at=now, updated_at=now)
                    for video_id in reversed(new_ids)
                ],
            )
        source_ids, offer_ids = insert_sources(
            session,
            list_id,
            batch_id,
            plan,
            entry_limit=source_limit,
            limit_chosen=source_limit is not None or not ask_large,
        )
    return PasteOutcome(
        batch_id=batch_id,
        created=tuple(new_ids),
        duplicates=tuple(v for v in parsed.video_ids if v in existing),
        repeated=parsed.repeated,
        rejected=parsed.rejected,
        sources=source_ids,
        duplicate_sources=plan.duplicates,
        offers=offer_ids,
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
                func.count().filter(FAILED_SQL),
                func.count().filter(CANCELLED_SQL),
                func.count().filter(finished, col(Video.updated_at) >= since),
                func.min(ImportBatch.created_at),
            )
            .select_from(Video)
            .join(ImportBatch, col(ImportBatch.id) == Video.batch_id)
            .where(which)
        )
        if not include_announced:
            query = query.where(col(ImportBatch.announced_at).is_(None))
        total, imported, failed, cancelled, recent, started = session.exec(query).one()
    window_s = RATE_WINDOW_S
    if started is not None:
        window_s = min(window_s, (now - _aware(started)).total_seconds())
    eta_s = estimate_remaining_s(total - imported - failed - cancelled, finished=recent, window_s=window_s)
    return BatchCounts(total=total, imported=imported, failed=failed, eta_s=eta_s, cancelled=cancelled)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def retry_failed(db: Database, list_id: int | None, video_ids: Sequence[int] | None = None) -> int:
    """Queue failed videos again from the stage that failed; returns how many.

    ``list_id`` None means every list (the search across all lists).
    ``video_ids`` limits the retry to those rows; None retries every failed
    video in scope. The retried videos leave their paste's batch for a new
    batch of their own, one per list, so the paste's summary is not announced
    again; the retry's batch announces its own summary ("3 imported, …") when
    done, and has its own transcription cap.
    """
    with db.write() as session:
        query = select(Video.id, Video.list_id).where(Video.import_stage == ImportStage.ERROR).order_by(col(Video.id))
        if list_id is not None:
            query = query.where(Video.list_id == list_id)
        if video_ids is not None:
            query = query.where(col(Video.id).in_(video_ids))
        by_list: dict[int, list[int]] = {}
        for video_id, row_list_id in session.exec(query.with_for_update()).all():
            by_list.setdefault(row_list_id, []).append(video_id)
        retried = 0
        for row_list_id, ids in by_list.items():
            retry_batch = ImportBatch(list_id=row_list_id, total=len(ids))
            session.add(retry_batch)
            session.flush()
            retried += transitions.retry(session, retry_batch.id, col(Video.id).in_(ids))
        return retried


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


def rename_list(db: Database, list_id: int, name: str) -> str:
    """Rename a list; returns the name as stored (runs of white space made one space).

    Raises :class:`LibraryError`, as :func:`create_list` does, for a blank
    (or only spaces), long or taken name, and for an unknown list.
    """
    name = _list_name(name)
    with db.write() as session:
        row = session.get(VideoList, list_id)
        if row is None:
            raise LibraryError("That list no longer exists.")
        _refuse_taken_name(session, name, own_id=list_id)
        row.name = name
        session.add(row)
    return name


def delete_list(db: Database, list_id: int) -> int:
    """Delete a list with its videos (chapters, transcripts, search windows), sources and batches; returns how many videos went.

    A video of the list that is importing stops at its worker's next write:
    its row is gone, so the fenced write raises ``LeaseLost`` and writes
    nothing (:mod:`robust_import_app.pipeline.queue.videos`); so does a source
    being expanded or checked. Raises
    :class:`LibraryError` for an unknown list and for the only list (the
    library always has one; the Inbox may go while another list exists).
    :func:`count_videos` gives the number for the confirmation beforehand.
    """
    with db.write() as session:
        if session.get(VideoList, list_id) is None:
            raise LibraryError("That list no longer exists.")
        if session.exec(select(VideoList.id).where(VideoList.id != list_id).limit(1)).first() is None:
            raise LibraryError("This is your only list. Create another list before deleting this one.")
        ids = _lock_videos(session, Video.list_id == list_id)
        _delete_video_rows(session, ids)
        session.exec(delete(ImportSource).where(ImportSource.list_id == list_id))
        batch_ids = select(ImportBatch.id).where(ImportBatch.list_id == list_id)
        session.exec(update(Video).where(col(Video.batch_id).in_(batch_ids)).values(batch_id=None))
        session.exec(delete(ImportBatch).where(ImportBatch.list_id == list_id))
        session.exec(delete(VideoList).where(VideoList.id == list_id))
        return len(ids)


def delete_videos(db: Database, list_id: int, video_row_ids: Sequence[int]) -> int:
    """Delete these videos of the list with their chapters, transcripts and search windows; returns how many.

    Ids of other lists or of no video are ignored. An importing video stops at
    its worker's next write, which finds the row gone and writes nothing (the
    fence, see :func:`delete_list`). A batch left with no video and no source is deleted too.
    """
    if not video_row_ids:
        return 0
    with db.write() as session:
        ids = _lock_videos(session, Video.list_id == list_id, col(Video.id).in_(list(video_row_ids)))
        batch_ids = set(session.exec(select(Video.batch_id).where(col(Video.id).in_(ids))).all()) - {None}
        _delete_video_rows(session, ids)
        if batch_ids:
            still_used = select(Video.batch_id).where(col(Video.batch_id).in_(batch_ids))
            sourced = select(ImportSource.batch_id).where(col(ImportSource.batch_id).in_(batch_ids))
            session.exec(
                delete(ImportBatch).where(
                    col(ImportBatch.id).in_(batch_ids),
                    col(ImportBatch.id).not_in(still_used),
                    col(ImportBatch.id).not_in(sourced),
                )
            )
        return len(ids)


def _lock_videos(session, *where) -> list[int]:
    """The ids of the videos ``where`` selects, locked until the transaction ends.

    On PostgreSQL the lock waits for a worker's write under way on those rows
    (a transcript being stored), so that the deletes that follow see its rows;
    on SQLite the write transaction already holds the database.
    """
    return list(session.exec(select(Video.id).where(*where).with_for_update()).all())


def _delete_video_rows(session, ids: Sequence[int]) -> None:
    """Delete the video rows ``ids`` and every row that refers to them."""
    if not ids:
        return
    for child in (TranscriptWindow, TranscriptSegmentRow, ChapterRow):
        session.exec(delete(child).where(col(child.video_id).in_(ids)))
    session.exec(delete(Video).where(col(Video.id).in_(ids)))


@dataclass(frozen=True, slots=True)
class MoveOutcome:
    """What a move or a copy did: ``moved`` videos went; ``refused_already_there`` were
    left where they are because the target list already holds their YouTube id."""

    moved: int
    refused_already_there: int


def move_videos(db: Database, video_row_ids: Sequence[int], target_list_id: int) -> MoveOutcome:
    """Move videos to another list, refused per video where the target already has its YouTube id.

    A moved video keeps its place in the list's order (its ``created_at``)
    and leaves its batch (``batch_id`` NULL): the source list's banner and
    summary stop counting it; an unfinished one goes on importing. Raises
    :class:`LibraryError` for an unknown target list.
    """
    with db.write() as session:
        rows, taken = _source_rows(session, video_row_ids, target_list_id)
        moving = [row.id for row in rows if row.youtube_id not in taken and row.list_id != target_list_id]
        if moving:
            session.exec(
                update(Video)
                .where(col(Video.id).in_(moving))
                .values(list_id=target_list_id, batch_id=None, updated_at=utcnow())
            )
    return MoveOutcome(moved=len(moving), refused_already_there=len(rows) - len(moving))


def copy_videos(db: Database, video_row_ids: Sequence[int], target_list_id: int) -> MoveOutcome:
    """Copy videos to another list with their metadata, chapters, transcript and search windows.

    Refused per video where the target already has its YouTube id (as
    :func:`move_videos`). A copy belongs to no batch and holds no lease; the
    copy of an unfinished video is imported from the stage its source was
    in. Raises :class:`LibraryError` for an unknown target list.
    """
    with db.write() as session:
        rows, taken = _source_rows(session, video_row_ids, target_list_id)
        copying = [row for row in rows if row.youtube_id not in taken]
        now = utcnow()
        for row in copying:
            copy = Video.model_validate(
                row.model_dump(exclude={"id", "list_id", "batch_id", "claimed_by", "claimed_until", "lease_token"})
                | {"list_id": target_list_id, "whisper_reserved_s": None, "created_at": now, "updated_at": now}
            )
            session.add(copy)
            session.flush()
            _copy_children(session, row.id, copy.id)
    return MoveOutcome(moved=len(copying), refused_already_there=len(rows) - len(copying))


def _source_rows(session, video_row_ids: Sequence[int], target_list_id: int) -> tuple[list[Video], set[str]]:
    """The videos to move or copy, and the YouTube ids the target list already holds."""
    if session.get(VideoList, target_list_id) is None:
        raise LibraryError("That list no longer exists.")
    if not video_row_ids:
        return [], set()
    rows = list(session.exec(select(Video).where(col(Video.id).in_(list(video_row_ids)))).all())
    taken = set(
        session.exec(
            select(Video.youtube_id).where(
                Video.list_id == target_list_id, col(Video.youtube_id).in_([row.youtube_id for row in rows])
            )
        ).all()
    )
    return rows, taken


def _copy_children(session, source_id: int, copy_id: int) -> None:
    """Copy the chapters, transcript segments and search windows of ``source_id`` to ``copy_id``."""
    columns = {
        ChapterRow: ("start_s", "end_s", "title"),
        TranscriptSegmentRow: ("start_s", "duration_s", "text", "language", "source"),
        TranscriptWindow: ("start_s", "text"),
    }
    for table, names in columns.items():
        source = select(literal(copy_id), *(getattr(table, name) for name in names)).where(table.video_id == source_id)
        session.exec(insert(table).from_select(["video_id", *names], source))


def cancel_videos(db: Database, video_row_ids: Sequence[int]) -> int:
    """Cancel the import of these videos; returns how many were still importing.

    One write per call: each unfinished video becomes ``error`` with the code
    ``cancelled`` (:data:`ErrorCode.CANCELLED`), ``failed_stage`` the stage it
    was in (Retry resumes there), and its lease cleared. The worker that
    holds it finds its lease gone at its next write (the stage boundary, or
    the heartbeat's renewal, whichever comes first) and stops without writing;
    the batch summary counts it as cancelled. Finished videos are left as they are.
    """
    if not video_row_ids:
        return 0
    return _cancel(db, col(Video.id).in_(list(video_row_ids)))


def cancel_batch(db: Database, batch_id: int) -> int:
    """Cancel every unfinished video of a batch, as :func:`cancel_videos`, and its sources; returns how many videos.

    A source of the batch still listing pages (or waiting for a choice) is
    cancelled too: no more of its videos are created; one being listed stops
    at its worker's page write, which finds its lease gone.
    """
    return _cancel(db, Video.batch_id == batch_id, sources_of_batch=batch_id)


def _cancel(db: Database, which, *, sources_of_batch: int | None = None) -> int:
    with db.write() as session:
        if sources_of_batch is not None:
            cancel_sources(session, ImportSource.batch_id == sources_of_batch)
        return transitions.cancel(session, which)


def open_batch_ids(db: Database, list_id: int) -> list[int]:
    """The list's batches whose summary has not gone out yet, oldest first (the banner's Cancel)."""
    with db.read() as session:
        return list(
            session.exec(
                select(ImportBatch.id)
                .where(ImportBatch.list_id == list_id, col(ImportBatch.announced_at).is_(None))
                .order_by(col(ImportBatch.id))
            ).all()
        )
