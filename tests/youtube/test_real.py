"""The real client, offline: id and URL checks, library options, youtube-transcript-api
run against recorded YouTube responses through a replaying requests adapter, and yt-dlp's
real audio download from a server on 127.0.0.1 (only YouTube's extractor is replaced)."""

from __future__ import annotations

import asyncio
import inspect
import io
import json
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import youtube_transcript_api as yta
from pytest_httpserver import HTTPServer
from requests.adapters import BaseAdapter
from werkzeug import Request, Response
from youtube_transcript_api.proxies import GenericProxyConfig
from yt_dlp.extractor.youtube import YoutubeIE
from yt_dlp.networking.common import Response as YtDlpResponse
from yt_dlp.networking.exceptions import HTTPError
from yt_dlp.utils import DownloadError

from robust_import_app.domain.errors import ErrorCode, PermanentImportError
from robust_import_app.domain.video import CaptionSegment, CaptionTrack, SubtitleTrack
from robust_import_app.whisper.audio import temporary_workdir
from robust_import_app.youtube import real
from robust_import_app.youtube.backend import YouTubeBackend
from robust_import_app.youtube.real import YouTubeClient, require_video_id
from robust_import_app.youtube.sim import SimBackend
from robust_import_app.youtube.sim.errors import subtitle_http_error
from tests.conftest import CORPUS_DIR

CORPUS = CORPUS_DIR
YTA = CORPUS / "youtube-transcript-api"
PROXY = "http://user:secret@proxy.example:3128"
COOKIES = """# Netscape HTTP Cookie File
.youtube.com\tTRUE\t/\tTRUE\t2147483647\tSID\tsecret-sid
.youtube.com\tTRUE\t/\tFALSE\t0\tPREF\thl=en
"""
TIMEDTEXT = "https://www.youtube.com/api/timedtext?v=abcdefghijk&lang=en&fmt=json3"


@pytest.fixture
def cookies_file(tmp_path: Path) -> Path:
    path = tmp_path / "cookies.txt"
    path.write_text(COOKIES, encoding="utf-8")
    return path


class FakeYoutubeDL:
    """Stands in for ``yt_dlp.YoutubeDL``: records params and calls."""

    made: list[FakeYoutubeDL] = []
    info: dict[str, Any] = {}
    urlopen_result: Exception | bytes = b""

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params
        self.calls: list[tuple[str, Any]] = []
        FakeYoutubeDL.made.append(self)

    def __enter__(self) -> FakeYoutubeDL:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def extract_info(self, url: str, download: bool = True, process: bool = True) -> dict[str, Any]:
        self.calls.append(("extract_info", (url, download, process)))
        return FakeYoutubeDL.info

    def process_ie_result(self, info: dict[str, Any], download: bool = True) -> dict[str, Any]:
        self.calls.append(("process_ie_result", download))
        return info

    def urlopen(self, url: str) -> io.BytesIO:
        self.calls.append(("urlopen", url))
        if isinstance(FakeYoutubeDL.urlopen_result, Exception):
            raise FakeYoutubeDL.urlopen_result
        return io.BytesIO(FakeYoutubeDL.urlopen_result)


@pytest.fixture
def fake_ytdl(monkeypatch: pytest.MonkeyPatch) -> type[FakeYoutubeDL]:
    FakeYoutubeDL.made = []
    FakeYoutubeDL.info = {"id": "abcdefghijk", "title": "T", "channel": "C", "duration": 12}
    FakeYoutubeDL.urlopen_result = b""
    monkeypatch.setattr(real, "YoutubeDL", FakeYoutubeDL)
    return FakeYoutubeDL


@pytest.mark.parametrize("video_id", ["abcdefghijk", "A-_0123456z", "dQw4w9WgXcQ"])
def test_require_video_id_accepts_ids(video_id: str) -> None:
    assert require_video_id(video_id) == video_id


@pytest.mark.parametrize(
    "text",
    [
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "dQw4w9WgXc",
        "dQw4w9WgXcQQ",
        "dQw4w9WgXcQ\n",
        "dQw4w9WgX Q",
        "dQw4w9WgX/Q",
        "",
        None,
        12345678901,
    ],
)
def test_require_video_id_refuses_everything_else(text: Any) -> None:
    with pytest.raises(ValueError):
        require_video_id(text)


