"""A video's transcript as SubRip (SRT), WebVTT or plain text, and its chapters as ``0:00 Title`` lines.

Hand-built, following the formats' own rules; the tests read every output
back with the ``srt`` and ``webvtt-py`` parsers.

- SRT (the SubRip format as the ``srt`` library reads it): numbered cues,
  ``00:01:02,345 --> 00:01:04,000``, the text, a blank line.
- WebVTT (W3C WebVTT, https://www.w3.org/TR/webvtt1/): a ``WEBVTT`` line, then
  cues timed ``00:01:02.345 --> 00:01:04.000``; cue text escapes ``&``, ``<``
  and ``>`` (§4.2.2 "cue text" may not hold them raw, nor ``-->``).
- Neither format allows a blank line inside a cue (it ends the cue), so blank
  lines of a segment's text are dropped; a segment with no text is left out.
- Chapters use YouTube's description format (YouTube Help "Video chapters",
  support.google.com/youtube/answer/9884579): ``m:ss`` below an hour,
  ``h:mm:ss`` from an hour on, whole seconds, then a space and the title.

Times come in seconds; they are rounded to milliseconds for cues, truncated
to whole seconds for chapters, and negative times count as 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol


class Segment(Protocol):
    """A transcript cue: ``start_s`` and ``duration_s`` in seconds, and its text (read only)."""

    @property
    def start_s(self) -> float: ...
    @property
    def duration_s(self) -> float: ...
    @property
    def text(self) -> str: ...


class Chapter(Protocol):
    """A chapter: ``start_s`` in seconds, and its title (read only)."""

    @property
    def start_s(self) -> float: ...
    @property
    def title(self) -> str: ...


def srt_timestamp(seconds: float) -> str:
    """``HH:MM:SS,mmm`` (SRT), e.g. ``62.345`` → ``00:01:02,345``; hours grow past 99 if need be."""
    return _clock(seconds, ",")


def vtt_timestamp(seconds: float) -> str:
    """``HH:MM:SS.mmm`` (WebVTT), e.g. ``62.345`` → ``00:01:02.345``."""
    return _clock(seconds, ".")


def chapter_timestamp(seconds: float) -> str:
    """YouTube's chapter time: ``0:00``, ``9:05``, ``1:02:03`` (whole seconds, truncated)."""
    total_s = max(0, int(seconds))
    hours, rest = divmod(total_s, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def srt_chunks(segments: Iterable[Segment]) -> Iterator[str]:
    """One SRT cue per segment with text, numbered from 1, each ending in a blank line."""
    number = 0
    for segment in segments:
        lines = _text_lines(segment.text)
        if not lines:
            continue
        number += 1
        start_s, end_s = _span(segment)
        yield f"{number}\n{srt_timestamp(start_s)} --> {srt_timestamp(end_s)}\n" + "\n".join(lines) + "\n\n"


def vtt_chunks(segments: Iterable[Segment]) -> Iterator[str]:
    """The ``WEBVTT`` header, then one cue per segment with text (``&``, ``<``, ``>`` escaped)."""
    yield "WEBVTT\n\n"
    for segment in segments:
        lines = _text_lines(segment.text)
        if not lines:
            continue
        start_s, end_s = _span(segment)
        text = "\n".join(_vtt_escape(line) for line in lines)
        yield f"{vtt_timestamp(start_s)} --> {vtt_timestamp(end_s)}\n{text}\n\n"


def plain_text_chunks(segments: Iterable[Segment]) -> Iterator[str]:
    """Each segment's text on one line (its own line breaks become spaces), no times."""
    for segment in segments:
        lines = _text_lines(segment.text)
        if lines:
            yield " ".join(lines) + "\n"


def chapter_lines(chapters: Iterable[Chapter]) -> Iterator[str]:
    """``0:00 Title`` per chapter, without line ends; line breaks in a title become spaces."""
    for chapter in chapters:
        yield f"{chapter_timestamp(chapter.start_s)} {' '.join(chapter.title.split())}"


def _clock(seconds: float, decimal_mark: str) -> str:
    total_ms = max(0, round(seconds * 1000))
    total_s, millis = divmod(total_ms, 1000)
    hours, rest = divmod(total_s, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal_mark}{millis:03d}"


def _span(segment: Segment) -> tuple[float, float]:
    start_s = max(0.0, segment.start_s)
    return start_s, start_s + max(0.0, segment.duration_s)


def _text_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _vtt_escape(line: str) -> str:
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
