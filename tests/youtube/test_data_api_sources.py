"""DataApiClient's playlistItems.list and channels.list against a real HTTP server on 127.0.0.1.

Bodies have the shapes the YouTube Data API v3 returns: a
``youtube#playlistItemListResponse`` (with the private and deleted items it
keeps in a playlist), a ``youtube#channelListResponse`` (no ``items`` at all
when nothing matched), and Google's error envelope.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer

from robust_import_app.domain.errors import ErrorCode
from robust_import_app.domain.sources import ChannelTab, EntryState, SourceKind
from robust_import_app.pipeline.resilience.classify import classify
from robust_import_app.youtube.data_api import ChannelNotFound, DataApiClient
from robust_import_app.youtube.sources import SourceEntry, SourceRef

API_KEY = "AIzaSyTest-Key_0123456789abcdefghijklm"
PLAYLIST = "PLBCF2DAC6FFB574DE"
OWNER = "UC_x5XG1OV2P6uZZ5FSM9Ttw"
UPLOADS = "UU_x5XG1OV2P6uZZ5FSM9Ttw"
ITEM_PARTS = "snippet,status,contentDetails"


def playlist_item(video_id: str, position: int, *, title: str = "A video", privacy: str = "public") -> dict[str, Any]:
    """One ``youtube#playlistItem`` with parts snippet, status, contentDetails."""
    unavailable = privacy != "public"
    snippet: dict[str, Any] = {
        "publishedAt": "2024-03-01T10:00:00Z",
        "channelId": OWNER,
        "title": title,
        "description": "This video is private." if privacy == "private" else "",
        "thumbnails": {} if unavailable else {"default": {"url": f"https://i.ytimg.com/vi/{video_id}/default.jpg"}},
        "channelTitle": "Google for Developers",
        "playlistId": PLAYLIST,
        "position": position,
        "resourceId": {"kind": "youtube#video", "videoId": video_id},
    }
    if not unavailable:
        snippet |= {"videoOwnerChannelTitle": "Google for Developers", "videoOwnerChannelId": OWNER}
    details: dict[str, Any] = {"videoId": video_id}
    if not unavailable:
        details["videoPublishedAt"] = "2024-02-28T17:00:00Z"
    return {
        "kind": "youtube#playlistItem",
        "etag": f"etag-{video_id}",
        "id": f"UExCQ0YyREFDNkZGQjU3NERF{position:04d}",
        "snippet": snippet,
        "contentDetails": details,
        "status": {"privacyStatus": privacy},
    }


def items_page(items: list[dict[str, Any]], *, total: int, next_token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "youtube#playlistItemListResponse",
        "etag": "tag",
        "items": items,
        "pageInfo": {"totalResults": total, "resultsPerPage": 50},
    }
    if next_token:
        body["nextPageToken"] = next_token
    return body


def channel_list(items: list[dict[str, Any]]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "youtube#channelListResponse",
        "etag": "tag",
        "pageInfo": {"totalResults": len(items), "resultsPerPage": 5},
    }
    if items:  # the API leaves "items" out when nothing matched
        body["items"] = items
    return body


def channel_item(channel_id: str, uploads: str) -> dict[str, Any]:
    return {
        "kind": "youtube#channel",
        "etag": "tag",
        "id": channel_id,
        "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": uploads}},
    }


def client_for(server: HTTPServer) -> DataApiClient:
    return DataApiClient(api_key=API_KEY, base_url=server.url_for("/youtube/v3"))


@pytest.mark.asyncio
async def test_playlist_pages_of_fifty_follow_the_page_token(httpserver_ipv4: HTTPServer) -> None:
    first = [playlist_item(f"vid{n:04d}_x-y", n) for n in range(50)]
    second = [playlist_item(f"vid{n:04d}_x-y", n) for n in range(50, 62)]
    base = {"part": ITEM_PARTS, "playlistId": PLAYLIST, "maxResults": "50"}
    headers = {"x-goog-api-key": API_KEY}
    httpserver_ipv4.expect_ordered_request(
        "/youtube/v3/playlistItems", query_string=base, headers=headers
    ).respond_with_json(items_page(first, total=62, next_token="EAAaBlBUOkNESQ"))
    httpserver_ipv4.expect_ordered_request(
        "/youtube/v3/playlistItems", query_string=base | {"pageToken": "EAAaBlBUOkNESQ"}, headers=headers
    ).respond_with_json(items_page(second, total=62, next_token=None))

    async with client_for(httpserver_ipv4) as client:
        page = await client.playlist_items(PLAYLIST, None)
        last = await client.playlist_items(PLAYLIST, page.next_cursor)

    assert len(page.entries) == 50 and page.entries[0] == SourceEntry("vid0000_x-y", "A video")
    assert (page.total, page.channel_id, page.next_cursor, page.title) == (62, OWNER, "EAAaBlBUOkNESQ", "")
    assert len(last.entries) == 12 and last.next_cursor is None
    assert len(httpserver_ipv4.log) == 2
    httpserver_ipv4.check_assertions()


