"""The search migration indexes a library that existed before it: rows written at the previous
revision are found after ``upgrade head``, on SQLite and PostgreSQL; and it downgrades cleanly."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config

from alembic import command
from robust_import_app.db import ALEMBIC_INI, Database
from robust_import_app.search.engine import MARK_START, search

BEFORE_SEARCH = "b3c1f0a2d4e5"
_names = itertools.count(1)


def _alembic(url: str, verb: str, revision: str) -> None:
    config = Config(str(ALEMBIC_INI))
    config.attributes["db_url"] = url
    getattr(command, verb)(config, revision)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}?timeout=30"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"premigration_{next(_names)}"
    yield server.create_database(name)
    server.close_connections(name)
    server.drop_database(name)


def _seed_old_library(url: str) -> None:
    engine = Database(url).engine
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO video_list (id, name, created_at) VALUES (1, 'Inbox', CURRENT_TIMESTAMP)")
        )
        connection.execute(
            sa.text(
                "INSERT INTO video (id, list_id, youtube_id, title, channel, description, thumbnail_url, import_stage, "
                "import_progress, attempt_count, created_at, updated_at) VALUES "
                "(7, 1, 'old00000001', 'Sourdough basics', 'Bread Lab', 'Starter and levain.', '', 'complete', 100, 0, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO transcript_segment (video_id, start_s, duration_s, text, source) VALUES "
                "(7, :start_s, 3.0, :text, 'manual')"
            ),
            [{"start_s": float(s), "text": f"cue {s}"} for s in range(0, 300, 5)]
            + [{"start_s": 137.5, "text": "fold the dough gently"}],
        )
    engine.dispose()


def test_upgrade_indexes_videos_and_transcripts_written_before_it(empty_db_url):
    _alembic(empty_db_url, "upgrade", BEFORE_SEARCH)
    _seed_old_library(empty_db_url)
    _alembic(empty_db_url, "upgrade", "head")
    db = Database(empty_db_url)
    try:
        assert [h.video.id for h in search(db, "sourdough").hits] == [7]
        assert [h.video.id for h in search(db, "channel:bread levain").hits] == [7]
        match = search(db, '"fold the dough"').hits[0].transcript
        assert match.start_s == 135  # the window opened by the cue at 135 s holds the 137.5 s cue
        assert MARK_START in match.snippet
        with db.read() as session:
            windows = session.execute(sa.text("SELECT count(*) FROM transcript_window WHERE video_id = 7")).scalar()
        assert windows == 7  # 300 s of cues in windows of 45 s
    finally:
        db.dispose()
    _alembic(empty_db_url, "downgrade", BEFORE_SEARCH)
    _alembic(empty_db_url, "upgrade", "head")
