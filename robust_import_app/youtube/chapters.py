"""Chapters from timestamps in a video description, or from yt-dlp's ``chapters``.

Rules, from YouTube Help "Video chapters" (support.google.com/youtube/answer/9884579):
the first timestamp is 0:00, there are at least three, in ascending order, and
each chapter lasts at least 10 seconds. If any rule fails YouTube shows no
chapters, and so do we.

Line grammar, from yt-dlp's ``InfoExtractor._extract_chapters_from_description``
(``yt_dlp/extractor/common.py``, reached from ``YoutubeIE._real_extract`` in
``yt_dlp/extractor/youtube/_video.py``): a line is a timestamp (``M:SS``,
``MM:SS``, ``H:MM:SS``), then non-word characters and a space, then the title
(``0:00 Intro``, ``00:00:00 - Intro``); only when no such line makes valid
chapters, the title comes first (``Intro 0:00``, ``Intro - 0:00``). We also
allow the timestamp in brackets, ``(0:00) Intro``, ``Intro (0:00)`` and
``Intro [0:00]``, which yt-dlp does not. A title-first line's title is the
text before the timestamp without the separators between them (spaces,
``-``, ``|``, ``:``, dot leaders), so a title may end in any character
(``Q&A?``, ``Opening (live)``, ``Top 10``); the timestamp must not be glued
to a letter or digit (``Intro0:00`` is no chapter line).

yt-dlp sorts the timestamps and drops those out of order or past the end; we
keep the lines as written: the chapter list is the run of chapter lines that
starts at a 0:00 line and lasts while the times ascend, so that a later line
that merely holds a time ("1:00 is where the bonus starts") ends the list
rather than spoiling it. That run must then meet YouTube's rules.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from robust_import_app.domain.video import Chapter

MIN_CHAPTERS = 3
MIN_CHAPTER_S = 10.0

_TIMESTAMP = r"(?:\d+:)?\d{1,2}:\d{2}"
_TIME_FIRST = re.compile(rf"[(\[]?(?P<time>{_TIMESTAMP})\b\W*\s(?P<title>.+)")
_TIME_LAST = re.compile(rf"(?<![\w:])[(\[]?(?P<time>{_TIMESTAMP})[)\]]?$")
_TITLE_SEPARATORS = " \t\u00a0-\u2013\u2014|:.\u00b7\u2022=>~*"
"""What may stand between a title and the timestamp after it (and is not part of the title)."""


def parse_chapters(description: str, duration: float | None) -> list[Chapter]:
    """The chapters YouTube would show for ``description``, or [] when it shows none.

    ``duration`` is the video's length in seconds; it is the last chapter's
    ``end_time``, and that chapter must also last 10 s. When ``duration`` is
    None (unknown, e.g. a live stream) that one check is skipped and the last
    chapter's ``end_time`` equals its ``start_time``: its end is unknown.
    (yt-dlp returns no chapters at all without a duration.)
    """
    lines = [line.strip() for line in description.splitlines()]
    for read_line in (_time_first, _title_first):
        marks = [mark for mark in map(read_line, lines) if mark is not None]
        for at, (start, _) in enumerate(marks):
            if start != 0:
                continue
            run = _ascending_run(marks[at:])
            starts = [mark_start for mark_start, _ in run]
            if _follows_youtube_rules(starts, duration):
                ends = _end_times(starts, duration)
                return [Chapter(start, end, title) for (start, title), end in zip(run, ends, strict=True)]
    return []


_Mark = tuple[float, str]
"""One chapter line: its start in seconds and its title."""


def _time_first(line: str) -> _Mark | None:
    """``"0:45 - Verse"`` → ``(45.0, "Verse")``; None when ``line`` (stripped) is no such line."""
    match = _TIME_FIRST.fullmatch(line)
    return None if match is None else (_seconds(match["time"]), match["title"])


def _title_first(line: str) -> _Mark | None:
    """``"Verse (0:45)"`` → ``(45.0, "Verse")``; None when ``line`` (stripped) is no such line."""
    match = _TIME_LAST.search(line)
    if match is None:
        return None
    before = line[: match.start()]
    if before.endswith(("(", "[")):  # "Intro(0:00)": the bracket itself separates
        before = before[:-1] + " "
    title = before.rstrip(_TITLE_SEPARATORS)
    if not title or title == before:  # nothing between title and time: "Intro?0:00"
        return None
    return _seconds(match["time"]), title


def _ascending_run(marks: list[_Mark]) -> list[_Mark]:
    """The leading marks whose starts strictly ascend."""
    run = marks[:1]
    for mark in marks[1:]:
        if mark[0] <= run[-1][0]:
            break
        run.append(mark)
    return run


def chapters_from_ytdlp(raw: Sequence[Mapping[str, Any]] | None, duration: float | None) -> tuple[Chapter, ...]:
    """yt-dlp's ``chapters`` field (dicts with ``start_time``, ``end_time``, ``title``) as Chapters.

    Times are seconds. A missing ``end_time`` becomes the next chapter's start,
    or ``duration`` for the last one (its own start when ``duration`` is None,
    as in :func:`parse_chapters`). A missing title becomes "". No rule is
    checked: YouTube or yt-dlp already chose these chapters.
    """
    if not raw:
        return ()
    starts = [float(chapter["start_time"]) for chapter in raw]
    fallback_ends = _end_times(starts, duration)
    return tuple(
        Chapter(
            start_time=start,
            end_time=fallback if chapter.get("end_time") is None else float(chapter["end_time"]),
            title=str(chapter.get("title") or ""),
        )
        for chapter, start, fallback in zip(raw, starts, fallback_ends, strict=True)
    )


def _seconds(timestamp: str) -> float:
    """``"1:02:03"`` → 3723.0: colon-separated hours, minutes and seconds."""
    total = 0
    for part in timestamp.split(":"):
        total = total * 60 + int(part)
    return float(total)


def _follows_youtube_rules(starts: list[float], duration: float | None) -> bool:
    """True when the chapter starts (seconds) meet YouTube's rules (module docstring)."""
    if len(starts) < MIN_CHAPTERS or starts[0] != 0:
        return False
    lengths = [end - start for start, end in itertools.pairwise(starts)]
    if duration is not None:
        lengths.append(duration - starts[-1])
    return all(length >= MIN_CHAPTER_S for length in lengths)


def _end_times(starts: list[float], duration: float | None) -> list[float]:
    """Each chapter ends where the next starts; the last at ``duration`` (or its own start)."""
    last_end = starts[-1] if duration is None else float(duration)
    return [*starts[1:], last_end]
