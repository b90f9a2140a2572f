"""The real YouTube backend: yt-dlp and youtube-transcript-api.

Both libraries block, so every call runs in a worker thread
(``asyncio.to_thread``) with a fresh ``YoutubeDL`` / ``YouTubeTranscriptApi``
instance (neither is thread-safe). Only :func:`watch_url` of a checked
11-character id ever reaches yt-dlp; subtitle downloads only go to
``https://www.youtube.com/api/timedtext`` for the same video. Errors are the
libraries' own (``yt_dlp.utils.DownloadError``, youtube-transcript-api errors,
``requests.exceptions.ReadTimeout``); the pipeline classifies them. The one
exception is :meth:`YouTubeClient.download_audio`, whose refusals yt-dlp has
no error for (a live stream, audio over the size cap): it raises
:class:`~robust_import_app.domain.errors.PermanentImportError` itself.

Since yt-dlp 2025.11 YouTube's player challenges (``n`` and signature) are
solved by an external JavaScript runtime running the ``yt-dlp-ejs`` scripts
(yt-dlp wiki, "EJS"); without one, most formats go missing. Every call points
yt-dlp at the Deno binary of the ``deno`` package (:func:`deno_path`); the
scripts come from the ``yt-dlp-ejs`` package, so nothing is fetched at run
time (``remote_components`` stays empty).

Playlists and channel tabs are listed by flat extraction
(``extract_flat="in_playlist"``, ``lazy_playlist``, ``process=False``): yt-dlp
reads YouTube's answers one continuation at a time as its entries generator
is advanced, so one :meth:`YouTubeClient.list_source_page` is one request
(about 100 playlist or 30 channel-tab entries), never one per video. The
live generator of each source waits between pages in a small in-process
cache (:class:`SourceListings`); when it is gone (a restart, another
process, eviction, an error mid-page) the listing starts over and skips the
``cursor`` entries already read, which costs one request per page skipped,
once.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from http.cookiejar import MozillaCookieJar
from pathlib import Path
from typing import Any

import httpx
import requests
from deno import find_deno_bin
from youtube_transcript_api import YouTubeTranscriptApi
from youtube_transcript_api.proxies import GenericProxyConfig
from yt_dlp import YoutubeDL
from yt_dlp.extractor.youtube.pot._registry import _pot_providers
from yt_dlp.globals import all_plugins_loaded
from yt_dlp.networking.exceptions import network_exceptions
from yt_dlp.plugins import load_all_plugins
from yt_dlp.utils import DownloadCancelled, DownloadError, ExtractorError

from robust_import_app.domain.errors import ErrorCode, PermanentImportError
from robust_import_app.domain.video import (
    CaptionSegment,
    CaptionTrack,
    SubtitleTrack,
    VideoMetadata,
    watch_url,
)
from robust_import_app.threads import run_in_thread_to_the_end
from robust_import_app.youtube.flat import entry_from_flat, source_title, source_total
from robust_import_app.youtube.info import is_timedtext_url, metadata_from_info
from robust_import_app.youtube.sources import SourcePage, SourceRef, parse_feed_url
from robust_import_app.youtube.subtitles import parse_subtitles

DEFAULT_SOCKET_TIMEOUT_S = 20.0
"""yt-dlp's own default; also the read timeout of transcript requests."""
AUDIO_FORMAT = "bestaudio/best"
AUDIO_FORMAT_SORT = ("+size", "+br")
"""With ``-S +size,+br`` the "best" audio-only format is the smallest one (yt-dlp README)."""
DEFAULT_MAX_AUDIO_BYTES = 12 * 3600 * 128_000 // 8
"""691,200,000 bytes: 12 hours at 128 kbit/s. YouTube takes uploads of up to
12 hours (YouTube Help, "Upload videos longer than 15 minutes"), and the
smallest audio-only format runs at 30-70 kbit/s (itags 599, 249, 250), so
every real video fits, with room for the ``best`` fallback (the smallest muxed
format); a file beyond it is a stream that does not end."""
REFUSED_LIVE_STATUS: dict[str, ErrorCode] = {
    "is_upcoming": ErrorCode.UPCOMING,
    "is_live": ErrorCode.UNPLAYABLE,
    "post_live": ErrorCode.UNPLAYABLE,
}
"""yt-dlp's ``live_status`` values (``extractor/common.py``) whose audio is not
a finished recording: a premiere or live event that has not started, a stream
still running (its audio never ends), and a stream that ended but YouTube has
not processed yet (yt-dlp gets only its last two hours)."""

