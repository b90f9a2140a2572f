"""Map a yt-dlp info dict to :class:`VideoMetadata`.

Accepts both the current yt-dlp shape and the old youtube-dl (2020) shape:
``chapters`` may be null, ``channel`` may be missing (``uploader`` is used),
``language`` may be missing. No I/O happens here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from robust_import_app.domain.video import SubtitleTrack, VideoMetadata, thumbnail_url
from robust_import_app.youtube.chapters import chapters_from_ytdlp

SUBTITLE_EXT_PREFERENCE = ("json3", "vtt", "srv1")
"""Subtitle formats we can parse, best first; other formats are ignored."""

TIMEDTEXT_HOST, TIMEDTEXT_PATH = "www.youtube.com", "/api/timedtext"
_ORIGINAL_SUFFIX = "-orig"
"""yt-dlp lists the untranslated auto-caption track twice: ``en`` and ``en-orig``."""


def metadata_from_info(info: Mapping[str, Any]) -> VideoMetadata:
    """Build the metadata of one video from ``YoutubeDL.extract_info`` output.

    ``duration_s`` is whole seconds; ``published`` comes from ``upload_date``
    (``YYYYMMDD``), else ``release_date``, else ``timestamp`` or
    ``release_timestamp`` (UTC). Subtitle tracks keep one file per language,
    preferring :data:`SUBTITLE_EXT_PREFERENCE`; only this video's timedtext
    URLs are kept (:func:`is_timedtext_url`; yt-dlp also lists HLS playlists),
    and machine-translated automatic captions (``tlang=`` in the URL) are dropped.

    Raises ValueError for a playlist or channel info dict, or one without an id.
    """
    if _is_playlist(info):
        raise ValueError(f"not a single video: {info.get('id')!r} is a playlist or channel")
    video_id = info.get("id")
    if not isinstance(video_id, str) or not video_id:
        raise ValueError("info dict has no video id")
    duration = info.get("duration")
    return VideoMetadata(
        video_id=video_id,
        title=str(info.get("title") or info.get("fulltitle") or ""),
        channel=str(info.get("channel") or info.get("uploader") or ""),
        duration_s=round(duration) if isinstance(duration, int | float) else None,
        published=_published(info),
        description=str(info.get("description") or ""),
        thumbnail_url=info.get("thumbnail") or thumbnail_url(video_id),
        language=info.get("language") or None,
        chapters=chapters_from_ytdlp(
            info.get("chapters"), float(duration) if isinstance(duration, int | float) else None
        ),
        subtitle_tracks=(
            *_tracks(video_id, info.get("subtitles"), is_generated=False),
            *_tracks(video_id, info.get("automatic_captions"), is_generated=True),
        ),
    )


def is_timedtext_url(url: str, video_id: str) -> bool:
    """True for ``https://www.youtube.com/api/timedtext?v=<video_id>...``."""
    parts = urlsplit(url)
    return (
        parts.scheme == "https"
        and parts.hostname == TIMEDTEXT_HOST
        and parts.port is None
        and parts.path == TIMEDTEXT_PATH
        and parse_qs(parts.query).get("v") == [video_id]
    )


def _is_playlist(info: Mapping[str, Any]) -> bool:
    """True for playlist, channel and multi-video results (also without ``_type``)."""
    if info.get("_type", "video") != "video":
        return True
    return "entries" in info or str(info.get("extractor_key", "")) == "YoutubeTab"


def _published(info: Mapping[str, Any]) -> dt.date | None:
    """The upload day, or None when the info dict does not say."""
    for key in ("upload_date", "release_date"):
        value = info.get(key)
        if isinstance(value, str) and len(value) == 8 and value.isdigit():
            return dt.datetime.strptime(value, "%Y%m%d").date()
    for key in ("timestamp", "release_timestamp"):
        value = info.get(key)
        if isinstance(value, int | float):
            return dt.datetime.fromtimestamp(value, tz=dt.UTC).date()
    return None


def _tracks(video_id: str, raw: Any, *, is_generated: bool) -> tuple[SubtitleTrack, ...]:
    """One parseable track per language from ``subtitles``/``automatic_captions``."""
    if not isinstance(raw, Mapping):
        return ()
    chosen: dict[str, SubtitleTrack] = {}
    for code, formats in raw.items():
        language_code = str(code).removesuffix(_ORIGINAL_SUFFIX)
        track = _best_format(video_id, language_code, formats, is_generated=is_generated)
        if track is not None and language_code not in chosen:
            chosen[language_code] = track
    return tuple(chosen.values())


def _best_format(video_id: str, language_code: str, formats: Any, *, is_generated: bool) -> SubtitleTrack | None:
    """The most preferred parseable, untranslated timedtext format of one language."""
    by_ext: dict[str, str] = {}
    for entry in formats if isinstance(formats, list) else []:
        url, ext = entry.get("url"), entry.get("ext")
        if (
            isinstance(url, str)
            and ext in SUBTITLE_EXT_PREFERENCE
            and "tlang=" not in url
            and is_timedtext_url(url, video_id)
        ):
            by_ext.setdefault(ext, url)
    for ext in SUBTITLE_EXT_PREFERENCE:
        if ext in by_ext:
            return SubtitleTrack(language_code, ext, by_ext[ext], is_generated)
    return None
