"""The real client's playlist and channel listing, offline: yt-dlp's own YoutubeDL runs
``extract_info(process=False)`` with flat, lazy extraction; only YouTube is replaced
(``YoutubeTabIE._real_extract``), by a tab that yields entries of the shape
``YoutubeTabBaseInfoExtractor._extract_video`` yields and fetches its pages as yt-dlp
does: the first in ``_real_extract``, each continuation when the generator needs it.
Feeds go through httpx with a transport standing in for www.youtube.com."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from yt_dlp import YoutubeDL
from yt_dlp.extractor.youtube import YoutubeTabIE
from yt_dlp.networking.common import Response as YtDlpResponse
from yt_dlp.networking.exceptions import HTTPError
from yt_dlp.utils import DownloadError, ExtractorError

from robust_import_app.domain.errors import ErrorCode
from robust_import_app.domain.sources import ChannelTab, EntryState, SourceKind
from robust_import_app.pipeline.resilience.classify import classify
from robust_import_app.youtube import real
from robust_import_app.youtube.real import Listing, SourceListings, YouTubeClient
from robust_import_app.youtube.sources import SourceEntry, SourceRef

PLAYLIST = SourceRef(SourceKind.PLAYLIST, "PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU")
CHANNEL = SourceRef(SourceKind.CHANNEL, "@NotJustBikes", ChannelTab.VIDEOS)
CHANNEL_ID = "UC0intLFzLaudFG-xAvUEO-A"


def flat_entry(n: int, *, title: str | None = None, shorts: bool = False, **extra: Any) -> dict[str, Any]:
    """An entry as ``_extract_video`` returns it for a playlistVideoRenderer / richItemRenderer."""
    video_id = f"vid{n:07d}x"
    return {
        "_type": "url", "ie_key": "Youtube", "id": video_id,
        "url": f"https://www.youtube.com/{'shorts/' if shorts else 'watch?v='}{video_id}",
        "title": f"Video {n}" if title is None else title, "description": None, "duration": 95,
        "channel_id": CHANNEL_ID, "channel": "Not Just Bikes", "channel_url": f"https://www.youtube.com/channel/{CHANNEL_ID}",
        "uploader": "Not Just Bikes", "uploader_id": "@NotJustBikes", "uploader_url": "https://www.youtube.com/@NotJustBikes",
        "thumbnails": [], "timestamp": None, "release_timestamp": None, "availability": None, "view_count": 1200,
        "live_status": None, "channel_is_verified": None, **extra,
    }  # fmt: skip


@dataclass
class FakeTab:
    """YouTube's side of a playlist or tab: its entries, the page size, the pages fetched."""

    entries: list[dict[str, Any]]
    page_size: int
    info: dict[str, Any]
    fail_at_page: int | None = None
    requests: list[int] = field(default_factory=list)

    def pages(self, item_id: str) -> Iterator[dict[str, Any]]:
        for page, start in enumerate(range(0, max(len(self.entries), 1), self.page_size)):
            if page:  # the first page came with the webpage, in _real_extract
                self.requests.append(page)
                if page == self.fail_at_page:
                    self.fail_at_page = None
                    response = YtDlpResponse(
                        io.BytesIO(b""), "https://www.youtube.com/youtubei/v1/browse", {"Retry-After": "7"}, status=429
                    )
                    try:  # as InfoExtractor._request_webpage wraps a network error
                        raise HTTPError(response)
                    except HTTPError as error:
                        raise ExtractorError(
                            f"Unable to download API page: {error}", cause=error, video_id=f"{item_id} page {page}"
                        ) from error
            yield from self.entries[start : start + self.page_size]


@pytest.fixture
def youtube(monkeypatch: pytest.MonkeyPatch) -> dict[str, FakeTab]:
    """URL -> FakeTab; ``YoutubeTabIE._real_extract`` answers from it; YoutubeDLs are recorded."""
    tabs: dict[str, FakeTab] = {}
    made: list[dict[str, Any]] = []

    def real_extract(self: YoutubeTabIE, url: str) -> dict[str, Any]:
        if url == "https://www.youtube.com/c/NotJustBikes/videos":  # yt-dlp follows the channel's redirect
            return self.url_result("https://www.youtube.com/@NotJustBikes/videos", YoutubeTabIE)
        tab = tabs.get(url)
        if tab is None:  # YouTube's alert, as _report_alerts raises it
            raise ExtractorError("YouTube said: The playlist does not exist.", expected=True)
        tab.requests.append(0)
        return self.playlist_result(tab.pages(tab.info["id"]), **tab.info)

    class RecordingYoutubeDL(YoutubeDL):
        def __init__(self, params: dict[str, Any]) -> None:
            made.append(params)
            super().__init__(params)

    monkeypatch.setattr(YoutubeTabIE, "_real_extract", real_extract)
    monkeypatch.setattr(real, "YoutubeDL", RecordingYoutubeDL)
    tabs["made"] = made  # type: ignore[assignment]
    return tabs


