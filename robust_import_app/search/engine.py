"""Search the library: one list or all lists, over title, channel, description and transcript windows.

A video matches when its metadata (title, channel, description together)
holds every text term, or when one of its transcript windows does; excluded
words drop windows that say them and videos whose metadata says them;
``channel:`` keeps videos whose channel name holds its words. A video's
rank is its metadata score plus its best window's score (higher is better):
on SQLite FTS5 ``bm25`` for the metadata and a bm25 of the windows read
(``_SQLITE_WIN_TOP``), ``ts_rank`` on PostgreSQL, weighted so that a title
match outweighs a channel match, which outweighs a description or
transcript match (weights in ``search/index.py``).

Cost bound: each side (metadata, windows) reads at most ``MAX_CANDIDATES``
matching rows, the newest first (FTS5 walks its doclists by descending
rowid; PostgreSQL takes the newest ids first and runs ``ts_rank`` on those
only), so a word said in a million windows costs a thousand scores, not a
million. FTS5's ``bm25`` is not used on the windows: it counts every window
matching each phrase once per query (``fts5Bm25GetData``), a walk of the whole doclist.
Past that, ranking covers the newest matches only and the count is a floor:
:attr:`SearchPage.total_is_exact` is False and the UI says "more than N".

Time bound: the words a query may hold are bounded in ``search/query.py``
(word beginnings of at least 2 letters, at most 4 of them), and each search
is cut off after ``SEARCH_TIMEOUT_MS`` (PostgreSQL ``SET LOCAL
statement_timeout``; on SQLite a progress handler that interrupts the
statement), which answers no hits and ``TIMEOUT_NOTICE``.

One statement per page: the ranked candidates (plain SQL per engine) are a
subquery joined to ``video``, so that a view's filters and sort
(``search(where=, order_by=)``) apply to them before the count and the page.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from robust_import_app.db import Database
from robust_import_app.models import Video
from robust_import_app.search import index
from robust_import_app.search.query import (
    SearchQuery,
    fts5_channel_match,
    fts5_excluded_match,
    fts5_text_match,
    parse_query,
    tsquery_channel,
    tsquery_excluded,
    tsquery_text,
)

MARK_START = "\x02"
"""Opens a highlighted run of a snippet (STX; never in stored text, see ``windows.py``)."""
MARK_END = "\x03"
"""Closes a highlighted run (ETX)."""
SNIPPET_WORDS = 16
"""Words around the match in a transcript snippet."""
MAX_CANDIDATES = 1000
"""Best rows kept per side (metadata, transcript windows) before ranking videos."""
DEFAULT_PAGE_SIZE = 20
SEARCH_TIMEOUT_MS = 2000
"""Longest a search may run, in milliseconds, before it is cut off with ``TIMEOUT_NOTICE``."""
TIMEOUT_NOTICE = "This search took too long; try more specific words."
_PROGRESS_OPS = 1000
"""SQLite virtual machine instructions between two checks of the search's deadline."""
_QUERY_CANCELED = "57014"
"""PostgreSQL's SQLSTATE for a statement cut off by ``statement_timeout``."""

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TranscriptMatch:
    """The best matching transcript window of a result.

    ``start_s`` is the window's start in whole seconds (a ``&t=`` for the
    player); ``snippet`` is about ``SNIPPET_WORDS`` words of it with each
    matched word between ``MARK_START`` and ``MARK_END`` (see :func:`highlight_parts`).
    """

    start_s: int
    snippet: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching video as its whole row; ``rank`` higher is better, ``transcript`` its best window if any."""

    video: Video
    rank: float
    transcript: TranscriptMatch | None


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of results, best first.

    ``total`` counts matching videos; when ``total_is_exact`` is False there
    are more than ``total`` (show "more than N"). ``notice`` is a plain
    sentence for the user (the query cannot match, or was cut), else None.
    """

    hits: tuple[SearchHit, ...]
    total: int
    total_is_exact: bool
    notice: str | None = None


def highlight_parts(snippet: str) -> list[tuple[str, bool]]:
    """Split a snippet into ``(text, highlighted)`` runs, in order; markers left unbalanced end at the text's end."""
    parts: list[tuple[str, bool]] = []
    for position, chunk in enumerate(snippet.split(MARK_START)):
        inside, _, after = chunk.partition(MARK_END) if position else ("", "", chunk)
        if inside:
            parts.append((inside, True))
        if after:
            parts.append((after, False))
    return parts


