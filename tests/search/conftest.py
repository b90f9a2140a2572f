"""The search suite runs on both databases: each test that uses ``db_url`` (or ``db``) runs once on
SQLite (``[sqlite]``) and once on PostgreSQL (``[postgres]``, marked ``postgres``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import migrated_sqlite_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database at the newest revision: a SQLite file, or a PostgreSQL database of its own."""
    if request.param == "sqlite":
        return migrated_sqlite_url(tmp_path)
    return request.getfixturevalue("postgres_db_url")
