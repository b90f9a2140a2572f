"""``/healthz``, ``/readyz`` and ``/metrics`` over real HTTP on 127.0.0.1: the routes alone served by
granian (:mod:`tests.api.health_app`), and once through the real app (``reflex run --backend-only``)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import select

from robust_import_app.db import Database
from robust_import_app.library import import_paste
from robust_import_app.models import Video
from robust_import_app.pipeline.queue.lease import lease_clock
from tests.conftest import skip_or_fail_unavailable
from tests.e2e.server import REPO, free_port, running_app
from tests.export.seed import add_list
from tests.servers import PostgresServer, RedisServer, ServerUnavailable

STARTUP_TIMEOUT_S = 60
SECRET = "hunter2-not-for-logs"


@contextmanager
def serving(env: Mapping[str, str], log: Path) -> Iterator[httpx.Client]:
    """The health routes served by granian with ``env`` (see :mod:`tests.api.health_app`); a client for them."""
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "granian"),
        "--interface",
        "asgi",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "tests.api.health_app:make_app",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while True:
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"granian did not start: {log.read_text()}")
                    time.sleep(0.1)
            yield client
    finally:
        process.terminate()
        process.wait(timeout=30)


def metrics(client: httpx.Client) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """``/metrics`` parsed: each sample's value by metric name and sorted labels."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    parsed: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            parsed.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return parsed


def test_healthz_and_readyz_answer_while_database_and_redis_do(tmp_path, db_url, redis_server):
    with serving({"HEALTH_DB_URL": db_url, "HEALTH_REDIS_URL": redis_server.url}, tmp_path / "granian.log") as client:
        health = client.get("/healthz")
        ready = client.get("/readyz")

    assert (health.status_code, health.text) == (200, "ok")
    assert (ready.status_code, ready.text) == (200, "ready")
    assert ready.headers["cache-control"] == "no-store"


def test_readyz_names_a_sqlite_database_that_cannot_be_opened(tmp_path):
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'app.db'}?timeout=30"

    with serving({"HEALTH_DB_URL": url}, tmp_path / "granian.log") as client:
        health = client.get("/healthz")
        ready = client.get("/readyz")
        scraped = client.get("/metrics")

    assert health.status_code == 200
    assert ready.status_code == 503
    assert ready.json()["unreachable"] == ["database"]
    assert "unable to open database file" in ready.json()["errors"]["database"]
    assert scraped.status_code == 503
    assert scraped.json()["unreachable"] == ["database"]


@pytest.mark.postgres
def test_readyz_names_a_stopped_postgresql_server_without_its_password(tmp_path):
    server = PostgresServer()
    try:
        server.start()
    except ServerUnavailable as error:
        skip_or_fail_unavailable(error)
    try:
        url = f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:{server.port}/{server.database}"
        with serving({"HEALTH_DB_URL": url}, tmp_path / "granian.log") as client:
            before = client.get("/readyz")
            server.stop()
            after = client.get("/readyz")
    finally:
        server.stop()

    assert before.status_code == 200
    assert after.status_code == 503
    assert after.json()["unreachable"] == ["database"]
    assert SECRET not in after.text


def test_readyz_names_a_stopped_redis_without_its_password(tmp_path, db_url):
    redis = RedisServer()
    try:
        redis.start()
    except ServerUnavailable as error:
        skip_or_fail_unavailable(error)
    url = redis.url.replace("redis://", f"redis://:{SECRET}@")
    redis.stop()

    with serving({"HEALTH_DB_URL": db_url, "HEALTH_REDIS_URL": url}, tmp_path / "granian.log") as client:
        ready = client.get("/readyz")

    assert ready.status_code == 503
    assert ready.json()["unreachable"] == ["redis"]
    assert SECRET not in ready.text


