"""The playlists and channels of the user's lists, as the UI sees them: source cards, choices, following.

A pasted playlist or channel is a source row (:func:`robust_import_app.library.import_paste`
writes it); the worker expands it into videos page by page
(:mod:`robust_import_app.pipeline.sources.expand`) and checks a followed one for new
uploads (:mod:`robust_import_app.pipeline.sources.follow`). Here: what a source card
shows (:class:`SourceView`), and the user's actions on it. Each action is one
short write; the ones that give the worker something to do (a choice, an
accepted offer, following) want the worker woken afterwards
(``runtime.wake_worker()``), as after a paste.

Every function raises :class:`~robust_import_app.library.LibraryError`, with a
message fit for the user, for a source that no longer exists (its list was
deleted) or an action its state does not allow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select

from robust_import_app.db import Database
from robust_import_app.domain.sources import Lister, SourceKind, SourceState
from robust_import_app.library import LibraryError
from robust_import_app.models import ImportBatch, utcnow
from robust_import_app.models.tables import ImportSource
from robust_import_app.pipeline.progress.text import entries_text
from robust_import_app.pipeline.queue.sources import source_ref
from robust_import_app.pipeline.sources.plan import cancel_sources

RECENT_S = 3600.0
"""A finished source's card stays in its list this long, in seconds (then only its videos do)."""
LIMIT_CHOICES = (50, 200)
"""The "latest N" a large source offers, besides "all"."""


@dataclass(frozen=True, slots=True)
class SourceView:
    """One source card: a pasted playlist or channel of a list, or an offered playlist.

    Counts as in :class:`~robust_import_app.models.tables.ImportSource`:
    ``found`` entries listed so far (while ``sized`` is False and no limit
    was chosen, entries counted to learn the size, none imported yet),
    ``total`` the count the source reports (None: unknown), ``private``,
    ``deleted`` and ``duplicates`` not imported, ``limit`` the chosen cap
    (None: all). ``error_message`` is the plain reason of a failed source;
    ``retrying`` is True while a transient failure waits for its retry.
    Following: ``last_checked_at`` (UTC) and ``check_error`` of the last
    check, ``added_by_follow`` the videos checks added.
    """

    id: int
    list_id: int
    kind: SourceKind
    key: str
    url: str
    title: str
    state: SourceState
    lister: Lister | None
    found: int
    total: int | None
    private: int
    deleted: int
    duplicates: int
    limit: int | None
    error_message: str | None
    following: bool
    follow_paused: bool
    last_checked_at: dt.datetime | None
    added_by_follow: int
    sized: bool = True
    retrying: bool = False
    check_error: str | None = None

    @property
    def name(self) -> str:
        """``playlist “Best of Woodworking”``, or the key while the title is not known (``channel @name``)."""
        return f"{self.kind.value} “{self.title}”" if self.title else f"{self.kind.value} {self.key}"

    @property
    def size(self) -> int | None:
        """The number of videos the choice and the offer name: the reported total, else the count found."""
        return self.total if self.total is not None else (self.found or None)

    @property
    def choices(self) -> tuple[int, ...]:
        """The "latest N" to offer while awaiting a choice: those of :data:`LIMIT_CHOICES` below the size."""
        size = self.size
        return tuple(n for n in LIMIT_CHOICES if size is None or n < size)

    @property
    def message(self) -> str:
        """The card's line in plain words, e.g. ``"Expanding playlist “X” · 150 of 412 found"``,
        ``"Waiting for your choice: 1,204 videos"``, ``"412 found, 3 private, 1 deleted"``,
        ``"Playlist not found"``."""
        state = self.state
        if state is SourceState.QUEUED:
            text = f"Waiting to expand {self.name}"
        elif state is SourceState.EXPANDING and not self.sized:
            text = f"Counting the videos of {self.name} · {self.found:,} so far"
        elif state is SourceState.EXPANDING:
            of = f" of {self.total:,}" if self.total is not None else ""
            text = f"Expanding {self.name} · {self.found:,}{of} found"
        elif state is SourceState.AWAITING_CHOICE:
            text = f"Waiting for your choice: {self._size_words()}"
        elif state is SourceState.OFFERED:
            videos = f" ({self._size_words()})" if self.sized and self.size is not None else ""
            return f"Also import the whole {self.name}{videos}"
        elif state is SourceState.FAILED:
            return self.error_message or f"{self.kind.value.capitalize()} could not be listed"
        elif state is SourceState.CANCELLED:
            return f"Cancelled · {self._entries()}" if self.sized and self.found else "Cancelled"
        else:
            latest = ""
            if self.limit is not None and self.total is not None and self.total > self.found:
                latest = f"Latest {self.found:,} of {self.total:,}: "
            return latest + self._entries()
        return f"{text} · waiting to retry" if self.retrying else text

    @property
    def follow_message(self) -> str:
        """The sidebar's line for a followed source: ``"Paused"``, ``"Not checked yet"``,
        ``"Last check failed: …"`` or ``"3 added"`` (the time of the check is :attr:`last_checked_at`)."""
        if self.follow_paused:
            return "Paused"
        if self.last_checked_at is None:
            return "Not checked yet"
        if self.check_error:
            return f"Last check failed: {self.check_error}"
        return f"{self.added_by_follow:,} added"

    def _entries(self) -> str:
        return entries_text(self.found, private=self.private, deleted=self.deleted, duplicates=self.duplicates)

    def _size_words(self) -> str:
        size = self.size or 0
        more = "more than " if self.total is None and self.state is SourceState.AWAITING_CHOICE else ""
        return f"{more}{size:,} video{'s' if size != 1 else ''}"


