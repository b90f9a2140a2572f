"""Organising the library: delete, move, copy, rename, delete a list, cancel an import.

Each test runs on SQLite and on PostgreSQL; the cancel and delete tests run a
real worker on the simulated YouTube, held inside a stage by a gate.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import func, select

from robust_import_app import library
from robust_import_app.domain.errors import ErrorCode
from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.video import CaptionSource
from robust_import_app.models import ChapterRow, ImportBatch, TranscriptSegmentRow, Video
from robust_import_app.models.tables import TranscriptWindow
from robust_import_app.pipeline.progress.text import counts_text, summary_text
from robust_import_app.pipeline.queue.videos import BatchCounts, BatchSummary
from robust_import_app.search.engine import search
from robust_import_app.youtube.sim import SimBackend
from tests.conftest import migrated_sqlite_url
from tests.pipeline.helpers import RecordingSink, make_worker


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return migrated_sqlite_url(tmp_path)
    return request.getfixturevalue("postgres_db_url")


def _seed_video(db, list_id: int, youtube_id: str, *, word: str = "zebra") -> int:
    """A complete video with one chapter, one transcript cue and one search window; its row id."""
    library.import_paste(db, list_id, youtube_id)
    with db.write() as session:
        row = session.exec(select(Video).where(Video.list_id == list_id, Video.youtube_id == youtube_id)).one()
        row.title, row.channel, row.duration_s = f"Title {youtube_id}", "Channel", 60
        row.import_stage, row.import_progress = ImportStage.COMPLETE, 100
        row.caption_source = CaptionSource.MANUAL
        session.add(row)
        session.flush()
        session.add(ChapterRow(video_id=row.id, start_s=0, end_s=60, title="Intro"))
        session.add(
            TranscriptSegmentRow(
                video_id=row.id, start_s=1.0, duration_s=2.0, text=f"a {word} here", source=CaptionSource.MANUAL
            )
        )
        session.add(TranscriptWindow(video_id=row.id, start_s=1.0, text=f"a {word} here"))
        return row.id


def _children(db, video_id: int) -> tuple[int, int, int]:
    with db.read() as session:
        return tuple(
            session.exec(select(func.count()).select_from(table).where(table.video_id == video_id)).one()
            for table in (ChapterRow, TranscriptSegmentRow, TranscriptWindow)
        )


def _row(db, video_id: int) -> Video | None:
    with db.read() as session:
        return session.get(Video, video_id)


def test_deleting_videos_takes_their_chapters_transcript_and_search_windows(db):
    inbox = library.ensure_default_list(db)
    gone = _seed_video(db, inbox, "aaaaaaaaaaa")
    kept = _seed_video(db, inbox, "bbbbbbbbbbb", word="okapi")
    assert search(db, "zebra").total == 1
    assert library.delete_videos(db, inbox, [gone]) == 1
    assert _row(db, gone) is None and _children(db, gone) == (0, 0, 0)
    assert _children(db, kept) == (1, 1, 1)
    assert search(db, "zebra").total == 0, "the full-text index forgets the deleted video"
    with db.read() as session:
        assert session.exec(select(func.count()).select_from(ImportBatch)).one() == 1, "an emptied batch goes too"


def test_deleting_ignores_videos_of_another_list(db):
    inbox = library.ensure_default_list(db)
    later = library.create_list(db, "Later")
    theirs = _seed_video(db, later, "aaaaaaaaaaa")
    assert library.delete_videos(db, inbox, [theirs]) == 0
    assert _row(db, theirs) is not None


def test_move_is_refused_per_video_the_target_already_has(db):
    inbox = library.ensure_default_list(db)
    later = library.create_list(db, "Later")
    ids = [_seed_video(db, inbox, v) for v in ("aaaaaaaaaaa", "bbbbbbbbbbb", "ccccccccccc")]
    _seed_video(db, later, "bbbbbbbbbbb")
    outcome = library.move_videos(db, ids, later)
    assert outcome == library.MoveOutcome(moved=2, refused_already_there=1)
    assert [_row(db, i).list_id for i in ids] == [later, inbox, later]
    assert _row(db, ids[0]).batch_id is None, "a moved video leaves the source list's batch"
    assert _children(db, ids[0]) == (1, 1, 1)
    assert library.count_videos(db, later) == 3 and library.count_videos(db, inbox) == 1


def test_copy_carries_metadata_chapters_transcript_and_is_searchable(db):
    inbox = library.ensure_default_list(db)
    later = library.create_list(db, "Later")
    source = _seed_video(db, inbox, "aaaaaaaaaaa")
    _seed_video(db, later, "bbbbbbbbbbb", word="okapi")
    other = _seed_video(db, inbox, "bbbbbbbbbbb", word="okapi")
    assert library.copy_videos(db, [source, other], later) == library.MoveOutcome(moved=1, refused_already_there=1)
    copy = next(v for v in library.page_of_videos(db, later, offset=0, limit=10) if v.youtube_id == "aaaaaaaaaaa")
    assert copy.id != source and copy.title == "Title aaaaaaaaaaa" and copy.import_stage is ImportStage.COMPLETE
    assert copy.batch_id is None and copy.claimed_by is None
    assert _children(db, copy.id) == (1, 1, 1) and _children(db, source) == (1, 1, 1)
    assert search(db, "zebra", list_id=later).total == 1


def test_move_or_copy_to_a_missing_list_says_so(db):
    inbox = library.ensure_default_list(db)
    video = _seed_video(db, inbox, "aaaaaaaaaaa")
    for action in (library.move_videos, library.copy_videos):
        with pytest.raises(library.LibraryError, match="no longer exists"):
            action(db, [video], 4242)


@pytest.mark.parametrize(
    ("name", "message"),
    [("   ", "only spaces"), ("", "needs a name"), ("x" * 101, "at most 100"), ("LATER", "already exists")],
)
def test_rename_checks_names_as_create_does(db, name, message):
    inbox = library.ensure_default_list(db)
    library.create_list(db, "Later")
    with pytest.raises(library.LibraryError, match=message):
        library.rename_list(db, inbox, name)


def test_rename_keeps_one_space_and_may_change_only_the_case(db):
    inbox = library.ensure_default_list(db)
    assert library.rename_list(db, inbox, "  To   watch ") == "To watch"
    assert library.rename_list(db, inbox, "to WATCH") == "to WATCH"
    assert [s.name for s in library.list_summaries(db)] == ["to WATCH"]
    with pytest.raises(library.LibraryError, match="no longer exists"):
        library.rename_list(db, 4242, "Other")


def test_deleting_a_list_takes_its_videos_and_batches_but_never_the_last_list(db):
    inbox = library.ensure_default_list(db)
    later = library.create_list(db, "Later")
    ids = [_seed_video(db, later, v) for v in ("aaaaaaaaaaa", "bbbbbbbbbbb")]
    kept = _seed_video(db, inbox, "aaaaaaaaaaa")
    assert library.count_videos(db, later) == 2
    assert library.delete_list(db, later) == 2
    assert [s.id for s in library.list_summaries(db)] == [inbox]
    assert all(_row(db, i) is None for i in ids) and _row(db, kept) is not None
    with db.read() as session:
        assert session.exec(select(ImportBatch.list_id)).all() == [inbox]
    with pytest.raises(library.LibraryError, match="only list"):
        library.delete_list(db, inbox)


def test_the_inbox_may_go_while_another_list_exists(db):
    inbox = library.ensure_default_list(db)
    later = library.create_list(db, "Later")
    assert library.delete_list(db, inbox) == 0
    assert library.ensure_default_list(db) == later


def test_cancel_marks_unfinished_videos_and_leaves_finished_ones(db):
    inbox = library.ensure_default_list(db)
    done = _seed_video(db, inbox, "aaaaaaaaaaa")
    outcome = library.import_paste(db, inbox, "bbbbbbbbbbb ccccccccccc")
    assert library.cancel_batch(db, outcome.batch_id) == 2
    assert library.cancel_videos(db, [done]) == 0
    rows = library.page_of_videos(db, inbox, offset=0, limit=10)
    by_id = {row.youtube_id: row for row in rows}
    assert by_id["aaaaaaaaaaa"].import_stage is ImportStage.COMPLETE
    for youtube_id in ("bbbbbbbbbbb", "ccccccccccc"):
        row = by_id[youtube_id]
        assert (row.import_stage, row.error_code, row.failed_stage) == (
            ImportStage.ERROR,
            ErrorCode.CANCELLED.value,
            ImportStage.CREATED,
        )
        assert row.error_message == "You cancelled this import."
    counts = library.batch_counts(db, inbox)
    assert (counts.failed, counts.cancelled, counts.running) == (0, 2, False)
    assert library.retry_failed(db, inbox) == 2, "Retry starts a cancelled video again"


def test_summary_and_banner_name_the_cancelled():
    summary = BatchSummary(batch_id=1, list_id=1, imported=47, without_captions=3, failed=0, cancelled=2)
    assert summary_text(summary) == "47 imported, 3 without captions, 0 failed, 2 cancelled"
    assert (
        counts_text(BatchCounts(total=5, imported=2, failed=1, cancelled=1))
        == "2 of 5 imported · 1 failed · 1 cancelled"
    )


class _GatedBackend(SimBackend):
    """Holds every caption fetch until ``gate`` opens; ``entered`` is set once one is held."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()

    async def list_caption_tracks(self, video_id):
        self.entered.set()
        await self.gate.wait()
        return await super().list_caption_tracks(video_id)


