"""The search suite runs on both databases: each test that uses ``db_url`` (or ``db``) runs once on
SQLite (``[sqlite]``) and once on PostgreSQL (``[postgres]``, marked ``postgres``)."""

from __future__ import annotations

import pytest


@pytest.fixture
def db_url(sqlite_or_postgres_db_url: str) -> str:
    return sqlite_or_postgres_db_url
