"""DataApiClient against a real HTTP server on 127.0.0.1 (pytest-httpserver).

The server answers with bodies of the shape the YouTube Data API v3 returns:
a ``youtube#videoListResponse`` for success, Google's ``{"error": {...}}``
envelope for failures.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from robust_import_app.domain.errors import ErrorCode, PermanentImportError
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.domain.video import VideoMetadata
from robust_import_app.pipeline.config import GuardConfig
from robust_import_app.pipeline.resilience.guard import UpstreamGuard
from robust_import_app.redact import RedactingFilter
from robust_import_app.youtube.data_api import (
    MAX_IDS_PER_CALL,
    DataApiBatch,
    DataApiClient,
    error_reasons,
    is_quota_exceeded,
    parse_iso8601_duration,
    video_from_item,
)

API_KEY = "AIzaSyTest-Key_0123456789abcdefghijklm"
PATH = "/youtube/v3/videos"
PARTS = "snippet,contentDetails,status"
JSON_TYPE = "application/json; charset=UTF-8"


# ---- real-shaped bodies ---------------------------------------------------


def video_item(
    video_id: str,
    *,
    title: str = "Me at the zoo",
    channel: str = "jawed",
    published_at: str = "2005-04-24T03:31:52Z",
    description: str = "The first video on YouTube.\n0:00 Intro\n0:05 Elephants",
    duration: str = "PT19S",
    privacy: str = "public",
    thumbnail_sizes: tuple[str, ...] = ("default", "medium", "high"),
    live: str = "none",
    **snippet_extra: str,
) -> dict[str, Any]:
    """One ``youtube#video`` resource with parts snippet, contentDetails, status."""
    sizes = {"default": (120, 90, "default"), "medium": (320, 180, "mqdefault"), "high": (480, 360, "hqdefault")}
    thumbnails = {
        size: {
            "url": f"https://i.ytimg.com/vi/{video_id}/{sizes[size][2]}.jpg",
            "width": sizes[size][0],
            "height": sizes[size][1],
        }
        for size in thumbnail_sizes
    }
    snippet: dict[str, Any] = {
        "publishedAt": published_at,
        "channelId": "UC4QobU6STFB0P71PMvOGN5A",
        "title": title,
        "description": description,
        "thumbnails": thumbnails,
        "channelTitle": channel,
        "categoryId": "1",
        "liveBroadcastContent": live,
        "localized": {"title": title, "description": description},
        **snippet_extra,
    }
    return {
        "kind": "youtube#video",
        "etag": f"etag-{video_id}",
        "id": video_id,
        "snippet": snippet,
        "contentDetails": {
            "duration": duration,
            "dimension": "2d",
            "definition": "sd",
            "caption": "true",
            "licensedContent": False,
            "contentRating": {},
            "projection": "rectangular",
        },
        "status": {
            "uploadStatus": "processed",
            "privacyStatus": privacy,
            "license": "youtube",
            "embeddable": True,
            "publicStatsViewable": True,
            "madeForKids": False,
        },
    }


def list_response(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A ``videos.list`` response carrying ``items``."""
    return {
        "kind": "youtube#videoListResponse",
        "etag": "Xy1mB4_yLrHy_BmKmPBggty2mZQ",
        "items": items,
        "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
    }


def google_error(code: int, message: str, reason: str, domain: str) -> dict[str, Any]:
    """Google's JSON error envelope, as the API sends it."""
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }


QUOTA_MESSAGE = (
    "The request cannot be completed because you have exceeded your "
    '<a href="/youtube/v3/getting-started#quota">quota</a>.'
)


def video_ids(count: int) -> list[str]:
    """``count`` distinct 11-character ids."""
    return [f"vid{n:04d}_x-y" for n in range(count)]


def client_for(server: HTTPServer, **kwargs: Any) -> DataApiClient:
    return DataApiClient(api_key=API_KEY, base_url=server.url_for("/youtube/v3"), **kwargs)


