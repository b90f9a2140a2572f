"""The health routes alone, for granian to serve in the tests (``--factory tests.api.health_app:make_app``).

Read from the environment: ``HEALTH_DB_URL`` (the database), ``HEALTH_REDIS_URL``
(Redis, optional) and ``HEALTH_OPEN_BREAKER`` (an upstream whose breaker is
opened, as by repeated rate limits; without it no worker's guards are shown).
"""

from __future__ import annotations

import os

from starlette.applications import Starlette

from robust_import_app.api.health import health_routes
from robust_import_app.db import Database
from robust_import_app.domain.errors import ErrorCode, TransientImportError
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.pipeline.resilience.guard import Guards, UpstreamGuard


def make_app() -> Starlette:
    """The Starlette app of :func:`~robust_import_app.api.health.health_routes` over the environment's settings."""
    database = Database(os.environ["HEALTH_DB_URL"])
    open_breaker = os.environ.get("HEALTH_OPEN_BREAKER")
    guards = None
    if open_breaker:
        guards = Guards.from_configs()
        guard = guards[Upstream(open_breaker)]
        assert isinstance(guard, UpstreamGuard)
        for _ in range(guard.breaker.failure_threshold):
            guard.breaker.record_failure(TransientImportError(ErrorCode.RATE_LIMITED))
    return health_routes(lambda: database, redis_url=os.environ.get("HEALTH_REDIS_URL") or None, guards=lambda: guards)
