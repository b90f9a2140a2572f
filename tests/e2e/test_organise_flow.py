"""End to end: select with shift-click and move (duplicates reported), delete with confirmation,
rename and delete a list (the confirmation names its videos), cancel a running batch."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from robust_import_app import library
from robust_import_app.db import Database
from robust_import_app.domain.stages import ImportStage
from robust_import_app.models import Video

pytestmark = pytest.mark.e2e

CARDS = "[data-testid=video-card]"
INBOX_IDS = [f"orgVideo{n:03d}" for n in range(5)]


def _seed_complete(db: Database, list_id: int, youtube_ids: list[str]) -> None:
    """Videos already imported (the worker has nothing to do with them)."""
    library.import_paste(db, list_id, " ".join(youtube_ids))
    with db.write() as session:
        for row in session.exec(
            select(Video).where(Video.list_id == list_id, Video.import_stage == ImportStage.CREATED)
        ):
            row.title, row.channel, row.duration_s = f"Talk {row.youtube_id}", "Channel", 60
            row.import_stage, row.import_progress = ImportStage.COMPLETE, 100
            session.add(row)


def _card(page: Page, youtube_id: str):
    return page.locator(f"{CARDS}[data-video-id={youtube_id}]")


def _open(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("button", name="Import videos")).to_be_visible(timeout=30_000)


def test_select_move_delete_rename_and_delete_a_list(app, browser):
    db = Database(app.db_url)
    try:
        inbox = library.ensure_default_list(db)
        later = library.create_list(db, "Later")
        _seed_complete(db, inbox, INBOX_IDS)
        _seed_complete(db, later, [INBOX_IDS[1]])
    finally:
        db.dispose()
    page = browser.new_context().new_page()
    _open(page, f"{app.frontend_url}/list/{inbox}")
    expect(page.locator(CARDS)).to_have_count(5)

    # The page shows the paste's first link on top: ids 0, 1, 2, 3, 4.
    _card(page, INBOX_IDS[0]).get_by_test_id("card-select").click()
    _card(page, INBOX_IDS[3]).get_by_test_id("card-select").click(modifiers=["Shift"])
    expect(page.get_by_test_id("selection-count")).to_have_text("4 selected")
    page.get_by_role("button", name="Move to…").click()
    page.get_by_role("menuitem", name="Later").click()
    expect(page.get_by_text("Moved 3 videos to Later; 1 was already there")).to_be_visible(timeout=10_000)
    expect(page.locator(CARDS)).to_have_count(2)
    expect(page.get_by_test_id("selection-bar")).to_have_count(0)

    _card(page, INBOX_IDS[4]).get_by_test_id("card-select").click()
    page.get_by_role("button", name="Delete…").click()
    expect(page.get_by_test_id("delete-videos-text")).to_contain_text("Delete 1 video?")
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_text("Deleted 1 video")).to_be_visible(timeout=10_000)
    expect(page.locator(CARDS)).to_have_count(1)
    expect(_card(page, INBOX_IDS[1])).to_be_visible()

    page.get_by_role("button", name="Actions for Later").click()
    page.get_by_role("menuitem", name="Rename…").click()
    page.get_by_label("List name", exact=True).fill("   ")
    page.get_by_role("button", name="Rename", exact=True).click()
    expect(page.get_by_test_id("rename-error")).to_contain_text("only spaces")
    page.get_by_label("List name", exact=True).fill("Watch later")
    page.get_by_role("button", name="Rename", exact=True).click()
    expect(page.get_by_role("link", name="Watch later")).to_be_visible(timeout=10_000)

    page.get_by_role("button", name="Actions for Watch later").click()
    page.get_by_role("menuitem", name="Delete…").click()
    expect(page.get_by_test_id("delete-list-text")).to_contain_text("the 4 videos in it")
    page.get_by_role("button", name="Delete list").click()
    expect(page.get_by_role("link", name="Watch later")).to_have_count(0, timeout=10_000)
    expect(page.locator(CARDS)).to_have_count(1)


def test_cancel_a_running_batch_and_the_summary_counts_it(app, browser):
    page = browser.new_context().new_page()
    _open(page, app.frontend_url)
    pasted = page.locator(f"{CARDS}[data-video-id^=orgCancl]")
    page.get_by_role("button", name="Import videos").click()
    page.get_by_label("YouTube links").fill("\n".join(f"https://youtu.be/orgCancl{n:03d}" for n in range(8)))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(pasted).to_have_count(8, timeout=10_000)
    expect(page.get_by_test_id("batch-banner")).to_be_visible(timeout=10_000)
    page.get_by_role("button", name="Cancel import").click()
    expect(page.get_by_text("Cancelled 8 videos")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("0 imported, 0 without captions, 0 failed, 8 cancelled")).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("batch-banner")).to_have_count(0, timeout=10_000)
    expect(page.locator(f"{CARDS}[data-video-id^=orgCancl][data-stage=error]")).to_have_count(8)
    expect(page.get_by_text("You cancelled this import.").first).to_be_visible()
