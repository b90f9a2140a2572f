"""How the worker reports what it does: a sink it calls, never waits on.

The web app's sink (:class:`robust_import_app.state.publisher.LivePublisher`)
throttles these into shared-state updates; the command line's sink draws
progress bars. The pipeline itself never imports Reflex.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from robust_import_app.domain.stages import Stage
from robust_import_app.pipeline.progress.text import summary_text
from robust_import_app.pipeline.queue.videos import BatchSummary


@dataclass(frozen=True, slots=True)
class VideoUpdate:
    """A video entered a stage (or finished, or was put back to wait)."""

    list_id: int
    batch_id: int | None
    youtube_id: str
    stage: Stage
    waiting: bool = False
    """True when a transient failure put the video back to wait for a retry."""

    @property
    def progress(self) -> int:
        """Percent for the card's ring."""
        return self.stage.progress


@dataclass(frozen=True, slots=True)
class SourceUpdate:
    """A source of a list changed: a page was listed (its videos created), it waits, finished or was checked.

    The sink reloads what it shows of the list (its source cards and its
    page of videos) from the database: the update says where, not what.
    """

    list_id: int
    source_id: int


class ProgressSink(Protocol):
    """Receives the worker's reports; each call must return at once."""

    def video_changed(self, update: VideoUpdate) -> None:
        """A video's stage changed."""
        ...

    def batch_finished(self, summary: BatchSummary) -> None:
        """Every video of a batch is finished; called once per batch."""
        ...

    def source_changed(self, update: SourceUpdate) -> None:
        """A source changed (:class:`SourceUpdate`)."""
        ...


class LogSink:
    """The headless worker's sink: one log line per finished batch, nothing per stage."""

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger

    def video_changed(self, update: VideoUpdate) -> None:
        """Stage changes are not logged (a batch of 500 would be 2,000 lines)."""

    def batch_finished(self, summary: BatchSummary) -> None:
        """Log ``Batch 7 of list 1 finished: 47 imported, 3 without captions, 0 failed``."""
        self._logger.info("Batch %d of list %d finished: %s", summary.batch_id, summary.list_id, summary_text(summary))

    def source_changed(self, update: SourceUpdate) -> None:
        """Source changes are not logged here (the expansion job logs what matters)."""


class FanOutSink:
    """A :class:`ProgressSink` that passes every report to each of ``sinks``."""

    def __init__(self, *sinks: ProgressSink) -> None:
        self._sinks = sinks

    def video_changed(self, update: VideoUpdate) -> None:
        """Pass the report on to every sink, in order."""
        for sink in self._sinks:
            sink.video_changed(update)

    def batch_finished(self, summary: BatchSummary) -> None:
        """Pass the summary on to every sink, in order."""
        for sink in self._sinks:
            sink.batch_finished(summary)

    def source_changed(self, update: SourceUpdate) -> None:
        """Pass the source change on to every sink, in order."""
        for sink in self._sinks:
            sink.source_changed(update)
