"""The library's pages over all lists in "date added" order: an index on video (created_at, id)

Revision ID: e5a3c9d7f1b2
Revises: d4f2b8c6e1a7
Create Date: 2026-12-02 19:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e5a3c9d7f1b2"
down_revision: str | None = "d4f2b8c6e1a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_video_added", "video", ["created_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_video_added", table_name="video")
