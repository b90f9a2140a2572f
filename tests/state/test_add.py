"""The /add page's notices and list choice, and the settings page's bookmarklet element (state/add.py)."""

from __future__ import annotations

import html.parser

import pytest

from robust_import_app.share import bookmarklet
from robust_import_app.state.add import NO_LINK_SHARED, NOTHING_SHARED, bookmarklet_link, chosen_list, shared_notice
from robust_import_app.state.library import ListItem


@pytest.mark.parametrize(
    ("text", "notice"),
    [
        ("", NOTHING_SHARED),
        ("  \n", NOTHING_SHARED),
        ("Look at this https://youtu.be/dQw4w9WgXcQ", ""),
        ("https://www.youtube.com/@LinusTechTips", ""),
        ("https://example.com/page", NO_LINK_SHARED),
        ("hello world", NO_LINK_SHARED),
    ],
)
def test_shared_notice_warns_before_an_import_that_would_find_nothing(text, notice):
    assert shared_notice(text) == notice


LISTS = [ListItem(id=1, name="Inbox", video_count=0), ListItem(id=7, name="Later", video_count=3)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", LISTS[1]), ("1", LISTS[0]), ("8", None), ("", None), ("-1", None), ("٧", None), (7, None), (None, None)],
)
def test_chosen_list_is_one_of_the_offered_lists(value, expected):
    assert chosen_list(value, LISTS) == expected


class _Anchors(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])


def test_bookmarklet_link_carries_the_code_unchanged_through_html():
    code = bookmarklet("http://localhost:3000")
    parser = _Anchors()
    parser.feed(bookmarklet_link(code))
    assert parser.hrefs == [code]
