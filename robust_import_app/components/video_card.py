"""A video's card: greyed with a progress ring while importing, then complete or failed.

Stage and percent come from the list's shared live state while the video is
in flight, from the tab's page of cards otherwise. Every card carries
``data-testid="video-card"`` and ``data-stage`` for automated browser tests.
"""

from __future__ import annotations

import reflex as rx

from robust_import_app import styles
from robust_import_app.components.badges import caption_badge, chapter_badge
from robust_import_app.components.progress_ring import progress_ring
from robust_import_app.components.thumbnail import thumbnail_image
from robust_import_app.state.cards import VideoCard
from robust_import_app.state.library import LibraryState
from robust_import_app.state.live import ListLive
from robust_import_app.state.selection import SelectionState


def _stage(card: rx.Var[VideoCard]) -> rx.Var[str]:
    return rx.cond(card.terminal, card.stage, ListLive.stage.get(card.youtube_id, card.stage))


def _stage_label(stage: rx.Var[str]) -> rx.Var[str]:
    """The ring's words for a stage: "created" reads "Queued"."""
    return rx.match(
        stage,
        ("created", "Queued"),
        ("metadata", "Fetching details"),
        ("captions", "Fetching captions"),
        ("chapters", "Finding chapters"),
        stage,
    )


def _progress(card: rx.Var[VideoCard]) -> rx.Var[int]:
    return rx.cond(card.terminal, card.progress, ListLive.progress.get(card.youtube_id, card.progress))


def _thumbnail(card: rx.Var[VideoCard]) -> rx.Component:
    filters = rx.cond(
        card.terminal,
        rx.cond(card.stage == "error", styles.failed_thumbnail, {}),
        styles.importing_thumbnail,
    )
    return rx.box(
        rx.link(
            thumbnail_image(
                card.thumbnail_url,
                width="100%",
                height=styles.THUMB_HEIGHT,
                object_fit="cover",
                loading="lazy",
                style=filters,
                display="block",
                data_testid="card-thumbnail",
            ),
            href=_detail_href(card),
            # The title below is the same link: screen readers and keyboards get it once.
            aria_hidden="true",
            tab_index=-1,
        ),
        rx.cond(
            card.terminal,
            rx.cond(card.duration != "", _duration_chip(card.duration)),
            rx.center(progress_ring(_progress(card), _stage_label(_stage(card))), position="absolute", inset="0"),
        ),
        position="relative",
        border_radius="var(--radius-3) var(--radius-3) 0 0",
        overflow="hidden",
        background="var(--gray-4)",
    )


def _detail_href(card: rx.Var[VideoCard]) -> rx.Var[str]:
    return "/video/" + card.id.to_string()


def _duration_chip(duration: rx.Var[str]) -> rx.Component:
    return rx.badge(duration, variant="solid", color_scheme="gray", position="absolute", right="0.4rem", bottom="0.4rem")


def _complete_details(card: rx.Var[VideoCard]) -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.text(card.title, weight="bold", size="2", style=styles.clamp(2)),
            href=_detail_href(card),
            color="inherit",
            underline="hover",
        ),
        rx.text(card.channel, size="1", color=styles.MUTED),
        rx.hstack(
            rx.text(card.published, size="1", color=styles.MUTED),
            rx.spacer(),
            caption_badge(card.caption_badge, card.caption_source),
            chapter_badge(card.chapter_count),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            card.note != "",
            rx.text(card.note, size="1", color=styles.MUTED, title=card.note, style=styles.clamp(2), data_testid="card-note"),
        ),
        spacing="1",
        align="start",
        width="100%",
    )


def _error_details(card: rx.Var[VideoCard]) -> rx.Component:
    return rx.vstack(
        rx.text(card.title, size="2", color=styles.MUTED, style=styles.clamp(1)),
        _error_reason(card),
        spacing="1",
        width="100%",
    )


def _error_reason(card: rx.Var[VideoCard]) -> rx.Component:
    return rx.hstack(
        rx.tooltip(
            rx.icon("triangle-alert", color="var(--amber-10)", size=20, aria_label=card.error_message, data_testid="error-icon"),
            content=card.error_message,
        ),
        rx.text(card.error_message, size="1", color="var(--amber-11)", flex="1", data_testid="error-reason"),
        rx.button(
            "Retry",
            size="1",
            variant="soft",
            on_click=LibraryState.retry_video(card.id),
        ),
        align="center",
        width="100%",
    )


def _importing_details(card: rx.Var[VideoCard]) -> rx.Component:
    waiting = rx.cond(ListLive.paused_message != "", ListLive.paused_message, card.retry_note)
    return rx.vstack(
        rx.text(rx.cond(card.title != card.youtube_id, card.title, "Importing…"), size="2", color=styles.MUTED),
        rx.cond(waiting != "", rx.text(waiting, size="1", color="var(--amber-11)", data_testid="card-waiting")),
        spacing="1",
        width="100%",
    )


def _select_box(card: rx.Var[VideoCard]) -> rx.Component:
    """The card's checkbox; shift-click selects the range from the last card clicked."""
    return rx.box(
        rx.checkbox(
            checked=SelectionState.selected.contains(card.id),
            on_click=lambda event: SelectionState.toggle(card.id, event["shift_key"]),
            size="2",
            aria_label="Select " + card.title,
            data_testid="card-select",
        ),
        position="absolute",
        top="0.4rem",
        left="0.4rem",
        padding="0.2rem",
        line_height="0",
        border_radius="var(--radius-2)",
        background="var(--color-panel-solid)",
        z_index="1",
    )


def _card_menu(card: rx.Var[VideoCard]) -> rx.Component:
    """The card's small menu: Cancel import (while importing) and Delete."""
    return rx.box(
        rx.menu.root(
            rx.menu.trigger(
                rx.icon_button(rx.icon("ellipsis", size=14), size="1", variant="solid", color_scheme="gray", aria_label="Video actions"),
            ),
            rx.menu.content(
                rx.cond(~card.terminal, rx.menu.item("Cancel import", on_click=SelectionState.cancel_video(card.id))),
                rx.menu.item("Delete…", color="red", on_click=SelectionState.ask_delete_video(card.id)),
                size="1",
            ),
        ),
        position="absolute",
        top="0.4rem",
        right="0.4rem",
        z_index="1",
    )


def video_card(card: rx.Var[VideoCard]) -> rx.Component:
    """The card of one video, with its checkbox and menu over the thumbnail."""
    return rx.card(
        _select_box(card),
        _card_menu(card),
        _thumbnail(card),
        rx.box(
            rx.cond(
                card.terminal,
                rx.cond(card.stage == "error", _error_details(card), _complete_details(card)),
                _importing_details(card),
            ),
            padding="0.6rem 0.75rem 0.75rem",
        ),
        padding="0",
        overflow="hidden",
        position="relative",
        outline=rx.cond(SelectionState.selected.contains(card.id), "2px solid var(--accent-9)", "none"),
        data_testid="video-card",
        data_stage=_stage(card),
        data_video_id=card.youtube_id,
    )
