"""The library page's address (view → URL) and the detail page's jump to a second (``?t=``)."""

from __future__ import annotations

import pytest

from robust_import_app.library_view import Sort, StateFilter, ViewQuery
from robust_import_app.state.library import route_id, view_url
from robust_import_app.state.video import focus_anchor, timed_line


def test_view_url_names_the_list_or_the_search_and_round_trips():
    view = ViewQuery(list_id=4, text="risotto -bread", state=StateFilter.FAILED, sort=Sort.TITLE, page=2)
    assert view_url(view) == "/list/4?q=risotto+-bread&state=failed&sort=title&page=3"
    assert view_url(ViewQuery(list_id=None, text="x")) == "/search?q=x"
    assert view_url(ViewQuery(list_id=1)) == "/list/1"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/list/12", 12),
        ("/list/12/", 12),
        ("/list/", None),
        ("/list/abc", None),
        ("/list/٣", None),
        ("/video/3", None),
    ],
)
def test_route_id(path, expected):
    assert route_id(path, "/list/") == expected


LINES = [timed_line("dQw4w9WgXcQ", start_s, "text") for start_s in (0.4, 12.0, 61.5, 95.2)]


@pytest.mark.parametrize(
    ("t", "anchor"),
    [
        ("61", "seg-61"),
        ("70", "seg-61"),
        ("0", "seg-0"),
        ("999", "seg-95"),
        (None, ""),
        ("abc", ""),
        ("-5", ""),
        ("", ""),
    ],
)
def test_focus_anchor_is_the_segment_playing_at_that_second(t, anchor):
    assert focus_anchor(LINES, t) == anchor


def test_segment_links_to_youtube_at_its_second():
    line = LINES[2]
    assert (line.anchor, line.second, line.href) == ("seg-61", 61, "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=61s")
