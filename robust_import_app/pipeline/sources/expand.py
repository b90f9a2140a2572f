"""The expansion job: a pasted playlist or channel becomes videos, one page of entries at a time.

The worker (:mod:`robust_import_app.pipeline.worker`) claims one due source
at a time (:class:`~robust_import_app.pipeline.queue.sources.SourceQueue`), and
:meth:`SourceExpander.run_page` lists its next page and stores it::

    list the page after the stored cursor, through the upstream's guard
    decide what it means (plan_page): videos to create, the next state
    write the page in one transaction (videos, counts, cursor), release

Listing: yt-dlp's flat extraction (``extract_flat="in_playlist"``, one
request per page of 100 playlist or 30 channel entries) through the player
guard, the one every other YouTube call passes; or, with a Data API client,
``playlistItems.list`` (50 entries per call, 1 quota unit) through the Data
API guard, a channel first mapped to its uploads playlist by
``channels.list`` (1 unit). The Data API lists neither mixes (made per
viewer) nor a channel's shorts or live tab on its own; those use yt-dlp. The
lister is recorded on the source and kept until it is listed to the end
(its cursor means nothing to the other); a quota used up for the day falls
back to yt-dlp.

Large sources ask first (:func:`plan_page`). Transient failures back off
with the videos' retry policy, the next attempt time stored on the source;
permanent ones, and retries used up, fail it with a plain reason
(:func:`failure_message`). A worker stopped mid-expansion leaves the cursor
of the last page written: the next claim resumes there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import TypedDict

from robust_import_app.domain.errors import ErrorCode, ImportFailure, PermanentImportError
from robust_import_app.domain.sources import ChannelTab, Lister, SourceKind, SourceState
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.pipeline.progress.sink import ProgressSink, SourceUpdate
from robust_import_app.pipeline.queue.lease import LeaseLost
from robust_import_app.pipeline.queue.sources import PageCounts, PagePlan, SourceJob, SourceQueue
from robust_import_app.pipeline.resilience.retry import RetryPolicy, consumes_attempt
from robust_import_app.pipeline.stages.context import StageContext
from robust_import_app.youtube.data_api import DataApiClient
from robust_import_app.youtube.sources import SourcePage, SourceRef

logger = logging.getLogger(__name__)

DEFAULT_CONFIRM_OVER = 200
"""``IMPORT_SOURCE_CONFIRM_OVER``: a source with more entries waits for the user's choice."""
EXPAND_STAGE = "expand"
"""The stage name the guards and failures carry for a listing request."""


@dataclass(frozen=True, slots=True)
class Listed:
    """One page as listed, with the lister that listed it and the playlist the Data API paged through."""

    page: SourcePage
    lister: Lister
    api_playlist_id: str | None = None
    channel_id: str | None = None


class _Described(TypedDict):
    """What every plan of one listed page records about its source."""

    lister: Lister
    title: str
    channel_id: str | None
    api_playlist_id: str | None


def data_api_lists(source: SourceRef) -> bool:
    """True when the Data API can list ``source``: a playlist that is no mix, or a channel's videos tab."""
    if source.kind is SourceKind.PLAYLIST:
        return not source.is_mix
    return source.tab in (None, ChannelTab.VIDEOS)


def plan_page(job: SourceJob, listed: Listed, *, confirm_over: int) -> PagePlan:
    """What one listed page means for its source: which entries to take, the next state and cursor.

    Rules, in order:

    * An **offer** learns its size (the reported total, or the page's entry
      count when it is the only page) and stays offered; nothing is created.
    * A source whose size is not settled (no limit chosen, not sized yet) and
      whose first page reports a total above ``confirm_over`` goes to
      ``awaiting_choice`` with nothing created. Without a reported total, pages
      are counted (nothing created) until the count passes ``confirm_over``
      with pages left (``awaiting_choice``) or the last page: then the source
      is small and is listed again from the start, taking every entry (a
      single page is taken at once). A choice starts listing over
      (:func:`robust_import_app.sources.choose_source_limit`).
    * Otherwise the page's entries are taken, cut at the chosen limit; the
      source is ``done`` after the last page or at its limit, else
      ``expanding`` with the page's cursor.
    """
    page = listed.page
    common: _Described = {
        "lister": listed.lister,
        "title": page.title,
        "channel_id": listed.channel_id or page.channel_id,
        "api_playlist_id": listed.api_playlist_id,
    }
    entries = page.entries
    more = page.next_cursor is not None
    if job.state is SourceState.OFFERED:
        total = page.total if page.total is not None else (None if more else len(entries))
        return PagePlan((), False, SourceState.OFFERED, None, 0, total, True, **common)
    if not (job.sized or job.limit_chosen):
        if job.cursor is None and page.total is not None:
            if page.total > confirm_over:
                return PagePlan((), False, SourceState.AWAITING_CHOICE, None, 0, page.total, True, reset=True, **common)
        else:
            counted = job.found + len(entries)
            if more and counted > confirm_over:
                return PagePlan((), False, SourceState.AWAITING_CHOICE, None, counted, None, True, reset=True, **common)
            if more:
                return PagePlan((), False, SourceState.EXPANDING, page.next_cursor, counted, None, False, **common)
            if job.cursor is not None:
                return PagePlan((), False, SourceState.QUEUED, None, 0, counted, True, reset=True, **common)
    limit = job.entry_limit
    taken = entries if limit is None else entries[: max(0, limit - job.found)]
    found = job.found + len(taken)
    done = not more or (limit is not None and found >= limit)
    total = page.total if page.total is not None else job.total
    return PagePlan(
        taken,
        True,
        SourceState.DONE if done else SourceState.EXPANDING,
        None if done else page.next_cursor,
        found,
        total,
        True,
        **common,
    )


