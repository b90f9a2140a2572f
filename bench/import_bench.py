"""Resilience benchmark: import N videos through the simulated YouTube, faults and all.

Usage::

    .venv/bin/python bench/import_bench.py                      # N=1000, R=5/s, both designs
    .venv/bin/python bench/import_bench.py --n 100 --only pipeline
    .venv/bin/python bench/import_bench.py --json bench/results/latest.json

Each design runs in a child process of its own (so that its peak RSS is its
own) against its own :class:`SimBackend` with ``rate_per_s=R`` per upstream
(the physical limit), the same fault mix and seed and the same N video ids:

(a) **pipeline**: the app's pipeline as the server composes it (settings from
    ``IMPORT_*`` variables, guards, retry policy, :class:`ImportWorker` on a
    fresh migrated SQLite file); the paste goes in through
    :func:`robust_import_app.library.import_paste`.
(b) **naive**: the original plan's design (:mod:`naive`).

By default both run at the same time (2 cores, one process each; the
designs share nothing). The parent prints one table side by side and a
PASS/FAIL line per target. Permanent faults are checked against the fault
plan (:class:`FaultPlan` under the same seed), not against what the design
reports. Times are wall-clock seconds; "paste" is the moment the ids are
handed over.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import random
import resource
import statistics
import string
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from robust_import_app.domain.errors import ErrorCode
from robust_import_app.youtube.sim import ID_CLASSES, FaultKind, FaultMix, FaultPlan

DEFAULT_N = 1000
DEFAULT_RATE = 5.0
DEFAULT_FAULTS = "429:0.1,5xx:0.05,timeout:0.02,private:0.02,removed:0.01,bot_check:0.005"
DEFAULT_SEED = 1
DEFAULT_LATENCY_MS = 100.0
DEFAULT_TIMEOUT_S = 4 * 3600.0
DESIGNS = ("pipeline", "naive")

TARGET_RATIO = 0.9
TARGET_SPEEDUP = 2.0

_PERMANENT_CODES = {
    FaultKind.PRIVATE: ErrorCode.PRIVATE,
    FaultKind.REMOVED: ErrorCode.REMOVED,
    FaultKind.AGE_RESTRICTED: ErrorCode.AGE_RESTRICTED,
    FaultKind.MEMBERS_ONLY: ErrorCode.MEMBERS_ONLY,
}
_ID_ALPHABET = string.ascii_letters + string.digits + "-_"
_PROGRESS_EVERY_S = 0.5


# --- the workload and its ground truth ------------------------------------------------


def video_ids(n: int, seed: int) -> list[str]:
    """``n`` distinct random 11-character ids, none with a special class prefix (:data:`ID_CLASSES`)."""
    rng = random.Random(f"import-bench|{seed}")
    ids: dict[str, None] = {}
    while len(ids) < n:
        candidate = "".join(rng.choice(_ID_ALPHABET) for _ in range(11))
        if candidate[:4] not in ID_CLASSES:
            ids[candidate] = None
    return list(ids)


def expected_permanent(ids: list[str], mix: FaultMix, seed: int) -> dict[str, ErrorCode]:
    """The reason each video with a permanent fault must fail with, from the sim's fault plan."""
    plan = FaultPlan(mix, seed=seed)
    return {vid: _PERMANENT_CODES[kind] for vid in ids if (kind := plan.permanent(vid)) is not None}


# --- what one design produced -----------------------------------------------------------


@dataclass
class Result:
    """The figures of one design's run; times in seconds, memory in MB."""

    design: str
    config: dict[str, str]
    n: int
    rate_per_s: float
    duration_s: float
    accepted: dict[str, int]
    rejected: dict[str, int]
    faulted: dict[str, int]
    completed: int
    failed: int
    lost: int
    transient_failures: dict[str, str]
    permanent_expected: int
    permanent_right: int
    permanent_wrong: dict[str, str]
    p50_s: float | None
    p95_s: float | None
    peak_rss_mb: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio_by_upstream(self) -> dict[str, float]:
        """Accepted calls per second on each upstream, over R."""
        return {
            up: n / self.duration_s / self.rate_per_s if self.duration_s else 0.0 for up, n in self.accepted.items()
        }

    @property
    def ratio(self) -> float:
        """The busiest upstream's ratio: the one whose limit bounds the throughput."""
        return max(self.ratio_by_upstream.values(), default=0.0)

    @property
    def videos_per_hour(self) -> float:
        """Completed videos per hour of the run."""
        return self.completed / self.duration_s * 3600 if self.duration_s else 0.0


