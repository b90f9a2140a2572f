"""SharedUpstreamGuard against a real Redis: two guard instances on one Redis are two processes' view."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import redis.asyncio as aioredis
import redis.exceptions

from robust_import_app.domain.errors import ErrorCode, TransientImportError
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.pipeline.config import GuardConfig
from robust_import_app.pipeline.resilience.breaker import BreakerState
from robust_import_app.pipeline.resilience.guard import Guards
from robust_import_app.pipeline.resilience.shared_guard import (
    UNREACHABLE_RETRY_S,
    SharedUpstreamGuard,
    connect,
    shared_guards,
)
from tests.servers import RedisServer

VID = "dQw4w9WgXcQ"
pytestmark = pytest.mark.redis


def too_many_requests(retry_after: str | None = None) -> httpx.HTTPStatusError:
    request = httpx.Request("GET", "https://www.googleapis.com/youtube/v3/videos")
    headers = {"Retry-After": retry_after} if retry_after else {}
    response = httpx.Response(429, headers=headers, request=request)
    return httpx.HTTPStatusError("429 Too Many Requests", request=request, response=response)


@pytest_asyncio.fixture
async def client(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    redis = connect(redis_server.url)
    yield redis
    await redis.aclose()


@pytest.fixture
def prefix() -> str:
    """Keys of this test only (the Redis server is shared by the session)."""
    return f"test:{uuid.uuid4().hex}"


def pair(client: aioredis.Redis, prefix: str, config: GuardConfig) -> tuple[SharedUpstreamGuard, SharedUpstreamGuard]:
    """Two guards of one upstream on one Redis: what two worker processes hold."""
    return tuple(SharedUpstreamGuard(Upstream.PLAYER, config, redis=client, key_prefix=prefix) for _ in range(2))  # type: ignore[return-value]


async def send(guard: SharedUpstreamGuard, sent_at: list[float], *, fail: Exception | None = None) -> None:
    async with guard.request(video_id=VID, stage="metadata"):
        sent_at.append(time.monotonic())
        if fail is not None:
            raise fail


async def rate_limited(guard: SharedUpstreamGuard, retry_after: str | None = None) -> None:
    with pytest.raises(TransientImportError) as info:
        await send(guard, [], fail=too_many_requests(retry_after))
    assert info.value.code is ErrorCode.RATE_LIMITED


def gaps(times: list[float]) -> list[float]:
    times = sorted(times)
    return [b - a for a, b in zip(times, times[1:], strict=False)]


@pytest.mark.asyncio
async def test_two_guards_on_one_redis_space_their_requests_together(client, prefix) -> None:
    first, second = pair(client, prefix, GuardConfig(interval_s=0.1, max_interval_s=1.0, concurrency=4))
    sent_at: list[float] = []
    await asyncio.gather(*(send(guard, sent_at) for guard in (first, second) for _ in range(4)))
    assert len(sent_at) == 8
    assert min(gaps(sent_at)) >= 0.1 - 0.01, gaps(sent_at)


@pytest.mark.asyncio
async def test_the_concurrency_cap_counts_the_requests_of_both(client, prefix) -> None:
    first, second = pair(client, prefix, GuardConfig(interval_s=0.001, max_interval_s=1.0, concurrency=2))
    in_flight = peak = 0

    async def hold(guard: SharedUpstreamGuard) -> None:
        nonlocal in_flight, peak
        async with guard.request(video_id=VID):
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.05)
            in_flight -= 1

    await asyncio.gather(*(hold(guard) for guard in (first, second) for _ in range(3)))
    assert peak == 2


@pytest.mark.asyncio
async def test_a_429_seen_by_one_stretches_the_spacing_of_both_and_its_retry_after_pauses_both(client, prefix) -> None:
    first, second = pair(client, prefix, GuardConfig(interval_s=0.2, max_interval_s=1.0))
    await rate_limited(first, retry_after="1")
    await second.refresh()
    assert second.interval_s == pytest.approx(0.3)
    started = time.monotonic()
    sent_at: list[float] = []
    await send(second, sent_at)
    assert sent_at[0] - started >= 0.9, "the other process honoured the Retry-After"
    await asyncio.gather(send(first, sent_at), send(second, sent_at))
    assert min(gaps(sent_at)) >= 0.27 * 0.9 - 0.01, gaps(sent_at)  # ×1.5, then ×0.9 per success
    await second.refresh()
    assert second.interval_s == pytest.approx(0.3 * 0.9**3)


@pytest.mark.asyncio
async def test_the_breaker_opens_for_both_and_lets_one_probe_out_across_both(client, prefix) -> None:
    config = GuardConfig(interval_s=0.001, max_interval_s=0.002, failure_threshold=3, cooldown_s=0.5)
    first, second = pair(client, prefix, config)
    await rate_limited(first)
    await rate_limited(second)
    await rate_limited(first)  # the third in a row, across both: open
    for guard in (second, first):
        with pytest.raises(TransientImportError) as refused:
            await send(guard, [])
        assert refused.value.code is ErrorCode.CIRCUIT_OPEN
        assert "rate_limited" in refused.value.detail
        assert guard.breaker.state is BreakerState.OPEN
        assert guard.breaker.opened_reason is ErrorCode.RATE_LIMITED
        assert 0 < guard.breaker.retry_in_s <= 0.5
    await asyncio.sleep(first.breaker.retry_in_s + 0.05)

    probe_may_answer = asyncio.Event()
    sent: list[float] = []

    async def probe() -> None:
        async with first.request(video_id=VID):
            sent.append(time.monotonic())
            await probe_may_answer.wait()
            raise too_many_requests()

    probe_task = asyncio.create_task(probe())
    while not sent:
        await asyncio.sleep(0.01)
    for guard in (second, first, second):
        with pytest.raises(TransientImportError) as refused:
            await send(guard, sent)
        assert refused.value.code is ErrorCode.CIRCUIT_OPEN
    assert len(sent) == 1, "one probe across both processes"
    probe_may_answer.set()
    with pytest.raises(TransientImportError):
        await probe_task
    with pytest.raises(TransientImportError) as refused:
        await send(second, sent)
    assert refused.value.code is ErrorCode.CIRCUIT_OPEN
    assert 0.5 < second.breaker.retry_in_s <= 1.0, "reopened with the cool-down doubled"

    await asyncio.sleep(second.breaker.retry_in_s + 0.05)
    await send(second, sent)  # the probe succeeds: closed for both
    await send(first, sent)
    assert first.breaker.state is BreakerState.CLOSED and first.breaker.opened_reason is None


class SwitchableProxy:
    """A TCP proxy on a free loopback port in front of Redis; ``down`` cuts every connection and refuses new ones."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.down = False
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"redis://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/0"

    def cut(self) -> None:
        self.down = True
        for writer in list(self._writers):
            writer.close()

    async def close(self) -> None:
        self.cut()
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            writer.close()
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._writers |= {writer, up_writer}

        async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except OSError:
                pass
            finally:
                sink.close()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))
        self._writers -= {writer, up_writer}


