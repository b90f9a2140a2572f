"""The "Import videos" dialog: the paste, its feedback, the first phase of import."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from robust_import_app import library, runtime
from robust_import_app.compose import get_database
from robust_import_app.pipeline.progress.text import counts_text
from robust_import_app.reflex_internals import link_to_shared
from robust_import_app.share import dropped_text
from robust_import_app.state.library import LibraryState, reload_page
from robust_import_app.state.live import ListLive, live_token
from robust_import_app.state.sources import SourcesState, accept_source_offer, reload_source_cards, source_id_arg

SOCKET_MESSAGE_MAX_CHARS = 1_000_000
"""Reflex's cap on one socket message (``REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE``,
default ``constants.POLLING_MAX_HTTP_BUFFER_SIZE``); engine.io counts it in
characters on a websocket. A larger message closes the socket and is lost."""

MAX_PASTE_CHARS = 980_000
"""The longest paste the dialog sends, measured as the socket carries it
(``JSON.stringify(text).length``, so a line break counts 2); the other
20,000 characters of a message are for the event's name, token and route.
The browser checks it before sending; the server refuses a longer text."""

SHOWN_PER_KIND = 20
"""Rejected lines, duplicates and repeats each kept (and shown) in the paste report; the rest are counted."""

MAX_SHOWN_LINE_CHARS = 200
"""A rejected line longer than this is shown cut, with an ellipsis."""

PASTE_TOO_LONG = (
    "This paste is too long to send in one go (the limit is about 900,000 characters). "
    "Nothing was sent: split it into smaller pastes."
)
"""The browser's message for a paste over ``MAX_PASTE_CHARS``, shown before anything is sent."""

DROP_TOO_LONG = (
    "What you dropped is too long to send in one go (the limit is about 900,000 characters). "
    "Nothing was sent: drop or paste it in smaller parts."
)
"""The dialog's message for a drop the browser kept back (over ``MAX_PASTE_CHARS``)."""


def plural(count: int, singular: str, plural_form: str) -> str:
    """``1 line`` / ``3 lines``."""
    return f"{count} {singular if count == 1 else plural_form}"


def listed(ids: list[str], total: int | None = None) -> str:
    """The first ``SHOWN_PER_KIND`` of ``ids``, then how many more of ``total`` (default ``len(ids)``)."""
    total = len(ids) if total is None else total
    shown = ids[:SHOWN_PER_KIND]
    text = ", ".join(shown)
    return f"{text} and {total - len(shown)} more" if total > len(shown) else text


def shown_line(text: str) -> str:
    """A rejected line as the report shows it: cut to ``MAX_SHOWN_LINE_CHARS`` with "…"."""
    return text if len(text) <= MAX_SHOWN_LINE_CHARS else text[:MAX_SHOWN_LINE_CHARS] + "…"


@dataclasses.dataclass(frozen=True)
class RejectedView:
    """A pasted line that was not (or not wholly) imported, as shown, and why."""

    text: str
    reason: str


@dataclasses.dataclass(frozen=True)
class PasteReport:
    """What the browser is told about one paste: the first ``SHOWN_PER_KIND`` of each kind, and counts."""

    rejected: list[RejectedView]
    rejected_count: int
    duplicates: list[str]
    duplicates_count: int
    repeated: list[str]
    repeated_count: int
    duplicate_sources: list[str] = dataclasses.field(default_factory=list)
    """The playlists and channels the list already expands or follows, by URL."""
    duplicate_sources_count: int = 0
    offer_ids: list[int] = dataclasses.field(default_factory=list)
    """The source ids of the playlists the paste's watch links offer (:func:`robust_import_app.sources.accept_offer`)."""


NO_REPORT = PasteReport(rejected=[], rejected_count=0, duplicates=[], duplicates_count=0, repeated=[], repeated_count=0)


