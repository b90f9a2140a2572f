"""The detail page of one video: metadata, chapters, transcript."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import reflex as rx

from robust_import_app import library, runtime
from robust_import_app.compose import get_database
from robust_import_app.domain.video import watch_url
from robust_import_app.state.cards import VideoCard, card_from_row, format_duration
from robust_import_app.state.library import route_id
from robust_import_app.youtube.description import DescriptionPart, split_links


@dataclasses.dataclass(frozen=True)
class TimedLine:
    """A chapter or a transcript segment, with a link to that second of the video.

    ``second`` is the whole second it starts at (``/video/<id>?t=<second>``
    scrolls to the segment with that ``anchor``, ``seg-<second>``).
    """

    timestamp: str
    text: str
    href: str
    second: int
    anchor: str


def timed_line(youtube_id: str, start_s: float, text: str, *, anchor_prefix: str = "seg") -> TimedLine:
    """``start_s`` as ``m:ss`` and a watch link starting at that whole second."""
    second = int(start_s)
    return TimedLine(
        timestamp=format_duration(second),
        text=text,
        href=f"{watch_url(youtube_id)}&t={second}s",
        second=second,
        anchor=f"{anchor_prefix}-{second}",
    )


def focus_anchor(lines: list[TimedLine], t: str | None) -> str:
    """The anchor of the last line starting at or before second ``t`` (a query parameter), or "".

    ``t`` that is not a whole number of seconds gives "" (nothing to scroll to).
    """
    text = (t or "").strip()
    if not (text.isascii() and text.isdigit()) or not lines:
        return ""
    wanted = int(text)
    before = [line for line in lines if line.second <= wanted]
    return (before[-1] if before else lines[0]).anchor


_SCROLL_SCRIPT = """(function find(tries) {{
  const line = document.getElementById({anchor});
  if (line) {{ line.scrollIntoView({{block: "center"}}); }}
  else if (tries > 0) {{ setTimeout(() => find(tries - 1), 50); }}
}})(60);"""
"""Scroll to a line once it is rendered (the delta may land after the script): at most 60 tries, 50 ms apart."""


class VideoState(rx.State):
    """One video's metadata, chapters and transcript."""

    found: bool = False
    card: VideoCard | None = None
    description: str = ""
    list_id: int = 0
    caption_language: str = ""
    chapters: list[TimedLine] = []
    segments: list[TimedLine] = []
    focused: str = ""

    @rx.var
    def description_parts(self) -> list[DescriptionPart]:
        """The description as plain and link parts (see :func:`split_links`)."""
        return split_links(self.description)

    @rx.var
    def youtube_href(self) -> str:
        """The video's watch page on YouTube ("" without a video)."""
        return watch_url(self.card.youtube_id) if self.card else ""

    @rx.var
    def meta_line(self) -> str:
        """E.g. "12:04 · published 2024-05-01"; only the parts the video has."""
        if self.card is None:
            return ""
        published = f"published {self.card.published}" if self.card.published else ""
        return " · ".join(part for part in (self.card.duration, published) if part)

    @rx.event
    async def retry(self):
        """Queue this failed video again from the stage that failed, then reload the page."""
        if self.card is None or self.card.stage != "error":
            return
        count = await asyncio.to_thread(library.retry_failed, get_database(), self.list_id, [self.card.id])
        if not count:
            return rx.toast.info("This video is no longer failed.")
        runtime.wake_worker()
        return [rx.toast.info("Retrying this video…"), VideoState.on_load]

    @rx.event
    async def on_load(self):
        """Load the video named in the URL (its row id); with ``?t=<second>``, scroll to that segment."""
        video_id = route_id(self.router.url.path, "/video/")
        detail = await asyncio.to_thread(library.video_detail, get_database(), video_id) if video_id else None
        self.found = detail is not None
        if detail is None:
            self.card, self.chapters, self.segments, self.focused = None, [], [], ""
            return
        video = detail.video
        self.card = card_from_row(video, chapter_count=len(detail.chapters))
        self.description = video.description
        self.list_id = video.list_id
        self.caption_language = video.caption_language or ""
        self.chapters = [
            timed_line(video.youtube_id, c.start_s, c.title, anchor_prefix="chapter") for c in detail.chapters
        ]
        self.segments = [timed_line(video.youtube_id, s.start_s, s.text) for s in detail.segments]
        self.focused = focus_anchor(self.segments, self.router.url.query_parameters.get("t"))
        if self.focused:
            return rx.call_script(_SCROLL_SCRIPT.format(anchor=json.dumps(self.focused)))
