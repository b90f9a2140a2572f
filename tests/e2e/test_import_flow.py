"""End to end: paste 20 links, watch them enrich live in two tabs, see the summary toast."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

IDS = [f"e2e{n:02d}Video{chr(65 + n)}"[:11] for n in range(20)]
FORMS = [
    "https://www.youtube.com/watch?v={}",
    "https://youtu.be/{}?si=share",
    "youtube.com/shorts/{}",
    "https://m.youtube.com/watch?feature=share&v={}&t=10",
]
CARDS = "[data-testid=video-card]"
FINISHED = f"{CARDS}[data-stage=complete], {CARDS}[data-stage=error]"


def _open(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("button", name="Import videos")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Inbox").first).to_be_visible()


def _paste(page: Page, text: str) -> float:
    page.get_by_role("button", name="Import videos").click()
    page.get_by_label("YouTube links").fill(text)
    started = time.monotonic()
    page.get_by_role("button", name="Import", exact=True).click()
    return started


def test_twenty_links_appear_at_once_and_complete_live_in_two_tabs(app, browser):
    assert len(set(IDS)) == 20 and all(len(i) == 11 for i in IDS)
    paste = "Links for later:\n" + "\n".join(FORMS[n % len(FORMS)].format(v) for n, v in enumerate(IDS))
    first = browser.new_context().new_page()
    _open(first, app.frontend_url)

    started = _paste(first, paste)
    expect(first.locator(CARDS)).to_have_count(20, timeout=5_000)
    shown_after_s = time.monotonic() - started
    rings = first.locator(f"{CARDS} [role=progressbar]")
    assert rings.count() == 20, "every new card starts greyed out with a progress ring"
    thumbnail = first.locator(f"{CARDS} img").first
    assert "grayscale" in thumbnail.evaluate("img => getComputedStyle(img).filter")
    # Offline the image CDN never answers and the placeholder takes its place.
    assert thumbnail.get_attribute("data-thumbnail-src").startswith("https://i.ytimg.com/vi/")
    assert thumbnail.get_attribute("src").startswith(("https://i.ytimg.com/vi/", "/thumbnail-placeholder"))
    expect(first.get_by_test_id("batch-banner-text")).to_contain_text("of 20 imported")

    second = browser.new_context().new_page()
    _open(second, app.frontend_url)
    expect(second.locator(CARDS)).to_have_count(20)
    assert second.locator(FINISHED).count() < 20, "the second tab joins while the batch runs"

    # Both tabs watch the same rings move: a card reaches a later stage live.
    for tab in (first, second):
        expect(
            tab.locator(
                f"{CARDS}[data-stage=captions], {CARDS}[data-stage=chapters], {CARDS}[data-stage=complete]"
            ).first
        ).to_be_attached(timeout=15_000)

    for tab in (first, second):
        expect(tab.locator(f"{CARDS}[data-stage=complete]")).to_have_count(20, timeout=60_000)
        expect(tab.locator(f"{CARDS} [role=progressbar]")).to_have_count(0)
        expect(tab.get_by_text("20 imported,")).to_be_visible(timeout=10_000)
        expect(tab.get_by_text("0 failed")).to_be_visible()
        expect(tab.locator(f"{CARDS} [data-testid=chapter-count]")).to_have_count(20)

    complete = first.locator(CARDS).first
    expect(complete.locator("a").first).not_to_have_text(IDS[-1])
    print(f"20 cards on screen {shown_after_s:.2f} s after Import")
