"""Shared limits: four ``python -m robust_import_app worker`` processes against the simulated YouTube.

Every process runs its own simulated YouTube with its own rate limit of
``IMPORT_SIM_RATE`` calls/s per upstream, and logs each call that limit
accepted, with the upstream and the time, to one file the processes share
(:func:`~robust_import_app.youtube.sim.calls.read_admissions`). With the
guards shared through Redis (``REFLEX_REDIS_URL``), the four together stay
within one upstream's rate (with local guards each would send at that rate:
four times as much), and a shared breaker stops all of them at once.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import redis

from robust_import_app import library
from robust_import_app.db import Database
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.youtube.sim.calls import Admission, read_admissions
from tests.conftest import migrated_sqlite_url
from tests.servers import RedisServer
from tests.workers import WorkerProcesses

WORKERS = 4
RATE_PER_S = 5.0
TOLERANCE = 0.15
"""Allowed excess over RATE_PER_S within a window: scheduling delay can bunch calls a little."""
WINDOW_S = 5.0
MEASURE_S = 15.0
START_TIMEOUT_S = 60.0
THRESHOLD = 3
CONCURRENCY = 3
COOLDOWN_S = 3.0
BREAKER_RUN_S = 16.0
VIDEO_IDS = [f"shrd{n:07d}" for n in range(100)]


def worker_env(tmp_path: Path, redis_url: str, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("IMPORT_", "REFLEX_"))}
    return {
        **env,
        "REFLEX_DB_URL": migrated_sqlite_url(tmp_path),
        "REFLEX_REDIS_URL": redis_url,
        "IMPORT_BACKEND": "sim",
        "IMPORT_SIM_CALL_LOG": str(tmp_path / "calls.log"),
        "IMPORT_VIDEOS_IN_FLIGHT": "6",
        "IMPORT_CONCURRENCY": str(CONCURRENCY),
        **extra,
    }


def fresh_redis_db(server: RedisServer, number: int) -> str:
    """The URL of database ``number`` of ``server``, emptied (the server is shared by the session)."""
    url = f"redis://127.0.0.1:{server.port}/{number}"
    with redis.Redis.from_url(url) as client:
        client.flushdb()
    return url


def enqueue(env: dict[str, str]) -> None:
    db = Database(env["REFLEX_DB_URL"])
    try:
        outcome = library.import_paste(db, library.ensure_default_list(db), "\n".join(VIDEO_IDS))
        assert len(outcome.created) == len(VIDEO_IDS)
    finally:
        db.dispose()


def max_in_window(times: list[float], window_s: float) -> int:
    """The most of ``times`` that fall in any half-open window ``[t, t + window_s)``."""
    times = sorted(times)
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= window_s:
            first += 1
        most = max(most, last - first + 1)
    return most


def of(admissions: list[Admission], upstream: Upstream, *, accepted_only: bool = True) -> list[Admission]:
    return [a for a in admissions if a.upstream == upstream.value and (a.accepted or not accepted_only)]


@pytest.mark.timeout(180)
def test_four_workers_together_stay_within_one_upstream_rate(redis_server, tmp_path) -> None:
    env = worker_env(
        tmp_path,
        fresh_redis_db(redis_server, 3),
        IMPORT_SIM_RATE=str(RATE_PER_S),
        IMPORT_SIM_LATENCY_MS="20",
        IMPORT_REQUEST_INTERVAL_S=str(1 / RATE_PER_S),
        IMPORT_MAX_INTERVAL_S="1",
    )
    workers = WorkerProcesses(env, tmp_path)
    try:
        workers.start(WORKERS)
        workers.wait_started(START_TIMEOUT_S)
        enqueue(env)
        time.sleep(MEASURE_S)  # the run's length, not a wait for some outcome
    finally:
        workers.stop()
    admissions = read_admissions(tmp_path / "calls.log")
    assert {a.pid for a in admissions} == {p.pid for p in workers.processes}, "all four workers called"
    for upstream in (Upstream.PLAYER, Upstream.TRANSCRIPT):
        accepted = [a.at_s for a in of(admissions, upstream)]
        assert len(accepted) >= RATE_PER_S * MEASURE_S / 2, f"{upstream}: too few calls to measure a rate"
        most = max_in_window(accepted, WINDOW_S)
        span_s = max(accepted) - min(accepted)
        print(
            f"{upstream.value}: {len(accepted)} accepted in {span_s:.1f} s = {len(accepted) / span_s:.2f}/s overall, "
            f"at most {most} in {WINDOW_S:g} s = {most / WINDOW_S / RATE_PER_S:.2f} x R; "
            f"{len(of(admissions, upstream, accepted_only=False)) - len(accepted)} refused by the sim"
        )
        assert most <= RATE_PER_S * WINDOW_S * (1 + TOLERANCE), (
            f"{upstream}: {most} calls accepted within {WINDOW_S} s; the limit is {RATE_PER_S}/s"
        )


@pytest.mark.timeout(180)
def test_a_shared_breaker_stops_all_four_workers_at_once_and_one_probe_goes_out(redis_server, tmp_path) -> None:
    env = worker_env(
        tmp_path,
        fresh_redis_db(redis_server, 4),
        IMPORT_SIM_FAULTS="429:1.0",
        IMPORT_REQUEST_INTERVAL_S="0.05",
        IMPORT_MAX_INTERVAL_S="0.1",
        IMPORT_BREAKER_THRESHOLD=str(THRESHOLD),
        IMPORT_BREAKER_COOLDOWN_S=str(COOLDOWN_S),
        IMPORT_BREAKER_COOLDOWN_MAX_S=str(2 * COOLDOWN_S),
        IMPORT_BACKOFF_BASE_S="0.1",
        IMPORT_BACKOFF_MAX_S="0.5",
        IMPORT_MAX_ATTEMPTS="1000",
    )
    workers = WorkerProcesses(env, tmp_path)
    try:
        workers.start(WORKERS)
        workers.wait_started(START_TIMEOUT_S)
        enqueue(env)
        time.sleep(BREAKER_RUN_S)  # the run's length, not a wait for some outcome
    finally:
        workers.stop()
    calls = sorted(a.at_s for a in of(read_admissions(tmp_path / "calls.log"), Upstream.PLAYER))
    gaps = [later - earlier for earlier, later in zip(calls, calls[1:], strict=False)]
    burst = next((index + 1 for index, gap in enumerate(gaps) if gap >= 0.9 * COOLDOWN_S), len(calls))
    print(f"player calls: {len(calls)}; burst before the breaker opened: {burst}; later gaps: {gaps[burst:]}")
    assert burst <= THRESHOLD + CONCURRENCY - 1, (
        f"{burst} calls before the first pause: the workers did not open one breaker together"
    )
    probes = gaps[burst - 1 :]
    assert len(probes) >= 2, "the half-open probe went out (and, refused, reopened the breaker)"
    assert all(gap >= 0.9 * COOLDOWN_S for gap in probes), (
        f"calls while the shared breaker was open, or more than one probe: gaps {probes}"
    )
