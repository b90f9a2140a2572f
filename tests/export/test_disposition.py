"""Download names built from list names and video titles cannot escape, break the header, or lose unicode."""

from __future__ import annotations

import pytest
from werkzeug.http import parse_options_header

from robust_import_app.api.disposition import MAX_STEM_CHARS, content_disposition, safe_filename


@pytest.mark.parametrize(
    ("stem", "filename"),
    [
        ("Inbox", "Inbox.csv"),
        ('My "best" list', "My _best_ list.csv"),
        ("../../etc/passwd", "_.._etc_passwd.csv"),
        ("a\\b/c", "a_b_c.csv"),
        ("tab\there\r\nnewline", "tab_here__newline.csv"),
        ("what? <yes>: a|b*", "what_ _yes__ a_b_.csv"),
        ("Café 東京 🎉", "Café 東京 🎉.csv"),
        ("  ..hidden..  ", "hidden.csv"),
        ("...", "list-7.csv"),
        ("", "list-7.csv"),
        ("x" * 300, "x" * MAX_STEM_CHARS + ".csv"),
        ("evil\u202etxt.exe", "eviltxt.exe.csv"),
        ("zero\u200bwidth\u2066isolate\u2069 \ufeffmark", "zerowidthisolate mark.csv"),
        ("lone \udc80 surrogate", "lone surrogate.csv"),
    ],
)
def test_safe_filename(stem, filename):
    assert safe_filename(stem, "csv", fallback_stem="list-7") == filename


@pytest.mark.parametrize(
    ("filename", "ascii_name"),
    [
        ("Inbox.csv", "Inbox.csv"),
        ("Café 東京 🎉.json", "Cafe.json"),
        ("東京.json", "list-7.json"),
        ("it's.txt", "it_s.txt"),
    ],
)
def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name(filename, ascii_name):
    header = content_disposition(filename, fallback_stem="list-7")

    # werkzeug reads filename* (RFC 8187) over filename, as browsers do; a client without it sees the fallback.
    assert parse_options_header(header) == ("attachment", {"filename": filename})
    assert parse_options_header(header.split("; filename*=", 1)[0]) == ("attachment", {"filename": ascii_name})
    assert ("filename*" in header) == (filename != ascii_name)
    assert header.isascii() and "\n" not in header and "\r" not in header


def test_a_right_to_left_override_never_reaches_the_header():
    """A title that would show "evil<RLO>txt.exe" reversed is named by what it really is."""
    header = content_disposition(
        safe_filename("evil\u202etxt.exe", "srt", fallback_stem="video-1"), fallback_stem="video-1"
    )

    assert "%E2%80%AE" not in header.upper() and "\u202e" not in header
    assert parse_options_header(header) == ("attachment", {"filename": "eviltxt.exe.srt"})