def playlist_tab(count: int, **kwargs: Any) -> FakeTab:
    info = {"playlist_id": PLAYLIST.key, "playlist_title": "Cities", "id": PLAYLIST.key, "channel": "Not Just Bikes",
            "channel_id": CHANNEL_ID, "playlist_count": count, "availability": "public"}  # fmt: skip
    info = {"id": info.pop("playlist_id"), "title": info.pop("playlist_title"), **info}
    return FakeTab([flat_entry(n) for n in range(count)], 100, info, **kwargs)


def channel_tab(count: int) -> FakeTab:
    info = {"id": CHANNEL_ID, "title": "Not Just Bikes - Videos", "channel": "Not Just Bikes",
            "channel_id": CHANNEL_ID, "channel_follower_count": 1_700_000}  # fmt: skip
    return FakeTab([flat_entry(n) for n in range(count)], 30, info)


async def read_all(client: YouTubeClient, source: SourceRef, cursor: str | None = None) -> list[Any]:
    pages = []
    while True:
        page = await client.list_source_page(source, cursor)
        pages.append(page)
        if (cursor := page.next_cursor) is None:
            return pages


@pytest.mark.asyncio
async def test_a_playlist_is_read_one_request_per_page_of_a_hundred(youtube: dict[str, FakeTab]) -> None:
    tab = youtube[PLAYLIST.url] = playlist_tab(250)
    client = YouTubeClient()

    pages = await read_all(client, PLAYLIST)

    assert [len(p.entries) for p in pages] == [100, 100, 50]
    assert [p.next_cursor for p in pages] == ["100", "200", None]
    assert tab.requests == [0, 1, 2], "each page is one request, made when its call comes"
    assert len(youtube["made"]) == 1, "one YoutubeDL, its generator continued from the cache"
    assert len(client.listings) == 0, "an exhausted listing is closed and dropped"
    page = pages[0]
    assert (page.title, page.channel_id, page.total) == ("Cities", CHANNEL_ID, 250)
    assert page.entries[0] == SourceEntry("vid0000000x", "Video 0")


@pytest.mark.asyncio
async def test_yt_dlp_is_asked_for_flat_lazy_extraction_of_the_canonical_url(
    youtube: dict[str, FakeTab], monkeypatch: pytest.MonkeyPatch
) -> None:
    youtube[PLAYLIST.url] = playlist_tab(3)
    calls: list[tuple[str, bool, bool]] = []
    original = YoutubeDL.extract_info

    def extract_info(self: YoutubeDL, url: str, download: bool = True, *args: Any, **kwargs: Any) -> Any:
        calls.append((url, download, kwargs.get("process", True)))
        return original(self, url, download, *args, **kwargs)

    monkeypatch.setattr(YoutubeDL, "extract_info", extract_info)
    await YouTubeClient(proxy_url="http://127.0.0.1:9").list_source_page(PLAYLIST, None)

    params = youtube["made"][0]
    assert (params["extract_flat"], params["lazy_playlist"], params["noplaylist"]) == ("in_playlist", True, False)
    assert params["proxy"] == "http://127.0.0.1:9" and params["skip_download"] is True
    assert calls == [(PLAYLIST.url, False, False)]


@pytest.mark.asyncio
async def test_a_channel_tab_pages_by_thirty_under_the_channels_name(youtube: dict[str, FakeTab]) -> None:
    tab = youtube["https://www.youtube.com/@NotJustBikes/videos"] = channel_tab(75)

    pages = await read_all(YouTubeClient(), CHANNEL)

    assert [len(p.entries) for p in pages] == [30, 30, 15] and tab.requests == [0, 1, 2]
    assert (pages[0].title, pages[0].channel_id, pages[0].total) == ("Not Just Bikes", CHANNEL_ID, None)


@pytest.mark.asyncio
async def test_a_redirect_to_another_tab_url_is_followed(youtube: dict[str, FakeTab]) -> None:
    youtube["https://www.youtube.com/@NotJustBikes/videos"] = channel_tab(5)
    page = await YouTubeClient().list_source_page(
        SourceRef(SourceKind.CHANNEL, "c/NotJustBikes", ChannelTab.VIDEOS), None
    )
    assert len(page.entries) == 5 and page.next_cursor is None


