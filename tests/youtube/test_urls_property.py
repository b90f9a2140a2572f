"""Properties of the paste parser on random and hostile pastes (hypothesis), and hostile pastes at full size.

The full-size pastes are those of ``bench/parse_bench.py`` (900,000 characters,
the largest the dialog sends). The old markdown-link regex took about 20 s on
160,000 characters of ``[x](`` and minutes at full size; each must now finish
far inside the bound of its test (the timing goal itself is the benchmark's).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.parse_bench import DEFAULT_CHARS, adversarial_pastes
from robust_import_app.youtube.urls import (
    LinkProblem,
    _markdown_links_as_urls,
    parse_paste,
)

OLD_MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
"""The regex the scan replaces: the reference for what it must find."""

VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")

PIECES = [
    "[", "]", "(", ")", "](", "[x](", "<", ">", " ", "\t", ",", ".", "/", "?", "&", "&amp;", "=", "#",
    "\u200b", "- ", "1. ", "https://", "//", "www.", "youtube.com/", "youtu.be/", "watch?v=", "shorts/",
    "attribution_link?u=", "list=PL1", "@chan", "dQw4w9WgXcQ", "jNQXAC9IVRw", "x", "é", "<script>", "\n", "\r\n",
]  # fmt: skip
"""Fragments that matter to the parser, so that random pastes hit its rules."""

pastes = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(PIECES), max_size=60).map("".join),
)
bracket_lines = st.text(alphabet="[]()x \t", max_size=40)


@given(bracket_lines)
@settings(max_examples=2000)
def test_markdown_scan_finds_what_the_old_regex_found(line: str) -> None:
    assert _markdown_links_as_urls(line) == OLD_MARKDOWN_LINK.sub(r" \1 ", line)


@given(pastes)
@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
def test_any_paste_parses_to_ids_and_whole_lines(text: str) -> None:
    result = parse_paste(text)
    lines = [line.strip() for line in text.splitlines()]
    assert all(VIDEO_ID.fullmatch(video_id) for video_id in result.video_ids)
    assert len(set(result.video_ids)) == len(result.video_ids)
    assert set(result.repeated) <= set(result.video_ids)
    for rejected in result.rejected:
        assert rejected.text in lines, "a rejected line is a whole pasted line"
        assert isinstance(rejected.problem, LinkProblem) and rejected.reason
    assert len(result.rejected) <= len(lines)


@given(pastes)
@settings(max_examples=300)
def test_a_line_pasted_again_adds_no_id_and_is_rejected_again(text: str) -> None:
    once, twice = parse_paste(text), parse_paste(text + "\n" + text)
    assert twice.video_ids == once.video_ids
    assert twice.rejected == once.rejected + once.rejected


def test_lines_of_markup_junk_and_prose_are_reported_whole() -> None:
    paste = "<script>alert(1)</script>\nsome junk with spaces\n[x](y\n\n---\n"
    assert [r.text for r in parse_paste(paste).rejected] == [
        "<script>alert(1)</script>",
        "some junk with spaces",
        "[x](y",
    ]


HOSTILE_PASTES = adversarial_pastes(DEFAULT_CHARS)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(HOSTILE_PASTES))
def test_hostile_full_size_paste_parses_far_inside_a_minute(name: str) -> None:
    text = HOSTILE_PASTES[name]
    assert len(text) == DEFAULT_CHARS
    result = parse_paste(text)
    assert len(result.rejected) <= text.count("\n") + 1


@given(
    st.from_regex(VIDEO_ID, fullmatch=True),
    st.sampled_from(["youtu.be/", "https://youtu.be/", "www.youtube.com/watch?v=", "youtube.com/shorts/"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8),
)
@settings(max_examples=300)
def test_a_link_glued_to_a_word_by_a_parenthesis_yields_its_whole_id(video_id: str, prefix: str, word: str) -> None:
    for line in (f"{prefix}{video_id}){word}", f"see ({prefix}{video_id}){word} now"):
        result = parse_paste(line)
        assert result.video_ids == (video_id,)
        assert result.rejected == ()
