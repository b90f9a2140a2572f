"""The Reflex lifespan task that runs the import worker for the life of the server."""

from __future__ import annotations

import asyncio

import reflex as rx

from robust_import_app import library, runtime
from robust_import_app.compose import build_worker
from robust_import_app.db import get_database
from robust_import_app.pipeline.supervise import supervise
from robust_import_app.pipeline.worker import ImportWorker
from robust_import_app.settings import Settings
from robust_import_app.state.publisher import LivePublisher


async def import_worker(app: rx.App) -> None:
    """Reflex lifespan task: run the import worker for the life of the server.

    The worker is supervised: should it ever die (a bug, a database that
    stays away), the reason is logged and a fresh worker starts after a
    backoff; the publisher keeps running throughout.
    """
    settings = Settings.from_env()
    db = get_database()
    running: ImportWorker | None = None
    publisher = LivePublisher(
        app, db, interval_s=settings.push_interval_s, pause_notice=lambda: running.pause_notice() if running else None
    )

    async def run_worker() -> None:
        nonlocal running
        await asyncio.to_thread(library.ensure_default_list, db)
        async with build_worker(settings, db, publisher) as worker:
            running = worker
            runtime.set_worker(worker)
            try:
                await worker.run()
            finally:
                runtime.set_worker(None)
                running = None

    flushing = asyncio.create_task(publisher.run(), name="import progress publisher")
    try:
        await supervise(run_worker, name="import worker")
    finally:
        flushing.cancel()