@pytest.mark.asyncio
async def test_when_redis_is_unreachable_nothing_goes_out_and_it_resumes_when_redis_is_back(
    redis_server, prefix
) -> None:
    proxy = SwitchableProxy(redis_server.port)
    client = connect(await proxy.start())
    guard = SharedUpstreamGuard(
        Upstream.PLAYER, GuardConfig(interval_s=0.001, max_interval_s=0.01), redis=client, key_prefix=prefix
    )
    try:
        await send(guard, [])
        proxy.cut()
        sent: list[float] = []
        with pytest.raises(TransientImportError) as refused:
            await send(guard, sent)
        assert not sent, "no request goes out unlimited"
        assert refused.value.code is ErrorCode.CIRCUIT_OPEN
        assert refused.value.retry_after_s == UNREACHABLE_RETRY_S
        assert "Redis" in refused.value.detail
        assert guard.breaker.state is BreakerState.OPEN
        assert guard.breaker.opened_reason is ErrorCode.LIMITS_UNREACHABLE

        proxy.down = False
        await send(guard, sent)
        assert len(sent) == 1
        assert guard.breaker.state is BreakerState.CLOSED
    finally:
        await client.aclose()
        await proxy.close()


@pytest.mark.asyncio
async def test_shared_guards_cover_every_upstream(client, prefix) -> None:
    guards = shared_guards({Upstream.PLAYER: GuardConfig(interval_s=0.5)}, redis=client, key_prefix=prefix)
    assert isinstance(guards, Guards)
    assert set(guards) == set(Upstream)
    assert all(isinstance(guard, SharedUpstreamGuard) for guard in guards.values())
    assert guards[Upstream.PLAYER].config.interval_s == 0.5


HOLD_A_SLOT = """
import asyncio, sys
from robust_import_app.pipeline.config import GuardConfig
from robust_import_app.pipeline.resilience.shared_guard import SharedUpstreamGuard, connect
from robust_import_app.domain.upstreams import Upstream

async def main():
    guard = SharedUpstreamGuard(Upstream.PLAYER, GuardConfig(interval_s=0.001, max_interval_s=0.01, concurrency=1),
                                redis=connect(sys.argv[1]), key_prefix=sys.argv[2], holder_ttl_s=float(sys.argv[3]))
    async with guard.request(video_id="dQw4w9WgXcQ"):
        print("holding", flush=True)
        await asyncio.sleep(3600)

asyncio.run(main())
"""


