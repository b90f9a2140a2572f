"""The Atom documents YouTube serves at ``/feeds/videos.xml``, rendered for simulated sources.

Layout as YouTube writes it (see :mod:`robust_import_app.youtube.feed`): a
channel feed's own ``<id>`` and ``<yt:channelId>`` drop the ``UC`` of the
channel id, its entries' ``<yt:channelId>`` keep it; a playlist feed has
``<yt:playlistId>`` and its owner's full ``<yt:channelId>``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from robust_import_app.domain.sources import SourceKind
from robust_import_app.youtube.sim.sources import NEWEST_UPLOAD, SimEntry, SimSource

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/"'
    ' xmlns="http://www.w3.org/2005/Atom">\n'
)


def render_feed(source: SimSource, entries: Sequence[SimEntry]) -> bytes:
    """The feed of ``source`` listing ``entries`` (the caller picks the latest 15), UTF-8."""
    channel_url = f"https://www.youtube.com/channel/{source.channel_id}"
    if source.kind is SourceKind.PLAYLIST:
        self_url = f"http://www.youtube.com/feeds/videos.xml?playlist_id={source.source_id}"
        ids = (
            f" <id>yt:playlist:{source.source_id}</id>\n <yt:playlistId>{source.source_id}</yt:playlistId>\n"
            f" <yt:channelId>{source.channel_id}</yt:channelId>\n"
        )
        alternate = f"https://www.youtube.com/playlist?list={source.source_id}"
    else:
        short = source.channel_id.removeprefix("UC")
        self_url = f"http://www.youtube.com/feeds/videos.xml?channel_id={source.channel_id}"
        ids = f" <id>yt:channel:{short}</id>\n <yt:channelId>{short}</yt:channelId>\n"
        alternate = channel_url
    parts = [
        _HEAD,
        f' <link rel="self" href={quoteattr(self_url)}/>\n',
        ids,
        f" <title>{escape(source.title)}</title>\n",
        f' <link rel="alternate" href={quoteattr(alternate)}/>\n',
        f" <author>\n  <name>{escape(source.channel)}</name>\n  <uri>{channel_url}</uri>\n </author>\n",
        f" <published>{_stamp(NEWEST_UPLOAD.replace(year=2012))}</published>\n",
    ]
    parts += [_entry(entry, source, channel_url) for entry in entries]
    parts.append("</feed>\n")
    return "".join(parts).encode("utf-8")


def _entry(entry: SimEntry, source: SimSource, channel_url: str) -> str:
    watch = f"https://www.youtube.com/watch?v={entry.video_id}"
    title = escape(entry.title)
    return (
        " <entry>\n"
        f"  <id>yt:video:{entry.video_id}</id>\n"
        f"  <yt:videoId>{entry.video_id}</yt:videoId>\n"
        f"  <yt:channelId>{source.channel_id}</yt:channelId>\n"
        f"  <title>{title}</title>\n"
        f'  <link rel="alternate" href="{watch}"/>\n'
        f"  <author>\n   <name>{escape(source.channel)}</name>\n   <uri>{channel_url}</uri>\n  </author>\n"
        f"  <published>{_stamp(entry.published)}</published>\n"
        f"  <updated>{_stamp(entry.published)}</updated>\n"
        "  <media:group>\n"
        f"   <media:title>{title}</media:title>\n"
        f'   <media:content url="https://www.youtube.com/v/{entry.video_id}?version=3"'
        ' type="application/x-shockwave-flash" width="640" height="390"/>\n'
        f'   <media:thumbnail url="https://i1.ytimg.com/vi/{entry.video_id}/hqdefault.jpg" width="480" height="360"/>\n'
        f"   <media:description>{title}</media:description>\n"
        "   <media:community>\n"
        '    <media:starRating count="12" average="5.00" min="1" max="5"/>\n'
        '    <media:statistics views="345"/>\n'
        "   </media:community>\n"
        "  </media:group>\n"
        " </entry>\n"
    )


def _stamp(moment: dt.datetime) -> str:
    """``2026-11-30T15:00:00+00:00``, as YouTube writes times."""
    return moment.isoformat()
