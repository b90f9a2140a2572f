"""Transcript windows and the full-text search index (FTS5 on SQLite, tsvector + GIN on PostgreSQL)

Existing transcripts are cut into windows and every existing video and
window is indexed here, so a library imported before search finds itself.

Revision ID: c7e5a1d9b2f3
Revises: b3c1f0a2d4e5
Create Date: 2026-12-08 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from robust_import_app.search import index
from robust_import_app.search.windows import backfill_windows

revision: str = "c7e5a1d9b2f3"
down_revision: str | None = "b3c1f0a2d4e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transcript_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("video_id", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Float(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["video.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_transcript_window_video_id", "transcript_window", ["video_id"], unique=False)
    backfill_windows(op.get_bind())
    if op.get_bind().dialect.name == "sqlite":
        for statement in index.SQLITE_CREATE + index.SQLITE_REBUILD:
            op.execute(statement)
    else:
        for statement in index.POSTGRES_CREATE:
            op.execute(statement)


def downgrade() -> None:
    drop = index.SQLITE_DROP if op.get_bind().dialect.name == "sqlite" else index.POSTGRES_DROP
    for statement in drop:
        op.execute(statement)
    op.drop_index("ix_transcript_window_video_id", table_name="transcript_window")
    op.drop_table("transcript_window")
