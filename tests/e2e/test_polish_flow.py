"""End to end, what a new user trips over: the phone layout, thumbnails that do not load, the
summary toast's kind and the retry's own feedback, the detail page's links, and the favicon (the
downloads: ``test_download_flow.py``)."""

from __future__ import annotations

import re
import threading

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.server import running_app

pytestmark = pytest.mark.e2e

FAILS = "privPolish1"
"""The simulated YouTube says this video is private."""
IMPORTS = "manuPolishA"
CARDS = "[data-testid=video-card]"
TOAST = "[data-sonner-toast]"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("e2e-polish"), env={"IMPORT_SIM_LATENCY_MS": "50"}) as running:
        yield running


@pytest.fixture(scope="module")
def imported(app, browser):
    """One failed and one complete video in the Inbox; the page that pasted them."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(app.frontend_url)
    page.get_by_role("button", name="Import videos").click()
    page.get_by_label("YouTube links").fill(f"{FAILS}\n{IMPORTS}")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator(f"{CARDS}[data-stage=error]")).to_have_count(1, timeout=60_000)
    expect(page.locator(f"{CARDS}[data-stage=complete]")).to_have_count(1, timeout=60_000)
    yield page
    page.context.close()


def _card(page: Page, youtube_id: str):
    return page.locator(f"{CARDS}[data-video-id={youtube_id}]")


def test_summary_toast_warns_when_some_failed_and_a_retry_says_what_it_does(imported):
    page = imported
    summary = page.locator(TOAST, has_text="1 imported, 0 without captions, 1 failed")
    expect(summary).to_have_attribute("data-type", "warning", timeout=15_000)
    page.locator(f"{TOAST} button[aria-label='Close toast']").first.click()
    expect(summary).to_have_count(0)

    _card(page, FAILS).get_by_role("button", name="Retry").click()
    expect(page.locator(TOAST, has_text="Retrying 1 video")).to_be_visible()
    retried = page.locator(TOAST, has_text="0 imported, 0 without captions, 1 failed")
    expect(retried).to_have_attribute("data-type", "error", timeout=30_000)
    expect(page.locator(TOAST, has_text="1 imported, 0 without captions, 1 failed")).to_have_count(0)


def test_titles_are_not_clipped(imported):
    title = _card(imported, IMPORTS).locator("a p").first
    heights = title.evaluate("el => [el.scrollHeight, el.clientHeight, getComputedStyle(el).marginTop]")
    assert heights[0] <= heights[1] + 1, f"the title overflows its box: {heights}"
    assert heights[2] == "0px", "no negative trim margins inside the clipped box"


def test_a_thumbnail_that_does_not_load_shows_the_placeholder_and_opens_the_detail_page(app, imported):
    page = imported
    thumbnail = _card(page, FAILS).get_by_test_id("card-thumbnail")
    expect(thumbnail).to_have_attribute("src", re.compile(r"/thumbnail-placeholder\.svg$"), timeout=20_000)
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle(), timeout=10_000
    )
    thumbnail.click()
    expect(page).to_have_url(re.compile(r"/video/\d+$"))
    expect(page.get_by_test_id("video-title")).to_have_text(FAILS)
    expect(page.get_by_test_id("open-on-youtube")).to_have_attribute("href", f"https://www.youtube.com/watch?v={FAILS}")
    expect(page.get_by_role("button", name="Retry")).to_be_visible()
    expect(page.get_by_text("· published")).to_have_count(0)
    expect(page.get_by_test_id("caption-badge")).to_have_count(0)
    page.go_back()


def test_detail_page_links_to_youtube(app, browser, imported):
    page = browser.new_context().new_page()
    imported.reload()
    href = _card(imported, IMPORTS).locator("a[href^='/video/']").first.get_attribute("href")
    page.goto(app.frontend_url + href)
    expect(page.get_by_test_id("caption-badge")).to_have_text("captions")
    link = page.get_by_test_id("open-on-youtube")
    expect(link).to_have_attribute("href", f"https://www.youtube.com/watch?v={IMPORTS}")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    page.context.close()


def test_phone_layout_fits_and_the_drawer_opens_the_lists(app, browser, imported):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(app.frontend_url)
    import_button = page.get_by_role("button", name="Import videos")
    expect(import_button).to_be_in_viewport(timeout=30_000)
    expect(page.locator(CARDS).first).to_be_visible()
    widths = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    expect(page.get_by_test_id("sidebar")).to_be_hidden()

    page.get_by_role("button", name="Lists", exact=True).click()
    drawer = page.get_by_test_id("lists-drawer")
    expect(drawer.get_by_text("Inbox")).to_be_visible()
    drawer.get_by_label("New list name").fill("   ")
    drawer.get_by_role("button", name="Create list").click()
    expect(drawer.get_by_test_id("new-list-error")).to_contain_text("A list needs a name")
    context.close()


def test_favicon_is_served(app):
    response = httpx.get(f"{app.frontend_url}/favicon.ico", timeout=10)
    assert response.status_code == 200
    assert response.content[:4] == b"\x00\x00\x01\x00", "an ICO file"


def test_a_lost_connection_shows_a_plain_notice_until_the_socket_is_back(app, browser, imported):
    """The event socket is cut (the server side of every connection closed as it opens), then let through again."""
    page = browser.new_context().new_page()
    cut = threading.Event()
    open_sockets = []

    def route(ws) -> None:
        server = ws.connect_to_server()
        if cut.is_set():
            server.close()
            return
        open_sockets.append(server)

    page.route_web_socket(re.compile(r"/_event"), route)
    page.goto(app.frontend_url)
    expect(_card(page, IMPORTS)).to_be_visible(timeout=30_000)
    notice = page.get_by_test_id("connection-notice")
    expect(notice).to_have_count(0)

    cut.set()
    for server in open_sockets:
        server.close()
    expect(notice).to_be_visible(timeout=15_000)
    expect(notice).to_have_text("Lost the connection to the server — retrying…")
    assert "ws://" not in page.locator("body").inner_text()

    cut.clear()
    expect(notice).to_have_count(0, timeout=30_000)
    page.context.close()