def _score(
    design: str,
    config: dict[str, str],
    args: argparse.Namespace,
    ids: list[str],
    outcomes: dict[str, tuple[str, str | None]],
    finished_at: dict[str, float],
    pasted_at: float,
    backend: Any,
    extra: dict[str, Any],
) -> Result:
    """Compare ``outcomes`` (id -> ("complete" | "failed", error code)) with the ground truth."""
    truth = expected_permanent(ids, FaultMix.parse(args.faults), args.seed)
    completed = [vid for vid, (state, _) in outcomes.items() if state == "complete"]
    failed = {vid: code for vid, (state, code) in outcomes.items() if state == "failed"}
    wrong = {
        vid: f"expected {code.value}, got {_got(outcomes.get(vid))}"
        for vid, code in truth.items()
        if failed.get(vid) != code.value
    }
    times = sorted(finished_at[vid] - pasted_at for vid in completed if vid in finished_at)
    last = max(finished_at.values(), default=pasted_at)
    stats = backend.stats
    return Result(
        design=design,
        config=config,
        n=len(ids),
        rate_per_s=args.rate,
        duration_s=last - pasted_at,
        accepted={"player": stats.player.accepted, "transcript": stats.transcript.accepted},
        rejected={"player": stats.player.rejected, "transcript": stats.transcript.rejected},
        faulted={"player": stats.player.faulted, "transcript": stats.transcript.faulted},
        completed=len(completed),
        failed=len(failed),
        lost=len(ids) - len(completed) - len(failed),
        transient_failures={vid: code or "?" for vid, code in failed.items() if vid not in truth},
        permanent_expected=len(truth),
        permanent_right=len(truth) - len(wrong),
        permanent_wrong=wrong,
        p50_s=_percentile(times, 50),
        p95_s=_percentile(times, 95),
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        extra=extra,
    )


def _got(outcome: tuple[str, str | None] | None) -> str:
    """ "failed: <code>", "complete" or "lost", for a misreported permanent fault."""
    if outcome is None:
        return "lost"
    state, code = outcome
    return f"failed: {code}" if state == "failed" else state


