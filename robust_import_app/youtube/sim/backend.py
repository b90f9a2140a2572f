"""The simulated YouTube: :class:`SimBackend`."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TypeVar

import requests
from youtube_transcript_api._errors import RequestBlocked
from youtube_transcript_api._transcripts import TranscriptList
from yt_dlp.utils import DownloadError

from robust_import_app.domain.sources import ChannelTab, EntryState, SourceKind
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.domain.video import CaptionSegment, CaptionTrack, SubtitleTrack, VideoMetadata
from robust_import_app.threads import run_in_thread_to_the_end
from robust_import_app.youtube.flat import entry_from_flat, source_title, source_total
from robust_import_app.youtube.info import is_timedtext_url, metadata_from_info
from robust_import_app.youtube.real import parse_cursor, require_video_id
from robust_import_app.youtube.sim import errors
from robust_import_app.youtube.sim.atom import render_feed
from robust_import_app.youtube.sim.audio import speech_available, write_audio
from robust_import_app.youtube.sim.calls import CallTracker
from robust_import_app.youtube.sim.captions import generated_cues, render
from robust_import_app.youtube.sim.corpus import load_corpus
from robust_import_app.youtube.sim.faults import Fault, FaultKind, FaultMix, FaultPlan, FeedFault, PageFaults
from robust_import_app.youtube.sim.generated import generated_video
from robust_import_app.youtube.sim.playability import Unplayable
from robust_import_app.youtube.sim.ratelimit import SimStats, TokenBucket, retry_after_header_s
from robust_import_app.youtube.sim.sources import (
    FEED_ENTRIES,
    SimEntry,
    SimSource,
    entry_at,
    entry_count,
    find_source,
    flat_entry,
    flat_info,
    load_recorded_sources,
    read_uploads_file,
    source_key,
)
from robust_import_app.youtube.sim.video import SimVideo
from robust_import_app.youtube.sources import SourcePage, SourceRef, parse_feed_url
from robust_import_app.youtube.subtitles import parse_srv1, parse_subtitles

T = TypeVar("T")
SPOKEN_WORDS = 60
"""How many transcript words the simulated audio speaks."""

_FEED_FAULT_STATUS = {FeedFault.NOT_FOUND: 404, FeedFault.RATE_LIMITED: 429, FeedFault.SERVER_ERROR: 503}
_PERMANENT_FAULTS = {
    FaultKind.PRIVATE: Unplayable.PRIVATE,
    FaultKind.REMOVED: Unplayable.REMOVED,
    FaultKind.AGE_RESTRICTED: Unplayable.AGE_RESTRICTED,
    FaultKind.MEMBERS_ONLY: Unplayable.MEMBERS_ONLY,
}


class SimBackend:
    """A :class:`~robust_import_app.youtube.backend.YouTubeBackend` without network.

    Answers from recorded data in ``corpus_dir`` where it has the video, else
    from a video generated from the id (:mod:`.generated`). Before each call it
    sleeps ``latency_s`` seconds, then applies the upstream's rate limit
    (``rate_per_s`` calls a second per upstream, None = unlimited: the player
    upstream serves fetch_metadata, fetch_subtitle_track and download_audio,
    the transcript upstream list_caption_tracks and fetch_captions), then the
    injected ``faults`` drawn under ``seed``. Every failure is the exception
    the real library raises (:mod:`.errors`). ``stats`` counts calls per
    upstream; ``calls`` counts calls in flight per video id (with
    ``call_log``, a file several processes append to, which also gets each
    call's admission by the rate limit, with its upstream; see :mod:`.calls`).
    Raises ValueError at once for an id that is not 11 characters of
    ``[A-Za-z0-9_-]``, as the real client does.

    Playlists and channels (:mod:`.sources`) are listed through the player
    upstream (its latency, rate limit and transient faults, drawn per page),
    ``page_entries`` of the source at a time. ``private_rate`` and
    ``deleted_rate`` (0..1, seeded) make entries private or deleted;
    ``page_faults`` fails chosen pages of every source (:class:`PageFaults`);
    ``feed_fault`` fails every feed fetch (:class:`FeedFault`);
    ``uploads_file`` holds ``<key> <count>`` lines of published uploads,
    re-read on every call (for a server in another process), on top of
    those :meth:`publish` adds.
    """

    def __init__(
        self,
        *,
        corpus_dir: Path | None = None,
        latency_s: float = 0.0,
        rate_per_s: float | None = None,
        faults: FaultMix | None = None,
        seed: int = 0,
        call_log: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
        private_rate: float = 0.0,
        deleted_rate: float = 0.0,
        page_faults: PageFaults | None = None,
        feed_fault: FeedFault | None = None,
        uploads_file: Path | None = None,
    ) -> None:
        if latency_s < 0:
            raise ValueError(f"latency_s must be >= 0, got {latency_s}")
        if not (0 <= private_rate <= 1 and 0 <= deleted_rate <= 1 and private_rate + deleted_rate <= 1):
            raise ValueError(f"private_rate {private_rate} and deleted_rate {deleted_rate} must be in [0, 1], sum <= 1")
        self.corpus_dir = corpus_dir
        self.latency_s = latency_s
        self.rate_per_s = rate_per_s
        self.faults = faults
        self.seed = seed
        self.stats = SimStats()
        self.calls = CallTracker(call_log)
        self._recorded = load_corpus(corpus_dir) if corpus_dir is not None else {}
        self._plan = FaultPlan(faults or FaultMix(), seed=seed)
        self._buckets = (
            {u: TokenBucket(rate_per_s, clock=clock) for u in (Upstream.PLAYER, Upstream.TRANSCRIPT)}
            if rate_per_s is not None
            else {}
        )
        self._session = requests.Session()  # handed to TranscriptList; never sends
        self._speech = speech_available()
        self.private_rate = private_rate
        self.deleted_rate = deleted_rate
        self.page_faults = page_faults or PageFaults()
        self.feed_fault = feed_fault
        self.uploads_file = uploads_file
        self._recorded_sources = load_recorded_sources(corpus_dir) if corpus_dir is not None else {}
        self._published: Counter[str] = Counter()
        self._page_attempts: Counter[tuple[str, ChannelTab | None, int]] = Counter()

    def __repr__(self) -> str:
        return (
            f"SimBackend(corpus_dir={self.corpus_dir!r}, latency_s={self.latency_s}, "
            f"rate_per_s={self.rate_per_s}, faults={str(self.faults) if self.faults else None!r}, seed={self.seed}, "
            f"private_rate={self.private_rate}, deleted_rate={self.deleted_rate}, "
            f"page_faults={str(self.page_faults)!r}, "
            f"feed_fault={self.feed_fault!r}, uploads_file={self.uploads_file!r})"
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SimBackend:
        """Build from ``IMPORT_SIM_CORPUS`` (directory), ``IMPORT_SIM_LATENCY_MS``,
        ``IMPORT_SIM_RATE`` (calls/s per upstream), ``IMPORT_SIM_FAULTS`` (a
        :meth:`FaultMix.parse` string), ``IMPORT_SIM_SEED``,
        ``IMPORT_SIM_CALL_LOG`` (a file), ``IMPORT_SIM_PRIVATE_ENTRIES`` and
        ``IMPORT_SIM_DELETED_ENTRIES`` (fractions of listed entries),
        ``IMPORT_SIM_PAGE_FAULTS`` (a :meth:`PageFaults.parse` string),
        ``IMPORT_SIM_FEED_FAULT`` (a :class:`FeedFault` value) and
        ``IMPORT_SIM_UPLOADS_FILE`` (a file); unset or blank means the
        default. Raises ValueError naming a malformed variable."""
        corpus = _env(environ, "IMPORT_SIM_CORPUS", Path)
        latency_ms = _env(environ, "IMPORT_SIM_LATENCY_MS", float)
        return cls(
            corpus_dir=corpus,
            latency_s=latency_ms / 1000 if latency_ms is not None else 0.0,
            rate_per_s=_env(environ, "IMPORT_SIM_RATE", float),
            faults=_env(environ, "IMPORT_SIM_FAULTS", FaultMix.parse),
            seed=_env(environ, "IMPORT_SIM_SEED", int) or 0,
            call_log=_env(environ, "IMPORT_SIM_CALL_LOG", Path),
            private_rate=_env(environ, "IMPORT_SIM_PRIVATE_ENTRIES", float) or 0.0,
            deleted_rate=_env(environ, "IMPORT_SIM_DELETED_ENTRIES", float) or 0.0,
            page_faults=_env(environ, "IMPORT_SIM_PAGE_FAULTS", PageFaults.parse),
            feed_fault=_env(environ, "IMPORT_SIM_FEED_FAULT", FeedFault),
            uploads_file=_env(environ, "IMPORT_SIM_UPLOADS_FILE", Path),
        )

    def video(self, video_id: str) -> SimVideo:
        """What the simulator knows of ``video_id``, permanent faults applied."""
        video = self._recorded.get(video_id) or generated_video(video_id)
        permanent = self._plan.permanent(video_id)
        return video.refused(_PERMANENT_FAULTS[permanent]) if permanent else video

    async def fetch_metadata(self, video_id: str) -> VideoMetadata:
        """As ``extract_info(watch_url, download=False)``; raises ``DownloadError``."""
        video = await self._player_call(video_id)
        assert video.info is not None
        return metadata_from_info(video.info)

    async def list_caption_tracks(self, video_id: str) -> list[CaptionTrack]:
        """As ``YouTubeTranscriptApi().list(video_id)``; raises its errors."""
        transcripts = await self._transcript_call(video_id)
        return [CaptionTrack(t.language_code, t.language, t.is_generated) for t in transcripts]

    async def fetch_captions(self, video_id: str, track: CaptionTrack) -> list[CaptionSegment]:
        """The cues of ``track``; raises ``NoTranscriptFound`` when it is not listed."""
        transcripts = await self._transcript_call(video_id)
        find = (
            transcripts.find_generated_transcript
            if track.is_generated
            else transcripts.find_manually_created_transcript
        )
        find([track.language_code])
        return self._cues(video_id, track.language_code, is_generated=track.is_generated)

    async def fetch_subtitle_track(self, video_id: str, track: SubtitleTrack) -> list[CaptionSegment]:
        """The cues of a listed subtitle file, rendered in ``track.ext`` and parsed back.

        Raises ``DownloadError`` (HTTP 404 for a track the video does not list),
        ValueError for a URL that is not this video's timedtext URL (as the real client).
        """
        if not is_timedtext_url(track.url, require_video_id(video_id)):
            raise ValueError(f"not a timedtext URL of video {video_id}: {track.url!r}")
        fault = await self._admit(video_id, Upstream.PLAYER)
        if fault is not None:
            raise _subtitle_fault(video_id, track, fault)
        video = self.video(video_id)
        if video.web_status is not None:
            raise errors.ytdlp_refusal(video_id, video.web_status)
        assert video.info is not None
        listed = {(t.language_code, t.is_generated) for t in metadata_from_info(video.info).subtitle_tracks}
        if (track.language_code, track.is_generated) not in listed:
            raise errors.subtitle_http_error(video_id, track.language_code, track.ext, 404)
        cues = self._cues(video_id, track.language_code, is_generated=track.is_generated)
        return parse_subtitles(render(cues, track.ext), track.ext)

    async def download_audio(self, video_id: str, dest_dir: Path) -> Path:
        """Write ``<id>.wav`` into ``dest_dir`` (speech or tone, at most 30 s).

        When cancelled, raises only once the writing thread has ended.
        """
        video = await self._player_call(video_id)
        cues = self._cues(video_id, "en", is_generated=True)
        text = " ".join(" ".join(c.text for c in cues).split()[:SPOKEN_WORDS])
        path = dest_dir / f"{video_id}.wav"
        write = partial(write_audio, path, text=text or "silence", duration_s=video.duration_s, speech=self._speech)
        return await run_in_thread_to_the_end(write)

    async def list_source_page(self, source: SourceRef, cursor: str | None) -> SourcePage:
        """As yt-dlp's flat extraction of ``source.url``: the ``source.page_entries`` entries after
        ``cursor`` (newest first for channel tabs), mapped as the real client maps them.

        Raises ``DownloadError`` as yt-dlp's ``youtube:tab`` does: for a
        transient fault or rate limit on the page, a scripted page fault,
        "YouTube said: The playlist does not exist." or HTTP 404 for a
        missing channel; ValueError for a malformed cursor.
        """
        skip = parse_cursor(cursor)
        page_number = skip // source.page_entries + 1
        kind, source_id = source_key(source)
        fault = await self._admit_call(source.key, f"{source_id}|{source.tab}|page{page_number}", Upstream.PLAYER)
        attempt = self._page_attempts[source_id, source.tab, page_number]
        self._page_attempts[source_id, source.tab, page_number] += 1
        fault = fault or self.page_faults.fault(page_number, attempt)
        if fault is not None:
            raise _page_fault(source.key, page_number, fault)
        found = self._source(kind, source_id, source.key)
        if found is None:
            if kind is SourceKind.PLAYLIST:
                raise errors.tab_refusal(source.key, "The playlist does not exist.")
            raise errors.tab_http_error(source.key, 1, 404)
        published = self.published(source_id)
        count = entry_count(found, source.tab, published)
        stop = min(count, skip + source.page_entries)
        info = flat_info(found, source.tab, count)
        entries = (self._entry(found, source, index, published) for index in range(skip, stop))
        return SourcePage(
            entries=tuple(e for raw in entries if (e := entry_from_flat(flat_entry(raw, found, source.tab)))),
            title=source_title(info, source),
            channel_id=info.get("channel_id"),
            total=source_total(info),
            next_cursor=str(stop) if stop < count else None,
        )

    async def fetch_feed(self, url: str) -> bytes:
        """The Atom feed of a simulated channel (its videos tab) or playlist: its latest 15
        available entries, as YouTube renders them.

        Raises ValueError for a URL :func:`parse_feed_url` refuses;
        ``httpx.HTTPStatusError`` 404 for a missing source, 429 (with
        Retry-After) from the rate limit or a fault, 5xx; ``httpx.ReadTimeout``.
        With ``feed_fault`` set, every fetch fails so (``malformed`` answers
        a cut-off document).
        """
        kind, source_id = parse_feed_url(url)
        fault = await self._admit_call(source_id, f"feed|{source_id}", Upstream.PLAYER)
        if fault is not None:
            raise _feed_fault(url, fault)
        if self.feed_fault is FeedFault.MALFORMED:
            return b'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n <entry>'
        if self.feed_fault is FeedFault.TIMEOUT:
            raise errors.httpx_timeout(url)
        if self.feed_fault is not None:
            status = _FEED_FAULT_STATUS[self.feed_fault]
            raise errors.httpx_status_error(url, status, retry_after_s=30 if status == 429 else None)
        found = self._source(kind, source_id, source_id)
        if found is None:
            raise errors.httpx_status_error(url, 404)
        published = self.published(source_id)
        tab_source = SourceRef(kind, source_id)
        listed = []
        for index in range(entry_count(found, None, published)):
            entry = self._entry(found, tab_source, index, published)
            if entry.state is EntryState.AVAILABLE:
                listed.append(entry)
            if len(listed) == FEED_ENTRIES:
                break
        return render_feed(found, listed)

    def publish(self, source: SourceRef | str, count: int = 1) -> None:
        """Add ``count`` new uploads on top of a playlist or a channel's videos tab (and feed).

        ``source`` is a SourceRef or a key as a SourceRef holds it (a playlist
        id, ``UC…``, ``@handle``, ...). Raises ValueError for ``count`` < 1.
        """
        if count < 1:
            raise ValueError(f"count must be >= 1, got {count}")
        self._published[source_key(source)[1]] += count

    def published(self, source_id: str) -> int:
        """Uploads published so far to the source ``source_id`` (a playlist or ``UC…`` id):
        by :meth:`publish` plus the uploads file's lines, which are re-read now."""
        from_file = read_uploads_file(self.uploads_file) if self.uploads_file is not None else Counter()
        return self._published[source_id] + from_file[source_id]

    def _source(self, kind: SourceKind, source_id: str, key: str) -> SimSource | None:
        return find_source(kind, source_id, self._recorded_sources, original_key=key)

    def _entry(self, found: SimSource, source: SourceRef, index: int, published: int) -> SimEntry:
        return entry_at(
            found,
            source.tab,
            index,
            published=published,
            seed=self.seed,
            private_rate=self.private_rate,
            deleted_rate=self.deleted_rate,
        )

    async def _player_call(self, video_id: str) -> SimVideo:
        """Admit a yt-dlp extraction; raise its DownloadError or return the playable video."""
        fault = await self._admit(video_id, Upstream.PLAYER)
        if fault is not None:
            raise _player_fault(video_id, fault)
        video = self.video(video_id)
        if video.web_status is not None:
            raise errors.ytdlp_refusal(video_id, video.web_status)
        return video

    async def _transcript_call(self, video_id: str) -> TranscriptList:
        """Admit a youtube-transcript-api call; raise its error or return the track list."""
        fault = await self._admit(video_id, Upstream.TRANSCRIPT)
        if fault is not None:
            raise _transcript_fault(video_id, fault)
        video = self.video(video_id)
        captions = errors.transcript_refusal(video_id, video.player_response)
        return TranscriptList.build(self._session, video_id, captions)

    async def _admit(self, video_id: str, upstream: Upstream) -> Fault | None:
        """Check the id, wait ``latency_s``, apply the rate limit and draw a transient fault."""
        require_video_id(video_id)
        return await self._admit_call(video_id, video_id, upstream)

    async def _admit_call(self, name: str, draw_key: str, upstream: Upstream) -> Fault | None:
        """Wait ``latency_s`` (the call counted and logged under ``name``), apply the rate
        limit, and draw a transient fault for the next call of ``draw_key``."""
        with self.calls.call(name):
            if self.latency_s:
                await asyncio.sleep(self.latency_s)
        stats = self.stats.of(upstream)
        bucket = self._buckets.get(upstream)
        wait_s = bucket.try_acquire() if bucket is not None else None
        self.calls.admitted(name, upstream.value, accepted=wait_s is None)
        if wait_s is not None:
            stats.rejected += 1
            return Fault(FaultKind.RATE_LIMITED, retry_after_s=retry_after_header_s(wait_s))
        stats.accepted += 1
        fault = self._plan.transient(draw_key, upstream)
        if fault is not None:
            stats.faulted += 1
        return fault

    def _cues(self, video_id: str, language_code: str, *, is_generated: bool) -> list[CaptionSegment]:
        """Recorded cues for a recorded manual English track, else generated ones."""
        video = self.video(video_id)
        if video.timedtext and language_code == "en" and not is_generated:
            return parse_srv1(video.timedtext)
        return generated_cues(video_id, language_code, is_generated=is_generated, duration_s=video.duration_s)


def _env(environ: Mapping[str, str], name: str, convert: Callable[[str], T]) -> T | None:
    """``convert`` of a variable's value, None when unset or blank.

    Raises ValueError naming the variable when ``convert`` refuses the value.
    """
    raw = environ.get(name, "").strip()
    if not raw:
        return None
    try:
        return convert(raw)
    except ValueError as exc:
        raise ValueError(f"{name}={raw!r}: {exc}") from exc


def _player_fault(video_id: str, fault: Fault) -> DownloadError:
    """A transient fault as yt-dlp's extraction reports it."""
    if fault.kind is FaultKind.TIMEOUT:
        return errors.ytdlp_timeout(video_id)
    if fault.kind is FaultKind.BOT_CHECK:
        return errors.ytdlp_refusal(video_id, Unplayable.BOT_CHECK.web_status)
    return errors.ytdlp_http_error(video_id, _status(fault), retry_after_s=fault.retry_after_s)


def _page_fault(key: str, page: int, fault: Fault) -> DownloadError:
    """A transient fault on page ``page`` of a playlist or tab, as yt-dlp reports it."""
    if fault.kind is FaultKind.TIMEOUT:
        return errors.tab_timeout(key, page)
    if fault.kind is FaultKind.BOT_CHECK:
        return errors.tab_http_error(key, page, 403)
    return errors.tab_http_error(key, page, _status(fault), retry_after_s=fault.retry_after_s)


def _feed_fault(url: str, fault: Fault) -> Exception:
    """A transient fault on a feed request, as httpx reports it (a bot check answers 429)."""
    if fault.kind is FaultKind.TIMEOUT:
        return errors.httpx_timeout(url)
    return errors.httpx_status_error(url, _status(fault), retry_after_s=fault.retry_after_s)


def _subtitle_fault(video_id: str, track: SubtitleTrack, fault: Fault) -> DownloadError:
    """A transient fault while downloading a subtitle file (a bot check answers 429)."""
    if fault.kind is FaultKind.TIMEOUT:
        return errors.subtitle_timeout(video_id, track.language_code, track.ext)
    return errors.subtitle_http_error(
        video_id, track.language_code, track.ext, _status(fault), retry_after_s=fault.retry_after_s
    )


def _transcript_fault(video_id: str, fault: Fault) -> Exception:
    """A transient fault as youtube-transcript-api reports it."""
    if fault.kind is FaultKind.TIMEOUT:
        return errors.read_timeout(f"https://www.youtube.com/watch?v={video_id}")
    if fault.kind is FaultKind.BOT_CHECK:
        return RequestBlocked(video_id)
    return errors.transcript_http_error(video_id, _status(fault), retry_after_s=fault.retry_after_s)


def _status(fault: Fault) -> int:
    """The HTTP status of an HTTP-shaped fault: 429 for rate limits and bot checks."""
    return fault.status if fault.kind is FaultKind.SERVER_ERROR and fault.status else 429
