"""The search box's query language, parsed without I/O, and its renderings for SQLite FTS5 and PostgreSQL.

Syntax (what web search taught users)::

    python tutorial          every word must match
    "exact phrase"           the words in this order
    -sponsor  -"paid promo"  leave out videos/windows with this word or phrase
    channel:fireship         the channel's name contains these words
    channel:"linus tech"
    pyth*                    words starting with "pyth" (at least MIN_PREFIX_CHARS letters)

A quote left open runs to the end of the text (the user is still typing it).
Word beginnings are bounded, since each one reads every indexed word it
starts (a one-letter beginning is a whole term range; FTS5's prefix index
covers 2 and 3 letters): a beginning shorter than ``MIN_PREFIX_CHARS`` is
left out of the query (a one-letter word being typed searches nothing yet),
and past ``MAX_QUERY_PREFIXES`` beginnings the others are matched as whole
words; ``notice`` says so.
Anything else that FTS5 or ``to_tsquery`` would read as an operator
(``AND OR NOT NEAR ( ) * ^ : + { }``, backslashes, stray quotes) is plain
punctuation: words are the runs of Unicode letters and digits, lowercased,
the way FTS5's ``unicode61`` tokenizer and PostgreSQL's ``simple``
configuration cut them. A word that punctuation cuts in several pieces
(``e-mail``, ``3.14``) is searched as a phrase of those pieces.
:func:`parse_query` never raises; the renderers quote every word, so no
rendering can be a syntax error.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

MAX_QUERY_CHARS = 500
"""Longer input is cut here before parsing (the box sends at most this)."""
MAX_QUERY_WORDS = 16
"""Words kept over all parts of one query; each costs a doclist scan."""
MIN_PREFIX_CHARS = 2
"""Shortest word beginning searched as one (``a*``, or a one-letter word being typed, is left out)."""
MAX_QUERY_PREFIXES = 4
"""Word beginnings matched as beginnings in one query; later ones are matched as whole words."""

_TOKEN = re.compile(r"[^\W_]+")
_PIECE = re.compile(r'(?P<minus>-)?(?P<key>channel:)?(?P<body>"[^"]*"?|[^\s"]*)', re.IGNORECASE)
"""One piece of the box: an optional ``-``, an optional ``channel:``, then a quoted phrase (maybe
left open) or a run without spaces and quotes. Empty matches (between pieces) are skipped."""


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """One parsed query; every word is a lowercase run of letters and digits.

    ``words``, ``prefixes`` (matched as word beginnings) and ``phrases``
    (two or more words in order) must all match; ``excluded`` holds words
    (one-word tuples) and phrases that must not; ``channel`` holds words the
    channel name must contain. ``notice`` is a plain sentence for the user
    when the query was cut or cannot find anything, else None.
    """

    words: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[tuple[str, ...], ...] = ()
    channel: tuple[str, ...] = ()
    notice: str | None = None

    @property
    def has_text_terms(self) -> bool:
        """True when some word, prefix or phrase must match the text."""
        return bool(self.words or self.prefixes or self.phrases)

    @property
    def is_searchable(self) -> bool:
        """True when the query can match anything (text terms or a channel)."""
        return self.has_text_terms or bool(self.channel)


def _tokens(text: str) -> list[str]:
    return [token.lower() for token in _TOKEN.findall(text)]


class _Builder:
    """Collects the parts of a query, keeping at most ``MAX_QUERY_WORDS`` words."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self.prefixes: list[str] = []
        self.phrases: list[tuple[str, ...]] = []
        self.excluded: list[tuple[str, ...]] = []
        self.channel: list[str] = []
        self.room = MAX_QUERY_WORDS
        self.cut = False
        self.short_starred: list[str] = []
        self.short_typed = False
        self.demoted = False

    def _take(self, tokens: list[str]) -> tuple[str, ...]:
        kept = tokens[: self.room]
        self.cut = self.cut or len(kept) < len(tokens)
        self.room -= len(kept)
        return tuple(kept)

    def add_text(self, tokens: list[str], *, excluded: bool, prefix: bool, starred: bool = False) -> None:
        """Add a word, phrase or exclusion; ``prefix`` for a word beginning (``starred`` when written with ``*``)."""
        if prefix and not excluded and len(tokens) == 1 and len(tokens[0]) < MIN_PREFIX_CHARS:
            if starred:
                self.short_starred.append(tokens[0])
            else:
                self.short_typed = True
            return
        kept = self._take(tokens)
        if not kept:
            return
        if excluded:
            if kept not in self.excluded:
                self.excluded.append(kept)
        elif len(kept) > 1:
            if kept not in self.phrases:
                self.phrases.append(kept)
        elif prefix and (kept[0] in self.prefixes or len(self.prefixes) < MAX_QUERY_PREFIXES):
            if kept[0] not in self.prefixes:
                self.prefixes.append(kept[0])
        else:
            self.demoted = self.demoted or prefix
            if kept[0] not in self.words:
                self.words.append(kept[0])

    def add_channel(self, tokens: list[str]) -> None:
        self.channel.extend(t for t in self._take(tokens) if t not in self.channel)


