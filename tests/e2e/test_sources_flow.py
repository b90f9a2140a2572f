"""End to end: playlists and channels in the browser — source cards streaming, the big-source choice,
the offered playlist of a watch link, following a channel from the sidebar, a restart mid-expansion.

What the tab shows over time is recorded in the page itself (a MutationObserver
notes every change of the watched elements' text), so the order of what was
shown is checked, not what a poll happened to catch. Every wait is bounded.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from robust_import_app import library
from robust_import_app.db import Database
from robust_import_app.models import Video
from robust_import_app.models.tables import ImportSource
from tests.e2e.server import running_app

pytestmark = pytest.mark.e2e

PLAYLIST_400 = "https://www.youtube.com/playlist?list=PLsimulated400"

_RECORD = """selectors => {
  window.__seen = [];
  const snap = () => {
    const entry = selectors.map(s => { const el = document.querySelector(s); return el ? el.textContent : null; });
    const last = window.__seen[window.__seen.length - 1];
    if (!last || entry.some((text, i) => text !== last[i])) window.__seen.push(entry);
  };
  new MutationObserver(snap).observe(document.body, {subtree: true, childList: true, characterData: true});
  snap();
}"""
"""Record, in ``window.__seen``, each distinct tuple of the texts of ``selectors`` the tab shows."""

MESSAGE = '[data-testid="source-message"]'
VIDEO_COUNT = '[data-testid="video-count"]'
OFFER = '[data-testid="offer-button"]'


def _db(app) -> Database:
    return Database(app.db_url)


def _new_list(app, name: str) -> int:
    db = _db(app)
    try:
        return library.create_list(db, name)
    finally:
        db.dispose()


def _open_list(browser, app, list_id: int, *, record: tuple[str, ...] = ()) -> Page:
    page = browser.new_page()
    page.goto(f"{app.frontend_url}/list/{list_id}")
    expect(page.get_by_test_id("video-count")).to_be_visible(timeout=30_000)
    if record:
        page.evaluate(_RECORD, list(record))
    return page


def _paste(page: Page, text: str) -> None:
    page.get_by_role("button", name="Import videos").click()
    page.get_by_label("YouTube links").fill(text)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("dialog")).to_be_hidden(timeout=15_000)


def _seen(page: Page) -> list[list[str | None]]:
    return page.evaluate("() => window.__seen")


def _source_row(app, list_id: int) -> ImportSource:
    db = _db(app)
    try:
        with db.read() as session:
            return session.exec(select(ImportSource).where(ImportSource.list_id == list_id)).one()
    finally:
        db.dispose()


def _video_count(app, list_id: int) -> int:
    db = _db(app)
    try:
        return library.count_videos(db, list_id)
    finally:
        db.dispose()


def _count_in(label: str | None) -> int | None:
    found = re.match(r"(\d+) videos?", label or "")
    return int(found[1]) if found else None


def _changes(values: list[str | None]) -> list[str]:
    """``values`` without empties and without repeats of the value before."""
    kept: list[str] = []
    for value in values:
        if value and (not kept or kept[-1] != value):
            kept.append(value)
    return kept


@pytest.fixture(scope="class")
def streaming_app(tmp_path_factory):
    """Slow pages (1.5 s per call, so each page is seen), 3 % private and 1 % deleted entries, no question asked.

    32 calls in flight per upstream, so the ~380 videos import within a minute or two despite the latency.
    """
    env = {
        "IMPORT_SIM_LATENCY_MS": "1500",
        "IMPORT_CONCURRENCY": "32",
        "IMPORT_SIM_PRIVATE_ENTRIES": "0.03",
        "IMPORT_SIM_DELETED_ENTRIES": "0.01",
        "IMPORT_SOURCE_CONFIRM_OVER": "1000",
        "IMPORT_VIDEOS_IN_FLIGHT": "32",
        "IMPORT_REQUEST_INTERVAL_S": "0.005",
    }
    with running_app(tmp_path_factory.mktemp("sources-streaming"), env=env) as running:
        yield running


class TestStreaming:
    """A 400-video playlist: its card at once, then page after page, then the summary."""

    def test_a_pasted_playlist_shows_its_card_at_once_then_grows_page_by_page(self, streaming_app, browser):
        app = streaming_app
        list_id = _new_list(app, "Streaming")
        page = _open_list(browser, app, list_id, record=(MESSAGE, VIDEO_COUNT))
        _paste(page, PLAYLIST_400)

        card = page.get_by_test_id("source-card")
        expect(card).to_have_count(1)
        expect(card.get_by_test_id("source-message")).to_have_text(
            re.compile(r"^\d+ found, \d+ private, \d+ deleted$"), timeout=120_000
        )
        row = _source_row(app, list_id)
        assert (row.found, row.total) == (400, 400) and row.private > 0 and row.deleted > 0
        done = f"400 found, {row.private} private, {row.deleted} deleted"
        expect(card.get_by_test_id("source-message")).to_have_text(done)

        seen = _seen(page)
        messages = _changes([message for message, _ in seen])
        assert messages[0] == "Waiting to expand playlist PLsimulated400", "the card came before any page was listed"
        expanding = [m for m in messages if m.startswith("Expanding playlist")]
        found = [int(re.search(r"· (\d+) of 400 found", m)[1]) for m in expanding]
        assert found == [100, 200, 300], f"one change per page of 100 entries: {messages}"
        # Video cards came page by page (the count under the heading grew in steps) before the last page.
        created = 400 - row.private - row.deleted
        last_page = next(i for i, (message, _) in enumerate(seen) if message == done)
        steps = {_count_in(count) for _, count in seen[:last_page]} - {None, 0, created}
        assert len(steps) >= 2, seen
        expect(page.get_by_test_id("video-count")).to_have_text(f"{created} videos")
        summary = page.locator("[data-sonner-toast]").filter(has_text=done)
        expect(summary).to_be_visible(timeout=240_000)
        counts = re.search(r"(\d+) imported, \d+ without captions, (\d+) failed", summary.inner_text())
        assert counts and int(counts[1]) + int(counts[2]) == created, summary.inner_text()
        page.close()


@pytest.fixture(scope="class")
def uploads_file(tmp_path_factory) -> Path:
    """The sim's uploads file (``IMPORT_SIM_UPLOADS_FILE``): a line ``<key> <count>`` publishes new uploads."""
    return tmp_path_factory.mktemp("sources-uploads") / "uploads.txt"


