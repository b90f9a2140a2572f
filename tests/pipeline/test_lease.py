"""The lease base both queues share, on a video row and on a source row (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import os
import socket

import pytest
from sqlmodel import SQLModel, col, select

from robust_import_app import library
from robust_import_app.db import Database
from robust_import_app.models import ImportSource, Video, utcnow
from robust_import_app.pipeline.queue.lease import LeasedQueue, LeaseLost

PASTE = "\n".join(
    [
        *(f"lease{n:06d}" for n in range(3)),
        *(f"https://www.youtube.com/playlist?list=PLleasesimulated{n}" for n in range(3)),
    ]
)


@pytest.fixture
def db(sqlite_or_postgres_db_url: str):
    database = Database(sqlite_or_postgres_db_url)
    library.import_paste(database, library.ensure_default_list(database), PASTE)
    yield database
    database.dispose()


@pytest.fixture(params=[Video, ImportSource], ids=["video", "source"])
def model(request: pytest.FixtureRequest) -> type[SQLModel]:
    return request.param


def _ids(db: Database, model: type[SQLModel]) -> list[int]:
    with db.read() as session:
        return list(session.exec(select(model.id).order_by(col(model.id))).all())


def _row(db: Database, model: type[SQLModel], row_id: int):
    with db.read() as session:
        return session.get(model, row_id)


def _claim(queue: LeasedQueue, row_id: int, now: dt.datetime | None = None) -> str:
    with queue.db.write() as session:
        token = queue.claim(session, row_id, now or utcnow())
    assert token is not None
    return token


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def test_only_the_holder_writes_through_its_lease(db, model):
    row_id = _ids(db, model)[0]
    holder, other = LeasedQueue(db, model), LeasedQueue(db, model)
    token = _claim(holder, row_id)
    with holder.db.write() as session:
        assert other.claim(session, row_id, utcnow()) is None, "a live lease is not claimed twice"
    with pytest.raises(LeaseLost) as lost:
        other.update(row_id, token, title="written by another holder")
    assert (lost.value.table, lost.value.row_id) == (holder.table.name, row_id)
    with pytest.raises(LeaseLost):
        holder.update(row_id, "not-the-token", title="written with a stale token")
    holder.update(row_id, token, title="written by the holder")
    row = _row(db, model, row_id)
    assert (row.title, row.claimed_by, row.lease_token) == ("written by the holder", holder.worker_id, token)


def test_renewal_extends_the_lease(db, model):
    row_id = _ids(db, model)[0]
    queue = LeasedQueue(db, model, lease_s=60)
    claimed_at = utcnow() - dt.timedelta(seconds=50)
    token = _claim(queue, row_id, claimed_at)
    before = _aware(_row(db, model, row_id).claimed_until)
    now = utcnow()
    with db.write() as session:
        assert queue.renew_in(session, row_id, token, now)
    after = _aware(_row(db, model, row_id).claimed_until)
    assert before == pytest.approx(claimed_at + dt.timedelta(seconds=60), abs=dt.timedelta(milliseconds=1))
    assert after == pytest.approx(now + dt.timedelta(seconds=60), abs=dt.timedelta(milliseconds=1))
    with db.write() as session:
        assert not LeasedQueue(db, model).renew_in(session, row_id, token, now), "another holder renews nothing"


def test_release_clears_the_lease(db, model):
    row_id = _ids(db, model)[0]
    queue = LeasedQueue(db, model)
    token = _claim(queue, row_id)
    with db.write() as session:
        assert queue.release_in(session, row_id, token)
    row = _row(db, model, row_id)
    assert (row.claimed_by, row.claimed_until, row.lease_token) == (None, None, None)
    with db.write() as session:
        assert not queue.release_in(session, row_id, token), "a released lease is not released twice"
    with pytest.raises(LeaseLost):
        queue.update(row_id, token, title="after the release")
    _claim(LeasedQueue(db, model), row_id)


def test_release_held_gives_back_only_this_holders_leases(db, model):
    mine, theirs = _ids(db, model)[:2]
    queue, other = LeasedQueue(db, model), LeasedQueue(db, model)
    _claim(queue, mine)
    _claim(other, theirs)
    assert queue.release_held() == 1
    assert _row(db, model, mine).claimed_by is None
    assert _row(db, model, theirs).claimed_by == other.worker_id


def test_release_orphans_frees_only_the_rows_of_dead_holders_of_this_host(db, model):
    dead, alive, elsewhere = _ids(db, model)[:3]
    host = socket.gethostname()
    _claim(LeasedQueue(db, model, worker_id=f"{host}:999999999:dead"), dead)
    _claim(LeasedQueue(db, model, worker_id=f"{host}:{os.getpid()}:alive"), alive)
    _claim(LeasedQueue(db, model, worker_id=f"{host}-other:999999999:far"), elsewhere)
    assert LeasedQueue(db, model).release_orphans() == 1
    assert _row(db, model, dead).claimed_by is None
    assert _row(db, model, alive).claimed_by == f"{host}:{os.getpid()}:alive"
    assert _row(db, model, elsewhere).claimed_by == f"{host}-other:999999999:far"


def test_a_lease_needs_a_positive_duration(db, model):
    with pytest.raises(ValueError, match="lease_s must be > 0"):
        LeasedQueue(db, model, lease_s=0)
