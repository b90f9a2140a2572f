"""The library page: sidebar, banner, the grid of cards, pagination."""

from __future__ import annotations

import reflex as rx

from robust_import_app import styles
from robust_import_app.components.batch_banner import batch_banner
from robust_import_app.components.drop_zone import drop_zone
from robust_import_app.components.export_menu import export_menu
from robust_import_app.components.import_dialog import import_dialog, paste_report
from robust_import_app.components.search_results import search_results
from robust_import_app.components.selection_bar import selection_bar
from robust_import_app.components.served_by import served_by
from robust_import_app.components.sidebar import sidebar
from robust_import_app.components.source_card import source_cards
from robust_import_app.components.video_card import video_card
from robust_import_app.components.view_controls import view_controls
from robust_import_app.components.watch import on_change
from robust_import_app.state.library import LibraryState
from robust_import_app.state.live import ListLive
from robust_import_app.state.sources import SourcesState


def _live_triggers() -> rx.Component:
    """Reload this tab's page of cards or its source cards, or toast a summary, when the shared revisions move.

    The source cards load once the page of cards is shown (the watcher runs
    when the list id arrives with it), never in the page load itself.
    """
    return rx.fragment(
        on_change(ListLive.page_revision, LibraryState.follow_page_revision),
        on_change(ListLive.summary_revision, LibraryState.show_summary),
        on_change(
            LibraryState.list_id.to_string()
            + ":"
            + LibraryState.all_lists.to_string()
            + ":"
            + ListLive.sources_revision.to_string(),
            SourcesState.sync,
        ),
    )


def _pagination() -> rx.Component:
    return rx.cond(
        LibraryState.page_count > 1,
        rx.hstack(
            rx.button(
                "Previous",
                variant="soft",
                disabled=LibraryState.page == 0,
                on_click=LibraryState.go_to_page(LibraryState.page - 1),
            ),
            rx.text(
                "Page ", (LibraryState.page + 1).to_string(), " of ", LibraryState.page_count.to_string(), size="2"
            ),
            rx.button(
                "Next",
                variant="soft",
                disabled=LibraryState.page + 1 >= LibraryState.page_count,
                on_click=LibraryState.go_to_page(LibraryState.page + 1),
            ),
            justify="center",
            align="center",
            width="100%",
        ),
    )


def _header() -> rx.Component:
    title_row = rx.hstack(
        rx.vstack(
            rx.heading(LibraryState.list_name, size="6"),
            rx.text(LibraryState.count_label, size="2", color=styles.MUTED, data_testid="video-count"),
            spacing="0",
        ),
        rx.spacer(),
        rx.cond(
            LibraryState.has_failed,
            rx.button("Retry all failed", variant="soft", color_scheme="amber", on_click=LibraryState.retry_all_failed),
        ),
        rx.cond(LibraryState.all_lists, rx.fragment(), export_menu(LibraryState.list_id)),
        import_dialog(),
        align="center",
        wrap="wrap",
        width="100%",
    )
    return rx.vstack(title_row, view_controls(), width="100%")


def _no_match() -> rx.Component:
    return rx.center(rx.text("No videos match these filters.", color=styles.MUTED), padding="3rem", width="100%")


def _empty() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("clapperboard", size=40, color=styles.MUTED),
            rx.text(
                "No videos yet. Click “Import videos” and paste some YouTube links, or drop them here.",
                color=styles.MUTED,
            ),
            align="center",
        ),
        padding="4rem",
        width="100%",
    )


def _cards() -> rx.Component:
    """The grid of the page's cards, or why there is none."""
    return rx.cond(
        LibraryState.cards.length() > 0,
        rx.box(rx.foreach(LibraryState.cards, video_card), style=styles.grid, data_testid="video-grid"),
        rx.cond(LibraryState.filtered, _no_match(), _empty()),
    )


def index() -> rx.Component:
    """The library: one list's cards, newest first, one page at a time; links dropped on them import into the list."""
    return rx.hstack(
        sidebar(),
        rx.vstack(
            _header(),
            batch_banner(),
            paste_report(),
            source_cards(),
            selection_bar(),
            rx.cond(
                LibraryState.searching,
                search_results(),
                rx.cond(LibraryState.all_lists, _cards(), drop_zone(_cards())),
            ),
            _pagination(),
            _live_triggers(),
            served_by(),
            spacing="4",
            padding="1.5rem",
            width="100%",
            align="start",
        ),
        spacing="0",
        align="start",
        width="100%",
    )