def search(
    db: Database,
    text: str,
    *,
    list_id: int | None = None,
    where: Sequence[sa.ColumnElement[bool]] = (),
    order_by: Sequence[sa.ColumnElement[Any]] = (),
    offset: int = 0,
    limit: int = DEFAULT_PAGE_SIZE,
    as_you_type: bool = False,
    timeout_ms: int = SEARCH_TIMEOUT_MS,
) -> SearchPage:
    """Search ``text`` (the box's query language, see ``search/query.py``) in one list or, with None, all lists.

    Never raises on any ``text``: a query that cannot match returns no hits
    and a ``notice``. ``offset``/``limit`` count videos (``limit`` is kept
    within 1..200); results beyond ``MAX_CANDIDATES`` per side are not
    reachable (the count says "more than").

    ``where`` are conditions on ``Video``, applied in the same statement:
    they keep candidates before the count and the page, so a filter that
    keeps few of the ``2 × MAX_CANDIDATES`` candidates shows those few (and
    "more than N" when the candidates were capped). ``order_by`` are terms
    over ``Video`` that replace the default order (best rank first, then
    newest). Snippets are built for the page's windows only.

    A search still running after ``timeout_ms`` milliseconds is cut off and
    returns no hits with ``TIMEOUT_NOTICE`` (logged as a warning).
    """
    query = parse_query(text, as_you_type=as_you_type)
    if not query.is_searchable:
        return SearchPage(hits=(), total=0, total_is_exact=True, notice=query.notice)
    try:
        return _search(
            db,
            query,
            list_id=list_id,
            where=where,
            order_by=order_by,
            offset=offset,
            limit=limit,
            timeout_ms=timeout_ms,
        )
    except sa.exc.DBAPIError as exc:
        if not _timed_out(exc):
            raise
        log.warning("A search was cut off after %d ms: %s", timeout_ms, query)
        return SearchPage(hits=(), total=0, total_is_exact=True, notice=TIMEOUT_NOTICE)


def _search(
    db: Database,
    query: SearchQuery,
    *,
    list_id: int | None,
    where: Sequence[sa.ColumnElement[bool]],
    order_by: Sequence[sa.ColumnElement[Any]],
    offset: int,
    limit: int,
    timeout_ms: int,
) -> SearchPage:
    """:func:`search` of a searchable ``query``; raises the driver's error when cut off after ``timeout_ms``."""
    plan = _SqlitePlan(query) if db.is_sqlite else _PostgresPlan(query)
    params = {**plan.params, "list_id": list_id, "cap": MAX_CANDIDATES}
    ranked = plan.ranked(scoped=list_id is not None)
    excluded = plan.excluded_condition
    conditions: tuple[sa.ColumnElement[bool] | sa.TextClause, ...] = (
        *where,
        *([sa.text(excluded)] if excluded else []),
    )
    # The page's ids first, then its rows: sorting the whole rows of every candidate took 14 ms, not 11 (SQLite, one word).
    matching = select(ranked.c.id).select_from(ranked).join(Video, col(Video.id) == ranked.c.id).where(*conditions)
    with _searching(db, timeout_ms) as session:
        rows = session.execute(
            matching.add_columns(
                ranked.c.score,
                ranked.c.window_id,
                ranked.c.window_start_s,
                func.count().over().label("total"),
                ranked.c.capped,
            )
            .order_by(*(order_by or (ranked.c.score.desc(), ranked.c.id.desc())))
            .offset(max(offset, 0))
            .limit(max(min(limit, 200), 1)),
            params,
        ).all()
        total, capped = (rows[0].total, rows[0].capped) if rows else (0, False)
        if not rows and offset > 0:
            count = matching.with_only_columns(func.count(), func.max(ranked.c.capped), maintain_column_froms=False)
            total, capped = session.execute(count, params).one()
        videos = {
            video.id: video for video in session.scalars(select(Video).where(col(Video.id).in_([r.id for r in rows])))
        }
        snippets = plan.snippets(session, [r.window_id for r in rows if r.window_id is not None])
    hits = tuple(
        SearchHit(
            video=videos[r.id],
            rank=float(r.score),
            transcript=(
                TranscriptMatch(start_s=int(r.window_start_s), snippet=snippets.get(r.window_id, ""))
                if r.window_id is not None
                else None
            ),
        )
        for r in rows
        if r.id in videos  # deleted since the page was read
    )
    return SearchPage(hits=hits, total=total, total_is_exact=not capped, notice=query.notice)


