"""PostgreSQL drops the worker's connections in the middle of a stage: the worker reconnects and finishes."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import select

from robust_import_app import library
from robust_import_app.db import Database
from robust_import_app.domain.stages import ImportStage
from robust_import_app.models import Video
from robust_import_app.youtube.sim import SimBackend
from tests.pipeline.helpers import RecordingSink, make_worker

pytestmark = pytest.mark.postgres


@pytest.mark.asyncio
async def test_killed_postgres_connections_mid_stage_the_video_still_finishes(postgres_server, postgres_db_url):
    db = Database(postgres_db_url)
    ids = ["pgkillAAAAA", "pgkillBBBBB"]
    library.import_paste(db, library.ensure_default_list(db), " ".join(ids))
    sink = RecordingSink(db)
    worker = make_worker(db, SimBackend(latency_s=0.5), sink)
    running = asyncio.create_task(worker.run(until_idle=True))
    await asyncio.wait_for(_until(lambda: any(u.stage is ImportStage.CAPTIONS for u in sink.updates)), timeout=30)
    killed = await asyncio.to_thread(postgres_server.close_connections, make_url(postgres_db_url).database)
    assert killed >= 1, "the worker's pooled connections were there to kill"
    await asyncio.wait_for(running, timeout=60)
    with db.read() as session:
        stages = {row.youtube_id: row.import_stage for row in session.exec(select(Video)).all()}
    assert stages == {video_id: ImportStage.COMPLETE for video_id in ids}
    assert len(sink.summaries) == 1
    db.dispose()


async def _until(predicate) -> None:
    while not predicate():
        await asyncio.sleep(0.01)
