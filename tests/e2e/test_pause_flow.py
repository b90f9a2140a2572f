"""End to end: YouTube's bot check opens the circuit breaker; the batch pauses, says why, and resumes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.server import running_app

pytestmark = pytest.mark.e2e

CARDS = "[data-testid=video-card]"
HEALTHY = [f"okay{n:07d}" for n in range(6)]
BOT_CHECKED = [f"botc{n:07d}" for n in range(3)]


@pytest.fixture(scope="module")
def paused_app(tmp_path_factory):
    env = {
        "IMPORT_SIM_LATENCY_MS": "300",
        "IMPORT_BREAKER_THRESHOLD": "3",
        "IMPORT_BREAKER_COOLDOWN_S": "6",
        "IMPORT_BREAKER_COOLDOWN_MAX_S": "6",
        "IMPORT_MAX_ATTEMPTS": "3",
    }
    with running_app(tmp_path_factory.mktemp("pause"), env=env) as running:
        yield running


def test_bot_check_pauses_the_batch_then_it_resumes_and_reports_why(paused_app, browser):
    page = browser.new_context().new_page()
    page.goto(paused_app.frontend_url)
    page.get_by_role("button", name="Import videos").click()
    # Videos are claimed in paste order: the bot checks come before any success.
    page.get_by_label("YouTube links").fill("\n".join(BOT_CHECKED + HEALTHY))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator(CARDS)).to_have_count(9)

    pause = page.get_by_test_id("pause-message")
    expect(pause).to_contain_text("Paused — YouTube asked to confirm this is not a bot, resuming in", timeout=20_000)
    expect(page.get_by_test_id("batch-banner")).to_contain_text("YOUTUBE_COOKIES_FILE")
    expect(page.locator(f"{CARDS} [data-testid=card-waiting]").first).to_contain_text("Paused")
    for video_id in HEALTHY:
        stage = page.locator(f"{CARDS}[data-video-id={video_id}]").get_attribute("data-stage")
        assert stage != "error", "videos waiting for the breaker are not failed"

    expect(page.locator(f"{CARDS}[data-stage=complete]")).to_have_count(len(HEALTHY), timeout=90_000)
    expect(page.locator(f"{CARDS}[data-stage=error]")).to_have_count(len(BOT_CHECKED), timeout=90_000)
    expect(page.get_by_text("6 imported,")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("3 failed")).to_be_visible()
    reasons = page.get_by_test_id("error-reason")
    expect(reasons).to_have_count(3)
    expect(reasons.first).to_contain_text("not a bot")
    expect(page.get_by_role("button", name="Retry all failed")).to_be_visible()
