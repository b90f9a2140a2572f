"""The 404 note for an unknown list or video, with a way back to the library."""

from __future__ import annotations

import reflex as rx

from robust_import_app import styles


def not_found(message: str) -> rx.Component:
    """A page-sized note saying ``message`` and linking to the library (``/``)."""
    return rx.center(
        rx.vstack(
            rx.icon("search-x", size=40, color=styles.MUTED),
            rx.heading(message, size="5", data_testid="not-found"),
            rx.text("It may have been deleted, or the address is mistyped.", color=styles.MUTED),
            rx.link("← Back to the library", href="/"),
            align="center",
        ),
        padding="4rem",
        width="100%",
    )
