"""The full-text index of the library, per database engine, as the migration creates it.

SQLite: two FTS5 external-content tables (the text stays in ``video`` and
``transcript_window``; FTS5 keeps only the inverted index), kept in sync by
triggers. ``video_fts`` indexes title, channel, description, ranked by
``bm25`` with the weights ``TITLE_WEIGHT``, ``CHANNEL_WEIGHT``,
``DESCRIPTION_WEIGHT``; ``transcript_window_fts`` indexes the windows.
Tokenizer ``unicode61 remove_diacritics 2`` (lowercase, accents folded, no
stemming); prefix indexes of 2 and 3 characters keep as-you-type prefix
queries off full term scans.

PostgreSQL: generated ``tsvector`` columns with GIN indexes, in the
``simple`` configuration (lowercase, no stemming, no stop words; like
unicode61 but without accent folding): ``video.search_tsv`` weights title
``A``, channel ``B``, description ``C``; ``transcript_window.text_tsv``.

The migration ``c7e5a1d9b2f3`` runs these statements: a later change of the
index needs a migration of its own that goes from these to the new ones.
"""

from __future__ import annotations

TITLE_WEIGHT = 10.0
CHANNEL_WEIGHT = 4.0
DESCRIPTION_WEIGHT = 1.0
CHANNEL_TSV_WEIGHT = "B"
"""The ``tsvector`` weight of the channel's words on PostgreSQL (``channel:`` matches only these)."""

WINDOW_VIDEO_INDEX = "ix_transcript_window_id_video_id"
"""SQLite index of ``transcript_window (id, video_id)``; the search names it (``INDEXED BY``) because the
planner prefers the table's own rowid, whose rows hold whole texts."""

_TOKENIZE = "tokenize='unicode61 remove_diacritics 2', prefix='2 3'"

SQLITE_CREATE: tuple[str, ...] = (
    f"CREATE VIRTUAL TABLE video_fts USING fts5(title, channel, description, "
    f"content='video', content_rowid='id', {_TOKENIZE})",
    f"INSERT INTO video_fts(video_fts, rank) VALUES "
    f"('rank', 'bm25({TITLE_WEIGHT}, {CHANNEL_WEIGHT}, {DESCRIPTION_WEIGHT})')",
    "CREATE TRIGGER video_fts_insert AFTER INSERT ON video BEGIN "
    "INSERT INTO video_fts(rowid, title, channel, description) "
    "VALUES (new.id, new.title, new.channel, new.description); "
    "END",
    "CREATE TRIGGER video_fts_delete AFTER DELETE ON video BEGIN "
    "INSERT INTO video_fts(video_fts, rowid, title, channel, description) "
    "VALUES ('delete', old.id, old.title, old.channel, old.description); "
    "END",
    # Only a change of the indexed columns reindexes: the queue updates
    # progress and leases of a row many times per import.
    "CREATE TRIGGER video_fts_update AFTER UPDATE OF title, channel, description ON video BEGIN "
    "INSERT INTO video_fts(video_fts, rowid, title, channel, description) "
    "VALUES ('delete', old.id, old.title, old.channel, old.description); "
    "INSERT INTO video_fts(rowid, title, channel, description) "
    "VALUES (new.id, new.title, new.channel, new.description); "
    "END",
    f"CREATE VIRTUAL TABLE transcript_window_fts USING fts5(text, "
    f"content='transcript_window', content_rowid='id', {_TOKENIZE})",
    "CREATE TRIGGER transcript_window_fts_insert AFTER INSERT ON transcript_window BEGIN "
    "INSERT INTO transcript_window_fts(rowid, text) VALUES (new.id, new.text); "
    "END",
    "CREATE TRIGGER transcript_window_fts_delete AFTER DELETE ON transcript_window BEGIN "
    "INSERT INTO transcript_window_fts(transcript_window_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "END",
    "CREATE TRIGGER transcript_window_fts_update AFTER UPDATE OF text ON transcript_window BEGIN "
    "INSERT INTO transcript_window_fts(transcript_window_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO transcript_window_fts(rowid, text) VALUES (new.id, new.text); "
    "END",
    # Narrow copies of the columns a transcript match is filtered by (its video, that video's list): the
    # search looks them up for every matching window it reads, and the rows themselves hold whole texts.
    f"CREATE INDEX {WINDOW_VIDEO_INDEX} ON transcript_window (id, video_id)",
    "CREATE INDEX ix_video_id_list_id ON video (id, list_id)",
)
"""Run after ``transcript_window`` exists; the indexes start empty (see ``SQLITE_REBUILD``)."""

SQLITE_REBUILD: tuple[str, ...] = (
    "INSERT INTO video_fts(video_fts) VALUES ('rebuild')",
    "INSERT INTO transcript_window_fts(transcript_window_fts) VALUES ('rebuild')",
)
"""Index every existing row (after back-filling the windows)."""

SQLITE_DROP: tuple[str, ...] = (
    "DROP INDEX IF EXISTS ix_video_id_list_id",
    f"DROP INDEX IF EXISTS {WINDOW_VIDEO_INDEX}",
    "DROP TRIGGER IF EXISTS transcript_window_fts_update",
    "DROP TRIGGER IF EXISTS transcript_window_fts_delete",
    "DROP TRIGGER IF EXISTS transcript_window_fts_insert",
    "DROP TABLE IF EXISTS transcript_window_fts",
    "DROP TRIGGER IF EXISTS video_fts_update",
    "DROP TRIGGER IF EXISTS video_fts_delete",
    "DROP TRIGGER IF EXISTS video_fts_insert",
    "DROP TABLE IF EXISTS video_fts",
)

POSTGRES_CREATE: tuple[str, ...] = (
    "ALTER TABLE video ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
    f"setweight(to_tsvector('simple', coalesce(channel, '')), '{CHANNEL_TSV_WEIGHT}') || "
    "setweight(to_tsvector('simple', coalesce(description, '')), 'C')) STORED",
    "CREATE INDEX ix_video_search_tsv ON video USING GIN (search_tsv)",
    "ALTER TABLE transcript_window ADD COLUMN text_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED",
    "CREATE INDEX ix_transcript_window_text_tsv ON transcript_window USING GIN (text_tsv)",
)
"""Generated columns fill themselves for existing rows; nothing to rebuild."""

POSTGRES_DROP: tuple[str, ...] = (
    "DROP INDEX IF EXISTS ix_transcript_window_text_tsv",
    "ALTER TABLE transcript_window DROP COLUMN IF EXISTS text_tsv",
    "DROP INDEX IF EXISTS ix_video_search_tsv",
    "ALTER TABLE video DROP COLUMN IF EXISTS search_tsv",
)
