"""A list's videos read in keyset-paginated chunks, each video with its chapters.

A chunk is one short read session: ``WHERE list_id = ? AND (created_at, id) <
(?, ?) ORDER BY created_at DESC, id DESC LIMIT n`` — newest first, the order
the list shows (:func:`robust_import_app.library.page_of_videos`), walking the
index ``ix_video_list_page (list_id, created_at, id)`` with no sort and no
OFFSET — then one query for the chapters of the chunk's videos. No transaction or connection stays open
between chunks, so a slow download holds nothing in the database, and memory
holds one chunk at a time whatever the list's size. Videos added while an
export runs are not in it (they sort before the first chunk).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlmodel import col, select

from robust_import_app.db import Database
from robust_import_app.domain.video import watch_url
from robust_import_app.models import ChapterRow, Video

DEFAULT_CHUNK_ROWS = 1000
"""Videos per read; also below SQLite's limit of bound parameters for the chapters' ``IN`` list."""


@dataclass(frozen=True, slots=True)
class ChapterRecord:
    """One chapter; times in seconds from the start of the video."""

    start_s: float
    end_s: float
    title: str


@dataclass(frozen=True, slots=True)
class VideoRecord:
    """Every stored field of a video that an export carries.

    ``id`` is the library's row id, ``youtube_id`` the 11-character video id,
    ``url`` its canonical watch URL; ``duration_s`` is in seconds;
    ``published`` a date; ``caption_source``, ``import_stage`` and
    ``failed_stage`` are the enums' values (``"manual"``, ``"complete"``);
    ``error_code``/``error_message`` say why an ``error`` video failed;
    ``added_at`` is when it entered the list (UTC).
    """

    id: int
    youtube_id: str
    url: str
    title: str
    channel: str
    duration_s: int | None
    published: dt.date | None
    description: str
    language: str | None
    caption_source: str | None
    caption_language: str | None
    chapters: tuple[ChapterRecord, ...]
    import_stage: str
    failed_stage: str | None
    error_code: str | None
    error_message: str | None
    note: str | None
    added_at: dt.datetime


KeysetRow = sa.Row[*tuple[Any, ...]]
"""One row of :func:`keyset_pages`: ``(created_at, id, *columns)``."""

_KEY_COLUMNS = (col(Video.created_at), col(Video.id))

_VIDEO_COLUMNS = (
    col(Video.youtube_id),
    col(Video.title),
    col(Video.channel),
    col(Video.duration_s),
    col(Video.published),
    col(Video.description),
    col(Video.language),
    col(Video.caption_source),
    col(Video.caption_language),
    col(Video.import_stage),
    col(Video.failed_stage),
    col(Video.error_code),
    col(Video.error_message),
    col(Video.note),
)


def keyset_pages(
    db: Database, list_id: int, columns: Sequence[Mapped[Any]], *, chunk_rows: int
) -> Iterator[Sequence[KeysetRow]]:
    """The list's rows, newest first, ``chunk_rows`` per page: ``(created_at, id, *columns)`` each.

    Each page is read in a session of its own; raises ``ValueError`` for
    ``chunk_rows`` < 1 and whatever SQLAlchemy raises on a database error.
    """
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, not {chunk_rows}")
    after: tuple[dt.datetime, int] | None = None
    while True:
        query = sa.select(*_KEY_COLUMNS, *columns).where(col(Video.list_id) == list_id)
        if after is not None:
            query = query.where(sa.tuple_(*_KEY_COLUMNS) < after)
        query = query.order_by(col(Video.created_at).desc(), col(Video.id).desc()).limit(chunk_rows)
        with db.read() as session:
            # Core execution: plain rows, without the ORM's per-row bookkeeping.
            rows = session.connection().execute(query).all()
        if not rows:
            return
        yield rows
        if len(rows) < chunk_rows:
            return
        after = (rows[-1][0], rows[-1][1])


def iter_video_chunks(
    db: Database, list_id: int, *, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> Iterator[list[VideoRecord]]:
    """The list's videos with their chapters, newest first, at most ``chunk_rows`` per chunk.

    Two queries per chunk (videos, then their chapters); an unknown or empty
    list yields nothing.
    """
    for rows in keyset_pages(db, list_id, _VIDEO_COLUMNS, chunk_rows=chunk_rows):
        chapters = _chapters_of(db, [row[1] for row in rows])
        yield [_record(row, chapters.get(row[1], ())) for row in rows]


def _chapters_of(db: Database, video_row_ids: list[int]) -> dict[int, tuple[ChapterRecord, ...]]:
    by_video: dict[int, list[ChapterRecord]] = defaultdict(list)
    with db.read() as session:
        rows = (
            session.connection()
            .execute(
                select(ChapterRow.video_id, ChapterRow.start_s, ChapterRow.end_s, ChapterRow.title)
                .where(col(ChapterRow.video_id).in_(video_row_ids))
                .order_by(col(ChapterRow.video_id), col(ChapterRow.start_s), col(ChapterRow.id))
            )
            .all()
        )
    for video_id, start_s, end_s, title in rows:
        by_video[video_id].append(ChapterRecord(start_s=start_s, end_s=end_s, title=title))
    return {video_id: tuple(chapters) for video_id, chapters in by_video.items()}


def _record(row: KeysetRow, chapters: tuple[ChapterRecord, ...]) -> VideoRecord:
    (
        created_at,
        row_id,
        youtube_id,
        title,
        channel,
        duration_s,
        published,
        description,
        language,
        caption_source,
        caption_language,
        import_stage,
        failed_stage,
        error_code,
        error_message,
        note,
    ) = row
    return VideoRecord(
        id=row_id,
        youtube_id=youtube_id,
        url=watch_url(youtube_id),
        title=title,
        channel=channel,
        duration_s=duration_s,
        published=published,
        description=description,
        language=language,
        caption_source=_value(caption_source),
        caption_language=caption_language,
        chapters=chapters,
        import_stage=str(import_stage),
        failed_stage=_value(failed_stage),
        error_code=error_code,
        error_message=error_message,
        note=note,
        # SQLite hands back naive datetimes; they are UTC.
        added_at=created_at if created_at.tzinfo else created_at.replace(tzinfo=dt.UTC),
    )


def _value(member: object) -> str | None:
    """An enum column's value (``StrEnum`` members print as their value), or None."""
    return None if member is None else str(member)
