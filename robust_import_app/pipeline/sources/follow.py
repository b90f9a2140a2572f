"""Following: a followed playlist or channel is checked for new uploads on a schedule.

The schedule is the source's ``next_check_at`` in the database, so a restart
keeps it. A worker claims a due check by moving ``next_check_at`` one
interval on (``IMPORT_FOLLOW_INTERVAL_MIN``) in the same statement that
finds it due, so two workers never check one source at once, and a worker
that dies mid-check only delays that source to its next interval. A source
whose expansion is unfinished is not checked (its pages add those videos).

A check costs one request, no quota: the source's public Atom feed
(``/feeds/videos.xml?channel_id=…`` or ``?playlist_id=…``, its latest 15
entries), read with :func:`robust_import_app.youtube.feed.parse_feed`. When
the feed fails (an error status, a timeout, a malformed document, or no feed:
a channel whose ``UC…`` id is not known yet) the first page of yt-dlp's flat
extraction is read instead. Both go through the player guard, the one every
other YouTube call passes; while its circuit breaker is open the check waits
for it.

New entries are those listed before the first entry the list already holds
or the source listed before (feeds and channel tabs list the newest first,
and the sim publishes on top); they are created as videos of a new batch,
announced like any batch. What a source listed is remembered
(``source_video``): a video the user deleted is not added again by it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select, update

from robust_import_app.db import Database
from robust_import_app.domain.errors import ErrorCode, ImportFailure
from robust_import_app.domain.sources import FINISHED, EntryState, Lister
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.models import ImportBatch, Video, utcnow
from robust_import_app.models.tables import ImportSource
from robust_import_app.pipeline.progress.sink import ProgressSink, SourceUpdate
from robust_import_app.pipeline.queue.sources import create_entry_videos, listed_by, source_ref
from robust_import_app.pipeline.resilience.classify import classify
from robust_import_app.pipeline.sources.expand import failure_message
from robust_import_app.pipeline.stages.context import StageContext
from robust_import_app.youtube.feed import parse_feed
from robust_import_app.youtube.sources import SourceEntry, SourceRef, feed_url

logger = logging.getLogger(__name__)

FOLLOW_STAGE = "follow"
"""The stage name the guard and failures carry for a check."""


@dataclass(frozen=True, slots=True)
class FollowJob:
    """A followed source whose check this worker claimed."""

    source_id: int
    list_id: int
    ref: SourceRef
    channel_id: str | None


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """What a check did: the videos it created (newest first), how it listed, the batch, the error."""

    created: tuple[str, ...] = ()
    lister: Lister | None = None
    batch_id: int | None = None
    error: str | None = None


def new_entries(entries: tuple[SourceEntry, ...], known: set[str]) -> list[SourceEntry]:
    """The available entries listed before the first one in ``known`` (all of them when none is known)."""
    fresh: list[SourceEntry] = []
    for entry in entries:
        if entry.state is not EntryState.AVAILABLE:
            continue
        if entry.video_id in known:
            break
        fresh.append(entry)
    return fresh


class FollowChecker:
    """Claims due checks (:meth:`claim_due`) and runs them (:meth:`check`).

    ``interval_s`` is the time between two checks of a source, in seconds.
    """

    def __init__(self, ctx: StageContext, *, db: Database, sink: ProgressSink, interval_s: float) -> None:
        if interval_s <= 0:
            raise ValueError(f"interval_s must be > 0, got {interval_s}")
        self.ctx = ctx
        self.db = db
        self.sink = sink
        self.interval_s = interval_s

    def claim_due(self, *, now: dt.datetime | None = None) -> FollowJob | None:
        """Claim the check that fell due first (None: none due) by moving its schedule one interval on."""
        now = now or utcnow()
        with self.db.write() as session:
            row = session.exec(
                select(ImportSource)
                .where(
                    col(ImportSource.next_check_at) <= now,
                    col(ImportSource.following).is_(True),
                    col(ImportSource.follow_paused).is_(False),
                    col(ImportSource.state).in_(FINISHED),
                )
                .order_by(col(ImportSource.next_check_at))
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None
            assert row.id is not None  # read from the table: its primary key is set
            moved = session.exec(
                update(ImportSource)
                .where(col(ImportSource.id) == row.id, col(ImportSource.next_check_at) == row.next_check_at)
                .values(next_check_at=now + dt.timedelta(seconds=self.interval_s))
            ).rowcount
            if moved != 1:
                return None
            return FollowJob(source_id=row.id, list_id=row.list_id, ref=source_ref(row), channel_id=row.channel_id)

    def next_check_at(self) -> dt.datetime | None:
        """When the next check falls due (None: nothing followed)."""
        with self.db.read() as session:
            return session.exec(
                select(sa.func.min(ImportSource.next_check_at)).where(
                    col(ImportSource.following).is_(True), col(ImportSource.follow_paused).is_(False)
                )
            ).one()

    async def check(self, job: FollowJob) -> CheckOutcome:
        """Read the source's feed (or, when it fails, its first page) and create its new uploads.

        Never raises for YouTube's trouble: a check that could not list the
        source stores the reason as ``last_check_error`` (and one refused by
        the open breaker moves its schedule to when the breaker lets requests
        through). Database errors propagate.
        """
        guard = self.ctx.guards[Upstream.PLAYER]
        url = feed_url(job.ref, channel_id=job.channel_id)
        entries: tuple[SourceEntry, ...] | None = None
        channel_id = job.channel_id
        lister = Lister.FEED
        failure: ImportFailure | None = None
        if url is not None:
            try:
                async with guard.request(video_id=job.ref.key, stage=FOLLOW_STAGE):
                    data = await self.ctx.backend.fetch_feed(url)
                feed = parse_feed(data)
                entries = tuple(SourceEntry(e.video_id, e.title) for e in feed.entries)
                channel_id = channel_id or feed.channel_id
            except Exception as exc:
                failure = classify(exc, stage=FOLLOW_STAGE)
                logger.info("Feed of source %d failed (%s); reading its first page instead", job.source_id, failure)
        if entries is None and (failure is None or failure.code is not ErrorCode.CIRCUIT_OPEN):
            lister = Lister.YTDLP_FLAT
            try:
                async with guard.request(video_id=job.ref.key, stage=FOLLOW_STAGE):
                    page = await self.ctx.backend.list_source_page(job.ref, None)
                entries = page.entries
                channel_id = channel_id or page.channel_id
            except Exception as exc:
                failure = classify(exc, stage=FOLLOW_STAGE)
        if entries is None:
            assert failure is not None
            retry_s = failure.retry_after_s if failure.code is ErrorCode.CIRCUIT_OPEN else None
            message = failure_message(job.ref, failure)
            await asyncio.to_thread(self._save_failure, job, message, retry_s)
            self._report(job)
            return CheckOutcome(error=message)
        outcome = await asyncio.to_thread(self._save, job, entries, channel_id, lister)
        if outcome.created:
            logger.info("Follow check of source %d added %d videos", job.source_id, len(outcome.created))
        self._report(job)
        return outcome

    def _save(
        self, job: FollowJob, entries: tuple[SourceEntry, ...], channel_id: str | None, lister: Lister
    ) -> CheckOutcome:
        """Create the new entries' videos in a new batch and note the check, in one transaction.

        A source unfollowed or deleted meanwhile gets nothing.
        """
        now = utcnow()
        with self.db.write() as session:
            row = session.get(ImportSource, job.source_id, with_for_update=True)
            if row is None or not row.following:
                return CheckOutcome(lister=lister)
            available = [entry.video_id for entry in entries]
            known = set(
                session.exec(
                    select(Video.youtube_id).where(
                        Video.list_id == row.list_id, col(Video.youtube_id).in_(available or [""])
                    )
                ).all()
            ) | listed_by(session, job.source_id, available)
            fresh = new_entries(entries, known)
            created: tuple[str, ...] = ()
            batch_id = None
            if fresh:
                batch = ImportBatch(list_id=row.list_id, total=0)
                session.add(batch)
                session.flush()
                batch_id = batch.id
                created = create_entry_videos(
                    session, job.source_id, row.list_id, batch_id, fresh, placed_at=now, now=now
                ).created
                batch.total = len(created)
                session.add(batch)
            row.added_by_follow += len(created)
            row.last_checked_at = now
            row.last_check_error = None
            row.channel_id = row.channel_id or channel_id
            row.updated_at = now
            session.add(row)
        return CheckOutcome(created=created, lister=lister, batch_id=batch_id)

    def _save_failure(self, job: FollowJob, message: str, retry_s: float | None) -> None:
        """Note a failed check; one the open breaker refused is due again when it lets requests through."""
        now = utcnow()
        values: dict[str, object] = {"updated_at": now}
        if retry_s is not None:
            values["next_check_at"] = now + dt.timedelta(seconds=retry_s)
        else:
            values |= {"last_checked_at": now, "last_check_error": message}
        with self.db.write() as session:
            session.exec(
                update(ImportSource)
                .where(
                    col(ImportSource.id) == job.source_id,
                    col(ImportSource.following).is_(True),
                    col(ImportSource.follow_paused).is_(False),
                )
                .values(**values)
            )

    def _report(self, job: FollowJob) -> None:
        self.sink.source_changed(SourceUpdate(list_id=job.list_id, source_id=job.source_id))
