"""The expansion job on the simulated YouTube: pasted playlists and channels become videos page by page."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import func, select

from robust_import_app import library, sources
from robust_import_app.domain.sources import EntryState, Lister, SourceKind, SourceState
from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.models import ImportBatch, ImportSource, Video
from robust_import_app.pipeline.progress.text import summary_entries_text, summary_text
from robust_import_app.pipeline.resilience.guard import Guards
from robust_import_app.youtube.sim import SimBackend
from robust_import_app.youtube.sim.faults import PageFaults
from robust_import_app.youtube.sources import SourceEntry, SourceRef
from tests.pipeline.helpers import FAST_GUARD
from tests.pipeline.source_helpers import (
    CountingGuards,
    SourceSink,
    list_video_ids,
    run_until_idle,
    running,
    settle_sources,
    source_row,
    source_worker,
    until,
)

PLAYLIST = "https://www.youtube.com/playlist?list=PLsimulated150"


async def _entries(backend: SimBackend, ref: SourceRef) -> list[SourceEntry]:
    """Every entry of ``ref`` as the sim lists it (read without the worker)."""
    entries, cursor = [], None
    while True:
        page = await backend.list_source_page(ref, cursor)
        entries.extend(page.entries)
        if page.next_cursor is None:
            return entries
        cursor = page.next_cursor


def _guards() -> CountingGuards:
    return CountingGuards(Guards.from_configs({upstream: FAST_GUARD for upstream in Upstream}))


def _batch(db, batch_id: int) -> ImportBatch:
    with db.read() as session:
        return session.get(ImportBatch, batch_id)


@pytest.mark.asyncio
async def test_a_pasted_playlist_becomes_its_videos_one_guarded_request_per_page(db):
    list_id = library.ensure_default_list(db)
    outcome = library.import_paste(db, list_id, PLAYLIST)
    [source_id] = outcome.sources
    assert outcome.queued and outcome.created == ()
    assert sources.list_sources(db, list_id)[0].message == "Waiting to expand playlist PLsimulated150"
    sink, guards = SourceSink(db), _guards()
    await settle_sources(source_worker(db, SimBackend(), sink, guards=guards, videos_in_flight=0))

    expected = [e.video_id for e in await _entries(SimBackend(), SourceRef(SourceKind.PLAYLIST, "PLsimulated150"))]
    assert list_video_ids(db, list_id) == expected, "every entry, once, in the playlist's order"
    row = source_row(db, source_id)
    assert (row.state, row.found, row.total, row.lister, row.cursor) == (
        SourceState.DONE,
        150,
        150,
        Lister.YTDLP_FLAT,
        None,
    )
    assert row.claimed_by is None and row.title
    assert guards.requests[Upstream.PLAYER, "expand"] == 2, "100 + 50 entries: two pages, two requests"
    with db.read() as session:
        stages = set(session.exec(select(Video.import_stage).where(Video.batch_id == outcome.batch_id)).all())
    assert stages == {ImportStage.CREATED}
    assert _batch(db, outcome.batch_id).total == 150
    assert [u.source_id for u in sink.sources] == [source_id, source_id], "one report per page"
    view = sources.get_source(db, source_id)
    assert view.message == "150 found" and view.url == "https://www.youtube.com/playlist?list=PLsimulated150"


@pytest.mark.asyncio
async def test_a_batch_with_a_source_is_announced_once_the_source_and_its_videos_are_done(db):
    backend = SimBackend(private_rate=0.2, deleted_rate=0.1, seed=5)
    entries = await _entries(
        SimBackend(private_rate=0.2, deleted_rate=0.1, seed=5), SourceRef(SourceKind.PLAYLIST, "PLsimulated24")
    )
    private = sum(e.state is EntryState.PRIVATE for e in entries)
    deleted = sum(e.state is EntryState.DELETED for e in entries)
    assert private and deleted
    list_id = library.ensure_default_list(db)
    outcome = library.import_paste(db, list_id, "https://www.youtube.com/playlist?list=PLsimulated24\ndQw4w9WgXcQ")
    sink = SourceSink(db)
    await run_until_idle(source_worker(db, backend, sink))
    [summary] = sink.summaries
    imported = 24 - private - deleted + 1
    assert summary.batch_id == outcome.batch_id and summary.imported == imported
    assert summary_text(summary).endswith(f" 0 failed · 24 found, {private} private, {deleted} deleted")
    assert _batch(db, outcome.batch_id).total == imported


@pytest.mark.asyncio
async def test_private_deleted_and_duplicate_entries_are_counted_and_named_not_created(db):
    backend = SimBackend(private_rate=0.1, deleted_rate=0.05, seed=3)
    entries = await _entries(
        SimBackend(private_rate=0.1, deleted_rate=0.05, seed=3), SourceRef(SourceKind.PLAYLIST, "PLsimulated150")
    )
    private = sum(e.state is EntryState.PRIVATE for e in entries)
    deleted = sum(e.state is EntryState.DELETED for e in entries)
    available = [e.video_id for e in entries if e.state is EntryState.AVAILABLE]
    assert private and deleted
    list_id = library.ensure_default_list(db)
    library.import_paste(db, list_id, available[3])  # already in the list before the playlist
    outcome = library.import_paste(db, list_id, f"{available[7]}\n{PLAYLIST}")  # pasted with it
    await settle_sources(source_worker(db, backend, SourceSink(db), videos_in_flight=0))

    assert sorted(list_video_ids(db, list_id)) == sorted(available)
    row = source_row(db, outcome.sources[0])
    assert (row.found, row.private, row.deleted, row.duplicates) == (150, private, deleted, 2)
    assert _batch(db, outcome.batch_id).total == len(available) - 1, "the pasted video and the playlist's new ones"
    message = f"150 found, {private} private, {deleted} deleted, 2 already in the list"
    assert sources.get_source(db, row.id).message == message


@pytest.mark.asyncio
async def test_a_source_already_expanding_in_the_list_is_reported_not_created_again(db):
    list_id = library.ensure_default_list(db)
    first = library.import_paste(db, list_id, PLAYLIST)
    again = library.import_paste(db, list_id, f"{PLAYLIST}\nhttps://www.youtube.com/@simchannel30/videos")
    assert again.duplicate_sources == (SourceRef(SourceKind.PLAYLIST, "PLsimulated150"),)
    assert len(again.sources) == 1 and again.sources != first.sources
    other = library.create_list(db, "Other")
    assert len(library.import_paste(db, other, PLAYLIST).sources) == 1, "another list expands it on its own"


@pytest.mark.asyncio
async def test_a_large_playlist_asks_first_and_creates_nothing_until_the_choice(db):
    list_id = library.ensure_default_list(db)
    outcome = library.import_paste(db, list_id, "https://www.youtube.com/playlist?list=PLsimulated400")
    [source_id] = outcome.sources
    sink, guards = SourceSink(db), _guards()
    worker = source_worker(db, SimBackend(), sink, confirm_over=200, guards=guards, videos_in_flight=0)
    await settle_sources(worker)

    view = sources.get_source(db, source_id)
    assert view.state is SourceState.AWAITING_CHOICE and view.total == 400
    assert view.message == "Waiting for your choice: 400 videos" and view.choices == (50, 200)
    assert list_video_ids(db, list_id) == [] and guards.requests[Upstream.PLAYER, "expand"] == 1
    with pytest.raises(library.LibraryError):
        sources.choose_source_limit(db, source_id, 0)

    sources.choose_source_limit(db, source_id, 50)
    with pytest.raises(library.LibraryError):
        sources.choose_source_limit(db, source_id, 50)
    await settle_sources(worker)
    expected = [e.video_id for e in await _entries(SimBackend(), SourceRef(SourceKind.PLAYLIST, "PLsimulated400"))]
    assert list_video_ids(db, list_id) == expected[:50], "the first 50 in the playlist's order"
    view = sources.get_source(db, source_id)
    assert (view.state, view.found, view.limit) == (SourceState.DONE, 50, 50)
    assert view.message == "Latest 50 of 400: 50 found"
    assert guards.requests[Upstream.PLAYER, "expand"] == 2, "the first page again, cut at 50"
    assert _batch(db, outcome.batch_id).total == 50


@pytest.mark.asyncio
async def test_a_large_batch_is_held_open_until_the_choice(db):
    list_id = library.ensure_default_list(db)
    outcome = library.import_paste(db, list_id, "https://www.youtube.com/playlist?list=PLsimulated40\ndQw4w9WgXcQ")
    sink = SourceSink(db)
    worker = source_worker(db, SimBackend(), sink, confirm_over=10)
    await run_until_idle(worker)
    assert library.batch_counts(db, list_id).imported == 1, "the pasted video is done"
    assert sink.summaries == [], "the batch waits for the choice"
    sources.choose_source_limit(db, outcome.sources[0], 5)
    await run_until_idle(worker)
    [summary] = sink.summaries
    assert summary.imported == 6 and summary_entries_text(summary) == "5 found"


@pytest.mark.asyncio
async def test_a_channel_without_a_reported_total_is_counted_before_anything_is_created(db):
    list_id = library.ensure_default_list(db)
    large = library.import_paste(db, list_id, "https://www.youtube.com/@simchannel95").sources[0]
    small = library.import_paste(db, list_id, "https://www.youtube.com/@simchannel45/videos").sources[0]
    sink, guards = SourceSink(db), _guards()
    worker = source_worker(db, SimBackend(), sink, confirm_over=50, guards=guards, videos_in_flight=0)
    await settle_sources(worker)

    big = sources.get_source(db, large)
    assert big.state is SourceState.AWAITING_CHOICE and big.total is None and big.found == 60
    assert big.message == "Waiting for your choice: more than 60 videos"
    little = sources.get_source(db, small)
    assert (little.state, little.found, little.total) == (SourceState.DONE, 45, 45)
    assert len(list_video_ids(db, list_id)) == 45, "only the small channel's videos, nothing of the large one"
    # The large one: 2 pages counted; the small one: 2 counted, then 2 listed again taking them.
    assert guards.requests[Upstream.PLAYER, "expand"] == 6

    sources.choose_source_limit(db, large, None)
    await settle_sources(worker)
    assert (source_row(db, large).state, source_row(db, large).found) == (SourceState.DONE, 95)
    assert len(list_video_ids(db, list_id)) == 45 + 95


@pytest.mark.asyncio
async def test_the_command_line_never_asks(db):
    list_id = library.ensure_default_list(db)
    capped = library.import_paste(db, list_id, "https://www.youtube.com/playlist?list=PLsimulated400", source_limit=30)
    everything = library.import_paste(db, list_id, "https://www.youtube.com/@simchannel70", ask_large=False)
    await settle_sources(source_worker(db, SimBackend(), SourceSink(db), confirm_over=20, videos_in_flight=0))
    assert (source_row(db, capped.sources[0]).state, source_row(db, capped.sources[0]).found) == (SourceState.DONE, 30)
    assert (source_row(db, everything.sources[0]).state, source_row(db, everything.sources[0]).found) == (
        SourceState.DONE,
        70,
    )
    assert len(list_video_ids(db, list_id)) == 100


@pytest.mark.asyncio
async def test_the_playlist_of_a_watch_link_is_offered_with_its_size_and_imported_on_accept(db):
    list_id = library.ensure_default_list(db)
    outcome = library.import_paste(db, list_id, "https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLsimulated30")
    assert outcome.created == ("dQw4w9WgXcQ",) and outcome.sources == ()
    [offer] = outcome.offers
    sink = SourceSink(db)
    worker = source_worker(db, SimBackend(), sink)
    await run_until_idle(worker)

    view = sources.get_source(db, offer)
    assert view.state is SourceState.OFFERED and view.total == 30
    assert view.message.startswith("Also import the whole playlist “") and view.message.endswith("(30 videos)")
    assert list_video_ids(db, list_id) == ["dQw4w9WgXcQ"], "an offer creates nothing"
    assert [s.batch_id for s in sink.summaries] == [outcome.batch_id], "the paste's batch did not wait for the offer"

    batch_id = sources.accept_offer(db, offer)
    await run_until_idle(worker)
    assert source_row(db, offer).state is SourceState.DONE
    assert len(list_video_ids(db, list_id)) == 31
    assert sink.summaries[-1].batch_id == batch_id and sink.summaries[-1].imported == 30
    with pytest.raises(library.LibraryError):
        sources.accept_offer(db, offer)


class _HeldPageBackend(SimBackend):
    """The sim, whose first page listing waits for ``release`` once it has begun (``listing`` set)."""

    def __init__(self) -> None:
        super().__init__()
        self.listing = asyncio.Event()
        self.release = asyncio.Event()

    async def list_source_page(self, source, cursor):
        if not self.listing.is_set():
            self.listing.set()
            await self.release.wait()
        return await super().list_source_page(source, cursor)


@pytest.mark.asyncio
async def test_accepting_an_offer_while_the_worker_sizes_it_wins(db):
    """The worker holds the offer's lease mid-page when the user clicks "Import playlist"."""
    list_id = library.ensure_default_list(db)
    outcome = library.import_paste(db, list_id, "https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLsimulated30")
    [offer] = outcome.offers
    sink, backend = SourceSink(db), _HeldPageBackend()
    worker = source_worker(db, backend, sink)
    async with running(worker):
        await asyncio.wait_for(backend.listing.wait(), timeout=30)
        assert source_row(db, offer).claimed_by == worker.queue.worker_id, "the worker sizes the offer"
        batch_id = await asyncio.to_thread(sources.accept_offer, db, offer)
        backend.release.set()
        await until(lambda: source_row(db, offer).state is SourceState.DONE, timeout_s=30, what="the accepted playlist")
        await until(lambda: any(s.batch_id == batch_id for s in sink.summaries), timeout_s=30, what="its summary")
    [summary] = [s for s in sink.summaries if s.batch_id == batch_id]
    assert (summary.imported, summary.found) == (30, 30), "the click won: the whole playlist, announced once"
    assert len(list_video_ids(db, list_id)) == 31


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("https://www.youtube.com/playlist?list=PLgonePlaylist1", "Playlist not found"),
        ("https://www.youtube.com/@gonechannel", "Channel not found"),
    ],
)
async def test_a_missing_source_fails_with_a_plain_reason_and_its_batch_is_announced(db, link, reason):
    list_id = library.ensure_default_list(db)
    outcome = library.import_paste(db, list_id, f"{link}\ndQw4w9WgXcQ")
    sink = SourceSink(db)
    await run_until_idle(source_worker(db, SimBackend(), sink))
    view = sources.get_source(db, outcome.sources[0])
    assert view.state is SourceState.FAILED and view.message == reason
    [summary] = sink.summaries
    assert summary.imported == 1 and summary_entries_text(summary) == "0 found"


