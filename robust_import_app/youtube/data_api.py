"""The YouTube Data API v3: batch metadata (``videos.list``) and source listing
(``playlistItems.list``, ``channels.list``).

One call fetches up to :data:`MAX_IDS_PER_CALL` (50) videos, or one page of
up to 50 playlist entries::

    async with DataApiClient(api_key=key) as client:
        batch = await client.videos(["dQw4w9WgXcQ", "jNQXAC9IVRw"])
        uploads, channel_id = await client.uploads_playlist(source)   # a channel
        page = await client.playlist_items(uploads, page_token=None)
    batch.found["dQw4w9WgXcQ"].duration_s   # seconds
    batch.missing                           # ids the API did not return
    page.next_cursor                        # the next page's token, None on the last page

Quota: every call of these three methods costs 1 unit, however many ids or
entries it carries (and even when it fails); a project's default quota is
10,000 units per day, reset at midnight Pacific Time
(developers.google.com/youtube/v3/docs/videos/list, .../playlistItems/list,
.../channels/list and /youtube/v3/determine_quota_cost). Batching 50 ids per
call therefore reads up to 500,000 videos a day.

Errors are the libraries' own: ``response.raise_for_status()`` lets
``httpx.HTTPStatusError`` through (403 ``quotaExceeded``, 400 ``keyInvalid``,
429, 5xx), and ``httpx.TimeoutException`` / ``httpx.NetworkError`` come from
the transport. The pipeline's classifier maps them; :func:`error_reasons` and
:func:`is_quota_exceeded` read Google's error body for it. The API key travels
in the ``x-goog-api-key`` header (Google's documented alternative to the
``key`` query parameter, cloud.google.com/docs/authentication/api-keys-use),
so it is in neither ``str(HTTPStatusError)`` nor ``error.request.url``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

from robust_import_app.domain.sources import EntryState, SourceKind
from robust_import_app.domain.video import VideoMetadata
from robust_import_app.youtube.sources import SourceEntry, SourcePage, SourceRef, is_channel_id

DEFAULT_DATA_API_URL = "https://www.googleapis.com/youtube/v3"
DEFAULT_DATA_API_TIMEOUT_S = 10.0
MAX_IDS_PER_CALL = 50
"""The most ids ``videos.list`` accepts in its comma-separated ``id``."""
QUOTA_UNITS_PER_CALL = 1
DEFAULT_QUOTA_UNITS_PER_DAY = 10_000

API_KEY_HEADER = "x-goog-api-key"
"""The header that carries the API key, kept out of URLs (and so out of error texts)."""
PARTS = "snippet,contentDetails,status"
PLAYLIST_ITEM_PARTS = "snippet,status,contentDetails"
MAX_RESULTS_PER_PAGE = 50
"""The most entries ``playlistItems.list`` returns per call (its ``maxResults`` maximum)."""
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
"""Google error reasons meaning the day's quota is spent (403)."""
THUMBNAIL_PREFERENCE = ("medium", "high", "standard", "maxres", "default")
"""``medium`` is 320x180 (``mqdefault.jpg``), the size the cards show."""

_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?"
)
_SECONDS_PER = {"weeks": 604_800, "days": 86_400, "hours": 3_600, "minutes": 60, "seconds": 1}


def parse_iso8601_duration(text: str) -> int | None:
    """Seconds in an ISO 8601 duration as YouTube writes it, or None if invalid.

    Accepts ``PT1H2M3S``, ``PT45S``, ``P1DT2H``, ``P0D`` (a live stream or
    premiere, which has no length yet) and weeks; rejects years and months
    (their length in seconds is ambiguous), fractions, an empty ``P``/``PT``
    and anything else.
    """
    text = text.strip()
    match = _DURATION.fullmatch(text)
    if match is None or text == "P" or text.endswith("T"):
        return None
    return sum(int(value) * _SECONDS_PER[unit] for unit, value in match.groupdict().items() if value)


@dataclass(frozen=True, slots=True)
class DataApiBatch:
    """The outcome of one ``videos.list`` call.

    ``found`` maps each returned id to its metadata. ``missing`` lists, in
    request order, the ids the API did not return: it silently omits private,
    removed and never-existing videos, so it cannot say which of those a
    missing id is (yt-dlp can). Items whose ``status.privacyStatus`` is
    ``private`` are reported missing too: only the owner's OAuth token sees
    them, and nothing this app does with a private video can succeed.
    """

    found: dict[str, VideoMetadata]
    missing: tuple[str, ...]


class ChannelNotFound(LookupError):
    """``channels.list`` found no channel for a source (no such id, handle or username).

    ``source`` is the :class:`SourceRef` looked up. Permanent: retrying gets the same answer.
    """

    def __init__(self, source: SourceRef) -> None:
        super().__init__(f"no YouTube channel {source.key!r} (channels.list found none)")
        self.source = source


