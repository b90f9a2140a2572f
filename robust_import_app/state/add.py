"""Add from anywhere: the ``/add`` page (what the bookmarklet and the share target open) and the settings page.

``/add`` only fills the import dialog: it reads the ``url``, ``text`` and
``title`` query parameters (:func:`robust_import_app.share.share_text`) and
imports nothing until the user clicks Import, which goes through
:class:`~robust_import_app.state.importer.ImportState` like a paste.
"""

from __future__ import annotations

import asyncio
import html

import reflex as rx

from robust_import_app import library, runtime
from robust_import_app.compose import get_database
from robust_import_app.settings import get_settings
from robust_import_app.share import bookmarklet, names_a_video_or_source, share_text
from robust_import_app.state.importer import NO_REPORT, ImportState, import_into, plural, show_report
from robust_import_app.state.library import ListItem

LAST_LIST_KEY = "robust-import-last-list"
"""The browser's local storage key of the list the ``/add`` page imported into last (its default next time)."""
NOTHING_SHARED = (
    "Nothing was shared with this page. Paste YouTube links below, or use the bookmarklet or the share menu."
)
NO_LINK_SHARED = "What was shared holds no YouTube video, playlist or channel link. Check it below before importing."


def _load_lists() -> list[ListItem]:
    return [ListItem(id=s.id, name=s.name, video_count=s.video_count) for s in library.list_summaries(get_database())]


def shared_notice(text: str) -> str:
    """What the page says about the shared text before anything is imported ("" when it names a video or source)."""
    if not text.strip():
        return NOTHING_SHARED
    return "" if names_a_video_or_source(text) else NO_LINK_SHARED


def chosen_list(value: object, lists: list[ListItem]) -> ListItem | None:
    """The list the picker's ``value`` (a list id as text) names among ``lists``, or None."""
    text = value if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit()):
        return None
    return next((item for item in lists if item.id == int(text)), None)


class AddState(rx.State):
    """The ``/add`` page: the lists to pick from, what was shared and the import's outcome."""

    lists: list[ListItem] = []
    target: str = ""
    """The picker's starting value: a list id as text (the last list used here, else the Inbox)."""
    shared_title: str = ""
    """The shared ``title`` when it is not part of the paste text (a page's or video's name)."""
    notice: str = ""
    done_list_id: int = 0
    done_list_name: str = ""
    done_count: int = 0
    last_list: str = rx.LocalStorage("", name=LAST_LIST_KEY)

    @rx.var
    def done_summary(self) -> str:
        """E.g. "2 videos added to “Inbox”." after an import."""
        if not self.done_list_id:
            return ""
        if not self.done_count:
            return f"No new video added to “{self.done_list_name}”."
        return f"{plural(self.done_count, 'video', 'videos')} added to “{self.done_list_name}”."

    @rx.event
    async def on_load(self):
        """Open the import dialog with what the query parameters share; import nothing."""
        params = self.router.url.query_parameters
        title = (params.get("title") or "").strip()
        text = share_text(params.get("url"), params.get("text"), title)
        default_id = await asyncio.to_thread(library.ensure_default_list, get_database())
        self.lists = await asyncio.to_thread(_load_lists)
        last = chosen_list(self.last_list, self.lists)
        self.target = str(last.id if last else default_id)
        self.shared_title = "" if title in text else title
        self.notice = shared_notice(text)
        self.done_list_id, self.done_list_name, self.done_count = 0, "", 0
        importer = await self.get_state(ImportState)
        show_report(importer, NO_REPORT)
        importer.prefill, importer.error, importer.dialog_open = text, "", True

    @rx.event
    async def submit(self, form_data: dict):
        """Import the dialog's links into the picked list (``list_id``), as a paste; remember the list."""
        importer = await self.get_state(ImportState)
        target = chosen_list(form_data.get("list_id"), self.lists)
        if target is None:
            importer.error = "Choose the list to add the videos to."
            return
        outcome = await import_into(importer, target.id, form_data.get("links", ""))
        if outcome is None:
            return
        self.last_list = self.target = str(target.id)
        self.done_list_id, self.done_list_name, self.done_count = target.id, target.name, len(outcome.created)
        self.notice = ""
        if outcome.created:
            runtime.wake_worker()


class SettingsState(rx.State):
    """The settings page: the bookmarklet for the address this tab uses, whether the REST API is on."""

    origin: str = ""
    bookmarklet_html: str = ""
    """An ``<a href="javascript:…">`` to drag to the bookmarks bar; "" when the origin is unknown.

    Rendered as HTML because React 19 replaces a ``javascript:`` ``href`` it renders itself."""
    api_on: bool = False

    @rx.event
    def on_load(self):
        """Build the bookmarklet for the origin the browser reaches the app at (its ``Origin`` header)."""
        self.api_on = get_settings().api_token is not None
        for origin in (self.router.url.origin, rx.config.get_config().deploy_url or ""):
            try:
                code = bookmarklet(origin)
            except ValueError:
                continue
            self.origin = origin.rstrip("/")
            self.bookmarklet_html = bookmarklet_link(code)
            return
        self.origin, self.bookmarklet_html = "", ""


def bookmarklet_link(code: str) -> str:
    """The bookmarklet's ``<a>`` element (``data-testid="bookmarklet"``), ``code`` escaped for the attribute."""
    return (
        f'<a href="{html.escape(code, quote=True)}" data-testid="bookmarklet" '
        'style="display:inline-block;padding:0.4rem 0.9rem;border-radius:var(--radius-3);'
        'background:var(--accent-9);color:var(--accent-contrast);font-weight:600;text-decoration:none">'
        "+ Robust Import</a>"
    )
