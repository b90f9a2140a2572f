"""The command line: import a paste into a list without the web app.

Usage::

    python -m robust_import_app import --list "Watch later" links.txt
    pbpaste | python -m robust_import_app import --list Inbox -
    python -m robust_import_app import --list Talks --limit 50 <<< "https://www.youtube.com/@handle"
    python -m robust_import_app worker

``import`` migrates the database, finds the list by name (ignoring case) or
creates it, writes the paste's new videos as one batch
(:func:`robust_import_app.library.import_paste`), then runs the same pipeline
as the server (:func:`robust_import_app.compose.build_worker`) in this process,
on that batch only, until its summary is announced (other workers may help).
Playlists and channels of the paste expand into the batch as their pages of
entries are listed; the command line never asks how many to take: all of
them, or the latest ``--limit N`` of each. The playlist of a watch link with
``list=`` is not expanded; the report names its playlist link to paste.
The paste report and the progress bars, with "312 of 500 imported · about 18
min left", go to stderr; stdout gets the summary line of the web toast and one
``<video id>: <reason>`` line per failed video.

``worker`` runs a headless import worker on every list until SIGTERM or
Ctrl-C (which release its videos at once); run as many as the upstream limits
allow, on any host that reaches the database. It logs each batch summary;
with ``REFLEX_REDIS_URL`` it also reports progress on the bus and wakes on
pastes (:mod:`robust_import_app.pipeline.progress.bus`).

Exit status: 0 when no video failed (also when every link was already in the
list), 1 when some failed, 2 for a usage error or an input without video links,
130 when stopped with Ctrl-C (unfinished videos stay queued in the database).
``worker`` exits 0 when stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from sqlmodel import col, func, select

from robust_import_app import library, sources
from robust_import_app.compose import build_worker, protect_secrets
from robust_import_app.db import Database, migrate
from robust_import_app.domain.errors import ErrorCode
from robust_import_app.domain.stages import ImportStage, Stage
from robust_import_app.models import Video
from robust_import_app.pipeline.progress import bus
from robust_import_app.pipeline.progress.sink import FanOutSink, LogSink, ProgressSink, VideoUpdate
from robust_import_app.pipeline.progress.text import counts_text, summary_text
from robust_import_app.pipeline.queue.videos import TERMINAL, BatchCounts, BatchSummary, ImportQueue
from robust_import_app.pipeline.stages import table
from robust_import_app.pipeline.supervise import supervise
from robust_import_app.settings import Settings, get_settings
from robust_import_app.youtube import RejectedLine, parse_paste

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

ANNOUNCE_POLL_S = 1.0
"""How often, in seconds, to check whether another worker announced the batch."""

MAX_LISTED = 20
"""How many rejected lines or ids the paste report lists before "... and N more"."""

BAR_STAGES: tuple[Stage, ...] = (*(spec.stage for spec in table.STAGES), ImportStage.COMPLETE)
"""One progress bar each, the stage table's working stages then ``complete``: videos that reached or passed it."""

PROG = "python -m robust_import_app"


