"""Build the exceptions yt-dlp and youtube-transcript-api raise, as they raise them.

yt-dlp (every player call)::

    DownloadError("ERROR: [youtube] <id>: <reason>")        playability refusals
        .exc_info = (ExtractorError, ...)
    DownloadError("ERROR: [youtube] <id>: Unable to download API page: HTTP Error 429:
                   Too Many Requests (caused by <HTTPError 429: Too Many Requests>)")
        .exc_info = (HTTPError, ...)   HTTPError.response.headers["Retry-After"]
    DownloadError("ERROR: [youtube] <id>: Unable to download API page:
                   HTTPSConnectionPool(...): Read timed out. (read timeout=20.0)
                   (caused by TransportError(...))")
        .exc_info = (TransportError, ...)
    DownloadError("ERROR: Unable to download video subtitles for 'en': HTTP Error 429: ...")
        .exc_info = (HTTPError, ...)   from fetch_subtitle_track

yt-dlp listing a playlist or channel tab (``youtube:tab``)::

    DownloadError("ERROR: [youtube:tab] PLx: Unable to download webpage: HTTP Error 429: ...")   first page
    DownloadError("ERROR: [youtube:tab] PLx page 3: Unable to download API page: HTTP Error 429: ...")
    DownloadError("ERROR: [youtube:tab] PLx: YouTube said: The playlist does not exist.")

httpx (feeds): ``HTTPStatusError`` from ``raise_for_status`` (404, 429 with
Retry-After, 5xx), ``ReadTimeout``.

youtube-transcript-api (every transcript call): its own classes with their real
constructors; HTTP 429 is ``IpBlocked`` (the library maps 429 so, dropping
Retry-After), other HTTP errors are ``YouTubeRequestFailed`` raised while the
``requests.HTTPError`` is handled (so ``__context__`` holds the response), a
read timeout is the bare ``requests.exceptions.ReadTimeout``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import httpx
import requests
import urllib3
from urllib3.connectionpool import HTTPSConnectionPool
from youtube_transcript_api._errors import IpBlocked, YouTubeRequestFailed
from youtube_transcript_api._transcripts import TranscriptListFetcher
from yt_dlp.networking.common import Response
from yt_dlp.networking.exceptions import HTTPError, TransportError
from yt_dlp.utils import DownloadError, ExtractorError

from robust_import_app.domain.video import watch_url
from robust_import_app.youtube.real import subtitle_download_error
from robust_import_app.youtube.sim.playability import Status, ytdlp_reason

YTDLP_IE_NAME = "youtube"
YTDLP_TAB_IE_NAME = "youtube:tab"
DEFAULT_READ_TIMEOUT_S = 20.0
"""yt-dlp's default ``socket_timeout``; it appears in timeout messages."""
PLAYER_API_URL = "https://www.youtube.com/youtubei/v1/player?prettyPrint=false"
_TIMEDTEXT_URL = "https://www.youtube.com/api/timedtext?v={video_id}&lang={lang}&fmt={ext}"
_CHECKER = TranscriptListFetcher(requests.Session(), proxy_config=None)
"""The library's own response checks; its session never sends a request here."""


def ytdlp_refusal(video_id: str, status: Status) -> DownloadError:
    """The DownloadError ``extract_info`` raises for a refused video."""
    try:
        raise ExtractorError(ytdlp_reason(status), expected=True, video_id=video_id, ie=YTDLP_IE_NAME)
    except ExtractorError as exc:
        return _download_error(str(exc), exc)


def ytdlp_http_error(video_id: str, status: int, *, retry_after_s: int | None = None) -> DownloadError:
    """The DownloadError for an HTTP error answering yt-dlp's player API request."""
    headers = {} if retry_after_s is None else {"Retry-After": str(retry_after_s)}
    response = Response(io.BytesIO(b""), PLAYER_API_URL, headers, status=status)
    return _ytdlp_network_error(video_id, HTTPError(response))


def ytdlp_timeout(video_id: str) -> DownloadError:
    """The DownloadError for a read timeout on yt-dlp's player API request."""
    return _ytdlp_network_error(video_id, TransportError(cause=read_timeout(PLAYER_API_URL)))


def tab_http_error(item_id: str, page: int, status: int, *, retry_after_s: int | None = None) -> DownloadError:
    """The DownloadError for an HTTP error on page ``page`` (1 = the first) of a playlist or tab.

    yt-dlp downloads the first page as a webpage, every later one from the
    browse API, and names those ``<id> page <n-1>`` (``_tab.py``, ``_entries``).
    """
    headers = {} if retry_after_s is None else {"Retry-After": str(retry_after_s)}
    url = _tab_url(item_id, page)
    response = Response(io.BytesIO(b""), url, headers, status=status)
    return _tab_network_error(item_id, page, HTTPError(response))


def tab_timeout(item_id: str, page: int) -> DownloadError:
    """The DownloadError for a read timeout on page ``page`` of a playlist or tab."""
    return _tab_network_error(item_id, page, TransportError(cause=read_timeout(_tab_url(item_id, page))))


def tab_refusal(item_id: str, reason: str) -> DownloadError:
    """The DownloadError for a YouTube alert about a playlist or channel, as
    ``_report_alerts`` raises it (``YouTube said: <reason>``)."""
    try:
        raise ExtractorError(f"YouTube said: {reason}", expected=True, video_id=item_id, ie=YTDLP_TAB_IE_NAME)
    except ExtractorError as exc:
        return _download_error(str(exc), exc)