def _percentile(sorted_values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


class _Reporter:
    """Child side of the progress display: ``P done failed note`` lines on stdout."""

    def __init__(self) -> None:
        self.done = 0
        self.failed = 0
        self._last_s = 0.0

    def finished(self, *, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        self.emit()

    def emit(self, note: str = "", *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_s >= _PROGRESS_EVERY_S:
            self._last_s = now
            print(f"P {self.done} {self.failed} {note}", flush=True)


# --- (a) the pipeline -----------------------------------------------------------------------


INTERVAL_OF_R = 0.9
"""Base spacing, in units of 1/R: slightly faster than the limit (the limiter only stretches)."""
MAX_INTERVAL_OF_R = 1.5
"""Longest spacing the limiter may stretch to, in units of 1/R."""
BREAKER_THRESHOLD = 6
"""Consecutive counting failures that open a breaker (the app default, 3, trips on this fault mix)."""


def pipeline_env(args: argparse.Namespace) -> dict[str, str]:
    """The ``IMPORT_*`` settings the pipeline runs with; intervals are set from R.

    Defaults: ``IMPORT_REQUEST_INTERVAL_S`` = 0.9/R, ``IMPORT_MAX_INTERVAL_S``
    = 1.5/R, ``IMPORT_BREAKER_THRESHOLD`` = 6; ``--interval-s`` and ``--set``
    override them. Everything else is the app's default.
    """
    interval_s = args.interval_s if args.interval_s is not None else INTERVAL_OF_R / args.rate
    env = {
        "IMPORT_REQUEST_INTERVAL_S": f"{interval_s:g}",
        "IMPORT_MAX_INTERVAL_S": f"{max(interval_s, MAX_INTERVAL_OF_R / args.rate):g}",
        "IMPORT_BREAKER_THRESHOLD": str(BREAKER_THRESHOLD),
        "IMPORT_VIDEOS_IN_FLIGHT": str(args.videos_in_flight),
    }
    for name, value in args.setting or []:
        env[name] = value
    return env


async def run_pipeline(args: argparse.Namespace, ids: list[str], reporter: _Reporter) -> Result:
    from sqlmodel import select

    from robust_import_app import library
    from robust_import_app.db import Database, migrate
    from robust_import_app.domain.upstreams import Upstream
    from robust_import_app.models import Video
    from robust_import_app.pipeline.progress.sink import VideoUpdate
    from robust_import_app.pipeline.progress.text import summary_text
    from robust_import_app.pipeline.queue.videos import BatchSummary, ImportQueue
    from robust_import_app.pipeline.resilience.breaker import BreakerState
    from robust_import_app.pipeline.resilience.guard import Guards
    from robust_import_app.pipeline.resilience.retry import RetryPolicy
    from robust_import_app.pipeline.stages.context import StageContext
    from robust_import_app.pipeline.worker import ImportWorker
    from robust_import_app.settings import Settings
    from robust_import_app.youtube.sim import SimBackend

    env = pipeline_env(args)
    settings = Settings.from_env(env)
    guard = settings.youtube_guard
    retry = RetryPolicy(
        max_attempts=settings.max_attempts, backoff_base_s=settings.backoff_base_s, backoff_max_s=settings.backoff_max_s
    )
    config = {
        "settings": " ".join(f"{k}={v}" for k, v in env.items())
        + f"  (intervals set from R={args.rate:g}/s: {INTERVAL_OF_R:g}/R and {MAX_INTERVAL_OF_R:g}/R; the rest app defaults)",
        "youtube guard": repr(guard),
        "retry": repr(retry),
        "videos in flight": str(settings.videos_in_flight),
        "limiter": "x1.5 per 429 (max_interval_s), x0.9 per success (to interval_s), Retry-After honoured",
    }
    finished_at: dict[str, float] = {}
    summaries: list[BatchSummary] = []

    class Sink:
        def video_changed(self, update: VideoUpdate) -> None:
            if update.stage.is_terminal and update.youtube_id not in finished_at:
                finished_at[update.youtube_id] = time.monotonic()
                reporter.finished(failed=update.stage.value == "error")

        def batch_finished(self, summary: BatchSummary) -> None:
            summaries.append(summary)

    unexpected = _ErrorCounter()
    logging.getLogger("robust_import_app").addHandler(unexpected)

    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'library.db'}?timeout=30"
        await asyncio.to_thread(migrate, url)
        db = Database(url)
        backend = SimBackend(
            latency_s=args.latency_ms / 1000,
            rate_per_s=args.rate,
            faults=FaultMix.parse(args.faults),
            seed=args.seed,
        )
        guards = Guards.from_configs(settings.guard_configs())
        ctx = StageContext(backend=backend, guards=guards, queue=ImportQueue(db))
        worker = ImportWorker(ctx, sink=Sink(), retry_policy=retry, videos_in_flight=settings.videos_in_flight)
        list_id = library.ensure_default_list(db)
        paste = "\n".join(f"https://www.youtube.com/watch?v={vid}" for vid in ids)

        opens = {up.value: 0 for up in (Upstream.PLAYER, Upstream.TRANSCRIPT)}
        interval_samples: dict[str, list[float]] = {up: [] for up in opens}

        async def watch() -> None:
            was_open = {up: False for up in opens}
            while True:
                notes = []
                for up in opens:
                    g = guards[Upstream(up)]
                    is_open = g.breaker.state is BreakerState.OPEN
                    opens[up] += is_open and not was_open[up]
                    was_open[up] = is_open
                    interval_samples[up].append(g.limiter.interval_s)
                    notes.append(f"{up} {g.limiter.interval_s:.2f}s{' OPEN' if is_open else ''}")
                reporter.emit(" | ".join(notes))
                await asyncio.sleep(0.25)

        pasted_at = time.monotonic()
        library.import_paste(db, list_id, paste)
        watcher = asyncio.create_task(watch())
        timed_out = False
        try:
            await asyncio.wait_for(worker.run(until_idle=True), timeout=args.timeout_s)
        except TimeoutError:
            timed_out = True
        finally:
            watcher.cancel()
        with db.read() as session:
            rows = session.exec(select(Video.youtube_id, Video.import_stage, Video.error_code)).all()
        db.dispose()

    outcomes = {
        vid: ("complete" if stage.value == "complete" else "failed", code)
        for vid, stage, code in rows
        if stage.is_terminal
    }
    extra = {
        "breaker opens (sampled)": opens,
        "mean limiter interval s (sampled)": {
            up: round(statistics.fmean(v), 3) if v else None for up, v in interval_samples.items()
        },
        "unexpected errors logged": unexpected.count,
        "batch summary": summary_text(summaries[0]) if summaries else None,
        "timed out": timed_out,
    }
    return _score("pipeline", config, args, ids, outcomes, finished_at, pasted_at, backend, extra)


class _ErrorCounter(logging.Handler):
    """Counts ERROR records (the worker's "Unexpected error importing ...")."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


# --- (b) the naive design --------------------------------------------------------------------


async def run_naive(args: argparse.Namespace, ids: list[str], reporter: _Reporter) -> Result:
    import naive

    from robust_import_app.youtube.sim import SimBackend

    backend = SimBackend(
        latency_s=args.latency_ms / 1000,
        rate_per_s=args.rate,
        faults=FaultMix.parse(args.faults),
        seed=args.seed,
    )
    config = {
        "design": (
            f"semaphore {naive.CONCURRENCY}, sleep {naive.DELAY_S:g} s before each call, "
            f"retries after {'/'.join(f'{d:g}' for d in naive.RETRY_DELAYS_S)} s on any error, "
            f"breaker {naive.BREAKER_THRESHOLD} consecutive failures -> {naive.BREAKER_PAUSE_S:g} s pause"
        ),
        "queue": "in memory",
    }
    finished_at: dict[str, float] = {}

    def on_finished(video: naive.NaiveVideo) -> None:
        finished_at[video.video_id] = video.finished_at or time.monotonic()
        reporter.finished(failed=video.outcome is naive.Outcome.FAILED)

    importer = naive.NaiveImporter(backend, on_finished=on_finished)

    async def ticker() -> None:
        while True:
            paused_s = importer.breaker.paused_until - time.monotonic()
            reporter.emit(f"breaker OPEN {paused_s:.0f}s" if paused_s > 0 else "")
            await asyncio.sleep(0.25)

    pasted_at = time.monotonic()
    ticking = asyncio.create_task(ticker())
    timed_out = False
    try:
        await asyncio.wait_for(importer.run(ids), timeout=args.timeout_s)
    except TimeoutError:
        timed_out = True
    finally:
        ticking.cancel()
    outcomes = {
        v.video_id: (v.outcome.value, v.error_code.value if v.error_code else None)
        for v in importer.queue
        if v.outcome is not None
    }
    extra = {
        "calls": importer.calls,
        "retries": importer.retries,
        "breaker opens": importer.breaker.opened,
        "timed out": timed_out,
    }
    return _score("naive", config, args, ids, outcomes, finished_at, pasted_at, backend, extra)


def child_main(args: argparse.Namespace) -> None:
    """Run one design and write its :class:`Result` as JSON to ``args.result_path``."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    ids = video_ids(args.n, args.seed)
    reporter = _Reporter()
    runner = run_pipeline if args.child == "pipeline" else run_naive
    result = asyncio.run(runner(args, ids, reporter))
    reporter.emit("done", force=True)
    Path(args.result_path).write_text(json.dumps(asdict(result)))


# --- the parent: run, show, judge -----------------------------------------------------------


def _child_argv(args: argparse.Namespace, design: str, result_path: Path) -> list[str]:
    argv = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        design,
        "--result-path",
        str(result_path),
        "--n",
        str(args.n),
        "--rate",
        repr(args.rate),
        "--faults",
        args.faults,
        "--seed",
        str(args.seed),
        "--latency-ms",
        repr(args.latency_ms),
        "--timeout-s",
        repr(args.timeout_s),
        "--videos-in-flight",
        str(args.videos_in_flight),
    ]
    if args.interval_s is not None:
        argv += ["--interval-s", repr(args.interval_s)]
    for name, value in args.setting or []:
        argv += ["--set", f"{name}={value}"]
    return argv


async def _run_children(args: argparse.Namespace, designs: list[str], tmp: Path) -> dict[str, Result]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("{task.description:<9}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("failed {task.fields[failed]}"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[note]}"),
        transient=False,
    )
    paths = {d: tmp / f"{d}.json" for d in designs}

    async def one(design: str) -> None:
        task = progress.add_task(design, total=args.n, failed=0, note="")
        proc = await asyncio.create_subprocess_exec(
            *_child_argv(args, design, paths[design]), stdout=asyncio.subprocess.PIPE
        )
        assert proc.stdout is not None
        async for raw in proc.stdout:
            parts = raw.decode().rstrip("\n").split(" ", 3)
            if parts[0] == "P" and len(parts) >= 3:
                progress.update(task, completed=int(parts[1]), failed=parts[2], note=parts[3] if len(parts) > 3 else "")
        if await proc.wait() != 0:
            raise SystemExit(f"the {design} run failed (exit status {proc.returncode})")

    with progress:
        if args.sequential:
            for design in designs:
                await one(design)
        else:
            await asyncio.gather(*(one(d) for d in designs))
    return {d: Result(**json.loads(paths[d].read_text())) for d in designs}


