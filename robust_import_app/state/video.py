"""The detail page of one video: metadata, chapters, transcript."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from robust_import_app import library
from robust_import_app.db import get_database
from robust_import_app.state.cards import VideoCard, card_from_row, format_duration
from robust_import_app.state.library import route_id
from robust_import_app.youtube.data import watch_url


@dataclasses.dataclass(frozen=True)
class TimedLine:
    """A chapter or a transcript segment, with a link to that second of the video."""

    timestamp: str
    text: str
    href: str


def timed_line(youtube_id: str, start_s: float, text: str) -> TimedLine:
    """``start_s`` as ``m:ss`` and a watch link starting at that whole second."""
    second = int(start_s)
    return TimedLine(timestamp=format_duration(second), text=text, href=f"{watch_url(youtube_id)}&t={second}s")


class VideoState(rx.State):
    """One video's metadata, chapters and transcript."""

    found: bool = False
    card: VideoCard | None = None
    description: str = ""
    list_id: int = 0
    caption_language: str = ""
    chapters: list[TimedLine] = []
    segments: list[TimedLine] = []

    @rx.event
    async def on_load(self):
        """Load the video named in the URL (its row id)."""
        video_id = route_id(self.router.url.path, "/video/")
        detail = await asyncio.to_thread(library.video_detail, get_database(), video_id) if video_id else None
        self.found = detail is not None
        if detail is None:
            self.card, self.chapters, self.segments = None, [], []
            return
        video = detail.video
        self.card = card_from_row(video, chapter_count=len(detail.chapters))
        self.description = video.description
        self.list_id = video.list_id
        self.caption_language = video.caption_language or ""
        self.chapters = [timed_line(video.youtube_id, c.start_s, c.title) for c in detail.chapters]
        self.segments = [timed_line(video.youtube_id, s.start_s, s.text) for s in detail.segments]