@pytest.mark.asyncio
async def test_the_slot_of_a_kill_9ed_process_frees_itself_after_the_holder_ttl(client, redis_server, prefix) -> None:
    holder_ttl_s = 1.0
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_SLOT, redis_server.url, prefix, str(holder_ttl_s)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == b"holding\n"
        config = GuardConfig(interval_s=0.001, max_interval_s=0.01, concurrency=1)
        guard = SharedUpstreamGuard(Upstream.PLAYER, config, redis=client, key_prefix=prefix)
        with pytest.raises(TimeoutError):  # the live holder renews its slot: the cap holds
            await asyncio.wait_for(send(guard, []), timeout=2 * holder_ttl_s)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        killed_at = time.monotonic()
        await asyncio.wait_for(send(guard, []), timeout=5 * holder_ttl_s)
        assert time.monotonic() - killed_at <= holder_ttl_s + 0.5
    finally:
        process.kill()
        process.wait(timeout=10)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "raised",
    [
        too_many_requests("1e300"),
        too_many_requests("Fri, 31 Dec 9999 23:59:59 GMT"),
        TransientImportError(ErrorCode.RATE_LIMITED, retry_after_s=float("inf")),
        TransientImportError(ErrorCode.RATE_LIMITED, retry_after_s=1e300),
        TransientImportError(ErrorCode.RATE_LIMITED, retry_after_s=float("nan")),
    ],
    ids=["1e300", "year-9999", "failure-inf", "failure-1e300", "failure-nan"],
)
async def test_an_unbounded_retry_after_pauses_every_process_at_most_retry_after_max_s(
    client, prefix, raised: Exception
) -> None:
    config = GuardConfig(interval_s=0.001, max_interval_s=0.01, retry_after_max_s=0.5)
    first, second = pair(client, prefix, config)
    with pytest.raises(TransientImportError):
        await send(first, [], fail=raised)
    paused_until = float(await client.hget(f"{prefix}:{{player}}:state", "paused_until"))
    server_now = sum(int(part) / 10**6 if i else int(part) for i, part in enumerate(await client.time()))
    assert paused_until <= server_now + 0.5
    started = time.monotonic()
    await asyncio.wait_for(send(second, []), timeout=2.0)
    assert time.monotonic() - started <= 0.5 + 0.2


@pytest.mark.asyncio
async def test_a_probe_slower_than_the_cooldown_lets_no_second_probe_out_across_processes(client, prefix) -> None:
    config = GuardConfig(interval_s=0.001, max_interval_s=0.002, failure_threshold=1, cooldown_s=0.4)
    first, second = pair(client, prefix, config)
    third = SharedUpstreamGuard(Upstream.PLAYER, config, redis=client, key_prefix=prefix)
    await rate_limited(first)
    await asyncio.sleep(config.cooldown_s + 0.05)
    probe_may_answer = asyncio.Event()
    sent: list[float] = []

    async def probe() -> None:
        async with first.request(video_id=VID):
            sent.append(time.monotonic())
            await probe_may_answer.wait()

    probe_task = asyncio.create_task(probe())
    while not sent:
        await asyncio.sleep(0.01)
    deadline = time.monotonic() + 4 * config.cooldown_s  # past 1.1 and 2.4 cool-downs
    refusals = 0
    while time.monotonic() < deadline:
        for guard in (second, third):
            with pytest.raises(TransientImportError) as refused:
                await send(guard, sent)
            assert refused.value.code is ErrorCode.CIRCUIT_OPEN
            refusals += 1
        await asyncio.sleep(0.05)
    assert len(sent) == 1, "one probe while it is in flight, however slow"
    assert refusals > 10
    probe_may_answer.set()
    await probe_task
    await asyncio.gather(send(second, sent), send(third, sent), send(first, sent))
    assert len(sent) == 4
    assert second.breaker.state is BreakerState.CLOSED


class RestartableRedis:
    """A redis-server of this test only behind a :class:`SwitchableProxy`: ``restart()`` loses every key."""

    def __init__(self) -> None:
        self.server = RedisServer().start()
        self.proxy = SwitchableProxy(self.server.port or 0)

    async def restart(self) -> None:
        self.proxy.cut()
        self.server.stop()
        self.server = RedisServer().start()
        self.proxy.target_port = self.server.port or 0
        self.proxy.down = False

    async def close(self) -> None:
        await self.proxy.close()
        self.server.stop()


