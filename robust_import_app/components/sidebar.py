"""The sidebar: the user's lists (each with Rename and Delete), a form to create one, the followed
playlists and channels (each with Pause/Resume and Stop following), the link to the settings."""

from __future__ import annotations

import reflex as rx

from robust_import_app import styles
from robust_import_app.components.confirm_dialog import confirm_dialog
from robust_import_app.state.library import LibraryState, ListItem
from robust_import_app.state.list_actions import ListActionsState
from robust_import_app.state.source_cards import FollowedItem
from robust_import_app.state.sources import SourcesState


def _list_row(item: rx.Var[ListItem]) -> rx.Component:
    """A list's link and its small menu."""
    return rx.hstack(
        _list_link(item), _list_menu(item), align="center", spacing="1", width="100%", data_testid="list-row"
    )


def _list_menu(item: rx.Var[ListItem]) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=14),
                size="1",
                variant="ghost",
                color_scheme="gray",
                aria_label="Actions for " + item.name,
            ),
        ),
        rx.menu.content(
            rx.menu.item("Rename…", on_click=ListActionsState.ask_rename(item.id, item.name)),
            rx.menu.item("Delete…", color="red", on_click=ListActionsState.ask_delete(item.id, item.name)),
            size="1",
        ),
    )


def _rename_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Rename list"),
            rx.form(
                rx.vstack(
                    rx.input(
                        name="name", default_value=ListActionsState.list_name, aria_label="List name", width="100%"
                    ),
                    rx.cond(
                        ListActionsState.rename_error != "",
                        rx.text(
                            ListActionsState.rename_error, size="2", color="var(--red-11)", data_testid="rename-error"
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
                        rx.button("Rename", type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=ListActionsState.rename,
            ),
        ),
        open=ListActionsState.rename_open,
        on_open_change=ListActionsState.set_rename_open,
    )


def _delete_dialog() -> rx.Component:
    return confirm_dialog(
        "Delete list",
        ListActionsState.delete_text,
        keep_label="Keep it",
        confirm_label="Delete list",
        on_confirm=ListActionsState.delete,
        open=ListActionsState.delete_open,
        on_open_change=ListActionsState.set_delete_open,
        description_testid="delete-list-text",
    )


def _list_link(item: rx.Var[ListItem]) -> rx.Component:
    selected = item.id == LibraryState.list_id
    return rx.link(
        rx.hstack(
            rx.icon("list-video", size=16),
            rx.text(item.name, size="2", flex="1", trim="both"),
            rx.badge(item.video_count.to_string(), variant="soft", color_scheme="gray"),
            align="center",
            padding="0.4rem 0.6rem",
            border_radius="var(--radius-2)",
            background=rx.cond(selected, "var(--accent-a4)", "transparent"),
            width="100%",
        ),
        href="/list/" + item.id.to_string(),
        color="inherit",
        underline="none",
        width="100%",
    )


def _followed_row(item: rx.Var[FollowedItem]) -> rx.Component:
    """A followed source: its title (opens its list), "Inbox · checked 5 min ago · 1 added", pause and remove."""
    return rx.hstack(
        rx.icon(item.icon, size=14, color="var(--gray-10)", flex_shrink="0", margin_top="0.2rem"),
        rx.vstack(
            rx.link(item.title, href=item.href, size="2", color="inherit", underline="hover", trim="both"),
            rx.text(item.detail, size="1", color="var(--gray-10)", data_testid="followed-detail"),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.icon_button(
            rx.cond(item.paused, rx.icon("play", size=12), rx.icon("pause", size=12)),
            size="1",
            variant="ghost",
            color_scheme="gray",
            aria_label=rx.cond(item.paused, "Resume following ", "Pause following ") + item.title,
            on_click=SourcesState.set_paused(item.id, ~item.paused),
        ),
        rx.icon_button(
            rx.icon("x", size=12),
            size="1",
            variant="ghost",
            color_scheme="gray",
            aria_label="Stop following " + item.title,
            on_click=SourcesState.ask_remove(item.id),
        ),
        align="start",
        spacing="1",
        width="100%",
        data_testid="followed-source",
    )


def _followed_panel() -> rx.Component:
    """The followed sources of every list, when there are any."""
    return rx.cond(
        SourcesState.followed.length() > 0,
        rx.vstack(
            rx.text("Following", size="1", weight="bold", color="var(--gray-10)", margin_top="1rem"),
            rx.foreach(SourcesState.followed, _followed_row),
            spacing="2",
            width="100%",
            data_testid="followed-sources",
        ),
    )


def _remove_dialog() -> rx.Component:
    return confirm_dialog(
        "Stop following",
        SourcesState.remove_text,
        keep_label="Keep following",
        confirm_label="Stop following",
        on_confirm=SourcesState.remove,
        open=SourcesState.remove_open,
        on_open_change=SourcesState.set_remove_open,
    )


def _lists_panel() -> rx.Component:
    """The lists, the new list's form and the followed sources: the content of the sidebar and of the phone's drawer."""
    return rx.vstack(
        rx.heading("Robust Import", size="4"),
        rx.text("Lists", size="1", weight="bold", color="var(--gray-10)", margin_top="1rem"),
        rx.vstack(rx.foreach(LibraryState.lists, _list_row), spacing="1", width="100%"),
        rx.form(
            rx.hstack(
                rx.input(name="name", placeholder="New list", size="1", aria_label="New list name"),
                rx.icon_button(rx.icon("plus", size=14), size="1", type="submit", aria_label="Create list"),
                spacing="1",
            ),
            on_submit=LibraryState.create_list,
            reset_on_submit=True,
        ),
        rx.cond(
            LibraryState.new_list_error != "",
            rx.text(
                LibraryState.new_list_error, size="1", color="var(--red-11)", role="alert", data_testid="new-list-error"
            ),
        ),
        _followed_panel(),
        rx.link(
            rx.hstack(
                rx.icon("settings", size=14), rx.text("Add from anywhere", size="2"), align="center", spacing="2"
            ),
            href="/settings",
            color="var(--gray-11)",
            underline="hover",
            margin_top="1rem",
        ),
        align="start",
        width="100%",
    )


def _drawer() -> rx.Component:
    """Below the ``sm`` breakpoint (768 px): a menu button in a narrow rail, opening the lists from the left.

    Keyed by the list, so that opening another list closes it.
    """
    return rx.drawer.root(
        rx.drawer.trigger(
            rx.icon_button(rx.icon("menu", size=18), variant="ghost", color_scheme="gray", aria_label="Lists"),
        ),
        rx.drawer.overlay(z_index="10"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.drawer.title("Lists", display="none"),
                _lists_panel(),
                width="min(18rem, 85vw)",
                height="100%",
                top="0",
                left="0",
                padding="1.25rem 1rem",
                overflow_y="auto",
                background="var(--color-panel-solid)",
                z_index="11",
                data_testid="lists-drawer",
            ),
        ),
        direction="left",
        key=LibraryState.list_id.to_string(),
    )


def sidebar() -> rx.Component:
    """Lists with their video counts, a new list's form and the followed sources: a sidebar from 768 px up, a drawer below."""
    return rx.fragment(
        rx.box(
            _lists_panel(),
            display=styles.WIDE_ONLY,
            width="15rem",
            min_width="15rem",
            padding="1.25rem 1rem",
            border_right="1px solid var(--gray-5)",
            height="100vh",
            overflow_y="auto",
            position="sticky",
            top="0",
            data_testid="sidebar",
        ),
        rx.box(
            _drawer(),
            display=styles.NARROW_ONLY,
            padding="1.25rem 0 0 0.5rem",
            position="sticky",
            top="0",
            flex_shrink="0",
        ),
        _rename_dialog(),
        _delete_dialog(),
        _remove_dialog(),
    )
