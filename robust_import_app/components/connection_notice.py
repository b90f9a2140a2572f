"""What the page shows while it has lost its connection to the server, in plain words.

Reflex 0.10's default overlay (``reflex.app.default_overlay_component``)
toasts "Cannot connect to server: … Check if server is reachable at ws://…"
and pulses a wifi icon whose tooltip repeats the error. :func:`install`
puts this notice in its place, through ``App.app_wraps`` (the overlay's slot,
key ``(5, "Overlay")``), keeping Reflex's other wraps.
"""

from __future__ import annotations

import reflex as rx

OVERLAY_WRAP = (5, "Overlay")
"""The key of Reflex 0.10's connection overlay in ``App.app_wraps``."""
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
    app.app_wraps[OVERLAY_WRAP] = lambda stateful: connection_notice() if stateful else None