@pytest.mark.asyncio
async def test_unavailable_and_foreign_entries_are_mapped_as_yt_dlp_lists_them(youtube: dict[str, FakeTab]) -> None:
    tab = youtube[PLAYLIST.url] = playlist_tab(0)
    tab.entries = [
        flat_entry(1, title="[Private video]", duration=None, channel_id=None, channel=None),
        flat_entry(2, title="[Deleted video]", duration=None, channel_id=None, channel=None),
        flat_entry(3, availability="private"),
        flat_entry(4, shorts=True, title=None) | {"title": None},
        flat_entry(5, availability="subscriber_only"),
        {"_type": "url", "ie_key": "YoutubeTab", "id": "PLother00000000", "url": "https://www.youtube.com/playlist?list=PLother00000000"},
        flat_entry(6) | {"id": "not-an-id"},
    ]  # fmt: skip

    page = await YouTubeClient().list_source_page(PLAYLIST, None)

    assert page.entries == (
        SourceEntry("vid0000001x", "", EntryState.PRIVATE),
        SourceEntry("vid0000002x", "", EntryState.DELETED),
        SourceEntry("vid0000003x", "", EntryState.PRIVATE),
        SourceEntry("vid0000004x", ""),
        SourceEntry("vid0000005x", "Video 5"),
    )


@pytest.mark.asyncio
async def test_after_a_restart_the_listing_starts_over_and_skips_what_was_read(youtube: dict[str, FakeTab]) -> None:
    tab = youtube[PLAYLIST.url] = playlist_tab(250)

    page = await YouTubeClient().list_source_page(PLAYLIST, "200")  # a new process: nothing cached

    assert [e.video_id for e in page.entries] == [f"vid{n:07d}x" for n in range(200, 250)]
    assert page.next_cursor is None
    assert tab.requests == [0, 1, 2], "the skipped pages are fetched again, once"


@pytest.mark.asyncio
async def test_a_playlist_of_exactly_one_page_ends_with_an_empty_page_and_no_request(
    youtube: dict[str, FakeTab],
) -> None:
    tab = youtube[PLAYLIST.url] = playlist_tab(100)
    pages = await read_all(YouTubeClient(), PLAYLIST)
    assert [(len(p.entries), p.next_cursor) for p in pages] == [(100, "100"), (0, None)]
    assert tab.requests == [0]


@pytest.mark.asyncio
async def test_a_429_on_a_later_page_is_yt_dlps_download_error_and_the_retry_resumes(
    youtube: dict[str, FakeTab],
) -> None:
    tab = youtube[PLAYLIST.url] = playlist_tab(250, fail_at_page=1)
    client = YouTubeClient()
    first = await client.list_source_page(PLAYLIST, None)

    with pytest.raises(DownloadError) as caught:
        await client.list_source_page(PLAYLIST, first.next_cursor)

    assert str(caught.value).startswith("ERROR: ") and "HTTP Error 429" in str(caught.value)
    failure = classify(caught.value)
    assert failure.code is ErrorCode.RATE_LIMITED and failure.retry_after_s == 7
    assert len(client.listings) == 0, "a generator that raised is dropped"
    retried = await client.list_source_page(PLAYLIST, first.next_cursor)
    assert retried.entries[0].video_id == "vid0000100x" and retried.next_cursor == "200"
    assert tab.requests == [0, 1, 0, 1]


@pytest.mark.asyncio
async def test_a_missing_playlist_is_yt_dlps_download_error(youtube: dict[str, FakeTab]) -> None:
    with pytest.raises(DownloadError, match=r"^ERROR: \[youtube:tab\] PLnothing000000: YouTube said: The playlist"):
        await YouTubeClient().list_source_page(SourceRef(SourceKind.PLAYLIST, "PLnothing000000"), None)


@pytest.mark.asyncio
@pytest.mark.parametrize("cursor", ["-1", "ten", "1.5", ""])
async def test_a_malformed_cursor_is_refused_before_yt_dlp_runs(youtube: dict[str, FakeTab], cursor: str) -> None:
    with pytest.raises(ValueError, match="not a source cursor"):
        await YouTubeClient().list_source_page(PLAYLIST, cursor)
    assert youtube["made"] == []


class FakeListing(Listing):
    closed = 0

    def close(self) -> None:
        FakeListing.closed += 1


def listing(read: int = 0) -> FakeListing:
    return FakeListing(ydl=None, info={}, entries=iter(()), read=read)


