"""Phrase search on PostgreSQL: the hashed adjacent word pairs of each video's title, channel and description, GIN-indexed

A generated column: PostgreSQL fills it for the existing videos here and
keeps it with the text. SQLite's FTS5 keeps word positions in its index
and needs nothing here.

Revision ID: b9e4c2f7a1d6
Revises: f6b4d2a8c3e9
Create Date: 2026-12-04 21:40:00.000000
"""

from collections.abc import Sequence

from alembic import op
from robust_import_app.search import index

revision: str = "b9e4c2f7a1d6"
down_revision: str | None = "f6b4d2a8c3e9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in index.POSTGRES_VIDEO_PAIRS_CREATE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in index.POSTGRES_VIDEO_PAIRS_DROP:
            op.execute(statement)
