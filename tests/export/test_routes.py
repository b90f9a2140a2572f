"""The /export downloads, served by the real app (``reflex run --env prod --backend-only``) on 127.0.0.1."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
import srt
import webvtt
from werkzeug.http import parse_options_header

from robust_import_app.db import Database
from robust_import_app.export import CSV_COLUMNS
from tests.e2e.server import running_app
from tests.export.seed import add_chapters, add_list, add_many_videos, add_segments, add_video

LIST_NAME = 'Talks "2026" / Café'
VIDEO_TITLE = "Keynote: what's next?"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The running app with a seeded library (finished videos only, so its import worker leaves them be)."""
    with running_app(tmp_path_factory.mktemp("export-routes"), backend_only=True) as app:
        db = Database(app.db_url)
        list_id = add_list(db, LIST_NAME)
        add_many_videos(db, list_id, 2500)
        video = add_video(db, list_id, "dQw4w9WgXcQ", title=VIDEO_TITLE, duration_s=4000)
        add_chapters(db, video, [(0, 60, "Intro"), (60, 3700, "Talk"), (3700, 4000, "Q&A")])
        add_segments(db, video, [(0, 1.5, "Hello & welcome"), (3723.5, 2, "Questions?")])
        bare = add_video(db, list_id, "bareDDDDDDD")
        db.dispose()
        with httpx.Client(base_url=app.backend_url, timeout=30) as client:
            yield {"client": client, "list_id": list_id, "video": video, "bare": bare}


def _filename(response: httpx.Response) -> str:
    disposition, params = parse_options_header(response.headers["content-disposition"])
    assert disposition == "attachment"
    return params["filename"]


def test_list_csv_streams_every_video(served):
    with served["client"].stream("GET", f"/export/lists/{served['list_id']}.csv") as response:
        chunks = list(response.iter_raw())

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["transfer-encoding"] == "chunked"
    assert len(chunks) > 1
    assert _filename(response) == "Talks _2026_ _ Café.csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(chunks).decode("utf-8"), newline="")))
    assert len(rows) == 2502 and list(rows[0]) == list(CSV_COLUMNS)
    assert rows[1]["chapters"] == "0:00 Intro\n1:00 Talk\n1:01:40 Q&A"


def test_list_json_and_urls(served):
    client, list_id = served["client"], served["list_id"]

    as_json = client.get(f"/export/lists/{list_id}.json")
    as_urls = client.get(f"/export/lists/{list_id}.txt")

    assert as_json.headers["content-type"] == "application/json"
    assert _filename(as_json) == "Talks _2026_ _ Café.json"
    videos = as_json.json()
    assert len(videos) == 2502 and videos[1]["title"] == VIDEO_TITLE
    assert as_urls.headers["content-type"] == "text/plain; charset=utf-8"
    urls = as_urls.text.splitlines()
    assert urls[:2] == ["https://www.youtube.com/watch?v=bareDDDDDDD", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"]
    assert len(urls) == 2502


def test_transcripts_and_chapters(served):
    client, video = served["client"], served["video"]

    as_srt = client.get(f"/export/videos/{video}/transcript.srt")
    as_vtt = client.get(f"/export/videos/{video}/transcript.vtt")
    as_text = client.get(f"/export/videos/{video}/transcript.txt")
    chapters = client.get(f"/export/videos/{video}/chapters.txt")

    assert as_srt.headers["content-type"] == "application/x-subrip; charset=utf-8"
    assert _filename(as_srt) == "Keynote_ what's next_.srt"
    assert [cue.content for cue in srt.parse(as_srt.text)] == ["Hello & welcome", "Questions?"]
    assert as_vtt.headers["content-type"] == "text/vtt; charset=utf-8"
    assert [c.start for c in webvtt.from_string(as_vtt.text).captions] == ["00:00:00.000", "01:02:03.500"]
    assert as_text.text == "Hello & welcome\nQuestions?\n"
    assert chapters.text == "0:00 Intro\n1:00 Talk\n1:01:40 Q&A\n"
    assert _filename(chapters) == "Keynote_ what's next_ chapters.txt"


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/export/lists/999999.csv", "No list 999999."),
        ("/export/lists/{list_id}.xml", "No export format “.xml”; use .csv, .json or .txt."),
        ("/export/videos/999999/transcript.srt", "No video 999999."),
        ("/export/videos/{video}/transcript.doc", "No transcript format “.doc”; use .srt, .vtt or .txt."),
        ("/export/videos/{bare}/transcript.vtt", "This video has no transcript."),
        ("/export/videos/{bare}/chapters.txt", "This video has no chapters."),
    ],
)
def test_unknown_things_are_404_json(served, path, detail):
    response = served["client"].get(path.format(list_id=served["list_id"], video=served["video"], bare=served["bare"]))

    assert response.status_code == 404
    assert response.json() == {"detail": detail}


def test_reflex_routes_still_answer(served):
    assert served["client"].get("/ping").json() == "pong"


@pytest.mark.parametrize(
    "path",
    [
        "/export/lists/{raw}.csv",
        "/export/videos/{raw}/transcript.srt",
        "/export/videos/{raw}/chapters.txt",
    ],
    ids=["list", "transcript", "chapters"],
)
@pytest.mark.parametrize(
    "raw",
    ["\u00b2", "9" * 5000, "99999999999999999999", "0"],
    ids=["superscript", "5000-digits", "past-int64", "zero"],
)
def test_a_hostile_id_is_a_plain_400(served, path, raw):
    response = served["client"].get(path.format(raw=raw))

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "must be a whole number from 1 to 2,147,483,647" in detail and len(detail) < 200
