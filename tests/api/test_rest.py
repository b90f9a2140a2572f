"""The REST API under /api, served by the real app (``reflex run --env prod --backend-only``) on 127.0.0.1."""

from __future__ import annotations

import itertools
import time

import httpx
import pytest
from starlette.testclient import TestClient

from robust_import_app.api.rest import MAX_BODY_BYTES, rest_routes
from robust_import_app.db import Database
from robust_import_app.library import MAX_IDS_PER_PASTE
from robust_import_app.redact import REDACTED, redact
from tests.e2e.server import running_app
from tests.export.seed import add_chapters, add_list, add_segments, add_video

TOKEN = "api-token-for-tests-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
IMPORT_DEADLINE_S = 120
_list_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The running app with IMPORT_API_TOKEN set, a client carrying the token, and one empty list."""
    with running_app(tmp_path_factory.mktemp("rest-api"), backend_only=True, env={"IMPORT_API_TOKEN": TOKEN}) as app:
        db = Database(app.db_url)
        list_id = add_list(db, "From the API")
        with httpx.Client(base_url=app.backend_url, timeout=30, headers=AUTH) as client:
            yield {"client": client, "db": db, "list_id": list_id}
        db.dispose()


@pytest.fixture
def fresh_list(served):
    """A new empty list's id (the module's app is shared)."""
    return add_list(served["db"], f"List {next(_list_numbers)}")


def _all_videos(client: httpx.Client, list_id: int) -> list[dict]:
    return client.get(f"/api/lists/{list_id}/videos", params={"per_page": 100}).json()["videos"]


def _wait_until_finished(client: httpx.Client, list_id: int) -> list[dict]:
    """The list's videos once none is in flight; fails past IMPORT_DEADLINE_S."""
    deadline = time.monotonic() + IMPORT_DEADLINE_S
    while time.monotonic() < deadline:
        videos = _all_videos(client, list_id)
        if all(v["import"]["stage"] in ("complete", "error") for v in videos):
            return videos
        time.sleep(0.2)
    pytest.fail(f"the import did not finish within {IMPORT_DEADLINE_S} s: {videos}")


def test_json_urls_are_created_and_imported(served, fresh_list):
    client = served["client"]

    response = client.post(
        f"/api/lists/{fresh_list}/videos",
        json={"urls": ["https://www.youtube.com/watch?v=manuApi0001", "https://youtu.be/privApi0001"]},
    )

    assert response.status_code == 201
    report = response.json()
    assert [c["youtube_id"] for c in report["created"]] == ["manuApi0001", "privApi0001"]
    assert report["counts"] == {
        "created": 2,
        "duplicates": 0,
        "repeated": 0,
        "rejected": 0,
        "sources": 0,
        "duplicate_sources": 0,
        "offers": 0,
    }
    assert isinstance(report["batch_id"], int)
    by_id = {v["youtube_id"]: v for v in _wait_until_finished(client, fresh_list)}
    assert by_id["manuApi0001"]["import"]["stage"] == "complete"
    assert by_id["manuApi0001"]["import"]["progress"] == 100
    assert by_id["manuApi0001"]["title"]
    private = by_id["privApi0001"]["import"]
    assert private["stage"] == "error" and private["error_code"] and private["error_message"]


def test_text_paste_reports_duplicates_repeats_and_rejections(served, fresh_list):
    client = served["client"]
    add_video(served["db"], fresh_list, "dupeApi0001")
    text = "\n".join(
        [
            "dupeApi0001",
            "https://www.youtube.com/shorts/autoApi0001",
            "autoApi0001",
            "https://www.youtube.com/playlist?list=PLsimulated12",
            "https://www.youtube.com/watch?v=manuApi0002&list=PLsimulated30",
            "https://www.youtube.com/@handle/about",
            "https://vimeo.com/12345",
        ]
    )

    response = client.post(
        f"/api/lists/{fresh_list}/videos", content=text.encode(), headers={"Content-Type": "text/plain; charset=utf-8"}
    )

    assert response.status_code == 201
    report = response.json()
    assert [c["youtube_id"] for c in report["created"]] == ["autoApi0001", "manuApi0002"]
    assert report["duplicates"] == [{"youtube_id": "dupeApi0001", "reason": "already in this list"}]
    assert [r["youtube_id"] for r in report["repeated"]] == ["autoApi0001"]
    assert [(r["text"], r["problem"]) for r in report["rejected"]] == [
        ("https://www.youtube.com/@handle/about", "channel"),
        ("https://vimeo.com/12345", "not_youtube"),
    ]
    assert all(r["reason"] for r in report["rejected"])
    [playlist] = report["sources"]
    assert (playlist["kind"], playlist["url"]) == ("playlist", "https://www.youtube.com/playlist?list=PLsimulated12")
    assert playlist["id"] and playlist["state"] and playlist["message"]
    [offer] = report["offers"]
    assert offer["url"] == "https://www.youtube.com/playlist?list=PLsimulated30" and offer["state"] == "offered"
    assert (report["counts"]["sources"], report["counts"]["offers"]) == (1, 1)


