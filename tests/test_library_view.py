"""The library page's view on real SQLite and PostgreSQL databases: every filter and sort, search with
filters, pages, and the address bar's parameters (round trip, junk)."""

from __future__ import annotations

import datetime as dt

import pytest

from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.video import CaptionSegment, CaptionSource
from robust_import_app.library_view import (
    Sort,
    StateFilter,
    ViewQuery,
    channel_options,
    load_view,
)
from robust_import_app.models import Video, VideoList
from robust_import_app.search.engine import MARK_START
from robust_import_app.search.windows import replace_windows

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def db_url(sqlite_or_postgres_db_url: str) -> str:
    return sqlite_or_postgres_db_url


def _list(db, name: str) -> int:
    with db.write() as session:
        row = VideoList(name=name)
        session.add(row)
        session.flush()
        return row.id


def _video(db, list_id: int, youtube_id: str, *, added: int, transcript=(), **fields) -> int:
    """A video added ``added`` minutes after T0, blank first and then filled in, as the pipeline does."""
    with db.write() as session:
        row = Video(list_id=list_id, youtube_id=youtube_id, created_at=T0 + dt.timedelta(minutes=added))
        session.add(row)
        session.flush()
        video_id = row.id
    with db.write() as session:
        row = session.get(Video, video_id)
        for name, value in fields.items():
            setattr(row, name, value)
        session.add(row)
    if transcript:
        with db.write() as session:
            cues = [CaptionSegment(start_s=s, duration_s=4.0, text=t) for s, t in transcript]
            replace_windows(session, video_id, cues)
    return video_id


@pytest.fixture
def lib(db):
    """Two lists; the Inbox holds one video of each state. Returns list ids and video row ids by name."""
    inbox, talks = _list(db, "Inbox"), _list(db, "Talks")
    done = dict(import_stage=ImportStage.COMPLETE, import_progress=100)
    ids = {
        "risotto": _video(
            db,
            inbox,
            "cook0000001",
            added=1,
            title="Perfect risotto",
            channel="Kenji",
            duration_s=600,
            published=dt.date(2024, 5, 1),
            caption_source=CaptionSource.MANUAL,
            transcript=[(0.0, "today we make risotto"), (61.5, "now the parmesan goes in")],
            **done,
        ),
        "bread": _video(
            db,
            inbox,
            "cook0000002",
            added=2,
            title="bread basics",
            channel="Kenji",
            duration_s=1800,
            published=dt.date(2025, 2, 1),
            caption_source=CaptionSource.AUTO,
            transcript=[(5.0, "knead the dough"), (95.0, "parmesan on bread is fine")],
            **done,
        ),
        "silent": _video(
            db,
            inbox,
            "mute0000001",
            added=3,
            title="Apple orchard",
            channel="Nature",
            duration_s=120,
            published=dt.date(2023, 7, 9),
            caption_source=CaptionSource.NONE,
            **done,
        ),
        "failed": _video(
            db,
            inbox,
            "privAAAAAAA",
            added=4,
            import_stage=ImportStage.ERROR,
            import_progress=100,
            error_code="private",
            error_message="This video is private.",
        ),
        "queued": _video(db, inbox, "zzzz0000001", added=5),
        "talk": _video(
            db,
            talks,
            "talk0000001",
            added=6,
            title="Parmesan at scale",
            channel="PyCon",
            duration_s=3000,
            published=dt.date(2025, 9, 1),
            caption_source=CaptionSource.WHISPER,
            **done,
        ),
    }
    return {"inbox": inbox, "talks": talks, **ids}


def _ids(page) -> list[int]:
    return [row.video.id for row in page.rows]


def test_default_view_is_the_list_newest_first(db, lib):
    page = load_view(db, ViewQuery(list_id=lib["inbox"]))
    assert _ids(page) == [lib[n] for n in ("queued", "failed", "silent", "bread", "risotto")]
    assert page.total == 5 and page.total_is_exact


def test_all_lists(db, lib):
    assert load_view(db, ViewQuery(list_id=None)).total == 6


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (StateFilter.IN_PROGRESS, ["queued"]),
        (StateFilter.COMPLETE, ["silent", "bread", "risotto"]),
        (StateFilter.FAILED, ["failed"]),
        (StateFilter.WITHOUT_CAPTIONS, ["silent"]),
    ],
)
def test_state_filter(db, lib, state, expected):
    page = load_view(db, ViewQuery(list_id=lib["inbox"], state=state))
    assert _ids(page) == [lib[n] for n in expected] and page.total == len(expected)


