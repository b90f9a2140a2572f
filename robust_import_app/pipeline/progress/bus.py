"""The progress bus: import workers in other processes report to the web processes over Redis pub/sub.

With ``REFLEX_REDIS_URL`` set, each ``python -m robust_import_app worker``
publishes its reports with :class:`RedisProgressSink`, and each web process
runs :func:`subscribe`, which hands them to its own sink (the web's
``LivePublisher``). The messages are JSON objects ``{"v": 1, "kind": ..., ...}``
(:data:`BUS_VERSION`; other versions are ignored) on these channels::

    robust-import:list:<list_id>   kind "video" (a VideoUpdate), "summary" (a BatchSummary)
                                   or "source" (a SourceUpdate: a playlist or channel changed)
    robust-import:pause            kind "pause": a worker's PauseNotice, every second while
                                   paused, then one with "notice": null when it resumed
    robust-import:wake             kind "wake": a paste created videos, claim them now

Pub/sub is at most once: a message sent while no web process listens is
gone. That costs a live stage at most (the database holds every stage, and
the next report of the video or a page reload shows it); a batch's summary
is announced once in the database too. Publishing never blocks the worker:
the sink keeps the latest report per video in a bounded buffer that a
background task sends, retrying with backoff while Redis is down. Several web
processes all apply every video report (applying one is idempotent); a summary
is applied by the one web process that claims it in Redis, so each batch
toasts once.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import itertools
import json
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Self

import redis.asyncio as aioredis
import tenacity
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from robust_import_app.domain.errors import ErrorCode
from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.pipeline.progress.pause import PauseNotice
from robust_import_app.pipeline.progress.sink import ProgressSink, SourceUpdate, VideoUpdate
from robust_import_app.pipeline.queue.videos import BatchSummary

logger = logging.getLogger(__name__)

BUS_VERSION = 1
"""Version of the message format; a message of another version is ignored (with one warning)."""
CHANNEL_PREFIX = "robust-import"
PAUSE_CHANNEL = f"{CHANNEL_PREFIX}:pause"
WAKE_CHANNEL = f"{CHANNEL_PREFIX}:wake"
SUMMARY_CLAIM_TTL_S = 86_400
"""How long, in seconds, Redis remembers which web process applies a batch's summary."""
DEFAULT_MAX_PENDING = 10_000
"""Most reports a sink keeps while Redis is down (the latest per video); beyond it the oldest go."""
DEFAULT_RETRY_MAX_S = 5.0
"""Longest jittered wait, in seconds, between two attempts to reach Redis."""
PAUSE_REPORT_INTERVAL_S = 1.0
"""How often, in seconds, a paused worker repeats its notice."""
PAUSE_STALE_S = 3.5
"""A worker's pause notice not repeated for this long, in seconds, is dropped (the worker died)."""
SEND_CHUNK = 500
"""Most messages sent in one Redis pipeline."""
CLOSE_FLUSH_S = 2.0
"""How long, in seconds, closing a sink waits to send what is still pending."""
CONNECT_TIMEOUT_S = 2.0
SOCKET_TIMEOUT_S = 5.0
HEALTH_CHECK_S = 10
"""A subscription pings Redis after this many idle seconds, so a vanished server is noticed."""


def list_channel(list_id: int) -> str:
    """``robust-import:list:<list_id>``: the channel of one list's reports."""
    return f"{CHANNEL_PREFIX}:list:{list_id}"


