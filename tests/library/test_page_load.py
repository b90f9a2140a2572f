"""What every page load does before it shows a list: find the Inbox without waiting on writers."""

from __future__ import annotations

import sqlite3

from robust_import_app import library
from robust_import_app.db import Database
from tests.conftest import migrated_sqlite_url


def test_the_inbox_is_found_while_another_connection_holds_the_write_lock(tmp_path):
    url = migrated_sqlite_url(tmp_path)
    db = Database(url.replace("timeout=30", "timeout=0.5"))
    inbox = library.ensure_default_list(db)
    writer = sqlite3.connect(tmp_path / "library.db", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # as the worker's stage commit or a big paste does
        assert library.ensure_default_list(db) == inbox
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        db.dispose()


def test_the_first_start_creates_the_inbox_once(db):
    first = library.ensure_default_list(db)
    assert library.ensure_default_list(db) == first
    assert [summary.name for summary in library.list_summaries(db)] == [library.DEFAULT_LIST_NAME]
