"""run_in_thread_to_the_end: a worker thread that never outlives the task awaiting it."""

from __future__ import annotations

import asyncio
import threading

import pytest

from robust_import_app.threads import run_in_thread_to_the_end

BOUND_S = 10.0
"""Every wait here ends as soon as its event is set; the bound only stops a broken test."""


@pytest.mark.asyncio
async def test_result_and_errors_come_through() -> None:
    assert await run_in_thread_to_the_end(lambda: 42) == 42
    with pytest.raises(ZeroDivisionError):
        await run_in_thread_to_the_end(lambda: 1 / 0)


@pytest.mark.asyncio
async def test_cancellation_sets_stop_and_waits_for_the_thread_through_repeated_cancels() -> None:
    started, stop, finish, ended = threading.Event(), threading.Event(), threading.Event(), threading.Event()

    def work() -> None:
        started.set()
        assert stop.wait(BOUND_S), "stop was never set"
        assert finish.wait(BOUND_S)  # still cleaning up after the stop
        ended.set()
        raise RuntimeError("stopped")  # what a stopped library raises; not reported

    task = asyncio.create_task(run_in_thread_to_the_end(work, stop=stop))
    await asyncio.to_thread(started.wait, BOUND_S)
    task.cancel()
    await asyncio.to_thread(stop.wait, BOUND_S)
    task.cancel()  # a second cancellation while it waits
    await asyncio.sleep(0)
    assert not task.done(), "raised before the thread ended"
    finish.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert ended.is_set()
