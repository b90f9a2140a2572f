"""What a batch's progress and summary say to the user: the banner's line, the summary toast's text and kind.

The queue counts (:class:`~robust_import_app.pipeline.queue.videos.BatchCounts`,
:class:`~robust_import_app.pipeline.queue.videos.BatchSummary`); the words, the
time-left estimate and the toast's kind are here, for the UI, the command line
and the worker's log.
"""

from __future__ import annotations

from enum import StrEnum

from robust_import_app.pipeline.queue.videos import BatchCounts, BatchSummary

RATE_WINDOW_S = 300.0
"""The banner's time-left estimate uses the rate of the last five minutes."""


class SummaryOutcome(StrEnum):
    """A finished batch's outcome, named as its toast's kind."""

    SUCCESS = "success"
    """Nothing failed, something was imported."""
    WARNING = "warning"
    """Some videos failed, others were imported."""
    ERROR = "error"
    """Every video that was not cancelled failed."""
    INFO = "info"
    """Nothing imported and nothing failed: every video was cancelled."""


def summary_outcome(summary: BatchSummary) -> SummaryOutcome:
    """How the batch went, for its toast's icon and colour (see :class:`SummaryOutcome`)."""
    if summary.failed:
        return SummaryOutcome.WARNING if summary.imported else SummaryOutcome.ERROR
    return SummaryOutcome.SUCCESS if summary.imported else SummaryOutcome.INFO


def summary_text(summary: BatchSummary) -> str:
    """E.g. ``"47 imported, 3 without captions, 0 failed"``, then ``", 2 cancelled"`` when some were,
    then for a batch with sources ``" · 412 found, 3 private, 1 deleted, 2 already in the list"``."""
    text = f"{summary.imported} imported, {summary.without_captions} without captions, {summary.failed} failed"
    if summary.cancelled:
        text = f"{text}, {summary.cancelled} cancelled"
    return f"{text} · {summary_entries_text(summary)}" if summary.sources else text


def summary_entries_text(summary: BatchSummary) -> str:
    """What the batch's sources listed: ``"412 found, 3 private, 1 deleted, 2 already in the list"``."""
    return entries_text(summary.found, private=summary.private, deleted=summary.deleted, duplicates=summary.duplicates)


def entries_text(found: int, *, private: int, deleted: int, duplicates: int) -> str:
    """``"412 found, 3 private, 1 deleted, 2 already in the list"``; the parts that are 0 left out (not found)."""
    parts = [f"{found:,} found"]
    if private:
        parts.append(f"{private:,} private")
    if deleted:
        parts.append(f"{deleted:,} deleted")
    if duplicates:
        parts.append(f"{duplicates:,} already in the list")
    return ", ".join(parts)


def counts_text(counts: BatchCounts) -> str:
    """The banner's line, e.g. ``"312 of 500 imported · 2 failed · 1 cancelled · about 18 min left"``."""
    parts = [f"{counts.imported} of {counts.total} imported"]
    if counts.failed:
        parts.append(f"{counts.failed} failed")
    if counts.cancelled:
        parts.append(f"{counts.cancelled} cancelled")
    if counts.running and counts.eta_s is not None:
        parts.append(time_left(counts.eta_s))
    return " · ".join(parts)


def estimate_remaining_s(remaining: int, *, finished: int, window_s: float) -> float | None:
    """Seconds left for ``remaining`` videos at the rate of ``finished`` videos in ``window_s`` seconds.

    None when there is no rate to go by yet (nothing finished, or no window).
    """
    if remaining <= 0:
        return 0.0
    if finished <= 0 or window_s <= 0:
        return None
    return remaining * window_s / finished


def time_left(seconds: float) -> str:
    """``"about 18 min left"``, ``"about 2 h 5 min left"``, ``"less than a minute left"``."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return "less than a minute left"
    hours, minutes = divmod(minutes, 60)
    return f"about {hours} h {minutes} min left" if hours else f"about {minutes} min left"
