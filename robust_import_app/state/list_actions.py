"""Renaming and deleting a list from the sidebar, each through a dialog.

The delete dialog names how many videos go with the list (counted when it
opens). Deleting the list on screen opens the first list left.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from robust_import_app import library
from robust_import_app.compose import get_database
from robust_import_app.state.library import LibraryState
from robust_import_app.state.live import ListLive
from robust_import_app.state.selection import videos


class ListActionsState(rx.State):
    """The list being renamed or deleted, and the dialogs' texts."""

    list_id: int = 0
    list_name: str = ""
    rename_open: bool = False
    rename_error: str = ""
    delete_open: bool = False
    delete_text: str = ""

    @rx.event
    def ask_rename(self, list_id: int, name: str):
        """Open the rename dialog for a list."""
        try:
            self.list_id = int(list_id)
        except (TypeError, ValueError):
            return
        self.list_name, self.rename_error, self.rename_open = str(name), "", True

    @rx.event
    def set_rename_open(self, is_open: bool):
        """The rename dialog's own open/close."""
        self.rename_open = bool(is_open)

    @rx.event
    async def rename(self, form_data: dict):
        """Rename the list to the form's ``name``; the dialog stays open with the reason when refused."""
        try:
            name = await asyncio.to_thread(
                library.rename_list, get_database(), self.list_id, str(form_data.get("name", ""))
            )
        except library.LibraryError as error:
            self.rename_error = str(error)
            return
        self.rename_open, self.rename_error = False, ""
        return [LibraryState.refresh, rx.toast.success(f"Renamed the list to {name}", duration=5000)]

    @rx.event
    async def ask_delete(self, list_id: int, name: str):
        """Open the delete dialog, naming how many videos go with the list."""
        try:
            self.list_id = int(list_id)
        except (TypeError, ValueError):
            return
        count = await asyncio.to_thread(library.count_videos, get_database(), self.list_id)
        self.list_name = str(name)
        self.delete_text = f"Delete “{self.list_name}” and the {videos(count)} in it? This cannot be undone."
        if not count:
            self.delete_text = f"Delete “{self.list_name}”? It holds no videos."
        self.delete_open = True

    @rx.event
    def set_delete_open(self, is_open: bool):
        """The delete dialog's own open/close."""
        self.delete_open = bool(is_open)

    @rx.event
    async def delete(self):
        """Delete the list with its videos (their imports stop); open the first list when it was on screen."""
        self.delete_open = False
        try:
            count = await asyncio.to_thread(library.delete_list, get_database(), self.list_id)
        except library.LibraryError as error:
            return rx.toast.error(str(error), duration=6000, close_button=True)
        toast = rx.toast.success(f"Deleted the list “{self.list_name}” and {videos(count)}", duration=6000)
        lib = await self.get_state(LibraryState)
        if lib.list_id == self.list_id:
            return [toast, rx.redirect("/")]
        live = await self.get_state(ListLive)
        live.page_revision += 1
        return [LibraryState.refresh, toast]
