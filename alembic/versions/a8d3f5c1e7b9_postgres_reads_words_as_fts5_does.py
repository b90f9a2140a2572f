"""PostgreSQL reads words as FTS5 and the search box do: punctuation separates words

PostgreSQL's parser keeps ``e-mail``, ``3.5`` and URLs as words of their own
(``e-mail`` also as ``e``, ``mail`` one position later), so a phrase typed
with them, which the search box splits as FTS5 does, missed on PostgreSQL.
The ``tsvector`` columns are made again from the text with its separators
turned into spaces; PostgreSQL rewrites every row. SQLite is unchanged.

Revision ID: a8d3f5c1e7b9
Revises: e5a3c9d7f1b2
Create Date: 2026-12-04 18:30:00.000000
"""

from collections.abc import Sequence

from alembic import op
from robust_import_app.search import index

revision: str = "a8d3f5c1e7b9"
down_revision: str | None = "e5a3c9d7f1b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in index.POSTGRES_WORDS_CREATE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in index.POSTGRES_WORDS_DROP:
            op.execute(statement)
