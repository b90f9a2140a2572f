"""Deterministic caption cues for simulated videos, and the files that carry them.

:func:`generated_cues` makes the same cues for the same ``(video, language,
kind)`` every time; :func:`render` writes cues as the ``json3``, ``vtt`` or
``srv1`` file YouTube's timedtext endpoint would serve, so that the simulator
goes through the same parsers (:mod:`robust_import_app.youtube.subtitles`) as
the real client.
"""

from __future__ import annotations

import html
import json
import random

from robust_import_app.domain.video import CaptionSegment

PHRASES = (
    "today we look at how the whole thing fits together",
    "and why it matters more than you would think",
    "first we set up the tools",
    "then we test each part and fix what breaks",
    "the trick is to keep it simple",
    "measure twice and write down every step",
    "this part surprised me",
    "because the numbers did not add up at first",
    "so let me show you the result",
    "and what I would do differently next time",
    "if you have tried this yourself let me know",
    "here is the part most people skip",
    "it took a few attempts to get right",
    "now we can put everything back together",
)
CUE_MIN_S, CUE_MAX_S = 2.5, 6.0
"""Bounds of one generated cue's length, in seconds."""


def generated_cues(video_id: str, language_code: str, *, is_generated: bool, duration_s: int) -> list[CaptionSegment]:
    """Cues covering ``duration_s`` seconds; auto captions are lower-case, unpunctuated."""
    rng = random.Random(f"sim-cues:{video_id}:{language_code}:{is_generated}")
    cues = []
    start_s = round(rng.uniform(0.0, 1.5), 2)
    while start_s < duration_s - 1:
        length_s = round(min(rng.uniform(CUE_MIN_S, CUE_MAX_S), duration_s - start_s), 2)
        words = " ".join(rng.choice(PHRASES) for _ in range(rng.randint(1, 2)))
        text = words if is_generated else words.capitalize() + "."
        cues.append(CaptionSegment(start_s, length_s, text))
        start_s = round(start_s + length_s + rng.choice((0.0, 0.0, 0.3)), 2)
    return cues


def render(cues: list[CaptionSegment], ext: str) -> str:
    """``cues`` as a timedtext file of format ``ext`` (json3, vtt or srv1).

    Raises ValueError for another format.
    """
    if ext == "json3":
        events = [
            {"tStartMs": round(c.start_s * 1000), "dDurationMs": round(c.duration_s * 1000), "segs": [{"utf8": c.text}]}
            for c in cues
        ]
        return json.dumps({"wireMagic": "pb3", "events": events}, ensure_ascii=False)
    if ext == "vtt":
        blocks = [f"{_vtt(c.start_s)} --> {_vtt(c.start_s + c.duration_s)}\n{c.text}" for c in cues]
        return "WEBVTT\nKind: captions\nLanguage: en\n\n" + "\n\n".join(blocks) + "\n"
    if ext == "srv1":
        lines = [
            f'<text start="{c.start_s:g}" dur="{c.duration_s:g}">{html.escape(c.text, quote=False)}</text>'
            for c in cues
        ]
        return '<?xml version="1.0" encoding="utf-8" ?><transcript>' + "".join(lines) + "</transcript>"
    raise ValueError(f"cannot render subtitle format {ext!r}")


def _vtt(seconds: float) -> str:
    """``hh:mm:ss.mmm``."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"