def default_sender_id() -> str:
    """``<host>:<pid>``: names a publishing process in its pause notices."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _client(redis_url: str, *, listening: bool = False) -> aioredis.Redis:
    """A client that fails fast: the bus does its own retrying, with backoff and one log line per outage.

    A ``listening`` one waits for messages without a read timeout; it pings
    Redis after :data:`HEALTH_CHECK_S` idle seconds instead.
    """
    return aioredis.Redis.from_url(
        redis_url,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=None if listening else SOCKET_TIMEOUT_S,
        socket_keepalive=True,
        health_check_interval=HEALTH_CHECK_S,
        retry=Retry(NoBackoff(), 0),
    )


# --- the message format ---------------------------------------------------


def encode_video(update: VideoUpdate) -> str:
    """The JSON message of a stage change."""
    return json.dumps({"v": BUS_VERSION, "kind": "video", "video": dataclasses.asdict(update)})


def encode_summary(summary: BatchSummary) -> str:
    """The JSON message of a finished batch."""
    return json.dumps({"v": BUS_VERSION, "kind": "summary", "summary": dataclasses.asdict(summary)})


def encode_source(update: SourceUpdate) -> str:
    """The JSON message of a source change."""
    return json.dumps({"v": BUS_VERSION, "kind": "source", "source": dataclasses.asdict(update)})


def encode_pause(sender: str, notice: PauseNotice | None) -> str:
    """The JSON message of a worker's pause notice; ``notice`` None says it resumed."""
    body = dataclasses.asdict(notice) if notice is not None else None
    return json.dumps({"v": BUS_VERSION, "kind": "pause", "sender": sender, "notice": body})


def encode_wake() -> str:
    """The JSON message that asks every worker to claim due videos now."""
    return json.dumps({"v": BUS_VERSION, "kind": "wake"})


def decode_video(body: dict[str, Any]) -> VideoUpdate:
    """A :class:`VideoUpdate` from its message body; KeyError, TypeError or ValueError when malformed."""
    return VideoUpdate(
        list_id=int(body["list_id"]),
        batch_id=None if body["batch_id"] is None else int(body["batch_id"]),
        youtube_id=str(body["youtube_id"]),
        stage=ImportStage(body["stage"]),
        waiting=bool(body["waiting"]),
    )


def decode_summary(body: dict[str, Any]) -> BatchSummary:
    """A :class:`BatchSummary` from its message body; KeyError, TypeError or ValueError when malformed.

    A count with a default (the sources' counts) may be missing: a worker of
    the version before sources sends none.
    """
    return BatchSummary(
        **{
            field.name: int(
                body[field.name] if field.default is dataclasses.MISSING else body.get(field.name, field.default)
            )
            for field in dataclasses.fields(BatchSummary)
        }
    )


def decode_source(body: dict[str, Any]) -> SourceUpdate:
    """A :class:`SourceUpdate` from its message body; errors as :func:`decode_video`."""
    return SourceUpdate(list_id=int(body["list_id"]), source_id=int(body["source_id"]))


def decode_pause(body: dict[str, Any] | None) -> PauseNotice | None:
    """A :class:`PauseNotice` (None for "resumed") from its message body; errors as :func:`decode_video`."""
    if body is None:
        return None
    return PauseNotice(
        upstream=Upstream(body["upstream"]),
        resume_in_s=float(body["resume_in_s"]),
        reason=None if body["reason"] is None else ErrorCode(body["reason"]),
    )


# --- publishing -----------------------------------------------------------


