"""The source queue: the expansion job's claims of sources and its page writes.

A source is *due* when its state is ``queued`` or ``expanding`` (or
``offered`` and not yet sized), its ``next_attempt_at`` (the backoff
schedule) has passed and no live worker holds its lease; the oldest due
source goes first. Leases and fencing are the package's
(:mod:`robust_import_app.pipeline.queue.lease`): every write of the worker
names holder and token and raises :class:`~robust_import_app.pipeline.queue.lease.LeaseLost`
when it changed no row (the lease expired and another worker took the
source, the user cancelled it, or the list is gone), rolling back everything
it wrote. The paste's own source rows are written by
:mod:`robust_import_app.pipeline.sources.plan`.

A page is written in one transaction (:meth:`SourceQueue.save_page`): the
page's new videos (stage ``created``, the row
:func:`robust_import_app.pipeline.queue.transitions.new_video_row` gives), the counts, the cursor and the batch's total. A worker stopped
between two pages leaves the cursor of the last page written, so the next
claim resumes there and creates no video twice.

Every function is synchronous and short: the worker calls them through
``asyncio.to_thread``. Times are timezone-aware UTC; durations in seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select, update

from robust_import_app.db import Database
from robust_import_app.domain.errors import ImportFailure
from robust_import_app.domain.sources import EntryState, Lister, SourceState
from robust_import_app.models import ImportBatch, Video, utcnow
from robust_import_app.models.tables import SOURCE_WORK_SQL, ImportSource, SourceVideo
from robust_import_app.pipeline.config import DEFAULT_LEASE_S
from robust_import_app.pipeline.queue.lease import RELEASED, LeasedQueue, LeaseLost, lease_clock, table_of
from robust_import_app.pipeline.queue.transitions import new_video_row
from robust_import_app.youtube.sources import SourceEntry, SourceRef

PAGE_WRITE_ATTEMPTS = 3
"""A page write that met a concurrent paste of the same video (unique key) is tried again, this often in all."""


def source_ref(row: ImportSource) -> SourceRef:
    """The :class:`SourceRef` a source row stores."""
    return SourceRef(row.kind, row.key, row.tab)


@dataclass(slots=True)
class SourceJob:
    """One claimed source, as the expansion job sees it (a snapshot of its row at the claim)."""

    source_id: int
    list_id: int
    batch_id: int | None
    ref: SourceRef
    state: SourceState
    lease_token: str
    title: str = ""
    channel_id: str | None = None
    lister: Lister | None = None
    api_playlist_id: str | None = None
    cursor: str | None = None
    found: int = 0
    total: int | None = None
    entry_limit: int | None = None
    limit_chosen: bool = False
    sized: bool = False
    attempt_count: int = 0


@dataclass(frozen=True, slots=True)
class PagePlan:
    """What to store for one listed page (decided by :func:`robust_import_app.pipeline.sources.expand.plan_page`).

    ``entries`` are the page's entries this source takes (cut at its
    limit); with ``create`` False they are only counted, no video is
    created (an offer learning its size, a large source before the choice).
    ``found`` is the source's new count; ``state``, ``cursor``, ``total``,
    ``sized`` its new values; ``reset`` zeroes its private/deleted/duplicate
    counts (listing starts over once sized).
    """

    entries: tuple[SourceEntry, ...]
    create: bool
    state: SourceState
    cursor: str | None
    found: int
    total: int | None
    sized: bool
    lister: Lister
    title: str = ""
    channel_id: str | None = None
    api_playlist_id: str | None = None
    reset: bool = False


@dataclass(frozen=True, slots=True)
class PageCounts:
    """What a page write did: the videos it created (in source order) and what it counted."""

    created: tuple[str, ...] = ()
    private: int = 0
    deleted: int = 0
    duplicates: int = 0


class SourceQueue(LeasedQueue):
    """The expansion job's view of the ``import_source`` table.

    ``worker_id`` names the lease holder (the worker's video queue's, so a
    stopped worker releases both); ``lease_s`` is how long a claim stays
    valid without a renewal. ``batch_id`` scopes it to one batch (the
    command line's own paste). Every write about a claimed source raises
    :class:`LeaseLost` when this worker no longer holds it.
    """

    def __init__(
        self,
        db: Database,
        *,
        worker_id: str | None = None,
        lease_s: float = DEFAULT_LEASE_S,
        batch_id: int | None = None,
    ) -> None:
        super().__init__(db, ImportSource, worker_id=worker_id, lease_s=lease_s, batch_id=batch_id)

    def _due(self, now: dt.datetime) -> sa.ColumnElement[bool]:
        """Sources with a page to list now (the partial index's condition, written literally)."""
        return sa.and_(
            SOURCE_WORK_SQL,
            sa.or_(col(ImportSource.state) != SourceState.OFFERED, col(ImportSource.sized).is_(False)),
            sa.or_(col(ImportSource.next_attempt_at).is_(None), col(ImportSource.next_attempt_at) <= now),
            self.free(now),
        )

    def claim_due(self, *, exclude: Iterable[int] = (), now: dt.datetime | None = None) -> SourceJob | None:
        """Lease the oldest due source (None: nothing due); a ``queued`` one becomes ``expanding``.

        ``now`` stands in for the database's clock (:func:`~robust_import_app.pipeline.queue.lease.lease_clock`).

        On SQLite the write transaction holds the database lock; on
        PostgreSQL ``FOR UPDATE SKIP LOCKED`` keeps two workers from
        claiming the same row.
        """
        with self.db.write() as session:
            now = now or lease_clock(session)
            query = select(ImportSource).where(self._due(now), self.in_scope())
            excluded = list(exclude)
            if excluded:
                query = query.where(col(ImportSource.id).not_in(excluded))
            row = session.exec(query.order_by(col(ImportSource.id)).limit(1).with_for_update(skip_locked=True)).first()
            if row is None:
                return None
            assert row.id is not None  # read from the table: its primary key is set
            state = SourceState.EXPANDING if row.state is SourceState.QUEUED else row.state
            token = self.claim(session, row.id, now, state=state, updated_at=now)
            if token is None:
                return None
            return SourceJob(
                source_id=row.id,
                list_id=row.list_id,
                batch_id=row.batch_id,
                ref=source_ref(row),
                state=state,
                lease_token=token,
                title=row.title,
                channel_id=row.channel_id,
                lister=row.lister,
                api_playlist_id=row.api_playlist_id,
                cursor=row.cursor,
                found=row.found,
                total=row.total,
                entry_limit=row.entry_limit,
                limit_chosen=row.limit_chosen,
                sized=row.sized,
                attempt_count=row.attempt_count,
            )

    def renew(self, job: SourceJob) -> bool:
        """Extend the job's lease by ``lease_s`` from now; False when it is no longer held."""
        with self.db.write() as session:
            return self.renew_in(session, job.source_id, job.lease_token, lease_clock(session))

    def save_page(self, job: SourceJob, plan: PagePlan) -> PageCounts:
        """Store one listed page in one transaction and release the source (see the module docstring).

        With ``plan.create`` the page's available entries not yet in the list
        become videos of the source's batch, placed at the source's paste
        time in source order (so the cards of a source stay together and in
        order however the pages arrive); private and deleted entries and
        entries already in the list are counted. The batch's ``total`` grows
        by the videos created. Raises :class:`LeaseLost` (nothing written).
        """
        for attempt in range(PAGE_WRITE_ATTEMPTS):
            try:
                return self._save_page(job, plan)
            except IntegrityError:
                # A paste of the same video into the list committed in between: read again.
                if attempt + 1 == PAGE_WRITE_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def _save_page(self, job: SourceJob, plan: PagePlan) -> PageCounts:
        now = utcnow()
        with self.db.write() as session:
            held = self.held(job.source_id, job.lease_token)
            row = session.exec(select(ImportSource).where(held).with_for_update()).first()
            if row is None:
                raise LeaseLost(self.table.name, job.source_id)
            counts = PageCounts()
            if plan.create:
                counts = _create_videos(session, row, plan, now=now)
            if plan.reset:
                row.private = row.deleted = row.duplicates = 0
            row.private += counts.private
            row.deleted += counts.deleted
            row.duplicates += counts.duplicates
            row.found = plan.found
            row.total = plan.total
            row.cursor = plan.cursor
            row.sized = plan.sized
            row.lister = plan.lister
            row.title = plan.title or row.title
            row.channel_id = plan.channel_id or row.channel_id
            row.api_playlist_id = plan.api_playlist_id or row.api_playlist_id
            row.state = plan.state
            row.attempt_count = 0
            row.error_code = row.error_message = None
            row.next_attempt_at = None
            row.updated_at = now
            if plan.state.is_finished:
                row.finished_at = now
            row.claimed_by = row.claimed_until = row.lease_token = None
            session.add(row)
            if counts.created and row.batch_id is not None:
                session.exec(
                    update(ImportBatch)
                    .where(col(ImportBatch.id) == row.batch_id)
                    .values(total=ImportBatch.total + len(counts.created))
                )
        job.state = plan.state
        return counts

    def fail(self, job: SourceJob, failure: ImportFailure, message: str) -> None:
        """Mark the source failed with ``message`` (plain words) and release it; raises :class:`LeaseLost`."""
        now = utcnow()
        self.update(
            job.source_id,
            job.lease_token,
            state=SourceState.FAILED,
            error_code=failure.code.value,
            error_message=message,
            next_attempt_at=None,
            finished_at=now,
            updated_at=now,
            **RELEASED,
        )
        job.state = SourceState.FAILED

    def reschedule(
        self, job: SourceJob, failure: ImportFailure, *, delay_s: float, consume_attempt: bool
    ) -> dt.datetime:
        """Store the next attempt ``delay_s`` seconds from now and release the source; returns that time.

        The state and cursor stay; the transient reason is kept for display.
        The time is the database's clock (the one :meth:`claim_due` compares
        it with). Raises :class:`LeaseLost`.
        """
        attempt_count = job.attempt_count + 1 if consume_attempt else job.attempt_count
        next_attempt_at = self.reschedule_row(
            job.source_id, job.lease_token, failure, delay_s=delay_s, attempt_count=attempt_count
        )
        job.attempt_count = attempt_count
        return next_attempt_at

    def release(self, job: SourceJob) -> None:
        """Give the lease back without changing anything else (worker shutdown); no error when it is gone."""
        with self.db.write() as session:
            self.release_in(session, job.source_id, job.lease_token)

    def next_due_at(self) -> dt.datetime | None:
        """When the next scheduled retry of a source falls due (None: nothing scheduled)."""
        with self.db.read() as session:
            return session.exec(
                select(func.min(ImportSource.next_attempt_at)).where(
                    SOURCE_WORK_SQL, col(ImportSource.next_attempt_at).is_not(None), self.in_scope()
                )
            ).one()

    def has_work(self) -> bool:
        """True while some source in scope has a page left to list (due now, later, or held)."""
        with self.db.read() as session:
            query = select(ImportSource.id).where(
                SOURCE_WORK_SQL,
                sa.or_(col(ImportSource.state) != SourceState.OFFERED, col(ImportSource.sized).is_(False)),
                self.in_scope(),
            )
            return session.exec(query.limit(1)).first() is not None


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def listed_by(session: Session, source_id: int, video_ids: Collection[str]) -> set[str]:
    """Those of ``video_ids`` the source ``source_id`` has listed into its list before (``source_video``)."""
    if not video_ids:
        return set()
    return set(
        session.exec(
            select(SourceVideo.youtube_id).where(
                SourceVideo.source_id == source_id, col(SourceVideo.youtube_id).in_(list(video_ids))
            )
        ).all()
    )


def _remember_listed(session: Session, source_id: int, video_ids: Sequence[str]) -> None:
    """Note ``video_ids`` as listed by the source (once each), so that it never adds them again."""
    known = listed_by(session, source_id, video_ids)
    rows = [{"source_id": source_id, "youtube_id": video_id} for video_id in video_ids if video_id not in known]
    if rows:
        session.connection().execute(insert(table_of(SourceVideo)), rows)


def create_entry_videos(
    session: Session,
    source_id: int,
    list_id: int,
    batch_id: int | None,
    entries: Sequence[SourceEntry],
    *,
    placed_at: dt.datetime,
    now: dt.datetime,
) -> PageCounts:
    """Create the available ``entries`` not yet in the list as videos of ``batch_id`` (stage ``created``).

    The rows are :func:`~robust_import_app.pipeline.queue.transitions.new_video_row`'s;
    their ``created_at`` counts down from ``placed_at`` by a microsecond per
    entry, so the list shows them in source order at that moment. Private and
    deleted entries, and entries already in the list (or twice in
    ``entries``), are counted, not created. Every available entry, created
    or already there, is noted as listed by the source ``source_id``
    (:func:`listed_by`).
    """
    private = sum(1 for entry in entries if entry.state is EntryState.PRIVATE)
    deleted = sum(1 for entry in entries if entry.state is EntryState.DELETED)
    available = [entry.video_id for entry in entries if entry.state is EntryState.AVAILABLE]
    existing = set(
        session.exec(
            select(Video.youtube_id).where(Video.list_id == list_id, col(Video.youtube_id).in_(available or [""]))
        ).all()
    )
    new_ids = [video_id for video_id in dict.fromkeys(available) if video_id not in existing]
    _remember_listed(session, source_id, list(dict.fromkeys(available)))
    titles = {entry.video_id: entry.title for entry in entries}
    if new_ids:
        session.connection().execute(
            insert(table_of(Video)),
            [
                new_video_row(
                    list_id,
                    batch_id,
                    video_id,
                    title=titles.get(video_id, ""),
                    created_at=placed_at - dt.timedelta(microseconds=index),
                    updated_at=now,
                )
                # Later rows are claimed first (the queue takes the highest id), as in a paste.
                for index, video_id in reversed(list(enumerate(new_ids)))
            ],
        )
    return PageCounts(
        created=tuple(new_ids), private=private, deleted=deleted, duplicates=len(available) - len(new_ids)
    )


def _create_videos(session: Session, row: ImportSource, plan: PagePlan, *, now: dt.datetime) -> PageCounts:
    """The page's videos, placed after those of the entries the source listed before this page."""
    before = plan.found - len(plan.entries)
    placed_at = _aware(row.created_at) - dt.timedelta(microseconds=before)
    assert row.id is not None  # read from the table: its primary key is set
    return create_entry_videos(session, row.id, row.list_id, row.batch_id, plan.entries, placed_at=placed_at, now=now)
