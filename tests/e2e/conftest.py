"""The running app and a real browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, running_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app with the simulated YouTube, slowed so that progress is visible."""
    with running_app(
        tmp_path_factory.mktemp("e2e"), env={"IMPORT_SIM_LATENCY_MS": "1500", "IMPORT_VIDEOS_IN_FLIGHT": "4"}
    ) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    """Headless chromium (never a downloaded browser)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
