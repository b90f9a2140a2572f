"""The "Import videos" dialog: the paste, its feedback, the first phase of import."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from robust_import_app import library, runtime
from robust_import_app.db import get_database
from robust_import_app.state.library import LibraryState
from robust_import_app.state.live import ListLive

MAX_PASTE_CHARS = 900_000
"""Reflex caps a socket message at 1,000,000 bytes."""


SHOWN_IDS = 10
"""Video ids listed by name in the paste report; the rest are counted."""


def plural(count: int, singular: str, plural_form: str) -> str:
    """``1 line`` / ``3 lines``."""
    return f"{count} {singular if count == 1 else plural_form}"


def listed(ids: list[str]) -> str:
    """The first ``SHOWN_IDS`` ids, then how many more."""
    shown = ", ".join(ids[:SHOWN_IDS])
    return f"{shown} and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else shown


@dataclasses.dataclass(frozen=True)
class RejectedView:
    """A pasted line that held no video link, and why."""

    text: str
    reason: str


class ImportState(rx.State):
    """The dialog's open flag and the last paste's report."""

    dialog_open: bool = False
    rejected: list[RejectedView] = []
    duplicates: list[str] = []
    repeated: list[str] = []
    created_count: int = 0
    error: str = ""

    @rx.var
    def has_report(self) -> bool:
        """True when the last paste skipped something worth telling."""
        return bool(self.rejected or self.duplicates or self.repeated)

    @rx.var
    def rejected_summary(self) -> str:
        """E.g. "2 lines were not imported:"."""
        return plural(len(self.rejected), "line was", "lines were") + " not imported:"

    @rx.var
    def duplicates_summary(self) -> str:
        """E.g. "3 already in this list, not added again: id, id, id"."""
        return f"{len(self.duplicates)} already in this list, not added again: {listed(self.duplicates)}"

    @rx.var
    def repeated_summary(self) -> str:
        """E.g. "1 pasted more than once, added once: id"."""
        return f"{len(self.repeated)} pasted more than once, added once: {listed(self.repeated)}"

    @rx.event
    def set_dialog_open(self, value: bool):
        """Open or close the dialog."""
        self.dialog_open = bool(value)
        if self.dialog_open:
            self.error = ""

    @rx.event
    def dismiss_report(self):
        """Hide the last paste's report."""
        self.rejected, self.duplicates, self.repeated = [], [], []

    @rx.event
    async def submit(self, form_data: dict):
        """Create every new video of the paste at once and hand them to the worker."""
        text = str(form_data.get("links", ""))[:MAX_PASTE_CHARS]
        lib = await self.get_state(LibraryState)
        try:
            outcome = await asyncio.to_thread(library.import_paste, get_database(), lib.list_id, text)
        except library.LibraryError as problem:
            self.error = str(problem)
            return
        self.rejected = [RejectedView(text=r.text[:200], reason=r.reason) for r in outcome.rejected]
        self.duplicates = list(outcome.duplicates)
        self.repeated = list(outcome.repeated)
        self.created_count = len(outcome.created)
        if not outcome.created and not self.has_report:
            self.error = "No YouTube video links found in the paste."
            return
        self.error = ""
        self.dialog_open = False
        if outcome.created:
            lib.page = 0
            await lib._reload()
            counts = await asyncio.to_thread(library.batch_counts, get_database(), lib.list_id)
            live = await self.get_state(ListLive)
            live.page_revision += 1
            live.batch_total, live.batch_imported, live.batch_failed = counts.total, counts.imported, counts.failed
            # Send the new cards first; the worker's first writes come after.
            yield
            runtime.wake_worker()