@pytest_asyncio.fixture
async def restartable(redis_server) -> AsyncIterator[tuple[RestartableRedis, aioredis.Redis]]:
    """``redis_server`` only skips (or fails) the test when redis-server is missing."""
    server = RestartableRedis()
    client = connect(await server.proxy.start())
    yield server, client
    await client.aclose()
    await server.close()


async def reconnect(client: aioredis.Redis) -> None:
    """Let every pooled connection notice that the old server is gone (each reconnects on its retry)."""
    for _ in range(5):
        with contextlib.suppress(redis.exceptions.RedisError, OSError):
            await asyncio.gather(*(client.ping() for _ in range(4)))


async def ask_at_once(guards: list[SharedUpstreamGuard], answer: asyncio.Event) -> tuple[int, list[ErrorCode]]:
    """Every guard sends one request at once, each held open until ``answer``; returns (sent, refusal codes)."""
    sent: list[float] = []
    refused: list[ErrorCode] = []

    async def one(guard: SharedUpstreamGuard) -> None:
        try:
            async with guard.request(video_id=VID):
                sent.append(time.monotonic())
                await answer.wait()
        except TransientImportError as error:
            refused.append(error.code)

    tasks = [asyncio.create_task(one(guard)) for guard in guards]
    while len(sent) + len(refused) < len(guards):
        await asyncio.sleep(0.01)
    in_flight = len(sent)
    answer.set()
    await asyncio.gather(*tasks)
    return in_flight, refused


@pytest.mark.asyncio
async def test_after_a_redis_restart_an_open_breaker_and_a_pause_come_back_as_one_probe(restartable) -> None:
    server, client = restartable
    config = GuardConfig(interval_s=0.001, max_interval_s=0.002, failure_threshold=1, cooldown_s=30.0)
    workers = [SharedUpstreamGuard(Upstream.PLAYER, config, redis=client, key_prefix="restart") for _ in range(3)]
    for guard in workers:
        await send(guard, [])
    await rate_limited(workers[0], retry_after="600")  # opens the breaker for 30 s and pauses for 600 s
    with pytest.raises(TransientImportError) as refused:
        await send(workers[1], [])
    assert refused.value.code is ErrorCode.CIRCUIT_OPEN

    await server.restart()
    await reconnect(client)
    assert await client.dbsize() == 0, "the restarted server has forgotten everything"

    in_flight, refusals = await ask_at_once(workers, asyncio.Event())
    assert in_flight == 1, "exactly one probe after the restart"
    assert refusals == [ErrorCode.CIRCUIT_OPEN] * 2
    sent: list[float] = []
    await asyncio.gather(*(send(guard, sent) for guard in workers for _ in range(2)))
    assert len(sent) == 6, "the probe succeeded: every worker proceeds"
    assert all(guard.breaker.state is BreakerState.CLOSED for guard in workers)


@pytest.mark.asyncio
async def test_a_flushed_state_recreated_by_a_newcomer_still_comes_back_as_one_probe(restartable) -> None:
    _, client = restartable
    config = GuardConfig(interval_s=0.001, max_interval_s=0.002, failure_threshold=1, cooldown_s=30.0)
    workers = [SharedUpstreamGuard(Upstream.PLAYER, config, redis=client, key_prefix="flush") for _ in range(2)]
    for guard in workers:
        await send(guard, [])
    await rate_limited(workers[0])
    await client.flushall()
    newcomer = SharedUpstreamGuard(Upstream.PLAYER, config, redis=client, key_prefix="flush")
    await send(newcomer, [])  # a process that never saw the lost state recreates it, closed

    in_flight, refusals = await ask_at_once([*workers, newcomer], asyncio.Event())
    assert in_flight == 1, "the workers that saw the state knew it was lost: one probe"
    assert refusals == [ErrorCode.CIRCUIT_OPEN] * 2
    sent: list[float] = []
    await asyncio.gather(*(send(guard, sent) for guard in (*workers, newcomer)))
    assert len(sent) == 3


@pytest.mark.asyncio
async def test_a_fresh_deployment_on_an_empty_redis_is_not_held_back(restartable) -> None:
    _, client = restartable
    config = GuardConfig(interval_s=0.001, max_interval_s=0.002, concurrency=3)
    workers = [SharedUpstreamGuard(Upstream.PLAYER, config, redis=client, key_prefix="fresh") for _ in range(3)]
    in_flight, refusals = await ask_at_once(workers, asyncio.Event())
    assert (in_flight, refusals) == (3, [])
