"""The lease base both queues share, on a video row and on a source row (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys

import pytest
from sqlmodel import SQLModel, col, select

from robust_import_app import library
from robust_import_app.db import Database
from robust_import_app.domain.errors import ErrorCode, TransientImportError
from robust_import_app.models import ImportSource, Video, utcnow
from robust_import_app.pipeline.queue.lease import (
    Holder,
    LeasedQueue,
    LeaseLost,
    holder_is_dead,
    kernel_id,
    lease_clock,
    process_start,
    worker_identity,
)
from robust_import_app.pipeline.queue.sources import SourceQueue
from robust_import_app.pipeline.queue.videos import ImportQueue

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


def _holder(pid: int, *, host: str | None = None, kernel: str | None = None, start: int | None = None) -> str:
    """A holder name of a process ``pid`` (by default: of this host and kernel, started when ``pid`` did)."""
    started = process_start(pid) if start is None else start
    return Holder(
        host or socket.gethostname(), pid, kernel or kernel_id(), -1 if started is None else started, "n"
    ).name


def test_release_orphans_frees_only_the_rows_of_dead_holders_of_this_host(db, model):
    dead, alive, elsewhere = _ids(db, model)[:3]
    host = socket.gethostname()
    dead_holder = _holder(999_999_999, start=1)
    alive_holder = _holder(os.getpid())
    far_holder = _holder(999_999_999, host=f"{host}-other", kernel="0123456789abcdef", start=1)
    _claim(LeasedQueue(db, model, worker_id=dead_holder), dead)
    _claim(LeasedQueue(db, model, worker_id=alive_holder), alive)
    _claim(LeasedQueue(db, model, worker_id=far_holder), elsewhere)
    assert LeasedQueue(db, model).release_orphans() == 1
    assert _row(db, model, dead).claimed_by is None
    assert _row(db, model, alive).claimed_by == alive_holder
    assert _row(db, model, elsewhere).claimed_by == far_holder


def test_containers_sharing_a_hostname_never_release_each_others_live_leases(db, model):
    """``--network host``: another container has this hostname, and its worker's pid is some process here."""
    other_container, reused_pid, gone = _ids(db, model)[:3]
    other_pid = os.getppid()  # runs here, but the other container's worker is another process with that pid
    holders = {
        other_container: _holder(other_pid, kernel="0123456789abcdef", start=1),
        reused_pid: _holder(other_pid, start=(process_start(other_pid) or 0) + 1),
        gone: _holder(999_999_999, start=1),
    }
    for row_id, holder in holders.items():
        _claim(LeasedQueue(db, model, worker_id=holder), row_id)
    assert LeasedQueue(db, model).release_orphans() == 2
    assert _row(db, model, other_container).claimed_by == holders[other_container], "a live lease elsewhere is kept"
    assert _row(db, model, reused_pid).claimed_by is None, "the pid now runs a process started at another time"
    assert _row(db, model, gone).claimed_by is None


def test_a_holder_name_says_which_process_holds_the_lease():
    holder = Holder.parse(worker_identity())
    assert holder is not None
    assert (holder.host, holder.pid, holder.kernel, holder.start) == (
        socket.gethostname()[:64],
        os.getpid(),
        kernel_id(),
        process_start(os.getpid()),
    )
    assert len(Holder("h" * 255, 4_194_304, kernel_id(), 10**12, "abcdef01").name) <= 128
    old_form = f"{socket.gethostname()}:999999999:abcd"
    assert Holder.parse(old_form) is None
    assert not holder_is_dead(old_form), "a name of another form proves nothing"


# The database's clock -------------------------------------------------------


def _skew_process_clock(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Every module of the app that reads the process's clock now reads it ``seconds`` off."""

    def skewed() -> dt.datetime:
        return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)

    for name, module in list(sys.modules.items()):
        if name.startswith("robust_import_app") and getattr(module, "utcnow", None) is utcnow:
            monkeypatch.setattr(module, "utcnow", skewed)


def _claim_every_due(queue: ImportQueue | SourceQueue) -> set[int]:
    if isinstance(queue, ImportQueue):
        return {job.video_id for job in queue.claim_due(100)}
    claimed: set[int] = set()
    while (job := queue.claim_due()) is not None:
        claimed.add(job.source_id)
    return claimed


def _queue(db: Database, model: type[SQLModel]) -> ImportQueue | SourceQueue:
    return ImportQueue(db, lease_s=30) if model is Video else SourceQueue(db, lease_s=30)


def _until_by_the_database(db: Database, model: type[SQLModel], row_id: int) -> float:
    """Seconds from now, by the database's clock, until the row's lease runs out."""
    with db.read() as session:
        now = lease_clock(session)
    return (_aware(_row(db, model, row_id).claimed_until) - now).total_seconds()


@pytest.mark.parametrize("skew_s", [60, -60], ids=["ahead", "behind"])
def test_a_worker_whose_clock_is_off_neither_steals_nor_loses_a_healthy_lease(db, model, monkeypatch, skew_s):
    """Ahead: a skewed worker takes a healthy lease for expired. Behind: its own lease looks expired to others."""
    healthy = _queue(db, model)
    first = _claim_every_due(healthy)
    assert first
    _skew_process_clock(monkeypatch, skew_s)
    skewed = _queue(db, model)
    assert not _claim_every_due(skewed), "a healthy lease is not taken for expired"
    assert healthy.release_held() == len(first)
    mine = _claim_every_due(skewed)
    assert mine == first
    for row_id in mine:
        assert _until_by_the_database(db, model, row_id) == pytest.approx(30, abs=5)
    monkeypatch.undo()
    assert not _claim_every_due(_queue(db, model)), "the skewed worker's leases are not taken for expired"


def test_a_lease_needs_a_positive_duration(db, model):
    with pytest.raises(ValueError, match="lease_s must be > 0"):
        LeasedQueue(db, model, lease_s=0)


@pytest.mark.parametrize("skew_s", [60, -60], ids=["ahead", "behind"])
def test_a_retry_falls_due_after_its_delay_by_the_databases_clock(db, model, monkeypatch, skew_s):
    """The backoff's next attempt is compared with the database's clock: it is written by that clock too."""
    _skew_process_clock(monkeypatch, skew_s)
    queue = _queue(db, model)
    failure = TransientImportError(ErrorCode.TIMEOUT, video_id="lease000000")
    if isinstance(queue, ImportQueue):
        job = queue.claim_due(1)[0]
        row_id, next_attempt_at = job.video_id, queue.reschedule(job, failure, delay_s=5)
    else:
        source = queue.claim_due()
        assert source is not None
        row_id, next_attempt_at = source.source_id, queue.reschedule(source, failure, delay_s=5, consume_attempt=True)
    with db.read() as session:
        now = lease_clock(session)
    assert (_aware(_row(db, model, row_id).next_attempt_at) - now).total_seconds() == pytest.approx(5, abs=2)
    assert _aware(next_attempt_at) == _aware(_row(db, model, row_id).next_attempt_at)