def _timed_out(exc: sa.exc.DBAPIError) -> bool:
    """True when ``exc`` is a statement cut off by :func:`_searching`'s deadline."""
    if isinstance(exc.orig, sqlite3.OperationalError):
        return exc.orig.sqlite_errorname == "SQLITE_INTERRUPT"
    return getattr(exc.orig, "sqlstate", None) == _QUERY_CANCELED


@contextmanager
def _searching(db: Database, timeout_ms: int) -> Iterator[Session]:
    """A read session for one search, cut off after ``timeout_ms``; on PostgreSQL without parallel workers.

    On PostgreSQL each statement gets ``statement_timeout``; on SQLite a
    progress handler interrupts whatever statement runs past the search's
    deadline (the driver then raises ``sqlite3.OperationalError``
    ``SQLITE_INTERRUPT``), and is removed before the connection goes back to the pool.

    A search reads at most ``MAX_CANDIDATES`` rows per side, and PostgreSQL's
    planner often splits its backward index walks over parallel workers,
    whose start costs more than they save (bench/library_bench.py on 2 cores,
    100,000 videos: a phrase of common words 110–160 ms with workers, 62 ms without).
    """
    with db.read() as session:
        if not db.is_sqlite:
            session.execute(sa.text("SET LOCAL max_parallel_workers_per_gather = 0"))
            session.execute(sa.text(f"SET LOCAL statement_timeout = {int(timeout_ms)}"))
            yield session
            return
        raw = session.connection().connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        deadline = time.monotonic() + timeout_ms / 1000
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), _PROGRESS_OPS)
        try:
            yield session
        finally:
            raw.set_progress_handler(None, 0)


def _ranked_columns(sql: str) -> sa.Subquery:
    """``sql`` (a plan's ranked candidates) as a subquery ``ranked`` for a statement over ``Video``."""
    return (
        sa.text(sql)
        .columns(
            sa.column("id", sa.Integer),
            sa.column("score", sa.Float),
            sa.column("window_id", sa.Integer),
            sa.column("window_start_s", sa.Integer),
            sa.column("capped", sa.Integer),
        )
        .subquery("ranked")
    )


_RANKED = """
cand AS (
  SELECT video_id, SUM(meta_score) AS meta_score, SUM(win_score) AS win_score, MAX(window_id) AS window_id
  FROM (SELECT video_id, score AS meta_score, CAST(NULL AS REAL) AS win_score, CAST(NULL AS INTEGER) AS window_id
        FROM meta
        UNION ALL
        SELECT video_id, NULL, score, window_id FROM win) parts
  GROUP BY video_id
)
SELECT cand.video_id AS id, COALESCE(cand.meta_score, 0) + COALESCE(cand.win_score, 0) AS score,
       cand.window_id, tw.start_s AS window_start_s,
       CAST(((SELECT COUNT(*) FROM meta) >= :cap OR (SELECT COUNT(*) FROM win_top) >= :cap) AS INTEGER) AS capped
FROM cand LEFT JOIN transcript_window tw ON tw.id = cand.window_id
"""
"""One row per candidate video with its score, best window and whether either side reached ``:cap`` (1 or 0):
meta and win hold at most one row per video each, so the sums are their scores; one grouping pass instead of
joining the two candidate sets to each other."""


_MARKED = "highlight(transcript_window_fts, 0, char(2), char(3))"
"""A window's text with each run of query terms opened by char(2): counting those counts the matches."""
_BM25_K1 = 1.2
"""FTS5's bm25 k1 (its ``sqlite3Fts5Bm25`` constant): how fast repeated matches in one window saturate."""
_SQLITE_WIN_TOP = f"""
SELECT found.window_id, idf.value * found.n * {_BM25_K1 + 1} / (found.n + {_BM25_K1}) AS score
FROM (SELECT window_id, length(marked) - length(replace(marked, char(2), '')) AS n FROM win_found) found,
     (SELECT max(ln((COALESCE((SELECT max(id) FROM transcript_window), 0) - c + 0.5) / (c + 0.5)), 1e-6) AS value
      FROM (SELECT COUNT(*) AS c FROM win_found)) idf
"""
"""Transcript windows scored like FTS5's bm25 of equal-length windows, from what was read: term frequency
``n`` (runs marked by ``highlight``), and an IDF whose match count is the windows found (at most
``MAX_CANDIDATES``, a floor beyond) among ``max(id)`` windows. FTS5's own ``bm25`` counts every window
matching each phrase once per query, which for a common word or a phrase of common words reads its whole
doclist however few rows the query keeps (bench/library_bench.py, 100,000 videos: phrase p95 243 -> 79 ms
in one list). Windows are about equally long (``windows.py``), so bm25's length term is left out."""


