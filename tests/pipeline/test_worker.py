"""The worker on the simulated YouTube and a real SQLite database."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket

import pytest
from sqlmodel import col, func, select, update

from robust_import_app import library
from robust_import_app.domain.errors import ErrorCode
from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.video import CaptionSource
from robust_import_app.models import ChapterRow, TranscriptSegmentRow, Video
from robust_import_app.pipeline.progress.text import summary_text
from robust_import_app.pipeline.queue.lease import Holder, kernel_id
from robust_import_app.youtube.sim import FaultMix, SimBackend
from tests.pipeline.helpers import RecordingSink, make_worker

GENERATED = ["a1b2c3d4e5f", "Zz9_-Yy8Xx7", "q" * 11]


def _rows(db) -> dict[str, Video]:
    with db.read() as session:
        return {row.youtube_id: row for row in session.exec(select(Video)).all()}


async def _import(db, text: str, backend, **kwargs) -> tuple[RecordingSink, library.PasteOutcome]:
    list_id = library.ensure_default_list(db)
    outcome = library.import_paste(db, list_id, text)
    sink = RecordingSink(db)
    worker = make_worker(db, backend, sink, **kwargs)
    await asyncio.wait_for(worker.run(until_idle=True), timeout=30)
    return sink, outcome


@pytest.mark.asyncio
async def test_stages_run_in_order_each_committed_before_it_is_reported(db):
    sink, _ = await _import(db, " ".join(GENERATED), SimBackend())
    for video_id in GENERATED:
        assert sink.stages_of(video_id) == ["metadata", "captions", "chapters", "complete"]
    assert len(sink.stored_stages) == 4 * len(GENERATED)
    for (video_id, stored), report in zip(sink.stored_stages, sink.updates, strict=True):
        assert stored == report.stage.value, f"{video_id}: reported {report.stage} while the row said {stored}"


class _StageCheckingBackend(SimBackend):
    """Fails loudly when a call happens before its stage was committed."""

    def __init__(self, db, **kwargs):
        super().__init__(**kwargs)
        self.db = db
        self.seen: list[tuple[str, str, int]] = []

    def _stored(self, video_id):
        with self.db.read() as session:
            row = session.exec(select(Video).where(Video.youtube_id == video_id)).one()
        return row.import_stage.value, row.import_progress

    async def fetch_metadata(self, video_id):
        self.seen.append(("fetch_metadata", *self._stored(video_id)))
        return await super().fetch_metadata(video_id)

    async def list_caption_tracks(self, video_id):
        self.seen.append(("list_caption_tracks", *self._stored(video_id)))
        return await super().list_caption_tracks(video_id)


@pytest.mark.asyncio
async def test_each_stage_is_persisted_before_its_calls_go_out(db):
    backend = _StageCheckingBackend(db)
    await _import(db, "manuAAAAAAA", backend)
    assert backend.seen == [
        ("fetch_metadata", "metadata", 25),
        ("list_caption_tracks", "captions", 60),
    ]


@pytest.mark.asyncio
async def test_complete_video_has_metadata_transcript_and_chapters(db):
    await _import(db, "manuAAAAAAA", SimBackend())
    row = _rows(db)["manuAAAAAAA"]
    assert row.import_stage is ImportStage.COMPLETE and row.import_progress == 100
    assert row.title and row.channel and row.duration_s and row.published
    assert row.caption_source is CaptionSource.MANUAL
    with db.read() as session:
        segments = session.exec(select(func.count()).where(TranscriptSegmentRow.video_id == row.id)).one()
        chapters = session.exec(select(ChapterRow).where(ChapterRow.video_id == row.id)).all()
    assert segments > 0
    assert len(chapters) >= 3 and chapters[0].start_s == 0


@pytest.mark.parametrize(
    ("video_id", "code", "words"),
    [
        ("privAAAAAAA", ErrorCode.PRIVATE, "private"),
        ("goneAAAAAAA", ErrorCode.REMOVED, "removed"),
        ("agexAAAAAAA", ErrorCode.AGE_RESTRICTED, "age-restricted"),
        ("membAAAAAAA", ErrorCode.MEMBERS_ONLY, "members"),
    ],
)
@pytest.mark.asyncio
async def test_permanent_failures_say_why_in_plain_words(db, video_id, code, words):
    sink, _ = await _import(db, video_id, SimBackend())
    row = _rows(db)[video_id]
    assert row.import_stage is ImportStage.ERROR
    assert row.failed_stage is ImportStage.METADATA
    assert row.error_code == code.value
    assert words in row.error_message.lower()
    assert row.attempt_count == 0, "a permanent failure is not retried"
    assert sink.summaries[0].failed == 1


@pytest.mark.asyncio
async def test_no_captions_is_not_an_error(db):
    sink, _ = await _import(db, "nocaAAAAAAA blokAAAAAAA", SimBackend())
    rows = _rows(db)
    for video_id in ("nocaAAAAAAA", "blokAAAAAAA"):
        assert rows[video_id].import_stage is ImportStage.COMPLETE
    assert rows["nocaAAAAAAA"].caption_source is CaptionSource.NONE
    assert "no captions" in rows["nocaAAAAAAA"].note.lower()
    [summary] = sink.summaries
    assert (summary.imported, summary.without_captions, summary.failed) == (2, 1, 0)
    assert summary_text(summary) == "2 imported, 1 without captions, 0 failed"


@pytest.mark.asyncio
async def test_transient_faults_are_retried_silently_until_complete(db):
    ids = [f"{i:011d}" for i in range(20)]
    backend = SimBackend(faults=FaultMix.parse("429:0.2,5xx:0.1,timeout:0.05"), seed=7)
    sink, _ = await _import(db, "\n".join(ids), backend)
    rows = _rows(db)
    assert {row.import_stage for row in rows.values()} == {ImportStage.COMPLETE}
    assert any(u.waiting for u in sink.updates), "the fault mix should have forced at least one retry"
    assert sink.summaries[0].failed == 0


@pytest.mark.asyncio
async def test_transient_failure_stores_the_next_attempt_time(db):
    list_id = library.ensure_default_list(db)
    library.import_paste(db, list_id, "botcAAAAAAA")
    sink = RecordingSink(db)
    worker = make_worker(db, SimBackend(), sink)
    [job] = worker.queue.claim_due(1)
    before = dt.datetime.now(dt.UTC)
    await worker.process(job)
    row = _rows(db)["botcAAAAAAA"]
    assert row.import_stage is ImportStage.METADATA, "a bot check waits; it does not fail the video"
    assert row.error_code == ErrorCode.BOT_CHECK.value
    assert row.attempt_count == 1
    assert row.next_attempt_at is not None and row.next_attempt_at >= before
    assert row.claimed_by is None


@pytest.mark.asyncio
async def test_transient_failures_fail_the_video_once_attempts_run_out(db):
    from robust_import_app.pipeline.resilience.retry import RetryPolicy

    sink, _ = await _import(
        db, "botcAAAAAAA", SimBackend(), retry=RetryPolicy(max_attempts=2, backoff_base_s=0.001, backoff_max_s=0.002)
    )
    row = _rows(db)["botcAAAAAAA"]
    assert row.import_stage is ImportStage.ERROR
    assert row.error_code == ErrorCode.BOT_CHECK.value
    assert "cookies" in row.error_message.lower()


@pytest.mark.asyncio
async def test_resume_after_a_crash_finishes_everything_once(db):
    ids = ["resA1111111", "resB2222222", "resC3333333", "resD4444444"]
    list_id = library.ensure_default_list(db)
    library.import_paste(db, list_id, " ".join(ids))
    # A worker on this host died mid-batch (its pid no longer exists) holding
    # leases on videos in every stage; one had already stored its transcript.
    dead = Holder(socket.gethostname(), 999_999_999, kernel_id(), 1, "dead").name
    lease = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    stages = [ImportStage.CREATED, ImportStage.METADATA, ImportStage.CAPTIONS, ImportStage.CHAPTERS]
    with db.write() as session:
        for video_id, stage in zip(ids, stages, strict=True):
            session.exec(
                update(Video)
                .where(Video.youtube_id == video_id)
                .values(import_stage=stage, import_progress=stage.progress, claimed_by=dead, claimed_until=lease)
            )
        row_id = session.exec(select(Video.id).where(Video.youtube_id == ids[3])).one()
        session.add(
            TranscriptSegmentRow(video_id=row_id, start_s=0, duration_s=1, text="kept", source=CaptionSource.AUTO)
        )
    sink = RecordingSink(db)
    await asyncio.wait_for(make_worker(db, SimBackend(), sink).run(until_idle=True), timeout=30)
    rows = _rows(db)
    assert len(rows) == 4
    assert {row.import_stage for row in rows.values()} == {ImportStage.COMPLETE}
    assert sink.stages_of(ids[0]) == ["metadata", "captions", "chapters", "complete"]
    assert sink.stages_of(ids[2]) == ["captions", "chapters", "complete"], "resumes from its stored stage"
    assert sink.stages_of(ids[3]) == ["chapters", "complete"]
    with db.read() as session:
        kept = session.exec(select(func.count()).where(TranscriptSegmentRow.video_id == row_id)).one()
    assert kept == 1, "a stage that already ran is not run again"
    assert len(sink.summaries) == 1


@pytest.mark.asyncio
async def test_cancelled_worker_releases_its_leases(db):
    ids = [f"canc{i:07d}" for i in range(6)]
    list_id = library.ensure_default_list(db)
    library.import_paste(db, list_id, " ".join(ids))
    worker = make_worker(db, SimBackend(latency_s=0.2), RecordingSink(db))
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    with db.read() as session:
        held = session.exec(select(func.count()).where(col(Video.claimed_by).is_not(None))).one()
    assert held == 0


@pytest.mark.asyncio
async def test_retry_by_the_user_resumes_from_the_failed_stage(db):
    list_id = library.ensure_default_list(db)
    await _import(db, "privAAAAAAA", SimBackend())
    assert library.retry_failed(db, list_id) == 1
    row = _rows(db)["privAAAAAAA"]
    assert row.import_stage is ImportStage.METADATA and row.error_code is None
    sink = RecordingSink(db)
    await asyncio.wait_for(make_worker(db, SimBackend(), sink).run(until_idle=True), timeout=30)
    assert sink.stages_of("privAAAAAAA") == ["metadata", "error"]
    assert len(sink.summaries) == 1, "the batch announces a new summary after a retry"


def test_pause_notice_names_the_open_breaker_but_not_the_transcript_endpoint(db):
    from robust_import_app.domain.errors import TransientImportError
    from robust_import_app.domain.upstreams import Upstream

    worker = make_worker(db, SimBackend(), RecordingSink(db))
    assert worker.pause_notice() is None
    bot_check = TransientImportError(ErrorCode.BOT_CHECK)
    threshold = worker.ctx.guards[Upstream.PLAYER].breaker.failure_threshold
    for _ in range(threshold):
        worker.ctx.guards[Upstream.TRANSCRIPT].breaker.record_failure(bot_check)
    assert worker.pause_notice() is None, "captions fall through to the next step: nothing waits"
    for _ in range(threshold):
        worker.ctx.guards[Upstream.PLAYER].breaker.record_failure(bot_check)
    notice = worker.pause_notice()
    assert notice is not None and notice.upstream is Upstream.PLAYER
    assert notice.message.startswith("Paused — YouTube asked to confirm this is not a bot, resuming in")
    assert "YOUTUBE_COOKIES_FILE" in notice.hint


def test_videos_are_claimed_round_robin_by_paste_each_in_paste_order(db):
    from robust_import_app.pipeline.queue.videos import ImportQueue

    list_id = library.ensure_default_list(db)
    library.import_paste(db, list_id, "firstAAAAAA secondBBBBB thirdCCCCCC")
    library.import_paste(db, list_id, "laterDDDDDD")
    claimed = [job.youtube_id for job in ImportQueue(db).claim_due(10)]
    assert claimed == ["firstAAAAAA", "laterDDDDDD", "secondBBBBB", "thirdCCCCCC"]


def test_pause_notice_while_the_shared_limits_are_unreachable():
    from robust_import_app.domain.upstreams import Upstream
    from robust_import_app.pipeline.progress.pause import PauseNotice

    notice = PauseNotice(upstream=Upstream.PLAYER, resume_in_s=4.6, reason=ErrorCode.LIMITS_UNREACHABLE)
    assert notice.message == "Paused — the shared rate limit is unreachable (Redis), retrying in 5 s"
    assert notice.hint == ""
