"""Configuration read from the environment once, at start-up.

Every variable is listed in README.md's configuration table. Defaults for the
pipeline's limits live in :mod:`robust_import_app.pipeline.config`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB_URL = "sqlite:///robust_import.db?timeout=30"
DEFAULT_BACKEND = "youtube"
DEFAULT_PUSH_INTERVAL_S = 0.25
DEFAULT_VIDEOS_IN_FLIGHT = 8
DEFAULT_LIST_NAME = "Inbox"


def _float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


def _path(environ: Mapping[str, str], name: str) -> Path | None:
    raw = environ.get(name, "").strip()
    return Path(raw).expanduser() if raw else None


def _text(environ: Mapping[str, str], name: str) -> str | None:
    return environ.get(name, "").strip() or None


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    """Everything the app and the pipeline read from the environment."""

    db_url: str = DEFAULT_DB_URL
    backend: str = DEFAULT_BACKEND
    push_interval_s: float = DEFAULT_PUSH_INTERVAL_S
    videos_in_flight: int = DEFAULT_VIDEOS_IN_FLIGHT
    youtube_api_key: str | None = None
    youtube_data_api_url: str | None = None
    youtube_cookies_file: Path | None = None
    youtube_proxy_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings; raises ValueError naming a malformed variable."""
        env = os.environ if environ is None else environ
        backend = env.get("IMPORT_BACKEND", DEFAULT_BACKEND).strip() or DEFAULT_BACKEND
        if backend not in ("youtube", "sim"):
            raise ValueError(f"IMPORT_BACKEND must be 'youtube' or 'sim', got {backend!r}")
        return cls(
            db_url=_text(env, "REFLEX_DB_URL") or DEFAULT_DB_URL,
            backend=backend,
            push_interval_s=_float(env, "IMPORT_PUSH_INTERVAL_S", DEFAULT_PUSH_INTERVAL_S),
            videos_in_flight=int(_float(env, "IMPORT_VIDEOS_IN_FLIGHT", DEFAULT_VIDEOS_IN_FLIGHT)),
            youtube_api_key=_text(env, "YOUTUBE_API_KEY"),
            youtube_data_api_url=_text(env, "YOUTUBE_DATA_API_URL"),
            youtube_cookies_file=_path(env, "YOUTUBE_COOKIES_FILE"),
            youtube_proxy_url=_text(env, "YOUTUBE_PROXY_URL"),
        )
