"""Leases on the rows of a queue table: who holds a row, until when, and the fenced writes.

A leased table (``video``, ``import_source``) has the columns ``claimed_by``
(the holder, :func:`worker_identity`), ``claimed_until`` (when the lease
runs out) and ``lease_token`` (fresh at each claim). :class:`LeasedQueue` is
the base both queues share: it claims a free row, renews and releases its
leases, and makes every write about a held row a *fenced* one, which names
holder and token and raises :class:`LeaseLost` when it changed no row.

Where lease times come from is one function, :func:`lease_clock`: the
database's clock, read in the transaction that compares or writes them, so
workers whose own clocks disagree still agree on when a lease runs out (one
query per claim or renewal, not per row).

Where holder names come from is one, :func:`worker_identity`:
``host:pid:kernel:start:nonce`` (:class:`Holder`). ``kernel`` names the
running kernel and PID namespace (a digest of the boot id and the namespace's
inode), ``start`` the process's start time in clock ticks since boot. The
hostname proves nothing: containers with ``--network host`` or
``hostNetwork`` share it, each with its own PIDs. :meth:`LeasedQueue.release_orphans`
therefore releases a lease before it expires only when its holder is
*provably* dead (:func:`holder_is_dead`): it ran under this very kernel boot
and PID namespace, and its pid is gone or is now a process that started at
another time. Any other holder (another machine or container, a name of
another form, no ``/proc``) keeps its lease until it expires: a late
release only delays a video by at most one lease, a wrong one would run it twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import sqlalchemy as sa
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.dml import Update
from sqlmodel import Session, SQLModel, select

from robust_import_app.db import Database
from robust_import_app.domain.errors import ImportFailure
from robust_import_app.models import utcnow
from robust_import_app.pipeline.config import DEFAULT_LEASE_S

RELEASED: Final[Mapping[str, None]] = {"claimed_by": None, "claimed_until": None, "lease_token": None}
"""The lease columns of a row no worker holds: ``**RELEASED`` in an ``UPDATE``'s values."""


PROC = Path("/proc")
"""Where the kernel shows its boot id and its processes (Linux); elsewhere no holder is provably dead."""


@dataclass(frozen=True, slots=True)
class Holder:
    """A lease holder, as ``claimed_by`` names it: ``host:pid:kernel:start:nonce``.

    ``kernel`` is :func:`kernel_id` of the holder's kernel boot and PID
    namespace ("-" when unknown); ``start`` the process's start time in clock
    ticks since boot (-1 when unknown); ``nonce`` tells apart two queues of
    one process.
    """

    host: str
    pid: int
    kernel: str
    start: int
    nonce: str

    @property
    def name(self) -> str:
        """The ``claimed_by`` value (at most 128 characters: the hostname is cut to 64)."""
        return f"{self.host[:64]}:{self.pid}:{self.kernel}:{self.start}:{self.nonce}"

    @classmethod
    def parse(cls, name: str) -> Holder | None:
        """The holder ``name`` names; None for a name of another form."""
        parts = name.rsplit(":", 4)
        if len(parts) != 5 or not parts[1].isdigit() or not parts[3].lstrip("-").isdigit():
            return None
        host, pid, kernel, start, nonce = parts
        return cls(host, int(pid), kernel, int(start), nonce)