def test_a_paste_with_nothing_new_is_200_without_a_batch(served, fresh_list):
    client = served["client"]
    add_video(served["db"], fresh_list, "dupeApi0002")

    response = client.post(f"/api/lists/{fresh_list}/videos", json={"urls": ["dupeApi0002", "not a link"]})

    assert response.status_code == 200
    assert response.json()["batch_id"] is None and response.json()["counts"]["rejected"] == 1


@pytest.mark.parametrize(
    ("body", "status", "detail_start"),
    [
        (
            {"content": b'{"urls": ["x"', "headers": {"Content-Type": "application/json"}},
            400,
            "The body is not valid JSON",
        ),
        ({"content": b"\xff\xfe", "headers": {"Content-Type": "text/plain"}}, 400, "The text body is not UTF-8"),
        ({"json": {"urls": "dQw4w9WgXcQ"}}, 422, "The JSON body must be"),
        ({"json": ["dQw4w9WgXcQ"]}, 422, "The JSON body must be"),
        ({"json": {"urls": [1, 2]}}, 422, "The JSON body must be"),
        ({"content": b"dQw4w9WgXcQ", "headers": {"Content-Type": "application/xml"}}, 415, "Send application/json"),
        (
            {"json": {"urls": [f"https://youtu.be/bulk{n:07d}" for n in range(MAX_IDS_PER_PASTE + 1)]}},
            413,
            "One request can add at most 5,000 videos; this one has 5,001.",
        ),
        (
            {
                "content": "\n".join(f"bulk{n:07d}" for n in range(MAX_IDS_PER_PASTE + 1)).encode(),
                "headers": {"Content-Type": "text/plain"},
            },
            413,
            "One request can add at most 5,000 videos",
        ),
        (
            {"content": b"x" * (MAX_BODY_BYTES + 1), "headers": {"Content-Type": "text/plain"}},
            413,
            "A request body can be at most 2,000,000 bytes.",
        ),
    ],
    ids=[
        *("bad-json", "bad-utf8", "urls-not-list", "not-object", "urls-not-strings"),
        *("xml", "json-5001", "text-5001", "2MB"),
    ],
)
def test_bad_input_is_a_clear_4xx(served, fresh_list, body, status, detail_start):
    response = served["client"].post(f"/api/lists/{fresh_list}/videos", **body)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["detail"].startswith(detail_start)
    assert _all_videos(served["client"], fresh_list) == []


def test_a_body_without_content_length_is_cut_off_past_the_limit(served, fresh_list):
    def chunks():
        for _ in range(MAX_BODY_BYTES // 100_000 + 1):
            yield b"y" * 100_000

    response = served["client"].post(
        f"/api/lists/{fresh_list}/videos", content=chunks(), headers={"Content-Type": "text/plain"}
    )

    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert _all_videos(served["client"], fresh_list) == []


def test_unknown_list_or_video_is_404(served):
    client = served["client"]

    unknown_list = client.post("/api/lists/999999/videos", json={"urls": ["dQw4w9WgXcQ"]})
    assert (unknown_list.status_code, unknown_list.json()) == (404, {"detail": "No list 999999."})
    assert client.get("/api/lists/999999/videos").status_code == 404
    assert client.get("/api/videos/999999").json() == {"detail": "No video 999999."}
    assert client.get("/api/nothing-here").status_code == 404


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Bearer {TOKEN[:-1]}X"},
        {"Authorization": f"Basic {TOKEN}"},
    ],
    ids=["none", "short", "same-length", "not-bearer"],
)
def test_no_or_wrong_token_is_401(served, headers):
    client = served["client"]
    list_id = served["list_id"]

    for method, path, kwargs in [
        ("GET", "/api/lists", {}),
        ("GET", f"/api/lists/{list_id}/videos", {}),
        ("POST", f"/api/lists/{list_id}/videos", {"json": {"urls": ["dQw4w9WgXcQ"]}}),
        ("GET", "/api/videos/1", {}),
    ]:
        request = client.build_request(method, path, **kwargs)
        del request.headers["authorization"]
        request.headers.update(headers)
        response = client.send(request)
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert _all_videos(client, list_id) == []


