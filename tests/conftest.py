"""Fixtures shared by every test folder: a real, migrated SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest

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
