"""Transcripts as SRT and WebVTT read back by the ``srt`` and ``webvtt-py`` parsers; chapters as ``0:00 Title``."""

from __future__ import annotations

import html
from dataclasses import dataclass

import pytest
import srt
import webvtt

from robust_import_app.export import (
    chapter_lines,
    chapter_timestamp,
    plain_text_chunks,
    srt_chunks,
    srt_timestamp,
    vtt_chunks,
    vtt_timestamp,
)
from robust_import_app.youtube.chapters import parse_chapters


@dataclass
class Segment:
    start_s: float
    duration_s: float
    text: str


@dataclass
class Chapter:
    start_s: float
    title: str


SEGMENTS = [
    Segment(0.0, 1.5, "Hello & welcome <everyone>"),
    Segment(1.5, 2.25, "two lines\nof text"),
    Segment(4.0, 1.0, "a blank line\n\n  inside  "),
    Segment(5.0, 1.0, "   "),
    Segment(62.345, 1.655, "arrows --> are text"),
    Segment(3723.4567, 2.0, "past an hour, 🎉"),
]
# What a reader should get back: blank lines and empty cues gone, each line trimmed.
EXPECTED = [
    (0.0, 1.5, "Hello & welcome <everyone>"),
    (1.5, 3.75, "two lines\nof text"),
    (4.0, 5.0, "a blank line\ninside"),
    (62.345, 64.0, "arrows --> are text"),
    (3723.457, 3725.457, "past an hour, 🎉"),
]


@pytest.mark.parametrize(
    ("seconds", "srt_text", "vtt_text"),
    [
        (0, "00:00:00,000", "00:00:00.000"),
        (62.345, "00:01:02,345", "00:01:02.345"),
        (59.9996, "00:01:00,000", "00:01:00.000"),
        (3723.4567, "01:02:03,457", "01:02:03.457"),
        (360000, "100:00:00,000", "100:00:00.000"),
        (-1.0, "00:00:00,000", "00:00:00.000"),
    ],
)
def test_cue_timestamps(seconds, srt_text, vtt_text):
    assert srt_timestamp(seconds) == srt_text
    assert vtt_timestamp(seconds) == vtt_text


def test_srt_reads_back_with_the_srt_library():
    text = "".join(srt_chunks(SEGMENTS))

    cues = list(srt.parse(text))

    assert [cue.index for cue in cues] == [1, 2, 3, 4, 5]
    assert [(cue.start.total_seconds(), cue.end.total_seconds(), cue.content) for cue in cues] == EXPECTED
    assert text.startswith("1\n00:00:00,000 --> 00:00:01,500\nHello")
    # srt's own writer agrees byte for byte.
    assert srt.compose(cues, reindex=False) == text


def test_vtt_reads_back_with_webvtt_py():
    text = "".join(vtt_chunks(SEGMENTS))

    captions = webvtt.from_string(text).captions

    assert text.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello &amp; welcome &lt;everyone&gt;\n")
    assert "arrows --&gt; are text" in text
    assert [(caption.start, caption.end, html.unescape(caption.text)) for caption in captions] == [
        (vtt_timestamp(start), vtt_timestamp(end), body) for start, end, body in EXPECTED
    ]


def test_plain_text_is_one_line_per_cue():
    assert "".join(plain_text_chunks(SEGMENTS)) == (
        "Hello & welcome <everyone>\ntwo lines of text\na blank line inside\narrows --> are text\npast an hour, 🎉\n"
    )


def test_empty_transcripts_are_empty_files():
    assert "".join(srt_chunks([])) == ""
    assert webvtt.from_string("".join(vtt_chunks([]))).captions == []


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0:00"),
        (5.9, "0:05"),
        (65, "1:05"),
        (599, "9:59"),
        (3599.99, "59:59"),
        (3600, "1:00:00"),
        (36123, "10:02:03"),
    ],
)
def test_chapter_timestamps_follow_youtube(seconds, text):
    assert chapter_timestamp(seconds) == text


def test_chapters_read_back_as_youtube_chapters():
    chapters = [Chapter(0, "Intro"), Chapter(95, "The\nmiddle"), Chapter(3725, "Past an hour")]

    lines = list(chapter_lines(chapters))

    assert lines == ["0:00 Intro", "1:35 The middle", "1:02:05 Past an hour"]
    parsed = parse_chapters("\n".join(lines), duration=4000)
    assert [(c.start_time, c.title) for c in parsed] == [(0, "Intro"), (95, "The middle"), (3725, "Past an hour")]
