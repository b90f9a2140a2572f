"""What each source has listed into its list: source_video (source_id, youtube_id)

A follow check takes these video ids for known, so a video the user deleted
is not added again by the source that added it.

Revision ID: a1f7c3e9d5b8
Revises: b9e4c2f7a1d6
Create Date: 2026-12-08 02:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "a1f7c3e9d5b8"
down_revision: str | None = "b9e4c2f7a1d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_video",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("youtube_id", sqlmodel.sql.sqltypes.AutoString(length=11), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["import_source.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("source_id", "youtube_id"),
    )


def downgrade() -> None:
    op.drop_table("source_video")
