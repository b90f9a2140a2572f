"""The simulator's playlists and channels: generated from their key, recorded titles from the
corpus, YouTube's page sizes and order, unavailable entries, page, rate-limit and feed faults,
published uploads (in-process and through a file), and feeds as YouTube renders them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
from yt_dlp.utils import DownloadError

from robust_import_app.domain.errors import ErrorCode
from robust_import_app.domain.sources import ChannelTab, EntryState, SourceKind
from robust_import_app.pipeline.resilience.classify import classify
from robust_import_app.youtube.feed import FeedError, parse_feed
from robust_import_app.youtube.sim import FaultMix, SimBackend
from robust_import_app.youtube.sim.faults import FaultKind, FeedFault, PageFaults
from robust_import_app.youtube.sim.sources import MAX_GENERATED_ENTRIES, sim_channel_id, source_size
from robust_import_app.youtube.sources import SourcePage, SourceRef, feed_url, is_channel_id
from robust_import_app.youtube.urls import parse_source
from tests.clock import FakeClock
from tests.conftest import CORPUS_DIR

CORPUS = CORPUS_DIR
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")

PLAYLIST = SourceRef(SourceKind.PLAYLIST, "PLsimulated400")
CHANNEL = SourceRef(SourceKind.CHANNEL, "@simchannel75", ChannelTab.VIDEOS)


async def read_all(sim: SimBackend, source: SourceRef) -> list[SourcePage]:
    pages, cursor = [], None
    while True:
        page = await sim.list_source_page(source, cursor)
        pages.append(page)
        if (cursor := page.next_cursor) is None:
            return pages


async def raised(coro: Any) -> BaseException:
    try:
        await coro
    except Exception as exc:  # noqa: BLE001
        return exc
    pytest.fail("no exception raised")


def test_the_example_keys_are_links_the_parser_accepts() -> None:
    assert parse_source(f"https://www.youtube.com/playlist?list={PLAYLIST.key}") == PLAYLIST
    assert parse_source(f"https://www.youtube.com/{CHANNEL.key}") == CHANNEL


@pytest.mark.parametrize(
    ("key", "size"),
    [
        ("PLsimulated400", 400),
        ("@simchannel75", 75),
        ("PLsimulated0", 0),
        ("PLsimulated999999999", MAX_GENERATED_ENTRIES),
    ],
)
def test_a_trailing_number_sets_the_size(key: str, size: int) -> None:
    assert source_size(key) == size


def test_other_keys_get_a_hash_size_and_channels_a_derived_id_that_keeps_the_number() -> None:
    assert 5 <= source_size("PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU") <= 300
    assert source_size("PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU") == source_size("PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU")
    for key in ("@simchannel75", "c/custom12", "user/olduser3"):
        channel_id = sim_channel_id(key)
        assert is_channel_id(channel_id) and source_size(channel_id) == source_size(key)
    assert sim_channel_id("@nonumber").endswith("x") and 5 <= source_size(sim_channel_id("@nonumber")) <= 300
    assert sim_channel_id("UCcRSMoQqXc_JrBZRHDFGbqA") == "UCcRSMoQqXc_JrBZRHDFGbqA"


@pytest.mark.asyncio
async def test_a_playlist_lists_pages_of_a_hundred_deterministically() -> None:
    pages = await read_all(SimBackend(), PLAYLIST)
    again = await read_all(SimBackend(), PLAYLIST)

    assert [len(p.entries) for p in pages] == [100, 100, 100, 100]
    assert [p.next_cursor for p in pages] == ["100", "200", "300", None]
    assert pages == again
    ids = [e.video_id for p in pages for e in p.entries]
    assert len(set(ids)) == 400 and all(len(i) == 11 for i in ids)
    assert pages[0].total == 400 and pages[0].title and is_channel_id(pages[0].channel_id or "")


@pytest.mark.asyncio
async def test_entries_import_through_the_rest_of_the_sim_with_their_listed_title() -> None:
    sim = SimBackend()
    entry = (await sim.list_source_page(PLAYLIST, "250")).entries[0]
    metadata = await sim.fetch_metadata(entry.video_id)
    assert metadata.title == entry.title and metadata.duration_s


@pytest.mark.asyncio
async def test_a_channel_tab_pages_by_thirty_newest_first_and_each_tab_has_its_own() -> None:
    sim = SimBackend()
    pages = await read_all(sim, CHANNEL)
    assert [len(p.entries) for p in pages] == [30, 30, 15]
    assert pages[0].total is None and pages[0].title and pages[0].channel_id == sim_channel_id(CHANNEL.key)

    feed = parse_feed(await sim.fetch_feed(feed_url(CHANNEL, channel_id=pages[0].channel_id)))
    published = [e.published for e in feed.entries]
    assert published == sorted(published, reverse=True), "newest first"
    assert [e.video_id for e in feed.entries] == [e.video_id for e in pages[0].entries[:15]]

    shorts = await sim.list_source_page(SourceRef(SourceKind.CHANNEL, CHANNEL.key, ChannelTab.SHORTS), None)
    assert {e.video_id for e in shorts.entries}.isdisjoint(e.video_id for e in pages[0].entries)
    by_id = await sim.list_source_page(SourceRef(SourceKind.CHANNEL, pages[0].channel_id, ChannelTab.VIDEOS), None)
    assert by_id.entries == pages[0].entries, "the handle and the UC id are one channel"


@pytest.mark.asyncio
async def test_private_and_deleted_entries_are_drawn_under_the_seed_and_refused_when_imported() -> None:
    sim = SimBackend(private_rate=0.1, deleted_rate=0.05, seed=7)
    entries = [e for p in await read_all(sim, PLAYLIST) for e in p.entries]
    private = [e for e in entries if e.state is EntryState.PRIVATE]
    deleted = [e for e in entries if e.state is EntryState.DELETED]

    assert 20 <= len(private) <= 60 and 5 <= len(deleted) <= 40 and len(entries) == 400
    assert all(e.video_id.startswith("priv") and e.title == "" for e in private)
    assert all(e.video_id.startswith("gone") for e in deleted)
    assert [
        e for p in await read_all(SimBackend(private_rate=0.1, deleted_rate=0.05, seed=7), PLAYLIST) for e in p.entries
    ] == entries
    error = await raised(sim.fetch_metadata(private[0].video_id))
    assert classify(error).code is ErrorCode.PRIVATE
    assert classify(await raised(sim.fetch_metadata(deleted[0].video_id))).code is ErrorCode.REMOVED
    with pytest.raises(ValueError):
        SimBackend(private_rate=0.7, deleted_rate=0.4)


@needs_corpus
@pytest.mark.asyncio
async def test_recorded_playlist_and_channel_infos_give_their_real_titles() -> None:
    sim = SimBackend(corpus_dir=CORPUS)
    playlist = await sim.list_source_page(SourceRef(SourceKind.PLAYLIST, "PLoopXDarluPBnuxs4PTC55Sc_2ShAXC0i"), None)
    channel = await sim.list_source_page(
        SourceRef(SourceKind.CHANNEL, "UCcRSMoQqXc_JrBZRHDFGbqA", ChannelTab.VIDEOS), None
    )
    assert (playlist.title, playlist.channel_id) == ("Top Music Videos", "UCvYomLPMwUr1FAXRMGhVfCQ")
    assert (channel.title, channel.channel_id) == ("Project Zombie", "UCcRSMoQqXc_JrBZRHDFGbqA")
    assert playlist.entries and channel.entries
    feed = parse_feed(
        await sim.fetch_feed(feed_url(SourceRef(SourceKind.PLAYLIST, "PLoopXDarluPBnuxs4PTC55Sc_2ShAXC0i")))
    )
    assert (feed.title, feed.channel_id) == ("Top Music Videos", "UCvYomLPMwUr1FAXRMGhVfCQ")


@pytest.mark.asyncio
async def test_the_nth_page_fails_with_a_429_that_classifies_as_rate_limited_then_succeeds() -> None:
    sim = SimBackend(page_faults=PageFaults.parse("3:429"))
    await sim.list_source_page(PLAYLIST, None)
    await sim.list_source_page(PLAYLIST, "100")

    error = await raised(sim.list_source_page(PLAYLIST, "200"))

    assert isinstance(error, DownloadError)
    assert str(error).startswith(
        "ERROR: [youtube:tab] PLsimulated400 page 2: Unable to download API page: HTTP Error 429"
    )
    assert classify(error).code is ErrorCode.RATE_LIMITED
    retried = await sim.list_source_page(PLAYLIST, "200")
    assert retried.next_cursor == "300"


@pytest.mark.asyncio
async def test_page_faults_parse_count_and_refuse_bad_specs() -> None:
    faults = PageFaults.parse("1:timeout*2, 4:5xx")
    assert str(faults) == "1:timeout*2,4:5xx*1"
    sim = SimBackend(page_faults=faults)
    for _ in range(2):
        assert classify(await raised(sim.list_source_page(CHANNEL, None))).code is ErrorCode.TIMEOUT
    assert len((await sim.list_source_page(CHANNEL, None)).entries) == 30
    for bad in ("0:429", "3:private", "x:429", "3:429*0", "3"):
        with pytest.raises(ValueError):
            PageFaults.parse(bad)


@pytest.mark.asyncio
async def test_pages_meet_the_player_upstreams_rate_limit_and_transient_faults() -> None:
    clock = FakeClock(100.0)
    sim = SimBackend(rate_per_s=1, clock=clock)
    await sim.list_source_page(PLAYLIST, None)
    error = await raised(sim.list_source_page(PLAYLIST, "100"))
    failure = classify(error)
    assert failure.code is ErrorCode.RATE_LIMITED and failure.retry_after_s == 1
    assert (sim.stats.player.accepted, sim.stats.player.rejected) == (1, 1)

    always = SimBackend(faults=FaultMix({FaultKind.SERVER_ERROR: 1.0}))
    assert classify(await raised(always.list_source_page(PLAYLIST, None))).code is ErrorCode.SERVER_ERROR
    assert classify(await raised(always.fetch_feed(feed_url(PLAYLIST)))).code is ErrorCode.SERVER_ERROR


@pytest.mark.asyncio
async def test_missing_sources_fail_as_youtube_answers_them() -> None:
    sim = SimBackend()
    playlist = await raised(sim.list_source_page(SourceRef(SourceKind.PLAYLIST, "PLgonePlaylist1"), None))
    assert str(playlist) == "ERROR: [youtube:tab] PLgonePlaylist1: YouTube said: The playlist does not exist."
    channel = await raised(sim.list_source_page(SourceRef(SourceKind.CHANNEL, "@gonechannel", ChannelTab.VIDEOS), None))
    assert classify(channel).code is ErrorCode.NOT_FOUND
    feed = await raised(sim.fetch_feed(feed_url(SourceRef(SourceKind.PLAYLIST, "PLgonePlaylist1"))))
    assert isinstance(feed, httpx.HTTPStatusError) and feed.response.status_code == 404


@pytest.mark.asyncio
async def test_published_uploads_go_on_top_of_the_listing_and_the_feed() -> None:
    sim = SimBackend()
    before = await sim.list_source_page(CHANNEL, None)
    channel_id = before.channel_id
    sim.publish(CHANNEL.key)
    sim.publish(channel_id, count=2)

    after = await sim.list_source_page(CHANNEL, None)
    feed = parse_feed(await sim.fetch_feed(feed_url(CHANNEL, channel_id=channel_id)))

    assert after.entries[3:] == before.entries[:27]
    new_ids = [e.video_id for e in after.entries[:3]]
    assert [e.video_id for e in feed.entries[:3]] == new_ids and len(feed.entries) == 15
    assert feed.entries[0].published > feed.entries[3].published
    assert len([e for p in await read_all(sim, CHANNEL) for e in p.entries]) == 78
    with pytest.raises(ValueError):
        sim.publish(CHANNEL.key, count=0)


@pytest.mark.asyncio
async def test_a_server_in_another_process_sees_uploads_from_the_uploads_file(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads.txt"
    sim = SimBackend.from_env({"IMPORT_SIM_UPLOADS_FILE": str(uploads)})
    first = await sim.list_source_page(PLAYLIST, None)
    assert first.total == 400, "a missing file is no uploads"

    uploads.write_text(f"# published by the test\n{PLAYLIST.key} 1\n\n{PLAYLIST.key} 2\n")
    after = await sim.list_source_page(PLAYLIST, None)
    feed = parse_feed(await sim.fetch_feed(feed_url(PLAYLIST)))

    assert after.total == 403 and after.entries[3] == first.entries[0]
    assert [e.video_id for e in feed.entries[:3]] == [e.video_id for e in after.entries[:3]]
    uploads.write_text("PLsimulated400 many\n")
    with pytest.raises(ValueError, match="uploads.txt:1"):
        await sim.list_source_page(PLAYLIST, None)


@pytest.mark.asyncio
async def test_a_playlist_feed_lists_its_first_fifteen_available_entries_in_order() -> None:
    sim = SimBackend(private_rate=0.2, seed=1)
    listed = [e for e in (await sim.list_source_page(PLAYLIST, None)).entries if e.state is EntryState.AVAILABLE]
    feed = parse_feed(await sim.fetch_feed(feed_url(PLAYLIST)))
    assert feed.playlist_id == PLAYLIST.key and feed.title == (await sim.list_source_page(PLAYLIST, None)).title
    assert [(e.video_id, e.title) for e in feed.entries] == [(e.video_id, e.title) for e in listed[:15]]
    assert all(e.published.tzinfo is dt.UTC for e in feed.entries)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("fault", "check"),
    [
        (FeedFault.NOT_FOUND, lambda e: isinstance(e, httpx.HTTPStatusError) and e.response.status_code == 404),
        (
            FeedFault.RATE_LIMITED,
            lambda e: classify(e).code is ErrorCode.RATE_LIMITED and classify(e).retry_after_s == 30,
        ),
        (FeedFault.SERVER_ERROR, lambda e: classify(e).code is ErrorCode.SERVER_ERROR),
        (FeedFault.TIMEOUT, lambda e: isinstance(e, httpx.TimeoutException)),
    ],
)
async def test_an_injected_feed_fault_fails_every_fetch(fault: FeedFault, check: Any) -> None:
    sim = SimBackend(feed_fault=fault)
    assert check(await raised(sim.fetch_feed(feed_url(PLAYLIST))))
    assert len((await sim.list_source_page(PLAYLIST, None)).entries) == 100, "listing still works: the fallback"


@pytest.mark.asyncio
async def test_a_malformed_feed_fault_answers_a_document_parse_feed_refuses() -> None:
    sim = SimBackend.from_env({"IMPORT_SIM_FEED_FAULT": "malformed"})
    with pytest.raises(FeedError):
        parse_feed(await sim.fetch_feed(feed_url(PLAYLIST)))


@pytest.mark.asyncio
async def test_fetch_feed_refuses_urls_that_are_no_feed() -> None:
    with pytest.raises(ValueError, match="not a YouTube feed URL"):
        await SimBackend().fetch_feed("https://www.youtube.com/playlist?list=PLsimulated400")


def test_from_env_reads_the_source_variables(tmp_path: Path) -> None:
    sim = SimBackend.from_env({
        "IMPORT_SIM_PRIVATE_ENTRIES": "0.02", "IMPORT_SIM_DELETED_ENTRIES": "0.01",
        "IMPORT_SIM_PAGE_FAULTS": "3:429*2", "IMPORT_SIM_FEED_FAULT": "5xx",
        "IMPORT_SIM_UPLOADS_FILE": str(tmp_path / "uploads.txt"),
    })  # fmt: skip
    assert (sim.private_rate, sim.deleted_rate) == (0.02, 0.01)
    assert sim.page_faults == PageFaults({3: (FaultKind.RATE_LIMITED, 2)})
    assert sim.feed_fault is FeedFault.SERVER_ERROR and sim.uploads_file == tmp_path / "uploads.txt"
    defaults = SimBackend.from_env({})
    assert (defaults.private_rate, defaults.deleted_rate, defaults.feed_fault, defaults.uploads_file) == (
        0,
        0,
        None,
        None,
    )
    for name, value in [
        ("IMPORT_SIM_PAGE_FAULTS", "3:bogus"),
        ("IMPORT_SIM_FEED_FAULT", "418"),
        ("IMPORT_SIM_PRIVATE_ENTRIES", "some"),
    ]:
        with pytest.raises(ValueError, match=name):
            SimBackend.from_env({name: value})