@pytest.fixture(scope="class")
def sources_app(tmp_path_factory, uploads_file):
    """Sources over 30 videos ask first; followed sources are checked every 3 s."""
    env = {
        "IMPORT_SIM_LATENCY_MS": "500",
        "IMPORT_SOURCE_CONFIRM_OVER": "30",
        "IMPORT_FOLLOW_INTERVAL_MIN": "0.05",
        "IMPORT_SIM_UPLOADS_FILE": str(uploads_file),
        "IMPORT_VIDEOS_IN_FLIGHT": "16",
    }
    with running_app(tmp_path_factory.mktemp("sources"), env=env) as running:
        yield running


def _publish(uploads_file: Path, key: str, count: int = 1) -> None:
    with uploads_file.open("a", encoding="utf-8") as out:
        out.write(f"{key} {count}\n")


class TestSources:
    """The big-source question, following from the card and the sidebar, the offered playlist."""

    def test_a_large_channel_asks_first_and_the_choice_sets_how_many_videos(self, sources_app, browser):
        app = sources_app
        list_id = _new_list(app, "Choice")
        page = _open_list(browser, app, list_id)
        _paste(page, "https://www.youtube.com/@simchannel75")

        card = page.get_by_test_id("source-card")
        message = card.get_by_test_id("source-message")
        expect(message).to_have_text("Waiting for your choice: more than 60 videos", timeout=60_000)
        expect(card.get_by_role("button", name="Latest 200")).to_have_count(0)
        expect(card.get_by_role("button", name="All", exact=True)).to_be_visible()
        assert _video_count(app, list_id) == 0, "nothing is created before the choice"

        card.get_by_role("button", name="Latest 50").click()
        expect(message).to_have_text("50 found", timeout=60_000)
        expect(page.get_by_test_id("video-count")).to_have_text("50 videos")
        expect(page.get_by_test_id("video-card")).to_have_count(48)  # one page of cards
        assert _video_count(app, list_id) == 50
        assert _source_row(app, list_id).entry_limit == 50
        expect(card.get_by_role("button", name="Latest 50")).to_have_count(0)

        card.get_by_role("button", name="Dismiss").click()
        expect(card).to_have_count(0)
        page.reload()
        expect(page.get_by_test_id("video-count")).to_have_text("50 videos", timeout=30_000)
        expect(page.get_by_test_id("source-card")).to_have_count(0)
        page.close()

    def test_a_followed_channel_picks_up_a_new_upload_on_its_next_check(self, sources_app, uploads_file, browser):
        app = sources_app
        list_id = _new_list(app, "Channels")
        page = _open_list(browser, app, list_id)
        _paste(page, "https://www.youtube.com/@simchannel20")
        card = page.get_by_test_id("source-card")
        expect(card.get_by_test_id("source-message")).to_have_text("20 found", timeout=60_000)

        card.get_by_role("switch").click()
        followed = page.get_by_test_id("sidebar").get_by_test_id("followed-source")
        expect(followed).to_have_count(1)
        detail = followed.get_by_test_id("followed-detail")
        expect(detail).to_have_text("Channels · checked just now · 0 added", timeout=30_000)

        _publish(uploads_file, "@simchannel20")
        expect(detail).to_have_text("Channels · checked just now · 1 added", timeout=30_000)
        expect(page.get_by_test_id("video-count")).to_have_text("21 videos", timeout=15_000)
        assert _video_count(app, list_id) == 21

        # Pasting the followed channel again adds nothing and says so.
        _paste(page, "https://www.youtube.com/@simchannel20")
        expect(page.get_by_test_id("paste-report")).to_contain_text(
            "1 playlist or channel is already being imported or followed here, not added again: "
            "https://www.youtube.com/@simchannel20/videos"
        )

        followed.get_by_role("button", name=re.compile("^Pause following ")).click()
        expect(detail).to_have_text(re.compile(r"^Channels · paused · checked .+ · 1 added$"))
        row = _source_row(app, list_id)
        assert row.follow_paused and row.next_check_at is None, "no check is scheduled while paused"
        expect(card.get_by_role("switch")).not_to_be_checked()

        _publish(uploads_file, "@simchannel20")
        followed.get_by_role("button", name=re.compile("^Resume following ")).click()
        expect(detail).to_have_text("Channels · checked just now · 2 added", timeout=30_000)
        expect(page.get_by_test_id("video-count")).to_have_text("22 videos", timeout=15_000)

        followed.get_by_role("button", name=re.compile("^Stop following ")).click()
        dialog = page.get_by_role("alertdialog")
        expect(dialog).to_contain_text("Stop following")
        dialog.get_by_role("button", name="Stop following").click()
        expect(followed).to_have_count(0)
        assert not _source_row(app, list_id).following
        assert _video_count(app, list_id) == 22, "the videos it added stay"
        page.close()

    def test_a_watch_link_with_a_playlist_imports_the_video_and_offers_the_rest(self, sources_app, browser):
        app = sources_app
        list_id = _new_list(app, "Offers")
        page = _open_list(browser, app, list_id, record=(OFFER,))
        _paste(page, "https://www.youtube.com/watch?v=offerVideo1&list=PLofferlist40")

        offer = page.get_by_test_id("paste-report").get_by_test_id("offer-button")
        expect(offer).to_have_text(re.compile(r"^Also import the whole playlist “.+” \(40 videos\)$"), timeout=30_000)
        shown = _changes([text for (text,) in _seen(page)])
        assert shown[0] == "Also import the whole playlist PLofferlist40", "offered at once, sized when known"
        expect(page.get_by_test_id("video-count")).to_have_text(re.compile(r"^1 videos?$"))
        expect(page.get_by_test_id("source-card")).to_have_count(0)  # the report shows it

        offer.click()
        expect(offer).to_have_count(0)
        card = page.get_by_test_id("source-card")
        expect(card.get_by_test_id("source-message")).to_have_text("40 found", timeout=60_000)
        expect(page.get_by_test_id("video-count")).to_have_text("41 videos", timeout=15_000)
        assert _video_count(app, list_id) == 41
        page.close()


