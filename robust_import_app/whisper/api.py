"""A client for any OpenAI-compatible ``POST /audio/transcriptions`` endpoint.

Groq is the default provider. Its limits on the free tier, which the caller's
rate limiter and :func:`~robust_import_app.whisper.transcriber.transcribe_file`
must respect:

- uploads of at most 25 MB per request (``WHISPER_MAX_UPLOAD_MB``, default
  :data:`DEFAULT_WHISPER_MAX_UPLOAD_MB`; longer audio is split first),
- 20 requests per minute,
- 7,200 audio-seconds per hour (ASH): two hours of audio an hour; each request
  is billed for at least 10 seconds.

The client only speaks HTTP. A bad status raises :class:`httpx.HTTPStatusError`
(429 with its ``Retry-After`` header, 401 bad key, 413 too large, 5xx) and a
slow server :class:`httpx.TimeoutException`; the pipeline's classifier turns
those into import errors, and rate limiting, the circuit breaker and retries
wrap this client from outside. It never retries by itself.
"""

from __future__ import annotations

import asyncio
import mimetypes
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from robust_import_app.domain.video import CaptionSegment
from robust_import_app.whisper.result import TranscriptionResult

DEFAULT_WHISPER_API_URL = "https://api.groq.com/openai/v1"
DEFAULT_WHISPER_MODEL = "whisper-large-v3"
"""Groq's most accurate model; ``whisper-large-v3-turbo`` is cheaper and faster."""
DEFAULT_WHISPER_TIMEOUT_S = 120.0
DEFAULT_WHISPER_MAX_UPLOAD_MB = 25.0
BYTES_PER_MB = 1_000_000
"""Decimal megabytes: the smaller reading of "MB", so uploads fit either way."""


class WhisperApiClient:
    """Transcribes audio files through an OpenAI-compatible Whisper endpoint.

    Usage::

        async with WhisperApiClient(api_key="gsk_...", timeout_s=120.0) as client:
            result = await client.transcribe(Path("audio.m4a"), language="en")

    All arguments are keyword-only. ``base_url`` ends before
    ``/audio/transcriptions``; ``timeout_s`` (seconds) bounds connecting, each
    read and each write; ``max_upload_mb`` (decimal MB) is the provider's upload
    limit, exposed as :attr:`max_upload_bytes` so that larger files get split.
    ``transport`` replaces the network layer (tests); ``proxy_url`` is used
    otherwise when set.
    """

    __slots__ = ("base_url", "model", "max_upload_bytes", "_client")

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = DEFAULT_WHISPER_API_URL,
        model: str = DEFAULT_WHISPER_MODEL,
        timeout_s: float = DEFAULT_WHISPER_TIMEOUT_S,
        max_upload_mb: float = DEFAULT_WHISPER_MAX_UPLOAD_MB,
        proxy_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("api_key must not be empty")
        if timeout_s <= 0 or max_upload_mb <= 0:
            raise ValueError("timeout_s and max_upload_mb must be positive")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.max_upload_bytes: int | None = int(max_upload_mb * BYTES_PER_MB)
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=httpx.Timeout(timeout_s),
            proxy=None if transport is not None else proxy_url,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"WhisperApiClient(base_url={self.base_url!r}, model={self.model!r})"

    async def transcribe(self, audio_path: Path, *, language: str | None = None) -> TranscriptionResult:
        """Upload one file and return its segments (times in seconds).

        ``language`` is an ISO-639-1 code ("en"); None lets the model detect
        it. Raises :class:`httpx.HTTPStatusError` on a 4xx/5xx answer and
        :class:`httpx.TimeoutException` / :class:`httpx.TransportError` when
        the server is slow or unreachable.
        """
        content = await asyncio.to_thread(Path(audio_path).read_bytes)
        mime = mimetypes.guess_type(audio_path.name)[0] or "application/octet-stream"
        data = {
            "model": self.model,
            "response_format": "verbose_json",
            "timestamp_granularities[]": "segment",
        }
        if language:
            data["language"] = language
        response = await self._client.post(
            "/audio/transcriptions",
            data=data,
            files={"file": (audio_path.name, content, mime)},
        )
        response.raise_for_status()
        return parse_verbose_json(response.json())

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def __aenter__(self) -> WhisperApiClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def parse_verbose_json(payload: dict[str, Any]) -> TranscriptionResult:
    """Turn a ``verbose_json`` body into a result; blank segments are dropped.

    ``language`` is kept as the server names it (OpenAI and Groq answer with
    the English name, e.g. "english", not the ISO code). A body without
    ``segments`` but with ``text`` becomes one segment spanning ``duration``.
    """
    duration = payload.get("duration")
    audio_duration_s = float(duration) if duration is not None else None
    segments = tuple(
        CaptionSegment(
            start_s=float(item["start"]),
            duration_s=max(0.0, float(item["end"]) - float(item["start"])),
            text=str(item["text"]).strip(),
        )
        for item in payload.get("segments") or ()
        if str(item.get("text", "")).strip()
    )
    text = str(payload.get("text") or "").strip()
    if not segments and text:
        segments = (CaptionSegment(0.0, audio_duration_s or 0.0, text),)
    return TranscriptionResult(
        language=payload.get("language") or None,
        segments=segments,
        audio_duration_s=audio_duration_s,
    )
