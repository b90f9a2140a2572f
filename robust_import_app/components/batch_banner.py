"""The banner over the grid while a batch runs: "23 of 50 imported · 2 failed"."""

from __future__ import annotations

import reflex as rx

from robust_import_app.state.live import ListLive
from robust_import_app.state.selection import SelectionState


def batch_banner() -> rx.Component:
    """Counts of the running batch, the pause notice while one is open, and "Cancel import"."""
    return rx.cond(
        ListLive.batch_running,
        rx.callout.root(
            rx.callout.icon(rx.cond(ListLive.paused_message != "", rx.icon("circle-pause"), rx.spinner(size="2"))),
            rx.hstack(
                rx.vstack(
                    rx.text(ListLive.banner_text, weight="medium", data_testid="batch-banner-text"),
                    rx.cond(
                        ListLive.paused_message != "",
                        rx.text(ListLive.paused_message, size="2", data_testid="pause-message"),
                    ),
                    rx.cond(ListLive.paused_hint != "", rx.text(ListLive.paused_hint, size="2")),
                    spacing="1",
                    flex="1",
                ),
                rx.button(
                    "Cancel import",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=SelectionState.cancel_imports,
                ),
                align="start",
                width="100%",
            ),
            color_scheme=rx.cond(ListLive.paused_message != "", "amber", "blue"),
            width="100%",
            data_testid="batch-banner",
        ),
    )
