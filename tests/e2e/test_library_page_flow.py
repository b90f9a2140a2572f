"""End to end, what opening a list costs and does: its page of cards is sent once, and the channel
filter's choices arrive when its select opens (not with the page)."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from robust_import_app import library
from robust_import_app.db import Database
from robust_import_app.domain.stages import ImportStage
from robust_import_app.models import Video

pytestmark = pytest.mark.e2e

CARDS = "[data-testid=video-card]"
CHANNELS = {"pageTalkA01": "Alpha talks", "pageTalkA02": "Alpha talks", "pageTalkB01": "Beta talks"}


@pytest.fixture(scope="module")
def list_url(app):
    """A list of three complete videos from two channels."""
    db = Database(app.db_url)
    try:
        list_id = library.create_list(db, "Talks")
        library.import_paste(db, list_id, " ".join(CHANNELS))
        with db.write() as session:
            for row in session.exec(select(Video).where(Video.list_id == list_id)):
                row.title, row.channel, row.duration_s = f"Talk {row.youtube_id}", CHANNELS[row.youtube_id], 60
                row.import_stage, row.import_progress = ImportStage.COMPLETE, 100
                session.add(row)
    finally:
        db.dispose()
    return f"{app.frontend_url}/list/{list_id}"


def _sends_library_cards(frame: object) -> bool:
    """True for a socket frame whose delta sets :class:`LibraryState`'s cards (not another state's ``cards``)."""
    text = str(frame)
    if "cards_rx_state_" not in text or "[" not in text:
        return False
    event = json.loads(text[text.index("[") :])
    delta = event[1].get("delta", {}) if isinstance(event, list) and len(event) > 1 else {}
    return any(
        name.endswith("library____library_state") and "cards_rx_state_" in fields for name, fields in delta.items()
    )


def test_opening_a_list_sends_its_cards_once_and_the_channels_when_asked(browser, list_url):
    page = browser.new_context().new_page()
    card_updates = []
    page.on(
        "websocket",
        lambda socket: socket.on(
            "framereceived", lambda frame: card_updates.append(frame) if _sends_library_cards(frame) else None
        ),
    )
    page.goto(list_url)
    expect(page.locator(CARDS)).to_have_count(3, timeout=30_000)
    # The tab's events are answered in order: by the time the choices show, the page's mount events
    # (the revision watcher among them) have been answered too.
    page.get_by_test_id("channel-select").click()
    expect(page.get_by_role("option", name="Alpha talks")).to_be_visible()
    expect(page.get_by_role("option", name="Beta talks")).to_be_visible()
    assert len(card_updates) == 1, "the page of cards is loaded and sent once per page load"

    page.get_by_role("option", name="Beta talks").click()
    expect(page.locator(CARDS)).to_have_count(1)
    expect(page).to_have_url(re.compile(r"channel=Beta"))
    page.reload()
    expect(page.locator(CARDS)).to_have_count(1, timeout=30_000)
    expect(page.get_by_test_id("channel-select")).to_have_text("Beta talks")
    page.context.close()
