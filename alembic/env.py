"""Alembic environment: the app's SQLModel tables, the database from REFLEX_DB_URL."""

from sqlmodel import SQLModel

import robust_import_app.models  # noqa: F401  (registers the tables)
from alembic import context
from robust_import_app.db import Database
from robust_import_app.settings import Settings

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=Settings.from_env().db_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    database = None
    if connectable is None:
        database = Database(config.attributes.get("db_url") or Settings.from_env().db_url)
        connectable = database.engine
    try:
        with connectable.connect() as connection:
            context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        if database is not None:
            database.dispose()  # no pooled connection outlives the migration


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
