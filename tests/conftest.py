"""Fixtures shared by every test folder: a real, migrated SQLite database, a real HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from robust_import_app.db import Database, migrate

CORPUS_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite database file, migrated to the newest revision."""
    url = f"sqlite:///{tmp_path / 'library.db'}?timeout=30"
    migrate(url)
    return url


@pytest.fixture
def db(db_url: str):
    """The :class:`Database` over :func:`db_url`."""
    database = Database(db_url)
    yield database
    database.dispose()


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