class TestRestart:
    """A restart of the app mid-expansion: the card resumes where the last stored page left off."""

    def test_the_card_resumes_to_the_full_count_after_a_restart(self, tmp_path_factory, browser):
        env = {"IMPORT_SIM_LATENCY_MS": "1500", "IMPORT_SOURCE_CONFIRM_OVER": "1000", "IMPORT_VIDEOS_IN_FLIGHT": "16"}
        first_dir = tmp_path_factory.mktemp("sources-restart")
        with running_app(first_dir, env=env) as app:
            list_id = _new_list(app, "Restart")
            page = _open_list(browser, app, list_id)
            _paste(page, PLAYLIST_400)
            message = page.get_by_test_id("source-message")
            expect(message).to_have_text(re.compile(r"· [12]00 of 400 found$"), timeout=60_000)
            page.close()
            db_url = app.db_url
        db = Database(db_url)
        try:
            with db.read() as session:
                row_after_stop = session.exec(select(ImportSource).where(ImportSource.list_id == list_id)).one()
                created = len(session.exec(select(Video.id).where(Video.list_id == list_id)).all())
        finally:
            db.dispose()
        assert row_after_stop.found < 400 and row_after_stop.claimed_by is None, (
            "stopped mid-expansion, lease given back"
        )
        assert created == row_after_stop.found

        with running_app(tmp_path_factory.mktemp("sources-restarted"), env=env, db_url=db_url) as app:
            page = _open_list(browser, app, list_id)
            expect(page.get_by_test_id("source-message")).to_have_text("400 found", timeout=120_000)
            expect(page.get_by_test_id("video-count")).to_have_text("400 videos", timeout=15_000)
            ids = _all_youtube_ids(app, list_id)
            assert len(ids) == len(set(ids)) == 400, "no video created twice"
            page.close()


def _all_youtube_ids(app, list_id: int) -> list[str]:
    db = _db(app)
    try:
        with db.read() as session:
            return list(session.exec(select(Video.youtube_id).where(Video.list_id == list_id)).all())
    finally:
        db.dispose()