@pytest.mark.asyncio
async def test_private_and_deleted_items_are_kept_with_their_state(httpserver_ipv4: HTTPServer) -> None:
    items = [
        playlist_item("publicVid01", 0, title="Kept"),
        playlist_item("privateVid1", 1, title="Private video", privacy="private"),
        playlist_item("deletedVid1", 2, title="Deleted video", privacy="privacyStatusUnspecified"),
        {"kind": "youtube#playlistItem", "id": "x", "snippet": {"title": "no video"}, "status": {}},
    ]
    httpserver_ipv4.expect_request("/youtube/v3/playlistItems").respond_with_json(
        items_page(items, total=4, next_token=None)
    )

    async with client_for(httpserver_ipv4) as client:
        page = await client.playlist_items(PLAYLIST, None)

    assert page.entries == (
        SourceEntry("publicVid01", "Kept"),
        SourceEntry("privateVid1", "", EntryState.PRIVATE),
        SourceEntry("deletedVid1", "", EntryState.DELETED),
    )


@pytest.mark.asyncio
async def test_a_missing_playlist_is_the_apis_404(httpserver_ipv4: HTTPServer) -> None:
    error = {
        "error": {
            "code": 404,
            "message": "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.",
            "errors": [{"domain": "youtube.playlistItem", "reason": "playlistNotFound"}],
        }
    }
    httpserver_ipv4.expect_request("/youtube/v3/playlistItems").respond_with_json(error, status=404)

    async with client_for(httpserver_ipv4) as client:
        with pytest.raises(httpx.HTTPStatusError) as caught:
            await client.playlist_items("PLmissing0000000", None)

    assert caught.value.response.status_code == 404
    assert classify(caught.value).code is ErrorCode.NOT_FOUND
    assert API_KEY not in str(caught.value)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("key", "query"),
    [
        ("UC_x5XG1OV2P6uZZ5FSM9Ttw", {"id": "UC_x5XG1OV2P6uZZ5FSM9Ttw"}),
        ("@GoogleDevelopers", {"forHandle": "@GoogleDevelopers"}),
        ("user/GoogleDevelopers", {"forUsername": "GoogleDevelopers"}),
        ("c/GoogleDevelopers", {"forHandle": "@GoogleDevelopers"}),
        ("GoogleDevelopers", {"forHandle": "@GoogleDevelopers"}),
    ],
)
async def test_uploads_playlist_is_one_channels_list_call(
    httpserver_ipv4: HTTPServer, key: str, query: dict[str, str]
) -> None:
    httpserver_ipv4.expect_oneshot_request(
        "/youtube/v3/channels", query_string={"part": "contentDetails", **query}, headers={"x-goog-api-key": API_KEY}
    ).respond_with_json(channel_list([channel_item(OWNER, UPLOADS)]))

    async with client_for(httpserver_ipv4) as client:
        found = await client.uploads_playlist(SourceRef(SourceKind.CHANNEL, key, ChannelTab.VIDEOS))

    assert found == (UPLOADS, OWNER)
    httpserver_ipv4.check_assertions()


@pytest.mark.asyncio
async def test_a_channel_the_api_does_not_know_raises_channel_not_found(httpserver_ipv4: HTTPServer) -> None:
    httpserver_ipv4.expect_request("/youtube/v3/channels").respond_with_json(channel_list([]))
    source = SourceRef(SourceKind.CHANNEL, "@nobody-at-all", ChannelTab.VIDEOS)

    async with client_for(httpserver_ipv4) as client:
        with pytest.raises(ChannelNotFound, match="no YouTube channel '@nobody-at-all'") as caught:
            await client.uploads_playlist(source)

    assert caught.value.source == source


@pytest.mark.asyncio
async def test_uploads_playlist_refuses_a_playlist_without_a_request(httpserver_ipv4: HTTPServer) -> None:
    async with client_for(httpserver_ipv4) as client:
        with pytest.raises(ValueError, match="not a channel"):
            await client.uploads_playlist(SourceRef(SourceKind.PLAYLIST, PLAYLIST))
    assert httpserver_ipv4.log == []