@pytest.mark.asyncio
async def test_urls_never_reach_either_library(fake_ytdl: type[FakeYoutubeDL], monkeypatch: pytest.MonkeyPatch) -> None:
    client = YouTubeClient()
    monkeypatch.setattr(YouTubeClient, "transcript_api", lambda self: pytest.fail("transcript api built"))
    url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    for call in (
        client.fetch_metadata(url),
        client.download_audio(url, Path("/tmp")),
        client.list_caption_tracks(url),
        client.fetch_captions(url, CaptionTrack("en", "English", False)),
        client.fetch_subtitle_track(url, SubtitleTrack("en", "json3", TIMEDTEXT, False)),
    ):
        with pytest.raises(ValueError):
            await call
    assert fake_ytdl.made == []


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/api/timedtext?v=abcdefghijk&fmt=json3",
        "http://www.youtube.com/api/timedtext?v=abcdefghijk&fmt=json3",
        "https://www.youtube.com/api/timedtext?v=otherotherX&fmt=json3",
        "https://www.youtube.com:8443/api/timedtext?v=abcdefghijk",
        "https://www.youtube.com/redirect?v=abcdefghijk&q=https://evil.example",
        "file:///etc/passwd",
    ],
)
async def test_subtitle_urls_other_than_this_videos_timedtext_are_refused(
    url: str, fake_ytdl: type[FakeYoutubeDL]
) -> None:
    with pytest.raises(ValueError):
        await YouTubeClient().fetch_subtitle_track("abcdefghijk", SubtitleTrack("en", "json3", url, False))
    assert fake_ytdl.made == []


@pytest.mark.asyncio
async def test_metadata_uses_watch_url_and_the_configured_options(
    fake_ytdl: type[FakeYoutubeDL], cookies_file: Path
) -> None:
    client = YouTubeClient(cookies_file=cookies_file, proxy_url=PROXY, socket_timeout_s=7.5)
    metadata = await client.fetch_metadata("abcdefghijk")
    assert (metadata.video_id, metadata.title, metadata.duration_s) == ("abcdefghijk", "T", 12)
    [ydl] = fake_ytdl.made
    assert ydl.calls == [("extract_info", ("https://www.youtube.com/watch?v=abcdefghijk", False, True))]
    params = ydl.params
    assert params["cookiefile"] == str(cookies_file) and params["proxy"] == PROXY
    assert params["socket_timeout"] == 7.5
    assert params["quiet"] and params["no_warnings"] and params["skip_download"] and params["noplaylist"]
    assert "extractor_args" not in params


def test_repr_does_not_show_proxy_credentials(cookies_file: Path) -> None:
    text = repr(YouTubeClient(cookies_file=cookies_file, proxy_url=PROXY))
    assert "secret" not in text and "cookies.txt" in text


def test_options_leave_out_cookies_and_proxy_when_unset() -> None:
    params = YouTubeClient().ytdlp_options()
    assert "cookiefile" not in params and "proxy" not in params
    assert params["socket_timeout"] == real.DEFAULT_SOCKET_TIMEOUT_S


def test_transcript_api_gets_proxy_config_cookies_and_timeout(cookies_file: Path) -> None:
    api = YouTubeClient(cookies_file=cookies_file, proxy_url=PROXY, socket_timeout_s=9.0).transcript_api()
    fetcher = api._fetcher  # noqa: SLF001 - the library keeps its config here
    proxy = fetcher._proxy_config  # noqa: SLF001
    assert isinstance(proxy, GenericProxyConfig)
    assert (proxy.http_url, proxy.https_url) == (PROXY, PROXY)
    session = fetcher._http_client  # noqa: SLF001
    assert session.proxies == {"http": PROXY, "https": PROXY}
    assert session.cookies.get("SID", domain=".youtube.com") == "secret-sid"
    assert session.timeout_s == 9.0


def test_transcript_api_without_proxy_or_cookies() -> None:
    api = YouTubeClient().transcript_api()
    assert api._fetcher._proxy_config is None  # noqa: SLF001
    assert len(api._fetcher._http_client.cookies) == 0  # noqa: SLF001


