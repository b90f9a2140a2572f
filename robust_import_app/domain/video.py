"""Plain data the YouTube layer hands to the pipeline.

Every value here is a frozen dataclass or an enum: the pipeline passes these
around and converts them to table rows only where it stores them
(:mod:`robust_import_app.pipeline.queue.videos`).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

THUMBNAIL_URL = "https://i.ytimg.com/vi/{video_id}/mqdefault.jpg"
WATCH_URL = "https://www.youtube.com/watch?v={video_id}"


def thumbnail_url(video_id: str) -> str:
    """The 320x180 thumbnail YouTube's image CDN serves for every video id."""
    return THUMBNAIL_URL.format(video_id=video_id)


def watch_url(video_id: str) -> str:
    """The canonical watch URL, rebuilt from a validated 11-character video id.

    This is the only URL ever handed to yt-dlp: a pasted string never is.
    """
    return WATCH_URL.format(video_id=video_id)


class CaptionSource(enum.StrEnum):
    """Which step of the caption chain produced a video's transcript."""

    MANUAL = "manual"
    AUTO = "auto"
    WHISPER = "whisper"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Chapter:
    """One chapter of a video; times in seconds from the start."""

    start_time: float
    end_time: float
    title: str


@dataclass(frozen=True, slots=True)
class CaptionSegment:
    """One cue of a transcript; ``start_s`` and ``duration_s`` in seconds."""

    start_s: float
    duration_s: float
    text: str


@dataclass(frozen=True, slots=True)
class CaptionTrack:
    """A caption track YouTube lists for a video (youtube-transcript-api's view).

    ``is_generated`` is True for YouTube's automatic speech recognition
    ("auto-generated captions"), False for captions a person uploaded.
    """

    language_code: str
    language: str
    is_generated: bool


@dataclass(frozen=True, slots=True)
class SubtitleTrack:
    """A subtitle file yt-dlp lists in ``subtitles``/``automatic_captions``."""

    language_code: str
    ext: str
    url: str
    is_generated: bool


@dataclass(frozen=True, slots=True)
class VideoMetadata:
    """What the metadata stage learns about one video.

    ``duration_s`` is in seconds; ``chapters`` holds the chapters YouTube
    itself returned (empty when it returned none: the chapters stage then
    parses the description).
    """

    video_id: str
    title: str
    channel: str
    duration_s: int | None = None
    published: dt.date | None = None
    description: str = ""
    thumbnail_url: str | None = None
    language: str | None = None
    chapters: tuple[Chapter, ...] = ()
    subtitle_tracks: tuple[SubtitleTrack, ...] = field(default=())
