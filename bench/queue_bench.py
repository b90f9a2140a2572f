"""What a claim costs in a large library: ``claim_due`` at 100,000 finished rows.

Seeds a SQLite database with ``--finished`` complete videos (one announced
batch) and a running batch of ``--queued`` videos, then times ``--runs``
claims of 8 videos (each released again) and prints the median and the worst.
The partial indexes keep finished rows out of the claim's reads.

    .venv/bin/python bench/queue_bench.py [--finished 100000] [--queued 500] [--runs 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, update  # noqa: E402

from robust_import_app import library  # noqa: E402
from robust_import_app.db import Database, migrate  # noqa: E402
from robust_import_app.domain.stages import ImportStage  # noqa: E402
from robust_import_app.models import ImportBatch, Video, utcnow  # noqa: E402
from robust_import_app.pipeline.queue.videos import ImportQueue  # noqa: E402


def seed(db: Database, finished: int, queued: int) -> None:
    list_id = library.ensure_default_list(db)
    now = utcnow()
    with db.write() as session:
        batch = ImportBatch(list_id=list_id, total=finished, announced_at=now)
        session.add(batch)
        session.flush()
        rows = [
            {
                "list_id": list_id,
                "batch_id": batch.id,
                "youtube_id": f"f{n:010d}",
                "thumbnail_url": "",
                "import_stage": ImportStage.COMPLETE,
                "import_progress": 100,
                "attempt_count": 0,
                "title": "t",
                "channel": "c",
                "description": "",
                "created_at": now,
                "updated_at": now,
            }
            for n in range(finished)
        ]
        for start in range(0, len(rows), 10_000):
            session.exec(insert(Video), params=rows[start : start + 10_000])
    library.import_paste(db, list_id, " ".join(f"q{n:010d}" for n in range(queued)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--finished", type=int, default=100_000)
    parser.add_argument("--queued", type=int, default=500)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="queue-bench-"))
    url = f"sqlite:///{folder / 'library.db'}?timeout=30"
    migrate(url)
    db = Database(url)
    seed(db, args.finished, args.queued)
    queue = ImportQueue(db)
    times_ms = []
    for _ in range(args.runs):
        started = time.perf_counter()
        jobs = queue.claim_due(8)
        times_ms.append((time.perf_counter() - started) * 1000)
        assert len(jobs) == 8
        with db.write() as session:
            session.exec(
                update(Video).where(Video.claimed_by == queue.worker_id).values(claimed_by=None, claimed_until=None)
            )
    print(
        f"claim_due(8) with {args.finished:,} finished and {args.queued} queued rows: "
        f"median {statistics.median(times_ms):.2f} ms, worst {max(times_ms):.2f} ms ({args.runs} runs)"
    )
    db.dispose()


if __name__ == "__main__":
    main()
