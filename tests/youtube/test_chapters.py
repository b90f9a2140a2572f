"""Chapters from description timestamps (YouTube's rules) and from yt-dlp's field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from robust_import_app.domain.video import Chapter
from robust_import_app.youtube.chapters import chapters_from_ytdlp, parse_chapters
from tests.conftest import CORPUS_DIR

CORPUS = CORPUS_DIR


def recorded_info(name: str) -> dict[str, Any]:
    """A recorded yt-dlp ``.info.json`` from the shared corpus; skips the test when absent."""
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return json.loads(path.read_text(encoding="utf-8"))


def test_tubesync_tracklist_matches_the_chapters_youtube_returned() -> None:
    info = recorded_info("tubesync/metadata_low_formats.json")
    chapters = parse_chapters(info["description"], info["duration"])
    assert len(chapters) == 27
    assert tuple(chapters) == chapters_from_ytdlp(info["chapters"], info["duration"])
    assert chapters[0] == Chapter(0.0, 31.0, "Intro")
    assert chapters[-1].end_time == 7205.0


def test_description_without_timestamps_has_no_chapters() -> None:
    info = recorded_info("tubesync/metadata_2023-06-29.json")
    assert info["chapters"] is None
    assert parse_chapters(info["description"], info["duration"]) == []


@pytest.mark.parametrize(
    "description",
    [
        pytest.param("0:00 Intro\n0:45 Verse\n2:10 Outro", id="m:ss"),
        pytest.param("00:00 Intro\n00:45 Verse\n02:10 Outro", id="mm:ss"),
        pytest.param("00:00:00 Intro\n00:00:45 Verse\n00:02:10 Outro", id="hh:mm:ss"),
        pytest.param("0:00 - Intro\n0:45 – Verse\n2:10 | Outro", id="separators"),
        pytest.param("(0:00) Intro\n(0:45) Verse\n[2:10] Outro", id="brackets"),
        pytest.param("Intro 0:00\nVerse - 0:45\nOutro (2:10)", id="title-first"),
        pytest.param(
            "Timestamps:\n\n  0:00 Intro  \nsome words in between\n0:45 Verse\n2:10 Outro\n\nThanks!",
            id="among-other-lines",
        ),
    ],
)
def test_description_shapes(description: str) -> None:
    assert parse_chapters(description, 200) == [
        Chapter(0.0, 45.0, "Intro"),
        Chapter(45.0, 130.0, "Verse"),
        Chapter(130.0, 200.0, "Outro"),
    ]


def test_hours_minutes_seconds_and_end_times() -> None:
    description = "0:00 Start\n59:59 Almost an hour\n1:02:03 Late part\n10:00:00 Very late"
    assert parse_chapters(description, 36_100) == [
        Chapter(0.0, 3599.0, "Start"),
        Chapter(3599.0, 3723.0, "Almost an hour"),
        Chapter(3723.0, 36_000.0, "Late part"),
        Chapter(36_000.0, 36_100.0, "Very late"),
    ]


def test_title_first_is_used_only_when_time_first_gives_nothing_valid() -> None:
    # The first line starts with a time, but one such line breaks the rules.
    description = "12:30 we went live\nIntro 0:00\nMain 1:00\nQ&A 5:00"
    assert [c.title for c in parse_chapters(description, 600)] == ["Intro", "Main", "Q&A"]


@pytest.mark.parametrize(
    ("description", "duration"),
    [
        pytest.param("0:05 Intro\n0:45 Verse\n2:10 Outro", 200, id="first-not-at-0:00"),
        pytest.param("0:00 Intro\n2:10 Outro", 200, id="only-two"),
        pytest.param("0:00 Intro\n2:10 Outro\n0:45 Verse", 200, id="not-ascending"),
        pytest.param("0:00 Intro\n0:45 Verse\n0:45 Again\n2:10 Outro", 200, id="repeated-time"),
        pytest.param("0:00 Intro\n0:09 Verse\n2:10 Outro", 200, id="9-second-chapter"),
        pytest.param("0:00 Intro\n0:45 Verse\n3:11 Outro", 200, id="9-second-last-chapter"),
        pytest.param("0:00 Intro\n0:45 Verse\n4:00 Outro", 200, id="start-after-the-end"),
        pytest.param("0:00Intro\n0:45Verse\n2:10Outro", 200, id="no-separator"),
        pytest.param("We start at 0:00 sharp, verse at 0:45, outro at 2:10 ok", 200, id="mid-sentence"),
        pytest.param("", 200, id="empty"),
    ],
)
def test_rule_violation_gives_no_chapters(description: str, duration: float) -> None:
    assert parse_chapters(description, duration) == []


def test_chapters_of_exactly_ten_seconds_are_allowed() -> None:
    chapters = parse_chapters("0:00 A\n0:10 B\n0:20 C", 30)
    assert [(c.start_time, c.end_time) for c in chapters] == [(0, 10), (10, 20), (20, 30)]


def test_unknown_duration_leaves_the_last_chapter_open() -> None:
    assert parse_chapters("0:00 Intro\n0:45 Verse\n2:10 Outro", None) == [
        Chapter(0.0, 45.0, "Intro"),
        Chapter(45.0, 130.0, "Verse"),
        Chapter(130.0, 130.0, "Outro"),
    ]


def test_ytdlp_chapters_map_fields_and_fill_missing_end_times() -> None:
    raw = [
        {"start_time": 0, "end_time": 30.5, "title": "Introduction"},  # a gap before Part 1
        {"start_time": 31.0, "title": "Part 1"},
        {"start_time": 46.5, "end_time": None, "title": None},
    ]
    assert chapters_from_ytdlp(raw, 582) == (
        Chapter(0.0, 30.5, "Introduction"),
        Chapter(31.0, 46.5, "Part 1"),
        Chapter(46.5, 582.0, ""),
    )
    assert chapters_from_ytdlp(raw, None)[-1] == Chapter(46.5, 46.5, "")


@pytest.mark.parametrize("raw", [None, []])
def test_ytdlp_without_chapters(raw: list[dict[str, Any]] | None) -> None:
    assert chapters_from_ytdlp(raw, 100) == ()


def test_pinchflat_chapters_keep_their_recorded_times() -> None:
    info = recorded_info("pinchflat/example.info.json")
    chapters = chapters_from_ytdlp(info["chapters"], info["duration"])
    assert [c.title for c in chapters] == ["Introduction"] + [f"Part {n}" for n in range(1, 7)]
    assert [c.start_time for c in chapters[1:]] == [c.end_time for c in chapters[:-1]]
    assert chapters[-1].end_time == 582.0


@pytest.mark.parametrize(
    ("description", "titles"),
    [
        pytest.param(
            "Tracklist\nWarm-up 0:00\nSketching the plan 2:05\nQ&A? 4:30\n\nFilmed in one take 2:00",
            ["Warm-up", "Sketching the plan", "Q&A?"],
            id="title-first-then-a-later-line-ending-in-a-time",
        ),
        pytest.param(
            "Opening (live) 0:00\nSecond movement (slow) 2:05\nFinale (fast) 4:30",
            ["Opening (live)", "Second movement (slow)", "Finale (fast)"],
            id="title-first-titles-ending-in-a-parenthesis",
        ),
        pytest.param(
            "Dawn chorus..........0:00\nMidday heat..........2:05\nNightfall..........4:30",
            ["Dawn chorus", "Midday heat", "Nightfall"],
            id="title-first-dot-leaders",
        ),
        pytest.param(
            "Top 10 0:00\nTop 5 2:05\nNumber one 4:30",
            ["Top 10", "Top 5", "Number one"],
            id="title-first-titles-ending-in-a-number",
        ),
        pytest.param(
            "Setlist:\n1. Lanterns (0:00)\n2. Tidewater (2:05)\n3. Ember Road (4:30)\nDoors opened at (1:30)",
            ["1. Lanterns", "2. Tidewater", "3. Ember Road"],
            id="parenthesised-time-then-a-line-with-a-time-of-day",
        ),
        pytest.param(
            "Lanterns(0:00)\nTidewater(2:05)\nEmber Road(4:30)",
            ["Lanterns", "Tidewater", "Ember Road"],
            id="parenthesised-time-without-a-space",
        ),
        pytest.param(
            "Lanterns [0:00]\nTidewater [2:05]\nEmber Road [4:30]",
            ["Lanterns", "Tidewater", "Ember Road"],
            id="bracketed-time-after-the-title",
        ),
    ],
)
def test_title_first_shapes(description: str, titles: list[str]) -> None:
    chapters = parse_chapters(description, 400)
    assert [c.title for c in chapters] == titles
    assert [c.start_time for c in chapters] == [0.0, 125.0, 270.0]
    assert chapters[-1].end_time == 400.0


def test_a_time_first_list_ends_where_its_times_stop_ascending() -> None:
    description = "0:00 Intro\n0:45 Verse\n2:10 Outro\n\n1:00 is where the bonus clip starts"
    assert [c.title for c in parse_chapters(description, 200)] == ["Intro", "Verse", "Outro"]


@pytest.mark.parametrize(
    "description",
    [
        pytest.param("Top 10\nTop 20\nTop 30", id="titles-ending-in-a-number"),
        pytest.param("at 5:30 we meet\nat 6:00 we eat\nat 7:15 we leave", id="times-of-day-in-prose"),
        pytest.param("Intro 0:00\nVerse 4:00\nBridge 3:00\nOutro 1:00", id="descending-title-first"),
        pytest.param("Intro (0:00)\nVerse (4:00)\nOutro (1:00)", id="descending-parenthesised"),
        pytest.param("Lanterns 0:05\nTidewater 2:05\nEmber Road 4:30", id="title-first-not-at-0:00"),
        pytest.param("Lanterns 0:00\nTidewater 0:04\nEmber Road 4:30", id="title-first-4-second-chapter"),
        pytest.param("Lanterns0:00\nTidewater0:45\nEmber Road2:10", id="title-glued-to-the-time"),
        pytest.param("Opening 1:00:00\nMiddle 1:30:00\nEnd 1:45:00", id="title-first-not-starting-at-zero"),
    ],
)
def test_shapes_that_are_no_chapter_list(description: str) -> None:
    assert parse_chapters(description, 7200) == []
