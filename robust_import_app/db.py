"""The database: one engine per process, read and write sessions.

SQLite is the embedded default. It is opened with ``?timeout=30`` (a writer
waits up to 30 s for the lock instead of failing), in WAL journal mode (readers
never block the writer, nor the writer readers), and write transactions start
with ``BEGIN IMMEDIATE``: a transaction that first reads and then writes would
otherwise fail at once with "database is locked" when another writer
committed in between, whatever the timeout. PostgreSQL needs none of this.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from sqlmodel import Session, create_engine

from alembic import command as alembic_command

_BEGIN_OPTION = "sqlite_begin"


def _configure_sqlite(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the driver, emit BEGIN (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """An engine plus the two kinds of session the app uses.

    ``url`` is a SQLAlchemy URL, e.g. ``sqlite:///robust_import.db?timeout=30``
    or ``postgresql+psycopg://user@host/db``.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        connect_args = {"check_same_thread": False} if self.is_sqlite else {}
        # A server that dropped a pooled connection (restart, failover, idle
        # timeout) costs one ping, not a failed transaction.
        self.engine = create_engine(url, connect_args=connect_args, pool_pre_ping=not self.is_sqlite)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self._write_engine = self.engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; nothing it changes is committed."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error.

        On SQLite it holds the write lock from its first statement.
        """
        with Session(self._write_engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest alembic revision."""
    config = AlembicConfig(str(ALEMBIC_INI))
    config.attributes["db_url"] = url
    alembic_command.upgrade(config, "head")
