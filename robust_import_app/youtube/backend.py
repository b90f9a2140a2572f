"""The one interface through which the pipeline reaches YouTube.

Two implementations exist, picked by ``IMPORT_BACKEND``:

* ``youtube`` (:mod:`robust_import_app.youtube.real`): yt-dlp for metadata,
  subtitles and audio, youtube-transcript-api for captions.
* ``sim`` (:mod:`robust_import_app.youtube.sim`): a simulated YouTube for
  offline use, demos, tests and benchmarks.

Both raise the *libraries'* own exceptions (``yt_dlp.utils.DownloadError``,
``youtube_transcript_api`` errors, ``httpx`` errors) with the messages those
libraries use, so that the pipeline's classifier
(:mod:`robust_import_app.pipeline.resilience.classify`) cannot tell them apart. The
exception: refusals the libraries have no error for (see
:meth:`YouTubeBackend.download_audio`) are the pipeline's own
``PermanentImportError``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from robust_import_app.domain.video import (
    CaptionSegment,
    CaptionTrack,
    SubtitleTrack,
    VideoMetadata,
)
from robust_import_app.youtube.sources import SourcePage, SourceRef


class YouTubeBackend(Protocol):
    """Asynchronous access to YouTube for one validated video id or source at a time.

    Every video method takes an 11-character video id that
    :func:`robust_import_app.youtube.parse_video_id` accepted, every source
    method a :class:`SourceRef` the parser built (or a feed URL made by
    :func:`~robust_import_app.youtube.sources.feed_url`); none ever sees a
    pasted string.
    """

    async def fetch_metadata(self, video_id: str) -> VideoMetadata:
        """Title, channel, duration, description, chapters and subtitle tracks.

        Raises ``yt_dlp.utils.DownloadError`` on every failure, as
        ``YoutubeDL.extract_info(url, download=False)`` does.
        """
        ...

    async def list_caption_tracks(self, video_id: str) -> list[CaptionTrack]:
        """The caption tracks YouTube lists, manual and auto-generated.

        Raises ``youtube_transcript_api`` errors (``TranscriptsDisabled``,
        ``RequestBlocked``, ``IpBlocked``, ``VideoUnavailable``, ...).
        """
        ...

    async def fetch_captions(self, video_id: str, track: CaptionTrack) -> list[CaptionSegment]:
        """The cues of one caption track; raises as :meth:`list_caption_tracks`."""
        ...

    async def fetch_subtitle_track(self, video_id: str, track: SubtitleTrack) -> list[CaptionSegment]:
        """The cues of a subtitle file yt-dlp listed; raises ``DownloadError``."""
        ...

    async def download_audio(self, video_id: str, dest_dir: Path) -> Path:
        """Download the smallest audio-only format into ``dest_dir``.

        Returns the file's path. Raises ``yt_dlp.utils.DownloadError``, or
        ``PermanentImportError`` with code TOO_LARGE (audio over the backend's
        cap), UPCOMING or UNPLAYABLE (a stream not started, still live or not
        yet processed). When the awaiting task is cancelled, nothing writes
        into ``dest_dir`` any more once this has raised.
        """
        ...

    async def list_source_page(self, source: SourceRef, cursor: str | None) -> SourcePage:
        """One page of a playlist's or channel tab's entries, by yt-dlp's flat extraction.

        ``cursor`` is None for the first page, else the ``next_cursor`` of
        the page before (the number of entries read so far, as a decimal
        string). A page holds what one request to YouTube returns: about 100
        entries of a playlist, 30 of a channel tab (newest first). Private
        and deleted entries are listed with their
        :class:`~robust_import_app.youtube.sources.EntryState`.
        Raises ``yt_dlp.utils.DownloadError`` as ``extract_info`` does (a
        missing playlist, HTTP 429, a timeout), ValueError for a cursor that
        is not a count.
        """
        ...

    async def fetch_feed(self, url: str) -> bytes:
        """The raw Atom document at ``url``, a ``https://www.youtube.com/feeds/videos.xml?…`` URL.

        Parse it with :func:`robust_import_app.youtube.feed.parse_feed`.
        Raises ValueError for any other URL, ``httpx.HTTPStatusError`` for an
        error status (404 for an unknown channel or playlist, 429, 5xx) and
        ``httpx.TimeoutException`` / ``httpx.TransportError`` from the transport.
        """
        ...
