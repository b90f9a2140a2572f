"""The live state of one list, shared by every tab that shows it.

Each tab links its :class:`ListLive` to the token ``list-<id>`` in its
``on_load``; the import worker updates that token through
``app.modify_state`` (see :mod:`robust_import_app.state.publisher`) and Reflex
sends the change to every linked tab. The state stays small on purpose: only
the videos in flight, the banner's counts and counters that tell tabs to
reload their page or their source cards, or show a summary toast. A progress update is a delta of a
handful of entries, never the list.
"""

from __future__ import annotations

import reflex as rx

LIVE_TOKEN_PREFIX = "list-"
"""What every list's shared token starts with."""


def live_token(list_id: int) -> str:
    """The shared token of a list (Reflex forbids ``_`` in it)."""
    return f"{LIVE_TOKEN_PREFIX}{list_id}"


class ListLive(rx.SharedState):
    """In-flight progress, batch counts and notices of one list."""

    stage: dict[str, str] = {}
    """Stage name of each video in flight, by video id."""
    progress: dict[str, int] = {}
    """Percent of each video in flight, by video id."""
    batch_total: int = 0
    batch_imported: int = 0
    batch_failed: int = 0
    batch_cancelled: int = 0
    banner_text: str = ""
    """E.g. "312 of 500 imported · 2 failed · about 18 min left" (:func:`~robust_import_app.pipeline.progress.text.counts_text`)."""
    paused_message: str = ""
    """E.g. "Paused — YouTube is rate-limiting, resuming in 25 s"; "" when running."""
    paused_hint: str = ""
    """What the user can do about a bot check (cookies file or proxy)."""
    page_revision: int = 0
    """Bumped when videos were created or finished: tabs reload their page."""
    sources_revision: int = 0
    """Bumped when a source of the list changed (a page listed, a choice asked, a check done): tabs reload their source cards."""
    summary_revision: int = 0
    """Bumped with each batch summary; ``summary`` holds its text."""
    summary: str = ""
    summary_kind: str = "info"
    """The summary's toast kind (:class:`~robust_import_app.pipeline.progress.text.SummaryOutcome`): its icon and colour."""

    @rx.var
    def batch_running(self) -> bool:
        """True while a batch of this list has unfinished videos."""
        return self.batch_imported + self.batch_failed + self.batch_cancelled < self.batch_total