def source_view(row: ImportSource) -> SourceView:
    """The :class:`SourceView` of a source row."""
    retrying = not row.state.is_finished and row.error_code is not None and row.next_attempt_at is not None
    return SourceView(
        id=row.id,
        list_id=row.list_id,
        kind=row.kind,
        key=row.key,
        url=source_ref(row).url,
        title=row.title,
        state=row.state,
        lister=row.lister,
        found=row.found,
        total=row.total,
        private=row.private,
        deleted=row.deleted,
        duplicates=row.duplicates,
        limit=row.entry_limit,
        error_message=row.error_message,
        following=row.following,
        follow_paused=row.follow_paused,
        last_checked_at=_aware(row.last_checked_at),
        added_by_follow=row.added_by_follow,
        sized=row.sized or row.limit_chosen,
        retrying=retrying,
        check_error=row.last_check_error,
    )


def list_sources(db: Database, list_id: int, *, now: dt.datetime | None = None) -> list[SourceView]:
    """The source cards of a list, oldest first: unfinished sources and offers, and those finished
    in the last :data:`RECENT_S` seconds, except the ones the user dismissed."""
    since = (now or utcnow()) - dt.timedelta(seconds=RECENT_S)
    with db.read() as session:
        rows = session.exec(
            select(ImportSource)
            .where(
                ImportSource.list_id == list_id,
                col(ImportSource.dismissed_at).is_(None),
                sa.or_(
                    col(ImportSource.state).not_in([SourceState.DONE, SourceState.FAILED, SourceState.CANCELLED]),
                    col(ImportSource.finished_at) >= since,
                ),
            )
            .order_by(col(ImportSource.id))
        ).all()
    return [source_view(row) for row in rows]


def followed_sources(db: Database) -> list[SourceView]:
    """Every followed source of every list (the sidebar), by list, oldest first."""
    with db.read() as session:
        rows = session.exec(
            select(ImportSource)
            .where(col(ImportSource.following).is_(True))
            .order_by(col(ImportSource.list_id), col(ImportSource.id))
        ).all()
    return [source_view(row) for row in rows]


def get_source(db: Database, source_id: int) -> SourceView:
    """One source's card; raises :class:`LibraryError` when it no longer exists."""
    with db.read() as session:
        return source_view(_row(session, source_id))


def choose_source_limit(db: Database, source_id: int, limit: int | None) -> None:
    """Answer a large source's question: import its first ``limit`` entries (None: all of them).

    "Latest" is the source's own order: a channel tab and an uploads
    playlist list the newest first. Listing starts over from the first page
    (nothing of the source was created before the choice), or, when
    entries were already taken, goes on from where it stopped; a limit at
    or below what was taken finishes it. Raises :class:`LibraryError` for a
    ``limit`` below 1 and a source that is not waiting for a choice.
    """
    if limit is not None and limit < 1:
        raise LibraryError("Choose at least 1 video.")
    now = utcnow()
    with db.write() as session:
        row = _row(session, source_id, lock=True)
        if row.state is not SourceState.AWAITING_CHOICE:
            raise LibraryError("This playlist or channel is not waiting for a choice any more.")
        row.entry_limit = limit
        row.limit_chosen = True
        row.state = SourceState.QUEUED
        row.cursor = None
        row.found = row.private = row.deleted = row.duplicates = 0
        row.attempt_count = 0
        row.next_attempt_at = None
        row.updated_at = now
        session.add(row)


