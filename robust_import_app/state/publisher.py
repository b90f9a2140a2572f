"""Pushes the worker's reports to every tab watching a list, throttled.

The worker calls :class:`LivePublisher` synchronously for every stage change;
the publisher only records the latest report per video and flushes once per
``interval_s`` (0.25 s by default) per list, through
``app.modify_state(BaseStateToken(ident="list-<id>", cls=ListLive))``. A
500-video batch thus costs the socket at most four small deltas a second.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable

import reflex as rx

from robust_import_app import library
from robust_import_app.db import Database
from robust_import_app.pipeline.progress import VideoUpdate
from robust_import_app.pipeline.queue import BatchSummary
from robust_import_app.pipeline.worker import PauseNotice
from robust_import_app.state.live import ListLive, live_token

logger = logging.getLogger(__name__)


class _SharedTokenNoise(logging.Filter):
    """Drops Reflex's warning for deltas to a shared token, which has no socket."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "send delta to disconnected client 'list-" not in record.getMessage()


logging.getLogger("reflex.app").addFilter(_SharedTokenNoise())


class LivePublisher:
    """A :class:`~robust_import_app.pipeline.progress.ProgressSink` for the web app.

    ``pause_notice`` is polled at each flush: while it returns a notice, every
    list with a running batch shows it, refreshed once a second.
    """

    def __init__(
        self,
        app: rx.App,
        db: Database,
        *,
        interval_s: float,
        pause_notice: Callable[[], PauseNotice | None],
    ) -> None:
        self._app = app
        self._db = db
        self._interval_s = interval_s
        self._pause_notice = pause_notice
        self._updates: dict[int, dict[str, VideoUpdate]] = defaultdict(dict)
        self._summaries: dict[int, list[BatchSummary]] = defaultdict(list)
        self._finished: dict[int, set[str]] = defaultdict(set)
        self._busy_lists: set[int] = set()
        self._shown_pause: dict[int, str] = {}
        self._wake = asyncio.Event()

    def video_changed(self, update: VideoUpdate) -> None:
        """Record the latest stage of a video; flushed within ``interval_s``."""
        self._updates[update.list_id][update.youtube_id] = update
        self._wake.set()

    def batch_finished(self, summary: BatchSummary) -> None:
        """Queue a batch's summary toast for every tab of its list."""
        self._summaries[summary.list_id].append(summary)
        self._wake.set()

    async def run(self) -> None:
        """Flush forever (until cancelled), at most once per ``interval_s``."""
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=1.0)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.flush()
            except Exception:
                logger.exception("Could not push import progress to the browser")
            await asyncio.sleep(self._interval_s)

    async def flush(self) -> None:
        """Send every recorded change to the lists it concerns."""
        notice = self._pause_notice()
        lists = set(self._updates) | set(self._summaries) | set(self._finished)
        text = self._pause_text(notice)
        lists |= {list_id for list_id in self._busy_lists if text != self._shown_pause.get(list_id, "")}
        for list_id in lists:
            await self._flush_list(list_id, notice)

    @staticmethod
    def _pause_text(notice: PauseNotice | None) -> str:
        return notice.message if notice else ""

    async def _flush_list(self, list_id: int, notice: PauseNotice | None) -> None:
        updates = self._updates.pop(list_id, {})
        summaries = self._summaries.pop(list_id, [])
        to_prune = self._finished.pop(list_id, set())
        counts = await asyncio.to_thread(library.batch_counts, self._db, list_id)
        async with self._app.modify_state(rx.BaseStateToken(ident=live_token(list_id), cls=ListLive)) as root:
            live = await root.get_state(ListLive)
            stage = {k: v for k, v in live.stage.items() if k not in to_prune}
            progress = {k: v for k, v in live.progress.items() if k not in to_prune}
            finished_now = False
            for youtube_id, update in updates.items():
                stage[youtube_id] = update.stage.value
                progress[youtube_id] = update.progress
                if update.stage.is_terminal or update.waiting:
                    # Finished, or back in the queue to wait for a retry: tabs
                    # reload the stored row, so the entry goes. It stays one
                    # more flush, so the card does not flicker back to a stale
                    # stage before the page reload lands.
                    self._finished[list_id].add(youtube_id)
                    finished_now = True
            if stage != live.stage:
                live.stage = stage
                live.progress = progress
            if finished_now:
                live.page_revision += 1
            live.batch_total = counts.total
            live.batch_imported = counts.imported
            live.batch_failed = counts.failed
            shown = self._pause_text(notice) if counts.running else ""
            if live.paused_message != shown:
                live.paused_message = shown
                live.paused_hint = notice.hint if notice and shown else ""
            self._shown_pause[list_id] = shown
            for summary in summaries:
                live.summary = summary.message
                live.summary_revision += 1
        if counts.running:
            self._busy_lists.add(list_id)
        else:
            self._busy_lists.discard(list_id)
            self._shown_pause.pop(list_id, None)
