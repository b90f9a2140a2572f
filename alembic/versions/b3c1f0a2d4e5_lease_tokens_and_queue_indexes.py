"""Lease tokens, per-video Whisper reservations and the queue's partial indexes

Revision ID: b3c1f0a2d4e5
Revises: 6919676733f9
Create Date: 2026-12-01 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "b3c1f0a2d4e5"
down_revision: str | None = "6919676733f9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNFINISHED = sa.text("import_stage NOT IN ('complete', 'error')")
HELD = sa.text("claimed_by IS NOT NULL")
RETRY = sa.text("next_attempt_at IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("video", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_token", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column("whisper_reserved_s", sa.Float(), nullable=True))
    op.create_index("ix_video_due", "video", ["batch_id", "id"], sqlite_where=UNFINISHED, postgresql_where=UNFINISHED)
    op.create_index("ix_video_held", "video", ["batch_id", "claimed_until"], sqlite_where=HELD, postgresql_where=HELD)
    op.create_index("ix_video_retry", "video", ["next_attempt_at"], sqlite_where=RETRY, postgresql_where=RETRY)


def downgrade() -> None:
    op.drop_index("ix_video_retry", table_name="video")
    op.drop_index("ix_video_held", table_name="video")
    op.drop_index("ix_video_due", table_name="video")
    with op.batch_alter_table("video", schema=None) as batch_op:
        batch_op.drop_column("whisper_reserved_s")
        batch_op.drop_column("lease_token")