def failure_message(source: SourceRef, failure: ImportFailure) -> str:
    """The plain reason a source failed, e.g. "Playlist not found", "Channel not found"."""
    what = "Playlist" if source.kind is SourceKind.PLAYLIST else "Channel"
    if failure.code is ErrorCode.NOT_FOUND:
        return f"{what} not found"
    if failure.code is ErrorCode.PRIVATE:
        return f"This {what.lower()} is private"
    if failure.code is ErrorCode.UNAUTHORIZED:
        return "The YouTube Data API key was rejected; check YOUTUBE_API_KEY"
    return f"{what} could not be listed: {failure.message}"


class SourceExpander:
    """Lists and stores one page of a claimed source (:meth:`run_page`).

    ``ctx`` gives the backend and the guards; ``queue`` the sources' table
    (its worker id is the worker's); ``data_api`` a Data API client when
    ``YOUTUBE_API_KEY`` is set; ``confirm_over`` the size above which a
    source asks first (``IMPORT_SOURCE_CONFIRM_OVER``).
    """

    def __init__(
        self,
        ctx: StageContext,
        *,
        queue: SourceQueue,
        sink: ProgressSink,
        retry_policy: RetryPolicy,
        confirm_over: int = DEFAULT_CONFIRM_OVER,
        data_api: DataApiClient | None = None,
    ) -> None:
        if confirm_over < 0:
            raise ValueError(f"confirm_over must be >= 0, got {confirm_over}")
        self.ctx = ctx
        self.queue = queue
        self.sink = sink
        self.retry_policy = retry_policy
        self.confirm_over = confirm_over
        self.data_api = data_api

    async def run_page(self, job: SourceJob) -> PageCounts | None:
        """List and store the job's next page; returns what the write did (None: failed, rescheduled or lost).

        Never raises for the source's own trouble: a failure is stored on it
        (retry or fail), a lost lease stops it without a write. On
        cancellation (worker stop) the lease is given back. Database errors
        while storing propagate (the lease then expires and the page is
        listed again).
        """
        try:
            try:
                listed = await self._list(job)
            except ImportFailure as failure:
                await self._handle_failure(job, failure)
                return None
            plan = plan_page(job, listed, confirm_over=self.confirm_over)
            counts = await asyncio.to_thread(self.queue.save_page, job, plan)
        except LeaseLost:
            logger.info("Stopped listing source %d: it was cancelled, deleted or taken over", job.source_id)
            return None
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await asyncio.shield(asyncio.to_thread(self.queue.release, job))
            raise
        logger.info(
            "Source %d (%s %s): page stored, %d videos created, now %s",
            job.source_id,
            job.ref.kind.value,
            job.ref.key,
            len(counts.created),
            plan.state.value,
        )
        self._report(job)
        return counts

    async def _list(self, job: SourceJob) -> Listed:
        """The job's next page from the lister it uses (see the module docstring); raises ImportFailure."""
        lister = job.lister if job.cursor is not None and job.lister is not None else self._choose(job.ref)
        cursor = job.cursor
        if lister is Lister.DATA_API and self.data_api is None:
            # Resumed without the key: yt-dlp's cursor is the count of entries read so far.
            lister, cursor = Lister.YTDLP_FLAT, (str(job.found) if cursor is not None else None)
        if lister is Lister.DATA_API:
            try:
                return await self._list_data_api(job, cursor)
            except ImportFailure as failure:
                if failure.code is not ErrorCode.QUOTA_EXCEEDED:
                    raise
                logger.info("Data API quota used up; listing source %d with yt-dlp", job.source_id)
                cursor = str(job.found) if cursor is not None else None
        async with self.ctx.guards[Upstream.PLAYER].request(video_id=job.ref.key, stage=EXPAND_STAGE):
            page = await self.ctx.backend.list_source_page(job.ref, cursor)
        return Listed(page=page, lister=Lister.YTDLP_FLAT)

    async def _list_data_api(self, job: SourceJob, cursor: str | None) -> Listed:
        assert self.data_api is not None
        guard = self.ctx.guards[Upstream.DATA_API]
        playlist_id, channel_id = job.api_playlist_id, None
        if playlist_id is None:
            if job.ref.kind is SourceKind.PLAYLIST:
                playlist_id = job.ref.key
            else:
                async with guard.request(video_id=job.ref.key, stage=EXPAND_STAGE):
                    playlist_id, channel_id = await self.data_api.uploads_playlist(job.ref)
        async with guard.request(video_id=job.ref.key, stage=EXPAND_STAGE):
            page = await self.data_api.playlist_items(playlist_id, cursor)
        return Listed(page=page, lister=Lister.DATA_API, api_playlist_id=playlist_id, channel_id=channel_id)

    def _choose(self, source: SourceRef) -> Lister:
        return Lister.DATA_API if self.data_api is not None and data_api_lists(source) else Lister.YTDLP_FLAT

    async def _handle_failure(self, job: SourceJob, failure: ImportFailure) -> None:
        """Retry a transient failure later (the retry policy's backoff), or fail the source with its reason."""
        delay_s = None
        if not isinstance(failure, PermanentImportError):
            delay_s = self.retry_policy.next_delay_s(job.attempt_count + 1, failure)
        if delay_s is None:
            logger.info("Source %d (%s) failed: %s", job.source_id, job.ref.key, failure)
            await asyncio.to_thread(self.queue.fail, job, failure, failure_message(job.ref, failure))
        else:
            await asyncio.to_thread(
                self.queue.reschedule, job, failure, delay_s=delay_s, consume_attempt=consumes_attempt(failure)
            )
        self._report(job)

    def _report(self, job: SourceJob) -> None:
        self.sink.source_changed(SourceUpdate(list_id=job.list_id, source_id=job.source_id))
