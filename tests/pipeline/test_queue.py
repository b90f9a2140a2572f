"""The queue under the conditions that break a naive one.

Each test creates its condition for real: a stage longer than the lease, a
lease taken over, a retried video in flight, a stop in the middle of a claim,
a database error in the claim loop and in a stage commit, a small paste
behind a large batch.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa
from sqlmodel import col, func, select, update

from robust_import_app import library
from robust_import_app.domain.errors import ErrorCode, TransientImportError
from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.video import CaptionSegment, CaptionSource, Chapter
from robust_import_app.models import ImportBatch, TranscriptSegmentRow, Video, utcnow
from robust_import_app.pipeline import supervise as supervise_module
from robust_import_app.pipeline.progress.text import counts_text, estimate_remaining_s, time_left
from robust_import_app.pipeline.queue.lease import LeaseLost
from robust_import_app.pipeline.queue.videos import BatchCounts, CaptionsOutcome, ImportQueue
from robust_import_app.youtube.sim import SimBackend
from tests.pipeline.helpers import RecordingSink, make_worker


def _paste(db, text: str) -> library.PasteOutcome:
    return library.import_paste(db, library.ensure_default_list(db), text)


def _held(db) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).where(col(Video.claimed_by).is_not(None))).one()


def _stages(db) -> dict[str, ImportStage]:
    with db.read() as session:
        return {row.youtube_id: row.import_stage for row in session.exec(select(Video)).all()}


async def _until(predicate) -> None:
    while not predicate():
        await asyncio.sleep(0.01)


class _CountingQueue(ImportQueue):
    """Counts the claim transactions a worker opens."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.claims = 0

    def claim_due(self, *args, **kwargs):
        self.claims += 1
        return super().claim_due(*args, **kwargs)


# Leases and fencing -------------------------------------------------------


@pytest.mark.asyncio
async def test_a_stage_longer_than_the_lease_runs_once_per_video(db):
    ids = ["longAAAAAAA", "longBBBBBBB", "longCCCCCCC"]
    _paste(db, " ".join(ids))
    backend = SimBackend(latency_s=2.5)
    sink = RecordingSink(db)
    worker = make_worker(db, backend, sink, queue=ImportQueue(db, lease_s=2.0))
    await asyncio.wait_for(worker.run(until_idle=True), timeout=90)
    for video_id in ids:
        # A heartbeat stalled past half a lease (a loaded machine) stops the
        # video before its lease can expire, and it is redone: stages may
        # repeat, but never concurrently, and it completes once.
        assert sink.stages_of(video_id).count("complete") == 1, video_id
        assert backend.calls.max_in_flight[video_id] == 1, f"{video_id} was worked on twice at once"
    assert set(_stages(db).values()) == {ImportStage.COMPLETE}
    assert len(sink.summaries) == 1


def test_a_worker_that_lost_its_lease_writes_nothing(db):
    _paste(db, "fenceAAAAAA")
    first = ImportQueue(db, lease_s=60)
    [stale] = first.claim_due(1)
    second = ImportQueue(db, lease_s=60)
    [current] = second.claim_due(1, now=utcnow() + dt.timedelta(seconds=61))
    outcome = CaptionsOutcome(source=CaptionSource.MANUAL, language="en", segments=(CaptionSegment(0.0, 1.0, "stale"),))
    failure = TransientImportError(ErrorCode.TIMEOUT, video_id="fenceAAAAAA")
    writes = {
        "enter_stage": lambda: first.enter_stage(stale, ImportStage.METADATA),
        "save_captions": lambda: first.save_captions(stale, outcome),
        "save_chapters": lambda: first.save_chapters(stale, [Chapter(0.0, 10.0, "Intro")]),
        "complete": lambda: first.complete(stale),
        "fail": lambda: first.fail(stale, failure),
        "reschedule": lambda: first.reschedule(stale, failure, delay_s=1),
        "release": lambda: first.release(stale),
        "reserve_whisper_seconds": lambda: first.reserve_whisper_seconds(stale, seconds=10, cap_s=100),
    }
    for write in writes.values():
        with pytest.raises(LeaseLost):
            write()
    assert first.renew([stale]) == [stale]
    with db.read() as session:
        row = session.exec(select(Video)).one()
        segments = session.exec(select(func.count()).select_from(TranscriptSegmentRow)).one()
    assert (row.claimed_by, row.lease_token) == (second.worker_id, current.lease_token)
    assert row.import_stage is ImportStage.CREATED and row.caption_source is None and segments == 0
    second.enter_stage(current, ImportStage.METADATA)
    second.complete(current)
    assert _stages(db) == {"fenceAAAAAA": ImportStage.COMPLETE}