def expect_videos(server: HTTPServer, ids: list[str]) -> Any:
    """Expect exactly one videos.list call for ``ids``: no extra parameters, the key in its header."""
    return server.expect_oneshot_request(
        PATH, method="GET", query_string={"part": PARTS, "id": ",".join(ids)}, headers={"x-goog-api-key": API_KEY}
    )


async def fetch(server: HTTPServer, ids: list[str], **kwargs: Any) -> DataApiBatch:
    async with client_for(server, **kwargs) as client:
        return await client.videos(ids)


# ---- success --------------------------------------------------------------


@pytest.mark.asyncio
async def test_fifty_ids_go_in_one_call(httpserver_ipv4: HTTPServer) -> None:
    ids = video_ids(MAX_IDS_PER_CALL)
    expect_videos(httpserver_ipv4, ids).respond_with_json(list_response([video_item(v) for v in ids]))

    batch = await fetch(httpserver_ipv4, ids)

    assert len(httpserver_ipv4.log) == 1
    assert list(batch.found) == ids
    assert batch.missing == ()
    httpserver_ipv4.check_assertions()


@pytest.mark.asyncio
async def test_maps_every_field(httpserver_ipv4: HTTPServer) -> None:
    item = video_item(
        "jNQXAC9IVRw",
        duration="PT1H2M3S",
        published_at="2005-04-24T23:31:52Z",
        defaultLanguage="en-GB",
        defaultAudioLanguage="en",
    )
    expect_videos(httpserver_ipv4, ["jNQXAC9IVRw"]).respond_with_json(list_response([item]))

    batch = await fetch(httpserver_ipv4, ["jNQXAC9IVRw"])

    assert batch.found["jNQXAC9IVRw"] == VideoMetadata(
        video_id="jNQXAC9IVRw",
        title="Me at the zoo",
        channel="jawed",
        duration_s=3723,
        published=dt.date(2005, 4, 24),
        description="The first video on YouTube.\n0:00 Intro\n0:05 Elephants",
        thumbnail_url="https://i.ytimg.com/vi/jNQXAC9IVRw/mqdefault.jpg",
        language="en",
        chapters=(),
    )


@pytest.mark.asyncio
async def test_falls_back_when_optional_fields_are_absent(httpserver_ipv4: HTTPServer) -> None:
    with_default_language = video_item("aaaaaaaaaaa", thumbnail_sizes=("default", "high"), defaultLanguage="de")
    bare = video_item("bbbbbbbbbbb", thumbnail_sizes=(), duration="P0D", live="live")
    expect_videos(httpserver_ipv4, ["aaaaaaaaaaa", "bbbbbbbbbbb"]).respond_with_json(
        list_response([with_default_language, bare])
    )

    batch = await fetch(httpserver_ipv4, ["aaaaaaaaaaa", "bbbbbbbbbbb"])

    first, second = batch.found["aaaaaaaaaaa"], batch.found["bbbbbbbbbbb"]
    assert (first.language, first.thumbnail_url) == ("de", "https://i.ytimg.com/vi/aaaaaaaaaaa/hqdefault.jpg")
    assert (second.language, second.thumbnail_url, second.duration_s) == (None, None, None)


@pytest.mark.asyncio
async def test_reports_omitted_and_private_ids_as_missing(httpserver_ipv4: HTTPServer) -> None:
    ids = ["removed0000", "public00000", "private0000", "neverexists"]
    items = [video_item("public00000"), video_item("private0000", privacy="private")]
    expect_videos(httpserver_ipv4, ids).respond_with_json(list_response(items))

    batch = await fetch(httpserver_ipv4, ids)

    assert list(batch.found) == ["public00000"]
    assert batch.missing == ("removed0000", "private0000", "neverexists")


@pytest.mark.asyncio
async def test_unlisted_videos_are_found(httpserver_ipv4: HTTPServer) -> None:
    expect_videos(httpserver_ipv4, ["unlisted000"]).respond_with_json(
        list_response([video_item("unlisted000", privacy="unlisted")])
    )

    batch = await fetch(httpserver_ipv4, ["unlisted000"])

    assert list(batch.found) == ["unlisted000"] and batch.missing == ()