def kernel_id(proc: Path = PROC) -> str:
    """A digest (16 hex digits) of this kernel's boot id and this process's PID namespace; "-" without ``/proc``.

    Two processes with the same ``kernel_id`` see the same pids: a pid
    lookup then says whether the other process still runs.
    """
    try:
        boot = (proc / "sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink(proc / "self/ns/pid")
    except OSError:
        return "-"
    return hashlib.sha256(f"{boot} {namespace}".encode()).hexdigest()[:16]


def process_start(pid: int, proc: Path = PROC) -> int | None:
    """When process ``pid`` started, in clock ticks since boot; None when it does not run (or no ``/proc``)."""
    try:
        stat = (proc / str(pid) / "stat").read_text()
    except OSError:
        return None
    # Field 22 of stat(5); the command name before it, in parentheses, may hold spaces.
    return int(stat.rpartition(")")[2].split()[19])


def worker_identity() -> str:
    """A new :class:`Holder` name for this process, stored in ``claimed_by``: unique per queue,
    so two workers in one process never take each other's leases for their own."""
    pid = os.getpid()
    start = process_start(pid)
    return Holder(socket.gethostname(), pid, kernel_id(), -1 if start is None else start, secrets.token_hex(4)).name


def lease_clock(session: Session) -> dt.datetime:
    """Now by the database's clock, as lease times are measured (claims, renewals, expiry): timezone-aware UTC.

    ``clock_timestamp()`` on PostgreSQL, ``strftime('%Y-%m-%d %H:%M:%f', 'now')``
    (milliseconds) on SQLite; read in ``session``'s transaction.
    """
    if session.get_bind().dialect.name == "sqlite":
        text = session.execute(sa.select(sa.func.strftime("%Y-%m-%d %H:%M:%f", "now"))).scalar_one()
        return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
    moment = session.execute(sa.select(sa.func.clock_timestamp())).scalar_one()
    assert isinstance(moment, dt.datetime)
    return moment.astimezone(dt.UTC)


def holder_is_dead(holder: str) -> bool:
    """True when ``holder`` (a ``claimed_by`` value) provably no longer runs (see the module docstring).

    It must name this kernel boot and PID namespace, and its pid must be gone
    or belong to a process started at another time. False for any other holder.
    """
    parsed = Holder.parse(holder)
    if parsed is None or parsed.kernel == "-" or parsed.start < 0 or parsed.kernel != kernel_id():
        return False
    return process_start(parsed.pid) != parsed.start


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

    def reschedule_row(
        self, row_id: int, token: str, failure: ImportFailure, *, delay_s: float, attempt_count: int
    ) -> dt.datetime:
        """Release the held row with its next attempt ``delay_s`` seconds from now; returns that time.

        The time is the database's clock (:func:`lease_clock`, the one a
        claim compares it with). ``attempt_count`` is stored; the transient
        failure's code is kept for display, its message cleared. Raises
        :class:`LeaseLost` when the row is no longer held.
        """
        with self.db.write() as session:
            next_attempt_at = lease_clock(session) + dt.timedelta(seconds=delay_s)
            self.fence(
                session,
                row_id,
                token,
                attempt_count=attempt_count,
                next_attempt_at=next_attempt_at,
                error_code=failure.code.value,
                error_message=None,
                updated_at=utcnow(),
                **RELEASED,
            )
        return next_attempt_at

    def release_held(self) -> int:
        """Give back every lease this worker holds on the table (a stopped worker); returns how many."""
        with self.db.write() as session:
            released = sa.update(self.table).where(self.table.c.claimed_by == self.worker_id).values(**RELEASED)
            return session.exec(released).rowcount

    def orphan_candidates(self) -> ColumnElement[bool]:
        """The rows whose holders :meth:`release_orphans` looks at (every row; a queue may narrow it)."""
        return sa.true()

    def release_orphans(self) -> int:
        """Release the leases whose holders are provably dead (:func:`holder_is_dead`); returns how many.

        Leases of holders that may still run elsewhere (another container on
        the same host, another machine) are left to expire.
        """
        claimed_by = self.table.c.claimed_by
        with self.db.write() as session:
            holders = session.exec(
                select(claimed_by).where(claimed_by.is_not(None), self.orphan_candidates()).distinct()
            ).all()
            dead = [holder for holder in holders if holder_is_dead(holder)]
            if not dead:
                return 0
            return session.exec(sa.update(self.table).where(claimed_by.in_(dead)).values(**RELEASED)).rowcount
