"""Parse the subtitle files YouTube's timedtext endpoint serves.

Three formats, the ones :data:`robust_import_app.youtube.info.SUBTITLE_EXT_PREFERENCE`
keeps: ``json3`` (events with ``tStartMs``/``dDurationMs`` in milliseconds),
``vtt`` (WebVTT, including YouTube's rolling auto-caption cues) and ``srv1``
(``<transcript><text start= dur=>``, in seconds). Every parser returns
:class:`CaptionSegment` cues in file order, drops empty cues, strips markup and
raises ValueError for a file that is not of its format. No I/O happens here.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree

from robust_import_app.domain.video import CaptionSegment

_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")
_VTT_KARAOKE = re.compile(r"<\d{2}:\d{2}:\d{2}\.\d{3}>")
_VTT_TIMING = re.compile(r"^(?P<start>(?:\d+:)?\d{1,2}:\d{2}\.\d{3})\s+-->\s+(?P<end>(?:\d+:)?\d{1,2}:\d{2}\.\d{3})")


def parse_subtitles(text: str, ext: str) -> list[CaptionSegment]:
    """Parse ``text`` as a ``json3``, ``vtt`` or ``srv1`` file.

    Raises ValueError for another ``ext`` or a malformed file.
    """
    parser = PARSERS.get(ext)
    if parser is None:
        raise ValueError(f"unsupported subtitle format: {ext!r}")
    return parser(text)


def parse_json3(text: str) -> list[CaptionSegment]:
    """Cues from a ``fmt=json3`` file; events without text (window and line-feed
    events of auto captions) are dropped. Raises ValueError when not json3."""
    try:
        events = json.loads(text)["events"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError("not a json3 subtitle file") from exc
    cues = []
    for event in events:
        words = "".join(seg.get("utf8", "") for seg in event.get("segs") or ())
        cue_text = _clean(words)
        if cue_text:
            start_ms, duration_ms = event.get("tStartMs", 0), event.get("dDurationMs", 0)
            cues.append(CaptionSegment(start_ms / 1000, duration_ms / 1000, cue_text))
    return cues


def parse_srv1(text: str) -> list[CaptionSegment]:
    """Cues from a ``<transcript><text start= dur=>`` file (``fmt=srv1``, also what
    youtube-transcript-api downloads). Raises ValueError when not srv1 XML."""
    try:
        root = ElementTree.fromstring(text.encode("utf-8"))
    except ParseError as exc:
        raise ValueError("not a srv1 subtitle file") from exc
    if root.tag != "transcript":
        raise ValueError(f"not a srv1 subtitle file: root element <{root.tag}>")
    cues = []
    for element in root.iter("text"):
        cue_text = _clean(element.text or "")
        if cue_text:
            start_s = float(element.get("start", "0"))
            cues.append(CaptionSegment(start_s, float(element.get("dur", "0")), cue_text))
    return cues


def parse_vtt(text: str) -> list[CaptionSegment]:
    """Cues from a WebVTT file. In YouTube's auto captions (recognised by their
    word timestamps ``<00:00:01.600>``) each cue repeats the previous cue's
    line before the new one; those repeats are dropped.
    Raises ValueError when the file does not start with ``WEBVTT``."""
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise ValueError("not a WebVTT file")
    rolling = _VTT_KARAOKE.search(text) is not None
    cues: list[CaptionSegment] = []
    previous_lines: list[str] = []
    for block in re.split(r"(?:\r?\n){2,}", text):
        lines = block.splitlines()
        timing_at = next((i for i, line in enumerate(lines) if _VTT_TIMING.match(line)), None)
        if timing_at is None:
            continue
        match = _VTT_TIMING.match(lines[timing_at])
        assert match is not None
        cue_lines = [c for c in (_clean(line) for line in lines[timing_at + 1 :]) if c]
        new_lines = _drop_repeated(cue_lines, previous_lines) if rolling else cue_lines
        if cue_lines:
            previous_lines = cue_lines
        if new_lines:
            start_s, end_s = _vtt_seconds(match["start"]), _vtt_seconds(match["end"])
            cues.append(CaptionSegment(start_s, round(end_s - start_s, 3), " ".join(new_lines)))
    return cues


PARSERS: dict[str, Callable[[str], list[CaptionSegment]]] = {
    "json3": parse_json3,
    "vtt": parse_vtt,
    "srv1": parse_srv1,
}
"""Parser per subtitle ``ext``."""


def _clean(text: str) -> str:
    """Plain text: markup removed, entities decoded, whitespace collapsed."""
    return _SPACES.sub(" ", html.unescape(_TAG.sub("", html.unescape(text)))).strip()


def _drop_repeated(lines: list[str], previous: list[str]) -> list[str]:
    """``lines`` without a leading run equal to the end of ``previous``."""
    for size in range(min(len(lines), len(previous)), 0, -1):
        if lines[:size] == previous[-size:]:
            return lines[size:]
    return lines


def _vtt_seconds(stamp: str) -> float:
    """``[hh:]mm:ss.mmm`` as seconds."""
    seconds = 0.0
    for part in stamp.split(":"):
        seconds = seconds * 60 + float(part)
    return round(seconds, 3)
