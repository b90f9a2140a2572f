"""The process's running import worker and wake-up publisher, for the UI to wake workers after a paste."""

from __future__ import annotations

from robust_import_app.pipeline.progress.bus import WakePublisher
from robust_import_app.pipeline.resilience.guard import Guards
from robust_import_app.pipeline.worker import ImportWorker

_worker: ImportWorker | None = None
_wake_publisher: WakePublisher | None = None


def set_worker(worker: ImportWorker | None) -> None:
    """Register (or, with None, forget) the worker this process runs."""
    global _worker
    _worker = worker


def running_guards() -> Guards | None:
    """The upstream guards of the worker this process runs; None when none runs here (yet)."""
    return _worker.ctx.guards if _worker is not None else None


def set_wake_publisher(publisher: WakePublisher | None) -> None:
    """Register (or, with None, forget) the progress bus's wake-up publisher (``REFLEX_REDIS_URL`` set)."""
    global _wake_publisher
    _wake_publisher = publisher


def wake_worker() -> None:
    """Ask the workers to look for due videos now; returns at once, harmless when none runs.

    Wakes this process's worker, and with Redis every ``worker`` process
    listening on the bus. Without Redis, other processes find the new rows
    within their poll interval (1 s).
    """
    if _worker is not None:
        _worker.wake()
    if _wake_publisher is not None:
        _wake_publisher.wake()
