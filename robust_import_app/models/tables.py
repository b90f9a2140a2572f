"""SQLModel tables: lists, videos, transcript segments, chapters, import batches.

Times are UTC; durations and offsets are in seconds.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from robust_import_app.pipeline.stage import ImportStage
from robust_import_app.youtube.data import CaptionSource


def _enum_column(enum_cls: type[enum.StrEnum], *, nullable: bool, index: bool = False) -> sa.Column:
    """A VARCHAR column holding the enum's *values* (``"created"``), not its names."""
    return sa.Column(
        sa.Enum(
            enum_cls,
            native_enum=False,
            create_constraint=False,
            length=16,
            values_callable=lambda members: [m.value for m in members],
        ),
        nullable=nullable,
        index=index,
    )


UNFINISHED_SQL = sa.text("import_stage NOT IN ('complete', 'error')")
"""The partial indexes' condition for rows the queue still works on (SQLite and PostgreSQL)."""
HELD_SQL = sa.text("claimed_by IS NOT NULL")
RETRY_SQL = sa.text("next_attempt_at IS NOT NULL")


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC (what the datetime columns take)."""
    return dt.datetime.now(dt.UTC)


class VideoList(SQLModel, table=True):
    """A named list of videos ("Inbox" exists from the first start)."""

    __tablename__ = "video_list"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, sa_column_kwargs={"unique": True})
    created_at: dt.datetime = Field(default_factory=utcnow)


class ImportBatch(SQLModel, table=True):
    """One paste: the videos it created share its id.

    ``announced_at`` is set once its summary toast went out;
    ``whisper_seconds`` counts transcribed audio against the per-batch cap.
    """

    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="video_list.id", index=True)
    total: int = 0
    created_at: dt.datetime = Field(default_factory=utcnow)
    announced_at: dt.datetime | None = None
    whisper_seconds: float = 0.0


class Video(SQLModel, table=True):
    """One video in one list, with its import state.

    ``import_stage`` is committed before each stage runs; ``failed_stage`` is
    where an ``error`` happened, so that a retry resumes there.
    ``next_attempt_at`` holds the backoff schedule of a transient failure;
    ``claimed_by``/``claimed_until``/``lease_token`` lease the row to one
    worker: every write of the worker names its holder and token, so a worker
    whose lease was taken over writes nothing. ``whisper_reserved_s`` is the
    audio this video counts against its batch's transcription cap (reserved
    once per video, however often the stage runs).

    The partial indexes serve the queue: ``ix_video_due`` the claim (unfinished
    rows per batch), ``ix_video_held`` the in-flight counts, ``ix_video_retry``
    the next scheduled attempt; finished rows, the bulk of a library, are in
    none of them.
    """

    __tablename__ = "video"
    __table_args__ = (
        sa.UniqueConstraint("list_id", "youtube_id", name="uq_video_list_youtube_id"),
        sa.Index("ix_video_list_page", "list_id", "created_at", "id"),
        sa.Index("ix_video_due", "batch_id", "id", sqlite_where=UNFINISHED_SQL, postgresql_where=UNFINISHED_SQL),
        sa.Index("ix_video_held", "batch_id", "claimed_until", sqlite_where=HELD_SQL, postgresql_where=HELD_SQL),
        sa.Index("ix_video_retry", "next_attempt_at", sqlite_where=RETRY_SQL, postgresql_where=RETRY_SQL),
    )

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="video_list.id")
    batch_id: int | None = Field(default=None, foreign_key="import_batch.id", index=True)
    youtube_id: str = Field(max_length=11)
    title: str = ""
    channel: str = ""
    duration_s: int | None = None
    published: dt.date | None = None
    description: str = ""
    thumbnail_url: str = ""
    language: str | None = None
    import_stage: ImportStage = Field(
        default=ImportStage.CREATED,
        sa_column=_enum_column(ImportStage, nullable=False, index=True),
    )
    import_progress: int = 0
    failed_stage: ImportStage | None = Field(
        default=None, sa_column=_enum_column(ImportStage, nullable=True)
    )
    error_code: str | None = Field(default=None, max_length=32)
    error_message: str | None = None
    attempt_count: int = 0
    next_attempt_at: dt.datetime | None = None
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_until: dt.datetime | None = None
    lease_token: str | None = Field(default=None, max_length=32)
    whisper_reserved_s: float | None = None
    caption_source: CaptionSource | None = Field(
        default=None, sa_column=_enum_column(CaptionSource, nullable=True)
    )
    caption_language: str | None = Field(default=None, max_length=16)
    note: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class TranscriptSegmentRow(SQLModel, table=True):
    """One cue of a video's transcript."""

    __tablename__ = "transcript_segment"

    id: int | None = Field(default=None, primary_key=True)
    video_id: int = Field(foreign_key="video.id", index=True)
    start_s: float
    duration_s: float
    text: str
    language: str | None = Field(default=None, max_length=16)
    source: CaptionSource = Field(sa_column=_enum_column(CaptionSource, nullable=False))


class ChapterRow(SQLModel, table=True):
    """One chapter of a video."""

    __tablename__ = "chapter"

    id: int | None = Field(default=None, primary_key=True)
    video_id: int = Field(foreign_key="video.id", index=True)
    start_s: float
    end_s: float
    title: str


class TranscriptWindow(SQLModel, table=True):
    """About 45 s of a video's transcript as one searchable text (see ``search/windows.py``).

    ``start_s`` is the start of its first cue. The full-text index over
    ``text`` is created by the migration (FTS5 on SQLite, a generated
    ``tsvector`` column on PostgreSQL), not by this model.
    """

    __tablename__ = "transcript_window"

    id: int | None = Field(default=None, primary_key=True)
    video_id: int = Field(foreign_key="video.id", index=True)
    start_s: float
    text: str
