"""End to end, the downloads as a user gets them: a click on the list's CSV, JSON or URL export,
or on a video's SRT, WebVTT, Text or Chapters link, saves the file (Playwright's download event in
Chromium) and leaves the page where it was, never on the client-side router's "404" page."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from playwright.sync_api import Download, Page, expect

from robust_import_app.youtube.sim.captions import PHRASES
from tests.e2e.server import running_app

pytestmark = pytest.mark.e2e

VIDEO = "manuExport1"
"""A simulated video with manual captions and chapters in yt-dlp's ``chapters`` field."""
FAILS = "privDownld1"
"""The simulated YouTube says this video is private: the list's exports hold it too."""
CARDS = "[data-testid=video-card]"
DOWNLOAD_TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("e2e-download"), env={"IMPORT_SIM_LATENCY_MS": "50"}) as running:
        yield running


@pytest.fixture(scope="module")
def page(app, browser):
    """The Inbox holding ``VIDEO``, complete, and ``FAILS``, failed, in a tab that accepts downloads."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    tab.goto(app.frontend_url)
    tab.get_by_role("button", name="Import videos").click()
    tab.get_by_label("YouTube links").fill(f"{VIDEO}\n{FAILS}")
    tab.get_by_role("button", name="Import", exact=True).click()
    expect(tab.locator(f"{CARDS}[data-video-id={VIDEO}][data-stage=complete]")).to_have_count(1, timeout=60_000)
    expect(tab.locator(f"{CARDS}[data-video-id={FAILS}][data-stage=error]")).to_have_count(1, timeout=60_000)
    yield tab
    context.close()


def _click_and_download(page: Page, testid: str) -> tuple[Download, str]:
    """Click the element ``testid`` as a user does; the download and its text (UTF-8).

    Asserts the page stayed where it was: same address, no "404: Page not found" on it.
    """
    address = page.url
    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as started:
        page.get_by_test_id(testid).click()
    download = started.value
    assert download.failure() is None
    text = download.path().read_text(encoding="utf-8")
    assert page.url == address
    expect(page.get_by_text("Page not found")).to_have_count(0)
    return download, text


def _open_export_menu(page: Page) -> None:
    page.get_by_role("button", name="Export").click()
    expect(page.get_by_test_id("export-csv")).to_be_visible()


def test_the_list_exports_download_on_click(page):
    _open_export_menu(page)
    download, text = _click_and_download(page, "export-csv")
    assert download.suggested_filename == "Inbox.csv"
    assert text.startswith("id,")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(row["youtube_id"] for row in rows) == sorted((VIDEO, FAILS))

    _open_export_menu(page)
    download, text = _click_and_download(page, "export-json")
    assert download.suggested_filename == "Inbox.json"
    exported = json.dumps(json.loads(text))
    assert VIDEO in exported and FAILS in exported

    _open_export_menu(page)
    download, text = _click_and_download(page, "export-txt")
    assert download.suggested_filename.endswith(".txt")
    assert sorted(text.splitlines()) == sorted(f"https://www.youtube.com/watch?v={vid}" for vid in (VIDEO, FAILS))


def test_the_video_page_downloads_transcript_and_chapters_on_click(app, page):
    page.goto(app.frontend_url)
    page.locator(f"{CARDS}[data-video-id={VIDEO}]").locator("a[href^='/video/']").first.click()
    expect(page).to_have_url(re.compile(r"/video/\d+$"))
    expect(page.get_by_test_id("caption-badge")).to_have_text("captions")
    phrases = tuple(phrase.lower() for phrase in PHRASES)

    download, srt = _click_and_download(page, "download-srt")
    assert download.suggested_filename.endswith(".srt")
    assert re.search(r"^00:00:\d\d,\d{3} --> 00:00:\d\d,\d{3}$", srt, re.MULTILINE)
    assert any(phrase in srt.lower() for phrase in phrases)

    download, vtt = _click_and_download(page, "download-vtt")
    assert download.suggested_filename.endswith(".vtt")
    assert vtt.startswith("WEBVTT")
    assert re.search(r"^00:00:\d\d\.\d{3} --> 00:00:\d\d\.\d{3}", vtt, re.MULTILINE)

    download, plain = _click_and_download(page, "download-txt")
    assert download.suggested_filename.endswith(".txt")
    assert "-->" not in plain
    assert any(phrase in plain.lower() for phrase in phrases)

    download, chapters = _click_and_download(page, "download-chapters")
    assert download.suggested_filename.endswith(".txt")
    lines = chapters.splitlines()
    assert lines[0].startswith("0:00 ")
    assert len(lines) >= 3
    assert all(re.match(r"^\d+:\d\d(:\d\d)? \S", line) for line in lines)
