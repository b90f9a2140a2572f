"""What the page shows while it has lost its connection to the server, in plain words.

Reflex 0.10's default overlay (``reflex.app.default_overlay_component``)
toasts "Cannot connect to server: … Check if server is reachable at ws://…"
and pulses a wifi icon whose tooltip repeats the error. :func:`install`
puts this notice in its place
(:func:`~robust_import_app.reflex_internals.replace_connection_overlay`),
keeping Reflex's other wraps.
"""

from __future__ import annotations

import reflex as rx

from robust_import_app.reflex_internals import replace_connection_overlay

LOST_CONNECTION = "Lost the connection to the server — retrying…"


def connection_notice() -> rx.Component:
    """A banner at the bottom of the window while the socket is down; nothing otherwise."""
    return rx.connection_banner(
        rx.box(
            rx.callout(
                LOST_CONNECTION,
                icon="wifi-off",
                color_scheme="amber",
                variant="surface",
                role="status",
                data_testid="connection-notice",
            ),
            position="fixed",
            bottom="1rem",
            left="50%",
            transform="translateX(-50%)",
            z_index="9999",
            max_width="calc(100vw - 2rem)",
        )
    )


def install(app: rx.App) -> None:
    """Show :func:`connection_notice` instead of Reflex's connection toast and icon on every page."""
    replace_connection_overlay(app, connection_notice)
