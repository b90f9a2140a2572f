"""The progress bus against a real Redis: round trips, one toast per batch, and a Redis outage."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import pytest
import redis.asyncio as aioredis

from robust_import_app.domain.errors import ErrorCode
from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.pipeline.progress import bus
from robust_import_app.pipeline.progress.pause import PauseNotice
from robust_import_app.pipeline.progress.sink import VideoUpdate
from robust_import_app.pipeline.queue.videos import BatchSummary
from tests.clock import FakeClock
from tests.conftest import skip_or_fail_unavailable
from tests.servers import RedisServer, ServerUnavailable

WAIT_S = 10.0
"""Bound of every wait for a message to arrive."""
UPDATE = VideoUpdate(list_id=3, batch_id=7, youtube_id="dQw4w9WgXcQ", stage=ImportStage.CAPTIONS)
SUMMARY = BatchSummary(batch_id=7, list_id=3, imported=18, without_captions=1, failed=1)
NOTICE = PauseNotice(upstream=Upstream.PLAYER, resume_in_s=25.0, reason=ErrorCode.RATE_LIMITED)


class Recorder:
    """A ProgressSink and pause callback that keep what they got."""

    def __init__(self) -> None:
        self.updates: list[VideoUpdate] = []
        self.summaries: list[BatchSummary] = []
        self.pauses: list[tuple[str, PauseNotice | None]] = []

    def video_changed(self, update: VideoUpdate) -> None:
        self.updates.append(update)

    def batch_finished(self, summary: BatchSummary) -> None:
        self.summaries.append(summary)

    def pause_changed(self, sender: str, notice: PauseNotice | None) -> None:
        self.pauses.append((sender, notice))


async def until(condition: Callable[[], bool], *, timeout_s: float = WAIT_S) -> None:
    """Wait until ``condition()`` holds; TimeoutError after ``timeout_s``."""
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.01)


async def subscribers(url: str) -> int:
    """How many clients of the server at ``url`` are subscribed to a channel or a pattern now."""
    client = aioredis.Redis.from_url(url)
    try:
        return sum(1 for entry in await client.client_list() if int(entry["sub"]) or int(entry["psub"]))
    finally:
        await client.aclose()


async def until_subscribed(url: str) -> None:
    """Wait until the server at ``url`` has a subscriber; TimeoutError after :data:`WAIT_S`."""
    async with asyncio.timeout(WAIT_S):
        while await subscribers(url) < 1:
            await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def running(coro, url: str, *, before: int):
    """Run ``coro`` as a task once its subscription is registered on the server at ``url``."""
    task = asyncio.create_task(coro)
    try:
        async with asyncio.timeout(WAIT_S):
            while await subscribers(url) <= before:
                assert not task.done(), task
                await asyncio.sleep(0.01)
        yield task
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.asyncio
async def test_reports_summaries_and_pause_notices_round_trip(redis_server: RedisServer):
    got = Recorder()
    before = await subscribers(redis_server.url)
    async with running(bus.subscribe(redis_server.url, got, got.pause_changed), redis_server.url, before=before):
        async with bus.RedisProgressSink(redis_server.url, sender_id="host-a:41") as sink:
            sink.video_changed(UPDATE)
            sink.video_changed(
                VideoUpdate(list_id=4, batch_id=None, youtube_id="aaaaaaaaaaa", stage=ImportStage.CREATED, waiting=True)
            )
            sink.batch_finished(SUMMARY)
            sink.pause_changed(NOTICE)
            await until(lambda: len(got.pauses) == 1)
            sink.pause_changed(None)
            await until(lambda: len(got.pauses) == 2)
    assert got.updates == [
        UPDATE,
        VideoUpdate(list_id=4, batch_id=None, youtube_id="aaaaaaaaaaa", stage=ImportStage.CREATED, waiting=True),
    ]
    assert got.summaries == [SUMMARY]
    assert got.pauses == [("host-a:41", NOTICE), ("host-a:41", None)]


@pytest.mark.asyncio
async def test_two_web_processes_see_every_report_and_one_of_them_the_summary(redis_server: RedisServer):
    first, second = Recorder(), Recorder()
    summary = BatchSummary(batch_id=9001, list_id=5, imported=2, without_captions=0, failed=0)
    before = await subscribers(redis_server.url)
    async with running(bus.subscribe(redis_server.url, first, first.pause_changed), redis_server.url, before=before):
        async with running(
            bus.subscribe(redis_server.url, second, second.pause_changed), redis_server.url, before=before + 1
        ):
            async with bus.RedisProgressSink(redis_server.url) as sink:
                sink.batch_finished(summary)
                sink.video_changed(UPDATE)
                await until(lambda: len(first.updates) == len(second.updates) == 1)
    assert first.updates == second.updates == [UPDATE]
    assert first.summaries + second.summaries == [summary], "each batch toasts once"


@pytest.mark.asyncio
async def test_a_paste_wakes_the_listening_workers(redis_server: RedisServer):
    woken = asyncio.Event()
    before = await subscribers(redis_server.url)
    async with running(bus.listen_for_wake(redis_server.url, woken.set), redis_server.url, before=before):
        async with bus.WakePublisher(redis_server.url) as waker:
            waker.wake()
            async with asyncio.timeout(WAIT_S):
                await woken.wait()


@pytest.mark.asyncio
async def test_a_paused_worker_repeats_its_notice_then_says_it_resumed(redis_server: RedisServer):
    got = Recorder()
    notice: list[PauseNotice | None] = [NOTICE]
    before = await subscribers(redis_server.url)
    async with running(bus.subscribe(redis_server.url, got, got.pause_changed), redis_server.url, before=before):
        async with bus.RedisProgressSink(redis_server.url, sender_id="w1") as sink:
            reporting = asyncio.create_task(bus.report_pauses(lambda: notice[0], sink, interval_s=0.02))
            try:
                await until(lambda: len(got.pauses) >= 2)
                notice[0] = None
                await until(lambda: got.pauses[-1] == ("w1", None))
                count = len(got.pauses)
                await asyncio.sleep(0.1)  # five more report intervals: nothing more to say
            finally:
                reporting.cancel()
    assert got.pauses[:2] == [("w1", NOTICE), ("w1", NOTICE)]
    assert len(got.pauses) == count, "'resumed' is said once"


def test_remote_pauses_count_down_and_forget_dead_workers():
    clock = FakeClock()
    pauses = bus.RemotePauses(clock=clock, stale_s=3.5)
    assert pauses.current() is None
    pauses.update("w1", NOTICE)
    pauses.update("w2", PauseNotice(upstream=Upstream.WHISPER, resume_in_s=5.0, reason=None))
    clock.now += 2.0
    assert pauses.current() == PauseNotice(upstream=Upstream.PLAYER, resume_in_s=23.0, reason=ErrorCode.RATE_LIMITED)
    pauses.update("w1", None)
    assert pauses.current() == PauseNotice(upstream=Upstream.WHISPER, resume_in_s=3.0, reason=None)
    clock.now += 2.0  # w2 stopped repeating its notice 4 s ago: it died
    assert pauses.current() is None


class Gate:
    """A TCP forwarder on a free loopback port standing for Redis's address.

    ``upstream`` is the Redis port it forwards to; None refuses every
    connection (closes it at once), as an address without a server would.
    """

    def __init__(self) -> None:
        self.upstream: int | None = None
        self.refused = 0
        self._server: asyncio.Server | None = None
        self._pumps: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"redis://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/0"

    async def __aenter__(self) -> Gate:
        self._server = await asyncio.start_server(self._connected, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        for pump in list(self._pumps):
            pump.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if self.upstream is None:
                raise ConnectionRefusedError
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        except OSError:
            self.refused += 1
            writer.close()
            return
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            pump = asyncio.create_task(self._pump(source, sink, (writer, up_writer)))
            self._pumps.add(pump)
            pump.add_done_callback(self._pumps.discard)

    @staticmethod
    async def _pump(
        source: asyncio.StreamReader, sink: asyncio.StreamWriter, both: tuple[asyncio.StreamWriter, ...]
    ) -> None:
        try:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        except OSError:
            pass
        finally:
            for writer in both:
                writer.close()


def _start_redis() -> RedisServer:
    """A dedicated Redis server this test may stop (skipped when not installed, failed under CI)."""
    try:
        return RedisServer().start()
    except ServerUnavailable as error:
        skip_or_fail_unavailable(error)
        raise


@pytest.mark.redis
@pytest.mark.asyncio
async def test_while_redis_is_down_callers_go_on_and_the_latest_reports_arrive_after(caplog):
    caplog.set_level(logging.WARNING, logger=bus.__name__)
    got = Recorder()
    first = _start_redis()
    second: RedisServer | None = None
    try:
        async with Gate() as web_side, Gate() as worker_side:
            web_side.upstream = worker_side.upstream = first.port
            listening = asyncio.create_task(bus.subscribe(web_side.url, got, got.pause_changed, retry_max_s=0.2))
            try:
                async with bus.RedisProgressSink(worker_side.url, retry_max_s=0.2) as sink:
                    await until_subscribed(first.url)
                    sink.video_changed(UPDATE)
                    await until(lambda: got.updates == [UPDATE])

                    first.stop()
                    web_side.upstream = worker_side.upstream = None
                    stages = (ImportStage.METADATA, ImportStage.CAPTIONS, ImportStage.CHAPTERS, ImportStage.COMPLETE)
                    videos = [f"vid{n:08d}" for n in range(50)]
                    for stage in stages:  # the worker goes on while Redis is down
                        for video in videos:
                            sink.video_changed(VideoUpdate(list_id=3, batch_id=7, youtube_id=video, stage=stage))
                    sink.batch_finished(SUMMARY)
                    await until(lambda: worker_side.refused >= 3)  # the sender tried again, and again
                    assert sink.pending == len(videos) + 1, "the latest report per video, and the summary"

                    second = _start_redis()
                    web_side.upstream = second.port
                    await until_subscribed(second.url)
                    worker_side.upstream = second.port
                    await until(lambda: len(got.summaries) == 1)
                    await until(lambda: sink.pending == 0)
            finally:
                listening.cancel()
                await asyncio.gather(listening, return_exceptions=True)
    finally:
        first.stop()
        if second is not None:
            second.stop()

    after_outage = got.updates[1:]
    assert {u.youtube_id: u.stage for u in after_outage} == {v: ImportStage.COMPLETE for v in videos}
    assert len(after_outage) == len(videos), "only the latest report of each video was kept"
    assert got.summaries == [SUMMARY]
    outages = [r.getMessage() for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(outages) == 1, "the outage is logged once"
    assert any("Redis is back" in r.getMessage() for r in caplog.records)