async def _held_in_captions(db, youtube_ids: str):
    """A worker running the paste, held in its captions stage; the sink, the backend and the run task."""
    inbox = library.ensure_default_list(db)
    outcome = library.import_paste(db, inbox, youtube_ids)
    backend = _GatedBackend()
    sink = RecordingSink(db)
    task = asyncio.create_task(make_worker(db, backend, sink).run(until_idle=True))
    await asyncio.wait_for(backend.entered.wait(), timeout=10)
    return inbox, outcome, backend, sink, task


@pytest.mark.asyncio
async def test_a_video_cancelled_mid_stage_stops_there_and_the_summary_counts_it(db):
    inbox, outcome, backend, sink, task = await _held_in_captions(db, "aaaaaaaaaaa")
    row_id = library.page_of_videos(db, inbox, offset=0, limit=1)[0].id
    assert await asyncio.to_thread(library.cancel_batch, db, outcome.batch_id) == 1
    backend.gate.set()
    await asyncio.wait_for(task, timeout=10)
    row = _row(db, row_id)
    assert (row.import_stage, row.error_code, row.failed_stage) == (
        ImportStage.ERROR,
        ErrorCode.CANCELLED.value,
        ImportStage.CAPTIONS,
    )
    assert row.caption_source is None and _children(db, row_id)[1:] == (0, 0), "the worker wrote no transcript after"
    assert row.claimed_by is None
    assert [(s.imported, s.failed, s.cancelled) for s in sink.summaries] == [(0, 0, 1)]
    assert summary_text(sink.summaries[0]).endswith("0 failed, 1 cancelled")


