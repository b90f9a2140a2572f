"""The badges a video shows on its card and on its detail page: one colour per caption source."""

from __future__ import annotations

import reflex as rx

from robust_import_app.youtube.data import CaptionSource

CAPTION_COLORS: dict[str, str] = {
    CaptionSource.MANUAL.value: "green",
    CaptionSource.AUTO.value: "green",
    CaptionSource.WHISPER.value: "violet",
    CaptionSource.NONE.value: "gray",
}
"""Radix colour scheme of the caption badge, by caption source."""
FALLBACK_COLOR = "gray"


def caption_color(source: str) -> str:
    """The caption badge's colour scheme for a caption source value ("" or unknown: gray)."""
    return CAPTION_COLORS.get(source, FALLBACK_COLOR)


def caption_badge(label: rx.Var[str], source: rx.Var[str]) -> rx.Component:
    """The caption badge ("captions", "no captions", …); nothing while the video has no caption source yet."""
    return rx.cond(
        label != "",
        rx.badge(
            label,
            color_scheme=rx.match(source, *CAPTION_COLORS.items(), FALLBACK_COLOR),
            variant="soft",
            data_testid="caption-badge",
        ),
    )


def chapter_badge(count: rx.Var[int]) -> rx.Component:
    """E.g. "4 chapters": blue when there are some, gray for none."""
    return rx.badge(
        count.to_string() + " chapters",
        variant="soft",
        color_scheme=rx.cond(count > 0, "blue", "gray"),
        data_testid="chapter-count",
    )
