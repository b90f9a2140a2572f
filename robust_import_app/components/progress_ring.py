"""The circular progress ring shown on a card while its video imports."""

from __future__ import annotations

import reflex as rx

from robust_import_app import styles


def progress_ring(percent: rx.Var[int], label: rx.Var[str]) -> rx.Component:
    """An SVG ring filled to ``percent`` with the number inside and ``label`` below.

    Carries ``role="progressbar"`` and ``aria-valuenow`` for assistive
    technology (and browser tests).
    """
    ring = rx.el.svg(
        rx.el.circle(cx="18", cy="18", r="15.5", fill="rgba(0,0,0,0.55)", stroke="rgba(255,255,255,0.25)", stroke_width="3"),
        rx.el.circle(
            cx="18",
            cy="18",
            r="15.5",
            fill="none",
            stroke=styles.ACCENT,
            stroke_width="3",
            stroke_linecap="butt",
            path_length=100,
            stroke_dasharray=percent.to_string() + " 100",
            style={"transition": "stroke-dasharray 0.4s ease"},
        ),
        view_box="0 0 36 36",
        width="100%",
        height="100%",
        style={"transform": "rotate(-90deg)"},
    )
    return rx.box(
        rx.box(
            ring,
            rx.text(
                percent.to_string() + "%",
                position="absolute",
                inset="0",
                display="flex",
                align_items="center",
                justify_content="center",
                color="white",
                weight="bold",
                size="3",
            ),
            position="relative",
            width=styles.RING_SIZE,
            height=styles.RING_SIZE,
        ),
        rx.text(label, size="1", color="white", weight="medium", text_shadow="0 1px 2px rgba(0,0,0,0.8)"),
        role="progressbar",
        aria_valuemin=0,
        aria_valuemax=100,
        aria_valuenow=percent,
        aria_label=label,
        display="flex",
        flex_direction="column",
        align_items="center",
        gap="0.25rem",
    )
