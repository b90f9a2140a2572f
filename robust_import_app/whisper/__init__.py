"""Whisper transcription for videos YouTube has no captions for.

Two engines share one protocol (:class:`Transcriber`): an OpenAI-compatible
API (Groq by default) and a local faster-whisper model. :func:`build_transcriber`
picks one from settings; :func:`transcribe_file` splits long audio and
stitches the pieces back.
"""

from robust_import_app.whisper.api import (
    DEFAULT_WHISPER_API_URL,
    DEFAULT_WHISPER_MAX_UPLOAD_MB,
    DEFAULT_WHISPER_MODEL,
    DEFAULT_WHISPER_TIMEOUT_S,
    WhisperApiClient,
    parse_verbose_json,
)
from robust_import_app.whisper.audio import (
    AudioChunk,
    probe_duration_s,
    split_audio,
    stitch,
    temporary_workdir,
)
from robust_import_app.whisper.local import LocalWhisper
from robust_import_app.whisper.result import TranscriptionResult
from robust_import_app.whisper.transcriber import (
    Transcriber,
    build_transcriber,
    transcribe_file,
)

__all__ = [
    "DEFAULT_WHISPER_API_URL",
    "DEFAULT_WHISPER_MAX_UPLOAD_MB",
    "DEFAULT_WHISPER_MODEL",
    "DEFAULT_WHISPER_TIMEOUT_S",
    "AudioChunk",
    "LocalWhisper",
    "TranscriptionResult",
    "Transcriber",
    "WhisperApiClient",
    "build_transcriber",
    "parse_verbose_json",
    "probe_duration_s",
    "split_audio",
    "stitch",
    "temporary_workdir",
    "transcribe_file",
]