def test_missing_cookies_file_fails_at_construction(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        YouTubeClient(cookies_file=tmp_path / "missing.txt")


class ReplayAdapter(BaseAdapter):
    """Answers youtube-transcript-api's three requests from recorded files."""

    def __init__(self, player_response: Path, *, status: int = 200) -> None:
        super().__init__()
        self.player_response = player_response
        self.status = status
        self.timeouts: list[Any] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.timeouts.append(kwargs.get("timeout"))
        url = request.url or ""
        if "/watch" in url:
            body = (YTA / "youtube.html.static").read_bytes()
        elif "/youtubei/v1/player" in url:
            body = self.player_response.read_bytes()
        elif "/api/timedtext" in url:
            body = (YTA / "transcript.xml.static").read_bytes()
        else:
            raise AssertionError(f"unexpected request {url}")
        response = requests.Response()
        response.status_code, response._content, response.url = self.status, body, url  # noqa: SLF001
        response.request = request
        return response

    def close(self) -> None:
        return None


def replaying_client(monkeypatch: pytest.MonkeyPatch, player_response: str, *, status: int = 200) -> ReplayAdapter:
    """Make every YouTubeClient's transcript API talk to a ReplayAdapter."""
    if not YTA.is_dir():
        pytest.skip("shared corpus not available")
    adapter = ReplayAdapter(YTA / player_response, status=status)
    original = YouTubeClient.transcript_api

    def transcript_api(self: YouTubeClient) -> yta.YouTubeTranscriptApi:
        api = original(self)
        api._fetcher._http_client.mount("https://", adapter)  # noqa: SLF001
        return api

    monkeypatch.setattr(YouTubeClient, "transcript_api", transcript_api)
    return adapter


@pytest.mark.asyncio
async def test_recorded_caption_list_and_transcript_match_the_simulator(monkeypatch: pytest.MonkeyPatch) -> None:
    adapter = replaying_client(monkeypatch, "youtube.innertube.json.static")
    client = YouTubeClient(socket_timeout_s=3.0)
    tracks = await client.list_caption_tracks("GJLlxj_dtq8")
    sim = SimBackend(corpus_dir=CORPUS)
    assert tracks == await sim.list_caption_tracks("GJLlxj_dtq8")
    english = CaptionTrack("en", "English", False)
    cues = await client.fetch_captions("GJLlxj_dtq8", english)
    assert cues == await sim.fetch_captions("GJLlxj_dtq8", english)
    assert cues[0] == CaptionSegment(0.0, 1.54, "Hey, this is just a test")
    assert set(adapter.timeouts) == {3.0}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("recording", "video_id", "error"),
    [
        ("youtube_age_restricted.innertube.json.static", "Njp5uhTorCo", yta.AgeRestricted),
        ("youtube_transcripts_disabled.innertube.json.static", "dsMFmonKDD4", yta.TranscriptsDisabled),
    ],
)
async def test_recorded_refusals_match_the_simulator(
    monkeypatch: pytest.MonkeyPatch, recording: str, video_id: str, error: type
) -> None:
    replaying_client(monkeypatch, recording)
    with pytest.raises(error):
        await YouTubeClient().list_caption_tracks(video_id)
    with pytest.raises(error):
        await SimBackend(corpus_dir=CORPUS).list_caption_tracks(video_id)


@pytest.mark.asyncio
async def test_http_429_from_youtube_is_ip_blocked_as_in_the_simulator(monkeypatch: pytest.MonkeyPatch) -> None:
    replaying_client(monkeypatch, "youtube.innertube.json.static", status=429)
    with pytest.raises(yta.IpBlocked):
        await YouTubeClient().list_caption_tracks("GJLlxj_dtq8")


@pytest.mark.asyncio
async def test_subtitle_download_parses_and_wraps_errors_like_yt_dlp(fake_ytdl: type[FakeYoutubeDL]) -> None:
    track = SubtitleTrack("en", "json3", TIMEDTEXT, True)
    fake_ytdl.urlopen_result = json.dumps(
        {"events": [{"tStartMs": 500, "dDurationMs": 1500, "segs": [{"utf8": "hello"}]}]}
    ).encode()
    assert await YouTubeClient().fetch_subtitle_track("abcdefghijk", track) == [CaptionSegment(0.5, 1.5, "hello")]
    assert fake_ytdl.made[-1].calls == [("urlopen", TIMEDTEXT)]

    fake_ytdl.urlopen_result = HTTPError(YtDlpResponse(io.BytesIO(b""), TIMEDTEXT, {"Retry-After": "30"}, status=429))
    with pytest.raises(DownloadError) as caught:
        await YouTubeClient().fetch_subtitle_track("abcdefghijk", track)
    assert str(caught.value) == str(subtitle_http_error("abcdefghijk", "en", "json3", 429))
    assert caught.value.exc_info[1].response.headers["Retry-After"] == "30"


