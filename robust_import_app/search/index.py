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
unicode61 but without accent folding), read from the text with its
punctuation turned into spaces (``POSTGRES_SEPARATORS``), so that words
and their positions are those FTS5 and the search box see:
``video.search_tsv`` weights title ``A``, channel ``B``, description
``C``; ``transcript_window.text_tsv``.
A GIN index knows which windows hold each word but not where, so a phrase
of two common words would recheck every window holding both (52,000 of
484,000 in bench/library_bench.py for a phrase said in 785). The table
``transcript_window_pairs`` holds a 32-bit hash of each pair of adjacent
words of each window (``search_word_pairs``), GIN-indexed: the search
first keeps the windows holding every adjacent pair of its phrases
(``search_phrase_pairs``), then checks the phrase on those only. Each
window's array also holds a marker of its list (``search_list_marker``),
so that a phrase searched in one list skips the other lists' windows
inside the index. ``video.search_pairs`` does the same for the metadata.

The migrations ``c7e5a1d9b2f3`` (the index), ``a8d3f5c1e7b9`` (words
read as FTS5 reads them), ``f6b4d2a8c3e9`` (the windows' word pairs) and
``b9e4c2f7a1d6`` (the videos' word pairs) run these statements: a later
change of the index needs a migration of its own that goes from these to
the new ones.
"""

from __future__ import annotations

from collections.abc import Callable

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


def _postgres_plain_words(column: str) -> str:
    """The ``tsvector`` of ``column`` read by PostgreSQL's parser as it is (the first index, ``c7e5a1d9b2f3``)."""
    return f"to_tsvector('simple', {column})"


def _video_tsvector(words: Callable[[str], str]) -> str:
    """SQL of a video's weighted ``tsvector`` (title ``A``, channel ``B``, description ``C``), each text read by ``words``."""
    title, channel, description = (words(f"coalesce({c}, '')") for c in ("title", "channel", "description"))
    return f"setweight({title}, 'A') || setweight({channel}, '{CHANNEL_TSV_WEIGHT}') || setweight({description}, 'C')"


def _postgres_search_columns(words: Callable[[str], str]) -> tuple[str, ...]:
    """The generated ``tsvector`` columns and their GIN indexes, each text read by ``words`` (column -> tsvector SQL)."""
    return (
        f"ALTER TABLE video ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS ({_video_tsvector(words)}) STORED",
        "CREATE INDEX ix_video_search_tsv ON video USING GIN (search_tsv)",
        f"ALTER TABLE transcript_window ADD COLUMN text_tsv tsvector GENERATED ALWAYS AS ({words('text')}) STORED",
        "CREATE INDEX ix_transcript_window_text_tsv ON transcript_window USING GIN (text_tsv)",
    )


POSTGRES_CREATE: tuple[str, ...] = _postgres_search_columns(_postgres_plain_words)
"""Generated columns fill themselves for existing rows; nothing to rebuild."""

POSTGRES_DROP: tuple[str, ...] = (
    "DROP INDEX IF EXISTS ix_transcript_window_text_tsv",
    "ALTER TABLE transcript_window DROP COLUMN IF EXISTS text_tsv",
    "DROP INDEX IF EXISTS ix_video_search_tsv",
    "ALTER TABLE video DROP COLUMN IF EXISTS search_tsv",
)


POSTGRES_SEPARATORS = r"[\s!-/:-@\[-`{-~\u00a0\u00a1\u00a7\u00ab\u00b6\u00b7\u00bb\u00bf\u2000-\u206f\u3000-\u303f]+"
"""What separates words, as a PostgreSQL regular expression: white space, ASCII punctuation and the common
Unicode spaces and punctuation (Latin-1's, General Punctuation, CJK's). Written out because the classes
``[:punct:]``/``[:space:]`` know only ASCII in a ``C``-locale database, where PostgreSQL's parser takes
any other character for a letter."""


def _postgres_words(column: str) -> str:
    """The ``tsvector`` of ``column`` with every separator made a space first: the parser then sees the
    words FTS5's unicode61 and the search box see (``e-mail`` is ``e mail``, ``3.5`` is ``3 5``), so that a
    phrase's positions are the same in the query and the document."""
    return f"to_tsvector('simple', regexp_replace({column}, '{POSTGRES_SEPARATORS}', ' ', 'g'))"


POSTGRES_WORDS_CREATE: tuple[str, ...] = POSTGRES_DROP + _postgres_search_columns(_postgres_words)
"""Replaces ``POSTGRES_CREATE``'s columns by ones that read words as FTS5 does (see ``_postgres_words``);
PostgreSQL rewrites every row to fill them."""

POSTGRES_WORDS_DROP: tuple[str, ...] = POSTGRES_DROP + POSTGRES_CREATE
"""Back to ``POSTGRES_CREATE``'s columns."""


def _hash32(text: str) -> str:
    """SQL of the first 32 bits of the MD5 of ``text`` (an SQL expression), as a signed ``integer``."""
    return f"('x' || left(md5({text}), 8))::bit(32)::integer"


_PAIR_HASH = _hash32("lexeme || ' ' || next_lexeme")
_LIST_HASH = _hash32("'list:' || list_id")


def _window_pairs(text_tsv: str, list_id: str) -> str:
    """SQL of a window's ``transcript_window_pairs.pairs``: its word pairs plus its list's marker."""
    return f"search_word_pairs({text_tsv}) || search_list_marker({list_id})"


POSTGRES_PAIRS_CREATE: tuple[str, ...] = (
    # Pairs follow the positions of the tsvector, as PostgreSQL's phrase operator <-> does. A 32-bit hash
    # keeps each entry 4 bytes (two lexemes together may pass GIN's entry size limit); a collision only
    # adds a candidate, which the phrase itself then rejects.
    "CREATE FUNCTION search_word_pairs(doc tsvector) RETURNS integer[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
    f"SELECT coalesce(array_agg(DISTINCT {_PAIR_HASH}), '{{}}') "
    "FROM (SELECT lexeme, position, lead(lexeme) OVER adjacent AS next_lexeme, "
    "lead(position) OVER adjacent AS next_position "
    "FROM unnest(doc) AS entry(lexeme, positions, weights), unnest(positions) AS position "
    "WINDOW adjacent AS (ORDER BY position)) pairs "
    "WHERE next_position = position + 1 $$",
    "CREATE FUNCTION search_phrase_pairs(phrases text[]) RETURNS integer[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
    "SELECT coalesce(array_agg(DISTINCT pair), '{}') "
    "FROM unnest(phrases) AS phrase, unnest(search_word_pairs(to_tsvector('simple', phrase))) AS pair $$",
    # 'list:' cannot begin a pair (two lexemes joined by a space).
    "CREATE FUNCTION search_list_marker(list_id integer) RETURNS integer "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
    f"SELECT {_LIST_HASH} $$",
    # A table of its own, not a column of transcript_window: the window rows already hold the text and its
    # tsvector, and 400 more bytes would push most of them past TOAST's 2 kB, moving their tsvector out of line.
    "CREATE TABLE transcript_window_pairs ("
    "window_id integer PRIMARY KEY REFERENCES transcript_window (id) ON DELETE CASCADE, "
    "video_id integer NOT NULL, pairs integer[] NOT NULL)",
    "INSERT INTO transcript_window_pairs (window_id, video_id, pairs) "
    f"SELECT w.id, w.video_id, {_window_pairs('w.text_tsv', 'v.list_id')} "
    "FROM transcript_window w JOIN video v ON v.id = w.video_id",
    "CREATE INDEX ix_transcript_window_pairs ON transcript_window_pairs USING GIN (pairs)",
    "CREATE INDEX ix_transcript_window_pairs_video_id ON transcript_window_pairs (video_id)",
    "CREATE FUNCTION transcript_window_pairs_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO transcript_window_pairs (window_id, video_id, pairs) "
    f"SELECT NEW.id, NEW.video_id, {_window_pairs('NEW.text_tsv', 'v.list_id')} "
    "FROM video v WHERE v.id = NEW.video_id "
    "ON CONFLICT (window_id) DO UPDATE SET video_id = excluded.video_id, pairs = excluded.pairs; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER transcript_window_pairs_write AFTER INSERT OR UPDATE OF text, video_id ON transcript_window "
    "FOR EACH ROW EXECUTE FUNCTION transcript_window_pairs_write()",
    # Rebuilt from the text rather than array_replace(old marker, new): a word pair may hash to the old marker.
    "CREATE FUNCTION transcript_window_pairs_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"UPDATE transcript_window_pairs p SET pairs = {_window_pairs('w.text_tsv', 'NEW.list_id')} "
    "FROM transcript_window w WHERE p.video_id = NEW.id AND w.id = p.window_id; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER transcript_window_pairs_move AFTER UPDATE OF list_id ON video "
    "FOR EACH ROW WHEN (OLD.list_id IS DISTINCT FROM NEW.list_id) EXECUTE FUNCTION transcript_window_pairs_move()",
)
"""``search_word_pairs(tsvector) -> integer[]``: the distinct hashes (first 32 bits of the MD5 of ``"a b"``) of
the lexemes ``a``, ``b`` at adjacent positions; ``search_phrase_pairs(text[]) -> integer[]``: those of each
phrase's words, read by the same ``simple`` configuration; ``search_list_marker(integer) -> integer``: the
hash of ``"list:<id>"``. All IMMUTABLE, so that the planner computes a query's array once and estimates its
matches from the column's statistics. ``transcript_window_pairs`` holds each window's pairs plus its list's
marker, so that a phrase searched in one list intersects the two inside the GIN index rather than reading
every window of every list that says it; triggers write it with the window, delete it with the window and
change the marker when the video moves to another list."""

POSTGRES_PAIRS_DROP: tuple[str, ...] = (
    "DROP TRIGGER IF EXISTS transcript_window_pairs_move ON video",
    "DROP FUNCTION IF EXISTS transcript_window_pairs_move()",
    "DROP TRIGGER IF EXISTS transcript_window_pairs_write ON transcript_window",
    "DROP FUNCTION IF EXISTS transcript_window_pairs_write()",
    "DROP TABLE IF EXISTS transcript_window_pairs",
    "DROP FUNCTION IF EXISTS search_list_marker(integer)",
    "DROP FUNCTION IF EXISTS search_phrase_pairs(text[])",
    "DROP FUNCTION IF EXISTS search_word_pairs(tsvector)",
)


POSTGRES_VIDEO_PAIRS_CREATE: tuple[str, ...] = (
    # Generated from the text, not from search_tsv: a generated column cannot read another one.
    "ALTER TABLE video ADD COLUMN search_pairs integer[] GENERATED ALWAYS AS "
    f"(search_word_pairs({_video_tsvector(_postgres_words)})) STORED",
    "CREATE INDEX ix_video_search_pairs ON video USING GIN (search_pairs)",
)
"""``video.search_pairs``: the word pairs (``search_word_pairs``) of the video's title, channel and description,
GIN-indexed, so that a phrase searched in the metadata reads the few videos that may say it. A stored column
rather than an index on the expression: a plan that filters rows by the expression would compute the pairs of
every row it reads (about 90 µs each, 1.5 s for a phrase of common words at 100,000 videos)."""

POSTGRES_VIDEO_PAIRS_DROP: tuple[str, ...] = (
    "DROP INDEX IF EXISTS ix_video_search_pairs",
    "ALTER TABLE video DROP COLUMN IF EXISTS search_pairs",
)
