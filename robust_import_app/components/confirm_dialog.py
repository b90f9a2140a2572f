"""A confirmation before a destructive action: a title, what will happen, "keep" and a red confirm button."""

from __future__ import annotations

import reflex as rx


def confirm_dialog(
    title: str,
    description: rx.Var[str],
    *,
    keep_label: str,
    confirm_label: str,
    on_confirm: rx.EventHandler,
    open: rx.Var[bool],
    on_open_change: rx.EventHandler,
    description_testid: str | None = None,
) -> rx.Component:
    """An alert dialog shown while ``open``; the confirm button runs ``on_confirm``, both buttons close it."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description, data_testid=description_testid),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(keep_label, variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(confirm_label, color_scheme="red", on_click=on_confirm)),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
        ),
        open=open,
        on_open_change=on_open_change,
    )