def test_a_deleted_row_is_never_written(db):
    _paste(db, "deletAAAAAA")
    queue = ImportQueue(db)
    [job] = queue.claim_due(1)
    with db.write() as session:
        session.exec(sa.delete(Video))
    with pytest.raises(LeaseLost):
        queue.enter_stage(job, ImportStage.METADATA)


def test_a_worker_never_claims_a_video_it_holds_even_after_its_lease_ran_out(db):
    _paste(db, "ownedAAAAAA")
    queue = ImportQueue(db, lease_s=1)
    [job] = queue.claim_due(1)
    later = utcnow() + dt.timedelta(seconds=5)
    assert queue.claim_due(1, exclude={job.video_id}, now=later) == []
    assert [j.youtube_id for j in queue.claim_due(1, now=later)] == ["ownedAAAAAA"], "claimable by others"


@pytest.mark.asyncio
async def test_lost_lease_stops_the_video_in_flight(db):
    _paste(db, "stolenAAAAA")
    queue = ImportQueue(db, lease_s=30)
    sink = RecordingSink(db)
    # 3 s a call: the video cannot finish (three or more calls) before the takeover, however busy the machine.
    backend = SimBackend(latency_s=3.0)
    worker = make_worker(db, backend, sink, queue=queue)
    running = asyncio.create_task(worker.run())
    await asyncio.wait_for(_until(lambda: worker.in_flight == 1), timeout=10)
    thief = ImportQueue(db)

    async def take_over() -> None:
        # On PostgreSQL the claim skips a row the worker holds locked mid-write (SKIP LOCKED): try until it is done.
        while not thief.claim_due(1, now=utcnow() + dt.timedelta(seconds=31)):
            await asyncio.sleep(0.01)

    await asyncio.wait_for(take_over(), timeout=10)
    await worker.renew_leases()
    await asyncio.wait_for(_until(lambda: worker.in_flight == 0), timeout=30)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert "complete" not in sink.stages_of("stolenAAAAA")
    with db.read() as session:
        row = session.exec(select(Video)).one()
    assert row.claimed_by != queue.worker_id and row.claimed_by is not None


# Idle waiting ---------------------------------------------------------------


@pytest.mark.asyncio
async def test_idle_worker_does_not_spin_while_a_retried_video_is_in_flight(db):
    _paste(db, "retriedAAAA")
    with db.write() as session:
        session.exec(update(Video).values(next_attempt_at=utcnow() - dt.timedelta(seconds=1), attempt_count=1))
    queue = _CountingQueue(db)
    worker = make_worker(db, SimBackend(latency_s=1.0), RecordingSink(db), queue=queue, poll_interval_s=0.2)
    running = asyncio.create_task(worker.run())
    await asyncio.sleep(1.5)
    assert queue.next_due_at() is None, "claiming clears the retry time"
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert queue.claims <= 12, f"{queue.claims} claim transactions in 1.5 s at a 0.2 s poll"


# Stopping -------------------------------------------------------------------


@pytest.mark.asyncio
async def test_stopping_the_worker_during_a_claim_leaks_no_lease(db):
    _paste(db, "stopAAAAAAA stopBBBBBBB stopCCCCCCC")
    entered = threading.Event()

    class SlowClaimQueue(ImportQueue):
        def claim_due(self, *args, **kwargs):
            entered.set()
            time.sleep(0.3)
            return super().claim_due(*args, **kwargs)

    worker = make_worker(db, SimBackend(latency_s=0.2), RecordingSink(db), queue=SlowClaimQueue(db))
    running = asyncio.create_task(worker.run())
    assert await asyncio.to_thread(entered.wait, 10)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert _held(db) == 0


# Database errors ------------------------------------------------------------


def _operational_error() -> sa.exc.OperationalError:
    return sa.exc.OperationalError("SELECT 1", {}, Exception("database is locked"))


@pytest.mark.asyncio
async def test_a_database_error_in_the_claim_loop_does_not_stop_the_worker(db):
    _paste(db, "dbdownAAAAA")

    class FlakyQueue(ImportQueue):
        failures = 2

        def claim_due(self, *args, **kwargs):
            if FlakyQueue.failures:
                FlakyQueue.failures -= 1
                raise _operational_error()
            return super().claim_due(*args, **kwargs)

    worker = make_worker(db, SimBackend(), RecordingSink(db), queue=FlakyQueue(db))
    await asyncio.wait_for(worker.run(until_idle=True), timeout=30)
    assert FlakyQueue.failures == 0
    assert _stages(db) == {"dbdownAAAAA": ImportStage.COMPLETE}