def accept_offer(db: Database, source_id: int) -> int:
    """Import the whole playlist a watch link offered: the offer becomes a queued source in a new batch.

    Returns the batch's id (its summary is announced when the playlist's
    videos are done). Raises :class:`LibraryError` when it is no offer (any more).

    The click wins over a worker sizing the offer at that moment: the lease
    is cleared, so that worker's page write raises
    :class:`~robust_import_app.pipeline.queue.lease.LeaseLost` and writes
    nothing, and the queued source is listed afresh at the next claim.
    """
    now = utcnow()
    with db.write() as session:
        row = _row(session, source_id, lock=True)
        if row.state is not SourceState.OFFERED:
            raise LibraryError("This playlist is no longer offered.")
        batch = ImportBatch(list_id=row.list_id, total=0)
        session.add(batch)
        session.flush()
        row.batch_id = batch.id
        row.state = SourceState.QUEUED
        row.limit_chosen = True
        row.cursor = None
        row.found = 0
        row.claimed_by = row.claimed_until = row.lease_token = None
        row.updated_at = now
        session.add(row)
        return batch.id


def dismiss_source(db: Database, source_id: int) -> None:
    """Put a source card away: an offer is declined, an unfinished source cancelled (its videos so far stay).

    A followed source stays followed (:func:`unfollow_source` ends that).
    Raises :class:`LibraryError` for a source that no longer exists.
    """
    now = utcnow()
    with db.write() as session:
        _row(session, source_id, lock=True)
        cancel_sources(session, col(ImportSource.id) == source_id)
        session.exec(
            sa.update(ImportSource).where(col(ImportSource.id) == source_id).values(dismissed_at=now, updated_at=now)
        )


def follow_source(db: Database, source_id: int) -> None:
    """Follow a source: its new uploads are added to its list on a schedule (``IMPORT_FOLLOW_INTERVAL_MIN``).

    The first check is due at once (it waits for the source's expansion to
    finish); the schedule is stored in the database, so a restart keeps it.
    Raises :class:`LibraryError` for an offer (import it first) and a mix,
    which has no uploads to follow.
    """
    now = utcnow()
    with db.write() as session:
        row = _row(session, source_id, lock=True)
        if row.state is SourceState.OFFERED:
            raise LibraryError("Import the playlist before following it.")
        if source_ref(row).is_mix:
            raise LibraryError("A mix is made for each viewer and has no uploads to follow.")
        if not row.following or row.follow_paused:
            row.following, row.follow_paused = True, False
            row.next_check_at = now
            row.updated_at = now
            session.add(row)


def set_follow_paused(db: Database, source_id: int, paused: bool) -> None:
    """Pause (no checks) or resume (a check due at once) a followed source.

    Raises :class:`LibraryError` for a source that is not followed.
    """
    now = utcnow()
    with db.write() as session:
        row = _row(session, source_id, lock=True)
        if not row.following:
            raise LibraryError("This playlist or channel is not followed.")
        if row.follow_paused != paused:
            row.follow_paused = paused
            row.next_check_at = None if paused else now
            row.updated_at = now
            session.add(row)


def unfollow_source(db: Database, source_id: int) -> None:
    """Stop following a source; the videos it added stay. Harmless for one not followed."""
    now = utcnow()
    with db.write() as session:
        row = _row(session, source_id, lock=True)
        row.following = row.follow_paused = False
        row.next_check_at = None
        row.updated_at = now
        session.add(row)


def _row(session, source_id: int, *, lock: bool = False) -> ImportSource:
    row = session.get(ImportSource, source_id, with_for_update=True if lock else None)
    if row is None:
        raise LibraryError("This playlist or channel is no longer in your library.")
    return row


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; they are UTC."""
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=dt.UTC)
