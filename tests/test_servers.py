"""The throwaway servers of tests/servers.py: reachable, migrated, gone after stop, robust to a taken port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest
import redis
import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory

from robust_import_app.db import ALEMBIC_INI, Database
from tests import servers
from tests.conftest import skip_or_fail_unavailable
from tests.servers import (
    LOOPBACK,
    PostgresServer,
    RedisServer,
    ServerUnavailable,
    find_postgres_bindir,
    one_try_client,
)

MIGRATED_TABLES = {"video_list", "import_batch", "video", "chapter", "transcript_segment"}


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 held by a listening socket for the test's duration."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        sock.listen()
        yield sock.getsockname()[1]


def _first_pick_busy(monkeypatch: pytest.MonkeyPatch, busy_port: int) -> list[int]:
    """Make ``free_port`` hand out ``busy_port`` first, then real free ports; returns the picks."""
    picks: list[int] = []
    real_free_port = servers.free_port

    def pick() -> int:
        port = busy_port if not picks else real_free_port()
        picks.append(port)
        return port

    monkeypatch.setattr(servers, "free_port", pick)
    return picks


def _started(server):
    try:
        return server.start()
    except ServerUnavailable as error:
        skip_or_fail_unavailable(error)


@pytest.mark.postgres
def test_postgres_database_is_reachable_and_at_the_newest_revision(postgres_db_url: str) -> None:
    heads = set(ScriptDirectory.from_config(AlembicConfig(str(ALEMBIC_INI))).get_heads())
    database = Database(postgres_db_url)
    try:
        with database.engine.connect() as connection:
            revisions = set(connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())
            tables = set(sa.inspect(connection).get_table_names())
            server_version = connection.execute(sa.text("SHOW server_version")).scalar_one()
    finally:
        database.dispose()
    assert revisions == heads
    assert MIGRATED_TABLES <= tables
    assert server_version.split(".")[0].isdigit()


@pytest.mark.postgres
def test_postgres_listens_only_on_loopback_and_its_own_socket(postgres_server: PostgresServer) -> None:
    with psycopg.connect(
        host=str(postgres_server.socket_dir),
        port=postgres_server.port,
        user="postgres",
        dbname=postgres_server.database,
    ) as connection:
        listen = connection.execute("SHOW listen_addresses").fetchone()[0]
        fsync = connection.execute("SHOW fsync").fetchone()[0]
    assert (listen, fsync) == (LOOPBACK, "off")


@pytest.mark.postgres
def test_postgres_binaries_are_found_off_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Debian puts initdb/pg_ctl in /usr/lib/postgresql/<major>/bin, which is not on PATH."""
    found_with_path = find_postgres_bindir()
    if found_with_path is None:
        skip_or_fail_unavailable(ServerUnavailable("PostgreSQL is not installed"))
    monkeypatch.setenv("PATH", str(tmp_path))
    found = find_postgres_bindir()
    assert found is not None and (found / "initdb").is_file()


@pytest.mark.postgres
def test_postgres_start_retries_on_a_taken_port_and_stop_removes_everything(
    monkeypatch: pytest.MonkeyPatch, busy_port: int
) -> None:
    picks = _first_pick_busy(monkeypatch, busy_port)
    server = _started(PostgresServer())
    try:
        port, directory = server.port, server.directory
        with psycopg.connect(host=LOOPBACK, port=port, user="postgres", dbname=server.database) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
    finally:
        server.stop()
    assert picks[0] == busy_port and port == picks[-1] != busy_port
    assert not directory.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host=LOOPBACK, port=port, user="postgres", dbname="postgres", connect_timeout=5)


@pytest.mark.redis
def test_redis_fixture_answers_ping(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url)
    try:
        assert client.ping()
        assert redis_server.url == f"redis://{LOOPBACK}:{redis_server.port}/0"
    finally:
        client.close()


@pytest.mark.redis
def test_redis_start_retries_on_a_taken_port_and_is_gone_after_stop(
    monkeypatch: pytest.MonkeyPatch, busy_port: int
) -> None:
    picks = _first_pick_busy(monkeypatch, busy_port)
    server = _started(RedisServer())
    port, directory = server.port, server.directory
    client = one_try_client(port, timeout_s=5.0)
    try:
        assert client.ping()
        assert client.config_get("save") == {"save": ""}
        server.stop()
        with pytest.raises(redis.exceptions.ConnectionError):
            client.ping()
    finally:
        server.stop()
        client.close()
    assert picks[0] == busy_port and port == picks[-1] != busy_port
    assert not directory.exists()


def test_a_missing_server_skips_locally_and_fails_under_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ServerUnavailable) as unavailable:
        RedisServer().start()
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        skip_or_fail_unavailable(unavailable.value)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        skip_or_fail_unavailable(unavailable.value)


_START_BOTH_AND_WAIT = """
import sys, time
from tests.servers import PostgresServer, RedisServer
postgres, redis_server = PostgresServer().start(), RedisServer().start()
print(postgres._process.pid, redis_server.pid, postgres.directory, redis_server.directory, flush=True)
time.sleep(600)
"""


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.postgres
@pytest.mark.redis
def test_servers_end_with_a_killed_test_run() -> None:
    """A test run killed with SIGKILL runs no teardown: its servers must not outlive it."""
    if find_postgres_bindir() is None or shutil.which("redis-server") is None:
        skip_or_fail_unavailable(ServerUnavailable("PostgreSQL or redis-server is not installed"))
    run = subprocess.Popen(
        [sys.executable, "-c", _START_BOTH_AND_WAIT], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[1]
    )
    try:
        postgres_pid, redis_pid, *directories = run.stdout.readline().split()
        pids = [int(postgres_pid), int(redis_pid)]
        assert all(psutil.pid_exists(pid) for pid in pids)
    finally:
        run.kill()
        run.wait()
    deadline = time.monotonic() + 30.0
    while not all(_gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    for directory in directories:  # a killed run cannot remove them
        shutil.rmtree(directory, ignore_errors=True)
    assert [pid for pid in pids if not _gone(pid)] == []
