"""Pushes the worker's reports to every tab watching a list, throttled.

The worker calls :class:`LivePublisher` synchronously for every stage change;
the publisher only records the latest report per video and flushes once per
``interval_s`` (0.25 s by default) per list, through
``app.modify_state(BaseStateToken(ident="list-<id>", cls=ListLive))``. A
500-video batch thus costs the socket at most four small deltas a second.

A report is forgotten only once a push carrying it went through: when
``modify_state`` fails (the state manager unreachable, the delta not sent),
everything stays pending and :meth:`LivePublisher.run` tries again with
exponential backoff; a newer report of the same video, arriving meanwhile,
replaces the older one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx
import tenacity

from robust_import_app import library
from robust_import_app.db import Database
from robust_import_app.pipeline.progress.pause import PauseNotice
from robust_import_app.pipeline.progress.sink import SourceUpdate, VideoUpdate
from robust_import_app.pipeline.progress.text import counts_text, summary_outcome, summary_text
from robust_import_app.pipeline.queue.videos import BatchSummary
from robust_import_app.reflex_internals import drop_shared_token_delta_warnings
from robust_import_app.state.live import LIVE_TOKEN_PREFIX, ListLive, live_token

logger = logging.getLogger(__name__)

FLUSH_RETRY_MAX_S = 5.0
"""Longest wait, in seconds, between two attempts at a failing flush (the first waits ``interval_s``)."""
IDLE_CHECK_S = 1.0
"""Seconds between flushes when nothing was reported (a pause notice still changes each second)."""


drop_shared_token_delta_warnings(LIVE_TOKEN_PREFIX)


@dataclass(frozen=True, slots=True)
class _Push:
    """What one push to a list carries; the publisher forgets it only after the push went through."""

    updates: dict[str, VideoUpdate]
    summaries: tuple[BatchSummary, ...]
    to_prune: frozenset[str]
    leaving: frozenset[str]
    """Videos this push shows finished (or back waiting): pruned by the next push."""
    sources_changed: int = 0
    """How many source changes of the list this push carries (a page created videos, a source
    waits or finished): tabs reload. Those reported while it was under way stay pending."""


class LivePublisher:
    """A :class:`~robust_import_app.pipeline.progress.sink.ProgressSink` for the web app.

    ``pause_notice`` is polled at each flush: while it returns a notice, every
    list with a running batch shows it, refreshed once a second. Reports are
    kept until a push delivered them (see the module docstring).
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
        self._updates: dict[int, dict[str, VideoUpdate]] = {}
        self._summaries: dict[int, list[BatchSummary]] = {}
        self._finished: dict[int, frozenset[str]] = {}
        self._sources_changed: dict[int, int] = {}
        self._busy_lists: set[int] = set()
        self._shown_pause: dict[int, str] = {}
        self._wake = asyncio.Event()
        self._flushing = asyncio.Lock()

    def video_changed(self, update: VideoUpdate) -> None:
        """Record the latest stage of a video (replacing an older pending one); flushed within ``interval_s``."""
        self._updates.setdefault(update.list_id, {})[update.youtube_id] = update
        self._wake.set()

    def batch_finished(self, summary: BatchSummary) -> None:
        """Queue a batch's summary toast for every tab of its list."""
        self._summaries.setdefault(summary.list_id, []).append(summary)
        self._wake.set()

    def source_changed(self, update: SourceUpdate) -> None:
        """Mark the source's list for a reload in every tab (its cards and its page of videos); flushed within ``interval_s``."""
        self._sources_changed[update.list_id] = self._sources_changed.get(update.list_id, 0) + 1
        self._wake.set()

    async def run(self) -> None:
        """Flush forever (until cancelled), at most once per ``interval_s``.

        A flush that raises is logged and tried again after ``interval_s``,
        then twice as long each time up to :data:`FLUSH_RETRY_MAX_S`
        (``tenacity.wait_exponential``: one publisher per process waiting for
        a state manager that is down needs no jitter), until it goes through.
        """
        retrying = tenacity.AsyncRetrying(
            wait=tenacity.wait_exponential(multiplier=self._interval_s, min=self._interval_s, max=FLUSH_RETRY_MAX_S),
            retry=tenacity.retry_if_exception_type(Exception),
            before_sleep=tenacity.before_sleep_log(logger, logging.WARNING, exc_info=True),
            reraise=True,
        )
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=IDLE_CHECK_S)
            except TimeoutError:
                pass
            self._wake.clear()
            await retrying(self.flush)
            await asyncio.sleep(self._interval_s)

    async def flush(self) -> None:
        """Push every pending change to the lists it concerns.

        Every list is tried; what could not be pushed stays pending, and the
        first error is raised after the others were tried.
        """
        async with self._flushing:
            notice = self._pause_notice()
            text = self._pause_text(notice)
            lists = set(self._updates) | set(self._summaries) | set(self._finished) | set(self._sources_changed)
            lists |= {list_id for list_id in self._busy_lists if text != self._shown_pause.get(list_id, "")}
            first_error: Exception | None = None
            for list_id in sorted(lists):
                try:
                    await self._flush_list(list_id, notice)
                except Exception as exc:
                    first_error = first_error or exc
            if first_error is not None:
                raise first_error

    @staticmethod
    def _pause_text(notice: PauseNotice | None) -> str:
        return notice.message if notice else ""

    def _pending_push(self, list_id: int) -> _Push:
        updates = dict(self._updates.get(list_id, {}))
        leaving = frozenset(vid for vid, update in updates.items() if update.stage.is_terminal or update.waiting)
        return _Push(
            updates=updates,
            summaries=tuple(self._summaries.get(list_id, ())),
            to_prune=self._finished.get(list_id, frozenset()),
            leaving=leaving,
            sources_changed=self._sources_changed.get(list_id, 0),
        )

    async def _flush_list(self, list_id: int, notice: PauseNotice | None) -> None:
        push = self._pending_push(list_id)
        counts = await asyncio.to_thread(library.batch_counts, self._db, list_id)
        shown = self._pause_text(notice) if counts.running else ""
        async with self._app.modify_state(rx.BaseStateToken(ident=live_token(list_id), cls=ListLive)) as root:
            live = await root.get_state(ListLive)
            if push.updates or push.to_prune:
                # Assigned even when equal to the stored value: after a push
                # whose delta never left, the state holds it but no tab does.
                stage = {k: v for k, v in live.stage.items() if k not in push.to_prune}
                progress = {k: v for k, v in live.progress.items() if k not in push.to_prune}
                for youtube_id, update in push.updates.items():
                    stage[youtube_id] = update.stage.value
                    progress[youtube_id] = update.progress
                live.stage = stage
                live.progress = progress
            if push.leaving or push.sources_changed:
                # Finished, or back in the queue to wait for a retry: tabs
                # reload the stored row, so the entry goes. It stays one more
                # push, so the card does not flicker back to a stale stage
                # before the page reload lands.
                live.page_revision += 1
            if push.sources_changed:
                live.sources_revision += 1
            live.batch_total = counts.total
            live.batch_imported = counts.imported
            live.batch_failed = counts.failed
            live.batch_cancelled = counts.cancelled
            live.banner_text = counts_text(counts)
            live.paused_message = shown
            live.paused_hint = notice.hint if notice and shown else ""
            for summary in push.summaries:
                live.summary = summary_text(summary)
                live.summary_kind = summary_outcome(summary).value
                live.summary_revision += 1
        self._forget(list_id, push)
        self._shown_pause[list_id] = shown
        if counts.running:
            self._busy_lists.add(list_id)
        else:
            self._busy_lists.discard(list_id)
            self._shown_pause.pop(list_id, None)

    def _forget(self, list_id: int, push: _Push) -> None:
        """Drop what ``push`` delivered; keep what was reported while it was under way."""
        pending = self._updates.get(list_id, {})
        for youtube_id, update in push.updates.items():
            if pending.get(youtube_id) is update:
                del pending[youtube_id]
        if not pending:
            self._updates.pop(list_id, None)
        queued = self._summaries.get(list_id, [])
        del queued[: len(push.summaries)]
        if not queued:
            self._summaries.pop(list_id, None)
        left = self._sources_changed.get(list_id, 0) - push.sources_changed
        if left > 0:
            self._sources_changed[list_id] = left
        else:
            self._sources_changed.pop(list_id, None)
        finished = (self._finished.get(list_id, frozenset()) - push.to_prune) | push.leaving
        if finished:
            self._finished[list_id] = finished
        else:
            self._finished.pop(list_id, None)
