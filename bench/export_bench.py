"""Export time and peak RSS for a whole 100,000-video list: CSV, JSON and URLs streamed to /dev/null.

Seeds a SQLite database (or ``--db-url``, e.g. a PostgreSQL database at the
newest revision) with ``--videos`` finished videos in one list, each with a
description of about 300 characters and ``--chapters`` chapters, then runs
each export in a child process of its own, writing it to ``/dev/null``, and
prints the wall time, the bytes written and the child's peak RSS
(``ru_maxrss``), next to the RSS of the same child before it exported
(imports and engine). ``naive-json`` is the reference the target is about:
the whole JSON export joined into one string before it is written, as a
response built in memory would be.

    .venv/bin/python bench/export_bench.py [--videos 100000] [--chapters 3] [--db-url URL]

Target (issue 10): peak RSS during an export below 300 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402

from robust_import_app.db import Database, migrate  # noqa: E402
from robust_import_app.domain.stages import ImportStage  # noqa: E402
from robust_import_app.domain.video import CaptionSource  # noqa: E402
from robust_import_app.export import csv_chunks, json_chunks, url_chunks  # noqa: E402
from robust_import_app.models import ChapterRow, Video, VideoList, utcnow  # noqa: E402

EXPORTS = {"csv": csv_chunks, "json": json_chunks, "urls": url_chunks}
MODES = (*EXPORTS, "naive-json")
INSERT_ROWS = 10_000
DESCRIPTION = ("A talk about streaming exports, keyset pagination and memory. " * 5).strip()


def seed(db: Database, videos: int, chapters: int) -> int:
    """One list of ``videos`` complete videos with ``chapters`` chapters each; the list's id."""
    now = utcnow()
    with db.write() as session:
        row = VideoList(name=f"Bench {now:%H%M%S}")
        session.add(row)
        session.flush()
        list_id = row.id
    for start in range(0, videos, INSERT_ROWS):
        count = min(INSERT_ROWS, videos - start)
        with db.write() as session:
            session.exec(
                insert(Video),
                params=[
                    {
                        "list_id": list_id,
                        "youtube_id": f"b{list_id:03d}{n:07d}",
                        "thumbnail_url": "",
                        "import_stage": ImportStage.COMPLETE,
                        "import_progress": 100,
                        "attempt_count": 0,
                        "title": f"Video number {n}, a title of ordinary length",
                        "channel": "Some Channel",
                        "description": DESCRIPTION,
                        "duration_s": 600 + n % 3600,
                        "published": dt.date(2024, 1, 1),
                        "language": "en",
                        "caption_source": CaptionSource.MANUAL,
                        "caption_language": "en",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n in range(start, start + count)
                ],
            )
            if chapters:
                ids = (
                    session.exec(
                        select(Video.id).where(Video.list_id == list_id).order_by(Video.id.desc()).limit(count)
                    )
                    .scalars()
                    .all()
                )
                session.exec(
                    insert(ChapterRow),
                    params=[
                        {"video_id": video_id, "start_s": 60.0 * c, "end_s": 60.0 * (c + 1), "title": f"Part {c + 1}"}
                        for video_id in ids
                        for c in range(chapters)
                    ],
                )
    return list_id


def run_child(mode: str, db_url: str, list_id: int) -> dict:
    """Export ``list_id`` in ``mode`` to /dev/null in this process; its figures (RSS in MB, time in seconds)."""
    db = Database(db_url)
    with db.read() as session:
        session.exec(select(VideoList.id).limit(1))
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    written = chunks = 0
    started = time.perf_counter()
    with open("/dev/null", "w", encoding="utf-8") as sink:
        if mode == "naive-json":
            text = "".join(json_chunks(db, list_id))
            written, chunks = sink.write(text), 1
        else:
            for chunk in EXPORTS[mode](db, list_id):
                written += sink.write(chunk)
                chunks += 1
    elapsed_s = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "mode": mode,
        "elapsed_s": elapsed_s,
        "chars": written,
        "chunks": chunks,
        "rss_before_mb": before_mb,
        "peak_rss_mb": peak_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=100_000)
    parser.add_argument("--chapters", type=int, default=3)
    parser.add_argument("--db-url", help="a database at the newest revision (default: a new SQLite file)")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DB_URL", "LIST_ID"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, db_url, list_id = args.child
        print(json.dumps(run_child(mode, db_url, int(list_id))))
        return
    db_url = args.db_url
    if db_url is None:
        db_url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='export-bench-')) / 'library.db'}?timeout=30"
        migrate(db_url)
    db = Database(db_url)
    started = time.perf_counter()
    list_id = seed(db, args.videos, args.chapters)
    db.dispose()
    print(f"seeded {args.videos:,} videos with {args.chapters} chapters each in {time.perf_counter() - started:.1f} s")
    for mode in args.modes.split(","):
        result = subprocess.run(
            [sys.executable, __file__, "--child", mode, db_url, str(list_id)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(result.stdout)
        print(
            f"{mode:>10}: {figures['elapsed_s']:6.2f} s, {figures['chars'] / 1e6:7.1f} M characters in "
            f"{figures['chunks']:>4} chunks, peak RSS {figures['peak_rss_mb']:6.1f} MB "
            f"({figures['rss_before_mb']:.1f} MB before exporting)"
        )


if __name__ == "__main__":
    main()
