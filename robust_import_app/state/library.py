"""The tab's own state: the sidebar's lists and the page of cards it shows.

Only one page of cards lives here (``PAGE_SIZE``); the rows stay in the
database, so a list of 10,000 videos costs a tab no more than a list of 50.
Live progress comes from the shared :class:`~robust_import_app.state.live.ListLive`.
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from robust_import_app import library, runtime
from robust_import_app.db import get_database
from robust_import_app.state.cards import VideoCard, card_from_row
from robust_import_app.state.live import ListLive, live_token

PAGE_SIZE = 48


@dataclasses.dataclass(frozen=True)
class ListItem:
    """A list in the sidebar."""

    id: int
    name: str
    video_count: int


def route_id(path: str, prefix: str) -> int | None:
    """The numeric id ending a path such as ``/list/12`` (None for any other path)."""
    rest = path.rstrip("/")[len(prefix) :] if path.startswith(prefix) else ""
    return int(rest) if rest.isdigit() else None


def _load_page(list_id: int, page: int) -> tuple[list[VideoCard], int]:
    db = get_database()
    rows = library.page_of_videos(db, list_id, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    counts = library.chapter_counts(db, [row.id for row in rows])
    cards = [card_from_row(row, chapter_count=counts.get(row.id, 0)) for row in rows]
    return cards, library.count_videos(db, list_id)


def _load_lists() -> list[ListItem]:
    return [ListItem(id=s.id, name=s.name, video_count=s.video_count) for s in library.list_summaries(get_database())]


class LibraryState(rx.State):
    """Lists, the selected list and one page of its cards."""

    lists: list[ListItem] = []
    list_id: int = 0
    cards: list[VideoCard] = []
    page: int = 0
    video_count: int = 0
    new_list_error: str = ""
    _seen_summary_revision: int = 0

    @rx.var
    def list_name(self) -> str:
        """The selected list's name."""
        return next((item.name for item in self.lists if item.id == self.list_id), "")

    @rx.var
    def page_count(self) -> int:
        """Pages in the selected list (at least 1)."""
        return max(1, -(-self.video_count // PAGE_SIZE))

    @rx.var
    def has_failed(self) -> bool:
        """True when a failed card is on this page (offers "Retry all failed")."""
        return any(card.stage == "error" for card in self.cards)

    @rx.event
    async def on_load(self):
        """Open the list named in the URL (or the first), link its live state."""
        db = get_database()
        default_id = await asyncio.to_thread(library.ensure_default_list, db)
        wanted = route_id(self.router.url.path, "/list/") or default_id
        if not await asyncio.to_thread(library.list_exists, db, wanted):
            wanted = default_id
        if wanted != self.list_id:
            self.page = 0
        self.list_id = wanted
        live = await self.get_state(ListLive)
        live = await live._link_to(live_token(wanted))
        self._seen_summary_revision = live.summary_revision
        await self._reload()

    async def _reload(self) -> None:
        self.cards, self.video_count = await asyncio.to_thread(_load_page, self.list_id, self.page)
        self.lists = await asyncio.to_thread(_load_lists)

    @rx.event
    async def refresh(self):
        """Reload the page of cards (the list's page revision changed)."""
        if self.list_id:
            await self._reload()

    @rx.event
    async def show_summary(self):
        """Toast a batch summary that this tab has not shown yet."""
        live = await self.get_state(ListLive)
        if live.summary_revision > self._seen_summary_revision and live.summary:
            self._seen_summary_revision = live.summary_revision
            return rx.toast.success(live.summary, duration=8000, close_button=True)

    @rx.event
    async def go_to_page(self, page: int):
        """Show page ``page`` (0-based), clamped to the list."""
        self.page = max(0, min(int(page), self.page_count - 1))
        await self._reload()

    @rx.event
    async def create_list(self, form_data: dict):
        """Create a list from the sidebar's form and open it."""
        try:
            new_id = await asyncio.to_thread(library.create_list, get_database(), str(form_data.get("name", "")))
        except library.LibraryError as error:
            self.new_list_error = str(error)
            return
        self.new_list_error = ""
        return rx.redirect(f"/list/{new_id}")

    @rx.event
    async def retry_video(self, video_id: int):
        """Queue one failed video again from the stage that failed."""
        await self._retry([int(video_id)])

    @rx.event
    async def retry_all_failed(self):
        """Queue every failed video of the list again."""
        await self._retry(None)

    async def _retry(self, video_ids: list[int] | None) -> None:
        count = await asyncio.to_thread(library.retry_failed, get_database(), self.list_id, video_ids)
        if count:
            live = await self.get_state(ListLive)
            live.page_revision += 1
            runtime.wake_worker()
        await self._reload()
