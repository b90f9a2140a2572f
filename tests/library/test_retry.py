"""A retry is its own batch: the paste's summary is not announced again; the retry's toast says what it did."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from robust_import_app import library
from robust_import_app.models import ImportBatch, Video
from robust_import_app.pipeline.progress.text import summary_outcome
from robust_import_app.pipeline.queue.videos import BatchSummary
from robust_import_app.youtube.sim import SimBackend
from tests.pipeline.helpers import RecordingSink, make_worker

FAILS_FOR_GOOD = "privAAAAAAA"
"""The simulated YouTube says this video is private, on every try."""
IMPORTS = "manuAAAAAAA"


async def _run_worker(db) -> RecordingSink:
    sink = RecordingSink(db)
    await asyncio.wait_for(make_worker(db, SimBackend(), sink).run(until_idle=True), timeout=30)
    return sink


@pytest.mark.asyncio
async def test_retrying_announces_the_retry_not_the_paste_again(db):
    list_id = library.ensure_default_list(db)
    paste = library.import_paste(db, list_id, f"{FAILS_FOR_GOOD} {IMPORTS}")
    first = await _run_worker(db)
    assert [(s.batch_id, s.imported, s.failed) for s in first.summaries] == [(paste.batch_id, 1, 1)]

    assert library.retry_failed(db, list_id) == 1
    with db.read() as session:
        assert session.get(ImportBatch, paste.batch_id).announced_at is not None, "the paste stays announced"

    again = await _run_worker(db)
    assert len(again.summaries) == 1
    retry = again.summaries[0]
    assert retry.batch_id != paste.batch_id
    assert (retry.imported, retry.failed) == (0, 1), "the retry's summary counts the retried video only"


@pytest.mark.asyncio
async def test_retry_across_all_lists_queues_each_video_in_a_batch_of_its_own_list(db):
    inbox = library.ensure_default_list(db)
    talks = library.create_list(db, "Talks")
    library.import_paste(db, inbox, FAILS_FOR_GOOD)
    library.import_paste(db, talks, f"{FAILS_FOR_GOOD} {IMPORTS}")
    await _run_worker(db)
    with db.read() as session:
        failed_in_talks = session.exec(
            sa.select(Video.id).where(Video.list_id == talks, Video.youtube_id == FAILS_FOR_GOOD)
        ).scalar_one()

    assert library.retry_failed(db, inbox, [failed_in_talks]) == 0, "a list's retry leaves other lists alone"
    assert library.retry_failed(db, None, [failed_in_talks]) == 1
    assert library.retry_failed(db, None) == 1, "the rest: the Inbox's failed video"
    with db.read() as session:
        rows = session.exec(
            sa.select(Video.list_id, ImportBatch.list_id)
            .join(ImportBatch, Video.batch_id == ImportBatch.id)
            .where(Video.youtube_id == FAILS_FOR_GOOD)
        ).all()
    assert sorted(rows) == sorted([(inbox, inbox), (talks, talks)])


def test_nothing_to_retry_makes_no_batch(db):
    list_id = library.ensure_default_list(db)
    assert library.retry_failed(db, list_id) == 0
    with db.read() as session:
        assert session.get(ImportBatch, 1) is None


@pytest.mark.parametrize(
    ("summary", "kind"),
    [
        (BatchSummary(batch_id=1, list_id=1, imported=47, without_captions=3, failed=0), "success"),
        (BatchSummary(batch_id=1, list_id=1, imported=47, without_captions=0, failed=3), "warning"),
        (BatchSummary(batch_id=1, list_id=1, imported=0, without_captions=0, failed=3), "error"),
        (BatchSummary(batch_id=1, list_id=1, imported=0, without_captions=0, failed=0, cancelled=2), "info"),
        (BatchSummary(batch_id=1, list_id=1, imported=5, without_captions=0, failed=1, cancelled=2), "warning"),
    ],
)
def test_the_toast_follows_the_outcome(summary, kind):
    assert summary_outcome(summary) == kind
