"""The circular progress ring shown on a card while its video imports."""

from __future__ import annotations

import reflex as rx

from robust_import_app import styles


def progress_ring(percent: rx.Var[int], label: rx.Var[str]) -> rx.Component:
    """An SVG ring filled to ``percent`` with the number inside and ``label`` below.

    Carries ``role="progressbar"`` and ``aria-valuenow`` for assistive
    technology (and browser tests). Plain elements laid out by the ``vc-ring``
    classes of ``assets/video_card.css`` (a page can show 48 rings).
    """
    ring = rx.el.svg(
        rx.el.circle(
            cx="18",
            cy="18",
            r="15.5",
            custom_attrs={"fill": "rgba(0,0,0,0.55)", "stroke": "rgba(255,255,255,0.25)", "strokeWidth": "3"},
        ),
        rx.el.circle(
            cx="18",
            cy="18",
            r="15.5",
            custom_attrs={
                "fill": "none",
                "stroke": styles.ACCENT,
                "strokeWidth": "3",
                "strokeLinecap": "butt",
                "pathLength": 100,
                "strokeDasharray": percent.to_string() + " 100",
            },
            class_name="vc-ring-fill",
        ),
        view_box="0 0 36 36",
        aria_hidden="true",
    )
    return rx.el.div(
        rx.el.div(
            ring,
            rx.el.span(percent.to_string() + "%", class_name="rt-Text rt-r-size-3 rt-r-weight-bold vc-ring-percent"),
            class_name="vc-ring-dial",
        ),
        rx.el.span(label, class_name="rt-Text rt-r-size-1 rt-r-weight-medium vc-ring-label"),
        role="progressbar",
        aria_valuemin=0,
        aria_valuemax=100,
        aria_valuenow=percent,
        aria_label=label,
        class_name="vc-ring",
    )
