"""The real client, offline: id and URL checks, library options, and youtube-transcript-api
run against recorded YouTube responses through a replaying requests adapter."""

from __future__ import annotations

import inspect
import io
import json
from pathlib import Path
from typing import Any

import pytest
import requests
import youtube_transcript_api as yta
from requests.adapters import BaseAdapter
from youtube_transcript_api.proxies import GenericProxyConfig
from yt_dlp.networking.common import Response as YtDlpResponse
from yt_dlp.networking.exceptions import HTTPError
from yt_dlp.utils import DownloadError

from robust_import_app.youtube import real
from robust_import_app.youtube.backend import YouTubeBackend
from robust_import_app.youtube.data import CaptionSegment, CaptionTrack, SubtitleTrack
from robust_import_app.youtube.real import YouTubeClient, require_video_id
from robust_import_app.youtube.sim import SimBackend
from robust_import_app.youtube.sim.errors import subtitle_http_error

CORPUS = Path("/work/shared/corpus")
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

    def extract_info(self, url: str, download: bool = True) -> dict[str, Any]:
        self.calls.append(("extract_info", (url, download)))
        return FakeYoutubeDL.info

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
    ["https://www.youtube.com/watch?v=dQw4w9WgXcQ", "dQw4w9WgXc", "dQw4w9WgXcQQ", "dQw4w9WgXcQ\n",
     "dQw4w9WgX Q", "dQw4w9WgX/Q", "", None, 12345678901],
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
    assert ydl.calls == [("extract_info", ("https://www.youtube.com/watch?v=abcdefghijk", False))]
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
        {"events": [{"tStartMs": 500, "dDurationMs": 1500, "segs": [{"utf8": "hello"}]}]}).encode()
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
    fake_ytdl.info = {"id": "abcdefghijk", "ext": "webm",
                      "requested_downloads": [{"filepath": str(tmp_path / "abcdefghijk.webm")}]}
    path = await YouTubeClient().download_audio("abcdefghijk", tmp_path)
    assert path == tmp_path / "abcdefghijk.webm"
    [ydl] = fake_ytdl.made
    assert ydl.calls == [("extract_info", ("https://www.youtube.com/watch?v=abcdefghijk", True))]
    assert ydl.params["format"] == "bestaudio/best" and ydl.params["format_sort"] == ["+size", "+br"]
    assert ydl.params["outtmpl"] == str(tmp_path / "%(id)s.%(ext)s") and not ydl.params["skip_download"]


@pytest.mark.parametrize("backend", [YouTubeClient, SimBackend])
def test_both_backends_implement_the_protocol(backend: type) -> None:
    for name, method in inspect.getmembers(YouTubeBackend, inspect.isfunction):
        if name.startswith("_"):
            continue
        implemented = getattr(backend, name)
        assert inspect.iscoroutinefunction(implemented), name
        assert list(inspect.signature(implemented).parameters) == list(inspect.signature(method).parameters)
