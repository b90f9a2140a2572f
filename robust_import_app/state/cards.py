"""Display-ready card data, built from video rows (no Reflex imports)."""

from __future__ import annotations

import dataclasses

from robust_import_app.domain.errors import ErrorCode
from robust_import_app.domain.stages import stage_named
from robust_import_app.domain.video import CaptionSource
from robust_import_app.models import Video

CAPTION_BADGES: dict[CaptionSource | None, str] = {
    CaptionSource.MANUAL: "captions",
    CaptionSource.AUTO: "auto-generated captions",
    CaptionSource.WHISPER: "transcribed from audio",
    CaptionSource.NONE: "no captions",
    None: "",
}


@dataclasses.dataclass(frozen=True)
class VideoCard:
    """One card of the grid, as the browser shows it."""

    id: int
    youtube_id: str
    title: str
    channel: str
    thumbnail_url: str
    stage: str
    progress: int
    terminal: bool
    duration: str
    published: str
    caption_badge: str
    caption_source: str
    chapter_count: int
    error_message: str
    retry_note: str
    note: str


def format_duration(seconds: int | None) -> str:
    """``3725`` → ``"1:02:05"``; ``59`` → ``"0:59"``; None → ``""``."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def card_from_row(row: Video, *, chapter_count: int = 0) -> VideoCard:
    """The card for one video row."""
    stage = stage_named(row.import_stage)
    retry_note = ""
    if not stage.is_terminal and row.error_code:
        retry_note = f"Retrying: {ErrorCode(row.error_code).message}"
    return VideoCard(
        id=row.id or 0,
        youtube_id=row.youtube_id,
        title=row.title or row.youtube_id,
        channel=row.channel,
        thumbnail_url=row.thumbnail_url,
        stage=stage.value,
        progress=row.import_progress,
        terminal=stage.is_terminal,
        duration=format_duration(row.duration_s),
        published=row.published.isoformat() if row.published else "",
        caption_badge=CAPTION_BADGES[row.caption_source],
        caption_source=row.caption_source.value if row.caption_source else "",
        chapter_count=chapter_count,
        error_message=row.error_message or "",
        retry_note=retry_note,
        note=row.note or "",
    )
