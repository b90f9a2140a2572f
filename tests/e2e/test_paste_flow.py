"""End to end: refused pastes keep their text; an oversized paste is stopped in the browser; the report is whole lines, bounded."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from robust_import_app.library import MAX_IDS_PER_PASTE
from robust_import_app.state.importer import MAX_PASTE_CHARS, SHOWN_PER_KIND

pytestmark = pytest.mark.e2e

TOO_LONG = "[data-paste-too-long]"


def _open_dialog(browser, url: str, frames: dict[str, list[int]] | None = None) -> Page:
    """A fresh tab on the app with the import dialog open; ``frames`` collects websocket frame sizes."""
    page = browser.new_context(permissions=["clipboard-read", "clipboard-write"]).new_page()
    if frames is not None:

        def watch(ws) -> None:
            ws.on("framesent", lambda payload: frames["sent"].append(len(payload)))
            ws.on("framereceived", lambda payload: frames["received"].append(len(payload)))

        page.on("websocket", watch)
    page.goto(url)
    page.get_by_role("button", name="Import videos").click(timeout=30_000)
    return page


def _paste(page: Page, text: str) -> None:
    """Paste ``text`` into the text box with Ctrl+V, as a user would (``fill`` is quadratic in line breaks)."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.get_by_label("YouTube links").focus()
    page.keyboard.press("Control+V")
    page.wait_for_function("n => document.getElementById('links').value.length === n", arg=len(text))


def _box_holds(page: Page, text: str) -> bool:
    return page.get_by_label("YouTube links").evaluate("(box, text) => box.value === text", text)


def test_a_paste_over_the_video_limit_shows_the_error_and_keeps_the_text(app, browser):
    page = _open_dialog(browser, app.frontend_url)
    paste = "\n".join(f"lim{n:08d}" for n in range(MAX_IDS_PER_PASTE + 1))
    _paste(page, paste)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text(f"at most {MAX_IDS_PER_PASTE} videos")).to_be_visible(timeout=15_000)
    assert _box_holds(page, paste), "the refused paste stays in the text box"
    page.context.close()


def test_a_paste_over_the_socket_limit_is_stopped_in_the_browser_and_kept(app, browser):
    frames: dict[str, list[int]] = {"sent": [], "received": []}
    page = _open_dialog(browser, app.frontend_url, frames)
    expect(page.locator(TOO_LONG)).to_be_hidden()
    paste = "\n".join(f"big{n:08d}" for n in range(MAX_PASTE_CHARS // 12 + 2000))
    assert len(paste) > MAX_PASTE_CHARS
    _paste(page, paste)
    expect(page.locator(TOO_LONG)).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator(TOO_LONG)).to_contain_text("too long to send")
    assert _box_holds(page, paste), "the text stays in the box"
    assert max(frames["sent"]) < MAX_PASTE_CHARS, "nothing that size went over the socket"

    # The socket is still open: a paste that fits goes through.
    page.get_by_label("YouTube links").fill("https://youtu.be/sockAlive01")
    expect(page.locator(TOO_LONG)).to_be_hidden()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("dialog")).to_be_hidden(timeout=15_000)
    page.context.close()


def test_the_report_shows_whole_lines_and_only_the_first_of_many(app, browser):
    frames: dict[str, list[int]] = {"sent": [], "received": []}
    page = _open_dialog(browser, app.frontend_url, frames)
    junk_count = 60_000
    paste = "\n".join(
        ["<script>alert(1)</script>", "some junk with spaces"]
        + [f"j{n:05d}" for n in range(junk_count)]
        + ["https://youtu.be/pasteFlow01"]
    )
    _paste(page, paste)
    page.get_by_role("button", name="Import", exact=True).click()
    report = page.get_by_test_id("paste-report")
    expect(report).to_contain_text(f"{junk_count + 2} lines were not imported", timeout=15_000)
    lines = report.get_by_test_id("rejected-line")
    expect(lines).to_have_count(SHOWN_PER_KIND)
    expect(lines.nth(0)).to_have_text("<script>alert(1)</script>")
    expect(lines.nth(1)).to_have_text("some junk with spaces")
    expect(report).to_contain_text(f"… and {junk_count + 2 - SHOWN_PER_KIND:,} more lines")
    assert max(frames["received"]) < 100_000, "the browser gets the shown lines and counts, not every line"
    page.context.close()