@pytest.mark.asyncio
async def test_transient_page_faults_back_off_and_the_listing_resumes_at_its_cursor(db):
    backend = SimBackend(page_faults=PageFaults.parse("2:429*2"))
    list_id = library.ensure_default_list(db)
    outcome = library.import_paste(db, list_id, "https://www.youtube.com/playlist?list=PLsimulated250")
    sink, guards = SourceSink(db), _guards()
    await settle_sources(source_worker(db, backend, sink, guards=guards, confirm_over=1000, videos_in_flight=0))
    row = source_row(db, outcome.sources[0])
    assert (row.state, row.found, row.attempt_count, row.error_code) == (SourceState.DONE, 250, 0, None)
    ids = list_video_ids(db, list_id)
    assert len(ids) == len(set(ids)) == 250
    assert guards.requests[Upstream.PLAYER, "expand"] == 5, "three pages answered, page 2 failed twice first"
    assert backend._page_attempts["PLsimulated250", None, 2] == 3, "page 2 failed twice, then answered"


@pytest.mark.asyncio
async def test_retries_used_up_fail_the_source_but_keep_its_videos(db):
    backend = SimBackend(page_faults=PageFaults.parse("2:5xx*50"))
    list_id = library.ensure_default_list(db)
    outcome = library.import_paste(db, list_id, "https://www.youtube.com/playlist?list=PLsimulated150")
    await settle_sources(source_worker(db, backend, SourceSink(db), videos_in_flight=0))
    view = sources.get_source(db, outcome.sources[0])
    assert view.state is SourceState.FAILED and view.found == 100
    assert view.message.startswith("Playlist could not be listed: YouTube answered with a server error")
    assert len(list_video_ids(db, list_id)) == 100


@pytest.mark.asyncio
async def test_cancelling_the_batch_cancels_its_sources_and_deleting_the_list_deletes_them(db):
    library.ensure_default_list(db)
    list_id = library.create_list(db, "Big ones")
    outcome = library.import_paste(db, list_id, "https://www.youtube.com/playlist?list=PLsimulated400")
    library.cancel_batch(db, outcome.batch_id)
    assert source_row(db, outcome.sources[0]).state is SourceState.CANCELLED
    assert sources.get_source(db, outcome.sources[0]).message == "Cancelled"
    sink = SourceSink(db)
    await run_until_idle(source_worker(db, SimBackend(), sink))
    assert list_video_ids(db, list_id) == [] and [s.batch_id for s in sink.summaries] == [outcome.batch_id]

    library.delete_list(db, list_id)
    with db.read() as session:
        assert session.exec(select(func.count()).select_from(ImportSource)).one() == 0
