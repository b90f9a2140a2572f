"""Fixtures shared by every test folder: a real, migrated database (SQLite, or PostgreSQL where asked),
a real HTTP server, throwaway PostgreSQL and Redis servers (see tests/servers.py)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from robust_import_app.compose import get_database
from robust_import_app.db import Database, migrate
from robust_import_app.settings import get_settings
from tests.servers import PostgresServer, RedisServer, ServerUnavailable

CORPUS_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus"
# Every PostgreSQL test database is a copy of this one, migrated once per session.
POSTGRES_TEMPLATE_DB = "migrated_template"
_postgres_db_numbers = itertools.count(1)


def running_in_ci() -> bool:
    """True when ``CI`` is set to anything but ``""``, ``0`` or ``false`` (CI sets ``CI=true``)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def skip_or_fail_unavailable(error: ServerUnavailable) -> None:
    """Skip the test on a developer's machine; fail it under CI, which must never skip silently."""
    if running_in_ci():
        pytest.fail(f"{error} (CI=true: failing rather than skipping)", pytrace=False)
    pytest.skip(str(error))


def migrated_sqlite_url(directory: Path) -> str:
    """A fresh SQLite database file in ``directory``, migrated to the newest revision; its URL."""
    url = f"sqlite:///{directory / 'library.db'}?timeout=30"
    migrate(url)
    return url


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Each test reads the environment it set: the process's cached settings and database are dropped after it."""
    yield
    get_settings.cache_clear()
    get_database.cache_clear()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite database file, migrated to the newest revision.

    tests/pipeline/ overrides it to run each test on SQLite and on PostgreSQL.
    """
    return migrated_sqlite_url(tmp_path)


@pytest.fixture
def db(db_url: str):
    """The :class:`Database` over :func:`db_url`."""
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sqlite_or_postgres_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database at the newest revision: a SQLite file (``[sqlite]``), or a PostgreSQL database of its
    own (``[postgres]``, marked ``postgres``). A folder whose tests run on both makes it its ``db_url``."""
    if request.param == "sqlite":
        return migrated_sqlite_url(tmp_path)
    return request.getfixturevalue("postgres_db_url")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server for the session (skipped when not installed, failed under CI)."""
    server = PostgresServer()
    try:
        server.start()
    except ServerUnavailable as error:
        skip_or_fail_unavailable(error)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _postgres_template(postgres_server: PostgresServer) -> str:
    """The name of a database migrated to the newest revision, with no open connections."""
    migrate(postgres_server.create_database(POSTGRES_TEMPLATE_DB))
    # The migration's engine keeps its pooled connection; a template must have none.
    postgres_server.close_connections(POSTGRES_TEMPLATE_DB)
    return POSTGRES_TEMPLATE_DB


@pytest.fixture
def postgres_db_url(postgres_server: PostgresServer, _postgres_template: str) -> Iterator[str]:
    """A fresh PostgreSQL database (``test_<n>``) at the newest revision, dropped after the test."""
    name = f"test_{next(_postgres_db_numbers)}"
    yield postgres_server.create_database(name, template=_postgres_template)
    postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A throwaway Redis server for the session (skipped when not installed, failed under CI)."""
    server = RedisServer()
    try:
        server.start()
    except ServerUnavailable as error:
        skip_or_fail_unavailable(error)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _running_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def api_server(_running_server: HTTPServer) -> Iterator[HTTPServer]:
    """A real HTTP server on 127.0.0.1 (one thread per request), cleared per test.

    A handler that raises fails the test.
    """
    _running_server.clear()
    yield _running_server
    try:
        _running_server.check_handler_errors()
    finally:
        _running_server.clear()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a throwaway server ``postgres`` / ``redis`` (``-m "not postgres"`` leaves them out)."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "postgres_server" in fixtures:
            item.add_marker(pytest.mark.postgres)
        if "redis_server" in fixtures:
            item.add_marker(pytest.mark.redis)
