"""SQLModel tables: lists, videos, transcript segments, chapters, import batches, sources.

Times are UTC; durations and offsets are in seconds.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from robust_import_app.domain.sources import ChannelTab, Lister, SourceKind, SourceState
from robust_import_app.domain.stages import ImportStage, Stage, stage_named
from robust_import_app.domain.video import CaptionSource


def _enum_column(
    enum_cls: type[enum.StrEnum], *, nullable: bool, index: bool = False, default: enum.StrEnum | None = None
) -> sa.Column:
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
        default=default,
    )


class StageColumn(sa.types.TypeDecorator[Stage]):
    """A VARCHAR(16) holding a stage's name: read back as the :class:`ImportStage` member or, for
    a name a stage table added, its :class:`~robust_import_app.domain.stages.StageName`
    (:func:`~robust_import_app.domain.stages.stage_named`).

    Unlike ``sa.Enum`` it takes names beyond the enum's; the database sees
    the same VARCHAR(16) column. The model fields stay annotated
    :class:`ImportStage` (pydantic knows no ``StageName``): an added stage's
    name reads as a ``StageName``, which has the same ``value``,
    ``progress`` and ``is_terminal``.
    """

    impl = sa.String(16)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> Stage | None:
        return None if value is None else stage_named(value)


UNFINISHED_SQL = sa.text("import_stage NOT IN ('complete', 'error')")
"""The partial indexes' condition for rows the queue still works on (SQLite and PostgreSQL)."""
HELD_SQL = sa.text("claimed_by IS NOT NULL")
RETRY_SQL = sa.text("next_attempt_at IS NOT NULL")
SOURCE_WORK_SQL = sa.text("state IN ('queued', 'expanding', 'offered')")
"""The partial index's condition for sources the worker may still list a page of."""


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

    ``ix_video_list_page`` pages one list in "date added" order, ``ix_video_added``
    every list (the library page without a search text). The partial indexes
    serve the queue: ``ix_video_due`` the claim (unfinished rows per batch),
    ``ix_video_held`` the in-flight counts, ``ix_video_retry`` the next
    scheduled attempt; finished rows, the bulk of a library, are in none of them.
    """

    __tablename__ = "video"
    __table_args__ = (
        sa.UniqueConstraint("list_id", "youtube_id", name="uq_video_list_youtube_id"),
        sa.Index("ix_video_list_page", "list_id", "created_at", "id"),
        sa.Index("ix_video_added", "created_at", "id"),
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
        sa_column=sa.Column(StageColumn(), nullable=False, index=True),
    )
    import_progress: int = 0
    failed_stage: ImportStage | None = Field(default=None, sa_column=sa.Column(StageColumn(), nullable=True))
    error_code: str | None = Field(default=None, max_length=32)
    error_message: str | None = None
    attempt_count: int = 0
    next_attempt_at: dt.datetime | None = None
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_until: dt.datetime | None = None
    lease_token: str | None = Field(default=None, max_length=32)
    whisper_reserved_s: float | None = None
    caption_source: CaptionSource | None = Field(default=None, sa_column=_enum_column(CaptionSource, nullable=True))
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


class ImportSource(SQLModel, table=True):
    """One pasted playlist or channel of one list, expanded page by page into videos of ``batch_id``.

    ``kind``/``key``/``tab`` are the :class:`~robust_import_app.youtube.sources.SourceRef`;
    ``title`` and ``channel_id`` are learned from the first page. ``lister``
    records how the entries were listed (yt-dlp's flat extraction or the
    Data API; ``api_playlist_id`` is the playlist the Data API pages
    through, a channel's uploads). ``cursor`` is where the next page starts
    (None: the first page). ``found`` counts the entries listed so far, of
    which ``private`` and ``deleted`` were not imported and ``duplicates``
    were already in the list; ``total`` is the count the source reports
    (None when it reports none). ``entry_limit`` is the chosen cap on
    ``found`` (None: all); ``limit_chosen`` is set once the user chose (or
    the paste came with a choice), so a large source does not ask twice;
    ``sized`` once an offer's first page told its size.

    Retries and leases are the video's: ``attempt_count``/``next_attempt_at``
    hold the backoff, ``claimed_by``/``claimed_until``/``lease_token`` lease
    the row to one worker and every write of the worker names holder and
    token (:mod:`robust_import_app.pipeline.queue.sources`). Following:
    ``next_check_at`` is the next feed check (None while not followed or
    paused), ``added_by_follow`` the videos checks added. ``finished_at`` is
    when it reached done, failed or cancelled; ``dismissed_at`` when the user
    put its card away.

    ``ix_import_source_work`` serves the claim of sources with pages to list,
    ``ix_import_source_check`` the claim of due follow checks.
    """

    __tablename__ = "import_source"
    __table_args__ = (
        sa.Index("ix_import_source_list", "list_id", "id"),
        sa.Index(
            "ix_import_source_work",
            "next_attempt_at",
            "id",
            sqlite_where=SOURCE_WORK_SQL,
            postgresql_where=SOURCE_WORK_SQL,
        ),
        sa.Index("ix_import_source_check", "next_check_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="video_list.id")
    batch_id: int | None = Field(default=None, foreign_key="import_batch.id", index=True)
    kind: SourceKind = Field(sa_column=_enum_column(SourceKind, nullable=False))
    key: str = Field(max_length=200)
    tab: ChannelTab | None = Field(default=None, sa_column=_enum_column(ChannelTab, nullable=True))
    title: str = ""
    channel_id: str | None = Field(default=None, max_length=32)
    state: SourceState = Field(
        default=SourceState.QUEUED,
        sa_column=_enum_column(SourceState, nullable=False, default=SourceState.QUEUED),
    )
    lister: Lister | None = Field(default=None, sa_column=_enum_column(Lister, nullable=True))
    api_playlist_id: str | None = Field(default=None, max_length=64)
    cursor: str | None = None
    found: int = 0
    total: int | None = None
    private: int = 0
    deleted: int = 0
    duplicates: int = 0
    entry_limit: int | None = None
    limit_chosen: bool = False
    sized: bool = False
    attempt_count: int = 0
    next_attempt_at: dt.datetime | None = None
    error_code: str | None = Field(default=None, max_length=32)
    error_message: str | None = None
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_until: dt.datetime | None = None
    lease_token: str | None = Field(default=None, max_length=32)
    following: bool = False
    follow_paused: bool = False
    next_check_at: dt.datetime | None = None
    last_checked_at: dt.datetime | None = None
    added_by_follow: int = 0
    last_check_error: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    finished_at: dt.datetime | None = None
    dismissed_at: dt.datetime | None = None


class SourceVideo(SQLModel, table=True):
    """A video id a source has listed into its list: one it created there, or found there already.

    Written with each page an expansion stores and each follow check; a
    check takes these for known, so a video the user deleted from the list
    is not added again by its source. Deleted with its source.
    """

    __tablename__ = "source_video"

    source_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("import_source.id", ondelete="CASCADE"), primary_key=True)
    )
    youtube_id: str = Field(primary_key=True, max_length=11)
