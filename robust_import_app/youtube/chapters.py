"""Chapters from timestamps in a video description, or from yt-dlp's ``chapters``.

Rules, from YouTube Help "Video chapters" (support.google.com/youtube/answer/9884579):
the first timestamp is 0:00, there are at least three, in ascending order, and
each chapter lasts at least 10 seconds. If any rule fails YouTube shows no
chapters, and so do we.

Line grammar, from yt-dlp's ``InfoExtractor._extract_chapters_from_description``
(``yt_dlp/extractor/common.py``): a line is a timestamp (``M:SS``, ``MM:SS``,
``H:MM:SS``), then non-word characters and a space, then the title
(``0:00 Intro``, ``00:00:00 - Intro``); only when no such line makes valid
chapters, the title comes first (``Intro 0:00``, ``Intro - 0:00``). We also
allow the timestamp in brackets, ``(0:00) Intro`` and ``Intro [0:00]``, which
yt-dlp does not. yt-dlp itself sorts the timestamps and drops those past the
end; we instead apply YouTube's rules to the lines as written.
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
_TIME_FIRST = re.compile(rf"\s*[(\[]?(?P<time>{_TIMESTAMP})\b\W*\s(?P<title>.+?)\s*")
_TITLE_FIRST = re.compile(rf"\s*(?P<title>.+?)\b\W*\s[(\[]?(?P<time>{_TIMESTAMP})[)\]]?\s*")


def parse_chapters(description: str, duration: float | None) -> list[Chapter]:
    """The chapters YouTube would show for ``description``, or [] when it shows none.

    ``duration`` is the video's length in seconds; it is the last chapter's
    ``end_time``, and that chapter must also last 10 s. When ``duration`` is
    None (unknown, e.g. a live stream) that one check is skipped and the last
    chapter's ``end_time`` equals its ``start_time``: its end is unknown.
    (yt-dlp returns no chapters at all without a duration.)
    """
    lines = description.splitlines()
    for pattern in (_TIME_FIRST, _TITLE_FIRST):
        matches = [match for match in map(pattern.fullmatch, lines) if match]
        starts = [_seconds(match["time"]) for match in matches]
        if _follows_youtube_rules(starts, duration):
            ends = _end_times(starts, duration)
            return [
                Chapter(start, end, match["title"]) for start, end, match in zip(starts, ends, matches, strict=True)
            ]
    return []


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
