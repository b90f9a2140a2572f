"""Phrase search on PostgreSQL: the hashed adjacent word pairs of each transcript window and a marker of its list, GIN-indexed

The existing windows' pairs are written here; triggers write those of
later ones and change the marker of a video moved to another list.
SQLite's FTS5 keeps word positions in its index and needs nothing here.

Revision ID: f6b4d2a8c3e9
Revises: a8d3f5c1e7b9
Create Date: 2026-12-03 19:00:00.000000
"""

from collections.abc import Sequence

from alembic import op
from robust_import_app.search import index

revision: str = "f6b4d2a8c3e9"
down_revision: str | None = "a8d3f5c1e7b9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in index.POSTGRES_PAIRS_CREATE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in index.POSTGRES_PAIRS_DROP:
            op.execute(statement)
