"""Configuration read from the environment once, at start-up.

Every variable is listed in README.md's configuration table. Defaults for the
pipeline's limits live in :mod:`robust_import_app.pipeline.config`, the
Whisper defaults in :mod:`robust_import_app.whisper.api`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from robust_import_app.domain.upstreams import Upstream
from robust_import_app.pipeline import config as limits
from robust_import_app.pipeline.config import GuardConfig
from robust_import_app.whisper.api import (
    DEFAULT_WHISPER_API_URL,
    DEFAULT_WHISPER_MAX_UPLOAD_MB,
    DEFAULT_WHISPER_MODEL,
)
from robust_import_app.youtube.data_api import DEFAULT_DATA_API_URL

DEFAULT_DB_URL = "sqlite:///robust_import.db?timeout=30"
DEFAULT_BACKEND = "youtube"
BACKENDS = ("youtube", "sim")
DEFAULT_PUSH_INTERVAL_S = 0.25
DEFAULT_VIDEOS_IN_FLIGHT = 8
DEFAULT_LIST_NAME = "Inbox"
DEFAULT_DATA_API_INTERVAL_S = 0.2
"""The Data API's own per-minute limits are far above one call per 0.2 s."""
DEFAULT_SOURCE_CONFIRM_OVER = 200
"""``IMPORT_SOURCE_CONFIRM_OVER``: a pasted playlist or channel with more videos asks "latest 50 / 200 / all" first."""
DEFAULT_FOLLOW_INTERVAL_MIN = 60.0
"""``IMPORT_FOLLOW_INTERVAL_MIN``: minutes between two checks of a followed playlist or channel."""


