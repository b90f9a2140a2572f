"""FollowChecker on the simulated YouTube: claiming due checks, adding new uploads once, the feed's fallback.

Each test follows a 20-entry playlist whose expansion finished, then drives
the checker directly: ``claim_due(now=...)`` with chosen times (no waiting)
and ``check`` on the claimed job. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlmodel import col, func, select

from robust_import_app import library, sources
from robust_import_app.db import Database
from robust_import_app.domain.sources import Lister
from robust_import_app.models import ImportBatch, Video, utcnow
from robust_import_app.pipeline.queue.sources import source_ref
from robust_import_app.pipeline.sources.follow import FollowChecker
from robust_import_app.youtube.sim import SimBackend
from robust_import_app.youtube.sim.faults import FeedFault
from tests.pipeline.source_helpers import SourceSink, list_video_ids, settle_sources, source_row, source_worker

INTERVAL_S = 3600.0
PLAYLIST_ID = "PLsimulated20"
PLAYLIST = f"https://www.youtube.com/playlist?list={PLAYLIST_ID}"


@dataclass
class Followed:
    """A followed playlist whose 20 videos are in the list, and the checker of its follows."""

    list_id: int
    source_id: int
    checker: FollowChecker
    sink: SourceSink


async def _followed(db: Database, backend: SimBackend) -> Followed:
    list_id = library.ensure_default_list(db)
    [source_id] = library.import_paste(db, list_id, PLAYLIST).sources
    sink = SourceSink(db)
    worker = source_worker(db, backend, sink, videos_in_flight=0, follow_interval_s=INTERVAL_S)
    await settle_sources(worker)
    assert len(list_video_ids(db, list_id)) == 20
    sources.follow_source(db, source_id)
    assert worker.follower is not None
    return Followed(list_id, source_id, worker.follower, sink)


def _utc(moment: dt.datetime | None) -> dt.datetime:
    assert moment is not None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _batch_count(db: Database, list_id: int) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(ImportBatch).where(ImportBatch.list_id == list_id)).one()


@pytest.mark.asyncio
async def test_a_due_follow_is_claimed_once_and_its_schedule_moves_one_interval_on(db):
    followed = await _followed(db, SimBackend())
    now = utcnow()

    job = followed.checker.claim_due(now=now)

    assert job is not None
    assert (job.source_id, job.list_id, job.ref.key) == (followed.source_id, followed.list_id, PLAYLIST_ID)
    assert followed.checker.claim_due(now=now) is None, "the first claim moved the schedule: nothing is due"
    next_check = _utc(source_row(db, followed.source_id).next_check_at)
    assert abs((next_check - (now + dt.timedelta(seconds=INTERVAL_S))).total_seconds()) < 1e-3


@pytest.mark.asyncio
async def test_a_follow_is_not_claimed_before_it_is_due(db):
    followed = await _followed(db, SimBackend())
    now = utcnow()
    assert followed.checker.claim_due(now=now) is not None

    assert followed.checker.claim_due(now=now + dt.timedelta(seconds=INTERVAL_S - 1)) is None
    again = followed.checker.claim_due(now=now + dt.timedelta(seconds=INTERVAL_S))
    assert again is not None and again.source_id == followed.source_id


@pytest.mark.asyncio
async def test_a_paused_follow_is_not_claimed_and_a_resumed_one_is(db):
    followed = await _followed(db, SimBackend())
    sources.set_follow_paused(db, followed.source_id, True)

    assert followed.checker.claim_due(now=utcnow() + dt.timedelta(days=1)) is None
    assert followed.checker.next_check_at() is None

    sources.set_follow_paused(db, followed.source_id, False)
    resumed = followed.checker.claim_due(now=utcnow())
    assert resumed is not None and resumed.source_id == followed.source_id


@pytest.mark.asyncio
async def test_a_check_adds_the_new_uploads_as_a_new_batch(db):
    backend = SimBackend()
    followed = await _followed(db, backend)
    before = list_video_ids(db, followed.list_id)
    batches_before = _batch_count(db, followed.list_id)
    backend.publish(PLAYLIST_ID, count=2)
    job = followed.checker.claim_due(now=utcnow())
    assert job is not None

    outcome = await followed.checker.check(job)

    assert outcome.error is None and outcome.lister is Lister.FEED
    assert len(outcome.created) == 2 and not set(outcome.created) & set(before)
    assert list_video_ids(db, followed.list_id) == [*outcome.created, *before], "the new uploads on top, once"
    assert _batch_count(db, followed.list_id) == batches_before + 1
    with db.read() as session:
        batch = session.get(ImportBatch, outcome.batch_id)
        assert batch is not None and batch.total == 2
        in_batch = session.exec(select(Video.youtube_id).where(col(Video.batch_id) == outcome.batch_id)).all()
    assert set(in_batch) == set(outcome.created)
    row = source_row(db, followed.source_id)
    assert row.added_by_follow == 2 and row.last_checked_at is not None and row.last_check_error is None
    assert followed.sink.sources[-1].source_id == followed.source_id


@pytest.mark.asyncio
@pytest.mark.parametrize("fault", [FeedFault.SERVER_ERROR, FeedFault.MALFORMED])
async def test_a_failing_feed_falls_back_to_the_flat_listing(db, fault: FeedFault):
    backend = SimBackend()
    followed = await _followed(db, backend)
    backend.feed_fault = fault
    backend.publish(PLAYLIST_ID)
    ref = source_ref(source_row(db, followed.source_id))
    [newest] = (await backend.list_source_page(ref, None)).entries[:1]
    job = followed.checker.claim_due(now=utcnow())
    assert job is not None

    outcome = await followed.checker.check(job)

    assert outcome.error is None
    assert outcome.lister is Lister.YTDLP_FLAT
    assert outcome.created == (newest.video_id,)
    assert source_row(db, followed.source_id).last_check_error is None


@pytest.mark.asyncio
async def test_a_check_adds_nothing_twice(db):
    backend = SimBackend()
    followed = await _followed(db, backend)
    backend.publish(PLAYLIST_ID)
    now = utcnow()
    first_job = followed.checker.claim_due(now=now)
    assert first_job is not None
    first = await followed.checker.check(first_job)
    assert len(first.created) == 1
    after_first = list_video_ids(db, followed.list_id)
    batches = _batch_count(db, followed.list_id)

    second_job = followed.checker.claim_due(now=now + dt.timedelta(seconds=INTERVAL_S))
    assert second_job is not None
    second = await followed.checker.check(second_job)

    assert second.created == () and second.batch_id is None and second.error is None
    assert list_video_ids(db, followed.list_id) == after_first
    assert _batch_count(db, followed.list_id) == batches
    assert source_row(db, followed.source_id).added_by_follow == 1

    backend.publish(PLAYLIST_ID)
    third_job = followed.checker.claim_due(now=now + dt.timedelta(seconds=2 * INTERVAL_S))
    assert third_job is not None
    third = await followed.checker.check(third_job)
    assert len(third.created) == 1 and third.created[0] not in after_first
    assert list_video_ids(db, followed.list_id) == [*third.created, *after_first]


def _delete(db: Database, list_id: int, youtube_id: str) -> None:
    with db.read() as session:
        row_id = session.exec(select(Video.id).where(Video.list_id == list_id, Video.youtube_id == youtube_id)).one()
    assert library.delete_videos(db, list_id, [row_id]) == 1


@pytest.mark.asyncio
async def test_a_video_the_user_deleted_is_not_added_again(db):
    backend = SimBackend()
    followed = await _followed(db, backend)
    ref = source_ref(source_row(db, followed.source_id))
    [expanded_newest] = (await backend.list_source_page(ref, None)).entries[:1]
    _delete(db, followed.list_id, expanded_newest.video_id)
    backend.publish(PLAYLIST_ID)
    now = utcnow()
    first_job = followed.checker.claim_due(now=now)
    assert first_job is not None
    first = await followed.checker.check(first_job)
    [published] = first.created
    assert expanded_newest.video_id not in list_video_ids(db, followed.list_id), "the expansion's video stays deleted"

    _delete(db, followed.list_id, published)
    after_delete = list_video_ids(db, followed.list_id)
    second_job = followed.checker.claim_due(now=now + dt.timedelta(seconds=INTERVAL_S))
    assert second_job is not None
    second = await followed.checker.check(second_job)

    assert second.created == () and second.batch_id is None and second.error is None
    assert list_video_ids(db, followed.list_id) == after_delete, "the check's video stays deleted, still in the feed"
    assert source_row(db, followed.source_id).added_by_follow == 1
