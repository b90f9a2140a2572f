"""A channel's or playlist's public Atom feed (``/feeds/videos.xml``), parsed with feedparser.

YouTube serves the latest 15 entries of a channel's uploads
(``?channel_id=UC…``) or of a playlist (``?playlist_id=…``), newest first,
without quota or sign-in. The parts read here, as YouTube writes them::

    <feed xmlns:yt="http://www.youtube.com/xml/schemas/2015"
          xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
     <id>yt:channel:Vls1GmFKf6WlTraIb_IaJg</id>       (yt:playlist:PL… in a playlist feed)
     <yt:channelId>Vls1GmFKf6WlTraIb_IaJg</yt:channelId>  (a channel feed drops the "UC")
     <yt:playlistId>PL…</yt:playlistId>                (playlist feeds only)
     <title>DistroTube</title>
     <author><name>…</name><uri>https://www.youtube.com/channel/UCVls1GmFKf6WlTraIb_IaJg</uri></author>
     <entry>
      <yt:videoId>FA__ScVhGQA</yt:videoId>
      <yt:channelId>UCVls1GmFKf6WlTraIb_IaJg</yt:channelId>
      <title>…</title>
      <published>2026-11-30T15:00:08+00:00</published>
      <media:group><media:title>…</media:title>…</media:group>
     </entry>
    </feed>

feedparser (6.0) names the ``yt:`` elements ``yt_videoid``, ``yt_channelid``
and ``yt_playlistid``, and gives ``published_parsed`` in UTC.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import feedparser

from robust_import_app.youtube.sources import is_channel_id

_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_CHANNEL_IN_URI = re.compile(r"/channel/(UC[0-9A-Za-z_-]{22})")


class FeedError(ValueError):
    """A document that is not a YouTube Atom feed: empty, malformed XML, HTML, or missing
    the channel id, an entry's video id or its publication time."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One upload in a feed; ``published`` is timezone-aware UTC."""

    video_id: str
    title: str
    published: dt.datetime


@dataclass(frozen=True, slots=True)
class Feed:
    """A parsed feed: the channel's ``UC…`` id (a playlist feed's owner), its title and entries
    newest first, as the document lists them; ``playlist_id`` is set for a playlist feed."""

    channel_id: str
    title: str
    entries: tuple[FeedEntry, ...]
    playlist_id: str | None = None


def parse_feed(data: bytes) -> Feed:
    """Parse the bytes of a YouTube feed (as :meth:`YouTubeBackend.fetch_feed` returns them).

    A feed of a channel without uploads has no entries and is valid.
    Raises :class:`FeedError` for an empty or malformed document, one that
    is not Atom (an HTML consent or error page), one that names no channel,
    and an entry without a valid video id or publication time.
    """
    if not data.strip():
        raise FeedError("the feed is empty")
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if parsed.bozo and not isinstance(parsed.bozo_exception, feedparser.CharacterEncodingOverride):
        raise FeedError(f"the feed is not well-formed XML: {parsed.bozo_exception}")
    if not parsed.version.startswith("atom"):
        raise FeedError("the document is not an Atom feed")
    feed = parsed.feed
    channel_id = _channel_id(feed)
    if channel_id is None:
        raise FeedError("the feed names no channel id")
    return Feed(
        channel_id=channel_id,
        title=feed.get("title", ""),
        entries=tuple(_entry(entry) for entry in parsed.entries),
        playlist_id=feed.get("yt_playlistid") or None,
    )


def _channel_id(feed: Mapping[str, Any]) -> str | None:
    """The ``UC…`` id of a feed: its ``yt:channelId`` (channel feeds write it without
    ``UC``), else the channel URL of its author."""
    written = feed.get("yt_channelid") or ""
    for candidate in (written, "UC" + written):
        if is_channel_id(candidate):
            return candidate
    match = _CHANNEL_IN_URI.search(feed.get("author_detail", {}).get("href", ""))
    return match.group(1) if match else None


def _entry(entry: Mapping[str, Any]) -> FeedEntry:
    video_id = entry.get("yt_videoid") or ""
    if not _VIDEO_ID.fullmatch(video_id):
        raise FeedError(f"a feed entry has no valid video id: {video_id!r}")
    published = entry.get("published_parsed")
    if published is None:
        raise FeedError(f"feed entry {video_id} has no publication time")
    moment = dt.datetime.fromtimestamp(calendar.timegm(published), dt.UTC)
    return FeedEntry(video_id=video_id, title=entry.get("title", ""), published=moment)
