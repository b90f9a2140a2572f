"""The database tables (SQLModel); the alembic migrations under ``alembic/`` create them."""

from robust_import_app.models.tables import (
    ChapterRow,
    ImportBatch,
    TranscriptSegmentRow,
    Video,
    VideoList,
    utcnow,
)

__all__ = [
    "ChapterRow",
    "ImportBatch",
    "TranscriptSegmentRow",
    "Video",
    "VideoList",
    "utcnow",
]