POT_PROVIDER_EXTRACTOR_KEY = "youtubepot-bgutilhttp"
"""The extractor-args key of bgutil-ytdlp-pot-provider's HTTP provider; its
``base_url`` argument is the provider server's URL (the plugin's README)."""
POT_PROVIDER_KEY = "BgUtilHTTP"
"""That provider's key in yt-dlp's PO token provider registry (its class ``BgUtilHTTPPTP``)."""

DEFAULT_LISTINGS_KEPT = 8
"""Sources whose live entries generator is kept between pages (per client)."""
DEFAULT_LISTING_IDLE_S = 600.0
"""A kept generator unused this long is dropped (YouTube's continuation tokens age)."""
MAX_URL_HOPS = 3
"""``url`` results followed before a listing gives up (yt-dlp's own redirects: playlist -> tab)."""

_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_log = logging.getLogger(__name__)


def require_video_id(video_id: object) -> str:
    """Return ``video_id`` if it is exactly 11 characters of ``[A-Za-z0-9_-]``.

    Raises ValueError otherwise (a URL, a pasted line, a trailing newline).
    """
    if not isinstance(video_id, str) or not _VIDEO_ID.fullmatch(video_id):
        raise ValueError(f"not a YouTube video id: {video_id!r}")
    return video_id


def deno_path() -> Path:
    """The Deno executable the ``deno`` PyPI package installed (``deno.find_deno_bin``).

    Raises FileNotFoundError when the package is installed without its binary.
    """
    return Path(find_deno_bin())


def pot_provider_installed() -> bool:
    """True when yt-dlp has bgutil-ytdlp-pot-provider's HTTP provider among its plugins.

    Loads yt-dlp's plugins first, as ``YoutubeDL()`` does (pip installs and
    plugin folders alike). yt-dlp 2026.10.26 has no public list of PO token
    providers; the registry read here is ``extractor/youtube/pot/_registry.py``.
    """
    if not all_plugins_loaded.value:
        load_all_plugins()
    return POT_PROVIDER_KEY in _pot_providers.value


def subtitle_download_error(language_code: str, error: Exception) -> DownloadError:
    """What ``YoutubeDL._write_subtitles`` raises when a subtitle download fails:
    ``ERROR: Unable to download video subtitles for 'en': <error>``, with the
    network error in ``exc_info``."""
    try:
        raise error
    except Exception as exc:  # noqa: BLE001 - re-raised wrapped, as yt-dlp does
        message = f"ERROR: Unable to download video subtitles for {language_code!r}: {exc}"
        return DownloadError(message, sys.exc_info())


def download_error(error: ExtractorError) -> DownloadError:
    """What ``YoutubeDL.report_error`` makes of an extractor error: ``ERROR: <message>``,
    with the original exc_info (so the HTTP status and Retry-After stay reachable)."""
    exc_info = error.exc_info if error.exc_info[0] else (type(error), error, error.__traceback__)
    return DownloadError(f"ERROR: {error}", exc_info)


def parse_cursor(cursor: str | None) -> int:
    """The number of entries a flat-extraction cursor says were read (0 for None).

    Raises ValueError for anything but a non-negative decimal count.
    """
    if cursor is None:
        return 0
    if not cursor.isdigit():
        raise ValueError(f"not a source cursor (a count of entries): {cursor!r}")
    return int(cursor)


@dataclass(slots=True)
class Listing:
    """A source's flat extraction in progress: its YoutubeDL, the playlist info without
    its entries, the live entries generator and how many entries were read from it."""

    ydl: Any
    info: dict[str, Any]
    entries: Iterator[Any]
    read: int = 0
    last_used_s: float = 0.0

    def close(self) -> None:
        """Close the YoutubeDL (its network session)."""
        self.ydl.close()


