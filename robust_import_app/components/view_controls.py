"""The library header's view controls: the search box, the filters, the sort, "Search all lists"."""

from __future__ import annotations

import reflex as rx

from robust_import_app.state.library import ANY, LibraryState

SEARCH_DEBOUNCE_MS = 300
"""Typing pause before the box searches."""

_STATE_CHOICES = [
    (ANY, "Any state"),
    ("in_progress", "In progress"),
    ("complete", "Complete"),
    ("failed", "Failed"),
    ("without_captions", "Without captions"),
]
_SOURCE_CHOICES = [
    (ANY, "Any captions"),
    ("manual", "Captions"),
    ("auto", "Auto-generated captions"),
    ("whisper", "Transcribed from audio"),
    ("none", "No captions"),
]
_DURATION_CHOICES = [
    (ANY, "Any length"),
    ("short", "Under 4 min"),
    ("medium", "4–20 min"),
    ("long", "Over 20 min"),
]
_SORT_CHOICES = [
    ("relevance", "Best match"),
    ("added", "Date added"),
    ("published", "Published"),
    ("duration", "Duration"),
    ("title", "Title"),
]


def _select(choices: list[tuple[str, str]], value, on_change, label: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=label, data_testid=f"{label.lower().replace(' ', '-')}-select"),
        rx.select.content(*[rx.select.item(text, value=key) for key, text in choices]),
        value=value,
        on_change=on_change,
        size="2",
    )


def _channel_select() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Channel", data_testid="channel-select"),
        rx.select.content(
            rx.select.item("Any channel", value=ANY),
            rx.foreach(LibraryState.channels, lambda name: rx.select.item(name, value=name)),
        ),
        value=LibraryState.channel_filter,
        on_change=LibraryState.set_channel_filter,
        on_open_change=LibraryState.load_channels,
        size="2",
    )


def _dates() -> rx.Component:
    return rx.hstack(
        rx.text("Published", size="2"),
        rx.input(
            type="date",
            value=LibraryState.published_from,
            on_change=LibraryState.set_published_from,
            aria_label="Published from",
            size="2",
        ),
        rx.text("to", size="2"),
        rx.input(
            type="date",
            value=LibraryState.published_to,
            on_change=LibraryState.set_published_to,
            aria_label="Published to",
            size="2",
        ),
        align="center",
        spacing="1",
    )


def view_controls() -> rx.Component:
    """Search box, filters and sort of the library page; every change goes to the address bar."""
    return rx.vstack(
        rx.hstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                placeholder=rx.cond(LibraryState.all_lists, "Search all lists", "Search this list"),
                value=LibraryState.query,
                on_change=LibraryState.set_query,
                debounce_timeout=SEARCH_DEBOUNCE_MS,
                aria_label="Search",
                type="search",
                max_length=500,
                width="24rem",
                max_width="100%",
            ),
            rx.cond(
                LibraryState.all_lists,
                rx.fragment(),
                rx.button("Search all lists", variant="ghost", size="2", on_click=LibraryState.search_all_lists),
            ),
            rx.cond(
                LibraryState.filtered,
                rx.button("Clear", variant="ghost", size="2", color_scheme="gray", on_click=LibraryState.clear_view),
            ),
            align="center",
            wrap="wrap",
        ),
        rx.hstack(
            _select(_STATE_CHOICES, LibraryState.state_filter, LibraryState.set_state_filter, "Import state"),
            _select(_SOURCE_CHOICES, LibraryState.source_filter, LibraryState.set_source_filter, "Caption source"),
            _channel_select(),
            _select(_DURATION_CHOICES, LibraryState.duration_preset, LibraryState.set_duration_preset, "Duration"),
            _dates(),
            _select(_SORT_CHOICES, LibraryState.sort_value, LibraryState.set_sort, "Sort"),
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            LibraryState.search_notice != "",
            rx.text(LibraryState.search_notice, size="2", color="var(--amber-11)"),
        ),
        spacing="2",
        width="100%",
    )