@pytest.mark.asyncio
async def test_a_database_error_in_a_stage_commit_is_retried_not_a_failure(db):
    _paste(db, "commitAAAAA")

    class FlakyCommitQueue(ImportQueue):
        failures = 1

        def save_metadata(self, job, metadata):
            if FlakyCommitQueue.failures:
                FlakyCommitQueue.failures -= 1
                raise _operational_error()
            return super().save_metadata(job, metadata)

    sink = RecordingSink(db)
    worker = make_worker(db, SimBackend(), sink, queue=FlakyCommitQueue(db))
    await asyncio.wait_for(worker.run(until_idle=True), timeout=30)
    assert _stages(db) == {"commitAAAAA": ImportStage.COMPLETE}
    assert "error" not in sink.stages_of("commitAAAAA")


@pytest.mark.asyncio
async def test_supervise_restarts_a_dead_task_and_logs_why(caplog):
    starts = Counter()
    waits: list[float] = []

    async def run() -> None:
        starts["run"] += 1
        if starts["run"] < 3:
            raise RuntimeError(f"boom {starts['run']}")

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    with caplog.at_level("ERROR", logger=supervise_module.__name__):
        await supervise_module.supervise(run, name="import worker", sleep=sleep)
    assert starts["run"] == 3 and len(waits) == 2
    assert [r.getMessage().split(";")[0] for r in caplog.records] == [
        "The import worker stopped (RuntimeError('boom 1'))",
        "The import worker stopped (RuntimeError('boom 2'))",
    ]


@pytest.mark.asyncio
async def test_supervise_lets_cancellation_through():
    started = asyncio.Event()

    async def run() -> None:
        started.set()
        await asyncio.sleep(3600)

    task = asyncio.create_task(supervise_module.supervise(run, name="import worker"))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


# Fair scheduling ------------------------------------------------------------


def test_a_small_paste_gets_the_next_free_slot_behind_a_large_batch(db):
    large = _paste(db, " ".join(f"larg{n:07d}" for n in range(20)))
    ImportQueue(db).claim_due(8)
    small = _paste(db, "smalAAAAAAA smalBBBBBBB smalCCCCCCC")
    other = ImportQueue(db)
    claimed = [other.claim_due(1)[0].youtube_id for _ in range(4)]
    assert claimed == ["smalAAAAAAA", "smalBBBBBBB", "smalCCCCCCC", "larg0000008"]
    assert large.batch_id != small.batch_id


@pytest.mark.asyncio
async def test_a_small_paste_finishes_first_while_a_large_batch_runs(db):
    large = _paste(db, " ".join(f"bulk{n:07d}" for n in range(40)))
    sink = RecordingSink(db)
    worker = make_worker(db, SimBackend(latency_s=0.05), sink, videos_in_flight=4)
    running = asyncio.create_task(worker.run())
    await asyncio.wait_for(_until(lambda: any(u.stage is ImportStage.COMPLETE for u in sink.updates)), timeout=30)
    small = _paste(db, "fairAAAAAAA fairBBBBBBB fairCCCCCCC")
    worker.wake()
    await asyncio.wait_for(_until(lambda: len(sink.summaries) == 2), timeout=60)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert [s.batch_id for s in sink.summaries] == [small.batch_id, large.batch_id]


def test_a_queue_scoped_to_a_batch_claims_only_that_batch(db):
    _paste(db, "otheAAAAAAA otheBBBBBBB")
    mine = _paste(db, "mineAAAAAAA")
    queue = ImportQueue(db, batch_id=mine.batch_id)
    assert [job.youtube_id for job in queue.claim_due(8)] == ["mineAAAAAAA"]
    assert queue.has_unfinished()


# Claiming cost --------------------------------------------------------------


PARTIAL = ("due", "held", "retry")


def test_claiming_reads_only_the_unfinished_rows_through_partial_indexes(db):
    if not db.is_sqlite:
        pytest.skip("reads SQLite's query plans; PostgreSQL's planner picks scans for small tables by cost")
    outcome = _paste(db, " ".join(f"done{n:07d}" for n in range(200)))
    with db.write() as session:
        session.exec(update(Video).values(import_stage=ImportStage.COMPLETE))
        session.exec(update(ImportBatch).values(announced_at=utcnow()))
    _paste(db, "openAAAAAAA openBBBBBBB")
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert len(ImportQueue(db).claim_due(8)) == 2
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert statements and outcome.batch_id
    with db.engine.connect() as connection:
        for statement, parameters in statements:
            plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            scans = [
                row[-1]
                for row in plan
                if row[-1].startswith("SCAN video") and not any(f"ix_video_{name}" in row[-1] for name in PARTIAL)
            ]
            assert not scans, f"full scan of video in {statement!r}: {plan}"


# Batches: announcing once, the Whisper budget once ------------------------------


