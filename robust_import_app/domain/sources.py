"""Playlists and channels as the library stores them: what a source is, how it was listed, where it is in its expansion."""

from __future__ import annotations

import enum


class SourceState(enum.StrEnum):
    """The life of one source row (``import_source``)::

        queued ──> expanding ──> done
          │            │  └────> failed (a permanent reason, or retries used up)
          │            └──────> awaiting_choice ──(a limit chosen)──> queued
          └─ (large, first page) ─┘
        offered ──(accepted)──> queued
        any unfinished ──(dismissed, batch cancelled)──> cancelled

    ``queued`` and ``expanding`` are the worker's to claim; an ``offered``
    one is claimed once, to learn its size, and stays offered.
    """

    QUEUED = "queued"
    """Waiting for its first page (or to start again after a choice)."""
    EXPANDING = "expanding"
    """Some pages listed, more to come."""
    AWAITING_CHOICE = "awaiting_choice"
    """Larger than ``IMPORT_SOURCE_CONFIRM_OVER``: waits for "latest 50 / latest 200 / all"."""
    OFFERED = "offered"
    """The playlist of a pasted watch link: imported only when the user accepts."""
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_finished(self) -> bool:
        """True for ``done``, ``failed`` and ``cancelled``: no more pages will be listed."""
        return self in FINISHED

    @property
    def holds_batch(self) -> bool:
        """True while the source may still add videos to its batch (the batch is not announced)."""
        return self in HOLDS_BATCH


FINISHED = frozenset({SourceState.DONE, SourceState.FAILED, SourceState.CANCELLED})
HOLDS_BATCH = (SourceState.QUEUED, SourceState.EXPANDING, SourceState.AWAITING_CHOICE)
"""States in which a source may still add videos to its batch: the batch stays open (not announced)."""


class SourceKind(enum.StrEnum):
    """What a source link names."""

    PLAYLIST = "playlist"
    CHANNEL = "channel"


class ChannelTab(enum.StrEnum):
    """The tab of a channel whose entries are listed (``/@name/videos``, ...)."""

    VIDEOS = "videos"
    SHORTS = "shorts"
    STREAMS = "streams"


class EntryState(enum.StrEnum):
    """Whether a listed entry can be imported."""

    AVAILABLE = "available"
    PRIVATE = "private"
    DELETED = "deleted"


class Lister(enum.StrEnum):
    """How a source's entries were listed (recorded on the source)."""

    YTDLP_FLAT = "ytdlp_flat"
    """yt-dlp with ``extract_flat="in_playlist"``: one request per page of entries."""
    DATA_API = "data_api"
    """``playlistItems.list``: 50 entries per call, 1 quota unit each."""
    FEED = "feed"
    """The public Atom feed (``/feeds/videos.xml``): the latest 15 entries, no quota."""