def paste_report(outcome: library.PasteOutcome) -> PasteReport:
    """The bounded report of ``outcome`` (at most ``SHOWN_PER_KIND`` items of each kind)."""
    return PasteReport(
        rejected=[RejectedView(text=shown_line(r.text), reason=r.reason) for r in outcome.rejected[:SHOWN_PER_KIND]],
        rejected_count=len(outcome.rejected),
        duplicates=list(outcome.duplicates[:SHOWN_PER_KIND]),
        duplicates_count=len(outcome.duplicates),
        repeated=list(outcome.repeated[:SHOWN_PER_KIND]),
        repeated_count=len(outcome.repeated),
        duplicate_sources=[ref.url for ref in outcome.duplicate_sources[:SHOWN_PER_KIND]],
        duplicate_sources_count=len(outcome.duplicate_sources),
        offer_ids=list(outcome.offers[:SHOWN_PER_KIND]),
    )


class ImportState(rx.State):
    """The dialog's open flag and the last paste's report.

    The report holds at most ``SHOWN_PER_KIND`` rejected lines, duplicates
    and repeats each (what is shown) plus their counts, so that a paste of
    100,000 junk lines sends the browser 20 of them, not megabytes.
    """

    dialog_open: bool = False
    rejected: list[RejectedView] = []
    rejected_count: int = 0
    duplicates: list[str] = []
    duplicates_count: int = 0
    repeated: list[str] = []
    repeated_count: int = 0
    duplicate_sources: list[str] = []
    duplicate_sources_count: int = 0
    offer_ids: list[int] = []
    """The paste's offered playlists, shown (with their size, once known) from :class:`SourcesState`'s offers."""
    created_count: int = 0
    error: str = ""
    prefill: str = ""
    """The text box's text when the dialog opens: what ``/add`` was given, or a drop that was refused."""

    @rx.var
    def has_report(self) -> bool:
        """True when the last paste skipped something worth telling, or offers a playlist."""
        return bool(
            self.rejected_count
            or self.duplicates_count
            or self.repeated_count
            or self.duplicate_sources_count
            or self.offer_ids
        )

    @rx.var
    def rejected_summary(self) -> str:
        """E.g. "2 lines were not imported:"."""
        return plural(self.rejected_count, "line was", "lines were") + " not imported:"

    @rx.var
    def rejected_more(self) -> str:
        """E.g. "… and 99,980 more lines"; empty when every rejected line is listed."""
        more = self.rejected_count - len(self.rejected)
        return f"… and {more:,} more {'line' if more == 1 else 'lines'}" if more > 0 else ""

    @rx.var
    def duplicates_summary(self) -> str:
        """E.g. "3 already in this list, not added again: id, id, id"."""
        return (
            f"{self.duplicates_count} already in this list, not added again: "
            f"{listed(self.duplicates, self.duplicates_count)}"
        )

    @rx.var
    def repeated_summary(self) -> str:
        """E.g. "1 pasted more than once, added once: id"."""
        return f"{self.repeated_count} pasted more than once, added once: {listed(self.repeated, self.repeated_count)}"

    @rx.var
    def duplicate_sources_summary(self) -> str:
        """E.g. "1 playlist or channel is already being imported or followed here, not added again: URL"."""
        count = self.duplicate_sources_count
        verb = "is" if count == 1 else "are"
        return (
            f"{plural(count, 'playlist or channel', 'playlists or channels')} {verb} already being imported or "
            f"followed here, not added again: {listed(self.duplicate_sources, count)}"
        )

    @rx.event
    def set_dialog_open(self, value: bool):
        """Open or close the dialog."""
        self.dialog_open = bool(value)
        if self.dialog_open:
            self.error = ""

    @rx.event
    def dismiss_report(self):
        """Hide the last paste's report."""
        show_report(self, NO_REPORT)

    @rx.event
    async def accept_offer(self, source_id: int):
        """The report's "Import playlist": import the whole playlist a pasted watch link offers."""
        sources = await self.get_state(SourcesState)
        result = await accept_source_offer(sources, source_id)
        self.offer_ids = [offer for offer in self.offer_ids if offer != source_id_arg(source_id)]
        return result

    @rx.event
    async def submit(self, form_data: dict):
        """Create every new video (and source) of the paste in the shown list at once and hand them to the worker.

        A refused paste (too long, over the video limit, no links) sets
        ``error`` and leaves the dialog open with the text as pasted: the
        form does not reset on submit, and a successful import closes the
        dialog, which unmounts the text box.
        """
        if await self._paste_into_shown_list(form_data.get("links", "")):
            # Send the new cards first; the worker's first writes come after.
            yield
            runtime.wake_worker()

    @rx.event
    async def import_dropped(self, uri_list: str | None, plain: str | None):
        """Import links dropped on the grid (``text/uri-list``, else ``text/plain``) into the shown list.

        The report is a paste's. A refused drop opens the dialog with the
        dropped text and the reason, so nothing dropped is lost. ``None`` is
        the browser saying that kind of data was over ``MAX_PASTE_CHARS`` and
        was not sent (:mod:`robust_import_app.components.drop_zone`): the
        other kind is used, else the dialog says so.
        """
        uri_list = uri_list if isinstance(uri_list, str) else None
        plain = plain if isinstance(plain, str) else None
        text = dropped_text(uri_list, plain)
        if not text.strip() and None in (uri_list, plain):
            self.prefill, self.error, self.dialog_open = "", DROP_TOO_LONG, True
            return
        if await self._paste_into_shown_list(text):
            yield
            runtime.wake_worker()
        elif self.error:
            self.prefill, self.dialog_open = text, True

    async def _paste_into_shown_list(self, text: object) -> bool:
        """Import ``text`` into the list the tab shows and reload its first page and its source cards.

        True when the paste gave the worker something to do (videos, sources, offers to size).
        """
        lib = await self.get_state(LibraryState)
        outcome = await import_into(self, lib.list_id, text)
        if outcome is None or not outcome.queued:
            return False
        if outcome.created:
            lib.page = 0
            await reload_page(lib)
        if outcome.sources or outcome.offers:
            await reload_source_cards(await self.get_state(SourcesState))
        return True


