"""The ``/add`` page: the import dialog pre-filled with what the bookmarklet or the share menu sent, and a list picker.

Loading it imports nothing; the Import button does, and the page then shows
how many videos were added, a link to the list and the paste's report.
"""

from __future__ import annotations

import reflex as rx

from robust_import_app import styles
from robust_import_app.components.import_dialog import import_dialog, paste_report
from robust_import_app.state.add import AddState
from robust_import_app.state.library import ListItem


def _list_option(item: rx.Var[ListItem]) -> rx.Component:
    return rx.select.item(item.name, value=item.id.to_string())


def _before_links() -> rx.Component:
    """The dialog's list picker (form field ``list_id``), what was shared besides links, and a warning."""
    return rx.vstack(
        rx.el.label("Add to list", html_for="add-list", style={"font_weight": "600", "font_size": "0.9rem"}),
        rx.select.root(
            rx.select.trigger(id="add-list", aria_label="Add to list", width="100%"),
            rx.select.content(rx.foreach(AddState.lists, _list_option)),
            name="list_id",
            default_value=AddState.target,
        ),
        rx.cond(
            AddState.shared_title != "",
            rx.text(
                "Shared: ", rx.el.q(AddState.shared_title), size="2", color=styles.MUTED, data_testid="shared-title"
            ),
        ),
        rx.cond(
            AddState.notice != "",
            rx.callout(
                AddState.notice, icon="info", color_scheme="amber", size="1", width="100%", data_testid="add-notice"
            ),
        ),
        spacing="2",
        width="100%",
    )


def _outcome() -> rx.Component:
    return rx.cond(
        AddState.done_summary != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("circle-check")),
            rx.callout.text(
                AddState.done_summary,
                " ",
                rx.link("Open the list", href="/list/" + AddState.done_list_id.to_string(), data_testid="open-list"),
            ),
            color_scheme="green",
            width="100%",
            data_testid="add-outcome",
        ),
    )


def add_page() -> rx.Component:
    """The page: a heading, the outcome of the last import, its report, and the dialog (open on arrival)."""
    return rx.center(
        rx.vstack(
            rx.hstack(
                rx.link("← Library", href="/", size="2"),
                rx.spacer(),
                rx.link("Settings", href="/settings", size="2"),
                width="100%",
            ),
            rx.heading("Add to Robust Import", size="6"),
            rx.text(
                "Pick a list, check the links, then click Import. Nothing is imported before that.", color=styles.MUTED
            ),
            _outcome(),
            paste_report(),
            import_dialog(on_submit=AddState.submit, before_links=_before_links()),
            spacing="4",
            width="100%",
            max_width="44rem",
            align="start",
        ),
        padding="1.5rem",
        width="100%",
    )