@pytest.mark.asyncio
async def test_a_video_deleted_mid_import_is_never_written_again(db):
    inbox, _, backend, sink, task = await _held_in_captions(db, "aaaaaaaaaaa bbbbbbbbbbb")
    rows = library.page_of_videos(db, inbox, offset=0, limit=2)
    assert await asyncio.to_thread(library.delete_videos, db, inbox, [row.id for row in rows]) == 2
    backend.gate.set()
    await asyncio.wait_for(task, timeout=10)
    assert task.exception() is None
    with db.read() as session:
        assert session.exec(select(func.count()).select_from(Video)).one() == 0
        assert session.exec(select(func.count()).select_from(TranscriptSegmentRow)).one() == 0
        assert session.exec(select(func.count()).select_from(TranscriptWindow)).one() == 0


@pytest.mark.asyncio
async def test_deleting_a_list_mid_import_stops_its_videos(db):
    inbox = library.ensure_default_list(db)
    later = library.create_list(db, "Later")
    library.import_paste(db, later, "aaaaaaaaaaa")
    backend = _GatedBackend()
    task = asyncio.create_task(make_worker(db, backend, RecordingSink(db)).run(until_idle=True))
    await asyncio.wait_for(backend.entered.wait(), timeout=10)
    assert await asyncio.to_thread(library.delete_list, db, later) == 1
    backend.gate.set()
    await asyncio.wait_for(task, timeout=10)
    assert [s.id for s in library.list_summaries(db)] == [inbox]
    with db.read() as session:
        assert session.exec(select(func.count()).select_from(TranscriptSegmentRow)).one() == 0
