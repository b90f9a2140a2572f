"""Health and metrics routes, as a Starlette app that ``rx.App(api_transformer=...)`` mounts.

- ``GET /healthz`` — ``200 ok`` (text) while the process serves requests; no I/O.
- ``GET /readyz`` — ``200 ready`` (text) when the database answers ``SELECT 1`` and, with a Redis URL,
  Redis answers ``PING``, each within :data:`READY_TIMEOUT_S`; else ``503`` with
  ``{"unreachable": ["database", "redis"], "errors": {"database": "<why, redacted>"}}``.
- ``GET /metrics`` — Prometheus' text format, read from the database at scrape
  time (:func:`~robust_import_app.pipeline.queue.stats.queue_stats`) on a registry of its own:

  - ``robust_import_videos{stage}`` videos per import stage;
  - ``robust_import_queue_videos{state}`` unfinished videos: ``waiting`` (due),
    ``in_flight`` (leased), ``retry_scheduled`` (a next attempt ahead);
  - ``robust_import_sources{state}`` sources per state;
  - ``robust_import_workers_alive`` distinct lease holders with an unexpired lease;
  - ``robust_import_whisper_reserved_seconds`` audio reserved for transcription;
  - with an import worker in this process, per upstream:
    ``robust_import_upstream_breaker_state{upstream,state}`` (1 for the current state, 0 for the others)
    and ``robust_import_upstream_spacing_seconds{upstream}`` (the current spacing between requests).

  A database that does not answer is a ``503`` with the same JSON as ``/readyz``.

Every answer is ``Cache-Control: no-store``. The database and Redis are asked
in threads, never on the event loop; an error's text passes through
:func:`~robust_import_app.redact.redact`, so no URL's password is shown.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator, Mapping

import redis
import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from robust_import_app.db import Database
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.pipeline.queue.stats import QueueStats, queue_stats
from robust_import_app.pipeline.resilience.breaker import BreakerState
from robust_import_app.pipeline.resilience.guard import Guard, UpstreamGuard
from robust_import_app.pipeline.resilience.shared_guard import SharedUpstreamGuard
from robust_import_app.redact import redact

READY_TIMEOUT_S = 2.0
"""Seconds the database and Redis each have to answer a readiness check."""
NO_STORE = {"Cache-Control": "no-store"}

GuardsSource = Callable[[], Mapping[Upstream, Guard] | None]
"""This process's running guards, or None when no import worker runs here."""


def health_routes(database: Callable[[], Database], *, redis_url: str | None, guards: GuardsSource) -> Starlette:
    """``/healthz``, ``/readyz`` and ``/metrics`` over the database ``database()`` returns (called per request),
    Redis at ``redis_url`` (None: not configured) and the guards ``guards()`` returns."""

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok", headers=NO_STORE)

    async def readyz(request: Request) -> Response:
        checks = {"database": _check(functools.partial(_select_one, database()))}
        if redis_url:
            checks["redis"] = _check(functools.partial(_ping, redis_url))
        errors = {
            name: error for name, error in zip(checks, await asyncio.gather(*checks.values()), strict=True) if error
        }
        if errors:
            return _unreachable(errors)
        return PlainTextResponse("ready", headers=NO_STORE)

    async def metrics(request: Request) -> Response:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_ImportCollector(database(), guards()))
        try:
            body = await run_in_threadpool(generate_latest, registry)
        except SQLAlchemyError as error:
            return _unreachable({"database": _describe(error)})
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers=NO_STORE)

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ]
    )


async def _check(probe: Callable[[], None]) -> str | None:
    """None when ``probe()``, run in a thread, returns within :data:`READY_TIMEOUT_S`, else why not (redacted)."""
    try:
        await asyncio.wait_for(asyncio.to_thread(probe), READY_TIMEOUT_S)
    except TimeoutError:
        return f"no answer within {READY_TIMEOUT_S:g} s"
    except (SQLAlchemyError, redis.RedisError, OSError) as error:
        return _describe(error)
    return None


def _select_one(db: Database) -> None:
    with db.engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))


def _ping(url: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=READY_TIMEOUT_S, socket_timeout=READY_TIMEOUT_S)
    try:
        client.ping()
    finally:
        client.close()


def _describe(error: BaseException) -> str:
    """The error's first line, redacted (SQLAlchemy appends the statement and a link on further lines)."""
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return redact(first_line)


def _unreachable(errors: Mapping[str, str]) -> Response:
    return JSONResponse({"unreachable": list(errors), "errors": dict(errors)}, status_code=503, headers=NO_STORE)


class _ImportCollector(Collector):
    """The figures of :mod:`robust_import_app.api.health`, read at each scrape."""

    def __init__(self, db: Database, guards: Mapping[Upstream, Guard] | None) -> None:
        self._db = db
        self._guards = guards

    def collect(self) -> Iterator[Metric]:
        yield from _queue_metrics(queue_stats(self._db))
        if self._guards is not None:
            yield from _guard_metrics(self._guards)


def _queue_metrics(stats: QueueStats) -> Iterator[Metric]:
    videos = GaugeMetricFamily("robust_import_videos", "Videos per import stage.", labels=["stage"])
    for stage, count in stats.videos_by_stage.items():
        videos.add_metric([stage], count)
    yield videos
    queue = GaugeMetricFamily(
        "robust_import_queue_videos",
        "Unfinished videos: waiting (due now), in_flight (leased), retry_scheduled (next attempt ahead).",
        labels=["state"],
    )
    queue.add_metric(["waiting"], stats.waiting)
    queue.add_metric(["in_flight"], stats.in_flight)
    queue.add_metric(["retry_scheduled"], stats.retry_scheduled)
    yield queue
    sources = GaugeMetricFamily("robust_import_sources", "Sources (channels, playlists) per state.", labels=["state"])
    for state, count in stats.sources_by_state.items():
        sources.add_metric([state.value], count)
    yield sources
    yield GaugeMetricFamily(
        "robust_import_workers_alive",
        "Import workers holding an unexpired lease (distinct holders).",
        value=stats.workers_alive,
    )
    yield GaugeMetricFamily(
        "robust_import_whisper_reserved_seconds",
        "Audio seconds reserved for Whisper transcription, over all videos.",
        value=stats.whisper_reserved_s,
    )


def _guard_metrics(guards: Mapping[Upstream, Guard]) -> Iterator[Metric]:
    breaker = GaugeMetricFamily(
        "robust_import_upstream_breaker_state",
        "This process's circuit breaker per upstream: 1 for its current state, 0 for the others.",
        labels=["upstream", "state"],
    )
    spacing = GaugeMetricFamily(
        "robust_import_upstream_spacing_seconds",
        "This process's current spacing between two requests to the upstream.",
        labels=["upstream"],
    )
    for upstream, guard in guards.items():
        current = guard.breaker.state
        for state in BreakerState:
            breaker.add_metric([upstream.value, state.value], 1 if state is current else 0)
        spacing_s = _spacing_s(guard)
        if spacing_s is not None:
            spacing.add_metric([upstream.value], spacing_s)
    yield breaker
    yield spacing


def _spacing_s(guard: Guard) -> float | None:
    """The guard's current spacing in seconds; None for a guard of another kind."""
    if isinstance(guard, UpstreamGuard):
        return guard.limiter.interval_s
    if isinstance(guard, SharedUpstreamGuard):
        return guard.interval_s
    return None
