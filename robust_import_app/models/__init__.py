"""The database tables (SQLModel); the alembic migrations under ``alembic/`` create them."""

from robust_import_app.models.tables import (
    UNFINISHED_SQL,
    ChapterRow,
    ImportBatch,
    ImportSource,
    TranscriptSegmentRow,
    Video,
    VideoList,
    utcnow,
)

__all__ = [
    "UNFINISHED_SQL",
    "ChapterRow",
    "ImportBatch",
    "ImportSource",
    "TranscriptSegmentRow",
    "Video",
    "VideoList",
    "utcnow",
]