class _Outbox:
    """Messages waiting to be published, the latest per key, sent by one background task.

    :meth:`put` never blocks. :meth:`run` publishes what is pending in
    pipelines of :data:`SEND_CHUNK`; while Redis fails it keeps everything
    (a newer message of a key replacing the older one, the oldest keys
    dropped beyond ``max_pending``) and tries again after a full-jitter
    exponential wait of at most ``retry_max_s`` seconds, logging the outage
    once and the recovery once.
    """

    def __init__(self, redis_url: str, *, name: str, max_pending: int, retry_max_s: float) -> None:
        self._client = _client(redis_url)
        self._name = name
        self._max_pending = max_pending
        self._pending: collections.OrderedDict[tuple[Any, ...], tuple[str, str]] = collections.OrderedDict()
        self._ready = asyncio.Event()
        self._down = False
        self._dropped = 0
        self._retrying = tenacity.AsyncRetrying(
            wait=tenacity.wait_random_exponential(multiplier=0.1, max=retry_max_s),
            retry=tenacity.retry_if_exception_type(Exception),
            before_sleep=self._note_outage,
        )

    @property
    def pending(self) -> int:
        """How many messages wait to be sent."""
        return len(self._pending)

    def put(self, key: tuple[Any, ...], channel: str, message: str) -> None:
        """Queue ``message`` for ``channel``, replacing a pending one of the same ``key``."""
        self._pending.pop(key, None)
        self._pending[key] = (channel, message)
        if len(self._pending) > self._max_pending:
            self._pending.popitem(last=False)
            if not self._dropped:
                logger.warning("%s: more than %d reports pending; dropping the oldest", self._name, self._max_pending)
            self._dropped += 1
        self._ready.set()

    async def run(self) -> None:
        """Send forever (until cancelled)."""
        while True:
            await self._ready.wait()
            self._ready.clear()
            await self._retrying(self._send_pending)

    async def close(self, *, flush_timeout_s: float = CLOSE_FLUSH_S) -> None:
        """Try once more, for at most ``flush_timeout_s``, to send what is pending; then close the client."""
        try:
            if self._pending:
                async with asyncio.timeout(flush_timeout_s):
                    await self._send_pending()
        except Exception as exc:
            logger.warning("%s: %d reports not sent at shutdown (%s)", self._name, len(self._pending), exc)
        finally:
            await self._client.aclose()

    async def _send_pending(self) -> None:
        while self._pending:
            chunk = list(itertools.islice(self._pending.items(), SEND_CHUNK))
            async with self._client.pipeline(transaction=False) as pipe:
                for _key, (channel, message) in chunk:
                    pipe.publish(channel, message)
                await pipe.execute()
            for key, entry in chunk:
                if self._pending.get(key) is entry:
                    del self._pending[key]
            if self._down:
                logger.warning("%s: Redis is back; the pending reports went out", self._name)
                if self._dropped:
                    logger.warning("%s: %d older reports were dropped meanwhile", self._name, self._dropped)
                self._down = False
                self._dropped = 0

    def _note_outage(self, state: tenacity.RetryCallState) -> None:
        if self._down:
            return
        self._down = True
        error = state.outcome.exception() if state.outcome else None
        logger.warning(
            "%s: Redis unreachable (%s); keeping the latest report per video and retrying",
            self._name,
            error,
            exc_info=error if not _is_redis_error(error) else None,
        )


def _is_redis_error(error: BaseException | None) -> bool:
    return isinstance(error, (aioredis.RedisError, OSError))


class _Publishing:
    """An :class:`_Outbox` and its sending task, for ``async with``."""

    def __init__(self, redis_url: str, *, name: str, max_pending: int, retry_max_s: float) -> None:
        self._outbox = _Outbox(redis_url, name=name, max_pending=max_pending, retry_max_s=retry_max_s)
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._outbox.run(), name="progress bus sender")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop the sending task, try to send what is pending (at most :data:`CLOSE_FLUSH_S`), close the client."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self._outbox.close()

    @property
    def pending(self) -> int:
        """How many messages wait to be sent (Redis down, or not yet sent)."""
        return self._outbox.pending


class RedisProgressSink(_Publishing):
    """A :class:`~robust_import_app.pipeline.progress.sink.ProgressSink` that publishes on the bus.

    Use inside a running event loop::

        async with RedisProgressSink("redis://127.0.0.1:6379/0") as sink:
            ...  # build the worker with sink

    Every method returns at once. The latest report per video, each summary
    and the latest pause notice are sent by a background task, in the order
    of their last change; while Redis is down they wait (at most
    ``max_pending``, the oldest dropped beyond) and go out once it is back.
    """

    def __init__(
        self,
        redis_url: str,
        *,
        sender_id: str | None = None,
        max_pending: int = DEFAULT_MAX_PENDING,
        retry_max_s: float = DEFAULT_RETRY_MAX_S,
    ) -> None:
        super().__init__(redis_url, name="Progress bus", max_pending=max_pending, retry_max_s=retry_max_s)
        self.sender_id = sender_id or default_sender_id()

    def video_changed(self, update: VideoUpdate) -> None:
        """Publish the video's new stage on its list's channel (replacing an unsent older one)."""
        self._outbox.put(
            ("video", update.list_id, update.youtube_id), list_channel(update.list_id), encode_video(update)
        )

    def batch_finished(self, summary: BatchSummary) -> None:
        """Publish the batch's summary on its list's channel."""
        self._outbox.put(("summary", summary.batch_id), list_channel(summary.list_id), encode_summary(summary))

    def source_changed(self, update: SourceUpdate) -> None:
        """Publish a source change on its list's channel (replacing an unsent one of the same source)."""
        key = ("source", update.list_id, update.source_id)
        self._outbox.put(key, list_channel(update.list_id), encode_source(update))

    def pause_changed(self, notice: PauseNotice | None) -> None:
        """Publish this worker's pause notice, or (None) that it resumed."""
        self._outbox.put(("pause",), PAUSE_CHANNEL, encode_pause(self.sender_id, notice))


