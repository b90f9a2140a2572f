"""Blocking library calls in worker threads that never outlive their caller.

``asyncio.to_thread`` returns at once when the awaiting task is cancelled,
while the thread goes on (yt-dlp downloading, espeak-ng or ffmpeg writing) and
may write into a folder its caller is removing. The backends and the Whisper
chunking run their file-writing calls through :func:`run_in_thread_to_the_end`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar

_T = TypeVar("_T")


async def run_in_thread_to_the_end(func: Callable[[], _T], *, stop: threading.Event | None = None) -> _T:
    """Run blocking ``func`` in a worker thread and return its result.

    When the awaiting task is cancelled, ``stop`` is set (``func`` may check it
    to end early) and the thread is awaited to its end, through further
    cancellations, before ``CancelledError`` is raised. How long that takes is
    up to ``func``. Raises what ``func`` raises.
    """
    thread = asyncio.ensure_future(asyncio.to_thread(func))
    try:
        return await asyncio.shield(thread)
    except asyncio.CancelledError:
        if stop is not None:
            stop.set()
        while not thread.done():
            try:
                await asyncio.wait([thread])
            except asyncio.CancelledError:
                continue
        if not thread.cancelled():
            thread.exception()  # retrieved: the failure the stop caused is expected
        raise
