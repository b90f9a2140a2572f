"""End to end, scaled out: PostgreSQL, Redis, two Reflex backend workers, two headless import workers.

Two tabs on the same list, their sockets on different backend worker
processes, watch a 20-video import that only the ``worker`` processes run
(``IMPORT_WORKER_IN_WEB=0``): both see cards go through their stages live
and both get the summary toast, once.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.server import running_app, running_workers
from tests.e2e.test_import_flow import CARDS, FORMS, IDS, _open, _paste
from tests.servers import RedisServer

pytestmark = [pytest.mark.e2e, pytest.mark.redis, pytest.mark.postgres]

BACKEND_WORKERS = 2
IMPORT_WORKERS = 2
MAX_TAB_TRIES = 12
"""How many tabs to open, at most, until one lands on the other backend worker."""
INTERMEDIATE = {"metadata", "captions", "chapters"}
RECORD_STAGES = """() => {
    window.__stagesSeen = new Set();
    const note = () => document.querySelectorAll('[data-testid=video-card][data-stage]')
        .forEach(card => window.__stagesSeen.add(card.dataset.stage));
    note();
    new MutationObserver(note).observe(document.body,
        {subtree: true, childList: true, attributes: true, attributeFilter: ['data-stage']});
}"""


@pytest.fixture
def scaled_app(tmp_path: Path, postgres_db_url: str, redis_server: RedisServer):
    """The app on PostgreSQL and Redis with two backend workers, and two import worker processes."""
    env = {
        "REFLEX_REDIS_URL": redis_server.url,
        "IMPORT_WORKER_IN_WEB": "0",
        "GRANIAN_WORKERS": str(BACKEND_WORKERS),
        "IMPORT_SIM_LATENCY_MS": "1500",
        "IMPORT_VIDEOS_IN_FLIGHT": "4",
    }
    with (
        running_app(tmp_path, env=env, db_url=postgres_db_url) as app,
        running_workers(tmp_path, IMPORT_WORKERS, db_url=postgres_db_url, env=env),
    ):
        yield app
    worker_logs = "".join((tmp_path / f"worker-{n}.log").read_text() for n in range(IMPORT_WORKERS))
    assert "finished: 20 imported" in worker_logs, "the worker processes ran the import"


def _served_pid(page: Page) -> int:
    served = page.get_by_test_id("served-by")
    expect(served).to_have_text(re.compile(r"^[1-9]\d*$"), timeout=15_000)
    return int(served.text_content() or "0")


def _tab(browser: Browser, url: str) -> tuple[BrowserContext, Page, int]:
    context = browser.new_context()
    page = context.new_page()
    _open(page, url)
    return context, page, _served_pid(page)


def test_two_tabs_on_two_backend_workers_watch_remote_workers_import(scaled_app, browser):
    _first_context, first, first_pid = _tab(browser, scaled_app.frontend_url)
    pids_seen = {first_pid}
    for _ in range(MAX_TAB_TRIES):
        context, second, second_pid = _tab(browser, scaled_app.frontend_url)
        pids_seen.add(second_pid)
        if second_pid != first_pid:
            break
        context.close()
    else:
        pytest.fail(f"{MAX_TAB_TRIES} tabs all landed on backend worker {first_pid}")
    print(f"tabs on backend workers {first_pid} and {second_pid}; pids seen {sorted(pids_seen)}")

    for tab in (first, second):
        tab.evaluate(RECORD_STAGES)
    paste = "\n".join(FORMS[n % len(FORMS)].format(v) for n, v in enumerate(IDS))
    _paste(first, paste)

    for tab in (first, second):
        expect(tab.locator(CARDS)).to_have_count(20, timeout=15_000)
    for tab in (first, second):
        expect(tab.locator(f"{CARDS}[data-stage=complete]")).to_have_count(20, timeout=120_000)
        expect(tab.get_by_text("20 imported,")).to_be_visible(timeout=15_000)
        expect(tab.get_by_text("20 imported,")).to_have_count(1)
        expect(tab.get_by_text("0 failed")).to_be_visible()
    for name, tab in (("first", first), ("second", second)):
        seen = set(tab.evaluate("() => [...window.__stagesSeen]"))
        assert seen & INTERMEDIATE, f"the {name} tab saw only {sorted(seen)}: no stage landed live"
        print(f"{name} tab saw stages {sorted(seen)}")
