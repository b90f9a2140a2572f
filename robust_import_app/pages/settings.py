"""The settings page: how to add videos from anywhere (bookmarklet, share menu, drag and drop, REST API)."""

from __future__ import annotations

import reflex as rx

from robust_import_app import styles
from robust_import_app.share import ADD_PATH
from robust_import_app.state.add import SettingsState


def _section(title: str, *children: rx.Component) -> rx.Component:
    return rx.vstack(rx.heading(title, size="4"), *children, spacing="2", width="100%", align="start")


def _bookmarklet() -> rx.Component:
    return _section(
        "Bookmarklet",
        rx.text(
            "Drag this button to your bookmarks bar. On a YouTube page, click the bookmark: a new tab opens the "
            "import dialog with the page's link, and you pick the list. Nothing is imported until you click Import."
        ),
        rx.cond(
            SettingsState.bookmarklet_html != "",
            rx.vstack(
                rx.html(SettingsState.bookmarklet_html),
                rx.text("It opens ", rx.code(SettingsState.origin + ADD_PATH + "?url=…"), size="2", color=styles.MUTED),
                spacing="2",
            ),
            rx.callout(
                "The app's address is unknown here, so no bookmarklet can be made. Open this page at the address "
                "people use to reach the app, or set REFLEX_DEPLOY_URL.",
                icon="triangle-alert",
                color_scheme="amber",
            ),
        ),
    )


def _share_target() -> rx.Component:
    return _section(
        "Share from your phone",
        rx.text(
            "Install the app on your phone: in Chrome, open this site and choose “Install app” or “Add to Home "
            "screen”. Then “Share → Robust Import” in the YouTube app (or any app) opens the same dialog with the "
            "shared link. Phones install web apps only from an https:// address."
        ),
    )


def _drag_and_drop() -> rx.Component:
    return _section(
        "Drag and drop",
        rx.text(
            "Drag links (from another tab, a YouTube page or a text) onto a list's videos: they import into that "
            "list, with the same report as a paste."
        ),
    )


def _api() -> rx.Component:
    curl = (
        "curl -X POST " + SettingsState.origin + "/api/lists/1/videos \\\n"
        '  -H "Authorization: Bearer $IMPORT_API_TOKEN" -H "Content-Type: application/json" \\\n'
        """  -d '{"urls": ["https://youtu.be/dQw4w9WgXcQ"]}'"""
    )
    return _section(
        "REST API",
        rx.cond(
            SettingsState.api_on,
            rx.vstack(
                rx.text(
                    rx.badge("On", color_scheme="green"),
                    " The API under ",
                    rx.code("/api"),
                    " takes the token set as IMPORT_API_TOKEN on the server, sent as ",
                    rx.code("Authorization: Bearer …"),
                    ". The token is never shown here.",
                    data_testid="api-status",
                ),
                rx.el.pre(
                    rx.el.code(curl),
                    style={
                        "padding": "0.75rem",
                        "background": "var(--gray-a3)",
                        "border_radius": "var(--radius-2)",
                        "overflow_x": "auto",
                        "font_size": "var(--font-size-1)",
                        "width": "100%",
                    },
                ),
                rx.link("OpenAPI document", href="/api/openapi.json", is_external=True, size="2"),
                align="start",
                width="100%",
            ),
            rx.text(
                rx.badge("Off", color_scheme="gray"),
                " Set IMPORT_API_TOKEN on the server (a long random string) and restart it to turn the API on.",
                data_testid="api-status",
            ),
        ),
    )


def settings_page() -> rx.Component:
    """The page: the bookmarklet for this address, the share target, drag and drop, the API's state."""
    return rx.center(
        rx.vstack(
            rx.link("← Library", href="/", size="2"),
            rx.heading("Settings", size="6"),
            rx.text("Add videos from anywhere.", color=styles.MUTED),
            _bookmarklet(),
            _share_target(),
            _drag_and_drop(),
            _api(),
            spacing="5",
            width="100%",
            max_width="44rem",
            align="start",
        ),
        padding="1.5rem",
        width="100%",
    )