@pytest.mark.asyncio
async def test_download_audio_asks_for_the_smallest_audio_into_dest_dir(
    fake_ytdl: type[FakeYoutubeDL], tmp_path: Path
) -> None:
    fake_ytdl.info = {
        "id": "abcdefghijk",
        "ext": "webm",
        "requested_downloads": [{"filepath": str(tmp_path / "abcdefghijk.webm")}],
    }
    path = await YouTubeClient(max_audio_bytes=5_000_000).download_audio("abcdefghijk", tmp_path)
    assert path == tmp_path / "abcdefghijk.webm"
    [ydl] = fake_ytdl.made
    assert ydl.calls == [
        ("extract_info", ("https://www.youtube.com/watch?v=abcdefghijk", False, False)),
        ("process_ie_result", True),
    ]
    assert ydl.params["format"] == "bestaudio/best" and ydl.params["format_sort"] == ["+size", "+br"]
    assert ydl.params["outtmpl"] == str(tmp_path / "%(id)s.%(ext)s") and not ydl.params["skip_download"]
    assert ydl.params["max_filesize"] == 5_000_000 and len(ydl.params["progress_hooks"]) == 1


# --- the audio download, for real, from 127.0.0.1 ------------------------------

AUDIO_PATH = "/audio.webm"
VIDEO_ID = "abcdefghijk"
CHUNK_BYTES = 16_384


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where :func:`temporary_workdir` makes its folders during the test."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


@pytest.fixture
def youtube_points_at(monkeypatch: pytest.MonkeyPatch, api_server: HTTPServer) -> Callable[..., None]:
    """Make yt-dlp's YouTube extractor describe one audio-only format served by ``api_server``.

    Everything after the extraction (format choice, the HTTP download,
    ``max_filesize``, progress hooks) is yt-dlp's own. ``before_return`` runs
    inside the extraction, in yt-dlp's thread.
    """

    def point(*, live_status: str = "not_live", before_return: Callable[[], None] = lambda: None) -> None:
        def real_extract(ie: YoutubeIE, url: str) -> dict[str, Any]:
            before_return()
            return {
                "id": ie._match_id(url),  # noqa: SLF001 - the extractor's own id parsing
                "title": "Audio test",
                "duration": 60,
                "live_status": live_status,
                "formats": [
                    {
                        "format_id": "251",
                        "url": api_server.url_for(AUDIO_PATH),
                        "ext": "webm",
                        "acodec": "opus",
                        "vcodec": "none",
                        "abr": 50,
                    }
                ],
            }

        monkeypatch.setattr(YoutubeIE, "_real_extract", real_extract)

    return point


def threads_in_yt_dlp() -> list[str]:
    """Names of the other threads whose call stack is inside yt-dlp right now."""
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    return [
        names.get(ident, str(ident))
        for ident, frame in sys._current_frames().items()  # noqa: SLF001 - the only view of other stacks
        if ident != threading.get_ident()
        and any("yt_dlp" in Path(f.f_code.co_filename).parts for f, _ in traceback.walk_stack(frame))
    ]


def slow_body(total_bytes: int, *, pause_s: float, first_sent: threading.Event) -> Iterator[bytes]:
    """``total_bytes`` in 16 KiB blocks, ``pause_s`` apart; ``first_sent`` is set after the first."""
    for sent in range(0, total_bytes, CHUNK_BYTES):
        yield b"\x1a" * min(CHUNK_BYTES, total_bytes - sent)
        first_sent.set()
        time.sleep(pause_s)


