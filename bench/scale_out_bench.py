"""Scale-out benchmark: 1, 2 and 4 worker processes on PostgreSQL + Redis, one shared rate limit.

Starts a throwaway PostgreSQL and Redis (Debian's servers, as the tests do),
then for each worker count: a fresh database, N videos pasted at once, K
``python -m robust_import_app worker`` processes on the simulated YouTube at
R calls/s per upstream with the issue-4 fault mix. The simulated upstream's
limit is per process, so the figure that matters is what the processes'
shared guards let through together: accepted calls/s ÷ R on the busiest
upstream (target >= 0.9, never above 1.0), from the call log all processes
append to: over the whole run, and over the middle 80 % of its accepted calls
(the whole run includes the tail of videos waiting out long backoffs). Also prints videos/hour, videos lost, and p95 paste -> complete.

The Data API run (``--data-api N``, default 2,000) imports N videos with
``YOUTUBE_API_KEY`` set, two workers, against a local ``videos.list`` server of
the real shape (``tests/youtube/test_data_api.py``'s items), with the
simulated YouTube unthrottled for the rest: it counts the metadata calls
(target: N / 50).

    .venv/bin/python bench/scale_out_bench.py [--n 300] [--rate 5] [--workers 1 2 4] [--data-api 2000]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import redis  # noqa: E402
from import_bench import DEFAULT_FAULTS, DEFAULT_SEED, video_ids  # noqa: E402
from pytest_httpserver import HTTPServer  # noqa: E402
from sqlmodel import select  # noqa: E402
from werkzeug import Request, Response  # noqa: E402

from robust_import_app import library  # noqa: E402
from robust_import_app.db import Database, migrate  # noqa: E402
from robust_import_app.models import Video  # noqa: E402
from robust_import_app.youtube.sim.calls import read_admissions  # noqa: E402
from tests.servers import PostgresServer, RedisServer  # noqa: E402
from tests.youtube.test_data_api import API_KEY, PATH, list_response, video_item  # noqa: E402

TARGET_RATIO = 0.9


class DataApiServer:
    """A local ``videos.list`` endpoint answering every id; records the ids of each call."""

    def __init__(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access line per call otherwise
        self.calls: list[int] = []
        self.server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
        self.server.expect_request(PATH).respond_with_handler(self._handle)

    def _handle(self, request: Request) -> Response:
        ids = parse_qs(request.query_string.decode())["id"][0].split(",")
        self.calls.append(len(ids))
        items = [video_item(i, title=f"Title {i}", duration="PT4M2S") for i in ids]
        return Response(json.dumps(list_response(items)), content_type="application/json")

    def __enter__(self) -> DataApiServer:
        self.server.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.stop()


def run(
    k: int,
    *,
    n: int,
    rate: float | None,
    pg: PostgresServer,
    redis_server: RedisServer,
    folder: Path,
    name: str,
    extra_env: dict[str, str] | None = None,
) -> dict:
    """One run with ``k`` worker processes; returns its figures."""
    url = pg.create_database(f"scale_{name}")
    migrate(url)
    redis_url = f"redis://127.0.0.1:{redis_server.port}/{len(list(folder.glob('calls-*.log')))}"
    with redis.Redis.from_url(redis_url) as client:
        client.flushdb()
    call_log = folder / f"calls-{name}.log"
    call_log.touch()
    db = Database(url)
    ids = video_ids(n, DEFAULT_SEED)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("IMPORT_", "REFLEX_"))}
    env |= {
        "REFLEX_DB_URL": url,
        "REFLEX_REDIS_URL": redis_url,
        "IMPORT_BACKEND": "sim",
        "IMPORT_SIM_FAULTS": DEFAULT_FAULTS,
        "IMPORT_SIM_SEED": str(DEFAULT_SEED),
        "IMPORT_SIM_LATENCY_MS": "100",
        "IMPORT_SIM_CALL_LOG": str(call_log),
    }
    if rate is not None:
        env |= {
            "IMPORT_SIM_RATE": str(rate),
            "IMPORT_REQUEST_INTERVAL_S": str(0.9 / rate),
            "IMPORT_MAX_INTERVAL_S": str(1.5 / rate),
        }
    env |= extra_env or {}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "robust_import_app", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(folder / f"worker-{name}-{i}.log", "wb"),  # noqa: SIM115 - owned by the child
        )
        for i in range(k)
    ]
    time.sleep(3)  # let them start before the paste, as a running deployment would be
    pasted = time.time()
    library.import_paste(db, library.ensure_default_list(db), "\n".join(ids))
    try:
        while True:
            with db.read() as session:
                stages = session.exec(select(Video.import_stage)).all()
            if all(stage.is_terminal for stage in stages):
                break
            time.sleep(1)
        finished = time.time()
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    with db.read() as session:
        rows = session.exec(select(Video)).all()
    db.dispose()
    lost = n - sum(1 for row in rows if row.import_stage.is_terminal)
    latencies = sorted((row.updated_at.timestamp() - pasted) for row in rows)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    admissions = [a for a in read_admissions(call_log) if a.accepted]
    busiest = steady = 0.0
    for upstream in {a.upstream for a in admissions}:
        times = sorted(a.at_s for a in admissions if a.upstream == upstream)
        if len(times) > 1:
            busiest = max(busiest, (len(times) - 1) / (times[-1] - times[0]))
            low, high = int(0.1 * len(times)), int(0.9 * len(times))
            steady = max(steady, (high - low) / (times[high] - times[low]))
    return {
        "workers": k,
        "ratio": busiest / rate if rate else 0.0,
        "steady_ratio": steady / rate if rate else 0.0,
        "videos_per_hour": n / (finished - pasted) * 3600,
        "lost": lost,
        "p95_s": p95,
        "p50_s": statistics.median(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2, 4])
    parser.add_argument("--data-api", type=int, default=2000, metavar="N", help="videos of the Data API run (0: none)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="scale-out-bench-"))
    with PostgresServer() as pg, RedisServer() as redis_server:
        results = [
            run(k, n=args.n, rate=args.rate, pg=pg, redis_server=redis_server, folder=folder, name=f"{k}")
            for k in args.workers
        ]
        if args.data_api:
            with DataApiServer() as api:
                data_api = run(
                    2,
                    n=args.data_api,
                    rate=None,
                    pg=pg,
                    redis_server=redis_server,
                    folder=folder,
                    name="data_api",
                    extra_env={
                        "YOUTUBE_API_KEY": API_KEY,
                        "YOUTUBE_DATA_API_URL": api.server.url_for("/youtube/v3"),
                        "IMPORT_REQUEST_INTERVAL_S": "0.01",
                        "IMPORT_MAX_INTERVAL_S": "0.05",
                        "IMPORT_SIM_FAULTS": "",
                    },
                )
            print(
                f"Data API: {args.data_api} videos, 2 workers: {len(api.calls)} videos.list calls "
                f"(target <= {args.data_api // 50}), {sum(api.calls)} ids, lost {data_api['lost']}"
            )
    print(f"N={args.n}, R={args.rate}/s per upstream, faults {DEFAULT_FAULTS}, seed {DEFAULT_SEED}")
    print(
        "| workers | accepted calls/s ÷ R (whole run / middle 80 %) | videos/hour | lost | p50 / p95 paste → complete |"
    )
    print("|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['workers']} | {r['ratio']:.3f} / {r['steady_ratio']:.3f} | {r['videos_per_hour']:,.0f} | "
            f"{r['lost']} | {r['p50_s']:.0f} s / {r['p95_s']:.0f} s |"
        )
    for r in results:
        verdict = "PASS" if TARGET_RATIO <= r["ratio"] <= 1.0 and r["lost"] == 0 else "FAIL"
        print(
            f"{verdict}: {r['workers']} workers, ratio {r['ratio']:.3f} (target {TARGET_RATIO}–1.0), lost {r['lost']}"
        )


if __name__ == "__main__":
    main()