def show_report(importer: ImportState, report: PasteReport) -> None:
    """Show ``report`` as ``importer``'s paste report (:data:`NO_REPORT` hides it).

    A function, not a method: Reflex 0.10 makes every State method whose name does not start with
    ``_`` an event handler that any client may call with any arguments; other states' handlers call this.
    """
    importer.rejected, importer.rejected_count = report.rejected, report.rejected_count
    importer.duplicates, importer.duplicates_count = report.duplicates, report.duplicates_count
    importer.repeated, importer.repeated_count = report.repeated, report.repeated_count
    importer.duplicate_sources = report.duplicate_sources
    importer.duplicate_sources_count = report.duplicate_sources_count
    importer.offer_ids = report.offer_ids


async def import_into(importer: ImportState, list_id: int, text: object) -> library.PasteOutcome | None:
    """Import ``text`` into list ``list_id``: set the report, close the dialog, announce new cards.

    Every tab showing the list reloads its page and shows the batch's
    banner, and its source cards when the paste named playlists or
    channels (this tab's :class:`ListLive` is linked to the list, if it was
    not yet). A refused paste (not text, too long, over the video limit,
    no links, an unknown list) sets ``error``, keeps ``prefill`` and
    returns None; the caller wakes the worker when the paste queued work
    (:attr:`~robust_import_app.library.PasteOutcome.queued`).

    A function, not a method: Reflex 0.10 makes every State method whose name does not start with
    ``_`` an event handler that any client may call with any arguments; other states' handlers call this.
    """
    if not isinstance(text, str):
        importer.error = "The paste did not arrive as text; paste it again."
        return None
    if len(text) > MAX_PASTE_CHARS:  # only a client that skips the browser's check
        importer.error = f"This paste is over {MAX_PASTE_CHARS:,} characters: split it into smaller pastes."
        return None
    try:
        outcome = await asyncio.to_thread(library.import_paste, get_database(), list_id, text)
    except library.LibraryError as problem:
        importer.error = str(problem)
        return None
    show_report(importer, paste_report(outcome))
    importer.created_count = len(outcome.created)
    if not outcome.queued and not importer.has_report:
        importer.error = "No YouTube video links found in the paste."
        return None
    importer.error, importer.prefill, importer.dialog_open = "", "", False
    if outcome.queued:
        live = await link_to_shared(await importer.get_state(ListLive), live_token(list_id))
    if outcome.created:
        counts = await asyncio.to_thread(library.batch_counts, get_database(), list_id)
        live.page_revision += 1
        live.batch_total, live.batch_imported, live.batch_failed = counts.total, counts.imported, counts.failed
        live.batch_cancelled = counts.cancelled
        live.banner_text = counts_text(counts)
    if outcome.sources or outcome.offers:
        live.sources_revision += 1
    return outcome
