"""The first phase of an import, list management and retries, on a real SQLite database."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import col, func, select

from robust_import_app import library
from robust_import_app.db import Database
from robust_import_app.domain.stages import ImportStage
from robust_import_app.models import ImportBatch, Video
from robust_import_app.youtube import LinkProblem

PASTE = """Here is what I want to watch:
https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s
https://youtu.be/jNQXAC9IVRw?si=abc, https://www.youtube.com/shorts/aqz-KE-bpKQ
https://vimeo.com/123456
https://www.youtube.com/playlist?list=PLoopXDarluPBnuxs4PTC55Sc_2ShAXC0i
https://youtu.be/dQw4w9WgXcQ
"""


def test_paste_creates_every_new_video_at_once_in_created_state(db):
    list_id = library.ensure_default_list(db)
    outcome = library.import_paste(db, list_id, PASTE)
    assert outcome.created == ("dQw4w9WgXcQ", "jNQXAC9IVRw", "aqz-KE-bpKQ")
    assert outcome.repeated == ("dQw4w9WgXcQ",)
    assert {(r.text, r.problem) for r in outcome.rejected} == {
        ("Here is what I want to watch:", LinkProblem.NOT_YOUTUBE),
        ("https://vimeo.com/123456", LinkProblem.NOT_YOUTUBE),
    }
    assert len(outcome.sources) == 1  # the playlist: expanded by the worker (tests/pipeline/test_expand.py)
    with db.read() as session:
        rows = session.exec(select(Video)).all()
        batch = session.get(ImportBatch, outcome.batch_id)
    assert len(rows) == 3 and batch.total == 3
    for row in rows:
        assert row.import_stage is ImportStage.CREATED and row.import_progress == 0
        assert row.thumbnail_url == f"https://i.ytimg.com/vi/{row.youtube_id}/mqdefault.jpg"
        assert row.batch_id == outcome.batch_id


def test_first_link_of_the_paste_is_on_top_and_new_pastes_go_above(db):
    list_id = library.ensure_default_list(db)
    library.import_paste(db, list_id, "aaaaaaaaaaa bbbbbbbbbbb")
    library.import_paste(db, list_id, "ccccccccccc")
    page = library.page_of_videos(db, list_id, offset=0, limit=10)
    assert [row.youtube_id for row in page] == ["ccccccccccc", "aaaaaaaaaaa", "bbbbbbbbbbb"]


def test_duplicates_are_reported_not_created_again(db):
    list_id = library.ensure_default_list(db)
    library.import_paste(db, list_id, "dQw4w9WgXcQ")
    outcome = library.import_paste(db, list_id, "https://youtu.be/dQw4w9WgXcQ https://youtu.be/jNQXAC9IVRw")
    assert outcome.duplicates == ("dQw4w9WgXcQ",)
    assert outcome.created == ("jNQXAC9IVRw",)
    assert library.count_videos(db, list_id) == 2
    again = library.import_paste(db, list_id, "dQw4w9WgXcQ")
    assert again.batch_id is None and again.created == ()


def test_the_same_video_may_live_in_two_lists(db):
    inbox = library.ensure_default_list(db)
    other = library.create_list(db, "Later")
    library.import_paste(db, inbox, "dQw4w9WgXcQ")
    assert library.import_paste(db, other, "dQw4w9WgXcQ").created == ("dQw4w9WgXcQ",)


def test_five_hundred_links_are_created_in_one_batch(db):
    list_id = library.ensure_default_list(db)
    ids = [f"v{i:010d}" for i in range(500)]
    outcome = library.import_paste(db, list_id, "\n".join(f"https://youtu.be/{v}" for v in ids))
    assert len(outcome.created) == 500
    with db.read() as session:
        assert session.exec(select(func.count()).select_from(ImportBatch)).one() == 1
    counts = library.batch_counts(db, list_id)
    assert (counts.total, counts.imported, counts.failed, counts.running) == (500, 0, 0, True)


@pytest.mark.parametrize(
    ("name", "message"),
    [("   ", "needs a name"), ("x" * 101, "at most 100"), ("inbox", "already exists")],
)
def test_list_names_are_checked(db, name, message):
    library.ensure_default_list(db)
    with pytest.raises(library.LibraryError, match=message):
        library.create_list(db, name)


def test_unknown_list_is_refused(db):
    with pytest.raises(library.LibraryError, match="no longer exists"):
        library.import_paste(db, 4242, "dQw4w9WgXcQ")


def test_inbox_exists_once(db):
    first = library.ensure_default_list(db)
    assert library.ensure_default_list(db) == first
    assert [s.name for s in library.list_summaries(db)] == ["Inbox"]


def _paste_at_once(database: Database, list_id: int, text: str) -> list[library.PasteOutcome]:
    """Two threads paste ``text`` into the list, released together by a barrier; their outcomes."""
    barrier = threading.Barrier(2)
    outcomes: list[library.PasteOutcome] = []
    errors: list[BaseException] = []

    def paste() -> None:
        try:
            barrier.wait()
            outcomes.append(library.import_paste(database, list_id, text))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=paste) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return outcomes


def test_two_pastes_of_the_same_ids_at_once_report_the_second_as_duplicates(sqlite_or_postgres_db_url):
    """On PostgreSQL both transactions read the ids as new; the second one's insert meets the unique key."""
    database = Database(sqlite_or_postgres_db_url)
    try:
        list_id = library.ensure_default_list(database)
        for round_number in range(5):
            ids = tuple(f"race{round_number}{n:06d}" for n in range(20))
            outcomes = _paste_at_once(database, list_id, " ".join(ids))
            first, second = sorted(outcomes, key=lambda outcome: len(outcome.duplicates))
            assert (first.created, first.duplicates) == (ids, ())
            assert (second.created, second.duplicates, second.batch_id) == ((), ids, None)
            with database.read() as session:
                stored = session.exec(
                    select(Video.youtube_id, func.count())
                    .where(col(Video.youtube_id).in_(ids))
                    .group_by(Video.youtube_id)
                ).all()
            assert dict(stored) == dict.fromkeys(ids, 1)
    finally:
        database.dispose()