def test_lists_and_pages_of_videos(served, fresh_list):
    client = served["client"]
    for n in range(5):
        add_video(served["db"], fresh_list, f"pageApi000{n}", title=f"Video {n}")

    lists = client.get("/api/lists").json()["lists"]
    first = client.get(f"/api/lists/{fresh_list}/videos", params={"page": 1, "per_page": 2}).json()
    last = client.get(f"/api/lists/{fresh_list}/videos", params={"page": 3, "per_page": 2}).json()

    assert [x["video_count"] for x in lists if x["id"] == fresh_list] == [5]
    assert (first["total"], first["pages"], len(first["videos"])) == (5, 3, 2)
    assert [v["youtube_id"] for v in last["videos"]] == ["pageApi0000"]
    assert last["videos"][0]["import"]["stage"] == "complete"
    for bad in ({"per_page": 101}, {"per_page": 0}, {"page": 0}, {"page": "two"}):
        response = client.get(f"/api/lists/{fresh_list}/videos", params=bad)
        assert response.status_code == 400 and "must be a whole number" in response.json()["detail"]


_HOSTILE_NUMBERS = {
    "superscript": "\u00b2",
    "arabic-indic": "\u0663",
    "5000-digits": "9" * 5000,
    "past-int64": "99999999999999999999",
    "past-int32": "2147483648",
    "negative": "-1",
    "blank": "",
    "spaced": " 1",
}


@pytest.mark.parametrize("name", ["page", "per_page"])
@pytest.mark.parametrize("raw", list(_HOSTILE_NUMBERS.values()), ids=list(_HOSTILE_NUMBERS))
def test_a_hostile_page_number_is_a_plain_400(served, fresh_list, name, raw):
    response = served["client"].get(f"/api/lists/{fresh_list}/videos", params={name: raw})

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith(f"{name} must be a whole number from 1 to ") and len(detail) < 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/lists/{raw}/videos"), ("POST", "/api/lists/{raw}/videos"), ("GET", "/api/videos/{raw}")],
    ids=["list-videos", "add-videos", "video"],
)
@pytest.mark.parametrize(
    "raw",
    ["\u00b2", "9" * 5000, "99999999999999999999", "0", "x1"],
    ids=["superscript", "5000-digits", "past-int64", "zero", "letters"],
)
def test_a_hostile_path_id_is_a_plain_400(served, method, path, raw):
    response = served["client"].request(method, path.format(raw=raw), json={"urls": ["dQw4w9WgXcQ"]})

    assert response.status_code == 400, response.text
    assert "must be a whole number from 1 to 2,147,483,647" in response.json()["detail"]


def test_a_page_with_leading_zeros_is_read_as_its_number(served, fresh_list):
    response = served["client"].get(f"/api/lists/{fresh_list}/videos", params={"page": "0002", "per_page": "050"})

    assert (response.status_code, response.json()["page"], response.json()["per_page"]) == (200, 2, 50)


def test_one_video_with_chapters(served, fresh_list):
    db = served["db"]
    video = add_video(db, fresh_list, "showApi0001", title="Shown", duration_s=120)
    add_chapters(db, video, [(0, 60, "Intro"), (60, 120, "Main")])
    add_segments(db, video, [(0, 1.5, "Hello")])

    detail = served["client"].get(f"/api/videos/{video}").json()

    assert (detail["id"], detail["youtube_id"], detail["title"]) == (video, "showApi0001", "Shown")
    assert detail["duration_s"] == 120
    assert [c["title"] for c in detail["chapters"]] == ["Intro", "Main"]
    assert detail["transcript"]["segment_count"] == 1
    assert served["client"].get(detail["transcript"]["downloads"]["txt"]).text == "Hello\n"


def test_openapi_document_is_served_without_a_token(served):
    response = httpx.get(f"{served['client'].base_url}/api/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) >= {"/api/lists", "/api/lists/{list_id}/videos", "/api/videos/{video_row_id}"}


def test_reflex_and_export_routes_still_answer(served):
    assert served["client"].get("/ping").json() == "pong"
    assert served["client"].get("/export/lists/999999.csv").status_code == 404


def test_without_a_token_the_api_is_off(db_url):
    app = rest_routes(lambda: Database(db_url), api_token=None)

    with TestClient(app) as client:
        for path in ("/api/lists", "/api/openapi.json", "/api/lists/1/videos"):
            response = client.get(path, headers=AUTH)
            assert response.status_code == 404
            assert "IMPORT_API_TOKEN" in response.json()["detail"]


def test_the_token_is_redacted_once_configured(db_url):
    secret = "another-api-token-9876543210"
    rest_routes(lambda: Database(db_url), api_token=secret)

    assert redact(f"Authorization failed for {secret}") == f"Authorization failed for {REDACTED}"


def test_the_token_is_read_from_the_environment_and_kept_out_of_the_repr():
    from robust_import_app.settings import Settings

    settings = Settings.from_env({"IMPORT_API_TOKEN": TOKEN})

    assert settings.api_token == TOKEN and TOKEN not in repr(settings)
    assert Settings.from_env({}).api_token is None
