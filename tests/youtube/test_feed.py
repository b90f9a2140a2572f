"""parse_feed on YouTube's Atom feeds as YouTube writes them, and on what is not one.

The channel sample keeps YouTube's layout: the feed's own ``<id>`` and
``<yt:channelId>`` without the channel id's ``UC``, each entry's
``<yt:channelId>`` with it, ``media:group`` with ``media:community``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from robust_import_app.youtube.feed import Feed, FeedEntry, FeedError, parse_feed

CHANNEL = "UCVls1GmFKf6WlTraIb_IaJg"


def entry(video_id: str, title: str, published: str) -> str:
    return f"""
 <entry>
  <id>yt:video:{video_id}</id>
  <yt:videoId>{video_id}</yt:videoId>
  <yt:channelId>{CHANNEL}</yt:channelId>
  <title>{title}</title>
  <link rel="alternate" href="https://www.youtube.com/watch?v={video_id}"/>
  <author>
   <name>DistroTube</name>
   <uri>https://www.youtube.com/channel/{CHANNEL}</uri>
  </author>
  <published>{published}</published>
  <updated>2026-12-01T08:12:45+00:00</updated>
  <media:group>
   <media:title>{title}</media:title>
   <media:content url="https://www.youtube.com/v/{video_id}?version=3" type="application/x-shockwave-flash" width="640" height="390"/>
   <media:thumbnail url="https://i4.ytimg.com/vi/{video_id}/hqdefault.jpg" width="480" height="360"/>
   <media:description>Links and notes below.</media:description>
   <media:community>
    <media:starRating count="2137" average="5.00" min="1" max="5"/>
    <media:statistics views="28514"/>
   </media:community>
  </media:group>
 </entry>"""


def channel_feed(*entries: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
 <link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id={CHANNEL}"/>
 <id>yt:channel:Vls1GmFKf6WlTraIb_IaJg</id>
 <yt:channelId>Vls1GmFKf6WlTraIb_IaJg</yt:channelId>
 <title>DistroTube</title>
 <link rel="alternate" href="https://www.youtube.com/channel/{CHANNEL}"/>
 <author>
  <name>DistroTube</name>
  <uri>https://www.youtube.com/channel/{CHANNEL}</uri>
 </author>
 <published>2017-10-08T15:27:13+00:00</published>{"".join(entries)}
</feed>
""".encode()


PLAYLIST_FEED = f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
 <link rel="self" href="http://www.youtube.com/feeds/videos.xml?playlist_id=PL6566A39B68523E18"/>
 <id>yt:playlist:PL6566A39B68523E18</id>
 <yt:playlistId>PL6566A39B68523E18</yt:playlistId>
 <yt:channelId>{CHANNEL}</yt:channelId>
 <title>Explained &amp; more</title>
 <author><name>DistroTube</name><uri>https://www.youtube.com/channel/{CHANNEL}</uri></author>
 <published>2012-04-06T00:16:14+00:00</published>{entry("pzGsUp3yM8w", "Pixel Density: Explained!", "2012-04-06T00:16:14+00:00")}
</feed>
""".encode()


def test_a_channel_feed_gives_the_full_channel_id_and_entries_newest_first() -> None:
    data = channel_feed(
        entry("FA__ScVhGQA", "Building &lt;Your&gt; Own Distro", "2026-11-30T15:00:08+00:00"),
        entry("dQw4w9WgXcQ", "Older one", "2026-11-28T09:30:00-05:00"),
    )

    assert parse_feed(data) == Feed(
        channel_id=CHANNEL,
        title="DistroTube",
        entries=(
            FeedEntry("FA__ScVhGQA", "Building <Your> Own Distro", dt.datetime(2026, 11, 30, 15, 0, 8, tzinfo=dt.UTC)),
            FeedEntry("dQw4w9WgXcQ", "Older one", dt.datetime(2026, 11, 28, 14, 30, tzinfo=dt.UTC)),
        ),
    )


def test_a_playlist_feed_names_its_playlist_and_owner() -> None:
    feed = parse_feed(PLAYLIST_FEED)
    assert (feed.channel_id, feed.playlist_id, feed.title) == (CHANNEL, "PL6566A39B68523E18", "Explained & more")
    assert [e.video_id for e in feed.entries] == ["pzGsUp3yM8w"]


def test_a_channel_without_uploads_has_an_empty_feed() -> None:
    assert parse_feed(channel_feed()).entries == ()


def test_the_channel_id_falls_back_to_the_authors_channel_url() -> None:
    data = channel_feed().replace(b" <yt:channelId>Vls1GmFKf6WlTraIb_IaJg</yt:channelId>\n", b"")
    assert parse_feed(data).channel_id == CHANNEL


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n", "empty"),
        (channel_feed(entry("FA__ScVhGQA", "x", "2026-11-30T15:00:08+00:00"))[:-40], "not well-formed"),
        (
            b"<!DOCTYPE html><html><head><title>Before you continue to YouTube</title></head><body>consent</body></html>",
            "not well-formed|not an Atom feed",
        ),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>', "not an Atom feed"),
        (channel_feed().replace(b"Vls1GmFKf6WlTraIb_IaJg", b"").replace(CHANNEL.encode(), b""), "no channel id"),
        (channel_feed(entry("short", "x", "2026-11-30T15:00:08+00:00")), "no valid video id"),
        (channel_feed(entry("FA__ScVhGQA", "x", "yesterday")), "no publication time"),
    ],
    ids=["empty", "blank", "cut-off", "html", "rss", "no-channel", "bad-id", "bad-date"],
)
def test_what_is_not_a_youtube_feed_raises_feed_error(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(data)
    assert issubclass(FeedError, ValueError)
