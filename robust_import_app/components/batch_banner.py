"""The banner over the grid while a batch runs: "23 of 50 imported · 2 failed"."""

from __future__ import annotations

import reflex as rx

from robust_import_app.state.live import ListLive


def batch_banner() -> rx.Component:
    """Counts of the running batch, and the pause notice while one is open."""
    return rx.cond(
        ListLive.batch_running,
        rx.callout.root(
            rx.callout.icon(rx.cond(ListLive.paused_message != "", rx.icon("circle-pause"), rx.spinner(size="2"))),
            rx.vstack(
                rx.text(ListLive.banner_text, weight="medium", data_testid="batch-banner-text"),
                rx.cond(ListLive.paused_message != "", rx.text(ListLive.paused_message, size="2", data_testid="pause-message")),
                rx.cond(ListLive.paused_hint != "", rx.text(ListLive.paused_hint, size="2")),
                spacing="1",
            ),
            color_scheme=rx.cond(ListLive.paused_message != "", "amber", "blue"),
            width="100%",
            data_testid="batch-banner",
        ),
    )