@pytest.mark.asyncio
async def test_more_than_fifty_ids_raise_before_any_request(httpserver_ipv4: HTTPServer) -> None:
    with pytest.raises(ValueError, match="at most 50"):
        await fetch(httpserver_ipv4, video_ids(MAX_IDS_PER_CALL + 1))

    assert httpserver_ipv4.log == []


@pytest.mark.asyncio
async def test_no_ids_make_no_request(httpserver_ipv4: HTTPServer) -> None:
    assert await fetch(httpserver_ipv4, []) == DataApiBatch(found={}, missing=())
    assert httpserver_ipv4.log == []


@pytest.mark.asyncio
async def test_requests_go_through_the_proxy(httpserver_ipv4: HTTPServer) -> None:
    # An .invalid host never resolves: only the proxy (our server) can answer.
    httpserver_ipv4.expect_oneshot_request(PATH, headers={"Host": "data-api.invalid"}).respond_with_json(
        list_response([video_item("viaproxy000")])
    )

    async with DataApiClient(
        api_key=API_KEY, base_url="http://data-api.invalid/youtube/v3", proxy_url=httpserver_ipv4.url_for("/")
    ) as client:
        batch = await client.videos(["viaproxy000"])

    assert list(batch.found) == ["viaproxy000"]


def test_repr_hides_key_and_proxy_password() -> None:
    client = DataApiClient(api_key=API_KEY, proxy_url="http://user:s3cret@proxy.example:8080")

    text = repr(client)

    assert API_KEY not in text and "s3cret" not in text
    assert "https://www.googleapis.com/youtube/v3" in text


@pytest.mark.parametrize(
    ("published_at", "published"),
    [
        ("2005-04-24T23:31:52Z", dt.date(2005, 4, 24)),
        ("2012-06-20T22:45:24.000Z", dt.date(2012, 6, 20)),
        ("2005-04-24T23:31:52-07:00", dt.date(2005, 4, 25)),  # the UTC date
        ("", None),
        ("last Tuesday", None),
    ],
)
def test_published_is_the_utc_date(published_at: str, published: dt.date | None) -> None:
    assert video_from_item(video_item("jNQXAC9IVRw", published_at=published_at)).published == published


# ---- durations ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("PT1H2M3S", 3723),
        ("PT4M", 240),
        ("PT45S", 45),
        ("P1DT1S", 86_401),
        ("P1DT2H", 93_600),
        ("P1W", 604_800),
        ("P0D", 0),
        ("PT0S", 0),
        (" PT10M5S\n", 605),
        ("", None),
        ("P", None),
        ("PT", None),
        ("P1DT", None),
        ("1H2M", None),
        ("PT1.5S", None),
        ("PT-5S", None),
        ("P1Y2M", None),
        ("PT3S4M", None),
        ("not a duration", None),
    ],
)
def test_parse_iso8601_duration(text: str, seconds: int | None) -> None:
    assert parse_iso8601_duration(text) == seconds


# ---- errors ---------------------------------------------------------------


async def status_error(server: HTTPServer, status: int, body: dict[str, Any] | str) -> httpx.HTTPStatusError:
    """Make the server answer ``status`` with ``body`` and return the raised error."""
    payload = body if isinstance(body, str) else json.dumps(body)
    content_type = "text/html" if isinstance(body, str) else JSON_TYPE
    server.expect_oneshot_request(PATH).respond_with_data(payload, status=status, content_type=content_type)
    with pytest.raises(httpx.HTTPStatusError) as caught:
        await fetch(server, ["jNQXAC9IVRw"])
    assert caught.value.response.status_code == status
    return caught.value


@pytest.mark.asyncio
async def test_403_quota_exceeded_is_recognised(httpserver_ipv4: HTTPServer) -> None:
    error = await status_error(httpserver_ipv4, 403, google_error(403, QUOTA_MESSAGE, "quotaExceeded", "youtube.quota"))

    assert is_quota_exceeded(error)
    assert error_reasons(error) == ("quotaExceeded",)


