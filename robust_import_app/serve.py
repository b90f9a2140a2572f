"""The Reflex lifespan task: the progress publisher, and the import worker or the progress bus.

One process with SQLite (the default): the worker runs here and reports
straight to the publisher. With ``REFLEX_REDIS_URL`` set, the task also
listens on the progress bus (:mod:`robust_import_app.pipeline.progress.bus`), so the
reports of ``python -m robust_import_app worker`` processes on any host reach
this process's tabs, and a paste wakes those workers over Redis; with
``IMPORT_WORKER_IN_WEB=0`` as well, no worker runs in the web process at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import reflex as rx

from robust_import_app import library, runtime
from robust_import_app.compose import build_worker, get_database
from robust_import_app.pipeline.progress import bus
from robust_import_app.pipeline.progress.pause import PauseNotice
from robust_import_app.pipeline.supervise import supervise
from robust_import_app.pipeline.worker import ImportWorker
from robust_import_app.settings import Settings, get_settings
from robust_import_app.state.publisher import LivePublisher

logger = logging.getLogger(__name__)


async def import_worker(app: rx.App) -> None:
    """Reflex lifespan task: publish progress to the tabs, and run the import worker, for the life of the server.

    The worker is supervised: should it ever die (a bug, a database that
    stays away), the reason is logged and a fresh worker starts after a
    backoff; the publisher and the bus subscription keep running throughout.
    """
    settings = get_settings()
    if not settings.worker_in_web and not settings.redis_url:
        logger.warning(
            "IMPORT_WORKER_IN_WEB=0 without REFLEX_REDIS_URL: the worker processes' progress reaches the tabs "
            "only when they reload (set REFLEX_REDIS_URL for live progress)"
        )
    db = get_database()
    running: ImportWorker | None = None
    remote_pauses = bus.RemotePauses()

    def pause_notice() -> PauseNotice | None:
        local = running.pause_notice() if running else None
        return local or remote_pauses.current()

    publisher = LivePublisher(app, db, interval_s=settings.push_interval_s, pause_notice=pause_notice)

    async def run_worker() -> None:
        nonlocal running
        await asyncio.to_thread(library.ensure_default_list, db)
        async with build_worker(settings, db, publisher) as worker, _woken_by_bus(settings, worker):
            running = worker
            runtime.set_worker(worker)
            try:
                await worker.run()
            finally:
                runtime.set_worker(None)
                running = None

    async with contextlib.AsyncExitStack() as stack:
        tasks = [asyncio.create_task(publisher.run(), name="import progress publisher")]
        if settings.redis_url:
            tasks.append(
                asyncio.create_task(
                    bus.subscribe(settings.redis_url, publisher, remote_pauses.update), name="progress bus subscriber"
                )
            )
            waker = await stack.enter_async_context(bus.WakePublisher(settings.redis_url))
            runtime.set_wake_publisher(waker)
            stack.callback(runtime.set_wake_publisher, None)
        try:
            if settings.worker_in_web:
                await supervise(run_worker, name="import worker")
            else:
                await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


@contextlib.asynccontextmanager
async def _woken_by_bus(settings: Settings, worker: ImportWorker):
    """With Redis, wake ``worker`` on each wake-up published on the bus (a paste in another process)."""
    if not settings.redis_url:
        yield
        return
    listening = asyncio.create_task(bus.listen_for_wake(settings.redis_url, worker.wake), name="wake-up listener")
    try:
        yield
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
