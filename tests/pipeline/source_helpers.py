"""Builders for the source tests: a worker that expands and follows sources on the simulated YouTube."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from sqlmodel import col, select

from robust_import_app.db import Database
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.models import ImportSource, Video
from robust_import_app.pipeline.progress.sink import SourceUpdate
from robust_import_app.pipeline.queue.sources import SourceQueue
from robust_import_app.pipeline.queue.videos import ImportQueue
from robust_import_app.pipeline.resilience.guard import Guards
from robust_import_app.pipeline.sources.expand import SourceExpander
from robust_import_app.pipeline.sources.follow import FollowChecker
from robust_import_app.pipeline.stages.context import StageContext
from robust_import_app.pipeline.worker import ImportWorker
from robust_import_app.youtube.backend import YouTubeBackend
from robust_import_app.youtube.data_api import DataApiClient
from tests.pipeline.helpers import FAST_GUARD, FAST_RETRY, RecordingSink


@dataclass
class SourceSink(RecordingSink):
    """A :class:`RecordingSink` that also keeps the source reports."""

    sources: list[SourceUpdate] = field(default_factory=list)

    def video_changed(self, update) -> None:
        self.updates.append(update)

    def source_changed(self, update: SourceUpdate) -> None:
        self.sources.append(update)


class CountingGuards(Guards):
    """Guards that count the requests each upstream's guard let through, by stage."""

    def __init__(self, guards: Guards) -> None:
        super().__init__(dict(guards.items()))
        self.requests: Counter[tuple[Upstream, str | None]] = Counter()
        self._inner = guards

    def __getitem__(self, upstream: Upstream):
        inner = self._inner[upstream]
        counts = self.requests

        class _Counted:
            def __init__(self) -> None:
                self.upstream = upstream
                self.breaker = inner.breaker

            @contextlib.asynccontextmanager
            async def request(self, *, video_id=None, stage=None):
                async with inner.request(video_id=video_id, stage=stage):
                    counts[upstream, stage] += 1
                    yield

        return _Counted()


def source_worker(
    db: Database,
    backend: YouTubeBackend,
    sink,
    *,
    confirm_over: int = 200,
    lease_s: float = 30.0,
    data_api: DataApiClient | None = None,
    follow_interval_s: float | None = None,
    videos_in_flight: int = 8,
    guards: Guards | None = None,
    worker_id: str | None = None,
) -> ImportWorker:
    """A worker with fast limits that expands sources (and, with ``follow_interval_s``, checks follows)."""
    queue = ImportQueue(db, lease_s=lease_s, worker_id=worker_id)
    ctx = StageContext(
        backend=backend,
        guards=guards or Guards.from_configs({upstream: FAST_GUARD for upstream in Upstream}),
        queue=queue,
    )
    expander = SourceExpander(
        ctx,
        queue=SourceQueue(db, worker_id=queue.worker_id, lease_s=lease_s),
        sink=sink,
        retry_policy=FAST_RETRY,
        confirm_over=confirm_over,
        data_api=data_api,
    )
    follower = None
    if follow_interval_s is not None:
        follower = FollowChecker(ctx, db=db, sink=sink, interval_s=follow_interval_s)
    return ImportWorker(
        ctx,
        sink=sink,
        retry_policy=FAST_RETRY,
        videos_in_flight=videos_in_flight,
        poll_interval_s=0.01,
        expander=expander,
        follower=follower,
    )


async def run_until_idle(worker: ImportWorker, *, timeout_s: float = 60) -> None:
    await asyncio.wait_for(worker.run(until_idle=True), timeout=timeout_s)


@contextlib.asynccontextmanager
async def running(worker: ImportWorker) -> AsyncIterator[asyncio.Task[None]]:
    """Run ``worker`` in the background; cancel it on exit (a server stop: leases released)."""
    task = asyncio.create_task(worker.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def settle_sources(worker: ImportWorker, *, timeout_s: float = 60) -> None:
    """Run ``worker`` until no source has a page left to list; the videos stay as they are
    (build it with ``videos_in_flight=0`` to list without importing)."""
    assert worker.expander is not None
    queue = worker.expander.queue
    async with running(worker):
        await until(
            lambda: not worker.source_job_running and not queue.has_work(), timeout_s=timeout_s, what="the sources"
        )


async def until(predicate, *, timeout_s: float = 30, what: str = "the condition") -> None:
    """Wait (polling every 10 ms, at most ``timeout_s``) until ``predicate()`` is true."""

    async def poll() -> None:
        while not await asyncio.to_thread(predicate):
            await asyncio.sleep(0.01)

    try:
        await asyncio.wait_for(poll(), timeout=timeout_s)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


def source_row(db: Database, source_id: int) -> ImportSource:
    with db.read() as session:
        row = session.get(ImportSource, source_id)
        assert row is not None
        return row


def list_video_ids(db: Database, list_id: int) -> list[str]:
    """The list's video ids, as the list shows them (newest first)."""
    with db.read() as session:
        return list(
            session.exec(
                select(Video.youtube_id)
                .where(Video.list_id == list_id)
                .order_by(col(Video.created_at).desc(), col(Video.id).desc())
            ).all()
        )
