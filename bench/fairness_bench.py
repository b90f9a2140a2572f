"""How long a small paste waits behind a large batch: fair scheduling, measured.

Default settings on the simulated YouTube (no latency, no faults): a batch of
``--large`` videos starts, and ``--after`` seconds later a paste of
``--small`` videos goes into a second list. Prints when each of the small
paste's videos was claimed and completed, and how far the large batch got
meanwhile. The target: the small paste starts at the next claim and completes
within a minute.

    .venv/bin/python bench/fairness_bench.py [--large 500] [--small 3] [--after 10]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from robust_import_app import library  # noqa: E402
from robust_import_app.compose import build_worker  # noqa: E402
from robust_import_app.db import Database, migrate  # noqa: E402
from robust_import_app.domain.stages import ImportStage  # noqa: E402
from robust_import_app.pipeline.progress.sink import VideoUpdate  # noqa: E402
from robust_import_app.pipeline.queue.videos import BatchSummary  # noqa: E402
from robust_import_app.settings import Settings  # noqa: E402

TARGET_S = 60.0


class Timeline:
    """Records when each video first entered a stage (seconds since the start)."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.first_seen: dict[str, float] = {}
        self.completed: dict[str, float] = {}
        self.summaries: list[tuple[float, BatchSummary]] = []

    def video_changed(self, update: VideoUpdate) -> None:
        now = time.monotonic() - self.started
        self.first_seen.setdefault(update.youtube_id, now)
        if update.stage is ImportStage.COMPLETE:
            self.completed[update.youtube_id] = now

    def batch_finished(self, summary: BatchSummary) -> None:
        self.summaries.append((time.monotonic() - self.started, summary))


async def measure(large: int, small: int, after_s: float) -> None:
    folder = Path(tempfile.mkdtemp(prefix="fairness-bench-"))
    url = f"sqlite:///{folder / 'library.db'}?timeout=30"
    migrate(url)
    db = Database(url)
    settings = Settings.from_env({"IMPORT_BACKEND": "sim", "REFLEX_DB_URL": url})
    inbox = library.ensure_default_list(db)
    second = library.create_list(db, "Second")
    library.import_paste(db, inbox, " ".join(f"larg{n:07d}" for n in range(large)))
    timeline = Timeline()
    async with build_worker(settings, db, timeline) as worker:
        running = asyncio.create_task(worker.run())
        await asyncio.sleep(after_s)
        pasted_at = time.monotonic() - timeline.started
        small_ids = [f"smal{n:07d}" for n in range(small)]
        library.import_paste(db, second, " ".join(small_ids))
        worker.wake()
        while not all(video_id in timeline.completed for video_id in small_ids):
            await asyncio.sleep(0.1)
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    large_done = sum(1 for video_id in timeline.completed if video_id.startswith("larg"))
    print(f"settings: {settings.youtube_guard}, videos in flight {settings.videos_in_flight}")
    print(
        f"small paste of {small} at {pasted_at:.1f} s, while the batch of {large} had {large_done} complete at the end"
    )
    for video_id in small_ids:
        print(
            f"  {video_id}: started {timeline.first_seen[video_id] - pasted_at:5.1f} s after the paste, "
            f"complete {timeline.completed[video_id] - pasted_at:5.1f} s after"
        )
    worst = max(timeline.completed[v] for v in small_ids) - pasted_at
    print(f"small paste complete {worst:.1f} s after it was pasted (target {TARGET_S:.0f} s)")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=500)
    parser.add_argument("--small", type=int, default=3)
    parser.add_argument("--after", type=float, default=10.0, help="seconds between the two pastes")
    args = parser.parse_args()
    asyncio.run(measure(args.large, args.small, args.after))


if __name__ == "__main__":
    main()
