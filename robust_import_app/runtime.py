"""The process's running import worker, for the UI to wake after a paste."""

from __future__ import annotations

from robust_import_app.pipeline.worker import ImportWorker

_worker: ImportWorker | None = None


def set_worker(worker: ImportWorker | None) -> None:
    """Register (or, with None, forget) the worker this process runs."""
    global _worker
    _worker = worker


def wake_worker() -> None:
    """Ask the worker to look for due videos now; harmless when none runs here.

    With several backend processes, the others find the new rows within
    their poll interval (1 s).
    """
    if _worker is not None:
        _worker.wake()