def test_caption_source_channel_duration_and_date_filters(db, lib):
    inbox = lib["inbox"]
    assert _ids(load_view(db, ViewQuery(list_id=inbox, caption_source=CaptionSource.AUTO))) == [lib["bread"]]
    assert _ids(load_view(db, ViewQuery(list_id=None, caption_source=CaptionSource.WHISPER))) == [lib["talk"]]
    assert _ids(load_view(db, ViewQuery(list_id=inbox, channel="Kenji"))) == [lib["bread"], lib["risotto"]]
    assert _ids(load_view(db, ViewQuery(list_id=inbox, duration_min_s=600))) == [lib["bread"], lib["risotto"]]
    assert _ids(load_view(db, ViewQuery(list_id=inbox, duration_max_s=600))) == [lib["silent"], lib["risotto"]]
    assert _ids(load_view(db, ViewQuery(list_id=inbox, duration_min_s=601, duration_max_s=1800))) == [lib["bread"]]
    dated = ViewQuery(list_id=inbox, published_from=dt.date(2024, 1, 1), published_to=dt.date(2024, 5, 1))
    assert _ids(load_view(db, dated)) == [lib["risotto"]]
    assert _ids(load_view(db, ViewQuery(list_id=inbox, published_from=dt.date(2025, 1, 1)))) == [lib["bread"]]


def test_filters_combine(db, lib):
    view = ViewQuery(list_id=lib["inbox"], state=StateFilter.COMPLETE, channel="Kenji", duration_max_s=900)
    assert _ids(load_view(db, view)) == [lib["risotto"]]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (Sort.ADDED, ["queued", "failed", "silent", "bread", "risotto"]),
        (Sort.PUBLISHED, ["bread", "risotto", "silent", "queued", "failed"]),
        (Sort.DURATION, ["bread", "risotto", "silent", "queued", "failed"]),
        # Titles case-insensitively; rows without a title sort by their YouTube id.
        (Sort.TITLE, ["silent", "bread", "risotto", "failed", "queued"]),
    ],
)
def test_sorts(db, lib, sort, expected):
    assert _ids(load_view(db, ViewQuery(list_id=lib["inbox"], sort=sort))) == [lib[n] for n in expected]


def test_pages_do_not_overlap_and_a_page_past_the_end_shows_the_last(db, lib):
    view = ViewQuery(list_id=lib["inbox"], sort=Sort.TITLE)
    pages = [load_view(db, view.with_changes(page=n), page_size=2) for n in range(3)]
    assert [len(p.rows) for p in pages] == [2, 2, 1]
    assert sum((_ids(p) for p in pages), []) == _ids(load_view(db, view))
    beyond = load_view(db, view.with_changes(page=99), page_size=2)
    assert beyond.page == 2 and _ids(beyond) == _ids(pages[2])


def test_search_shows_the_matching_line_with_its_second(db, lib):
    page = load_view(db, ViewQuery(list_id=lib["inbox"], text="parmesan"))
    assert set(_ids(page)) == {lib["risotto"], lib["bread"]}
    by_id = {row.video.id: row.match for row in page.rows}
    assert by_id[lib["risotto"]].start_s == 61  # the window of the cue at 61.5 s, in whole seconds
    assert by_id[lib["bread"]].start_s == 95
    assert MARK_START + "parmesan" in by_id[lib["risotto"]].snippet


def test_search_across_all_lists(db, lib):
    page = load_view(db, ViewQuery(list_id=None, text="parmesan"))
    assert set(_ids(page)) == {lib["risotto"], lib["bread"], lib["talk"]}


def test_search_with_filters_and_sort(db, lib):
    auto = load_view(db, ViewQuery(list_id=None, text="parmesan", caption_source=CaptionSource.AUTO))
    assert _ids(auto) == [lib["bread"]] and auto.total == 1
    by_duration = load_view(db, ViewQuery(list_id=None, text="parmesan", sort=Sort.DURATION))
    assert _ids(by_duration) == [lib["talk"], lib["bread"], lib["risotto"]]
    by_title = ViewQuery(list_id=None, text="parmesan", sort=Sort.TITLE)
    paged = [load_view(db, by_title.with_changes(page=n), page_size=2) for n in range(2)]
    assert [_ids(p) for p in paged] == [[lib["bread"], lib["talk"]], [lib["risotto"]]]
    assert paged[1].total == 3


def test_a_filtered_search_shows_the_matching_line_of_the_shown_page(db, lib):
    page = load_view(db, ViewQuery(list_id=lib["inbox"], text="parmesan", sort=Sort.TITLE), page_size=1)
    [row] = page.rows
    assert page.total == 2
    assert row.match is not None and MARK_START + "parmesan" in row.match.snippet