def parse_query(text: str, *, as_you_type: bool = False) -> SearchQuery:
    """Parse the search box's ``text`` into a :class:`SearchQuery`; never raises.

    With ``as_you_type`` (results shown while typing), a last plain word not
    yet followed by a space is matched as a prefix. Text beyond
    ``MAX_QUERY_CHARS`` characters and words beyond ``MAX_QUERY_WORDS`` are
    dropped, prefixes shorter than ``MIN_PREFIX_CHARS`` are left out and
    prefixes beyond ``MAX_QUERY_PREFIXES`` become whole words, each with a
    ``notice`` saying so (a one-letter word being typed is left out quietly
    unless nothing else is searched).
    """
    if not isinstance(text, str):
        return SearchQuery(notice="Type a word to search.")
    cut = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS]
    pieces = [m for m in _PIECE.finditer(text) if m.group()]
    builder = _Builder()
    for index, match in enumerate(pieces):
        excluded, channel, body = bool(match.group("minus")), bool(match.group("key")), match.group("body")
        if channel:
            builder.add_channel(_tokens(body))
        elif body.startswith('"'):
            builder.add_text(_tokens(body), excluded=excluded, prefix=False)
        else:
            starred = body.endswith("*")
            typing = as_you_type and index == len(pieces) - 1 and match.end() == len(text)
            builder.add_text(_tokens(body), excluded=excluded, prefix=starred or typing, starred=starred)
    query = SearchQuery(
        words=tuple(builder.words),
        prefixes=tuple(builder.prefixes),
        phrases=tuple(builder.phrases),
        excluded=tuple(builder.excluded),
        channel=tuple(builder.channel),
    )
    return dataclasses.replace(query, notice=_notice(query, builder, cut=cut))


def _notice(query: SearchQuery, builder: _Builder, *, cut: bool) -> str | None:
    """The plain sentence for the user about what the query left out or changed, or None."""
    if not query.is_searchable:
        if query.excluded:
            return "Add a word to search for, not only words to leave out."
        if builder.short_starred or builder.short_typed:
            return f"Type at least {MIN_PREFIX_CHARS} letters to search."
        return "Type a word to search."
    if cut or builder.cut:
        return f"Only the first {MAX_QUERY_WORDS} words of a search are used."
    if builder.short_starred:
        return f"A word beginning needs at least {MIN_PREFIX_CHARS} letters: “{builder.short_starred[0]}*” is left out."
    if builder.demoted:
        return f"Only the first {MAX_QUERY_PREFIXES} word beginnings (*) match as beginnings; the others match as whole words."
    return None


def _fts5_string(words: tuple[str, ...]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def fts5_text_match(query: SearchQuery) -> str | None:
    """The FTS5 MATCH expression of the text terms and exclusions, or None without text terms.

    E.g. ``("python" "tutorial" "exact phrase" "pyth"*) NOT "sponsor"``; every
    word is a quoted string, so no user input becomes an FTS5 operator.
    """
    if not query.has_text_terms:
        return None
    parts = [_fts5_string((w,)) for w in query.words]
    parts += [_fts5_string(p) for p in query.phrases]
    parts += [_fts5_string((p,)) + "*" for p in query.prefixes]
    expression = "(" + " ".join(parts) + ")"
    for excluded in query.excluded:
        expression += " NOT " + _fts5_string(excluded)
    return expression


def fts5_channel_match(query: SearchQuery) -> str | None:
    """The FTS5 MATCH expression limiting the ``channel`` column to the channel words, or None."""
    if not query.channel:
        return None
    return "channel : (" + " ".join(_fts5_string((w,)) for w in query.channel) + ")"


def fts5_excluded_match(query: SearchQuery) -> str | None:
    """An FTS5 MATCH expression true for rows holding any excluded word or phrase, or None."""
    if not query.excluded:
        return None
    return " OR ".join(_fts5_string(e) for e in query.excluded)


def _tsquery_lexeme(word: str, *, weight: str = "", prefix: bool = False) -> str:
    label = ("*" if prefix else "") + weight
    return "'" + word.replace("'", "''").replace("\\", "\\\\") + "'" + (":" + label if label else "")


def _tsquery_phrase(words: tuple[str, ...]) -> str:
    if len(words) == 1:
        return _tsquery_lexeme(words[0])
    return "(" + " <-> ".join(_tsquery_lexeme(w) for w in words) + ")"


def tsquery_text(query: SearchQuery) -> str | None:
    """The ``to_tsquery('simple', …)`` input of the text terms and exclusions, or None without text terms.

    E.g. ``'python' & ('exact' <-> 'phrase') & 'pyth':* & !'sponsor'``.
    """
    if not query.has_text_terms:
        return None
    parts = [_tsquery_lexeme(w) for w in query.words]
    parts += [_tsquery_phrase(p) for p in query.phrases]
    parts += [_tsquery_lexeme(p, prefix=True) for p in query.prefixes]
    parts += ["!" + _tsquery_phrase(e) for e in query.excluded]
    return " & ".join(parts)


def tsquery_channel(query: SearchQuery, *, channel_weight: str) -> str | None:
    """The ``to_tsquery`` input matching the channel words only where weighted ``channel_weight``, or None."""
    if not query.channel:
        return None
    return " & ".join(_tsquery_lexeme(w, weight=channel_weight) for w in query.channel)


def tsquery_excluded(query: SearchQuery) -> str | None:
    """The ``to_tsquery`` input true for documents holding any excluded word or phrase, or None."""
    if not query.excluded:
        return None
    return " | ".join(_tsquery_phrase(e) for e in query.excluded)