class _Env:
    """Typed reads of environment variables; malformed values name the variable."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def text(self, name: str, default: str | None = None) -> str | None:
        return self._environ.get(name, "").strip() or default

    def number(self, name: str, default: float) -> float:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"{name} must be a number, got {raw!r}") from None

    def flag(self, name: str, default: bool) -> bool:
        raw = self.text(name)
        if raw is None:
            return default
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{name} must be 0 or 1, got {raw!r}")

    def optional_number(self, name: str) -> float | None:
        return self.number(name, 0.0) if self.text(name) else None

    def path(self, name: str) -> Path | None:
        raw = self.text(name)
        return Path(raw).expanduser() if raw else None


def _at_least(name: str, value: int, low: int) -> int:
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}")
    return value


def _positive(name: str, value: float) -> float:
    if value <= 0:
        raise ValueError(f"{name} must be above 0, got {value:g}")
    return value


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    """Everything the app and the pipeline read from the environment.

    Durations are in seconds, sizes in megabytes (10^6 bytes). The API keys
    are left out of the ``repr``; so are the database, Redis and proxy URLs,
    which may carry a password.
    """

    db_url: str = field(default=DEFAULT_DB_URL, repr=False)
    redis_url: str | None = field(default=None, repr=False)
    """``REFLEX_REDIS_URL``: with it, Reflex's state, the progress bus and the
    per-upstream limits are shared between processes (see README, "Scale out")."""
    worker_in_web: bool = True
    """``IMPORT_WORKER_IN_WEB=0``: the web processes run no import worker (separate ``worker`` processes do)."""
    backend: str = DEFAULT_BACKEND
    push_interval_s: float = DEFAULT_PUSH_INTERVAL_S
    videos_in_flight: int = DEFAULT_VIDEOS_IN_FLIGHT
    youtube_guard: GuardConfig = field(default_factory=GuardConfig)
    max_attempts: int = limits.DEFAULT_MAX_ATTEMPTS
    backoff_base_s: float = limits.DEFAULT_BACKOFF_BASE_S
    backoff_max_s: float = limits.DEFAULT_BACKOFF_MAX_S
    lease_s: float = limits.DEFAULT_LEASE_S
    youtube_api_key: str | None = field(default=None, repr=False)
    youtube_data_api_url: str = DEFAULT_DATA_API_URL
    youtube_cookies_file: Path | None = None
    youtube_proxy_url: str | None = field(default=None, repr=False)
    youtube_pot_provider_url: str | None = None
    """``YOUTUBE_POT_PROVIDER_URL``: a bgutil PO token provider on this host (``http://127.0.0.1:4416``),
    given to yt-dlp's ``youtubepot-bgutilhttp`` plugin; never a public address."""
    whisper_api_url: str = DEFAULT_WHISPER_API_URL
    whisper_api_key: str | None = field(default=None, repr=False)
    whisper_model: str = DEFAULT_WHISPER_MODEL
    whisper_local_model: Path | None = None
    whisper_max_upload_mb: float = DEFAULT_WHISPER_MAX_UPLOAD_MB
    whisper_max_minutes_per_batch: float | None = None
    api_token: str | None = field(default=None, repr=False)
    """``IMPORT_API_TOKEN``: the bearer token of the REST API under ``/api``; without it the API is off (404)."""
    source_confirm_over: int = DEFAULT_SOURCE_CONFIRM_OVER
    follow_interval_s: float = DEFAULT_FOLLOW_INTERVAL_MIN * 60
    """``IMPORT_FOLLOW_INTERVAL_MIN`` (minutes), here in seconds."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings; raises ValueError naming a malformed variable."""
        env = _Env(os.environ if environ is None else environ)
        backend = env.text("IMPORT_BACKEND", DEFAULT_BACKEND)
        if backend not in BACKENDS:
            raise ValueError(f"IMPORT_BACKEND must be one of {', '.join(BACKENDS)}, got {backend!r}")
        return cls(
            db_url=env.text("REFLEX_DB_URL", DEFAULT_DB_URL),
            redis_url=env.text("REFLEX_REDIS_URL"),
            worker_in_web=env.flag("IMPORT_WORKER_IN_WEB", True),
            backend=backend,
            push_interval_s=env.number("IMPORT_PUSH_INTERVAL_S", DEFAULT_PUSH_INTERVAL_S),
            videos_in_flight=int(env.number("IMPORT_VIDEOS_IN_FLIGHT", DEFAULT_VIDEOS_IN_FLIGHT)),
            youtube_guard=GuardConfig(
                interval_s=env.number("IMPORT_REQUEST_INTERVAL_S", limits.DEFAULT_INTERVAL_S),
                max_interval_s=env.number("IMPORT_MAX_INTERVAL_S", limits.DEFAULT_MAX_INTERVAL_S),
                concurrency=int(env.number("IMPORT_CONCURRENCY", limits.DEFAULT_CONCURRENCY)),
                failure_threshold=int(env.number("IMPORT_BREAKER_THRESHOLD", limits.DEFAULT_FAILURE_THRESHOLD)),
                cooldown_s=env.number("IMPORT_BREAKER_COOLDOWN_S", limits.DEFAULT_COOLDOWN_S),
                cooldown_max_s=env.number("IMPORT_BREAKER_COOLDOWN_MAX_S", limits.DEFAULT_COOLDOWN_MAX_S),
                retry_after_max_s=env.number("IMPORT_RETRY_AFTER_MAX_S", limits.DEFAULT_RETRY_AFTER_MAX_S),
            ),
            max_attempts=int(env.number("IMPORT_MAX_ATTEMPTS", limits.DEFAULT_MAX_ATTEMPTS)),
            backoff_base_s=env.number("IMPORT_BACKOFF_BASE_S", limits.DEFAULT_BACKOFF_BASE_S),
            backoff_max_s=env.number("IMPORT_BACKOFF_MAX_S", limits.DEFAULT_BACKOFF_MAX_S),
            lease_s=env.number("IMPORT_LEASE_S", limits.DEFAULT_LEASE_S),
            youtube_api_key=env.text("YOUTUBE_API_KEY"),
            youtube_data_api_url=env.text("YOUTUBE_DATA_API_URL", DEFAULT_DATA_API_URL),
            youtube_cookies_file=env.path("YOUTUBE_COOKIES_FILE"),
            youtube_proxy_url=env.text("YOUTUBE_PROXY_URL"),
            youtube_pot_provider_url=env.text("YOUTUBE_POT_PROVIDER_URL"),
            whisper_api_url=env.text("WHISPER_API_URL", DEFAULT_WHISPER_API_URL),
            whisper_api_key=env.text("WHISPER_API_KEY"),
            whisper_model=env.text("WHISPER_MODEL", DEFAULT_WHISPER_MODEL),
            whisper_local_model=env.path("WHISPER_LOCAL_MODEL"),
            whisper_max_upload_mb=env.number("WHISPER_MAX_UPLOAD_MB", DEFAULT_WHISPER_MAX_UPLOAD_MB),
            whisper_max_minutes_per_batch=env.optional_number("WHISPER_MAX_MINUTES_PER_BATCH"),
            api_token=env.text("IMPORT_API_TOKEN"),
            source_confirm_over=_at_least(
                "IMPORT_SOURCE_CONFIRM_OVER",
                int(env.number("IMPORT_SOURCE_CONFIRM_OVER", DEFAULT_SOURCE_CONFIRM_OVER)),
                0,
            ),
            follow_interval_s=60
            * _positive(
                "IMPORT_FOLLOW_INTERVAL_MIN", env.number("IMPORT_FOLLOW_INTERVAL_MIN", DEFAULT_FOLLOW_INTERVAL_MIN)
            ),
        )

    def guard_configs(self) -> dict[Upstream, GuardConfig]:
        """One rate limiter and breaker config per upstream.

        YouTube's player and transcript endpoints take ``IMPORT_*``; the Data
        API is spaced at ``DEFAULT_DATA_API_INTERVAL_S``; Whisper at Groq's
        free tier (20 requests/minute). ``IMPORT_RETRY_AFTER_MAX_S`` caps the
        Retry-After of every upstream.
        """
        youtube = self.youtube_guard
        return {
            Upstream.PLAYER: youtube,
            Upstream.TRANSCRIPT: youtube,
            Upstream.DATA_API: GuardConfig(
                interval_s=DEFAULT_DATA_API_INTERVAL_S,
                max_interval_s=max(DEFAULT_DATA_API_INTERVAL_S, youtube.max_interval_s),
                failure_threshold=youtube.failure_threshold,
                cooldown_s=youtube.cooldown_s,
                cooldown_max_s=youtube.cooldown_max_s,
                retry_after_max_s=youtube.retry_after_max_s,
            ),
            Upstream.WHISPER: GuardConfig(
                interval_s=limits.DEFAULT_WHISPER_INTERVAL_S,
                max_interval_s=max(limits.DEFAULT_WHISPER_INTERVAL_S, youtube.max_interval_s),
                retry_after_max_s=youtube.retry_after_max_s,
            ),
        }


@functools.cache
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use and kept for its life."""
    return Settings.from_env()
