"""What the stages are given: the backends, the guards and the limits.

Passed in, never read from module globals, so that a test or a benchmark can
build a pipeline of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from robust_import_app.pipeline.queue.videos import ImportQueue
from robust_import_app.pipeline.resilience.guard import Guards
from robust_import_app.pipeline.stages.metadata_batcher import MetadataBatcher
from robust_import_app.whisper.api import DEFAULT_WHISPER_MAX_UPLOAD_MB
from robust_import_app.whisper.transcriber import Transcriber
from robust_import_app.youtube.backend import YouTubeBackend


@dataclass(frozen=True, kw_only=True, slots=True)
class StageContext:
    """Everything a stage may use.

    ``data_api``: batches metadata through the YouTube Data API when
    ``YOUTUBE_API_KEY`` is set (None otherwise). ``transcriber``: the Whisper
    engine, or None when neither an API key nor a local model is configured.
    ``whisper_max_upload_bytes``: files above it are cut into chunks (the
    provider's upload limit). ``whisper_max_s_per_batch``: transcribed audio
    per batch, in seconds (None: no cap).
    """

    backend: YouTubeBackend
    guards: Guards
    queue: ImportQueue
    data_api: MetadataBatcher | None = None
    transcriber: Transcriber | None = None
    whisper_max_upload_bytes: int = int(DEFAULT_WHISPER_MAX_UPLOAD_MB * 1_000_000)
    whisper_max_s_per_batch: float | None = None
