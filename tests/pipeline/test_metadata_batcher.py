"""Metadata in bulk through the YouTube Data API (a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs

import pytest
from pytest_httpserver import HTTPServer
from sqlmodel import select
from werkzeug import Request, Response

from robust_import_app import library
from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.models import Video
from robust_import_app.pipeline.resilience.guard import Guards
from robust_import_app.pipeline.stages.metadata_batcher import MetadataBatcher
from robust_import_app.youtube.data_api import DataApiClient
from robust_import_app.youtube.sim import SimBackend
from tests.pipeline.helpers import FAST_GUARD, RecordingSink, make_worker
from tests.youtube.test_data_api import API_KEY, PATH, google_error, list_response, video_item

QUOTA = google_error(
    403, "The request cannot be completed because you have exceeded your quota.", "quotaExceeded", "youtube.quota"
)


class DataApi:
    """A videos.list endpoint that records each call's ids; ``missing`` ids are omitted."""

    def __init__(self, server: HTTPServer, *, missing: frozenset[str] = frozenset(), quota_after: int | None = None):
        self.calls: list[list[str]] = []
        self.missing = missing
        self.quota_after = quota_after
        server.expect_request(PATH).respond_with_handler(self.handle)

    def handle(self, request: Request) -> Response:
        ids = parse_qs(request.query_string.decode())["id"][0].split(",")
        self.calls.append(ids)
        if self.quota_after is not None and len(self.calls) > self.quota_after:
            return Response(json.dumps(QUOTA), status=403, content_type="application/json")
        items = [video_item(i, title=f"API title {i}", duration="PT4M2S") for i in ids if i not in self.missing]
        return Response(json.dumps(list_response(items)), content_type="application/json")


def _batcher(server: HTTPServer) -> tuple[MetadataBatcher, DataApiClient]:
    client = DataApiClient(api_key=API_KEY, base_url=server.url_for("/youtube/v3"), timeout_s=5)
    guard = Guards.from_configs({Upstream.DATA_API: FAST_GUARD})[Upstream.DATA_API]
    return MetadataBatcher(client, guard, window_s=0.05), client


@pytest.mark.asyncio
async def test_sixty_videos_take_two_calls_of_fifty_and_ten(httpserver_ipv4: HTTPServer):
    api = DataApi(httpserver_ipv4)
    batcher, client = _batcher(httpserver_ipv4)
    ids = [f"batch{n:06d}" for n in range(60)]
    async with client:
        results = await asyncio.gather(*(batcher.metadata(i) for i in ids))
    assert sorted(len(call) for call in api.calls) == [10, 50]
    assert [r.title for r in results] == [f"API title {i}" for i in ids]
    assert all(r.duration_s == 242 for r in results)


@pytest.mark.asyncio
async def test_missing_videos_and_exhausted_quota_fall_back_to_ytdlp(httpserver_ipv4: HTTPServer):
    api = DataApi(httpserver_ipv4, missing=frozenset({"missAAAAAAA"}), quota_after=1)
    batcher, client = _batcher(httpserver_ipv4)
    async with client:
        found, missing = await asyncio.gather(batcher.metadata("findAAAAAAA"), batcher.metadata("missAAAAAAA"))
        assert found.title == "API title findAAAAAAA"
        assert missing is None, "an id the API omits goes to yt-dlp, which says why"
        assert await batcher.metadata("lateAAAAAAA") is None
        assert batcher.quota_exhausted
        assert await batcher.metadata("nextAAAAAAA") is None
    assert len(api.calls) == 2, "no call goes out once the quota is spent"


@pytest.mark.asyncio
async def test_worker_uses_the_data_api_and_yt_dlp_explains_what_it_misses(db, httpserver_ipv4: HTTPServer):
    DataApi(httpserver_ipv4, missing=frozenset({"privAAAAAAA"}))
    batcher, client = _batcher(httpserver_ipv4)
    list_id = library.ensure_default_list(db)
    library.import_paste(db, list_id, "dataAAAAAAA dataBBBBBBB privAAAAAAA")
    async with client:
        worker = make_worker(db, SimBackend(), RecordingSink(db), data_api=batcher)
        await asyncio.wait_for(worker.run(until_idle=True), timeout=30)
    with db.read() as session:
        rows = {row.youtube_id: row for row in session.exec(select(Video)).all()}
    assert rows["dataAAAAAAA"].title == "API title dataAAAAAAA"
    assert rows["dataAAAAAAA"].import_stage is ImportStage.COMPLETE
    assert rows["privAAAAAAA"].import_stage is ImportStage.ERROR
    assert rows["privAAAAAAA"].error_code == "private"


@pytest.mark.asyncio
async def test_two_workers_fetch_the_metadata_of_70_videos_in_two_calls(db, httpserver_ipv4: HTTPServer):
    api = DataApi(httpserver_ipv4)
    ids = [f"bulk{n:07d}" for n in range(70)]
    library.import_paste(db, library.ensure_default_list(db), " ".join(ids))
    batchers = [_batcher(httpserver_ipv4) for _ in range(2)]
    async with batchers[0][1], batchers[1][1]:
        workers = [make_worker(db, SimBackend(), RecordingSink(db), data_api=batcher) for batcher, _ in batchers]
        await asyncio.wait_for(asyncio.gather(*(w.run(until_idle=True) for w in workers)), timeout=60)
    assert sorted(len(call) for call in api.calls) == [20, 50], "50 ids a call, whatever the videos in flight"
    with db.read() as session:
        rows = session.exec(select(Video)).all()
    assert {row.import_stage for row in rows} == {ImportStage.COMPLETE}
    assert all(row.title == f"API title {row.youtube_id}" for row in rows)
