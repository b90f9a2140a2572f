"""Composition: builds the import pipeline from the settings.

:func:`get_database` is the process's database; :func:`build_worker` wires the backend, the guards, the Data API batcher and the
Whisper engine into an :class:`~robust_import_app.pipeline.worker.ImportWorker`.
The server (:mod:`robust_import_app.serve`) and the command line
(:mod:`robust_import_app.cli`) both use it; nothing here imports Reflex.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import AsyncIterator
from urllib.parse import unquote, urlsplit

from robust_import_app.db import Database
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.pipeline.progress.sink import ProgressSink
from robust_import_app.pipeline.queue.sources import SourceQueue
from robust_import_app.pipeline.queue.videos import ImportQueue
from robust_import_app.pipeline.resilience import shared_guard
from robust_import_app.pipeline.resilience.guard import Guards
from robust_import_app.pipeline.resilience.retry import RetryPolicy
from robust_import_app.pipeline.sources.expand import SourceExpander
from robust_import_app.pipeline.sources.follow import FollowChecker
from robust_import_app.pipeline.stages.context import StageContext
from robust_import_app.pipeline.stages.metadata_batcher import MetadataBatcher
from robust_import_app.pipeline.worker import ImportWorker
from robust_import_app.redact import install_log_redaction, register_secret
from robust_import_app.settings import Settings, get_settings
from robust_import_app.whisper.transcriber import build_transcriber
from robust_import_app.youtube.backend import YouTubeBackend
from robust_import_app.youtube.data_api import DataApiClient


@functools.cache
def get_database() -> Database:
    """The process-wide database named by the settings (``REFLEX_DB_URL``)."""
    return Database(get_settings().db_url)


def protect_secrets(settings: Settings) -> None:
    """Keep the API keys and the passwords of the proxy, Redis and database URLs out of every log line and stored error.

    A URL's password is registered as written (percent-encoded) and decoded,
    the form a driver's error message shows. Every process calls this at
    start-up: the web app's module, the command line, each worker.
    """
    for secret in (settings.youtube_api_key, settings.whisper_api_key, settings.api_token):
        register_secret(secret)
    for url in (settings.youtube_proxy_url, settings.redis_url, settings.db_url):
        password = urlsplit(url).password if url else None
        if password:
            register_secret(password)
            register_secret(unquote(password))
    install_log_redaction()


def build_backend(settings: Settings) -> YouTubeBackend:
    """The YouTube backend ``IMPORT_BACKEND`` names: ``youtube`` or ``sim``."""
    if settings.backend == "sim":
        from robust_import_app.youtube.sim import SimBackend

        return SimBackend.from_env(os.environ)
    from robust_import_app.youtube.real import YouTubeClient

    return YouTubeClient(
        cookies_file=settings.youtube_cookies_file,
        proxy_url=settings.youtube_proxy_url,
        pot_provider_url=settings.youtube_pot_provider_url,
    )


@contextlib.asynccontextmanager
async def build_worker(
    settings: Settings,
    db: Database,
    sink: ProgressSink,
    *,
    backend: YouTubeBackend | None = None,
    batch_id: int | None = None,
) -> AsyncIterator[ImportWorker]:
    """An import worker for these settings; its HTTP clients close on exit.

    ``batch_id`` limits it to one batch (the command line's own paste): it
    expands that paste's playlists and channels and checks no followed
    source. With ``settings.redis_url`` the guards are shared through Redis
    (:mod:`robust_import_app.pipeline.resilience.shared_guard`); without it each process has its own.
    The configured secrets are registered for redaction and every log handler
    configured so far redacts them (:mod:`robust_import_app.redact`).
    """
    protect_secrets(settings)
    data_api = None
    client = None
    transcriber = build_transcriber(
        api_key=settings.whisper_api_key,
        local_model_dir=settings.whisper_local_model,
        api_url=settings.whisper_api_url,
        model=settings.whisper_model,
        max_upload_mb=settings.whisper_max_upload_mb,
        proxy_url=settings.youtube_proxy_url,
    )
    async with contextlib.AsyncExitStack() as stack:
        if settings.redis_url:  # one rate limit and breaker per upstream across all processes
            redis = shared_guard.connect(settings.redis_url)
            stack.push_async_callback(redis.aclose)
            guards = shared_guard.shared_guards(settings.guard_configs(), redis=redis)
        else:
            guards = Guards.from_configs(settings.guard_configs())
        if settings.youtube_api_key:
            client = await stack.enter_async_context(
                DataApiClient(
                    api_key=settings.youtube_api_key,
                    base_url=settings.youtube_data_api_url,
                    proxy_url=settings.youtube_proxy_url,
                )
            )
            data_api = MetadataBatcher(client, guards[Upstream.DATA_API])
        if transcriber is not None:
            stack.push_async_callback(transcriber.aclose)
        queue = ImportQueue(db, lease_s=settings.lease_s, batch_id=batch_id)
        ctx = StageContext(
            backend=backend or build_backend(settings),
            guards=guards,
            queue=queue,
            data_api=data_api,
            transcriber=transcriber,
            whisper_max_upload_bytes=int(settings.whisper_max_upload_mb * 1_000_000),
            whisper_max_s_per_batch=(
                settings.whisper_max_minutes_per_batch * 60
                if settings.whisper_max_minutes_per_batch is not None
                else None
            ),
        )
        retry_policy = RetryPolicy(
            max_attempts=settings.max_attempts,
            backoff_base_s=settings.backoff_base_s,
            backoff_max_s=settings.backoff_max_s,
        )
        expander = SourceExpander(
            ctx,
            queue=SourceQueue(db, worker_id=queue.worker_id, lease_s=settings.lease_s, batch_id=batch_id),
            sink=sink,
            retry_policy=retry_policy,
            confirm_over=settings.source_confirm_over,
            data_api=client,
        )
        follower = (
            FollowChecker(ctx, db=db, sink=sink, interval_s=settings.follow_interval_s) if batch_id is None else None
        )
        yield ImportWorker(
            ctx,
            sink=sink,
            retry_policy=retry_policy,
            videos_in_flight=settings.videos_in_flight,
            expander=expander,
            follower=follower,
        )
