"""Chaos: three worker processes share one queue while one of them is ``kill -9``ed every few seconds.

Leases are short (2 s) and every call to the simulated YouTube takes longer
than a lease (2.5 s), under the issue-4 fault mix. Each simulated call is
logged, with its process, to a file the processes share, which proves that no
two live workers ever worked on one video at once. Runs on SQLite and on
PostgreSQL (the ``db_url`` fixture of this folder).
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter

import pytest
from sqlmodel import select

from robust_import_app import library
from robust_import_app.db import Database
from robust_import_app.domain.errors import ErrorCode
from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.video import CaptionSource
from robust_import_app.models import ChapterRow, ImportBatch, TranscriptSegmentRow, Video
from robust_import_app.youtube.sim.calls import overlapping_calls, read_call_log
from tests.workers import WorkerProcesses

WORKERS = 3
CHAOS_S = 60.0
FINISH_TIMEOUT_S = 240.0
FAULTS = "429:0.1,5xx:0.05,timeout:0.02,private:0.02,removed:0.01,bot_check:0.005"
VIDEO_IDS = [f"chao{n:07d}" for n in range(140)] + [f"noca{n:07d}" for n in range(10)]
PERMANENT = {ErrorCode.PRIVATE.value, ErrorCode.REMOVED.value}
WHISPER_SEGMENTS = [
    {"id": 0, "seek": 0, "start": 0.0, "end": 3.0, "text": " Spoken words."},
    {"id": 1, "seek": 0, "start": 3.0, "end": 6.0, "text": " More spoken words."},
]


def _unfinished(db: Database) -> int:
    with db.read() as session:
        rows = session.exec(select(Video.import_stage)).all()
    return sum(1 for stage in rows if not stage.is_terminal)


@pytest.mark.timeout(600)
def test_kill_9_chaos_on_three_workers_loses_nothing_and_does_everything_once(db_url, tmp_path, api_server):
    api_server.expect_request("/v1/audio/transcriptions", method="POST").respond_with_json(
        {
            "text": " Spoken words. More spoken words.",
            "language": "english",
            "duration": 6.0,
            "segments": WHISPER_SEGMENTS,
        }
    )
    db = Database(db_url)
    outcome = library.import_paste(db, library.ensure_default_list(db), "\n".join(VIDEO_IDS))
    assert len(outcome.created) == len(VIDEO_IDS)
    call_log = tmp_path / "calls.log"
    env = {
        **os.environ,
        "REFLEX_DB_URL": db_url,
        "IMPORT_BACKEND": "sim",
        "IMPORT_SIM_LATENCY_MS": "2500",
        "IMPORT_SIM_FAULTS": FAULTS,
        "IMPORT_SIM_SEED": "1",
        "IMPORT_SIM_CALL_LOG": str(call_log),
        "IMPORT_LEASE_S": "2",
        "IMPORT_VIDEOS_IN_FLIGHT": "10",
        "IMPORT_REQUEST_INTERVAL_S": "0.01",
        "IMPORT_MAX_INTERVAL_S": "0.05",
        "IMPORT_CONCURRENCY": "10",
        "IMPORT_BREAKER_COOLDOWN_S": "1",
        "IMPORT_BREAKER_COOLDOWN_MAX_S": "2",
        "IMPORT_BACKOFF_BASE_S": "0.2",
        "IMPORT_BACKOFF_MAX_S": "2",
        "IMPORT_MAX_ATTEMPTS": "30",
        "WHISPER_API_URL": api_server.url_for("/v1"),
        "WHISPER_API_KEY": "gsk_chaos_test_key",
        "WHISPER_MAX_MINUTES_PER_BATCH": "100000",
    }
    workers = WorkerProcesses(env, tmp_path)
    rng = random.Random(8)
    try:
        workers.start(WORKERS)
        chaos_ends = time.monotonic() + CHAOS_S
        kills = 0
        while time.monotonic() < chaos_ends and _unfinished(db):
            time.sleep(rng.uniform(2.0, 4.0))
            workers.kill_one(rng)
            workers.start()
            kills += 1
        finish_by = time.monotonic() + FINISH_TIMEOUT_S
        while _unfinished(db) and time.monotonic() < finish_by:
            time.sleep(0.5)
        left = _unfinished(db)
        time.sleep(1.0)  # let the last announcement land before the workers stop
    finally:
        workers.stop()
    logs = workers.logs()
    assert kills >= 10, f"only {kills} kills: the batch finished before the chaos could start"
    assert left == 0, f"{left} videos never finished\n{logs[-5000:]}"

    with db.read() as session:
        videos = session.exec(select(Video)).all()
        segments = session.exec(select(TranscriptSegmentRow.video_id, TranscriptSegmentRow.start_s)).all()
        chapters = session.exec(select(ChapterRow.video_id, ChapterRow.start_s)).all()
        batch = session.get(ImportBatch, outcome.batch_id)
    assert sorted(v.youtube_id for v in videos) == sorted(VIDEO_IDS), "nothing lost, nothing added"
    for video in videos:
        if video.import_stage is ImportStage.ERROR:
            assert video.error_code in PERMANENT, f"{video.youtube_id} failed on a transient {video.error_code}"
        else:
            assert video.import_stage is ImportStage.COMPLETE and video.caption_source is not None
        assert video.claimed_by is None
    duplicated_segments = [key for key, count in Counter(segments).items() if count > 1]
    duplicated_chapters = [key for key, count in Counter(chapters).items() if count > 1]
    assert not duplicated_segments, f"transcript segments stored twice: {duplicated_segments[:5]}"
    assert not duplicated_chapters, f"chapters stored twice: {duplicated_chapters[:5]}"

    whispered = [v for v in videos if v.caption_source is CaptionSource.WHISPER]
    assert whispered, "the no-captions videos went to Whisper"
    assert batch.whisper_seconds == pytest.approx(sum(v.whisper_reserved_s or 0 for v in videos))
    assert batch.whisper_seconds == pytest.approx(sum(v.duration_s for v in whispered)), "reserved once each"

    overlaps = overlapping_calls(read_call_log(call_log, died_at=workers.died_at))
    assert not overlaps, f"two live workers worked on one video at once: {overlaps[:3]}"
    announced = logs.count(f"Batch {outcome.batch_id} of list ")
    assert announced == 1, f"the summary was announced {announced} times"
    assert batch.announced_at is not None
    db.dispose()
