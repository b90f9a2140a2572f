"""The Whisper API client against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from robust_import_app.domain.video import CaptionSegment
from robust_import_app.whisper import TranscriptionResult, WhisperApiClient, parse_verbose_json

PATH = "/openai/v1/audio/transcriptions"
KEY = "gsk_test_key"
VERBOSE_JSON = {
    "task": "transcribe",
    "language": "english",
    "duration": 5.25,
    "text": "Hello there. General Kenobi.",
    "segments": [
        {"id": 0, "seek": 0, "start": 0.0, "end": 2.5, "text": " Hello there.", "avg_logprob": -0.2},
        {"id": 1, "seek": 0, "start": 2.5, "end": 2.5, "text": "   "},
        {"id": 2, "seek": 0, "start": 2.75, "end": 5.25, "text": " General Kenobi. "},
    ],
    "x_groq": {"id": "req_01"},
}


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, content_type="application/json")


@pytest.fixture
def audio(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp3"
    path.write_bytes(b"ID3\x04" + bytes(range(256)) * 40)
    return path


def _client(server: HTTPServer, **kwargs: Any) -> WhisperApiClient:
    return WhisperApiClient(base_url=server.url_for("/openai/v1"), api_key=KEY, **kwargs)


@pytest.mark.asyncio
async def test_upload_is_multipart_and_segments_are_parsed(api_server: HTTPServer, audio: Path) -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: Request) -> Response:
        upload = request.files["file"]
        seen.append(
            {
                "form": request.form.to_dict(),
                "name": upload.filename,
                "bytes": upload.read(),
                "auth": request.headers.get("Authorization"),
                "type": request.mimetype,
            }
        )
        return _json(VERBOSE_JSON)

    api_server.expect_request(PATH, method="POST").respond_with_handler(handler)
    async with _client(api_server, model="whisper-large-v3-turbo") as client:
        result = await client.transcribe(audio, language="en")

    assert result == TranscriptionResult(
        language="english",
        segments=(CaptionSegment(0.0, 2.5, "Hello there."), CaptionSegment(2.75, 2.5, "General Kenobi.")),
        audio_duration_s=5.25,
    )
    [request] = seen
    assert request["form"] == {
        "model": "whisper-large-v3-turbo",
        "response_format": "verbose_json",
        "timestamp_granularities[]": "segment",
        "language": "en",
    }
    assert request["name"] == "clip.mp3"
    assert request["bytes"] == audio.read_bytes()
    assert request["auth"] == f"Bearer {KEY}"
    assert request["type"] == "multipart/form-data"


@pytest.mark.asyncio
async def test_language_is_left_out_when_not_given(api_server: HTTPServer, audio: Path) -> None:
    forms: list[dict[str, str]] = []

    def handler(request: Request) -> Response:
        forms.append(request.form.to_dict())
        return _json(VERBOSE_JSON)

    api_server.expect_request(PATH, method="POST").respond_with_handler(handler)
    async with _client(api_server) as client:
        await client.transcribe(audio)
    assert "language" not in forms[0]
    assert forms[0]["model"] == "whisper-large-v3"


@pytest.mark.parametrize(
    ("status", "body", "headers"),
    [
        (
            429,
            {
                "error": {
                    "message": "Rate limit reached for model whisper-large-v3",
                    "type": "tokens",
                    "code": "rate_limit_exceeded",
                }
            },
            {"Retry-After": "17"},
        ),
        (
            413,
            {
                "error": {
                    "message": "Request Entity Too Large",
                    "type": "invalid_request_error",
                    "code": "request_too_large",
                }
            },
            {},
        ),
        (
            401,
            {"error": {"message": "Invalid API Key", "type": "invalid_request_error", "code": "invalid_api_key"}},
            {},
        ),
        (503, {"error": {"message": "Service Unavailable", "type": "internal_server_error"}}, {}),
    ],
    ids=["rate-limited", "too-large", "bad-key", "server-error"],
)
@pytest.mark.asyncio
async def test_error_status_raises_http_status_error(
    api_server: HTTPServer, audio: Path, status: int, body: dict[str, Any], headers: dict[str, str]
) -> None:
    api_server.expect_request(PATH, method="POST").respond_with_response(_json(body, status, headers))
    async with _client(api_server) as client:
        with pytest.raises(httpx.HTTPStatusError) as caught:
            await client.transcribe(audio)
    response = caught.value.response
    assert response.status_code == status
    assert response.json() == body
    for name, value in headers.items():
        assert response.headers[name] == value


@pytest.mark.asyncio
async def test_slow_server_raises_timeout(api_server: HTTPServer, audio: Path) -> None:
    def handler(request: Request) -> Response:
        time.sleep(0.5)
        return _json(VERBOSE_JSON)

    api_server.expect_request(PATH, method="POST").respond_with_handler(handler)
    started = time.monotonic()
    async with _client(api_server, timeout_s=0.2) as client:
        with pytest.raises(httpx.TimeoutException):
            await client.transcribe(audio)
    assert time.monotonic() - started < 0.45


@pytest.mark.asyncio
async def test_closed_client_refuses_requests(api_server: HTTPServer, audio: Path) -> None:
    client = _client(api_server)
    await client.aclose()
    with pytest.raises(RuntimeError):
        await client.transcribe(audio)
    assert api_server.log == []


@pytest.mark.asyncio
async def test_constructor_checks_its_arguments() -> None:
    with pytest.raises(ValueError):
        WhisperApiClient(api_key="")
    with pytest.raises(ValueError):
        WhisperApiClient(api_key=KEY, timeout_s=0)
    client = WhisperApiClient(api_key=KEY, max_upload_mb=25)
    assert client.max_upload_bytes == 25_000_000
    assert client.base_url == "https://api.groq.com/openai/v1"
    await client.aclose()


def test_parse_text_only_body_gives_one_segment() -> None:
    result = parse_verbose_json({"text": " Just text. ", "duration": 3.0})
    assert result.segments == (CaptionSegment(0.0, 3.0, "Just text."),)
    assert result.language is None