@pytest.mark.parametrize(
    ("reason", "domain"),
    [("forbidden", "youtube.video"), ("accessNotConfigured", "usageLimits"), ("rateLimitExceeded", "usageLimits")],
)
@pytest.mark.asyncio
async def test_other_403_reasons_are_not_quota(httpserver_ipv4: HTTPServer, reason: str, domain: str) -> None:
    error = await status_error(httpserver_ipv4, 403, google_error(403, "Forbidden", reason, domain))

    assert not is_quota_exceeded(error)
    assert error_reasons(error) == (reason,)


@pytest.mark.asyncio
async def test_400_key_invalid_legacy_body(httpserver_ipv4: HTTPServer) -> None:
    error = await status_error(httpserver_ipv4, 400, google_error(400, "Bad Request", "keyInvalid", "usageLimits"))

    assert error_reasons(error) == ("keyInvalid",)
    assert not is_quota_exceeded(error)


@pytest.mark.asyncio
async def test_400_key_invalid_current_body(httpserver_ipv4: HTTPServer) -> None:
    body = google_error(400, "API key not valid. Please pass a valid API key.", "badRequest", "global")
    body["error"]["status"] = "INVALID_ARGUMENT"
    body["error"]["details"] = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "API_KEY_INVALID",
            "domain": "googleapis.com",
            "metadata": {"service": "youtube.googleapis.com"},
        }
    ]

    error = await status_error(httpserver_ipv4, 400, body)

    assert error_reasons(error) == ("badRequest", "API_KEY_INVALID")
    assert not is_quota_exceeded(error)


@pytest.mark.asyncio
async def test_500_backend_error(httpserver_ipv4: HTTPServer) -> None:
    error = await status_error(httpserver_ipv4, 500, google_error(500, "Backend Error", "backendError", "global"))

    assert not is_quota_exceeded(error)


@pytest.mark.asyncio
async def test_non_json_error_body_has_no_reasons(httpserver_ipv4: HTTPServer) -> None:
    error = await status_error(httpserver_ipv4, 502, "<html><body>502 Bad Gateway</body></html>")

    assert error_reasons(error) == ()
    assert not is_quota_exceeded(error)


@pytest.mark.asyncio
async def test_slow_server_times_out(httpserver_ipv4: HTTPServer) -> None:
    release = threading.Event()

    def stall(request: Request) -> Response:
        release.wait(timeout=5.0)
        return Response(json.dumps(list_response([])), content_type=JSON_TYPE)

    httpserver_ipv4.expect_oneshot_request(PATH).respond_with_handler(stall)
    try:
        with pytest.raises(httpx.TimeoutException):
            await fetch(httpserver_ipv4, ["jNQXAC9IVRw"], timeout_s=0.3)
    finally:
        release.set()  # free the single-threaded server for the next test


@pytest.mark.asyncio
async def test_key_goes_in_a_header_and_into_no_stored_or_logged_error(
    httpserver_ipv4: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(RedactingFilter())
    body = google_error(400, "API key not valid. Please pass a valid API key.", "badRequest", "global")
    body["error"]["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}]
    expect_videos(httpserver_ipv4, ["jNQXAC9IVRw"]).respond_with_json(body, status=400)
    guard = UpstreamGuard.from_config(Upstream.DATA_API, GuardConfig(interval_s=0.001, max_interval_s=0.01))

    with pytest.raises(PermanentImportError) as caught:
        async with guard.request(video_id="jNQXAC9IVRw", stage="metadata"):
            await fetch(httpserver_ipv4, ["jNQXAC9IVRw"])
    failure = caught.value
    logging.getLogger("robust_import_app.pipeline.worker").error(
        "metadata failed: %s (%s)", failure, failure.detail, exc_info=failure
    )

    httpserver_ipv4.check_assertions()  # the key arrived as the x-goog-api-key header
    assert failure.code is ErrorCode.UNAUTHORIZED
    assert "400 BAD REQUEST" in failure.detail
    for text in (failure.message, failure.detail, str(failure), str(failure.__cause__), caplog.text):
        assert API_KEY not in text
