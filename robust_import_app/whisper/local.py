"""Whisper on this machine's CPU, through faster-whisper (CTranslate2).

Pick it over :class:`~robust_import_app.whisper.api.WhisperApiClient` when no
API key is available or audio must not leave the machine: it has no upload
limit and no quota, but is much slower (the tiny model is quick and rough,
larger ones are better and slower).
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from robust_import_app.domain.video import CaptionSegment
from robust_import_app.whisper.result import TranscriptionResult

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

DEFAULT_LOCAL_DEVICE = "cpu"
DEFAULT_LOCAL_COMPUTE_TYPE = "int8"
DEFAULT_LOCAL_BEAM_SIZE = 5


class LocalWhisper:
    """Transcribes files with a faster-whisper model loaded from a local folder.

    ``model_dir`` (``WHISPER_LOCAL_MODEL``) is a CTranslate2 model folder
    holding ``model.bin``; it is never downloaded. The model is loaded lazily,
    once, on first use; each transcription runs in a worker thread so the
    event loop keeps serving. ``cpu_threads`` 0 lets CTranslate2 choose.
    Raises :class:`FileNotFoundError` at once when the folder has no model.
    """

    __slots__ = ("model_dir", "cpu_threads", "beam_size", "_model", "_lock")

    max_upload_bytes: int | None = None
    """No upload: files of any size are transcribed whole."""

    def __init__(
        self,
        model_dir: Path | str,
        *,
        cpu_threads: int = 0,
        beam_size: int = DEFAULT_LOCAL_BEAM_SIZE,
    ) -> None:
        self.model_dir = Path(model_dir)
        if not (self.model_dir / "model.bin").is_file():
            raise FileNotFoundError(f"no CTranslate2 model.bin in {self.model_dir}")
        self.cpu_threads = cpu_threads
        self.beam_size = beam_size
        self._model: WhisperModel | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LocalWhisper(model_dir={str(self.model_dir)!r})"

    async def transcribe(self, audio_path: Path, *, language: str | None = None) -> TranscriptionResult:
        """Transcribe one file (any format ffmpeg reads); times in seconds.

        ``language`` is an ISO-639-1 code, or None to detect it. Cancelling
        the caller does not stop a transcription already running in its thread.
        """
        return await asyncio.to_thread(self._transcribe_sync, Path(audio_path), language)

    async def aclose(self) -> None:
        """Drop the loaded model; the next call loads it again."""
        with self._lock:
            self._model = None

    def _load(self) -> WhisperModel:
        with self._lock:
            if self._model is None:
                from faster_whisper import WhisperModel

                self._model = WhisperModel(
                    str(self.model_dir),
                    device=DEFAULT_LOCAL_DEVICE,
                    compute_type=DEFAULT_LOCAL_COMPUTE_TYPE,
                    cpu_threads=self.cpu_threads,
                    local_files_only=True,
                )
            return self._model

    def _transcribe_sync(self, audio_path: Path, language: str | None) -> TranscriptionResult:
        segments, info = self._load().transcribe(str(audio_path), language=language, beam_size=self.beam_size)
        caption_segments = tuple(  # the generator decodes as it is consumed: here, in the thread
            CaptionSegment(start_s=s.start, duration_s=max(0.0, s.end - s.start), text=s.text.strip())
            for s in segments
            if s.text.strip()
        )
        return TranscriptionResult(language=info.language, segments=caption_segments, audio_duration_s=info.duration)