def _fmt_s(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f} s" if value < 120 else f"{value:.0f} s ({value / 60:.1f} min)"


def report(args: argparse.Namespace, results: dict[str, Result]) -> list[tuple[str, bool]]:
    """Print the side-by-side table and the targets; returns ``(target, passed)`` pairs."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=140)
    designs = list(results)
    console.print(
        f"[bold]Import benchmark[/]: N={args.n}, R={args.rate:g}/s per upstream, seed {args.seed}, "
        f"latency {args.latency_ms:g} ms, faults {args.faults}, "
        f"{'one design after the other' if args.sequential else 'designs run side by side, one process each'}",
        soft_wrap=True,
    )
    table = Table()
    table.add_column("figure")
    for design in designs:
        table.add_column(design, justify="right")

    def row(label: str, fn) -> None:
        table.add_row(label, *(fn(results[d]) for d in designs))

    row("accepted calls/s ÷ R, busiest upstream", lambda r: f"{r.ratio:.3f}")
    row("  player / transcript", lambda r: " / ".join(f"{v:.3f}" for v in r.ratio_by_upstream.values()))
    row("calls accepted (player / transcript)", lambda r: " / ".join(str(v) for v in r.accepted.values()))
    row("  rejected by the limit (429)", lambda r: " / ".join(str(v) for v in r.rejected.values()))
    row("  met an injected fault", lambda r: " / ".join(str(v) for v in r.faulted.values()))
    row("videos per hour (completed)", lambda r: f"{r.videos_per_hour:,.0f}")
    row("run time, paste to last video", lambda r: _fmt_s(r.duration_s))
    row("completed / failed", lambda r: f"{r.completed} / {r.failed}")
    row("videos lost", lambda r: str(r.lost))
    row("transient faults ended as failures", lambda r: str(len(r.transient_failures)))
    row("permanent faults, right reason", lambda r: f"{r.permanent_right} / {r.permanent_expected}")
    row("p50 paste → complete", lambda r: _fmt_s(r.p50_s))
    row("p95 paste → complete", lambda r: _fmt_s(r.p95_s))
    row("peak RSS", lambda r: f"{r.peak_rss_mb:.0f} MB")
    for key in sorted({k for r in results.values() for k in r.extra}):
        row(key, lambda r, k=key: _short(r.extra.get(k, "")))
    console.print(table)
    for design in designs:
        for key, value in results[design].config.items():
            console.print(f"[bold]{design}[/] {key}: {value}", soft_wrap=True)
        if results[design].transient_failures:
            console.print(f"{design} transient failures: {_short(results[design].transient_failures, 400)}")
        if results[design].permanent_wrong:
            console.print(f"{design} permanent faults misreported: {_short(results[design].permanent_wrong, 400)}")

    checks: list[tuple[str, bool]] = []
    if "pipeline" in results:
        p = results["pipeline"]
        checks += [
            (f"pipeline ratio {p.ratio:.3f} >= {TARGET_RATIO}", p.ratio >= TARGET_RATIO),
            (f"pipeline lost {p.lost} == 0", p.lost == 0),
            (
                f"pipeline transient faults ending as failures {len(p.transient_failures)} == 0",
                not p.transient_failures,
            ),
            (
                f"pipeline permanent faults reported with the right reason {p.permanent_right}/{p.permanent_expected}",
                p.permanent_right == p.permanent_expected,
            ),
        ]
        if "naive" in results:
            n = results["naive"]
            speedup = p.videos_per_hour / n.videos_per_hour if n.videos_per_hour else math.inf
            checks.append(
                (
                    f"pipeline throughput {speedup:.2f}x naive >= {TARGET_SPEEDUP}x (target set for R = 5/s)",
                    speedup >= TARGET_SPEEDUP,
                )
            )
    for label, passed in checks:
        console.print(f"{'[green]PASS[/]' if passed else '[red]FAIL[/]'} {label}")
    return checks


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.startswith("IMPORT_"):
        raise argparse.ArgumentTypeError(f"expected IMPORT_NAME=value, got {text!r}")
    return name, value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N, help=f"videos to import (default {DEFAULT_N})")
    parser.add_argument(
        "--rate",
        type=float,
        default=DEFAULT_RATE,
        help=f"R: the sim's calls/s per upstream, IMPORT_SIM_RATE (default {DEFAULT_RATE:g})",
    )
    parser.add_argument("--faults", default=DEFAULT_FAULTS, help="fault mix, IMPORT_SIM_FAULTS")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"fault and id seed (default {DEFAULT_SEED})")
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=DEFAULT_LATENCY_MS,
        help=f"the sim's latency per call (default {DEFAULT_LATENCY_MS:g})",
    )
    parser.add_argument("--only", choices=(*DESIGNS, "both"), default="both")
    parser.add_argument("--json", type=Path, help="also save the results here")
    parser.add_argument("--sequential", action="store_true", help="run the designs one after the other")
    parser.add_argument(
        "--timeout-s",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        help="stop a design after this long; unfinished videos count as lost",
    )
    parser.add_argument(
        "--interval-s",
        type=float,
        default=None,
        help=f"pipeline IMPORT_REQUEST_INTERVAL_S (default {INTERVAL_OF_R:g}/R)",
    )
    parser.add_argument("--videos-in-flight", type=int, default=8, help="pipeline IMPORT_VIDEOS_IN_FLIGHT (default 8)")
    parser.add_argument(
        "--set",
        dest="setting",
        action="append",
        type=_setting,
        metavar="IMPORT_NAME=VALUE",
        help=f"any pipeline setting, e.g. --set IMPORT_BREAKER_THRESHOLD=3 (the bench sets {BREAKER_THRESHOLD})",
    )
    parser.add_argument("--child", choices=DESIGNS, help=argparse.SUPPRESS)
    parser.add_argument("--result-path", help=argparse.SUPPRESS)
    return parser


def main() -> int:
    args = build_parser().parse_args()
    if args.child:
        child_main(args)
        return 0
    FaultMix.parse(args.faults)  # fail early on a bad mix
    designs = list(DESIGNS) if args.only == "both" else [args.only]
    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        results = asyncio.run(_run_children(args, designs, Path(tmp)))
    checks = report(args, results)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "args": {k: v for k, v in vars(args).items() if k not in ("child", "result_path", "json")},
            "results": {
                d: {**asdict(r), "ratio": r.ratio, "videos_per_hour": r.videos_per_hour} for d, r in results.items()
            },
            "checks": [{"target": label, "passed": ok} for label, ok in checks],
        }
        args.json.write_text(json.dumps(payload, indent=2, default=str))
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
