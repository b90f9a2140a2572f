"""Transcript windows: ~45 s of cues each, starting at their first cue."""

from __future__ import annotations

from robust_import_app.domain.video import CaptionSegment
from robust_import_app.search.windows import WINDOW_S, build_windows


def _cue(start_s: float, text: str = "word") -> CaptionSegment:
    return CaptionSegment(start_s=start_s, duration_s=4.0, text=text)


def test_cues_start_a_new_window_every_45_seconds():
    windows = build_windows([_cue(s, f"c{s}") for s in range(0, 120, 4)])
    assert [w.start_s for w in windows] == [0, 48, 96]
    assert windows[0].text == " ".join(f"c{s}" for s in range(0, 45, 4))
    assert all(b.start_s - a.start_s <= WINDOW_S + 4 for a, b in zip(windows, windows[1:], strict=False))


def test_a_gap_opens_a_window_at_the_next_cue_and_order_does_not_matter():
    windows = build_windows([_cue(400.5, "later"), _cue(2.0, "first"), _cue(10.0, "second")])
    assert [(w.start_s, w.text) for w in windows] == [(2.0, "first second"), (400.5, "later")]


def test_blank_cues_and_control_characters_are_dropped():
    windows = build_windows([_cue(0.0, "  \n "), _cue(1.0, "a\x02b\x03  c"), _cue(float("nan"), "x")])
    assert [(w.start_s, w.text) for w in windows] == [(1.0, "a b c")]
    assert build_windows([]) == []