class _SqlitePlan:
    """The statements of one query on SQLite FTS5."""

    def __init__(self, query: SearchQuery) -> None:
        self.text = fts5_text_match(query)
        channel = fts5_channel_match(query)
        self.meta = " AND ".join(f"({m})" for m in (self.text, channel) if m)
        self.channel = channel
        self.excluded = fts5_excluded_match(query)
        # Keeps the video rows whose metadata says no excluded word.
        self.excluded_condition = (
            "video.id NOT IN (SELECT rowid FROM video_fts WHERE video_fts MATCH :excluded_q)" if self.excluded else None
        )
        self.params = {"text_q": self.text, "meta_q": self.meta, "channel_q": channel, "excluded_q": self.excluded}

    def ranked(self, *, scoped: bool) -> sa.Subquery:
        """The ranked candidates (see ``_RANKED``) of one list (``:list_id``) or, unscoped, of every list."""
        list_filter = "AND v.list_id = :list_id" if scoped else ""
        if scoped:
            meta = (
                "SELECT video_fts.rowid AS video_id, -video_fts.rank AS score "
                "FROM video_fts JOIN video v ON v.id = video_fts.rowid "
                f"WHERE video_fts MATCH :meta_q {list_filter} ORDER BY video_fts.rowid DESC LIMIT :cap"
            )
        else:
            meta = (
                "SELECT rowid AS video_id, -rank AS score FROM video_fts "
                "WHERE video_fts MATCH :meta_q ORDER BY rowid DESC LIMIT :cap"
            )
        if self.text is None:
            win_found = "SELECT NULL AS window_id, NULL AS marked WHERE 0"
        elif scoped or self.channel:
            channel_filter = (
                "AND v.id IN (SELECT rowid FROM video_fts WHERE video_fts MATCH :channel_q)" if self.channel else ""
            )
            win_found = (
                f"SELECT transcript_window_fts.rowid AS window_id, {_MARKED} AS marked "
                "FROM transcript_window_fts "
                f"JOIN transcript_window w INDEXED BY {index.WINDOW_VIDEO_INDEX} ON w.id = transcript_window_fts.rowid "
                "JOIN video v ON v.id = w.video_id "
                f"WHERE transcript_window_fts MATCH :text_q {list_filter} {channel_filter} "
                "ORDER BY transcript_window_fts.rowid DESC LIMIT :cap"
            )
        else:
            win_found = (
                f"SELECT rowid AS window_id, {_MARKED} AS marked FROM transcript_window_fts "
                "WHERE transcript_window_fts MATCH :text_q ORDER BY rowid DESC LIMIT :cap"
            )
        # SQLite fills the bare column window_id from the row holding MAX(score).
        win = (
            "SELECT w.video_id, MAX(t.score) AS score, t.window_id FROM win_top t "
            f"JOIN transcript_window w INDEXED BY {index.WINDOW_VIDEO_INDEX} ON w.id = t.window_id GROUP BY w.video_id"
        )
        return _ranked_columns(
            f"WITH meta AS MATERIALIZED ({meta}), win_found AS MATERIALIZED ({win_found}), "
            f"win_top AS MATERIALIZED ({_SQLITE_WIN_TOP}), win AS ({win})," + _RANKED
        )

    def snippets(self, session: Session, window_ids: list[int]) -> dict[int, str]:
        statement = sa.text(
            "SELECT snippet(transcript_window_fts, 0, char(2), char(3), '…', :words) FROM transcript_window_fts "
            "WHERE transcript_window_fts MATCH :text_q AND rowid = :window_id"
        )
        found = {}
        for window_id in window_ids:
            snippet = session.execute(
                statement, {"text_q": self.text, "window_id": window_id, "words": SNIPPET_WORDS}
            ).scalar()
            found[window_id] = snippet or ""
        return found


_META_WEIGHTS = "'{0.1, 0.1, 0.4, 1.0}'"
"""ts_rank weights {D, C, B, A}: description (C) 0.1, channel (B) 0.4, title (A) 1.0; windows use D = 0.1."""


