"""The tab's source cards (the shown list's playlists and channels) and the sidebar's followed sources.

Loaded after the page of video cards, never with it: the page's watcher
(:meth:`SourcesState.sync`) runs once the list is shown and again whenever
the list's :attr:`~robust_import_app.state.live.ListLive.sources_revision`
moves (the worker listed a page, a source waits or finished, a followed
source was checked, another tab acted on a source), so every open tab of
the list sees its source cards live. The video cards a page creates come
with the page revision the same push moves.

Each action is one short write of :mod:`robust_import_app.sources`; it
reloads this tab, moves the list's sources revision for the other tabs, and
wakes the worker when it gave it something to do. Every handler checks its
arguments (any client may call it with anything) and answers a refused
action with a toast.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable

import reflex as rx

from robust_import_app import runtime, sources
from robust_import_app.compose import get_database
from robust_import_app.library import LibraryError
from robust_import_app.models import utcnow
from robust_import_app.state.library import LibraryState
from robust_import_app.state.live import ListLive
from robust_import_app.state.source_cards import ALL, FollowedItem, SourceCard, followed_item, source_card


def _load(list_id: int | None) -> tuple[list[sources.SourceView], list[sources.SourceView]]:
    """The list's source cards (none for ``None``) and every followed source: one query each."""
    db = get_database()
    shown = sources.list_sources(db, list_id) if list_id is not None else []
    return shown, sources.followed_sources(db)


def source_id_arg(value: object) -> int | None:
    """``value`` as a source id (a positive int), else None."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


class SourcesState(rx.State):
    """Source cards of the shown list (offers apart), the followed sources, and the "stop following" dialog."""

    cards: list[SourceCard] = []
    """The list's sources, oldest first, offers left out."""
    offers: list[SourceCard] = []
    """The list's offered playlists (watch links with ``list=``)."""
    followed: list[FollowedItem] = []
    remove_id: int = 0
    remove_open: bool = False
    remove_text: str = ""
    _loaded_key: str = ""
    """The (list, sources revision) the cards reflect: :meth:`sync` skips a load that changes nothing."""

    async def _key(self) -> tuple[str, int | None]:
        lib = await self.get_state(LibraryState)
        live = await self.get_state(ListLive)
        list_id = None if lib.all_lists or lib.not_found or not lib.list_id else lib.list_id
        return f"{list_id}:{live.sources_revision}", list_id

    @rx.event
    async def sync(self):
        """Load the cards when the shown list or its sources revision moved since the last load (the page's watcher)."""
        key, _ = await self._key()
        if key != self._loaded_key:
            await reload_source_cards(self)

    def _list_of(self, source_id: int) -> int | None:
        for item in (*self.cards, *self.offers, *self.followed):
            if item.id == source_id:
                return item.list_id
        return None

    async def _act(self, action: Callable[[int], object], source_id: object, *, wake: bool = False, done: str = ""):
        """Run ``action(source_id)`` in a thread, then reload and tell the list's other tabs.

        Returns the toast to show: ``done`` (when given) or the refusal's reason.
        """
        sid = source_id_arg(source_id)
        if sid is None:
            return None
        list_id = self._list_of(sid)
        try:
            await asyncio.to_thread(action, sid)
        except LibraryError as problem:
            await reload_source_cards(self)
            return rx.toast.error(str(problem), duration=6000, close_button=True)
        if wake:
            runtime.wake_worker()
        lib = await self.get_state(LibraryState)
        if list_id is not None and list_id == lib.list_id and not lib.all_lists:
            live = await self.get_state(ListLive)
            live.sources_revision += 1
        await reload_source_cards(self)
        return rx.toast.success(done, duration=5000) if done else None

    @rx.event
    async def accept_offer(self, source_id: int):
        """Import the whole playlist an offer card names."""
        return await accept_source_offer(self, source_id)

    @rx.event
    async def choose(self, source_id: int, limit: int):
        """Answer a large source's question: its latest ``limit`` videos, or all of them (:data:`ALL`)."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            return None
        chosen = None if limit == ALL else limit
        db = get_database()
        return await self._act(lambda sid: sources.choose_source_limit(db, sid, chosen), source_id, wake=True)

    @rx.event
    async def dismiss(self, source_id: int):
        """Put a card away: decline an offer, cancel an unfinished source (its videos so far stay)."""
        return await self._act(functools.partial(sources.dismiss_source, get_database()), source_id)

    @rx.event
    async def set_following(self, source_id: int, on: bool):
        """The card's "Follow for new uploads" switch: follow (first check at once) or stop following."""
        db = get_database()
        if on is True:
            return await self._act(
                functools.partial(sources.follow_source, db),
                source_id,
                wake=True,
                done="Following: new uploads will be added to this list",
            )
        return await self._act(functools.partial(sources.unfollow_source, db), source_id)

    @rx.event
    async def set_paused(self, source_id: int, paused: bool):
        """Pause a followed source (no checks) or resume it (a check at once)."""
        if not isinstance(paused, bool):
            return None
        db = get_database()
        return await self._act(lambda sid: sources.set_follow_paused(db, sid, paused), source_id, wake=not paused)

    @rx.event
    def ask_remove(self, source_id: int):
        """Open the "stop following" confirmation for a followed source of the sidebar."""
        sid = source_id_arg(source_id)
        item = next((item for item in self.followed if item.id == sid), None)
        if item is None:
            return
        self.remove_id = item.id
        self.remove_text = (
            f"Stop following “{item.title}”? No new uploads will be added; the videos it added stay in their list."
        )
        self.remove_open = True

    @rx.event
    def set_remove_open(self, is_open: bool):
        """The confirmation's own open/close."""
        self.remove_open = bool(is_open)

    @rx.event
    async def remove(self):
        """Stop following the source the confirmation names."""
        self.remove_open = False
        return await self._act(
            functools.partial(sources.unfollow_source, get_database()), self.remove_id, done="Stopped following"
        )


async def reload_source_cards(state: SourcesState) -> None:
    """Load the shown list's source cards and the followed sources into ``state`` (names from the sidebar's lists).

    A function, not a method: Reflex 0.10 makes every State method whose name does not start with
    ``_`` an event handler that any client may call with any arguments; other states' handlers call this.
    """
    key, list_id = await state._key()
    state._loaded_key = key
    shown, followed = await asyncio.to_thread(_load, list_id)
    cards = [source_card(view) for view in shown]
    state.cards = [card for card in cards if not card.offered]
    state.offers = [card for card in cards if card.offered]
    lib = await state.get_state(LibraryState)
    names = {item.id: item.name for item in lib.lists}
    now = utcnow()
    state.followed = [followed_item(view, names, now) for view in followed]


async def accept_source_offer(state: SourcesState, source_id: object):
    """Accept the offer ``source_id`` (a queued source in a new batch, the worker woken); the toast to show, or None.

    See :func:`robust_import_app.sources.accept_offer`; an argument that is not a source id is ignored.
    A function, not a method: Reflex 0.10 makes every State method whose name does not start with
    ``_`` an event handler that any client may call with any arguments; other states' handlers call this.
    """
    db = get_database()
    return await state._act(functools.partial(sources.accept_offer, db), source_id, wake=True)
