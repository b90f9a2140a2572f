"""Description links: only http(s) addresses become links; everything else stays text."""

from __future__ import annotations

import pytest

from robust_import_app.youtube.description import DescriptionPart, split_links


def _links(text: str) -> list[str]:
    return [part.href for part in split_links(text) if part.href]


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("Slides: https://example.com/talk.pdf", ["https://example.com/talk.pdf"]),
        ("see http://a.example/x?y=1&z=2#top.", ["http://a.example/x?y=1&z=2#top"]),
        ("(https://example.com/a)", ["https://example.com/a"]),
        ("https://en.wikipedia.org/wiki/Heat_(film), a film", ["https://en.wikipedia.org/wiki/Heat_(film)"]),
        ("HTTPS://EXAMPLE.COM/up", ["HTTPS://EXAMPLE.COM/up"]),
        ("two: https://a.example https://b.example!", ["https://a.example", "https://b.example"]),
        ("javascript:alert(1)", []),
        ("JaVaScRiPt:alert(document.cookie)//https", []),
        ("data:text/html;base64,PHNjcmlwdD4=", []),
        ("vbscript:msgbox(1) file:///etc/passwd ftp://example.com", []),
        ("https:// no host, https:///path", []),
        ("http://[::1", []),
        ('<a href="javascript:alert(1)">x</a>', []),
        ('<img src=x onerror="alert(1)">https://ok.example<script>alert(1)</script>', ["https://ok.example"]),
        ('https://ok.example/"onmouseover="alert(1)', ["https://ok.example/"]),
        ("no links at all", []),
        ("", []),
    ],
)
def test_only_web_addresses_become_links(text, links):
    assert _links(text) == links


@pytest.mark.parametrize(
    "text",
    [
        "Intro\n0:00 Start\nhttps://example.com/a, and <script>alert(1)</script> then http://b.example.",
        "javascript:alert(1) <b>bold</b> https://x.example/?q=<svg/onload=alert(1)>",
        "https://a.example" * 3,
    ],
)
def test_the_parts_put_together_are_the_text_unchanged(text):
    parts = split_links(text)
    assert "".join(part.text for part in parts) == text
    assert all(part.href in ("", part.text) for part in parts), "a link shows its own address"
    assert all("<" not in part.href and ">" not in part.href for part in parts)


def test_markup_stays_plain_text():
    parts = split_links("<script>alert(1)</script>")
    assert parts == [DescriptionPart("<script>alert(1)</script>")]


def test_links_open_in_a_new_tab_without_the_opener_or_referrer():
    from robust_import_app.components.description import description
    from robust_import_app.state.video import VideoState

    rendered = str(description(VideoState.description_parts).render())
    assert 'rel:"noopener noreferrer"' in rendered and "_blank" in rendered
    assert "dangerouslySetInnerHTML" not in rendered
