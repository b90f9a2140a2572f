"""The remote services the import calls, each behind its own rate limit and circuit breaker."""

from __future__ import annotations

import enum


class Upstream(enum.StrEnum):
    """A remote service with its own rate limit and circuit breaker."""

    PLAYER = "player"
    """YouTube's watch pages and player API, as yt-dlp reaches them."""
    TRANSCRIPT = "transcript"
    """YouTube's timedtext endpoint, as youtube-transcript-api reaches it."""
    DATA_API = "data_api"
    """The YouTube Data API v3 (``videos.list``)."""
    WHISPER = "whisper"
    """An OpenAI-compatible ``/audio/transcriptions`` endpoint (Groq by default)."""
