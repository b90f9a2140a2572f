"""Playlists and channels: the sources a list can be filled from.

Plain data shared by the URL parser (:mod:`.urls`), the backends that list a
source's entries (yt-dlp's flat extraction, the Data API, the simulator), the
feed reader (:mod:`.feed`) and the pipeline's expansion job
(:mod:`robust_import_app.pipeline.sources.expand`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from robust_import_app.domain.sources import ChannelTab, EntryState, SourceKind

PLAYLIST_URL = "https://www.youtube.com/playlist?list={key}"
CHANNEL_FEED_URL = "https://www.youtube.com/feeds/videos.xml?channel_id={channel_id}"
PLAYLIST_FEED_URL = "https://www.youtube.com/feeds/videos.xml?playlist_id={playlist_id}"
PLAYLIST_PAGE_ENTRIES = 100
"""Entries in one page of a playlist: YouTube's browse answers (the first page and
each continuation) carry up to 100 ``playlistVideoRenderer``s."""
CHANNEL_PAGE_ENTRIES = 30
"""Entries in one page of a channel's videos, shorts or live tab (``richGridRenderer``
answers: 30 items, newest first)."""
CHANNEL_ID = re.compile(r"UC[0-9A-Za-z_-]{22}")
"""A channel id: ``UC`` and 22 characters (yt-dlp's ``_YT_CHANNEL_UCID_RE``)."""
PLAYLIST_ID = re.compile(r"(?:(?:PL|LL|EC|UU|FL|RD|UL|TL|PU|OLAK5uy_)[0-9A-Za-z_-]{10,}|RDMM|WL|LL|LM)")
"""A playlist id: yt-dlp's ``YoutubeBaseInfoExtractor._PLAYLIST_ID_RE``."""


def is_channel_id(text: str) -> bool:
    """True when ``text`` is a ``UC…`` channel id (not a handle or custom name that starts with UC)."""
    return CHANNEL_ID.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class SourceRef:
    """One playlist or channel, as a pasted link names it.

    ``key`` is, for a playlist, its id (``PL…``, ``UU…`` uploads, ``OLAK5uy_…``
    album, ``RD…`` mix, ``LL``/``WL`` are refused by the parser); for a
    channel, its id ``UC…`` or the path that names it: ``@handle``,
    ``c/name``, ``user/name`` or a bare custom name (``youtube.com/name``),
    percent-decoded. ``tab`` is set for channels only
    (:attr:`ChannelTab.VIDEOS` when the link named no tab).
    """

    kind: SourceKind
    key: str
    tab: ChannelTab | None = None

    @property
    def url(self) -> str:
        """The canonical URL handed to yt-dlp (rebuilt from the parsed parts, never the pasted text)."""
        if self.kind is SourceKind.PLAYLIST:
            return PLAYLIST_URL.format(key=self.key)
        path = f"channel/{self.key}" if is_channel_id(self.key) else self.key
        return f"https://www.youtube.com/{path}/{(self.tab or ChannelTab.VIDEOS).value}"

    @property
    def page_entries(self) -> int:
        """How many entries one request to YouTube lists for this source (100 or 30)."""
        return PLAYLIST_PAGE_ENTRIES if self.kind is SourceKind.PLAYLIST else CHANNEL_PAGE_ENTRIES

    @property
    def is_mix(self) -> bool:
        """True for a mix (``RD…``): generated per viewer, endless, not listed by the Data API."""
        return self.kind is SourceKind.PLAYLIST and self.key.startswith("RD")


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """One entry of a playlist or channel tab; ``title`` may be "" (flat extraction of shorts)."""

    video_id: str
    title: str = ""
    state: EntryState = EntryState.AVAILABLE


@dataclass(frozen=True, slots=True)
class SourcePage:
    """One page of a source's entries, in the source's own order (newest first for channel tabs).

    ``title`` is the playlist's or channel's title; ``channel_id`` the ``UC…``
    id when the page says it (its feed needs it); ``total`` the number of
    entries the source reports, None when it reports none; ``next_cursor``
    is None on the last page, else what fetches the next one (a Data API
    page token, or for flat extraction the number of entries read so far).
    """

    entries: tuple[SourceEntry, ...]
    title: str = ""
    channel_id: str | None = None
    total: int | None = None
    next_cursor: str | None = None


def feed_url(source: SourceRef, *, channel_id: str | None = None) -> str | None:
    """The public feed of ``source``, or None when its channel id is not known yet.

    A channel named by handle or custom URL has a feed only through its
    ``UC…`` id, which its first listed page gives (:attr:`SourcePage.channel_id`).
    """
    if source.kind is SourceKind.PLAYLIST:
        return None if source.is_mix else PLAYLIST_FEED_URL.format(playlist_id=source.key)
    known = source.key if is_channel_id(source.key) else channel_id
    return CHANNEL_FEED_URL.format(channel_id=known) if known else None


def parse_feed_url(url: str) -> tuple[SourceKind, str]:
    """The kind and id (``UC…`` channel id or playlist id) a feed URL of :func:`feed_url` names.

    Raises ValueError for any other URL: another scheme, host or path, or a
    query that is not exactly one valid ``channel_id`` or ``playlist_id``.
    """
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if parts.scheme == "https" and parts.netloc == "www.youtube.com" and parts.path == "/feeds/videos.xml":
        if list(query) == ["channel_id"] and len(query["channel_id"]) == 1 and is_channel_id(query["channel_id"][0]):
            return SourceKind.CHANNEL, query["channel_id"][0]
        playlist = query.get("playlist_id", [""])
        if list(query) == ["playlist_id"] and len(playlist) == 1 and PLAYLIST_ID.fullmatch(playlist[0]):
            return SourceKind.PLAYLIST, playlist[0]
    raise ValueError(f"not a YouTube feed URL: {url!r}")
