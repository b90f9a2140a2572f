"""The import pipeline's error tree.

Every failure the pipeline meets is translated once, by
:func:`robust_import_app.pipeline.resilience.classify.classify`, into one of these::

    ImportFailure
    ├── PermanentImportError   fail at once, say why, never retry
    │     private, removed, age-restricted, members-only, not found,
    │     invalid id, upcoming, unplayable, unauthorized (bad API key),
    │     too large (upload over the provider's limit)
    └── TransientImportError   retry with backoff, silently
          rate limited (HTTP 429), bot check, IP blocked, server error (5xx),
          timeout, network, quota exceeded, circuit open,
          limits unreachable (the reason a shared breaker shows while
          Redis is down; the request itself is refused as circuit open),
          database (the library's own database busy or unreachable)

``ErrorCode.CANCELLED`` is no error the pipeline raises: the library stores
it on a video the user stopped (:func:`robust_import_app.library.cancel_videos`).

Each error carries an :class:`ErrorCode` (stored on the video row) and, as
keyword-only attributes, ``video_id``, ``stage`` and ``retry_after_s`` (the
upstream's Retry-After, in seconds, when it gave one).
"""

from __future__ import annotations

import enum


class ErrorCode(enum.StrEnum):
    """Why a video could not be imported (or a stage had to wait)."""

    PRIVATE = "private"
    REMOVED = "removed"
    AGE_RESTRICTED = "age_restricted"
    MEMBERS_ONLY = "members_only"
    NOT_FOUND = "not_found"
    INVALID_ID = "invalid_id"
    UPCOMING = "upcoming"
    UNPLAYABLE = "unplayable"
    RATE_LIMITED = "rate_limited"
    BOT_CHECK = "bot_check"
    IP_BLOCKED = "ip_blocked"
    SERVER_ERROR = "server_error"
    TIMEOUT = "timeout"
    NETWORK = "network"
    QUOTA_EXCEEDED = "quota_exceeded"
    CIRCUIT_OPEN = "circuit_open"
    LIMITS_UNREACHABLE = "limits_unreachable"
    DATABASE = "database"
    UNAUTHORIZED = "unauthorized"
    TOO_LARGE = "too_large"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    @property
    def message(self) -> str:
        """The plain-words reason shown on the card."""
        return MESSAGES[self]

    @property
    def is_permanent(self) -> bool:
        """True when retrying cannot help (the video itself is the problem)."""
        return self in PERMANENT_CODES


MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.PRIVATE: "This video is private.",
    ErrorCode.REMOVED: "This video has been removed or is no longer available.",
    ErrorCode.AGE_RESTRICTED: "This video is age-restricted; YouTube requires sign-in to watch it.",
    ErrorCode.MEMBERS_ONLY: "This video is for channel members only.",
    ErrorCode.NOT_FOUND: "YouTube has no video with this id.",
    ErrorCode.INVALID_ID: "This is not a valid YouTube video id.",
    ErrorCode.UPCOMING: "This video is a premiere or live event that has not started yet.",
    ErrorCode.UNPLAYABLE: "YouTube does not allow this video to be played here.",
    ErrorCode.RATE_LIMITED: "YouTube is rate-limiting requests; the import will retry.",
    ErrorCode.BOT_CHECK: "YouTube asked to confirm this is not a bot. Set YOUTUBE_COOKIES_FILE or YOUTUBE_PROXY_URL.",
    ErrorCode.IP_BLOCKED: "YouTube is blocking requests from this IP address. Set YOUTUBE_PROXY_URL or YOUTUBE_COOKIES_FILE.",
    ErrorCode.SERVER_ERROR: "YouTube answered with a server error; the import will retry.",
    ErrorCode.TIMEOUT: "YouTube did not answer in time; the import will retry.",
    ErrorCode.NETWORK: "YouTube could not be reached; the import will retry.",
    ErrorCode.QUOTA_EXCEEDED: "The YouTube Data API quota for today is used up.",
    ErrorCode.CIRCUIT_OPEN: "Paused while YouTube is rate-limiting.",
    ErrorCode.LIMITS_UNREACHABLE: "Paused while the shared rate limit (Redis) is unreachable.",
    ErrorCode.DATABASE: "The library database was busy or unreachable; the import will retry.",
    ErrorCode.UNAUTHORIZED: "The API key was rejected; check its setting.",
    ErrorCode.TOO_LARGE: "The upload is larger than the service accepts.",
    ErrorCode.CANCELLED: "You cancelled this import.",
    ErrorCode.UNKNOWN: "The import failed for an unexpected reason.",
}

PERMANENT_CODES = frozenset(
    {
        ErrorCode.PRIVATE,
        ErrorCode.REMOVED,
        ErrorCode.AGE_RESTRICTED,
        ErrorCode.MEMBERS_ONLY,
        ErrorCode.NOT_FOUND,
        ErrorCode.INVALID_ID,
        ErrorCode.UPCOMING,
        ErrorCode.UNPLAYABLE,
        ErrorCode.UNAUTHORIZED,
        ErrorCode.TOO_LARGE,
        ErrorCode.CANCELLED,
        ErrorCode.UNKNOWN,
    }
)

BREAKER_CODES = frozenset(
    {
        ErrorCode.RATE_LIMITED,
        ErrorCode.BOT_CHECK,
        ErrorCode.IP_BLOCKED,
    }
)
"""Failures that count toward opening an upstream's circuit breaker: YouTube
refusing *us* (rate limit, bot check, IP block), where every further request
makes the refusal last longer. Server errors, timeouts and network failures
are per-request trouble: each video backs off on its own (``retry.py``)."""


class ImportFailure(Exception):
    """Base of every error the pipeline raises for one video.

    Attributes (keyword-only): ``code``, ``video_id``, ``stage`` (the stage
    name, or None outside a stage), ``retry_after_s`` (seconds, or None),
    ``detail`` (the upstream's own message, kept for logs).
    """

    def __init__(
        self,
        code: ErrorCode,
        *,
        video_id: str | None = None,
        stage: str | None = None,
        retry_after_s: float | None = None,
        detail: str = "",
    ) -> None:
        super().__init__(code.message if not detail else f"{code.message} ({detail})")
        self.code = code
        self.video_id = video_id
        self.stage = stage
        self.retry_after_s = retry_after_s
        self.detail = detail

    @property
    def message(self) -> str:
        """The plain-words reason shown to the user."""
        return self.code.message


class PermanentImportError(ImportFailure):
    """The video cannot be imported; retrying cannot help."""


class TransientImportError(ImportFailure):
    """Passing trouble upstream; the same request may succeed later."""

    @property
    def counts_for_breaker(self) -> bool:
        """True for rate limits, bot checks and IP blocks (:data:`BREAKER_CODES`)."""
        return self.code in BREAKER_CODES


def failure_for(
    code: ErrorCode,
    *,
    video_id: str | None = None,
    stage: str | None = None,
    retry_after_s: float | None = None,
    detail: str = "",
) -> ImportFailure:
    """Build the permanent or transient error that ``code`` belongs to."""
    cls = PermanentImportError if code.is_permanent else TransientImportError
    return cls(
        code,
        video_id=video_id,
        stage=stage,
        retry_after_s=retry_after_s,
        detail=detail,
    )
