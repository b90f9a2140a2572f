"""The list header's Export menu: the list as CSV, JSON or a plain list of URLs (``/export/lists/<id>.<ext>``)."""

from __future__ import annotations

import reflex as rx

EXPORT_FORMATS: tuple[tuple[str, str], ...] = (
    ("csv", "CSV (every field)"),
    ("json", "JSON (every field)"),
    ("txt", "URL list"),
)
"""(extension, menu label) of each list export the routes in ``api/export_routes.py`` serve."""


def _item(list_id: rx.Var[int], extension: str, label: str) -> rx.Component:
    return rx.menu.item(
        # rx.el.a is React Router's Link in Reflex 0.10: without reload_document its
        # click is routed inside the app (its "404" page) instead of downloading.
        rx.el.a(
            label,
            href="/export/lists/" + list_id.to_string() + "." + extension,
            download="",
            reload_document=True,
            style={"color": "inherit", "text_decoration": "none", "width": "100%"},
            data_testid=f"export-{extension}",
        ),
    )


def export_menu(list_id: rx.Var[int]) -> rx.Component:
    """A "Export" button opening the formats; each item downloads the whole list ``list_id``."""
    return rx.menu.root(
        rx.menu.trigger(rx.button(rx.icon("download", size=14), "Export", variant="soft", color_scheme="gray")),
        rx.menu.content(*(_item(list_id, extension, label) for extension, label in EXPORT_FORMATS)),
    )