def test_search_pages_of_the_engine_without_filters(db, lib):
    first = load_view(db, ViewQuery(list_id=None, text="parmesan"), page_size=2)
    second = load_view(db, ViewQuery(list_id=None, text="parmesan", page=1), page_size=2)
    beyond = load_view(db, ViewQuery(list_id=None, text="parmesan", page=7), page_size=2)
    assert first.total == 3 and len(first.rows) == 2 and len(second.rows) == 1
    assert set(_ids(first)) | set(_ids(second)) == {lib["risotto"], lib["bread"], lib["talk"]}
    assert beyond.page == 1 and _ids(beyond) == _ids(second)


def test_a_filtered_search_excludes_words_and_clamps_a_page_past_the_end(db, lib):
    view = ViewQuery(list_id=None, text="parmesan -scale", duration_min_s=300)
    last = load_view(db, view.with_changes(page=5), page_size=1)
    first = load_view(db, view, page_size=1)
    assert last.page == 1 and last.total == first.total == 2
    assert set(_ids(first) + _ids(last)) == {lib["risotto"], lib["bread"]}  # not the talk: "-scale"


def test_a_filtered_search_past_the_candidate_cap_says_more_than(db, lib, monkeypatch):
    monkeypatch.setattr("robust_import_app.search.engine.MAX_CANDIDATES", 1)
    page = load_view(db, ViewQuery(list_id=None, text="parmesan", state=StateFilter.COMPLETE))
    assert not page.total_is_exact
    assert 1 <= page.total == len(page.rows) <= 2


@pytest.mark.parametrize("text", ['"unbalanced', "AND OR NOT (", "-", "*", "channel:", "\\\"'"])
def test_hostile_search_text_never_raises(db, lib, text):
    page = load_view(db, ViewQuery(list_id=lib["inbox"], text=text, state=StateFilter.COMPLETE))
    assert page.total == len(page.rows)


def test_params_round_trip():
    view = ViewQuery(
        list_id=3,
        text='risotto "exact words" -bread',
        state=StateFilter.WITHOUT_CAPTIONS,
        caption_source=CaptionSource.WHISPER,
        channel="Kenji López-Alt",
        duration_min_s=60,
        duration_max_s=1200,
        published_from=dt.date(2024, 1, 2),
        published_to=dt.date(2024, 12, 31),
        sort=Sort.TITLE,
        page=4,
    )
    params = view.to_params()
    assert params["page"] == "5" and params["from"] == "2024-01-02"
    assert ViewQuery.from_params(params, list_id=3) == view
    assert ViewQuery().to_params() == {}
    assert ViewQuery.from_params({}, list_id=None) == ViewQuery()


@pytest.mark.parametrize(
    "params",
    [
        {"state": "bogus", "source": "42", "sort": "DROP TABLE", "page": "abc"},
        {"min_s": "-5", "max_s": "1e9", "from": "2024-13-40", "to": "yesterday", "page": "-1"},
        {"page": "0", "min_s": "", "max_s": " ", "sort": "", "state": ""},
        {"page": "٣", "min_s": "９"},  # digits, but not ASCII ones
        {"page": "99999999999999999999"},
    ],
)
def test_junk_params_are_ignored(params):
    assert ViewQuery.from_params(params, list_id=7) == ViewQuery(list_id=7)


def test_junk_does_not_spoil_the_good_params():
    view = ViewQuery.from_params({"q": "x" * 900, "state": "failed", "page": "nope", "sort": "Title"}, list_id=1)
    assert view.state is StateFilter.FAILED and view.sort is Sort.TITLE and view.page == 0
    assert len(view.text) == 500


def test_a_crafted_link_with_lone_surrogates_and_nul_shows_the_page(db, lib):
    """``?channel=%ED%B2%80`` reaches the state as a lone surrogate, which no database driver can encode."""
    view = ViewQuery.from_params({"channel": "Ken\udc80ji\x00", "q": "\ud800parme\x00san"}, list_id=lib["inbox"])

    assert (view.channel, view.text) == ("Kenji", "parmesan")
    assert set(_ids(load_view(db, view))) == {lib["risotto"], lib["bread"]}


def test_a_change_starts_again_at_the_first_page():
    view = ViewQuery(list_id=1, page=3)
    assert view.with_changes(state=StateFilter.FAILED).page == 0
    assert view.with_changes(page=5).page == 5


def test_channel_options_most_frequent_first(db, lib):
    assert channel_options(db, lib["inbox"]) == ["Kenji", "Nature"]
    assert channel_options(db, None) == ["Kenji", "Nature", "PyCon"]