class _PostgresPlan:
    """The statements of one query on PostgreSQL (tsvector, GIN).

    Like the SQLite plan, each side keeps the newest ``MAX_CANDIDATES``
    matches by id (an inner ``ORDER BY id DESC LIMIT :cap`` that reads only
    ids) and ranks only those with ``ts_rank``, rather than ranking every GIN
    match and keeping the best. The tsquery is written into each WHERE (not
    joined as a relation) so that the planner estimates its matches from the
    column's statistics and picks, per query, a backward walk of the primary
    key that stops at the ``MAX_CANDIDATES``-th match (a common word) or the
    GIN bitmap and a top-N sort of its matches (a rare one). A phrase also
    asks for its adjacent word pairs (``video.search_pairs`` for the
    metadata, ``transcript_window_pairs`` for the windows, see
    ``search/index.py``), and in one list for that list's marker too, so that
    GIN finds the few rows that may say it rather than the many that hold
    its words apart or sit in another list.
    """

    def __init__(self, query: SearchQuery) -> None:
        self.text = tsquery_text(query)
        self.channel = tsquery_channel(query, channel_weight=index.CHANNEL_TSV_WEIGHT)
        self.meta = " & ".join(f"({m})" for m in (self.text, self.channel) if m)
        self.excluded = tsquery_excluded(query)
        # Keeps the video rows whose metadata says no excluded word.
        self.excluded_condition = (
            "NOT (video.search_tsv @@ to_tsquery('simple', :excluded_q))" if self.excluded else None
        )
        self.phrases = [" ".join(phrase) for phrase in query.phrases]
        self.params = {
            "text_q": self.text,
            "meta_q": self.meta,
            "channel_q": self.channel,
            "excluded_q": self.excluded,
            "phrases": self.phrases,
        }

    def ranked(self, *, scoped: bool) -> sa.Subquery:
        """The ranked candidates (see ``_RANKED``) of one list (``:list_id``) or, unscoped, of every list."""
        list_filter = "AND v.list_id = :list_id" if scoped else ""
        meta_pairs = "AND v.search_pairs @> search_phrase_pairs(CAST(:phrases AS text[]))" if self.phrases else ""
        meta = (
            f"SELECT v.id AS video_id, ts_rank({_META_WEIGHTS}, v.search_tsv, to_tsquery('simple', :meta_q)) AS score "
            "FROM (SELECT v.id FROM video v "
            f"WHERE v.search_tsv @@ to_tsquery('simple', :meta_q) {meta_pairs} {list_filter} "
            "ORDER BY v.id DESC LIMIT :cap) newest "
            "JOIN video v ON v.id = newest.id"
        )
        if self.text is None:
            win_top = "SELECT NULL::integer AS window_id, NULL::integer AS video_id, NULL::real AS score WHERE false"
        else:
            channel_filter = "AND v.search_tsv @@ to_tsquery('simple', :channel_q)" if self.channel else ""
            join = "JOIN video v ON v.id = w.video_id" if scoped or self.channel else ""
            marker = " || search_list_marker(CAST(:list_id AS integer))" if scoped else ""
            pairs_filter = (
                "AND w.id IN (SELECT window_id FROM transcript_window_pairs "
                f"WHERE pairs @> (search_phrase_pairs(CAST(:phrases AS text[])){marker}))"
                if self.phrases
                else ""
            )
            win_top = (
                "SELECT w.id AS window_id, w.video_id, ts_rank(w.text_tsv, to_tsquery('simple', :text_q)) AS score "
                f"FROM (SELECT w.id FROM transcript_window w {join} "
                f"WHERE w.text_tsv @@ to_tsquery('simple', :text_q) {pairs_filter} {list_filter} {channel_filter} "
                "ORDER BY w.id DESC LIMIT :cap) newest "
                "JOIN transcript_window w ON w.id = newest.id"
            )
        win = "SELECT DISTINCT ON (video_id) video_id, score, window_id FROM win_top ORDER BY video_id, score DESC"
        return _ranked_columns(
            f"WITH meta AS MATERIALIZED ({meta}), win_top AS MATERIALIZED ({win_top}), win AS ({win})," + _RANKED
        )

    def snippets(self, session: Session, window_ids: list[int]) -> dict[int, str]:
        if not window_ids:
            return {}
        rows = session.execute(
            sa.text(
                "SELECT id, ts_headline('simple', text, to_tsquery('simple', :text_q), "
                "'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=' || :words || "
                "', MinWords=' || (:words / 2) || ', FragmentDelimiter=…') AS snippet "
                "FROM transcript_window WHERE id = ANY(:ids)"
            ),
            {"text_q": self.text, "ids": window_ids, "words": SNIPPET_WORDS},
        ).all()
        return {r.id: r.snippet for r in rows}