class SourceListings:
    """A bounded cache of :class:`Listing`s by source, least recently used dropped first.

    Holds at most ``max_listings``; a listing unused for ``idle_s`` seconds
    (``clock``, monotonic) is dropped. :meth:`take` removes what it returns,
    so that one listing is only ever advanced by one call; :meth:`keep` puts
    it back. Dropped listings are closed. Used from the event loop thread only.
    """

    def __init__(
        self,
        *,
        max_listings: int = DEFAULT_LISTINGS_KEPT,
        idle_s: float = DEFAULT_LISTING_IDLE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_listings = max_listings
        self.idle_s = idle_s
        self._clock = clock
        self._kept: OrderedDict[SourceRef, Listing] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def take(self, source: SourceRef, read: int) -> Listing | None:
        """The kept listing of ``source`` that has read exactly ``read`` entries, else None."""
        self._drop_idle()
        listing = self._kept.pop(source, None)
        if listing is not None and listing.read != read:
            listing.close()
            return None
        return listing

    def keep(self, source: SourceRef, listing: Listing) -> None:
        """Keep ``listing`` for the next page of ``source``, dropping the oldest past the bound."""
        listing.last_used_s = self._clock()
        self._kept[source] = listing
        self._kept.move_to_end(source)
        while len(self._kept) > self.max_listings:
            self._kept.popitem(last=False)[1].close()

    def _drop_idle(self) -> None:
        now_s = self._clock()
        for source in [s for s, listing in self._kept.items() if now_s - listing.last_used_s > self.idle_s]:
            self._kept.pop(source).close()


class YouTubeClient:
    """:class:`~robust_import_app.youtube.backend.YouTubeBackend` against YouTube itself.

    ``cookies_file`` is a Netscape cookies.txt (yt-dlp ``cookiefile``, and
    loaded into the transcript session); ``proxy_url`` goes to yt-dlp's
    ``proxy`` and youtube-transcript-api's ``GenericProxyConfig``;
    ``socket_timeout_s`` is yt-dlp's ``socket_timeout`` and the transcript
    requests' timeout; ``max_audio_bytes`` caps an audio download (yt-dlp
    ``max_filesize``). ``js_runtime_path`` is the Deno executable yt-dlp runs
    (``js_runtimes``), :func:`deno_path` by default. ``pot_provider_url`` is
    the base URL of a bgutil PO token provider server (127.0.0.1 only, never
    public), passed as the extractor argument
    ``youtubepot-bgutilhttp:base_url``; it needs the optional
    ``bgutil-ytdlp-pot-provider`` plugin, and a warning is logged at
    construction when that is missing. Raises OSError or
    ``http.cookiejar.LoadError`` at once for an unreadable cookies file,
    FileNotFoundError when the ``deno`` package has no binary.
    """

    def __init__(
        self,
        *,
        cookies_file: Path | None = None,
        proxy_url: str | None = None,
        socket_timeout_s: float = DEFAULT_SOCKET_TIMEOUT_S,
        max_audio_bytes: int = DEFAULT_MAX_AUDIO_BYTES,
        js_runtime_path: Path | None = None,
        pot_provider_url: str | None = None,
    ) -> None:
        self.cookies_file = cookies_file
        self.proxy_url = proxy_url
        self.socket_timeout_s = socket_timeout_s
        self.max_audio_bytes = max_audio_bytes
        self.js_runtime_path = js_runtime_path or deno_path()
        self.pot_provider_url = pot_provider_url
        if pot_provider_url and not pot_provider_installed():
            _log.warning(
                "YOUTUBE_POT_PROVIDER_URL is set but the bgutil-ytdlp-pot-provider plugin is not installed: "
                "yt-dlp requests no PO tokens (pip install bgutil-ytdlp-pot-provider)"
            )
        self._cookies = MozillaCookieJar()
        if cookies_file is not None:
            self._cookies.load(str(cookies_file), ignore_discard=True, ignore_expires=True)
        self.listings = SourceListings()

    def __repr__(self) -> str:
        return (
            f"YouTubeClient(cookies_file={self.cookies_file!r}, "
            f"proxy_url={'set' if self.proxy_url else None!r}, socket_timeout_s={self.socket_timeout_s}, "
            f"max_audio_bytes={self.max_audio_bytes}, js_runtime_path={self.js_runtime_path!r}, "
            f"pot_provider_url={self.pot_provider_url!r})"
        )

    def ytdlp_options(self, **overrides: Any) -> dict[str, Any]:
        """The ``YoutubeDL`` params of every call (metadata only unless overridden).

        ``js_runtimes`` names only Deno, at ``js_runtime_path``; with a PO
        token provider, ``extractor_args`` carries its ``base_url``.
        """
        options: dict[str, Any] = {
            "quiet": True,
            "no_warnings": True,
            "skip_download": True,
            "noplaylist": True,
            "socket_timeout": self.socket_timeout_s,
            "logger": _YtDlpLogger(),
            "js_runtimes": {"deno": {"path": str(self.js_runtime_path)}},
        }
        if self.cookies_file is not None:
            options["cookiefile"] = str(self.cookies_file)
        if self.proxy_url:
            options["proxy"] = self.proxy_url
        if self.pot_provider_url:
            options["extractor_args"] = {POT_PROVIDER_EXTRACTOR_KEY: {"base_url": [self.pot_provider_url]}}
        return options | overrides

    def transcript_api(self) -> YouTubeTranscriptApi:
        """A fresh YouTubeTranscriptApi with the proxy, cookies and timeout applied."""
        session = _TimeoutSession(self.socket_timeout_s)
        for cookie in self._cookies:
            session.cookies.set_cookie(cookie)
        proxy = GenericProxyConfig(http_url=self.proxy_url, https_url=self.proxy_url) if self.proxy_url else None
        return YouTubeTranscriptApi(proxy_config=proxy, http_client=session)

    async def fetch_metadata(self, video_id: str) -> VideoMetadata:
        """``extract_info(watch_url(id), download=False)`` mapped to VideoMetadata."""
        url = watch_url(require_video_id(video_id))
        info = await asyncio.to_thread(self._extract_info, url, self.ytdlp_options())
        return metadata_from_info(info)

    async def list_caption_tracks(self, video_id: str) -> list[CaptionTrack]:
        """``YouTubeTranscriptApi.list`` as CaptionTracks (manual first)."""
        require_video_id(video_id)

        def run() -> list[CaptionTrack]:
            transcripts = self.transcript_api().list(video_id)
            return [CaptionTrack(t.language_code, t.language, t.is_generated) for t in transcripts]

        return await asyncio.to_thread(run)

    async def fetch_captions(self, video_id: str, track: CaptionTrack) -> list[CaptionSegment]:
        """Fetch one listed track; ``NoTranscriptFound`` when it is no longer listed."""
        require_video_id(video_id)

        def run() -> list[CaptionSegment]:
            transcripts = self.transcript_api().list(video_id)
            find = (
                transcripts.find_generated_transcript
                if track.is_generated
                else transcripts.find_manually_created_transcript
            )
            fetched = find([track.language_code]).fetch()
            return [CaptionSegment(s.start, s.duration, s.text) for s in fetched]

        return await asyncio.to_thread(run)

    async def fetch_subtitle_track(self, video_id: str, track: SubtitleTrack) -> list[CaptionSegment]:
        """Download a timedtext file through yt-dlp (its cookies and proxy) and parse it.

        Raises ValueError for a URL that is not this video's timedtext URL,
        DownloadError when the download fails.
        """
        if not is_timedtext_url(track.url, require_video_id(video_id)):
            raise ValueError(f"not a timedtext URL of video {video_id}: {track.url!r}")

        def run() -> str:
            with YoutubeDL(self.ytdlp_options()) as ydl:
                try:
                    with ydl.urlopen(track.url) as response:
                        return response.read().decode("utf-8")
                except network_exceptions as error:
                    raise subtitle_download_error(track.language_code, error) from error

        return parse_subtitles(await asyncio.to_thread(run), track.ext)

    async def download_audio(self, video_id: str, dest_dir: Path) -> Path:
        """Download the smallest audio-only format to ``dest_dir/<id>.<ext>``; returns its path.

        Raises :class:`PermanentImportError` before any download for a
        ``live_status`` in :data:`REFUSED_LIVE_STATUS` (UPCOMING or UNPLAYABLE),
        and TOO_LARGE for audio over ``max_audio_bytes`` (yt-dlp's
        ``max_filesize`` skips a file whose Content-Length is over it; the
        progress hook stops one without a length once it gets there);
        ``DownloadError`` for everything else. Cancelling the awaiting task
        stops yt-dlp at its next progress report (or before the download when
        the extraction is still running) and raises ``CancelledError`` only
        once yt-dlp's thread has ended: nothing writes into ``dest_dir`` after
        this returns or raises.
        """
        url = watch_url(require_video_id(video_id))
        stop = threading.Event()
        options = self.ytdlp_options(
            skip_download=False,
            format=AUDIO_FORMAT,
            format_sort=list(AUDIO_FORMAT_SORT),
            outtmpl=str(dest_dir / "%(id)s.%(ext)s"),
            max_filesize=self.max_audio_bytes,
            progress_hooks=[_DownloadWatch(video_id, max_bytes=self.max_audio_bytes, stop=stop)],
        )
        download = partial(self._download_audio, url, video_id, options, stop=stop)
        return await run_in_thread_to_the_end(download, stop=stop)

    async def list_source_page(self, source: SourceRef, cursor: str | None) -> SourcePage:
        """The next ``source.page_entries`` entries of a playlist or channel tab (one request).

        Continues the source's kept generator when it has read exactly
        ``cursor`` entries, else starts over at ``source.url`` and skips them.
        ``next_cursor`` is the count read so far, or None once the generator
        is exhausted (a last page may be empty). Raises ``DownloadError`` as
        yt-dlp reports it, also for a failure while reading a later page
        (which drops the generator), ValueError for a malformed cursor.
        """
        skip = parse_cursor(cursor)
        listing = self.listings.take(source, skip)
        reading = asyncio.ensure_future(asyncio.to_thread(self._read_page, source, skip, listing))
        try:
            page, listing = await asyncio.shield(reading)
        except asyncio.CancelledError:  # the thread reads on: close what it leaves behind
            reading.add_done_callback(_close_abandoned_listing)
            raise
        if listing is not None:
            self.listings.keep(source, listing)
        return page

    async def fetch_feed(self, url: str) -> bytes:
        """GET a ``/feeds/videos.xml`` URL through httpx (the proxy, ``socket_timeout_s``, no cookies).

        Raises ValueError for any other URL, ``httpx.HTTPStatusError`` for an
        error status, ``httpx`` timeout and transport errors.
        """
        parse_feed_url(url)
        async with httpx.AsyncClient(timeout=httpx.Timeout(self.socket_timeout_s), proxy=self.proxy_url) as http:
            response = await http.get(url)
            response.raise_for_status()
            return response.content

    def _read_page(self, source: SourceRef, skip: int, listing: Listing | None) -> tuple[SourcePage, Listing | None]:
        """Read one page from ``listing`` (or a new one that skips ``skip`` entries), blocking.

        Returns the page and the listing to keep, None when it is exhausted;
        closes the listing on every error.
        """
        if listing is None:
            listing = self._start_listing(source)
        try:
            if listing.read < skip:
                listing.read += sum(1 for _ in itertools.islice(listing.entries, skip - listing.read))
            raw = list(itertools.islice(listing.entries, source.page_entries))
        except ExtractorError as error:
            listing.close()
            raise download_error(error) from error
        except BaseException:
            listing.close()
            raise
        listing.read += len(raw)
        exhausted = len(raw) < source.page_entries
        page = SourcePage(
            entries=tuple(entry for item in raw if (entry := entry_from_flat(item)) is not None),
            title=source_title(listing.info, source),
            channel_id=listing.info.get("channel_id") or None,
            total=source_total(listing.info),
            next_cursor=None if exhausted else str(listing.read),
        )
        if exhausted:
            listing.close()
            return page, None
        return page, listing

    def _start_listing(self, source: SourceRef) -> Listing:
        """``extract_info(source.url, process=False)`` with flat, lazy extraction (blocking).

        Follows ``url`` results (at most :data:`MAX_URL_HOPS`). Raises
        ``DownloadError`` (yt-dlp's own) or one for an answer that is no playlist.
        """
        options = self.ytdlp_options(extract_flat="in_playlist", lazy_playlist=True, noplaylist=False)
        ydl = YoutubeDL(options)
        try:
            info = ydl.extract_info(source.url, download=False, process=False)
            for _ in range(MAX_URL_HOPS):
                if not isinstance(info, dict) or info.get("_type") not in ("url", "url_transparent"):
                    break
                info = ydl.extract_info(info["url"], download=False, process=False, ie_key=info.get("ie_key"))
            if not isinstance(info, dict) or info.get("_type") != "playlist":
                raise DownloadError(f"ERROR: yt-dlp found no playlist at {source.url}")
        except BaseException:
            ydl.close()
            raise
        entries = info.pop("entries", None) or ()
        return Listing(ydl, info, iter(entries))

    def _download_audio(self, url: str, video_id: str, options: dict[str, Any], *, stop: threading.Event) -> Path:
        """Extract, refuse live streams, then download (blocking)."""
        with YoutubeDL(options) as ydl:
            info = ydl.extract_info(url, download=False, process=False)
            if not isinstance(info, dict):
                raise DownloadError(f"ERROR: yt-dlp returned no info for {url}")
            live_status = info.get("live_status") or ("is_live" if info.get("is_live") else None)
            if (code := REFUSED_LIVE_STATUS.get(live_status or "")) is not None:
                raise PermanentImportError(code, video_id=video_id, detail=f"live_status {live_status}")
            if stop.is_set():
                raise DownloadCancelled("the import was cancelled")
            info = ydl.process_ie_result(info, download=True)
        filepath = (info.get("requested_downloads") or [{}])[0].get("filepath")
        if not filepath:  # yt-dlp's HttpFD returns without a file, and without an error, over max_filesize
            raise _too_large(video_id, self.max_audio_bytes)
        return Path(filepath)

    @staticmethod
    def _extract_info(url: str, options: dict[str, Any], *, download: bool = False) -> dict[str, Any]:
        """Run yt-dlp on ``url`` (blocking)."""
        with YoutubeDL(options) as ydl:
            info = ydl.extract_info(url, download=download)
        if not isinstance(info, dict):
            raise DownloadError(f"ERROR: yt-dlp returned no info for {url}")
        return info


def _close_abandoned_listing(reading: asyncio.Future[tuple[SourcePage, Listing | None]]) -> None:
    """Close the listing a page read left when its caller was cancelled (it read past the cursor)."""
    if not reading.cancelled() and reading.exception() is None and (listing := reading.result()[1]) is not None:
        listing.close()


def _too_large(video_id: str, max_bytes: int) -> PermanentImportError:
    return PermanentImportError(
        ErrorCode.TOO_LARGE, video_id=video_id, detail=f"the audio is over max_filesize {max_bytes} bytes"
    )


class _DownloadWatch:
    """A yt-dlp progress hook that ends the download when asked or when it grows too large.

    Raises ``DownloadCancelled`` once ``stop`` is set and TOO_LARGE once more
    than ``max_bytes`` are downloaded or announced; yt-dlp closes its file and
    lets the exception through ``process_ie_result``.
    """

    def __init__(self, video_id: str, *, max_bytes: int, stop: threading.Event) -> None:
        self.video_id = video_id
        self.max_bytes = max_bytes
        self.stop = stop

    def __call__(self, progress: dict[str, Any]) -> None:
        if self.stop.is_set():
            raise DownloadCancelled("the import was cancelled")
        size_bytes = max(progress.get("downloaded_bytes") or 0, progress.get("total_bytes") or 0)
        if size_bytes > self.max_bytes:
            raise _too_large(self.video_id, self.max_bytes)


class _TimeoutSession(requests.Session):
    """A requests Session whose requests time out after ``timeout_s`` by default."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s = timeout_s

    def request(  # type: ignore[override]
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout_s)
        return super().request(method, url, *args, **kwargs)


class _YtDlpLogger:
    """Routes yt-dlp's output to :mod:`logging` instead of stdout/stderr."""

    def debug(self, message: str) -> None:
        _log.debug("yt-dlp: %s", message)

    def info(self, message: str) -> None:
        _log.debug("yt-dlp: %s", message)

    def warning(self, message: str) -> None:
        _log.info("yt-dlp: %s", message)

    def error(self, message: str) -> None:
        _log.info("yt-dlp: %s", message)
