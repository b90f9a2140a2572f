"""The sidebar: the user's lists and a form to create one."""

from __future__ import annotations

import reflex as rx

from robust_import_app.state.library import LibraryState, ListItem


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


def sidebar() -> rx.Component:
    """Lists with their video counts; a new list's form below."""
    return rx.vstack(
        rx.heading("Robust Import", size="4"),
        rx.text("Lists", size="1", weight="bold", color="var(--gray-10)", margin_top="1rem"),
        rx.vstack(rx.foreach(LibraryState.lists, _list_link), spacing="1", width="100%"),
        rx.form(
            rx.hstack(
                rx.input(name="name", placeholder="New list", size="1", aria_label="New list name"),
                rx.icon_button(rx.icon("plus", size=14), size="1", type="submit", aria_label="Create list"),
                spacing="1",
            ),
            on_submit=LibraryState.create_list,
            reset_on_submit=True,
        ),
        rx.cond(LibraryState.new_list_error != "", rx.text(LibraryState.new_list_error, size="1", color="var(--red-11)")),
        width="15rem",
        min_width="15rem",
        padding="1.25rem 1rem",
        border_right="1px solid var(--gray-5)",
        height="100vh",
        position="sticky",
        top="0",
        align="start",
    )
