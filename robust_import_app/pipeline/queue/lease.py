"""Leases on the rows of a queue table: who holds a row, until when, and the fenced writes.

A leased table (``video``, ``import_source``) has the columns ``claimed_by``
(the holder, :func:`worker_identity`), ``claimed_until`` (when the lease
runs out) and ``lease_token`` (fresh at each claim). :class:`LeasedQueue` is
the base both queues share: it claims a free row, renews and releases its
leases, and makes every write about a held row a *fenced* one, which names
holder and token and raises :class:`LeaseLost` when it changed no row.

Where lease times come from is one function, :func:`lease_clock`; where
holder names come from is one, :func:`worker_identity`.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
from collections.abc import Mapping
from typing import Final

import psutil
import sqlalchemy as sa
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.dml import Update
from sqlmodel import Session, SQLModel, select

from robust_import_app.db import Database
from robust_import_app.models import utcnow
from robust_import_app.pipeline.config import DEFAULT_LEASE_S

RELEASED: Final[Mapping[str, None]] = {"claimed_by": None, "claimed_until": None, "lease_token": None}
"""The lease columns of a row no worker holds: ``**RELEASED`` in an ``UPDATE``'s values."""


def worker_identity() -> str:
    """``host:pid:nonce``, stored in ``claimed_by``: unique per queue, so two
    workers in one process never take each other's leases for their own."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def lease_clock() -> dt.datetime:
    """Now, as lease times are measured (claims, renewals, expiry): timezone-aware UTC."""
    return utcnow()


def _holder_process(holder: str) -> tuple[str, int | None]:
    """The host and pid a ``claimed_by`` value names (pid None when unreadable)."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    return host, int(pid) if pid.isdigit() else None


def holder_is_dead(holder: str) -> bool:
    """True when ``holder`` (a ``claimed_by`` value) names a process of this host that no longer runs."""
    host, pid = _holder_process(holder)
    return host == socket.gethostname() and pid is not None and not psutil.pid_exists(pid)


class LeaseLost(Exception):
    """This worker no longer holds the row: its lease expired and another
    worker claimed it, the user cancelled it, or the row is gone. Stop
    working on it, write nothing.

    ``table`` names the leased table (``"video"``, ``"import_source"``),
    ``row_id`` the row.
    """

    def __init__(self, table: str, row_id: int) -> None:
        super().__init__(f"lease on {table} row {row_id} lost")
        self.table = table
        self.row_id = row_id


def table_of(model: type[SQLModel]) -> sa.Table:
    """The table an SQLModel table class maps."""
    table = sa.inspect(model).local_table
    assert isinstance(table, sa.Table)
    return table


class LeasedQueue:
    """A worker's leases on one table (see the module docstring).

    ``model`` is the leased table's class; ``worker_id`` names the lease
    holder (:func:`worker_identity` by default); ``lease_s`` is how long, in
    seconds, a claim stays valid without a renewal (> 0, else
    ``ValueError``). ``batch_id`` scopes the queue to the rows of one batch
    (the command line's own paste); None: every row.
    """

    def __init__(
        self,
        db: Database,
        model: type[SQLModel],
        *,
        worker_id: str | None = None,
        lease_s: float = DEFAULT_LEASE_S,
        batch_id: int | None = None,
    ) -> None:
        if lease_s <= 0:
            raise ValueError(f"lease_s must be > 0, got {lease_s}")
        self.db = db
        self.worker_id = worker_id or worker_identity()
        self.lease_s = lease_s
        self.batch_id = batch_id
        self.table = table_of(model)

    def lease_until(self, now: dt.datetime) -> dt.datetime:
        """When a lease taken or renewed at ``now`` runs out: ``lease_s`` seconds later."""
        return now + dt.timedelta(seconds=self.lease_s)

    def in_scope(self) -> ColumnElement[bool]:
        """The rows this queue works on: those of its batch, or every row."""
        if self.batch_id is None:
            return sa.true()
        return self.table.c.batch_id == self.batch_id

    def free(self, now: dt.datetime) -> ColumnElement[bool]:
        """Rows no live lease holds at ``now`` (never claimed, released, or expired)."""
        until = self.table.c.claimed_until
        return sa.or_(until.is_(None), until < now)

    def held(self, row_id: int, token: str) -> ColumnElement[bool]:
        """The row ``row_id``, only while this worker holds it with ``token``."""
        c = self.table.c
        return sa.and_(c.id == row_id, c.claimed_by == self.worker_id, c.lease_token == token)

    def fenced(self, row_id: int, token: str) -> Update:
        """``UPDATE`` of the row ``row_id``, only while this worker holds it with ``token``."""
        return sa.update(self.table).where(self.held(row_id, token))

    def claim(self, session: Session, row_id: int, now: dt.datetime, **values: object) -> str | None:
        """Lease the row ``row_id`` if it is free at ``now``, writing ``values`` with the lease.

        Sets ``claimed_by``, ``claimed_until`` and a fresh ``lease_token``, and
        clears ``next_attempt_at``. Returns the token, or None when another
        worker holds the row.
        """
        token = secrets.token_hex(16)
        claimed = session.exec(
            sa.update(self.table)
            .where(self.table.c.id == row_id, self.free(now))
            .values(
                claimed_by=self.worker_id,
                claimed_until=self.lease_until(now),
                lease_token=token,
                next_attempt_at=None,
                **values,
            ),
        ).rowcount
        return token if claimed == 1 else None

    def fence(self, session: Session, row_id: int, token: str, **values: object) -> None:
        """Write ``values`` to the held row; raises :class:`LeaseLost` when it is no longer held."""
        if session.exec(self.fenced(row_id, token).values(**values)).rowcount != 1:
            raise LeaseLost(self.table.name, row_id)

    def update(self, row_id: int, token: str, **values: object) -> None:
        """:meth:`fence` in a transaction of its own."""
        with self.db.write() as session:
            self.fence(session, row_id, token, **values)

    def renew_in(self, session: Session, row_id: int, token: str, now: dt.datetime) -> bool:
        """Extend the lease to ``lease_s`` seconds from ``now``; False when it is no longer held."""
        return session.exec(self.fenced(row_id, token).values(claimed_until=self.lease_until(now))).rowcount == 1

    def release_in(self, session: Session, row_id: int, token: str) -> bool:
        """Give the lease back, changing nothing else; False (no error) when it was no longer held."""
        return session.exec(self.fenced(row_id, token).values(**RELEASED)).rowcount == 1

    def release_held(self) -> int:
        """Give back every lease this worker holds on the table (a stopped worker); returns how many."""
        with self.db.write() as session:
            released = sa.update(self.table).where(self.table.c.claimed_by == self.worker_id).values(**RELEASED)
            return session.exec(released).rowcount

    def orphan_candidates(self) -> ColumnElement[bool]:
        """The rows whose holders :meth:`release_orphans` looks at (every row; a queue may narrow it)."""
        return sa.true()

    def release_orphans(self) -> int:
        """Release the leases held by dead processes of this host (:func:`holder_is_dead`); returns how many."""
        claimed_by = self.table.c.claimed_by
        with self.db.write() as session:
            holders = session.exec(
                select(claimed_by).where(claimed_by.is_not(None), self.orphan_candidates()).distinct()
            ).all()
            dead = [holder for holder in holders if holder_is_dead(holder)]
            if not dead:
                return 0
            return session.exec(sa.update(self.table).where(claimed_by.in_(dead)).values(**RELEASED)).rowcount