class UsageError(Exception):
    """Input the command refuses; the message says why (exit status 2)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: one ``import`` sub-command."""
    parser = argparse.ArgumentParser(prog=PROG, description="Robust Import from the command line.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    paste = commands.add_parser(
        "import",
        help="import the YouTube links of a file (or stdin) into a list",
        description=(
            "Import every YouTube video, playlist and channel link in FILE into the list NAME "
            "(created when missing) and wait until the import is done. Exit status: 0 all imported, 1 some failed, "
            "2 usage error or no links, 130 interrupted."
        ),
    )
    paste.add_argument("--list", dest="list_name", required=True, metavar="NAME", help="the list (any case)")
    paste.add_argument(
        "--limit",
        type=_positive_int,
        metavar="N",
        help="take at most the latest N videos of each playlist or channel (default: all)",
    )
    paste.add_argument("file", nargs="?", default="-", metavar="FILE", help="text with links; - (default) is stdin")
    commands.add_parser(
        "worker",
        help="run a headless import worker until stopped",
        description=(
            "Work through every list's queued videos until SIGTERM or Ctrl-C. Several workers, on any "
            "host, share the queue in the database (REFLEX_DB_URL)."
        ),
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (argparse exits 2 itself)."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "worker":
            return run_worker()
        return run_import(list_name=args.list_name, source=args.file, limit=args.limit)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\nStopped before the import started.", file=sys.stderr)
        return EXIT_INTERRUPTED


def _positive_int(text: str) -> int:
    """``--limit``'s value: a whole number of videos, at least 1 (argparse reports the ValueError)."""
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def run_import(*, list_name: str, source: str, limit: int | None = None) -> int:
    """Import the links in ``source`` (a path, or ``-`` for stdin) into ``list_name``.

    ``limit`` caps each playlist or channel at its latest videos (None: all).
    Raises :class:`UsageError` for bad settings, an unreadable file, an input
    without video, playlist or channel links, or a list name or paste the
    library refuses.
    """
    text = _read_input(source)
    try:
        settings = get_settings()
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    protect_secrets(settings)
    parsed = parse_paste(text)
    if not parsed.video_ids and not parsed.sources:
        _report_rejected(parsed.rejected)
        raise UsageError("nothing to import: the input holds no YouTube video, playlist or channel links.")

    migrate(settings.db_url)
    db = Database(settings.db_url)
    try:
        list_id, shown_name = find_or_create_list(db, list_name)
        try:
            outcome = library.import_paste(db, list_id, text, source_limit=limit, ask_large=False)
        except library.LibraryError as exc:
            raise UsageError(str(exc)) from exc
        if outcome.batch_id is None:
            _report_paste(db, outcome, shown_name)
            print(f"Nothing new: everything is already in “{shown_name}”.", file=sys.stderr)
            return EXIT_OK
        try:
            _report_paste(db, outcome, shown_name)
            summary = asyncio.run(_run_batch(settings, db, outcome.batch_id, total=len(outcome.created)))
        except KeyboardInterrupt:
            waiting, total = _unfinished_count(db, outcome.batch_id)
            print(
                f"\nStopped. {waiting} of {total} videos stay queued in the database; "
                "they resume when the app runs (or with the next import of new links).",
                file=sys.stderr,
            )
            return EXIT_INTERRUPTED
        print(summary_text(summary))
        for youtube_id, reason in failed_videos(db, outcome.batch_id, paste_order=outcome.created):
            print(f"{youtube_id}: {reason}")
        return EXIT_FAILED if summary.failed else EXIT_OK
    finally:
        db.dispose()


def run_worker() -> int:
    """Run a supervised headless worker until SIGTERM or Ctrl-C; returns the exit status.

    Raises :class:`UsageError` for bad settings.
    """
    try:
        settings = get_settings()
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    protect_secrets(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    migrate(settings.db_url)
    db = Database(settings.db_url)
    try:
        asyncio.run(_serve_worker(settings, db))
    except KeyboardInterrupt:
        pass
    finally:
        db.dispose()
    return EXIT_OK


async def _serve_worker(settings: Settings, db: Database) -> None:
    """Run the supervised worker until SIGTERM; with Redis, report on the progress bus and take wake-ups from it."""
    log_sink = LogSink(logging.getLogger("robust_import_app.worker"))

    async def cancelled(task: asyncio.Task[None]) -> None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def run(sink: ProgressSink, bus_sink: bus.RedisProgressSink | None) -> None:
        async with build_worker(settings, db, sink) as worker, contextlib.AsyncExitStack() as stack:
            if bus_sink is not None and settings.redis_url:
                for listener in (
                    bus.listen_for_wake(settings.redis_url, worker.wake),
                    bus.report_pauses(worker.pause_notice, bus_sink),
                ):
                    task = asyncio.create_task(listener)
                    stack.push_async_callback(cancelled, task)
            logging.getLogger(__name__).info("Import worker %s started", worker.queue.worker_id)
            await worker.run()

    main = asyncio.current_task()
    assert main is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        if not settings.redis_url:
            await supervise(lambda: run(log_sink, None), name="import worker")
            return
        async with bus.RedisProgressSink(settings.redis_url) as bus_sink:
            sink = FanOutSink(log_sink, bus_sink)
            await supervise(lambda: run(sink, bus_sink), name="import worker")


def find_or_create_list(db: Database, name: str) -> tuple[int, str]:
    """The id and stored name of the list called ``name`` (any case), created when missing.

    Raises :class:`UsageError` for a blank or too long name.
    """
    name = " ".join(name.split())  # as create_list stores it
    for summary in library.list_summaries(db):
        if summary.name.lower() == name.lower():
            return summary.id, summary.name
    try:
        list_id = library.create_list(db, name)
    except library.LibraryError as exc:
        # Another process may have created it in between: look once more.
        for summary in library.list_summaries(db):
            if summary.name.lower() == name.lower():
                return summary.id, summary.name
        raise UsageError(str(exc)) from exc
    print(f"Created the list “{name}”.", file=sys.stderr)
    return list_id, name


def failed_videos(db: Database, batch_id: int, *, paste_order: Sequence[str] = ()) -> list[tuple[str, str]]:
    """``(youtube id, plain reason)`` of every failed video of the batch, in paste order."""
    with db.read() as session:
        rows = session.exec(
            select(Video.youtube_id, Video.error_message, Video.error_code).where(
                Video.batch_id == batch_id, Video.import_stage == ImportStage.ERROR
            )
        ).all()
    position = {video_id: index for index, video_id in enumerate(paste_order)}
    rows = sorted(rows, key=lambda row: (position.get(row[0], len(position)), row[0]))
    return [(youtube_id, message or _code_message(code)) for youtube_id, message, code in rows]


def _code_message(code: str | None) -> str:
    try:
        return ErrorCode(code).message
    except ValueError:
        return ErrorCode.UNKNOWN.message


def _read_input(source: str) -> str:
    if source == "-":
        if sys.stdin is None:
            raise UsageError("no standard input to read links from.")
        if sys.stdin.isatty():
            print("Paste the links, then press Ctrl-D.", file=sys.stderr)
        return sys.stdin.buffer.read().decode("utf-8", errors="replace")
    try:
        return Path(source).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror or exc}") from exc


def _listed(items: Sequence[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" … and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def _report_rejected(rejected: Sequence[RejectedLine]) -> None:
    for line in rejected[:MAX_LISTED]:
        print(f"Skipped {line.text}: {line.reason}", file=sys.stderr)
    if len(rejected) > MAX_LISTED:
        print(f"… and {len(rejected) - MAX_LISTED} more skipped lines", file=sys.stderr)


def _report_paste(db: Database, outcome: library.PasteOutcome, list_name: str) -> None:
    """The paste report on stderr: rejected lines, duplicates, repeats, what is queued, the playlists offered."""
    _report_rejected(outcome.rejected)
    if outcome.duplicates:
        print(
            f"Already in “{list_name}” ({len(outcome.duplicates)}): {_listed(outcome.duplicates)}",
            file=sys.stderr,
        )
    if outcome.repeated:
        print(
            f"Pasted more than once, counted once ({len(outcome.repeated)}): {_listed(outcome.repeated)}",
            file=sys.stderr,
        )
    if outcome.duplicate_sources:
        urls = [ref.url for ref in outcome.duplicate_sources]
        print(f"Already expanded or followed in “{list_name}” ({len(urls)}): {_listed(urls)}", file=sys.stderr)
    if outcome.created:
        count = len(outcome.created)
        print(f"Importing {count} video{'s' if count != 1 else ''} into “{list_name}”.", file=sys.stderr)
    for source_id in outcome.sources:
        print(f"Expanding {sources.get_source(db, source_id).url} into “{list_name}”.", file=sys.stderr)
    for source_id in outcome.offers:
        url = sources.get_source(db, source_id).url
        print(f"Part of a playlist: to import all of it, run again with {url}", file=sys.stderr)


class StageBars:
    """The command line's progress sink: one bar per stage for one batch, plus failures.

    A stage's bar counts the batch's videos that reached or passed it; a video
    reported at a later stage than expected (a resumed one) counts for every
    stage up to it. Reports for other batches are ignored.
    """

    def __init__(self, progress: Progress, *, batch_id: int, total: int) -> None:
        self.batch_id = batch_id
        self.summary: BatchSummary | None = None
        self.finished = asyncio.Event()
        self._progress = progress
        self._reached: dict[str, int] = {}
        self._failed: set[str] = set()
        self._counts = [0] * len(BAR_STAGES)
        self._bars: list[TaskID] = [progress.add_task(stage.value, total=total, status="") for stage in BAR_STAGES]
        self._failed_bar = progress.add_task("[red]failed", total=total, status="")

    def video_changed(self, update: VideoUpdate) -> None:
        """Move the video's bars forward to its stage."""
        if update.batch_id != self.batch_id:
            return
        if update.stage is ImportStage.ERROR:
            self._failed.add(update.youtube_id)
            self._progress.update(self._failed_bar, completed=len(self._failed))
            return
        if update.stage not in BAR_STAGES:
            return
        before = self._reached.get(update.youtube_id, -1)
        now = BAR_STAGES.index(update.stage)
        if now <= before:
            return
        self._reached[update.youtube_id] = now
        for index in range(before + 1, now + 1):
            self._counts[index] += 1
            self._progress.update(self._bars[index], completed=self._counts[index])

    def show_status(self, counts: BatchCounts) -> None:
        """Show "312 of 500 imported · about 18 min left" beside the complete bar; the bars grow with the batch.

        A batch with playlists or channels grows as their pages are listed.
        """
        for bar in (*self._bars, self._failed_bar):
            self._progress.update(bar, total=max(counts.total, 1))
        self._progress.update(self._bars[-1], status=counts_text(counts))

    def batch_finished(self, summary: BatchSummary) -> None:
        """Keep this batch's summary and stop waiting."""
        if summary.batch_id == self.batch_id:
            self.settle(summary)

    def settle(self, summary: BatchSummary) -> None:
        """Show the final counts (another worker may have done part of the batch)."""
        self.summary = summary
        total = max(summary.imported + summary.failed + summary.cancelled, 1)
        for bar in (*self._bars, self._failed_bar):
            self._progress.update(bar, total=total)
        self._counts = [max(count, summary.imported) for count in self._counts[:-1]] + [summary.imported]
        for bar, count in zip(self._bars, self._counts, strict=True):
            self._progress.update(bar, completed=count)
        self._progress.update(self._failed_bar, completed=summary.failed)
        self.finished.set()


async def _run_batch(settings: Settings, db: Database, batch_id: int, *, total: int) -> BatchSummary:
    """Run the pipeline in this process until the batch is announced; returns its summary.

    The worker is cancelled afterwards, which releases any video it still holds.
    """

    console = Console(stderr=True)
    logging.basicConfig(
        level=logging.WARNING,
        handlers=[RichHandler(console=console, show_path=False)],
        format="%(message)s",
        force=True,
    )
    columns = (
        TextColumn("{task.description:<9}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
    )
    with Progress(*columns, console=console) as progress:
        bars = StageBars(progress, batch_id=batch_id, total=total)
        async with build_worker(settings, db, bars, batch_id=batch_id) as worker:
            running = asyncio.create_task(worker.run(), name="import worker")
            try:
                return await _wait_for_summary(bars, running, db)
            finally:
                running.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await running


async def _wait_for_summary(bars: StageBars, running: asyncio.Task[None], db: Database) -> BatchSummary:
    """Wait for this worker to announce the batch, or notice another worker did.

    Raises whatever stopped the worker, or RuntimeError when it returned.
    """
    announced = asyncio.create_task(bars.finished.wait())
    try:
        while bars.summary is None:
            await asyncio.wait({announced, running}, timeout=ANNOUNCE_POLL_S, return_when=asyncio.FIRST_COMPLETED)
            if bars.summary is not None:
                break
            if running.done():
                running.result()
                raise RuntimeError("the import worker stopped before the batch was done")
            elsewhere = await asyncio.to_thread(ImportQueue(db).announced_summary, bars.batch_id)
            if elsewhere is not None:
                bars.settle(elsewhere)
            else:
                bars.show_status(await asyncio.to_thread(library.batch_progress, db, bars.batch_id))
        return bars.summary
    finally:
        announced.cancel()


def _unfinished_count(db: Database, batch_id: int) -> tuple[int, int]:
    """``(unfinished, total)`` videos of the batch."""
    with db.read() as session:
        unfinished, total = session.exec(
            select(func.count().filter(col(Video.import_stage).not_in(TERMINAL)), func.count())
            .select_from(Video)
            .where(Video.batch_id == batch_id)
        ).one()
    return unfinished, total