class DataApiClient:
    """An async client for ``videos.list``, ``playlistItems.list`` and ``channels.list``;
    one instance per pipeline run.

    Keyword-only: ``api_key``, ``base_url`` (``YOUTUBE_DATA_API_URL``, default
    :data:`DEFAULT_DATA_API_URL`), ``timeout_s`` (seconds, for connect, read,
    write and pool each) and ``proxy_url`` (``YOUTUBE_PROXY_URL``, or None).
    Close it with :meth:`aclose` or use ``async with``.
    """

    __slots__ = ("api_key", "base_url", "timeout_s", "proxy_url", "_http")

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = DEFAULT_DATA_API_URL,
        timeout_s: float = DEFAULT_DATA_API_TIMEOUT_S,
        proxy_url: str | None = None,
    ) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.proxy_url = proxy_url
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s), proxy=proxy_url, headers={API_KEY_HEADER: api_key}
        )

    def __repr__(self) -> str:
        proxy = "'<set>'" if self.proxy_url else "None"  # a proxy URL may hold a password
        return f"DataApiClient(base_url={self.base_url!r}, timeout_s={self.timeout_s!r}, proxy_url={proxy})"

    async def videos(self, video_ids: Sequence[str]) -> DataApiBatch:
        """Fetch metadata for up to 50 ids in one call (1 quota unit).

        Raises ValueError for more than :data:`MAX_IDS_PER_CALL` ids (before
        any request), ``httpx.HTTPStatusError`` for an error status and
        ``httpx.TimeoutException``/``httpx.TransportError`` from the transport.
        """
        if len(video_ids) > MAX_IDS_PER_CALL:
            raise ValueError(f"videos.list takes at most {MAX_IDS_PER_CALL} ids per call, got {len(video_ids)}")
        if not video_ids:
            return DataApiBatch(found={}, missing=())
        # maxResults is left out: the API documents it as unsupported with id.
        params = {"part": PARTS, "id": ",".join(dict.fromkeys(video_ids))}
        response = await self._http.get(f"{self.base_url}/videos", params=params)
        response.raise_for_status()
        found: dict[str, VideoMetadata] = {}
        for item in response.json().get("items", []):
            if item.get("id") in video_ids and _is_available(item):
                found[item["id"]] = video_from_item(item)
        missing = tuple(dict.fromkeys(v for v in video_ids if v not in found))
        return DataApiBatch(found=found, missing=missing)

    async def playlist_items(self, playlist_id: str, page_token: str | None) -> SourcePage:
        """One page of up to 50 entries of a playlist, in playlist order (1 quota unit).

        ``page_token`` is None for the first page, else the ``next_cursor``
        of the page before (the API's ``nextPageToken``). Entries whose
        ``status.privacyStatus`` is ``private`` are PRIVATE, those the API
        lists as ``privacyStatusUnspecified`` or titled "Deleted video" are
        DELETED; ``total`` is ``pageInfo.totalResults``; ``channel_id`` is the
        playlist owner's (``snippet.channelId``); ``title`` stays "" (the
        playlist's title is not in this answer). Raises
        ``httpx.HTTPStatusError`` (404 ``playlistNotFound``, 403
        ``quotaExceeded``, 429, 5xx) and ``httpx`` transport errors.
        """
        params = {"part": PLAYLIST_ITEM_PARTS, "playlistId": playlist_id, "maxResults": str(MAX_RESULTS_PER_PAGE)}
        if page_token:
            params["pageToken"] = page_token
        response = await self._http.get(f"{self.base_url}/playlistItems", params=params)
        response.raise_for_status()
        body = response.json()
        items = body.get("items", [])
        entries = tuple(entry for item in items if (entry := entry_from_playlist_item(item)) is not None)
        owners = (item.get("snippet", {}).get("channelId") for item in items)
        return SourcePage(
            entries=entries,
            channel_id=next((owner for owner in owners if owner), None),
            total=body.get("pageInfo", {}).get("totalResults"),
            next_cursor=body.get("nextPageToken") or None,
        )

    async def uploads_playlist(self, source: SourceRef) -> tuple[str, str]:
        """The uploads playlist (``UU…``) of a channel, and its ``UC…`` id (1 quota unit).

        ``channels.list`` takes the channel as ``id`` (a ``UC…`` key),
        ``forHandle`` (``@handle``) or ``forUsername`` (``user/name``). The API
        has no lookup by custom URL, so ``c/name`` and a bare ``name`` are
        looked up as the handle ``@name``: YouTube gave most channels the
        handle of their custom URL (2022); for the rest this raises
        :class:`ChannelNotFound` and yt-dlp's flat extraction can list them.
        The uploads playlist holds every upload (videos, shorts and live
        streams), whatever the source's tab. Raises ValueError for a playlist
        source, :class:`ChannelNotFound` when the API returns no channel,
        ``httpx.HTTPStatusError`` and transport errors as :meth:`videos`.
        """
        if source.kind is not SourceKind.CHANNEL:
            raise ValueError(f"not a channel: {source!r}")
        params = {"part": "contentDetails", **_channel_lookup(source.key)}
        response = await self._http.get(f"{self.base_url}/channels", params=params)
        response.raise_for_status()
        for item in response.json().get("items", []):
            uploads = item.get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads")
            if uploads and is_channel_id(item.get("id", "")):
                return uploads, item["id"]
        raise ChannelNotFound(source)

    async def aclose(self) -> None:
        """Close the underlying connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> DataApiClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def video_from_item(item: Mapping[str, Any]) -> VideoMetadata:
    """Map one ``youtube#video`` resource to :class:`VideoMetadata`.

    ``duration_s`` is None when the duration is missing, invalid or zero
    (``P0D``: a live stream or premiere has no length yet). ``chapters`` stays
    empty: the chapters stage parses the description.
    """
    snippet = item.get("snippet", {})
    duration_s = parse_iso8601_duration(item.get("contentDetails", {}).get("duration", ""))
    return VideoMetadata(
        video_id=item["id"],
        title=snippet.get("title", ""),
        channel=snippet.get("channelTitle", ""),
        duration_s=duration_s or None,
        published=_published_date(snippet.get("publishedAt")),
        description=snippet.get("description", ""),
        thumbnail_url=_thumbnail(snippet.get("thumbnails", {})),
        language=snippet.get("defaultAudioLanguage") or snippet.get("defaultLanguage"),
    )


def entry_from_playlist_item(item: Mapping[str, Any]) -> SourceEntry | None:
    """Map one ``youtube#playlistItem`` to a :class:`SourceEntry`, None when it names no video.

    The API keeps private and deleted videos in a playlist: a private one
    has ``privacyStatus`` ``private`` (title "Private video"), a deleted one
    ``privacyStatusUnspecified`` (title "Deleted video"). Their titles are
    placeholders and are not kept.
    """
    snippet = item.get("snippet", {})
    video_id = item.get("contentDetails", {}).get("videoId") or snippet.get("resourceId", {}).get("videoId")
    if not video_id:
        return None
    privacy = item.get("status", {}).get("privacyStatus")
    title = snippet.get("title", "")
    if privacy == "private":
        return SourceEntry(video_id, "", EntryState.PRIVATE)
    if privacy == "privacyStatusUnspecified" or title == "Deleted video":
        return SourceEntry(video_id, "", EntryState.DELETED)
    return SourceEntry(video_id, title)


def _channel_lookup(key: str) -> dict[str, str]:
    """The ``channels.list`` filter that finds the channel a source key names."""
    if is_channel_id(key):
        return {"id": key}
    if key.startswith("@"):
        return {"forHandle": key}
    if key.startswith("user/"):
        return {"forUsername": key.removeprefix("user/")}
    return {"forHandle": "@" + key.removeprefix("c/")}


def error_reasons(error: httpx.HTTPStatusError) -> tuple[str, ...]:
    """The ``reason`` strings in a Google error body, in order; () if none.

    Reads both ``error.errors[].reason`` (``quotaExceeded``, ``keyInvalid``,
    ``badRequest``) and ``error.details[].reason`` (``API_KEY_INVALID``).
    """
    try:
        body = error.response.json()
    except ValueError:
        return ()
    detail = body.get("error") if isinstance(body, dict) else None
    if not isinstance(detail, dict):
        return ()
    entries = [*(detail.get("errors") or []), *(detail.get("details") or [])]
    return tuple(e["reason"] for e in entries if isinstance(e, dict) and isinstance(e.get("reason"), str))


def is_quota_exceeded(error: httpx.HTTPStatusError) -> bool:
    """True when Google's error body says the day's quota is spent.

    Google sends this as a 403 with reason ``quotaExceeded`` (domain
    ``youtube.quota``; ``dailyLimitExceeded`` in older bodies). Other 403
    reasons (``forbidden``, ``accessNotConfigured``, the per-minute
    ``rateLimitExceeded``) return False.
    """
    return not QUOTA_REASONS.isdisjoint(error_reasons(error))


def _is_available(item: Mapping[str, Any]) -> bool:
    return item.get("status", {}).get("privacyStatus") != "private"


def _published_date(text: str | None) -> dt.date | None:
    """The UTC calendar date of an RFC 3339 timestamp such as ``2009-10-25T06:57:33Z``."""
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.date()


def _thumbnail(thumbnails: Mapping[str, Any]) -> str | None:
    for size in THUMBNAIL_PREFERENCE:
        url = thumbnails.get(size, {}).get("url")
        if url:
            return url
    return None
