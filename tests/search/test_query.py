"""The query parser: a table of what users type, and hypothesis over random text (never raises,
every rendering is accepted by a real FTS5 table)."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from robust_import_app.search.query import (
    MAX_QUERY_PREFIXES,
    MAX_QUERY_WORDS,
    MIN_PREFIX_CHARS,
    SearchQuery,
    fts5_channel_match,
    fts5_excluded_match,
    fts5_text_match,
    parse_query,
    tsquery_text,
)

Q = SearchQuery


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("python tutorial", Q(words=("python", "tutorial"))),
        ("Python  PYTHON", Q(words=("python",))),
        ('"exact phrase"', Q(phrases=(("exact", "phrase"),))),
        ('"single"', Q(words=("single",))),
        ('"left open', Q(phrases=(("left", "open"),))),
        ("-sponsor rust", Q(words=("rust",), excluded=(("sponsor",),))),
        ('rust -"paid promo"', Q(words=("rust",), excluded=(("paid", "promo"),))),
        ("channel:fireship rust", Q(words=("rust",), channel=("fireship",))),
        ('CHANNEL:"Linus Tech Tips"', Q(channel=("linus", "tech", "tips"))),
        ("pyth*", Q(prefixes=("pyth",))),
        ("e-mail", Q(phrases=(("e", "mail"),))),
        ("AND OR NOT", Q(words=("and", "or", "not"))),
        ("NEAR(a b)", Q(words=("b",), phrases=(("near", "a"),))),
        ("title:rust", Q(phrases=(("title", "rust"),))),
        ("snake_case", Q(phrases=(("snake", "case"),))),
        ("café", Q(words=("café",))),
        ("-", Q(notice="Type a word to search.")),
        ("", Q(notice="Type a word to search.")),
        ("* ^ ( ) :", Q(notice="Type a word to search.")),
        ("-rust", Q(excluded=(("rust",),), notice="Add a word to search for, not only words to leave out.")),
        ("channel:", Q(notice="Type a word to search.")),
    ],
)
def test_parse_table(text, expected):
    assert parse_query(text) == expected


def test_last_word_is_a_prefix_only_while_typing_and_not_after_a_space():
    assert parse_query("rust own", as_you_type=True) == Q(words=("rust",), prefixes=("own",))
    assert parse_query("rust own ", as_you_type=True) == Q(words=("rust", "own"))
    assert parse_query('rust "own', as_you_type=True) == Q(words=("rust", "own"))
    assert parse_query("rust -own", as_you_type=True) == Q(words=("rust",), excluded=(("own",),))


def test_long_queries_keep_the_first_words_and_say_so():
    query = parse_query(" ".join(f"w{n}" for n in range(100)))
    assert query.words == tuple(f"w{n}" for n in range(MAX_QUERY_WORDS))
    assert query.notice == f"Only the first {MAX_QUERY_WORDS} words of a search are used."


def test_a_one_letter_word_being_typed_searches_nothing_yet():
    assert MIN_PREFIX_CHARS == 2
    assert parse_query("q", as_you_type=True) == Q(notice="Type at least 2 letters to search.")
    assert parse_query("rust o", as_you_type=True) == Q(words=("rust",))
    assert parse_query("rust ow", as_you_type=True) == Q(words=("rust",), prefixes=("ow",))
    # Once a space follows, the letter is a whole word, which reads one term's doclist only.
    assert parse_query("q ", as_you_type=True) == Q(words=("q",))
    assert parse_query("rust -o", as_you_type=True) == Q(words=("rust",), excluded=(("o",),))


def test_a_one_letter_word_beginning_is_left_out_and_said_so():
    assert parse_query("a* rust") == Q(
        words=("rust",), notice="A word beginning needs at least 2 letters: “a*” is left out."
    )
    assert parse_query("a*") == Q(notice="Type at least 2 letters to search.")
    hostile = " ".join(f"{letter}*" for letter in "abcdefghijklmnop")
    assert parse_query(hostile) == Q(notice="Type at least 2 letters to search.")


def test_word_beginnings_past_the_cap_match_as_whole_words():
    query = parse_query("ab* cd* ef* gh* ij* kl* ab*")
    assert MAX_QUERY_PREFIXES == 4
    assert query.prefixes == ("ab", "cd", "ef", "gh") and query.words == ("ij", "kl")
    assert query.notice == "Only the first 4 word beginnings (*) match as beginnings; the others match as whole words."
    assert parse_query("ab* cd* ef* gh*").notice is None


def test_renderings_quote_every_word():
    query = parse_query('rust "zero cost" own* -unsafe channel:"let\'s get"')
    assert fts5_text_match(query) == '("rust" "zero cost" "own"*) NOT "unsafe"'
    assert fts5_channel_match(query) == 'channel : ("let" "s" "get")'
    assert tsquery_text(query) == "'rust' & ('zero' <-> 'cost') & 'own':* & !'unsafe'"


_FTS = sqlite3.connect(":memory:")
_FTS.execute("CREATE VIRTUAL TABLE t USING fts5(title, channel, description, tokenize='unicode61 remove_diacritics 2')")
_FTS.execute("INSERT INTO t VALUES ('rust and python', 'near', 'not a tutorial')")

HOSTILE = st.text(alphabet=st.sampled_from(list("\"-*^():{}+ '\\ANDORTNEchanel:x_é🦀\x00\t")), max_size=60)


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(st.text(max_size=200), HOSTILE), as_you_type=st.booleans())
def test_any_text_parses_and_renders_to_valid_fts5(text, as_you_type):
    query = parse_query(text, as_you_type=as_you_type)
    assert query.is_searchable or query.notice
    for match in (fts5_text_match(query), fts5_channel_match(query), fts5_excluded_match(query)):
        if match is not None:
            _FTS.execute("SELECT count(*) FROM t WHERE t MATCH ?", (match,)).fetchall()
    for word in query.words + query.prefixes + query.channel:
        assert word and word.isalnum() and word == word.lower()