def httpx_status_error(url: str, status: int, *, retry_after_s: int | None = None) -> httpx.HTTPStatusError:
    """The ``httpx.HTTPStatusError`` that ``response.raise_for_status()`` raises for ``status``."""
    request = httpx.Request("GET", url)
    headers = {} if retry_after_s is None else {"Retry-After": str(retry_after_s)}
    response = httpx.Response(status, headers=headers, request=request)
    try:
        response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        return exc
    raise AssertionError(f"status {status} is not an error")


def httpx_timeout(url: str) -> httpx.ReadTimeout:
    """The ``httpx.ReadTimeout`` of a request to ``url``."""
    return httpx.ReadTimeout("The read operation timed out", request=httpx.Request("GET", url))


def subtitle_http_error(
    video_id: str, language_code: str, ext: str, status: int, *, retry_after_s: int | None = None
) -> DownloadError:
    """The DownloadError for an HTTP error while downloading a subtitle file."""
    headers = {} if retry_after_s is None else {"Retry-After": str(retry_after_s)}
    url = _TIMEDTEXT_URL.format(video_id=video_id, lang=language_code, ext=ext)
    response = Response(io.BytesIO(b""), url, headers, status=status)
    return subtitle_download_error(language_code, HTTPError(response))


def subtitle_timeout(video_id: str, language_code: str, ext: str) -> DownloadError:
    """The DownloadError for a read timeout while downloading a subtitle file."""
    url = _TIMEDTEXT_URL.format(video_id=video_id, lang=language_code, ext=ext)
    return subtitle_download_error(language_code, TransportError(cause=read_timeout(url)))


def read_timeout(url: str, timeout_s: float = DEFAULT_READ_TIMEOUT_S) -> requests.exceptions.ReadTimeout:
    """The ``requests`` read timeout for ``url`` (host and port from the URL)."""
    host = urllib3.util.parse_url(url).host or "www.youtube.com"
    pool = HTTPSConnectionPool(host, 443)
    cause = urllib3.exceptions.ReadTimeoutError(pool, url, f"Read timed out. (read timeout={timeout_s})")
    return requests.exceptions.ReadTimeout(cause)


def transcript_refusal(video_id: str, player_response: Mapping[str, Any]) -> dict[str, Any]:
    """The captions JSON of ``player_response``, checked by youtube-transcript-api itself.

    Runs the library's own playability and caption checks, so it raises exactly
    what ``YouTubeTranscriptApi().list(video_id)`` would: ``RequestBlocked``,
    ``AgeRestricted``, ``VideoUnavailable``, ``VideoUnplayable``,
    ``TranscriptsDisabled``.
    """
    return _CHECKER._extract_captions_json(dict(player_response), video_id)  # noqa: SLF001


def transcript_http_error(video_id: str, status: int, *, retry_after_s: int | None = None) -> Exception:
    """What youtube-transcript-api raises for an HTTP error status.

    429 is ``IpBlocked`` (no Retry-After reaches the caller, as in the
    library); any other status is ``YouTubeRequestFailed`` with the
    ``requests.HTTPError`` (and its response) as ``__context__``.
    """
    if status == 429:
        return IpBlocked(video_id)
    response = requests.Response()
    response.status_code = status
    response.url = watch_url(video_id)
    response.reason = HTTPStatus(status).phrase
    if retry_after_s is not None:
        response.headers["Retry-After"] = str(retry_after_s)
    try:
        try:
            response.raise_for_status()
        except requests.HTTPError as error:
            raise YouTubeRequestFailed(video_id, error)  # noqa: B904 - the library does not chain
    except YouTubeRequestFailed as exc:
        return exc
    raise AssertionError(f"status {status} is not an error")


def _ytdlp_network_error(video_id: str, error: Exception) -> DownloadError:
    """As ``InfoExtractor._request_webpage`` (errnote of ``_call_api``) and
    ``YoutubeDL`` wrap a network error."""
    try:
        try:
            raise error
        except (HTTPError, TransportError) as err:
            raise ExtractorError(f"Unable to download API page: {err}", cause=err, video_id=video_id)  # noqa: B904  (yt-dlp chains it implicitly, as here)
    except ExtractorError as exc:
        exc.ie = YTDLP_IE_NAME
        return _download_error(str(exc), exc)


def _tab_url(item_id: str, page: int) -> str:
    return (
        "https://www.youtube.com/youtubei/v1/browse?prettyPrint=false"
        if page > 1
        else (f"https://www.youtube.com/playlist?list={item_id}")
    )


def _tab_network_error(item_id: str, page: int, error: Exception) -> DownloadError:
    """As ``_ytdlp_network_error``, for the webpage (page 1) or browse API page of a tab."""
    what = "API page" if page > 1 else "webpage"
    name = f"{item_id} page {page - 1}" if page > 1 else item_id
    try:
        try:
            raise error
        except (HTTPError, TransportError) as err:
            raise ExtractorError(f"Unable to download {what}: {err}", cause=err, video_id=name)  # noqa: B904  (yt-dlp chains it implicitly, as here)
    except ExtractorError as exc:
        exc.ie = YTDLP_TAB_IE_NAME
        return _download_error(str(exc), exc)


def _download_error(message: str, exc: ExtractorError) -> DownloadError:
    """``YoutubeDL.report_error``: prefix ``ERROR:`` and keep the original exc_info."""
    exc_info = exc.exc_info if exc.exc_info[0] else (type(exc), exc, exc.__traceback__)
    return DownloadError(f"ERROR: {message}", exc_info)
