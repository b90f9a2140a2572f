"""yt-dlp's flat playlist entries (``extract_flat="in_playlist"``) as source entries and pages.

A flat entry is what ``YoutubeTabBaseInfoExtractor._extract_video``
(``yt_dlp/extractor/youtube/_tab.py``) yields for each ``playlistVideoRenderer``,
``richItemRenderer`` or short in a playlist or channel tab, without a request
per video::

    {"_type": "url", "ie_key": "Youtube", "id": "dQw4w9WgXcQ",
     "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ" (or /shorts/ID),
     "title": "...", "duration": 212, "channel_id": "UC...", "availability": None, ...}

YouTube keeps private and deleted videos in a playlist under the placeholder
titles "[Private video]" and "[Deleted video]" (no duration, no channel);
``availability`` is ``"private"`` when the renderer carries the private badge.
The playlist or tab itself is a ``_type: "playlist"`` info with ``title``
("Name - Videos" for a channel tab), ``channel``, ``channel_id`` and, when
YouTube shows it, ``playlist_count``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from robust_import_app.domain.sources import EntryState, SourceKind
from robust_import_app.youtube.sources import SourceEntry, SourceRef

PRIVATE_TITLE = "[Private video]"
DELETED_TITLE = "[Deleted video]"
VIDEO_IE_KEY = "Youtube"
"""yt-dlp's ``YoutubeIE.ie_key()``: an entry that is a video (not a playlist or channel)."""

_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")


def entry_from_flat(entry: Mapping[str, Any] | None) -> SourceEntry | None:
    """The :class:`SourceEntry` of one flat entry, None when it is no video (a playlist,
    a channel, a post) or has no valid 11-character id."""
    if not isinstance(entry, Mapping) or entry.get("ie_key", VIDEO_IE_KEY) != VIDEO_IE_KEY:
        return None
    video_id = entry.get("id")
    if not isinstance(video_id, str) or not _VIDEO_ID.fullmatch(video_id):
        return None
    title = entry.get("title") or ""
    if title == PRIVATE_TITLE or entry.get("availability") == "private":
        return SourceEntry(video_id, "", EntryState.PRIVATE)
    if title == DELETED_TITLE:
        return SourceEntry(video_id, "", EntryState.DELETED)
    return SourceEntry(video_id, title)


def source_title(info: Mapping[str, Any], source: SourceRef) -> str:
    """The name to show for a source: a playlist's title, a channel's name (not yt-dlp's
    "Name - Videos" tab title)."""
    if source.kind is SourceKind.CHANNEL:
        return info.get("channel") or info.get("uploader") or info.get("title") or ""
    return info.get("title") or ""


def source_total(info: Mapping[str, Any]) -> int | None:
    """``playlist_count`` when yt-dlp read one (YouTube's count, hidden entries included), else None."""
    count = info.get("playlist_count")
    return count if isinstance(count, int) and count >= 0 else None
