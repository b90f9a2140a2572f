"""What the share target, the bookmarklet and a drop hand over becomes paste text (robust_import_app/share.py)."""

from __future__ import annotations

import pytest

from robust_import_app.share import bookmarklet, dropped_text, share_text
from robust_import_app.youtube import parse_paste

VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
SHORT = "https://youtu.be/dQw4w9WgXcQ?si=abc"


@pytest.mark.parametrize(
    ("url", "text", "title", "expected"),
    [
        (VIDEO, None, None, VIDEO),
        (None, f"Look at this {SHORT}", "Never Gonna Give You Up", f"Look at this {SHORT}"),
        (SHORT, f"Look at this {SHORT}", None, f"Look at this {SHORT}"),
        (f"  {VIDEO}\n", "", "", VIDEO),
        (VIDEO, "my notes", "Rick Astley - YouTube", f"{VIDEO}\nmy notes"),
        (None, None, SHORT, SHORT),
        (None, "just words", None, "just words"),
        (None, None, "Rick Astley - YouTube", ""),
        (None, None, None, ""),
        ("", "  ", "", ""),
    ],
)
def test_share_text_keeps_the_links_once_and_drops_a_plain_title(url, text, title, expected):
    assert share_text(url, text, title) == expected


def test_a_link_shared_as_url_and_inside_text_is_one_video_without_a_repeat_notice():
    found = parse_paste(share_text(SHORT, f"Look at this {SHORT}", "Rick"))
    assert (found.video_ids, found.repeated, found.rejected) == (("dQw4w9WgXcQ",), (), ())


@pytest.mark.parametrize(
    ("uri_list", "plain", "expected"),
    [
        (f"# dragged from a tab\r\n{VIDEO}\r\n{SHORT}\r\n", VIDEO, f"{VIDEO}\n{SHORT}"),
        ("", f"Look {SHORT}", f"Look {SHORT}"),
        (None, "hello world", "hello world"),
        ("# only a comment\n", "text", "text"),
        (None, None, ""),
    ],
)
def test_dropped_text_prefers_the_uri_list_then_the_plain_text(uri_list, plain, expected):
    assert dropped_text(uri_list, plain) == expected


def test_bookmarklet_opens_the_add_page_of_the_origin():
    code = bookmarklet("https://import.example.org:8443/")
    assert code == (
        'javascript:void(window.open("https://import.example.org:8443/add?url="'
        "+encodeURIComponent(location.href),'_blank','noopener'))"
    )
    assert "%" not in code and " " not in code


@pytest.mark.parametrize(
    "origin",
    ["", "://", "ftp://host", "https://host/path", "https://user:pw@host", "https://host?x=1", "javascript:alert(1)"],
)
def test_bookmarklet_refuses_what_is_not_an_origin(origin):
    with pytest.raises(ValueError, match="not an app origin"):
        bookmarklet(origin)
