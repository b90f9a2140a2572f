"""End to end: add from anywhere — the bookmarklet, the /add page (share target), the manifest, drag and drop."""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from robust_import_app import library
from robust_import_app.db import Database
from robust_import_app.library import MAX_IDS_PER_PASTE
from robust_import_app.models import Video
from robust_import_app.state.add import NO_LINK_SHARED, NOTHING_SHARED
from robust_import_app.state.importer import DROP_TOO_LONG, MAX_PASTE_CHARS
from tests.e2e.server import running_app

pytestmark = pytest.mark.e2e

API_TOKEN = "e2e-add-flow-token-7f3a9c21d4b8"
CARDS = "[data-testid=video-card]"
YOUTUBE_PAGE = "<html><head><title>A video - YouTube</title></head><body><a id=bm>bookmark</a></body></html>"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app with the REST API on (the settings page says so, without the token)."""
    with running_app(tmp_path_factory.mktemp("add"), env={"IMPORT_API_TOKEN": API_TOKEN}) as running:
        yield running


@pytest.fixture(scope="module")
def db(app):
    database = Database(app.db_url)
    yield database
    database.dispose()


def _lists_of(db: Database, youtube_id: str) -> list[int]:
    """The list ids holding a video ``youtube_id`` (one entry per row)."""
    with db.read() as session:
        return list(session.exec(select(Video.list_id).where(Video.youtube_id == youtube_id)).all())


def _open_add(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("dialog")).to_be_visible(timeout=30_000)


def _links_box(page: Page):
    return page.get_by_label("YouTube links")


def test_the_bookmarklet_opens_the_add_page_of_this_app_with_the_youtube_page(app, browser):
    context = browser.new_context()
    settings = context.new_page()
    settings.goto(app.frontend_url + "/settings")
    link = settings.get_by_test_id("bookmarklet")
    expect(link).to_be_visible(timeout=30_000)
    code = link.get_attribute("href")
    assert code.startswith("javascript:")
    expect(settings.get_by_test_id("api-status")).to_contain_text("On")
    assert API_TOKEN not in settings.content(), "the token never reaches the browser"

    # A YouTube page (served by the test: there is no internet) runs the bookmarklet as a click on it would.
    context.route(
        "https://www.youtube.com/**", lambda route: route.fulfill(body=YOUTUBE_PAGE, content_type="text/html")
    )
    youtube = context.new_page()
    watch = "https://www.youtube.com/watch?v=bkmrkVideo1&t=42s"
    youtube.goto(watch)
    youtube.evaluate("code => { document.getElementById('bm').href = code; }", code)
    with context.expect_page() as opened:
        youtube.click("#bm")
    added = opened.value
    added.wait_for_load_state()
    # The static server answers /add with a redirect to /add/, the query kept.
    assert added.url.replace("/add/?", "/add?") == f"{app.frontend_url}/add?url={quote(watch, safe='')}"
    expect(_links_box(added)).to_have_value(watch, timeout=30_000)
    context.close()


def test_the_add_page_imports_only_when_import_is_clicked(app, browser, db):
    inbox = library.ensure_default_list(db)
    video = "https://www.youtube.com/watch?v=addFlowVid1"
    page = browser.new_context().new_page()
    _open_add(page, f"{app.frontend_url}/add?url={quote(video, safe='')}")
    expect(_links_box(page)).to_have_value(video)
    expect(page.get_by_role("combobox", name="Add to list")).to_have_text("Inbox")
    assert _lists_of(db, "addFlowVid1") == [], "loading the page imports nothing"
    page.reload()
    expect(_links_box(page)).to_have_value(video, timeout=30_000)
    assert _lists_of(db, "addFlowVid1") == [], "nor does a reload"

    page.get_by_role("button", name="Import", exact=True).click()
    outcome = page.get_by_test_id("add-outcome")
    expect(outcome).to_contain_text("1 video added to “Inbox”.", timeout=15_000)
    assert _lists_of(db, "addFlowVid1") == [inbox]
    page.get_by_test_id("open-list").click()
    expect(page.locator(CARDS)).not_to_have_count(0, timeout=30_000)
    assert page.url.endswith(f"/list/{inbox}")

    # The same link again: nothing new, and the report says why.
    _open_add(page, f"{app.frontend_url}/add?url={quote(video, safe='')}")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_test_id("add-outcome")).to_contain_text("No new video added to “Inbox”.", timeout=15_000)
    expect(page.get_by_test_id("paste-report")).to_contain_text("1 already in this list, not added again: addFlowVid1")
    assert _lists_of(db, "addFlowVid1") == [inbox]
    page.context.close()


def test_a_share_with_the_link_inside_its_text_goes_to_the_list_picked_and_is_remembered(app, browser, db):
    later = library.create_list(db, "Shared later")
    page = browser.new_context().new_page()
    _open_add(
        page, f"{app.frontend_url}/add?title=Cooking%20video&text=Look%20at%20this%20https://youtu.be/shareText01"
    )
    expect(_links_box(page)).to_have_value("Look at this https://youtu.be/shareText01")
    expect(page.get_by_test_id("shared-title")).to_contain_text("Cooking video")
    page.get_by_role("combobox", name="Add to list").click()
    page.get_by_role("option", name="Shared later").click()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_test_id("add-outcome")).to_contain_text("1 video added to “Shared later”.", timeout=15_000)
    expect(page.get_by_test_id("paste-report")).to_be_hidden()
    assert _lists_of(db, "shareText01") == [later]
    expect(page.get_by_test_id("open-list")).to_have_attribute("href", f"/list/{later}")

    # The next share offers the list used last.
    _open_add(page, f"{app.frontend_url}/add?url=https://youtu.be/shareText02")
    expect(page.get_by_role("combobox", name="Add to list")).to_have_text("Shared later")
    page.context.close()


def test_the_add_page_says_what_is_wrong_and_keeps_what_was_shared(app, browser, db):
    page = browser.new_context().new_page()
    _open_add(page, f"{app.frontend_url}/add")
    expect(page.get_by_test_id("add-notice")).to_have_text(NOTHING_SHARED)

    shared = "https://example.com/some/article"
    _open_add(page, f"{app.frontend_url}/add?url={quote(shared, safe='')}")
    expect(page.get_by_test_id("add-notice")).to_have_text(NO_LINK_SHARED)
    expect(_links_box(page)).to_have_value(shared)
    page.get_by_role("button", name="Import", exact=True).click()
    report = page.get_by_test_id("paste-report")
    expect(report).to_contain_text("1 line was not imported", timeout=15_000)
    expect(report.get_by_test_id("rejected-line")).to_have_text(shared)
    expect(page.get_by_test_id("add-outcome")).to_contain_text("No new video added")
    page.context.close()


def test_the_manifest_is_served_with_a_share_target_and_linked_from_every_page(app, browser):
    response = httpx.get(app.frontend_url + "/manifest.webmanifest", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.text)
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert manifest["share_target"] == {
        "action": "/add",
        "method": "GET",
        "params": {"title": "title", "text": "text", "url": "url"},
    }
    for icon in manifest["icons"]:
        served = httpx.get(app.frontend_url + icon["src"], timeout=10)
        assert served.status_code == 200 and served.headers["content-type"].startswith(icon["type"])
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}

    page = browser.new_context().new_page()
    for path in ("/", "/add", "/settings"):
        page.goto(app.frontend_url + path)
        expect(page.locator('head link[rel="manifest"]')).to_have_attribute("href", "/manifest.webmanifest")
    page.context.close()


_DRAG = """([selector, types, kinds]) => {
  const target = document.querySelector(selector);
  const data = new DataTransfer();
  for (const [type, value] of Object.entries(types)) data.setData(type, value);
  const zone = target.closest('[data-testid=drop-zone]');
  const seen = [];
  for (const kind of kinds) {
    target.dispatchEvent(new DragEvent(kind, {bubbles: true, cancelable: true, dataTransfer: data}));
    seen.push(zone.hasAttribute('data-dragging'));
  }
  return seen;
}"""
"""Dispatch drag events ``kinds`` on ``selector`` carrying ``types``; whether the zone is highlighted after each."""


def _open_list(page: Page, app, list_id: int) -> None:
    page.goto(f"{app.frontend_url}/list/{list_id}")
    expect(page.get_by_test_id("drop-zone")).to_be_visible(timeout=30_000)


def test_links_dropped_on_the_grid_import_into_the_shown_list_with_the_report(app, browser, db):
    dropped = library.create_list(db, "Dropped")
    page = browser.new_context().new_page()
    _open_list(page, app, dropped)

    seen = page.evaluate(
        _DRAG,
        ["[data-testid=drop-zone] > *", {"text/uri-list": "https://youtu.be/dropLink001"}, ["dragenter", "dragover"]],
    )
    assert seen == [True, True], "the zone is highlighted while a link is dragged over it"
    seen = page.evaluate(_DRAG, ["[data-testid=drop-zone] > *", {"text/plain": "x"}, ["dragenter", "dragleave"]])
    assert seen == [True, False], "leaving the zone drops the highlight"

    uri_list = "# two links\r\nhttps://www.youtube.com/watch?v=dropLink001\r\nhttps://youtu.be/dropLink002\r\n"
    seen = page.evaluate(
        _DRAG,
        ["[data-testid=drop-zone] > *", {"text/uri-list": uri_list, "text/plain": "ignored"}, ["dragenter", "drop"]],
    )
    assert seen == [True, False]
    expect(page.locator(CARDS)).to_have_count(2, timeout=15_000)
    assert _lists_of(db, "dropLink001") == [dropped] and _lists_of(db, "dropLink002") == [dropped]

    # Plain text onto the grid (a card): the new link is added, the one already there reported.
    text = "https://youtu.be/dropLink002 and https://youtu.be/dropLink003"
    page.evaluate(_DRAG, [f"{CARDS}", {"text/plain": text}, ["dragenter", "dragover", "drop"]])
    expect(page.locator(CARDS)).to_have_count(3, timeout=15_000)
    expect(page.get_by_test_id("paste-report")).to_contain_text("1 already in this list, not added again: dropLink002")
    page.context.close()


def test_a_drop_without_links_is_rejected_and_a_refused_drop_keeps_its_text(app, browser, db):
    target = library.create_list(db, "Drop refusals")
    page = browser.new_context().new_page()
    _open_list(page, app, target)

    page.evaluate(_DRAG, ["[data-testid=drop-zone] > *", {"text/plain": "just some words"}, ["dragenter", "drop"]])
    report = page.get_by_test_id("paste-report")
    expect(report).to_contain_text("1 line was not imported", timeout=15_000)
    expect(report.get_by_test_id("rejected-line")).to_have_text("just some words")
    assert library.count_videos(db, target) == 0

    too_many = "\n".join(f"drop{n:07d}" for n in range(MAX_IDS_PER_PASTE + 1))
    page.evaluate(_DRAG, ["[data-testid=drop-zone] > *", {"text/plain": too_many}, ["dragenter", "drop"]])
    expect(page.get_by_role("dialog")).to_contain_text(f"at most {MAX_IDS_PER_PASTE} videos", timeout=15_000)
    assert _links_box(page).evaluate("(box, text) => box.value === text", too_many), "the dropped text is in the box"
    assert library.count_videos(db, target) == 0
    # Fixed in the dialog, the paste goes into the list shown.
    _links_box(page).fill("https://youtu.be/dropFixed01")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("dialog")).to_be_hidden(timeout=15_000)
    expect(page.locator(CARDS)).to_have_count(1, timeout=15_000)
    assert _lists_of(db, "dropFixed01") == [target]

    huge = "x" * (MAX_PASTE_CHARS + 1)
    page.evaluate(_DRAG, ["[data-testid=drop-zone] > *", {"text/plain": huge}, ["dragenter", "drop"]])
    expect(page.get_by_role("dialog")).to_contain_text(DROP_TOO_LONG, timeout=15_000)
    assert library.count_videos(db, target) == 1
    page.context.close()
