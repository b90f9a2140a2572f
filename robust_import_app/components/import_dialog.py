"""The "Import videos" dialog: one textarea labelled "YouTube links"."""

from __future__ import annotations

import json

import reflex as rx

from robust_import_app.components.source_card import offer_line
from robust_import_app.state.importer import MAX_PASTE_CHARS, PASTE_TOO_LONG, ImportState
from robust_import_app.state.sources import SourcesState

PLACEHOLDER = "https://www.youtube.com/watch?v=…\nhttps://youtu.be/…\n(one per line, or separated by spaces or commas)"


_CHECK_PASTE_SIZE = rx.vars.FunctionStringVar.create(
    f"((text, event) => event.target.setCustomValidity("
    f"JSON.stringify(text).length > {MAX_PASTE_CHARS} ? {json.dumps(PASTE_TOO_LONG)} : ''))"
)
"""On every change of the text box, in the browser: mark a paste over
``MAX_PASTE_CHARS`` (as the socket carries it) invalid, so that the browser's
form validation keeps it from being sent and the text stays in the box."""

_SHOW_WHEN_PASTE_TOO_LONG = {
    "& [data-paste-too-long]": {"display": "none"},
    "&:has(textarea:invalid) [data-paste-too-long]": {"display": "flex"},
}
"""The form shows its "too long" callout exactly while the text box is invalid."""


def import_dialog(
    *, on_submit: rx.EventHandler = ImportState.submit, before_links: rx.Component | None = None
) -> rx.Component:
    """The button that opens the dialog, and the dialog itself, its text box starting as ``ImportState.prefill``.

    ``on_submit`` gets the form's data (``links``, and whatever fields
    ``before_links`` adds, e.g. the ``/add`` page's list picker); the default
    imports into the list the tab shows.
    """
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("plus"), "Import videos", size="2")),
        rx.dialog.content(
            rx.dialog.title("Import videos"),
            rx.dialog.description(
                "Paste one link or hundreds. Every video appears at once and fills in as it imports."
            ),
            rx.form(
                rx.vstack(
                    before_links or rx.fragment(),
                    rx.el.label("YouTube links", html_for="links", style={"font_weight": "600", "font_size": "0.9rem"}),
                    rx.text_area(
                        id="links",
                        name="links",
                        default_value=ImportState.prefill,
                        placeholder=PLACEHOLDER,
                        rows="12",
                        width="100%",
                        auto_focus=True,
                        on_change=_CHECK_PASTE_SIZE,
                    ),
                    rx.callout(
                        PASTE_TOO_LONG,
                        icon="triangle-alert",
                        color_scheme="red",
                        size="1",
                        width="100%",
                        role="alert",
                        data_paste_too_long="",
                    ),
                    rx.cond(
                        ImportState.error != "",
                        rx.callout(
                            ImportState.error, icon="triangle-alert", color_scheme="amber", size="1", width="100%"
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Import", type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=on_submit,
                style=_SHOW_WHEN_PASTE_TOO_LONG,
            ),
            max_width="40rem",
        ),
        open=ImportState.dialog_open,
        on_open_change=ImportState.set_dialog_open,
    )


def _rejected_line(item) -> rx.Component:
    return rx.el.li(rx.code(item.text, data_testid="rejected-line"), " — ", item.reason)


def paste_report() -> rx.Component:
    """What the last paste skipped (lines without a video link, duplicate videos and sources) and the playlists it offers."""
    return rx.cond(
        ImportState.has_report,
        rx.callout.root(
            rx.callout.icon(rx.icon("info")),
            rx.vstack(
                rx.cond(
                    ImportState.rejected_count > 0,
                    rx.box(
                        rx.text(ImportState.rejected_summary, weight="medium"),
                        rx.el.ul(
                            rx.foreach(ImportState.rejected, _rejected_line), style={"margin": "0.25rem 0 0 1.25rem"}
                        ),
                        rx.cond(ImportState.rejected_more != "", rx.text(ImportState.rejected_more, size="2")),
                    ),
                ),
                rx.cond(
                    ImportState.duplicates_count > 0,
                    rx.text(ImportState.duplicates_summary),
                ),
                rx.cond(
                    ImportState.repeated_count > 0,
                    rx.text(ImportState.repeated_summary),
                ),
                rx.cond(
                    ImportState.duplicate_sources_count > 0,
                    rx.text(ImportState.duplicate_sources_summary),
                ),
                rx.foreach(SourcesState.offers, offer_line),
                rx.button("Dismiss", size="1", variant="soft", on_click=ImportState.dismiss_report),
                spacing="1",
                align="start",
            ),
            color_scheme="blue",
            width="100%",
            data_testid="paste-report",
        ),
    )