class WakePublisher(_Publishing):
    """Asks every worker listening on the bus to claim due videos now (after a paste).

    :meth:`wake` returns at once; wakes pending together are sent as one.
    """

    def __init__(self, redis_url: str, *, retry_max_s: float = DEFAULT_RETRY_MAX_S) -> None:
        super().__init__(redis_url, name="Wake-up bus", max_pending=1, retry_max_s=retry_max_s)

    def wake(self) -> None:
        """Publish a wake-up on :data:`WAKE_CHANNEL`."""
        self._outbox.put(("wake",), WAKE_CHANNEL, encode_wake())


async def report_pauses(
    pause_notice: Callable[[], PauseNotice | None],
    sink: RedisProgressSink,
    *,
    interval_s: float = PAUSE_REPORT_INTERVAL_S,
) -> None:
    """Forever (until cancelled): every ``interval_s`` seconds, publish ``pause_notice()`` while it is not None,
    and once None when it becomes None again."""
    paused = False
    while True:
        notice = pause_notice()
        if notice is not None:
            sink.pause_changed(notice)
            paused = True
        elif paused:
            sink.pause_changed(None)
            paused = False
        await asyncio.sleep(interval_s)


# --- receiving ------------------------------------------------------------


class RemotePauses:
    """The pause notices of the workers on the bus, for the web's publisher to poll.

    :meth:`update` takes each worker's notice as it arrives; :meth:`current`
    gives the one resuming last, its ``resume_in_s`` counted down on
    ``clock`` (seconds) since it arrived. A worker that stopped repeating its
    notice for :data:`PAUSE_STALE_S` (it died) no longer counts.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, stale_s: float = PAUSE_STALE_S) -> None:
        self._clock = clock
        self._stale_s = stale_s
        self._notices: dict[str, tuple[PauseNotice, float]] = {}

    def update(self, sender: str, notice: PauseNotice | None) -> None:
        """Record ``sender``'s latest notice; None means it resumed."""
        if notice is None:
            self._notices.pop(sender, None)
        else:
            self._notices[sender] = (notice, self._clock())

    def current(self) -> PauseNotice | None:
        """The notice resuming last among the live ones, or None when no worker is paused."""
        now = self._clock()
        for sender in [s for s, (_, at) in self._notices.items() if now - at > self._stale_s]:
            del self._notices[sender]
        shown: PauseNotice | None = None
        for notice, at in self._notices.values():
            left = dataclasses.replace(notice, resume_in_s=max(0.0, notice.resume_in_s - (now - at)))
            if shown is None or left.resume_in_s > shown.resume_in_s:
                shown = left
        return shown


