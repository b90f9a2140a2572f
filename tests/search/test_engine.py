"""Search over a real database, on SQLite (FTS5) and PostgreSQL (tsvector): the query language,
ranking, list scope, transcript windows with their start second and highlights, hostile input."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from sqlmodel import select

from robust_import_app.domain.video import CaptionSegment
from robust_import_app.library import copy_videos, move_videos
from robust_import_app.models.tables import Video, VideoList
from robust_import_app.search.engine import (
    MARK_END,
    MARK_START,
    TIMEOUT_NOTICE,
    SearchPage,
    highlight_parts,
    search,
)
from robust_import_app.search.windows import replace_windows


def _list(db, name: str) -> int:
    with db.write() as session:
        row = VideoList(name=name)
        session.add(row)
        session.flush()
        return row.id


def _video(db, list_id: int, youtube_id: str, *, title="", channel="", description="", transcript=()) -> int:
    """A video as the pipeline leaves it: created blank, then metadata, then captions (``(start_s, text)`` cues)."""
    with db.write() as session:
        row = Video(list_id=list_id, youtube_id=youtube_id)
        session.add(row)
        session.flush()
        video_id = row.id
    with db.write() as session:
        row = session.get(Video, video_id)
        row.title, row.channel, row.description = title, channel, description
        session.add(row)
    with db.write() as session:
        replace_windows(session, video_id, [CaptionSegment(start_s=s, duration_s=4.0, text=t) for s, t in transcript])
    return video_id


@pytest.fixture
def library(db):
    """Two lists of videos; returns the list ids and video row ids by name."""
    inbox, talks = _list(db, "Inbox"), _list(db, "Talks")
    ids = {
        "rust": _video(
            db,
            inbox,
            "rust0000001",
            title="Rust ownership explained",
            channel="Let's Get Rusty",
            description="Borrowing and lifetimes.",
        ),
        "python": _video(
            db,
            inbox,
            "py000000001",
            title="Python tutorial for beginners",
            channel="Corey Schafer",
            description="Learn variables and loops.",
        ),
        "cooking": _video(
            db,
            inbox,
            "cook0000001",
            title="Perfect risotto",
            channel="Kenji",
            description="A python appears in no recipe here.",
            transcript=[
                (0.0, "today we make risotto"),
                (12.0, "stir the rice slowly"),
                (61.5, "now the parmesan goes in"),
                (66.0, "and a knob of butter"),
            ],
        ),
        "talk": _video(
            db,
            talks,
            "talk0000001",
            title="Python at scale",
            channel="PyCon",
            description="A conference talk.",
            transcript=[
                (3.0, "welcome everyone"),
                (50.0, "we sponsor nothing"),
                (95.0, "distributed systems in python"),
            ],
        ),
    }
    return {"inbox": inbox, "talks": talks, **ids}


def _ids(page) -> list[int]:
    return [hit.video.id for hit in page.hits]


def test_one_word_finds_title_description_and_transcript_matches(db, library):
    page = search(db, "python")
    assert set(_ids(page)) == {library["python"], library["cooking"], library["talk"]}
    assert page.total == 3 and page.total_is_exact


def test_title_match_ranks_above_description_match(db, library):
    ranked = _ids(search(db, "python"))
    assert ranked.index(library["python"]) < ranked.index(library["cooking"])


def test_every_word_must_match(db, library):
    assert _ids(search(db, "python beginners")) == [library["python"]]
    assert _ids(search(db, "python nonexistentword")) == []


def test_phrase_matches_words_in_order_only(db, library):
    assert _ids(search(db, '"ownership explained"')) == [library["rust"]]
    assert _ids(search(db, '"explained ownership"')) == []


def test_excluded_word_drops_videos_whose_metadata_or_window_says_it(db, library):
    assert set(_ids(search(db, "python -beginners"))) == {library["cooking"], library["talk"]}
    assert _ids(search(db, "python -scale -recipe")) == [library["python"]]


def test_channel_filter_keeps_that_channel_only(db, library):
    assert _ids(search(db, "python channel:pycon")) == [library["talk"]]
    assert _ids(search(db, 'channel:"corey schafer"')) == [library["python"]]
    assert _ids(search(db, "channel:kenji python")) == [library["cooking"]]
    # The channel filter looks at the channel only, not the title.
    assert _ids(search(db, "channel:risotto")) == []


def test_last_word_is_a_prefix_while_typing(db, library):
    assert _ids(search(db, "owner")) == []
    assert _ids(search(db, "owner", as_you_type=True)) == [library["rust"]]
    assert _ids(search(db, "owner*")) == [library["rust"]]


def test_one_letter_beginnings_search_nothing_and_past_four_beginnings_match_whole_words(db, library):
    assert search(db, "r", as_you_type=True) == SearchPage(
        hits=(), total=0, total_is_exact=True, notice="Type at least 2 letters to search."
    )
    assert _ids(search(db, "ownership e", as_you_type=True)) == [library["rust"]]
    assert _ids(search(db, "a* b* c* d* e* f* g* h* i* j* k* l* m* n* o* p*")) == []
    # "explained" is the fifth beginning, so it must be a whole word: "expl*" would match, "expl" does not.
    assert _ids(search(db, "ru* ow* bo* li* explained*")) == [library["rust"]]
    assert _ids(search(db, "ru* ow* bo* li* expl*")) == []


def _slow_condition(rows: int) -> sa.TextClause:
    """A condition true after counting ``rows`` rows of a recursive CTE: slow on both engines, whatever the library."""
    return sa.text(
        f"(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {rows}) SELECT COUNT(*) FROM c) > 0"
    )


def test_a_search_past_its_timeout_says_so_and_leaves_the_connection_as_it_was(db, library):
    started = time.monotonic()
    page = search(db, "python", where=[_slow_condition(50_000_000)], timeout_ms=50)

    assert page == SearchPage(hits=(), total=0, total_is_exact=True, notice=TIMEOUT_NOTICE)
    assert time.monotonic() - started < 5
    # The deadline is gone with the search: the pooled connection runs a slow statement and searches again.
    with db.read() as session:
        assert session.execute(sa.select(sa.literal(1)).where(_slow_condition(200_000))).scalar() == 1
    assert len(search(db, "python").hits) == 3


def test_list_scope_and_all_lists(db, library):
    assert set(_ids(search(db, "python", list_id=library["talks"]))) == {library["talk"]}
    assert set(_ids(search(db, "python", list_id=library["inbox"]))) == {library["python"], library["cooking"]}
    assert all(hit.video.list_id == library["talks"] for hit in search(db, "python", list_id=library["talks"]).hits)


def test_transcript_hit_gives_the_window_start_second_and_a_highlighted_snippet(db, library):
    page = search(db, "parmesan")
    assert _ids(page) == [library["cooking"]]
    match = page.hits[0].transcript
    assert match is not None and match.start_s == 61
    assert f"{MARK_START}parmesan{MARK_END}" in match.snippet
    assert ("parmesan", True) in highlight_parts(match.snippet)


def test_best_window_is_the_matching_one(db, library):
    match = search(db, "distributed systems").hits[0].transcript
    assert match.start_s == 95
    assert [t for t, lit in highlight_parts(match.snippet) if lit] == ["distributed", "systems"]


def test_window_saying_the_word_more_often_ranks_its_video_first(db):
    list_id = _list(db, "Harbour")
    once = _video(db, list_id, "once0000001", transcript=[(0.0, "the lighthouse at dusk"), (5.0, "boats come home")])
    often = _video(
        db,
        list_id,
        "often000001",
        transcript=[(0.0, "a lighthouse, then a lighthouse"), (5.0, "and one more lighthouse")],
    )
    page = search(db, "lighthouse")
    assert _ids(page) == [often, once]
    assert page.hits[0].rank > page.hits[1].rank > 0


def test_metadata_and_transcript_scores_add_up(db):
    list_id = _list(db, "Harbour")
    both = _video(db, list_id, "both0000001", title="Lighthouse keepers", transcript=[(0.0, "the lighthouse")])
    title = _video(db, list_id, "title000001", title="Lighthouse keepers")
    spoken = _video(db, list_id, "spoken00001", title="Keepers", transcript=[(0.0, "the lighthouse")])
    page = search(db, "lighthouse")
    assert set(_ids(page)) == {both, title, spoken}
    ranks = {hit.video.id: hit.rank for hit in page.hits}
    assert ranks[both] == pytest.approx(ranks[title] + ranks[spoken], rel=1e-6)
    assert page.hits[0].video.id == both and page.hits[0].transcript.start_s == 0


def test_words_must_share_one_window_or_the_metadata(db, library):
    # "risotto" (0 s) and "butter" (66 s) fall in different windows; the title has only risotto.
    assert _ids(search(db, "butter parmesan")) == [library["cooking"]]
    assert _ids(search(db, "butter welcome")) == []


def test_transcript_phrase_needs_its_words_adjacent_and_in_order(db):
    """Punctuation separates words on both engines (PostgreSQL's parser alone would keep ``e-mail`` and ``3.5``
    whole), and on PostgreSQL a phrase is first looked up by its adjacent word pairs
    (``transcript_window_pairs``): every shape of phrase finds what it says, and nothing else."""
    inbox = _list(db, "Inbox")
    adjacent = _video(
        db,
        inbox,
        "adj00000001",
        transcript=[(0.0, "please e-mail the bread lab"), (4.0, "about sourdough"), (8.0, "version 3.5 ships")],
    )
    apart = _video(db, inbox, "apart000001", transcript=[(0.0, "the lab sells bread"), (4.0, "e-mail them")])
    # Adjacent across two cues of one window; pieces of a hyphenated word; two phrases in one query.
    assert _ids(search(db, '"lab about sourdough"')) == [adjacent]
    assert _ids(search(db, '"e mail the"')) == [adjacent]
    assert _ids(search(db, 'e-mail "bread lab"')) == [adjacent]
    assert _ids(search(db, '"bread lab" "please e-mail"')) == [adjacent]
    assert _ids(search(db, '"version 3.5 ships"')) == [adjacent]
    assert _ids(search(db, "3.5")) == [adjacent]
    assert _ids(search(db, '"lab bread"')) == []
    assert _ids(search(db, '"bread lab" "sells bread"')) == []
    assert set(_ids(search(db, '"e-mail"'))) == {adjacent, apart}
    assert _ids(search(db, '"bread lab" -"about sourdough"')) == []


def test_metadata_phrase_needs_its_words_adjacent_and_follows_edits(db):
    """On PostgreSQL a phrase is first looked up in ``video.search_pairs``, a column generated from the text:
    it finds the metadata that says the phrase, not the one holding its words apart, and follows an edit."""
    inbox = _list(db, "Inbox")
    says = _video(db, inbox, "meta0000001", title="Sourdough e-mail course", description="Bake rye bread at home.")
    apart = _video(db, inbox, "meta0000002", title="Bread for beginners", description="Rye flour; e-mail us.")
    assert _ids(search(db, '"rye bread"')) == [says]
    assert _ids(search(db, '"e-mail course"')) == [says]
    assert _ids(search(db, '"bread rye"')) == []
    with db.write() as session:
        row = session.get(Video, apart)
        row.description = "Rye bread for beginners."
        session.add(row)
    assert set(_ids(search(db, '"rye bread"'))) == {says, apart}
    assert _ids(search(db, '"rye bread" -sourdough')) == [apart]


def test_phrase_in_one_list_follows_moves_and_copies(db):
    """A phrase searched in one list finds the windows of that list's videos only (on PostgreSQL through the
    list's marker in ``transcript_window_pairs``), and a move or a copy carries the video's windows along."""
    inbox, talks = _list(db, "Inbox"), _list(db, "Talks")
    moved = _video(db, inbox, "move0000001", transcript=[(0.0, "knead the rye dough slowly")])
    stays = _video(db, inbox, "stay0000001", transcript=[(0.0, "we knead the rye dough too")])
    assert sorted(_ids(search(db, '"rye dough"', list_id=inbox))) == sorted([moved, stays])
    assert _ids(search(db, '"rye dough"', list_id=talks)) == []

    assert move_videos(db, [moved], talks).moved == 1
    assert _ids(search(db, '"rye dough"', list_id=talks)) == [moved]
    assert _ids(search(db, '"rye dough"', list_id=inbox)) == [stays]

    assert copy_videos(db, [stays], talks).moved == 1
    copied = set(_ids(search(db, '"rye dough"', list_id=talks))) - {moved}
    assert len(copied) == 1 and stays not in copied
    assert _ids(search(db, '"rye dough"', list_id=inbox)) == [stays]
    assert len(_ids(search(db, '"rye dough"'))) == 3


def test_metadata_update_reindexes_and_new_windows_replace_old(db, library):
    with db.write() as session:
        row = session.get(Video, library["rust"])
        row.title = "Zig comptime explained"
        session.add(row)
    assert _ids(search(db, "ownership")) == []
    assert _ids(search(db, "comptime")) == [library["rust"]]
    with db.write() as session:
        replace_windows(session, library["cooking"], [CaptionSegment(start_s=5.0, duration_s=3.0, text="gnocchi")])
    assert _ids(search(db, "parmesan")) == []
    assert search(db, "gnocchi").hits[0].transcript.start_s == 5


def test_pagination_and_count(db, library):
    first, second = search(db, "python", limit=2), search(db, "python", offset=2, limit=2)
    assert len(first.hits) == 2 and len(second.hits) == 1
    assert set(_ids(first) + _ids(second)) == {library["python"], library["cooking"], library["talk"]}
    beyond = search(db, "python", offset=10, limit=2)
    assert beyond.hits == () and beyond.total == 3


def test_total_is_a_floor_beyond_the_candidate_cap(db, monkeypatch):
    monkeypatch.setattr("robust_import_app.search.engine.MAX_CANDIDATES", 3)
    list_id = _list(db, "Many")
    for n in range(5):
        _video(db, list_id, f"many{n:07d}", title=f"common word {n}")
    page = search(db, "common")
    assert page.total == 3 and not page.total_is_exact


@pytest.mark.parametrize("side", ["metadata", "transcript"])
def test_past_the_candidate_cap_the_newest_matches_are_ranked(db, monkeypatch, side):
    """The cap keeps each side's newest matches (highest ids), not its best: an older, better match is left out."""
    monkeypatch.setattr("robust_import_app.search.engine.MAX_CANDIDATES", 3)
    list_id = _list(db, "Many")

    def video(n: int, text: str) -> int:
        if side == "metadata":
            return _video(db, list_id, f"many{n:07d}", title=text)
        return _video(db, list_id, f"many{n:07d}", title=f"video {n}", transcript=[(0.0, text)])

    oldest_best = video(0, "common common common")
    newer = [video(n, f"common word {n}") for n in range(1, 4)]
    page = search(db, "common")
    assert set(_ids(page)) == set(newer) and oldest_best not in _ids(page)
    assert page.total == 3 and not page.total_is_exact


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced quote',
        'python "',
        '""',
        "AND OR NOT NEAR(",
        "NEAR(python rust, 3)",
        "*",
        "^python",
        "python*rust",
        "title:python",
        "{title channel}: python",
        "'; DROP TABLE video; --",
        "-",
        "-python",
        "channel:",
        "\\",
        "\x00\x02\x03",
        "🦀 ünïcödé ß",
        "a" * 10_000,
        "python " * 2000,
        '"' * 999,
        "(" * 500 + ")" * 3,
    ],
)
def test_hostile_queries_never_raise(db, library, text):
    page = search(db, text, list_id=library["inbox"], as_you_type=True)
    assert page.total >= len(page.hits)
    search(db, text)


def test_queries_that_cannot_match_say_why(db, library):
    assert search(db, "-python").notice == "Add a word to search for, not only words to leave out."
    assert search(db, "  ").notice == "Type a word to search."


def test_videos_without_any_text_match_nothing(db):
    list_id = _list(db, "Blank")
    with db.write() as session:
        session.add(Video(list_id=list_id, youtube_id="blank000001"))
    assert search(db, "blank").hits == ()
    with db.read() as session:
        assert session.exec(select(Video)).first() is not None
