"""A list exported as CSV, JSON and URLs, read back with ``csv`` and ``json``, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import sqlalchemy as sa

from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.video import CaptionSource
from robust_import_app.export import CSV_COLUMNS, csv_chunks, json_chunks, url_chunks
from tests.export.seed import add_chapters, add_list, add_many_videos, add_video

TRICKY_TITLE = 'Tom, "Jerry" & 🎉\nsecond line'


@pytest.fixture
def library(db):
    """A list of three videos (complete with chapters, failed, just created) and a second list of one."""
    list_id = add_list(db, "Talks")
    complete = add_video(
        db,
        list_id,
        "dQw4w9WgXcQ",
        title=TRICKY_TITLE,
        channel="Rick Astley",
        duration_s=213,
        published=dt.date(2009, 10, 25),
        description="The official video.\n0:00 Intro",
        language="en",
        caption_source=CaptionSource.MANUAL,
        caption_language="en",
        note="Whisper skipped: over the batch's minutes",
    )
    add_chapters(db, complete, [(0, 60, "Intro"), (60, 3700, "Chorus"), (3700, 3800, "Outro")])
    failed = add_video(
        db,
        list_id,
        "privAAAAAAA",
        import_stage=ImportStage.ERROR,
        failed_stage=ImportStage.METADATA,
        error_code="private",
        error_message="This video is private.",
    )
    created = add_video(db, list_id, "newBBBBBBBB", import_stage=ImportStage.CREATED, import_progress=0)
    other = add_list(db, "Other")
    add_video(db, other, "otherCCCCCC")
    return {"list_id": list_id, "complete": complete, "failed": failed, "created": created}


def test_csv_carries_every_field_and_parses_back(db, library):
    rows = list(csv.DictReader(io.StringIO("".join(csv_chunks(db, library["list_id"])), newline="")))

    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [row["id"] for row in rows] == [str(library[k]) for k in ("created", "failed", "complete")]
    complete, failed, created = rows[2], rows[1], rows[0]
    assert complete == {
        "id": str(library["complete"]),
        "youtube_id": "dQw4w9WgXcQ",
        "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "title": TRICKY_TITLE,
        "channel": "Rick Astley",
        "duration_s": "213",
        "published": "2009-10-25",
        "description": "The official video.\n0:00 Intro",
        "language": "en",
        "caption_source": "manual",
        "caption_language": "en",
        "chapters": "0:00 Intro\n1:00 Chorus\n1:01:40 Outro",
        "import_stage": "complete",
        "failed_stage": "",
        "error_code": "",
        "error_message": "",
        "note": "Whisper skipped: over the batch's minutes",
        "added_at": complete["added_at"],
    }
    assert dt.datetime.fromisoformat(complete["added_at"]).utcoffset() == dt.timedelta(0)
    assert (failed["import_stage"], failed["failed_stage"], failed["error_code"], failed["error_message"]) == (
        "error",
        "metadata",
        "private",
        "This video is private.",
    )
    assert (created["import_stage"], created["duration_s"], created["published"], created["chapters"]) == (
        "created",
        "",
        "",
        "",
    )


def test_json_carries_every_field_and_parses_back(db, library):
    videos = json.loads("".join(json_chunks(db, library["list_id"])))

    assert [video["youtube_id"] for video in videos] == ["newBBBBBBBB", "privAAAAAAA", "dQw4w9WgXcQ"]
    assert all(list(video) == list(CSV_COLUMNS) for video in videos)
    complete = videos[2]
    assert complete["title"] == TRICKY_TITLE
    assert complete["duration_s"] == 213
    assert complete["published"] == "2009-10-25"
    assert complete["caption_source"] == "manual"
    assert complete["chapters"] == [
        {"start_s": 0.0, "end_s": 60.0, "title": "Intro"},
        {"start_s": 60.0, "end_s": 3700.0, "title": "Chorus"},
        {"start_s": 3700.0, "end_s": 3800.0, "title": "Outro"},
    ]
    assert complete["failed_stage"] is None and complete["error_code"] is None
    assert dt.datetime.fromisoformat(complete["added_at"]).utcoffset() == dt.timedelta(0)
    failed = videos[1]
    assert (failed["import_stage"], failed["failed_stage"], failed["error_code"], failed["error_message"]) == (
        "error",
        "metadata",
        "private",
        "This video is private.",
    )
    assert videos[0]["duration_s"] is None and videos[0]["published"] is None and videos[0]["chapters"] == []


def test_csv_neutralises_text_a_spreadsheet_would_run_as_a_formula(db):
    list_id = add_list(db, "Hostile")
    add_video(
        db,
        list_id,
        "formulaAAAA",
        title='=HYPERLINK("https://evil.example","click")',
        channel="@handle",
        description="+1 great video",
        note="-2 minutes",
        duration_s=42,
    )

    row = next(csv.DictReader(io.StringIO("".join(csv_chunks(db, list_id)), newline="")))
    json_row = json.loads("".join(json_chunks(db, list_id)))[0]

    assert row["title"] == '\'=HYPERLINK("https://evil.example","click")'
    assert (row["channel"], row["description"], row["note"]) == ("'@handle", "'+1 great video", "'-2 minutes")
    assert row["duration_s"] == "42" and row["youtube_id"] == "formulaAAAA"
    assert json_row["title"] == '=HYPERLINK("https://evil.example","click")'


@pytest.mark.parametrize("chunk_rows", [1, 1000])
def test_urls_one_per_line_newest_first(db, library, chunk_rows):
    assert "".join(url_chunks(db, library["list_id"], chunk_rows=chunk_rows)) == (
        "https://www.youtube.com/watch?v=newBBBBBBBB\n"
        "https://www.youtube.com/watch?v=privAAAAAAA\n"
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ\n"
    )


def test_an_empty_list_exports_a_header_an_empty_array_and_no_urls(db):
    list_id = add_list(db, "Empty")

    assert "".join(csv_chunks(db, list_id)) == ",".join(CSV_COLUMNS) + "\r\n"
    assert json.loads("".join(json_chunks(db, list_id))) == []
    assert "".join(url_chunks(db, list_id)) == ""


@pytest.mark.parametrize("export", [csv_chunks, json_chunks, url_chunks], ids=["csv", "json", "urls"])
def test_chunk_boundaries_keep_every_video_once_in_order(db, export):
    list_id = add_list(db, "Many")
    add_many_videos(db, list_id, 7)

    text = "".join(export(db, list_id, chunk_rows=3))

    expected = [f"v{n:010d}" for n in reversed(range(7))]
    if export is csv_chunks:
        found = [row["youtube_id"] for row in csv.DictReader(io.StringIO(text, newline=""))]
    elif export is json_chunks:
        found = [video["youtube_id"] for video in json.loads(text)]
    else:
        found = [line.rsplit("=", 1)[1] for line in text.splitlines()]
    assert found == expected


def test_exports_stream_one_chunk_per_read(db):
    """The first rows come out after one read of 1,000 videos, not after reading all 2,500."""
    list_id = add_list(db, "Big")
    add_many_videos(db, list_id, 2500)
    video_selects: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM video " in statement + " ":
            video_selects.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        chunks = csv_chunks(db, list_id, chunk_rows=1000)
        header, first = next(chunks), next(chunks)
        assert header == ",".join(CSV_COLUMNS) + "\r\n"
        assert first.count("https://www.youtube.com/watch?v=") == 1000
        assert len(video_selects) == 1
        rest = list(chunks)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert [chunk.count("watch?v=") for chunk in rest] == [1000, 500]
    assert len(video_selects) == 3