class _Subscription:
    """Listens on Redis channels until cancelled, reconnecting after errors.

    A lost or refused connection is logged once per outage and retried after
    a full-jitter exponential wait of at most ``retry_max_s`` seconds
    (tenacity); the recovery is logged too. ``handle`` gets each message's
    decoded JSON object.
    """

    def __init__(
        self,
        redis_url: str,
        *,
        name: str,
        channels: Iterable[str] = (),
        patterns: Iterable[str] = (),
        handle: Callable[[str, dict[str, Any]], Awaitable[None]],
        retry_max_s: float,
    ) -> None:
        self._redis_url = redis_url
        self._name = name
        self._channels = tuple(channels)
        self._patterns = tuple(patterns)
        self._handle = handle
        self._down = False
        self._warned_version = False
        self._retrying = tenacity.AsyncRetrying(
            wait=tenacity.wait_random_exponential(multiplier=0.1, max=retry_max_s),
            retry=tenacity.retry_if_exception_type(Exception),
            before_sleep=self._note_outage,
        )

    async def run(self) -> None:
        await self._retrying(self._listen)

    async def _listen(self) -> None:
        client = _client(self._redis_url, listening=True)
        try:
            async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                if self._channels:
                    await pubsub.subscribe(*self._channels)
                if self._patterns:
                    await pubsub.psubscribe(*self._patterns)
                if self._down:
                    logger.warning("%s: subscribed again", self._name)
                    self._down = False
                while True:
                    # Waiting at most HEALTH_CHECK_S lets redis-py send its health-check PING when idle.
                    message = await pubsub.get_message(timeout=HEALTH_CHECK_S)
                    if message is not None and message["type"] in ("message", "pmessage"):
                        await self._dispatch(_text(message["channel"]), message["data"])
        finally:
            await client.aclose()

    async def _dispatch(self, channel: str, data: bytes | str) -> None:
        try:
            body = json.loads(data)
        except ValueError:
            logger.warning("%s: not JSON on %s, ignored", self._name, channel)
            return
        if not isinstance(body, dict) or body.get("v") != BUS_VERSION:
            if not self._warned_version:
                logger.warning("%s: a message of another version on %s, ignored", self._name, channel)
                self._warned_version = True
            return
        try:
            await self._handle(channel, body)
        except (KeyError, TypeError, ValueError) as exc:
            logger.warning("%s: malformed %s message on %s (%r), ignored", self._name, body.get("kind"), channel, exc)

    def _note_outage(self, state: tenacity.RetryCallState) -> None:
        if self._down:
            return
        self._down = True
        error = state.outcome.exception() if state.outcome else None
        logger.warning(
            "%s: Redis subscription lost (%s); reconnecting",
            self._name,
            error,
            exc_info=error if not _is_redis_error(error) else None,
        )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def subscribe(
    redis_url: str,
    sink: ProgressSink,
    pause_cb: Callable[[str, PauseNotice | None], None],
    *,
    retry_max_s: float = DEFAULT_RETRY_MAX_S,
) -> None:
    """Forever (until cancelled): pass the bus's reports to ``sink`` and pause notices to ``pause_cb(sender, notice)``.

    Listens with ``PSUBSCRIBE robust-import:*``. A summary goes to ``sink``
    only when this process wins its claim (``SET ... NX`` for
    :data:`SUMMARY_CLAIM_TTL_S`), so with several web processes each batch
    toasts once; should the claim itself fail, the summary is passed on
    (a second toast is better than none). Redis errors are retried as
    :class:`_Subscription` says; they never end the loop.
    """
    claims = _client(redis_url)

    async def handle(channel: str, body: dict[str, Any]) -> None:
        kind = body.get("kind")
        if kind == "video":
            sink.video_changed(decode_video(body["video"]))
        elif kind == "summary":
            summary = decode_summary(body["summary"])
            if await _claim_summary(claims, summary):
                sink.batch_finished(summary)
        elif kind == "source":
            sink.source_changed(decode_source(body["source"]))
        elif kind == "pause":
            pause_cb(str(body["sender"]), decode_pause(body["notice"]))

    try:
        await _Subscription(
            redis_url, name="Progress bus", patterns=[f"{CHANNEL_PREFIX}:*"], handle=handle, retry_max_s=retry_max_s
        ).run()
    finally:
        await claims.aclose()


async def _claim_summary(claims: aioredis.Redis, summary: BatchSummary) -> bool:
    key = f"{CHANNEL_PREFIX}:summary-claim:{summary.batch_id}"
    try:
        return bool(await claims.set(key, "1", nx=True, ex=SUMMARY_CLAIM_TTL_S))
    except (aioredis.RedisError, OSError) as exc:
        logger.warning("Could not claim the summary of batch %d (%s); showing it anyway", summary.batch_id, exc)
        return True


async def listen_for_wake(
    redis_url: str, on_wake: Callable[[], None], *, retry_max_s: float = DEFAULT_RETRY_MAX_S
) -> None:
    """Forever (until cancelled): call ``on_wake()`` for each wake-up on :data:`WAKE_CHANNEL`; reconnects like :func:`subscribe`."""

    async def handle(channel: str, body: dict[str, Any]) -> None:
        if body.get("kind") == "wake":
            on_wake()

    await _Subscription(
        redis_url, name="Wake-up bus", channels=[WAKE_CHANNEL], handle=handle, retry_max_s=retry_max_s
    ).run()