def test_kept_listings_are_bounded_least_recently_used_first() -> None:
    now = [0.0]
    kept = SourceListings(max_listings=2, idle_s=60, clock=lambda: now[0])
    FakeListing.closed = 0
    sources = [SourceRef(SourceKind.PLAYLIST, f"PLsource0000{n}") for n in range(3)]
    for source in sources:
        kept.keep(source, listing())
    assert len(kept) == 2 and FakeListing.closed == 1
    assert kept.take(sources[0], 0) is None
    assert kept.take(sources[1], 5) is None and FakeListing.closed == 2, "a listing at another count is dropped"
    now[0] = 61.0
    assert kept.take(sources[2], 0) is None and FakeListing.closed == 3, "an idle listing is dropped"


def test_take_hands_a_listing_out_once() -> None:
    kept = SourceListings()
    kept.keep(PLAYLIST, held := listing(100))
    assert kept.take(PLAYLIST, 100) is held
    assert kept.take(PLAYLIST, 100) is None


FEED = "https://www.youtube.com/feeds/videos.xml?channel_id=UC0intLFzLaudFG-xAvUEO-A"


@pytest.fixture
def feed_transport(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """httpx.AsyncClient as the client builds it, its transport answering for www.youtube.com."""
    seen: list[dict[str, Any]] = []
    original = httpx.AsyncClient

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("channel_id") == "UC0intLFzLaudFG-xAvUEO-A":
            return httpx.Response(200, content=b"<feed/>", headers={"Content-Type": "text/xml; charset=UTF-8"})
        return httpx.Response(404, content=b"<!DOCTYPE html><title>404 Not Found</title>")

    def client(**kwargs: Any) -> httpx.AsyncClient:
        seen.append(kwargs)
        return original(transport=httpx.MockTransport(handler), timeout=kwargs["timeout"])

    monkeypatch.setattr(real.httpx, "AsyncClient", client)
    return seen


@pytest.mark.asyncio
async def test_fetch_feed_returns_the_raw_document_through_the_proxy(feed_transport: list[dict[str, Any]]) -> None:
    client = YouTubeClient(proxy_url="http://user:secret@proxy.example:3128", socket_timeout_s=7.5)
    assert await client.fetch_feed(FEED) == b"<feed/>"
    assert feed_transport[0]["proxy"] == "http://user:secret@proxy.example:3128"
    assert feed_transport[0]["timeout"] == httpx.Timeout(7.5)


@pytest.mark.asyncio
async def test_fetch_feed_raises_httpx_status_errors(feed_transport: list[dict[str, Any]]) -> None:
    with pytest.raises(httpx.HTTPStatusError) as caught:
        await YouTubeClient().fetch_feed("https://www.youtube.com/feeds/videos.xml?channel_id=UCxxxxxxxxxxxxxxxxxxxxxx")
    assert caught.value.response.status_code == 404


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url",
    [
        "http://www.youtube.com/feeds/videos.xml?channel_id=UC0intLFzLaudFG-xAvUEO-A",
        "https://evil.example/feeds/videos.xml?channel_id=UC0intLFzLaudFG-xAvUEO-A",
        "https://www.youtube.com/feeds/videos.xml?channel_id=@handle",
        "https://www.youtube.com/feeds/videos.xml?channel_id=UC0intLFzLaudFG-xAvUEO-A&x=1",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ],
)
async def test_fetch_feed_refuses_every_other_url(feed_transport: list[dict[str, Any]], url: str) -> None:
    with pytest.raises(ValueError, match="not a YouTube feed URL"):
        await YouTubeClient().fetch_feed(url)
    assert feed_transport == []


@pytest.mark.asyncio
async def test_a_cancelled_page_read_closes_the_listing_its_thread_leaves(
    youtube: dict[str, FakeTab], monkeypatch: pytest.MonkeyPatch
) -> None:
    youtube[PLAYLIST.url] = playlist_tab(250)
    client = YouTubeClient()
    release, reading = threading.Event(), threading.Event()
    closed: list[Listing] = []
    original_read, original_close = YouTubeClient._read_page, Listing.close

    def slow_read(self: YouTubeClient, *args: Any) -> Any:
        reading.set()
        release.wait(timeout=10)
        return original_read(self, *args)

    monkeypatch.setattr(YouTubeClient, "_read_page", slow_read)
    monkeypatch.setattr(Listing, "close", lambda self: (closed.append(self), original_close(self)))
    task = asyncio.ensure_future(client.list_source_page(PLAYLIST, None))
    await asyncio.to_thread(reading.wait, 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    release.set()
    for _ in range(200):
        if closed:
            break
        await asyncio.sleep(0.01)
    assert len(closed) == 1 and len(client.listings) == 0
