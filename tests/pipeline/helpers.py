"""Builders for pipeline tests: a worker on the simulated YouTube, a recording sink."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import select

from robust_import_app.db import Database
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.models import Video
from robust_import_app.pipeline.config import GuardConfig
from robust_import_app.pipeline.progress.sink import VideoUpdate
from robust_import_app.pipeline.queue.videos import BatchSummary, ImportQueue
from robust_import_app.pipeline.resilience.guard import Guards
from robust_import_app.pipeline.resilience.retry import RetryPolicy
from robust_import_app.pipeline.stages.context import StageContext
from robust_import_app.pipeline.worker import ImportWorker
from robust_import_app.youtube.backend import YouTubeBackend

FAST_GUARD = GuardConfig(interval_s=0.001, max_interval_s=0.01, concurrency=8, cooldown_s=0.05, cooldown_max_s=0.2)
FAST_RETRY = RetryPolicy(max_attempts=8, backoff_base_s=0.005, backoff_max_s=0.02)


@dataclass
class RecordingSink:
    """Keeps every report; ``stored_stages`` reads the row's stage at report time."""

    db: Database
    updates: list[VideoUpdate] = field(default_factory=list)
    stored_stages: list[tuple[str, str]] = field(default_factory=list)
    summaries: list[BatchSummary] = field(default_factory=list)

    def video_changed(self, update: VideoUpdate) -> None:
        self.updates.append(update)
        with self.db.read() as session:
            row = session.exec(select(Video).where(Video.youtube_id == update.youtube_id)).one()
        self.stored_stages.append((update.youtube_id, row.import_stage.value))

    def batch_finished(self, summary: BatchSummary) -> None:
        self.summaries.append(summary)

    def stages_of(self, youtube_id: str) -> list[str]:
        return [u.stage.value for u in self.updates if u.youtube_id == youtube_id]


def make_worker(
    db: Database,
    backend: YouTubeBackend,
    sink,
    *,
    retry: RetryPolicy = FAST_RETRY,
    guard: GuardConfig = FAST_GUARD,
    queue: ImportQueue | None = None,
    videos_in_flight: int = 8,
    poll_interval_s: float = 0.01,
    **context,
) -> ImportWorker:
    """A worker with fast limits, polling every 10 ms (by default)."""
    ctx = StageContext(
        backend=backend,
        guards=Guards.from_configs({upstream: guard for upstream in Upstream}),
        queue=queue or ImportQueue(db),
        **context,
    )
    return ImportWorker(
        ctx, sink=sink, retry_policy=retry, videos_in_flight=videos_in_flight, poll_interval_s=poll_interval_s
    )
