"""Search results: each video with its best transcript line, its timestamp and the matched words marked."""

from __future__ import annotations

import reflex as rx

from robust_import_app import styles
from robust_import_app.state.library import LibraryState, SearchResult, SnippetPart


def _part(part: rx.Var[SnippetPart]) -> rx.Component:
    return rx.cond(part.hit, rx.el.mark(part.text), rx.text.span(part.text))


def _line(result: rx.Var[SearchResult]) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.text(
                result.timestamp, font_family="monospace", size="2", min_width="3.5rem", data_testid="result-timestamp"
            ),
            rx.text(rx.foreach(result.parts, _part), size="2", data_testid="result-snippet"),
            align="start",
        ),
        href=result.href,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        data_testid="result-line",
    )


def _result(result: rx.Var[SearchResult]) -> rx.Component:
    return rx.hstack(
        rx.link(
            rx.image(src=result.thumbnail_url, alt="", width="8rem", border_radius="var(--radius-2)"), href=result.href
        ),
        rx.vstack(
            rx.link(result.title, href=result.href, weight="medium", data_testid="result-title"),
            rx.text(result.channel, size="2", color=styles.MUTED),
            rx.cond(result.timestamp != "", _line(result)),
            spacing="1",
            align="start",
        ),
        align="start",
        spacing="3",
        width="100%",
        data_testid="search-result",
        data_stage=result.stage,
    )


def search_results() -> rx.Component:
    """One page of results, or a note when nothing matched."""
    return rx.cond(
        LibraryState.results.length() > 0,
        rx.vstack(rx.foreach(LibraryState.results, _result), spacing="4", width="100%", data_testid="search-results"),
        rx.center(rx.text("Nothing matches this search.", color=styles.MUTED), padding="3rem", width="100%"),
    )
