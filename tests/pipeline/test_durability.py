"""The queue is the database: kill -9 the running server mid-batch, restart, lose nothing."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import func, select

from robust_import_app import library
from robust_import_app.db import Database
from robust_import_app.domain.stages import ImportStage
from robust_import_app.models import ChapterRow, ImportBatch, TranscriptSegmentRow, Video
from robust_import_app.pipeline.queue.lease import Holder, kernel_id, process_start
from robust_import_app.pipeline.queue.videos import ImportQueue
from tests.e2e.server import running_app

BATCH = [f"kill{n:07d}" for n in range(40)]


def _stage_counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        rows = session.exec(select(Video.import_stage, func.count()).group_by(Video.import_stage)).all()
    return {stage.value: count for stage, count in rows}


def _wait_until(predicate, *, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_kill_9_mid_batch_then_restart_finishes_every_video_once(tmp_path: Path):
    db_url = f"sqlite:///{tmp_path / 'app.db'}?timeout=30"
    env = {"IMPORT_SIM_LATENCY_MS": "250", "IMPORT_VIDEOS_IN_FLIGHT": "4"}
    with running_app(tmp_path, env=env, backend_only=True, db_url=db_url) as app:
        db = Database(db_url)
        list_id = library.ensure_default_list(db)
        outcome = library.import_paste(db, list_id, " ".join(BATCH))
        _wait_until(
            lambda: _stage_counts(db).get("complete", 0) >= 5, timeout_s=120, what="the first videos to complete"
        )
        os.killpg(app.process.pid, signal.SIGKILL)
        app.process.wait()
        counts = _stage_counts(db)
        assert counts.get("complete", 0) < len(BATCH), f"the kill came too late to prove anything: {counts}"
        with db.read() as session:
            leased = session.exec(select(func.count()).where(Video.claimed_by.is_not(None))).one()
        assert leased > 0, "the killed worker left videos claimed mid-stage"
    first_log = (tmp_path / "app.log").read_text()

    with running_app(tmp_path, env=env, backend_only=True, db_url=db_url):
        _wait_until(
            lambda: _stage_counts(db).get("complete", 0) == len(BATCH), timeout_s=180, what="every video to complete"
        )
        with db.read() as session:
            assert session.exec(select(func.count()).select_from(Video)).one() == len(BATCH)
            ids = session.exec(select(Video.youtube_id)).all()
            assert sorted(ids) == sorted(BATCH), "nothing lost, nothing duplicated"
            for table in (TranscriptSegmentRow, ChapterRow):
                rows, distinct = session.exec(
                    select(func.count(), func.count(func.distinct(table.video_id.concat("@").concat(table.start_s))))
                ).one()
                assert rows == distinct, f"{table.__tablename__} rows were written twice"
            batch = session.get(ImportBatch, outcome.batch_id)
        _wait_until(lambda: _announced(db, outcome.batch_id), timeout_s=10, what="the batch summary")
        assert batch is not None
    logs = first_log + (tmp_path / "app.log").read_text()
    assert "database is locked" not in logs


def _announced(db: Database, batch_id: int) -> bool:
    with db.read() as session:
        return session.get(ImportBatch, batch_id).announced_at is not None


def test_readers_and_writers_never_see_database_is_locked(db):
    """The worker's write pattern against the UI's read pattern, in parallel threads."""
    list_id = library.ensure_default_list(db)
    library.import_paste(db, list_id, " ".join(f"lock{n:07d}" for n in range(200)))
    queue = ImportQueue(db)
    errors: list[BaseException] = []
    stop = threading.Event()

    def write() -> None:
        try:
            while not stop.is_set():
                for job in queue.claim_due(8):
                    queue.enter_stage(job, ImportStage.METADATA)
                    queue.complete(job)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def read() -> None:
        try:
            while not stop.is_set():
                library.page_of_videos(db, list_id, offset=0, limit=48)
                library.batch_counts(db, list_id)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write) for _ in range(3)] + [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    _wait_until(lambda: library.batch_counts(db, list_id).imported == 200 or errors, timeout_s=60, what="the writers")
    stop.set()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert library.batch_counts(db, list_id).imported == 200


@pytest.mark.parametrize("holder_alive", [True, False])
def test_only_dead_workers_leases_are_released(db, holder_alive):
    list_id = library.ensure_default_list(db)
    library.import_paste(db, list_id, "leaseAAAAAA")
    pid = os.getppid() if holder_alive else 999_999_999
    holder = Holder(os.uname().nodename, pid, kernel_id(), process_start(pid) or 1, "n")
    ImportQueue(db, worker_id=holder.name).claim_due(1)
    released = ImportQueue(db).release_orphans()
    assert released == (0 if holder_alive else 1)