def test_a_batch_whose_announcer_died_is_announced_once_by_the_next_worker(db):
    outcome = _paste(db, "lastAAAAAAA")
    with db.write() as session:
        session.exec(update(Video).values(import_stage=ImportStage.COMPLETE, caption_source=CaptionSource.MANUAL))
    queue = ImportQueue(db)
    [summary] = queue.close_finished_batches()
    assert (summary.batch_id, summary.imported) == (outcome.batch_id, 1)
    assert queue.close_finished_batches() == []
    assert ImportQueue(db).close_batch_if_done(outcome.batch_id) is None


def _whisper_seconds(db) -> float:
    with db.read() as session:
        return session.exec(select(ImportBatch.whisper_seconds)).one()


def test_the_whisper_budget_is_reserved_once_per_video_capped_and_given_back(db):
    _paste(db, "whisAAAAAAA whisBBBBBBB")
    queue = ImportQueue(db)
    first, second = sorted(queue.claim_due(2), key=lambda job: job.youtube_id)
    assert queue.reserve_whisper_seconds(first, seconds=600, cap_s=1000)
    assert queue.reserve_whisper_seconds(first, seconds=600, cap_s=1000), "a rerun keeps its reservation"
    assert _whisper_seconds(db) == 600
    assert not queue.reserve_whisper_seconds(second, seconds=500, cap_s=1000), "600 + 500 > 1000"
    assert _whisper_seconds(db) == 600
    queue.release_whisper_seconds(first)
    queue.release_whisper_seconds(first)
    assert _whisper_seconds(db) == 0
    assert queue.reserve_whisper_seconds(second, seconds=500, cap_s=1000)
    with db.write() as session:
        session.exec(update(ImportBatch).values(whisper_seconds=100))
    queue.release_whisper_seconds(second)
    assert _whisper_seconds(db) == 0, "never below zero"


# Time left ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("remaining", "finished", "window_s", "expected"),
    [(188, 52, 300.0, 188 * 300 / 52), (10, 0, 300.0, None), (10, 5, 0.0, None), (0, 0, 300.0, 0.0)],
)
def test_estimate_remaining_s(remaining, finished, window_s, expected):
    assert estimate_remaining_s(remaining, finished=finished, window_s=window_s) == expected


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(20, "less than a minute left"), (1080, "about 18 min left"), (7500, "about 2 h 5 min left")],
)
def test_time_left_in_plain_words(seconds, words):
    assert time_left(seconds) == words


def test_batch_counts_estimate_the_time_left_from_the_recent_rate(db):
    outcome = _paste(db, " ".join(f"rate{n:07d}" for n in range(10)))
    now = utcnow()
    with db.write() as session:
        session.exec(update(ImportBatch).values(created_at=now - dt.timedelta(seconds=100)))
        done = session.exec(select(Video.id).order_by(col(Video.id)).limit(5)).all()
        session.exec(
            update(Video).where(col(Video.id).in_(done)).values(import_stage=ImportStage.COMPLETE, updated_at=now)
        )
    counts = library.batch_counts(db, library.ensure_default_list(db))
    assert (counts.total, counts.imported, counts.failed) == (10, 5, 0)
    assert counts.eta_s == pytest.approx(100.0, rel=0.05), "5 done in 100 s, 5 to go"
    assert counts_text(counts) == "5 of 10 imported · about 2 min left"
    assert library.batch_progress(db, outcome.batch_id).eta_s == pytest.approx(100.0, rel=0.05)


def test_banner_message_without_a_rate_yet():
    assert counts_text(BatchCounts(total=500, imported=0, failed=0)) == "0 of 500 imported"
    assert counts_text(BatchCounts(total=500, imported=312, failed=2, eta_s=1080)) == (
        "312 of 500 imported · 2 failed · about 18 min left"
    )


@pytest.mark.asyncio
async def test_a_transcript_lands_in_the_search_index_with_its_stage(db):
    from robust_import_app.search.engine import highlight_parts, search

    _paste(db, "manuAAAAAAA")
    worker = make_worker(db, SimBackend(), RecordingSink(db))
    await asyncio.wait_for(worker.run(until_idle=True), timeout=30)
    with db.read() as session:
        first = session.exec(
            select(TranscriptSegmentRow.text).order_by(col(TranscriptSegmentRow.start_s)).limit(1)
        ).one()
    word = max(first.split(), key=len).strip(".,!?\"'")
    page = search(db, word)
    assert [hit.video.youtube_id for hit in page.hits] == ["manuAAAAAAA"]
    match = page.hits[0].transcript
    assert match is not None, "found in the transcript, not only in the metadata"
    assert word.lower() in {text.lower() for text, highlighted in highlight_parts(match.snippet) if highlighted}
