"""Sources: the playlists and channels pasted into a list, expanded page by page and followed

Revision ID: d4f2b8c6e1a7
Revises: c7e5a1d9b2f3
Create Date: 2026-12-10 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "d4f2b8c6e1a7"
down_revision: str | None = "c7e5a1d9b2f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCE_WORK = sa.text("state IN ('queued', 'expanding', 'offered')")


def _enum(*values: str, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=16)


def upgrade() -> None:
    string = sqlmodel.sql.sqltypes.AutoString
    when = sqlmodel.sql.sqltypes.UTCDateTime
    op.create_table(
        "import_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("kind", _enum("playlist", "channel", name="sourcekind"), nullable=False),
        sa.Column("key", string(length=200), nullable=False),
        sa.Column("tab", _enum("videos", "shorts", "streams", name="channeltab"), nullable=True),
        sa.Column("title", string(), nullable=False),
        sa.Column("channel_id", string(length=32), nullable=True),
        sa.Column(
            "state",
            _enum(
                "queued", "expanding", "awaiting_choice", "offered", "done", "failed", "cancelled", name="sourcestate"
            ),
            nullable=False,
        ),
        sa.Column("lister", _enum("ytdlp_flat", "data_api", "feed", name="lister"), nullable=True),
        sa.Column("api_playlist_id", string(length=64), nullable=True),
        sa.Column("cursor", string(), nullable=True),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("private", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("entry_limit", sa.Integer(), nullable=True),
        sa.Column("limit_chosen", sa.Boolean(), nullable=False),
        sa.Column("sized", sa.Boolean(), nullable=False),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", when(), nullable=True),
        sa.Column("error_code", string(length=32), nullable=True),
        sa.Column("error_message", string(), nullable=True),
        sa.Column("claimed_by", string(length=128), nullable=True),
        sa.Column("claimed_until", when(), nullable=True),
        sa.Column("lease_token", string(length=32), nullable=True),
        sa.Column("following", sa.Boolean(), nullable=False),
        sa.Column("follow_paused", sa.Boolean(), nullable=False),
        sa.Column("next_check_at", when(), nullable=True),
        sa.Column("last_checked_at", when(), nullable=True),
        sa.Column("added_by_follow", sa.Integer(), nullable=False),
        sa.Column("last_check_error", string(), nullable=True),
        sa.Column("created_at", when(), nullable=False),
        sa.Column("updated_at", when(), nullable=False),
        sa.Column("finished_at", when(), nullable=True),
        sa.Column("dismissed_at", when(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batch.id"],
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["video_list.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_import_source_batch_id", "import_source", ["batch_id"], unique=False)
    op.create_index("ix_import_source_list", "import_source", ["list_id", "id"], unique=False)
    op.create_index(
        "ix_import_source_work",
        "import_source",
        ["next_attempt_at", "id"],
        sqlite_where=SOURCE_WORK,
        postgresql_where=SOURCE_WORK,
    )
    op.create_index("ix_import_source_check", "import_source", ["next_check_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_import_source_check", table_name="import_source")
    op.drop_index("ix_import_source_work", table_name="import_source")
    op.drop_index("ix_import_source_list", table_name="import_source")
    op.drop_index("ix_import_source_batch_id", table_name="import_source")
    op.drop_table("import_source")