async def until(condition: Callable[[], bool], *, timeout_s: float = 10.0) -> None:
    """Poll ``condition`` every 10 ms; fail the test after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def download_in_workdir(client: YouTubeClient, workdirs: list[Path]) -> Path:
    """What the captions stage does: a temporary folder, the download into it."""
    with temporary_workdir() as workdir:
        workdirs.append(workdir)
        return await client.download_audio(VIDEO_ID, workdir)


@pytest.mark.asyncio
async def test_download_audio_fetches_the_file_yt_dlp_chose(
    api_server: HTTPServer, youtube_points_at: Callable[..., None], tmp_path: Path
) -> None:
    youtube_points_at(live_status="was_live")
    api_server.expect_request(AUDIO_PATH).respond_with_data(b"\x1a" * 100_000, content_type="audio/webm")
    path = await YouTubeClient().download_audio(VIDEO_ID, tmp_path)
    assert path == tmp_path / f"{VIDEO_ID}.webm"
    assert path.read_bytes() == b"\x1a" * 100_000


@pytest.mark.asyncio
async def test_cancelled_download_stops_yt_dlp_and_leaves_no_files(
    api_server: HTTPServer, youtube_points_at: Callable[..., None], temp_root: Path
) -> None:
    youtube_points_at()
    first_sent = threading.Event()
    total_bytes = 1_000 * CHUNK_BYTES  # 16 MB at 16 KiB per 10 ms: at least 10 s to the end
    api_server.expect_request(AUDIO_PATH).respond_with_handler(
        lambda request: Response(
            slow_body(total_bytes, pause_s=0.01, first_sent=first_sent),
            headers={"Content-Length": str(total_bytes)},
            content_type="audio/webm",
        )
    )
    workdirs: list[Path] = []
    task = asyncio.create_task(download_in_workdir(YouTubeClient(), workdirs))
    await until(lambda: first_sent.is_set() and any(p.stat().st_size for p in workdirs[0].glob("*.part")))

    task.cancel()  # the server is stopped while the audio downloads
    with pytest.raises(asyncio.CancelledError):
        await task

    assert threads_in_yt_dlp() == [], "yt-dlp is still downloading after the task ended"
    assert list(temp_root.iterdir()) == []


@pytest.mark.asyncio
async def test_cancelled_during_extraction_downloads_nothing_afterwards(
    api_server: HTTPServer, youtube_points_at: Callable[..., None], temp_root: Path
) -> None:
    extracting, release = threading.Event(), threading.Event()

    def slow_extraction() -> None:
        extracting.set()
        assert release.wait(10)

    youtube_points_at(before_return=slow_extraction)
    api_server.expect_request(AUDIO_PATH).respond_with_data(b"\x1a" * 100_000, content_type="audio/webm")
    task = asyncio.create_task(download_in_workdir(YouTubeClient(), []))
    await until(extracting.is_set)

    task.cancel()
    await asyncio.sleep(0)  # the task takes its cancellation; yt-dlp is still extracting
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert threads_in_yt_dlp() == []
    assert list(temp_root.iterdir()) == [], "yt-dlp re-created the removed folder"
    assert api_server.log == [], "the audio was downloaded after the cancellation"


@pytest.mark.asyncio
async def test_audio_over_max_audio_bytes_is_too_large_before_a_byte_is_written(
    api_server: HTTPServer, youtube_points_at: Callable[..., None], tmp_path: Path
) -> None:
    youtube_points_at()
    api_server.expect_request(AUDIO_PATH).respond_with_data(b"\x1a" * 200_000, content_type="audio/webm")
    with pytest.raises(PermanentImportError) as caught:
        await YouTubeClient(max_audio_bytes=100_000).download_audio(VIDEO_ID, tmp_path)
    assert caught.value.code is ErrorCode.TOO_LARGE and caught.value.video_id == VIDEO_ID
    assert "100000 bytes" in caught.value.detail
    assert list(tmp_path.iterdir()) == []


@pytest.mark.asyncio
async def test_audio_without_a_length_is_stopped_at_max_audio_bytes(
    api_server: HTTPServer, youtube_points_at: Callable[..., None], tmp_path: Path
) -> None:
    youtube_points_at()
    sent: list[int] = []

    def endless(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(10_000):  # 160 MB if nobody stopped it
                sent.append(CHUNK_BYTES)
                yield b"\x1a" * CHUNK_BYTES

        return Response(body(), content_type="audio/webm")  # no Content-Length

    api_server.expect_request(AUDIO_PATH).respond_with_handler(endless)
    with pytest.raises(PermanentImportError) as caught:
        await YouTubeClient(max_audio_bytes=1_000_000).download_audio(VIDEO_ID, tmp_path)
    assert caught.value.code is ErrorCode.TOO_LARGE
    part_bytes = sum(p.stat().st_size for p in tmp_path.iterdir())
    assert 1_000_000 < part_bytes < 1_000_000 + 4 * 1024 * 1024  # one read of yt-dlp's (at most 4 MiB) past the cap


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("live_status", "code"),
    [("is_upcoming", ErrorCode.UPCOMING), ("is_live", ErrorCode.UNPLAYABLE), ("post_live", ErrorCode.UNPLAYABLE)],
)
async def test_live_and_upcoming_streams_are_refused_before_downloading(
    api_server: HTTPServer, youtube_points_at: Callable[..., None], tmp_path: Path, live_status: str, code: ErrorCode
) -> None:
    youtube_points_at(live_status=live_status)
    api_server.expect_request(AUDIO_PATH).respond_with_data(b"\x1a" * 1_000, content_type="audio/webm")
    with pytest.raises(PermanentImportError) as caught:
        await YouTubeClient().download_audio(VIDEO_ID, tmp_path)
    assert caught.value.code is code and caught.value.message == code.message
    assert live_status in caught.value.detail
    assert api_server.log == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("backend", [YouTubeClient, SimBackend])
def test_both_backends_implement_the_protocol(backend: type) -> None:
    for name, method in inspect.getmembers(YouTubeBackend, inspect.isfunction):
        if name.startswith("_"):
            continue
        implemented = getattr(backend, name)
        assert inspect.iscoroutinefunction(implemented), name
        assert list(inspect.signature(implemented).parameters) == list(inspect.signature(method).parameters)
