"""The cards a tab has selected, and what it does with them: delete, move, copy, cancel.

The selection holds video row ids of one list (``list_id``); picking a card
of another list starts a new selection. Shift-click selects the range of
the page between the last card clicked and this one. Every action runs a
:mod:`robust_import_app.library` function in a thread, bumps the list's
page revision (so every tab showing the list reloads) and answers with a
toast in plain words.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from robust_import_app import library, runtime
from robust_import_app.compose import get_database
from robust_import_app.state.library import LibraryState
from robust_import_app.state.live import ListLive


def videos(count: int) -> str:
    """``"1 video"``, ``"5 videos"``."""
    return f"{count} video" if count == 1 else f"{count} videos"


def move_message(verb: str, outcome: library.MoveOutcome, target_name: str) -> str:
    """E.g. ``"Moved 5 videos to Later; 2 were already there"`` (``verb``: "Moved" or "Copied")."""
    text = f"{verb} {videos(outcome.moved)} to {target_name}"
    refused = outcome.refused_already_there
    if refused:
        text += f"; {refused} {'was' if refused == 1 else 'were'} already there"
    return text


def range_between(order: list[int], anchor: int, clicked: int) -> list[int]:
    """The ids of ``order`` from ``anchor`` to ``clicked`` (either way round, both included); [clicked] when either is absent."""
    if anchor not in order or clicked not in order:
        return [clicked]
    low, high = sorted((order.index(anchor), order.index(clicked)))
    return order[low : high + 1]


class SelectionState(rx.State):
    """The selected cards of one list and the delete confirmation."""

    selected: list[int] = []
    list_id: int = 0
    confirm_open: bool = False
    confirm_text: str = ""
    _anchor: int = 0
    _pending_delete: list[int] = []

    @rx.var
    def count(self) -> int:
        """How many cards are selected."""
        return len(self.selected)

    @rx.var
    def count_label(self) -> str:
        """E.g. "3 selected"."""
        return f"{len(self.selected)} selected"

    async def _library(self) -> LibraryState:
        return await self.get_state(LibraryState)

    @rx.event
    async def toggle(self, video_id: int, shift: bool):
        """Select or unselect one card; with ``shift``, select the page's range from the last card clicked."""
        try:
            clicked = int(video_id)
        except (TypeError, ValueError):
            return
        lib = await self._library()
        order = [card.id for card in lib.cards]
        if clicked not in order:
            return
        if self.list_id != lib.list_id:
            self.selected, self.list_id, self._anchor = [], lib.list_id, 0
        if shift is True and self._anchor:
            chosen = set(self.selected) | set(range_between(order, self._anchor, clicked))
        elif clicked in self.selected:
            chosen = set(self.selected) - {clicked}
        else:
            chosen = set(self.selected) | {clicked}
        self.selected = [i for i in order if i in chosen] + [i for i in self.selected if i in chosen and i not in order]
        self._anchor = clicked

    @rx.event
    def clear(self):
        """Unselect every card."""
        self.selected, self._anchor = [], 0

    @rx.event
    def ask_delete_selected(self):
        """Open the confirmation for deleting the selected videos."""
        self._ask_delete(list(self.selected))

    @rx.event
    def ask_delete_video(self, video_id: int):
        """Open the confirmation for deleting one video (the card's menu)."""
        try:
            self._ask_delete([int(video_id)])
        except (TypeError, ValueError):
            return

    def _ask_delete(self, ids: list[int]) -> None:
        if not ids:
            return
        self._pending_delete = ids
        self.confirm_text = f"Delete {videos(len(ids))}? Their transcripts and chapters go with them."
        self.confirm_open = True

    @rx.event
    def set_confirm_open(self, is_open: bool):
        """The dialog's own open/close (Escape, a click outside)."""
        self.confirm_open = bool(is_open)

    @rx.event
    async def confirm_delete(self):
        """Delete the videos the confirmation named."""
        ids, self._pending_delete, self.confirm_open = self._pending_delete, [], False
        lib = await self._library()
        count = await asyncio.to_thread(library.delete_videos, get_database(), lib.list_id, ids)
        self.selected = [i for i in self.selected if i not in ids]
        return await self._done(f"Deleted {videos(count)}")

    @rx.event
    async def move_to(self, target_list_id: int):
        """Move the selected videos to another list (those it already has stay)."""
        return await self._transfer(library.move_videos, "Moved", target_list_id)

    @rx.event
    async def copy_to(self, target_list_id: int):
        """Copy the selected videos to another list (those it already has are left out)."""
        return await self._transfer(library.copy_videos, "Copied", target_list_id)

    async def _transfer(self, action, verb: str, target_list_id: int):
        try:
            target = int(target_list_id)
        except (TypeError, ValueError):
            return
        lib = await self._library()
        target_name = next((item.name for item in lib.lists if item.id == target), "")
        try:
            outcome = await asyncio.to_thread(action, get_database(), list(self.selected), target)
        except library.LibraryError as error:
            return rx.toast.error(str(error))
        self.selected, self._anchor = [], 0
        return await self._done(move_message(verb, outcome, target_name), warn=outcome.refused_already_there > 0)

    @rx.event
    async def cancel_video(self, video_id: int):
        """Cancel one importing video (the card's menu)."""
        try:
            ids = [int(video_id)]
        except (TypeError, ValueError):
            return
        count = await asyncio.to_thread(library.cancel_videos, get_database(), ids)
        runtime.wake_worker()
        return await self._done("Cancelled the import" if count else "That video had finished importing")

    @rx.event
    async def cancel_imports(self):
        """Cancel every running batch of the list shown (the banner's button)."""
        lib = await self._library()
        db = get_database()
        batch_ids = await asyncio.to_thread(library.open_batch_ids, db, lib.list_id)
        count = 0
        for batch_id in batch_ids:
            count += await asyncio.to_thread(library.cancel_batch, db, batch_id)
        runtime.wake_worker()
        return await self._done(f"Cancelled {videos(count)}")

    async def _done(self, message: str, *, warn: bool = False):
        """Every tab of the list reloads its page; this one also gets ``message``."""
        live = await self.get_state(ListLive)
        live.page_revision += 1
        toast = rx.toast.warning if warn else rx.toast.success
        return [LibraryState.refresh, toast(message, duration=6000, close_button=True)]
