"""End to end: search a word spoken in a transcript and jump to that second, filter to failed and
retry, the view surviving a reload through the address bar, and the 404 pages."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.e2e.server import running_app

pytestmark = pytest.mark.e2e

GOOD = ["manuSearchA", "manuSearchB", "autoSearchC"]
PRIVATE = "privSearch1"
CARDS = "[data-testid=video-card]"
RESULTS = "[data-testid=search-result]"
SEARCH_BOX = "input[aria-label=Search]"
WORD = "surprised"
"""Said in the sim's captions ("this part surprised me", youtube/sim/captions.py), in no title or description."""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app with the simulated YouTube, fast enough to import a few videos in seconds."""
    env = {"IMPORT_SIM_LATENCY_MS": "50", "IMPORT_REQUEST_INTERVAL_S": "0.2"}
    with running_app(tmp_path_factory.mktemp("e2e-search"), env=env) as running:
        yield running


def _open(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("button", name="Import videos")).to_be_visible(timeout=30_000)


def _updated_at(db_url: str, youtube_id: str) -> str:
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        value = connection.execute(
            sa.text("SELECT updated_at FROM video WHERE youtube_id = :y"), {"y": youtube_id}
        ).scalar_one()
    engine.dispose()
    return str(value)


def _seed_list(db_url: str, name: str, count: int) -> int:
    """A list of ``count`` imported videos written straight to the database (the worker leaves complete rows alone)."""
    engine = sa.create_engine(db_url)
    with engine.begin() as connection:
        list_id = connection.execute(
            sa.text("INSERT INTO video_list (name, created_at) VALUES (:n, CURRENT_TIMESTAMP) RETURNING id"),
            {"n": name},
        ).scalar_one()
        connection.execute(
            sa.text(
                "INSERT INTO video (list_id, youtube_id, title, channel, description, thumbnail_url, import_stage, "
                "import_progress, attempt_count, created_at, updated_at) VALUES (:l, :y, :t, 'Seed', '', '', "
                "'complete', 100, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            [{"l": list_id, "y": f"seed{n:07d}", "t": f"Seeded video {n:02d}"} for n in range(count)],
        )
    engine.dispose()
    return list_id


def _wait_until_changed(db_url: str, youtube_id: str, before: str, *, timeout_s: float) -> None:
    """Poll the row (bounded) until the retry wrote it."""
    deadline = time.monotonic() + timeout_s
    while _updated_at(db_url, youtube_id) == before:
        assert time.monotonic() < deadline, f"{youtube_id} was not queued again within {timeout_s} s"
        time.sleep(0.1)


def test_search_filter_retry_reload_and_not_found(app, browser):
    page = browser.new_context().new_page()
    _open(page, app.frontend_url)
    page.get_by_role("button", name="Import videos").click()
    page.get_by_label("YouTube links").fill("\n".join([*GOOD, PRIVATE]))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator(f"{CARDS}[data-stage=complete]")).to_have_count(3, timeout=60_000)
    expect(page.locator(f"{CARDS}[data-stage=error]")).to_have_count(1, timeout=30_000)

    # Search a word spoken in the transcripts (the sim's captions say it, no title or description does):
    # each result shows its best line, its timestamp, the word marked.
    page.locator(SEARCH_BOX).fill(WORD)
    expect(page.locator(RESULTS)).to_have_count(3, timeout=10_000)
    expect(page).to_have_url(re.compile(rf"/list/\d+\?q={WORD}$"))
    result = page.locator(RESULTS).last
    line = result.get_by_test_id("result-line")
    expect(line.locator("mark").first).to_have_text(re.compile(WORD, re.IGNORECASE))
    timestamp = result.get_by_test_id("result-timestamp").inner_text()
    minutes, seconds = (int(part) for part in timestamp.split(":"))
    start_s = minutes * 60 + seconds
    href = line.get_attribute("href")
    assert re.fullmatch(rf"/video/\d+\?t={start_s}", href), href

    # Clicking opens the detail page scrolled to that segment, which links to YouTube at that second.
    line.click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    segment = page.locator(f"#seg-{start_s}")
    expect(segment).to_have_attribute("data-focused", "true", timeout=10_000)
    expect(segment).to_contain_text(re.compile(WORD, re.IGNORECASE))
    expect(segment).to_be_in_viewport()
    youtube_at_second = re.compile(rf"^https://www\.youtube\.com/watch\?v=\w+&t={start_s}s$")
    expect(segment.get_by_role("link")).to_have_attribute("href", youtube_at_second)

    # Back in the library: filter to failed, retry it; the filter is in the address bar.
    page.go_back()
    expect(page.locator(RESULTS)).to_have_count(3, timeout=10_000)
    page.get_by_role("button", name="Clear", exact=True).click()
    expect(page.locator(CARDS)).to_have_count(4, timeout=10_000)
    page.get_by_test_id("import-state-select").click()
    page.get_by_role("option", name="Failed").click()
    expect(page.locator(CARDS)).to_have_count(1, timeout=10_000)
    expect(page).to_have_url(re.compile(r"\?state=failed$"))
    page.reload()
    expect(page.locator(CARDS)).to_have_count(1, timeout=30_000)
    expect(page.get_by_test_id("import-state-select")).to_have_text("Failed")
    before = _updated_at(app.db_url, PRIVATE)
    page.locator(CARDS).get_by_role("button", name="Retry").click()
    _wait_until_changed(app.db_url, PRIVATE, before, timeout_s=10)
    # A private video fails again: it went through the queue and came back failed.
    expect(page.locator(f"{CARDS}[data-stage=error]")).to_have_count(1, timeout=30_000)

    # A page and a sort survive a reload.
    seeded = _seed_list(app.db_url, "Seeded", 50)
    _open(page, f"{app.frontend_url}/list/{seeded}")
    page.get_by_test_id("sort-select").click()
    page.get_by_role("option", name="Title").click()
    expect(page.locator(CARDS).first).to_contain_text("Seeded video 00", timeout=10_000)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible(timeout=10_000)
    expect(page).to_have_url(re.compile(r"\?sort=title&page=2$"))
    page.reload()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible(timeout=30_000)
    expect(page.locator(CARDS)).to_have_count(2)
    expect(page.locator(CARDS).first).to_contain_text("Seeded video 48")

    # A query and a sort survive in a shared link.
    shared = f"{app.frontend_url}/list/1?q={WORD}&sort=title"
    other = browser.new_context().new_page()
    _open(other, shared)
    expect(other.locator(SEARCH_BOX)).to_have_value(WORD)
    expect(other.locator(RESULTS)).to_have_count(3, timeout=10_000)
    expect(other.get_by_test_id("sort-select")).to_have_text("Title")

    # Unknown ids: a 404 with a way back.
    _open_not_found(other, f"{app.frontend_url}/list/999", "This list doesn't exist")
    _open_not_found(other, f"{app.frontend_url}/video/99999", "This video doesn't exist")
    other.get_by_role("link", name="← Back to the library").click()
    expect(other.get_by_role("button", name="Import videos")).to_be_visible(timeout=10_000)


def _open_not_found(page: Page, url: str, message: str) -> None:
    page.goto(url)
    expect(page.get_by_test_id("not-found")).to_have_text(message, timeout=30_000)
    expect(page.get_by_role("button", name="Import videos")).to_have_count(0)
