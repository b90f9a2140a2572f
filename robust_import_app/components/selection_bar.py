"""The bar over the grid while cards are selected, and the delete confirmation.

"3 selected · Delete · Move to… · Copy to… · Clear"; the confirmation names
how many videos go. The dialog also serves a card's own "Delete…".
"""

from __future__ import annotations

import reflex as rx

from robust_import_app.components.confirm_dialog import confirm_dialog
from robust_import_app.state.library import LibraryState, ListItem
from robust_import_app.state.selection import SelectionState


def _list_picker(label: str, handler) -> rx.Component:
    """A menu of the other lists; picking one calls ``handler(list_id)``."""

    def item(entry: rx.Var[ListItem]) -> rx.Component:
        return rx.cond(entry.id != LibraryState.list_id, rx.menu.item(entry.name, on_click=handler(entry.id)))

    return rx.menu.root(
        rx.menu.trigger(rx.button(label, rx.icon("chevron-down", size=14), size="2", variant="soft")),
        rx.menu.content(rx.foreach(LibraryState.lists, item)),
    )


def _bar() -> rx.Component:
    return rx.hstack(
        rx.text(SelectionState.count_label, weight="medium", data_testid="selection-count"),
        rx.button("Delete…", size="2", variant="soft", color_scheme="red", on_click=SelectionState.ask_delete_selected),
        rx.cond(
            LibraryState.lists.length() > 1,
            rx.fragment(
                _list_picker("Move to…", SelectionState.move_to), _list_picker("Copy to…", SelectionState.copy_to)
            ),
        ),
        rx.button("Clear", size="2", variant="ghost", on_click=SelectionState.clear),
        align="center",
        spacing="3",
        padding="0.5rem 0.75rem",
        border_radius="var(--radius-3)",
        background="var(--accent-a3)",
        width="100%",
        data_testid="selection-bar",
    )


def _confirm_delete() -> rx.Component:
    return confirm_dialog(
        "Delete videos",
        SelectionState.confirm_text,
        keep_label="Keep them",
        confirm_label="Delete",
        on_confirm=SelectionState.confirm_delete,
        open=SelectionState.confirm_open,
        on_open_change=SelectionState.set_confirm_open,
        description_testid="delete-videos-text",
    )


def selection_bar() -> rx.Component:
    """The selection bar (only while this list has selected cards) and the delete confirmation."""
    showing = (SelectionState.count > 0) & (SelectionState.list_id == LibraryState.list_id)
    return rx.fragment(rx.cond(showing, _bar()), _confirm_delete())
