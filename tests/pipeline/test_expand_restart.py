"""Expansion survives what the videos survive: a worker killed mid-page, a lease that expired, two workers at once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from robust_import_app import library
from robust_import_app.db import Database
from robust_import_app.domain.sources import Lister, SourceState
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.pipeline.queue.lease import LeaseLost
from robust_import_app.pipeline.queue.sources import PagePlan, SourceQueue
from robust_import_app.pipeline.queue.videos import ImportQueue
from robust_import_app.pipeline.resilience.guard import Guards
from robust_import_app.pipeline.sources.expand import SourceExpander
from robust_import_app.pipeline.stages.context import StageContext
from robust_import_app.youtube.sim import SimBackend
from robust_import_app.youtube.sources import SourceEntry
from tests.pipeline.helpers import FAST_GUARD, FAST_RETRY
from tests.pipeline.source_helpers import (
    SourceSink,
    list_video_ids,
    settle_sources,
    source_row,
    source_worker,
)

ROOT = Path(__file__).resolve().parents[2]
PLAYLIST_400 = "https://www.youtube.com/playlist?list=PLsimulated400"


class PageCountingSim(SimBackend):
    """Counts the listing calls per (source, cursor); ``hold`` blocks the call of one cursor until set."""

    def __init__(self, *, hold_cursor: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.pages: Counter[tuple[str, str | None]] = Counter()
        self.hold_cursor = hold_cursor
        self.held = asyncio.Event()
        self.release = asyncio.Event()

    async def list_source_page(self, source, cursor):
        self.pages[source.key, cursor] += 1
        if cursor is not None and cursor == self.hold_cursor:
            self.held.set()
            await self.release.wait()
        return await super().list_source_page(source, cursor)


def _expander(db: Database, backend, *, worker_id: str, lease_s: float) -> SourceExpander:
    queue = ImportQueue(db, worker_id=worker_id, lease_s=lease_s)
    ctx = StageContext(backend=backend, guards=Guards.from_configs({u: FAST_GUARD for u in Upstream}), queue=queue)
    return SourceExpander(
        ctx,
        queue=SourceQueue(db, worker_id=worker_id, lease_s=lease_s),
        sink=SourceSink(db),
        retry_policy=FAST_RETRY,
    )


@pytest.mark.asyncio
async def test_a_lease_that_expired_mid_page_is_taken_over_resumes_at_the_cursor_and_fences_the_old_holder(db):
    list_id = library.ensure_default_list(db)
    [source_id] = library.import_paste(db, list_id, PLAYLIST_400, ask_large=False).sources
    backend = SimBackend()
    # Worker A, on another host, stores page 1, claims page 2, then goes silent (no renewal, no release).
    stalled = _expander(db, backend, worker_id="otherhost:4242:aaaa", lease_s=0.3)
    first = stalled.queue.claim_due()
    await stalled.run_page(first)
    second = stalled.queue.claim_due()
    assert second is not None and second.cursor == "100"
    assert source_row(db, source_id).claimed_by == "otherhost:4242:aaaa"

    counting = PageCountingSim()
    worker = source_worker(db, counting, SourceSink(db), videos_in_flight=0)
    await settle_sources(worker)  # claims once A's lease ran out (0.3 s)

    assert counting.pages[("PLsimulated400", None)] == 0, "page 1 is not listed again"
    assert sorted(cursor for _, cursor in counting.pages) == ["100", "200", "300"]
    ids = list_video_ids(db, list_id)
    assert len(ids) == len(set(ids)) == 400
    assert source_row(db, source_id).state is SourceState.DONE
    with pytest.raises(LeaseLost):  # A wakes up and writes its page: fenced, nothing written
        await asyncio.to_thread(stalled.queue.save_page, second, _plan_of(second))
    assert len(list_video_ids(db, list_id)) == 400


def _plan_of(job):
    return PagePlan(
        (SourceEntry("zombieAAAAA"),), True, SourceState.EXPANDING, "200", job.found + 1, 400, True, Lister.YTDLP_FLAT
    )


@pytest.mark.asyncio
async def test_a_worker_stopped_mid_page_gives_the_source_back_and_the_next_one_resumes_at_the_cursor(db):
    list_id = library.ensure_default_list(db)
    [source_id] = library.import_paste(db, list_id, PLAYLIST_400, ask_large=False).sources
    backend = PageCountingSim(hold_cursor="200")
    first = source_worker(db, backend, SourceSink(db), videos_in_flight=0)
    task = asyncio.create_task(first.run())
    await asyncio.wait_for(backend.held.wait(), timeout=30)  # listing page 3, pages 1 and 2 stored
    assert source_row(db, source_id).found == 200 and source_row(db, source_id).claimed_by is not None
    task.cancel()  # a server stop
    with pytest.raises(asyncio.CancelledError):
        await task
    assert source_row(db, source_id).claimed_by is None, "released at once, not left to expire"

    resumed = PageCountingSim()
    await settle_sources(source_worker(db, resumed, SourceSink(db), videos_in_flight=0))
    assert sorted(cursor for _, cursor in resumed.pages) == ["200", "300"]
    ids = list_video_ids(db, list_id)
    assert len(ids) == len(set(ids)) == 400


@pytest.mark.asyncio
async def test_two_workers_list_each_page_of_a_source_once(db):
    list_id = library.ensure_default_list(db)
    library.import_paste(db, list_id, PLAYLIST_400, ask_large=False)
    library.import_paste(db, list_id, "https://www.youtube.com/@simchannel95", ask_large=False)
    backend = PageCountingSim(latency_s=0.02)
    workers = [source_worker(db, backend, SourceSink(db), videos_in_flight=0) for _ in range(2)]
    await asyncio.gather(*(settle_sources(worker) for worker in workers))
    assert backend.pages and set(backend.pages.values()) == {1}, f"a page listed twice: {backend.pages}"
    assert len(backend.pages) == 4 + 4, "400 entries in pages of 100, 95 in pages of 30"
    ids = list_video_ids(db, list_id)
    assert len(ids) == len(set(ids)) == 495


def _wait_until(predicate, *, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.asyncio
async def test_kill_9_mid_expansion_then_restart_creates_every_entry_once(db, db_url, tmp_path):
    list_id = library.ensure_default_list(db)
    [source_id] = library.import_paste(db, list_id, PLAYLIST_400, ask_large=False).sources
    env = {
        **os.environ,
        "REFLEX_DB_URL": db_url,
        "IMPORT_BACKEND": "sim",
        "IMPORT_SIM_LATENCY_MS": "600",
        "IMPORT_REQUEST_INTERVAL_S": "0.01",
        "IMPORT_VIDEOS_IN_FLIGHT": "1",
    }
    env.pop("REFLEX_REDIS_URL", None)
    with (tmp_path / "worker.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "robust_import_app", "worker"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until(lambda: source_row(db, source_id).found >= 100, timeout_s=60, what="the first page")
            _wait_until(lambda: source_row(db, source_id).claimed_by is not None, timeout_s=30, what="the next page")
            os.killpg(process.pid, signal.SIGKILL)
        finally:
            process.wait(timeout=30)
    killed = source_row(db, source_id)
    assert killed.state is SourceState.EXPANDING and killed.found < 400, "the kill came too late to prove anything"
    assert killed.claimed_by is not None, "the killed worker left the source leased"

    await settle_sources(source_worker(db, SimBackend(), SourceSink(db), videos_in_flight=0))
    row = source_row(db, source_id)
    assert (row.state, row.found, row.claimed_by) == (SourceState.DONE, 400, None)
    ids = list_video_ids(db, list_id)
    assert len(ids) == len(set(ids)) == 400, "nothing lost, nothing created twice"
