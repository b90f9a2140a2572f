"""The badges a video shows on its card and on its detail page: one colour per caption source."""

from __future__ import annotations

import reflex as rx

from robust_import_app.domain.video import CaptionSource

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


_BADGE_CLASSES = "rt-reset rt-Badge rt-r-size-1 rt-variant-soft"
"""A soft Radix Themes badge, drawn as a plain ``<span>`` (the card shows two, 48 cards a page)."""


def caption_badge(label: rx.Var[str], source: rx.Var[str]) -> rx.Component:
    """The caption badge ("captions", "no captions", …); nothing while the video has no caption source yet."""
    return rx.cond(
        label != "",
        rx.el.span(
            label,
            class_name=_BADGE_CLASSES,
            data_accent_color=rx.match(source, *CAPTION_COLORS.items(), FALLBACK_COLOR),
            data_testid="caption-badge",
        ),
    )


def chapter_badge(count: rx.Var[int]) -> rx.Component:
    """E.g. "4 chapters": blue when there are some, gray for none."""
    return rx.el.span(
        count.to_string() + " chapters",
        class_name=_BADGE_CLASSES,
        data_accent_color=rx.cond(count > 0, "blue", "gray"),
        data_testid="chapter-count",
    )