def test_metrics_count_a_paste_by_stage_queue_state_and_source_state(tmp_path, db_url):
    db = Database(db_url)
    list_id = add_list(db, "Pasted")
    import_paste(
        db,
        list_id,
        "https://youtu.be/aaaaaaaaaa1 https://youtu.be/aaaaaaaaaa2 https://youtu.be/aaaaaaaaaa3 "
        "https://www.youtube.com/playlist?list=PLabcdefghijklmnopqrstuvwxyz012345",
    )
    with db.write() as session:
        row = session.exec(select(Video).where(Video.youtube_id == "aaaaaaaaaa3")).one()
        row.next_attempt_at = lease_clock(session) + dt.timedelta(hours=1)
        row.whisper_reserved_s = 90.5
        session.add(row)
    db.dispose()

    with serving({"HEALTH_DB_URL": db_url}, tmp_path / "granian.log") as client:
        figures = metrics(client)

    assert figures["robust_import_videos"][(("stage", "created"),)] == 3
    assert figures["robust_import_videos"][(("stage", "complete"),)] == 0
    assert figures["robust_import_queue_videos"] == {
        (("state", "waiting"),): 2,
        (("state", "in_flight"),): 0,
        (("state", "retry_scheduled"),): 1,
    }
    assert figures["robust_import_sources"][(("state", "queued"),)] == 1
    assert figures["robust_import_sources"][(("state", "done"),)] == 0
    assert figures["robust_import_whisper_reserved_seconds"][()] == 90.5
    assert figures["robust_import_workers_alive"][()] == 0
    assert "robust_import_upstream_breaker_state" not in figures  # no worker runs in this process


def test_metrics_count_the_holders_of_unexpired_leases(tmp_path, db_url):
    db = Database(db_url)
    list_id = add_list(db, "Leased")
    import_paste(db, list_id, "https://youtu.be/bbbbbbbbbb1 https://youtu.be/bbbbbbbbbb2 https://youtu.be/bbbbbbbbbb3")
    with db.write() as session:
        now = lease_clock(session)
        rows = {v.youtube_id: v for v in session.exec(select(Video)).all()}
        for youtube_id, holder, until in (
            ("bbbbbbbbbb1", "live-worker", now + dt.timedelta(minutes=5)),
            ("bbbbbbbbbb2", "live-worker", now + dt.timedelta(minutes=5)),
            ("bbbbbbbbbb3", "dead-worker", now - dt.timedelta(minutes=5)),
        ):
            rows[youtube_id].claimed_by = holder
            rows[youtube_id].claimed_until = until
            rows[youtube_id].lease_token = "t"
            session.add(rows[youtube_id])
    db.dispose()

    with serving({"HEALTH_DB_URL": db_url}, tmp_path / "granian.log") as client:
        figures = metrics(client)

    assert figures["robust_import_workers_alive"][()] == 1
    assert figures["robust_import_queue_videos"][(("state", "in_flight"),)] == 2
    assert figures["robust_import_queue_videos"][(("state", "waiting"),)] == 1


def test_metrics_show_an_open_breaker_and_each_upstreams_spacing(tmp_path, db_url):
    with serving({"HEALTH_DB_URL": db_url, "HEALTH_OPEN_BREAKER": "player"}, tmp_path / "granian.log") as client:
        figures = metrics(client)

    breaker = figures["robust_import_upstream_breaker_state"]
    assert breaker[(("state", "open"), ("upstream", "player"))] == 1
    assert breaker[(("state", "closed"), ("upstream", "player"))] == 0
    assert breaker[(("state", "closed"), ("upstream", "data_api"))] == 1
    assert figures["robust_import_upstream_spacing_seconds"][(("upstream", "player"),)] > 0


def test_the_app_serves_health_readiness_and_its_workers_guards(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("health"), backend_only=True) as app:
        with httpx.Client(base_url=app.backend_url, timeout=30) as client:
            health = client.get("/healthz")
            ready = client.get("/readyz")
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            figures = metrics(client)
            while "robust_import_upstream_breaker_state" not in figures and time.monotonic() < deadline:
                time.sleep(0.2)  # the worker registers itself once its lifespan task has started
                figures = metrics(client)

    assert (health.status_code, health.text) == (200, "ok")
    assert (ready.status_code, ready.text) == (200, "ready")
    assert figures["robust_import_videos"][(("stage", "created"),)] == 0
    assert figures["robust_import_upstream_breaker_state"][(("state", "closed"), ("upstream", "player"))] == 1
