"""``/video/<id>``: a video's metadata, chapters and transcript, each line linking to its second."""

from __future__ import annotations

import reflex as rx

from robust_import_app import styles
from robust_import_app.components.badges import caption_badge
from robust_import_app.components.description import description
from robust_import_app.components.not_found import not_found
from robust_import_app.components.thumbnail import thumbnail_image
from robust_import_app.state.video import TimedLine, VideoState


def _timed(line: rx.Var[TimedLine], testid: str) -> rx.Component:
    focused = line.anchor == VideoState.focused
    return rx.hstack(
        rx.link(line.timestamp, href=line.href, is_external=True, size="2", min_width="4rem", font_family="monospace"),
        rx.text(line.text, size="2"),
        align="start",
        id=line.anchor,
        data_testid=testid,
        data_focused=rx.cond(focused, "true", "false"),
        background=rx.cond(focused, "var(--amber-a4)", "transparent"),
        border_radius="var(--radius-2)",
        width="100%",
    )


def _section(title: str, lines: rx.Var[list[TimedLine]], testid: str, empty: str) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="4"),
        rx.cond(
            lines.length() > 0,
            rx.vstack(rx.foreach(lines, lambda line: _timed(line, testid)), spacing="1"),
            rx.text(empty, color=styles.MUTED, size="2"),
        ),
        align="start",
        width="100%",
    )


def _actions() -> rx.Component:
    return rx.hstack(
        rx.link(
            rx.button(rx.icon("external-link", size=14), "Open on YouTube", variant="soft", size="2"),
            href=VideoState.youtube_href,
            is_external=True,
            rel="noopener noreferrer",
            data_testid="open-on-youtube",
        ),
        rx.cond(
            VideoState.card.stage == "error",
            rx.button(rx.icon("rotate-cw", size=14), "Retry", size="2", on_click=VideoState.retry),
        ),
        spacing="2",
        wrap="wrap",
    )


def _download(label: str, path: rx.Var[str], testid: str) -> rx.Component:
    # rx.el.a is React Router's Link in Reflex 0.10: without reload_document its click
    # is routed inside the app (its "404" page) instead of downloading.
    return rx.el.a(label, href=path, download="", reload_document=True, style=styles.download_link, data_testid=testid)


def _downloads() -> rx.Component:
    base = "/export/videos/" + VideoState.card.id.to_string()
    return rx.hstack(
        rx.cond(
            VideoState.segments.length() > 0,
            rx.hstack(
                rx.text("Transcript:", size="2", color=styles.MUTED),
                _download("SRT", base + "/transcript.srt", "download-srt"),
                _download("WebVTT", base + "/transcript.vtt", "download-vtt"),
                _download("Text", base + "/transcript.txt", "download-txt"),
                spacing="2",
            ),
        ),
        rx.cond(VideoState.chapters.length() > 0, _download("Chapters", base + "/chapters.txt", "download-chapters")),
        spacing="4",
        wrap="wrap",
    )


def _details() -> rx.Component:
    card = VideoState.card
    return rx.vstack(
        rx.link("← Back to the list", href="/list/" + VideoState.list_id.to_string(), size="2"),
        rx.hstack(
            thumbnail_image(card.thumbnail_url, width="20rem", max_width="100%", border_radius="var(--radius-3)"),
            rx.vstack(
                rx.heading(card.title, size="6", data_testid="video-title"),
                rx.text(card.channel, color=styles.MUTED),
                rx.cond(VideoState.meta_line != "", rx.text(VideoState.meta_line, size="2", color=styles.MUTED)),
                rx.hstack(
                    caption_badge(card.caption_badge, card.caption_source),
                    rx.cond(
                        VideoState.caption_language != "", rx.badge(VideoState.caption_language, variant="outline")
                    ),
                ),
                rx.cond(card.note != "", rx.text(card.note, size="2", color=styles.MUTED)),
                rx.cond(
                    card.error_message != "",
                    rx.callout(card.error_message, icon="triangle-alert", color_scheme="amber"),
                ),
                _actions(),
                _downloads(),
                align="start",
            ),
            spacing="5",
            align="start",
            wrap="wrap",
        ),
        _section("Chapters", VideoState.chapters, "chapter-line", "No chapters."),
        _section("Transcript", VideoState.segments, "transcript-line", "No transcript."),
        rx.heading("Description", size="4"),
        description(VideoState.description_parts),
        spacing="5",
        align="start",
        padding="2rem",
        max_width="60rem",
    )


def video_page() -> rx.Component:
    """The detail page, or the 404 note when the video does not exist."""
    return rx.cond(VideoState.found, _details(), not_found("This video doesn't exist"))
