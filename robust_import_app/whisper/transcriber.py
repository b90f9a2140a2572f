"""Choosing a Whisper engine and transcribing a whole file with it.

The caption chain calls :func:`build_transcriber` once from settings and,
when it returns an engine, :func:`transcribe_file` for each video without
captions. It splits files over the engine's upload limit and stitches the
pieces back, so callers never see chunks.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Protocol

from robust_import_app.threads import run_in_thread_to_the_end
from robust_import_app.whisper.api import (
    DEFAULT_WHISPER_API_URL,
    DEFAULT_WHISPER_MAX_UPLOAD_MB,
    DEFAULT_WHISPER_MODEL,
    DEFAULT_WHISPER_TIMEOUT_S,
    WhisperApiClient,
)
from robust_import_app.whisper.audio import split_audio, stitch, temporary_workdir
from robust_import_app.whisper.local import LocalWhisper
from robust_import_app.whisper.result import TranscriptionResult


class Transcriber(Protocol):
    """A Whisper engine: :class:`WhisperApiClient` or :class:`LocalWhisper`."""

    max_upload_bytes: int | None
    """The largest file (bytes) one call accepts; None when there is no limit."""

    async def transcribe(self, audio_path: Path, *, language: str | None = None) -> TranscriptionResult: ...

    async def aclose(self) -> None: ...


async def transcribe_file(
    engine: Transcriber,
    audio_path: Path,
    *,
    max_upload_bytes: int | None = None,
    language: str | None = None,
) -> TranscriptionResult:
    """Transcribe a whole file, in chunks when it exceeds the upload limit.

    The limit (bytes) is ``max_upload_bytes`` when given, else the engine's
    own; None (the local engine) means one call for the whole file. Chunks are
    sent one after another, in order, and their segments shifted by each
    chunk's offset (seconds). The chunk folder is removed afterwards, also on
    error or cancellation (an ffmpeg run already started in its worker thread
    then fails harmlessly). Errors from the engine propagate unchanged.
    """
    audio_path = Path(audio_path)
    limit = max_upload_bytes if max_upload_bytes is not None else engine.max_upload_bytes
    if limit is None or audio_path.stat().st_size <= limit:
        return await engine.transcribe(audio_path, language=language)
    with temporary_workdir() as workdir:
        # ffmpeg writes into ``workdir``: let it end before the folder goes, even on cancellation.
        chunks = await run_in_thread_to_the_end(
            functools.partial(split_audio, audio_path, max_bytes=limit, workdir=workdir)
        )
        results = []
        for chunk in chunks:
            result = await engine.transcribe(chunk.path, language=language)
            results.append((chunk.offset_s, result))
    return stitch(results)


def build_transcriber(
    *,
    api_key: str | None = None,
    local_model_dir: Path | str | None = None,
    api_url: str = DEFAULT_WHISPER_API_URL,
    model: str = DEFAULT_WHISPER_MODEL,
    timeout_s: float = DEFAULT_WHISPER_TIMEOUT_S,
    max_upload_mb: float = DEFAULT_WHISPER_MAX_UPLOAD_MB,
    proxy_url: str | None = None,
) -> Transcriber | None:
    """The engine the settings ask for, or None to skip the Whisper step.

    A local model folder wins (no quota, audio stays here); otherwise an API
    key selects the OpenAI-compatible API at ``api_url``. Raises
    :class:`FileNotFoundError` when the local folder holds no model.
    """
    if local_model_dir:
        return LocalWhisper(local_model_dir)
    if api_key:
        return WhisperApiClient(
            base_url=api_url,
            api_key=api_key,
            model=model,
            timeout_s=timeout_s,
            max_upload_mb=max_upload_mb,
            proxy_url=proxy_url,
        )
    return None
