"""Translate lower-layer exceptions into the pipeline's error tree, in one place.

:func:`classify` walks :data:`RULES` (one table, most specific row first) and
returns the :class:`~robust_import_app.domain.errors.ImportFailure` of the
first matching row; nothing matching gives ``ErrorCode.UNKNOWN`` (permanent).
It returns a *new* error whose ``__cause__`` is already the original; raising
it is the caller's job (``raise classify(exc) from exc``).

Sources of the rows:

* yt-dlp (``yt_dlp.utils.DownloadError`` / ``ExtractorError``, matched on the
  message). The texts are YouTube's ``playabilityStatus`` reason/subreason as
  yt-dlp 2026.10.26 joins them (``extractor/youtube/_video.py``, the
  ``if not formats:`` block near ``raise_no_formats(reason, expected=True)``),
  yt-dlp's own ``AGE_GATE_REASONS`` (``_is_agegated``), "This content isn't
  available, try again later" (session rate limit), "All player responses are
  invalid. Your IP is likely being blocked by Youtube", ``HTTP Error {status}:
  {reason}`` (``networking/exceptions.py``), ``Unable to download webpage``
  (``extractor/common.py``), ``Incomplete YouTube ID`` (``_mistakes.py``) and
  ``... is not a valid URL`` (``generic.py``).
* youtube-transcript-api 1.2.5 (``_errors.py``, ``_transcripts.py``): it
  raises ``IpBlocked`` for an HTTP 429 and for a reCAPTCHA page,
  ``RequestBlocked`` for "Sign in to confirm you're not a bot",
  ``YouTubeRequestFailed`` (from ``raise_for_status``) for other HTTP errors.
  ``YouTubeRequestFailed`` keeps only ``str(http_error)`` as ``reason``; the
  ``requests.HTTPError`` itself is its ``__context__`` (it is raised inside
  the ``except``), which is where the Retry-After header is read from.
* httpx (the Data API and Whisper clients): status codes, and the Google API
  error body ``{"error": {"errors": [{"reason": "quotaExceeded"}]}}``.
* SQLAlchemy 2.1 (``sqlalchemy/exc.py``), the library's own database: a
  ``DBAPIError`` with ``connection_invalidated`` (SQLAlchemy's ``is_disconnect``
  recognised a dropped connection, e.g. PostgreSQL's "server closed the
  connection unexpectedly"), ``OperationalError`` (SQLite's "database is
  locked", a refused PostgreSQL connection), ``InterfaceError`` (psycopg's
  "connection is closed") and the pool's ``TimeoutError`` are DATABASE,
  transient; they do not count toward a breaker (the database is not YouTube).

Decisions: yt-dlp's ``Requested format is not
available`` / ``No video formats found`` -> UNPLAYABLE (retrying returns the
same format list); yt-dlp ``HTTP Error 403`` -> BOT_CHECK (YouTube refusing
the client, not the video); plain 403 from httpx -> UNAUTHORIZED (the key is
refused or restricted); local ``FileNotFoundError``/``PermissionError`` ->
UNKNOWN rather than NETWORK. ``TranscriptsDisabled``, ``NoTranscriptFound``,
``NotTranslatable`` and ``TranslationLanguageNotAvailable`` are not failures
of the video: test them with :func:`is_no_captions`; classified anyway they
are UNKNOWN. Nor is ``PoTokenRequired``, nor a bot check: the library raises
it, without a request, for a track whose URL carries YouTube's ``exp=xpe``
experiment, which the timedtext endpoint answers with an empty body for any
client but YouTube's own player (jdepoix/youtube-transcript-api #592; yt-dlp
marks such tracks ``requires_pot``). It counts as no captions, and
:func:`is_withheld_captions` tells it apart, so that the video moves on to the
next caption source rather than counting toward the transcripts breaker.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx
import requests
import sqlalchemy.exc as sa_exc
import youtube_transcript_api as yta
from yt_dlp.networking.exceptions import HTTPError as YtDlpHTTPError
from yt_dlp.utils import YoutubeDLError

from robust_import_app.domain.errors import ErrorCode, ImportFailure, failure_for
from robust_import_app.pipeline.config import DEFAULT_RETRY_AFTER_MAX_S
from robust_import_app.redact import redact
from robust_import_app.youtube.data_api import ChannelNotFound

logger = logging.getLogger(__name__)
Matcher = re.Pattern[str] | Callable[[BaseException], bool] | None

_NO_CAPTIONS = (
    yta.TranscriptsDisabled,
    yta.NoTranscriptFound,
    yta.NotTranslatable,
    yta.TranslationLanguageNotAvailable,
    yta.PoTokenRequired,
)
_QUOTA_RESET_TZ = zoneinfo.ZoneInfo("America/Los_Angeles")
_DETAIL_MAX_CHARS = 300


@dataclass(frozen=True, slots=True)
class Rule:
    """One row: an exception type, an optional message regex or predicate, a code."""

    name: str
    exc_type: type[BaseException] | tuple[type[BaseException], ...]
    match: Matcher
    code: ErrorCode

    def matches(self, exc: BaseException) -> bool:
        """True when ``exc`` is of this row's type and passes its matcher."""
        if not isinstance(exc, self.exc_type):
            return False
        if self.match is None:
            return True
        if isinstance(self.match, re.Pattern):
            return self.match.search(_text(exc)) is not None
        return self.match(exc)


def is_no_captions(exc: BaseException) -> bool:
    """True when youtube-transcript-api says the video simply has no usable captions."""
    return isinstance(exc, _NO_CAPTIONS)


def is_withheld_captions(exc: BaseException) -> bool:
    """True for youtube-transcript-api's ``PoTokenRequired``: only YouTube's own player gets this track."""
    return isinstance(exc, yta.PoTokenRequired)


def retry_after_seconds(
    value: str | None, *, now: dt.datetime | None = None, max_s: float = DEFAULT_RETRY_AFTER_MAX_S
) -> float | None:
    """Parse a Retry-After header (RFC 9110 §10.2.3) into seconds from ``now``, at most ``max_s``.

    Accepts delta-seconds (``"120"``, also a decimal such as ``"1.5"``) or an
    HTTP-date; a date in the past gives 0.0. A wait over ``max_s`` (``"1e300"``,
    a date in year 9999) is clamped to ``max_s`` and logged as a warning
    naming the upstream's value. Returns None for a missing or unparsable
    value (``"inf"``, ``"nan"``, a negative number, garbage). ``now``
    defaults to the current UTC time.
    """
    if not value or not (text := value.strip()):
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())
    if not 0 <= seconds < math.inf:
        return None
    if seconds > max_s:
        logger.warning("The upstream asked to wait Retry-After: %.80r; waiting the maximum, %g s, instead", text, max_s)
        return max_s
    return seconds


def classify(
    exc: BaseException,
    *,
    video_id: str | None = None,
    stage: str | None = None,
    now: dt.datetime | None = None,
    retry_after_max_s: float = DEFAULT_RETRY_AFTER_MAX_S,
) -> ImportFailure:
    """Map ``exc`` to a new :class:`ImportFailure` (``__cause__`` set to ``exc``).

    An ``ImportFailure`` is returned as is. ``retry_after_s`` (seconds) comes
    from the response's Retry-After header when there is one, clamped to
    ``retry_after_max_s`` (:func:`retry_after_seconds`); a Data API
    quota error without it waits until the quota resets at midnight Pacific
    time. The ``detail`` is the exception's first line with keys and tokens
    redacted (:func:`robust_import_app.redact.redact`). ``now`` (UTC) is for
    tests. Raises nothing.
    """
    if isinstance(exc, ImportFailure):
        return exc
    rule = matching_rule(exc)
    code = rule.code if rule is not None else ErrorCode.UNKNOWN
    retry_after_s = None
    if not code.is_permanent:
        retry_after_s = retry_after_seconds(_header(exc, "Retry-After"), now=now, max_s=retry_after_max_s)
        if retry_after_s is None and code is ErrorCode.QUOTA_EXCEEDED:
            retry_after_s = _seconds_until_quota_reset(now)
    failure = failure_for(
        code,
        video_id=video_id or getattr(exc, "video_id", None),
        stage=stage,
        retry_after_s=retry_after_s,
        detail=_detail(exc),
    )
    failure.__cause__ = exc
    return failure


def matching_rule(exc: BaseException) -> Rule | None:
    """The first row of :data:`RULES` that ``exc`` matches, or None."""
    return next((rule for rule in RULES if rule.matches(exc)), None)


# --- helpers reading the exceptions ------------------------------------------


def _text(exc: BaseException) -> str:
    if isinstance(exc, yta.CouldNotRetrieveTranscript):
        return f"{type(exc).__name__}: {exc.cause}"
    return str(exc)


def _detail(exc: BaseException) -> str:
    """The first line of the exception's text, secrets redacted, at most 300 characters."""
    lines = [line.strip() for line in _text(exc).splitlines() if line.strip()]
    first = lines[0].removeprefix("ERROR: ") if lines else type(exc).__name__
    return redact(first)[:_DETAIL_MAX_CHARS]


def _response_of(exc: BaseException) -> object | None:
    """The HTTP response behind ``exc``, from httpx, yt-dlp or requests."""
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response
    if isinstance(exc, YoutubeDLError):
        for candidate in (exc, *(getattr(exc, "exc_info", None) or ())[1:2], getattr(exc, "cause", None)):
            if isinstance(candidate, YtDlpHTTPError):
                response: object = candidate.response  # yt-dlp ships no types
                return response
    if isinstance(exc, yta.YouTubeRequestFailed) and isinstance(exc.__context__, requests.HTTPError):
        return exc.__context__.response
    return None


def _header(exc: BaseException, name: str) -> str | None:
    """A response header (case-insensitive in httpx, requests and yt-dlp alike)."""
    headers = getattr(_response_of(exc), "headers", None)
    return headers.get(name) if headers is not None else None


def _status(exc: BaseException) -> int | None:
    response = _response_of(exc)
    for attr in ("status_code", "status"):
        if isinstance(value := getattr(response, attr, None), int):
            return value
    if isinstance(exc, yta.YouTubeRequestFailed):  # reason is "429 Client Error: ..."
        if m := re.match(r"\s*(\d{3})\b", exc.reason):
            return int(m.group(1))
    return None


def _status_in(low: int, high: int | None = None) -> Callable[[BaseException], bool]:
    """Predicate: the HTTP status is ``low`` (or in ``low..high`` inclusive)."""
    top = low if high is None else high

    def check(exc: BaseException) -> bool:
        status = _status(exc)
        return status is not None and low <= status <= top

    return check


def _google_reasons(exc: BaseException) -> set[str]:
    """``errors[].reason`` and ``details[].reason`` of a Google API error body."""
    try:
        body = exc.response.json() if isinstance(exc, httpx.HTTPStatusError) else None
    except (json.JSONDecodeError, httpx.ResponseNotRead, UnicodeDecodeError):
        return set()
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return set()
    items = [*(error.get("errors") or []), *(error.get("details") or [])]
    return {item["reason"] for item in items if isinstance(item, dict) and isinstance(item.get("reason"), str)}


def _google(statuses: tuple[int, ...], reasons: frozenset[str]) -> Callable[[BaseException], bool]:
    """Predicate: one of ``statuses`` with one of ``reasons`` in the body."""

    def check(exc: BaseException) -> bool:
        return _status(exc) in statuses and bool(_google_reasons(exc) & reasons)

    return check


def _seconds_until_quota_reset(now: dt.datetime | None) -> float:
    """Seconds until the next midnight Pacific time, when Data API quotas reset."""
    local = (now or dt.datetime.now(dt.UTC)).astimezone(_QUOTA_RESET_TZ)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), _QUOTA_RESET_TZ)
    return (midnight - local).total_seconds()


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _unplayable_reason(pattern: str) -> Callable[[BaseException], bool]:
    """Predicate on ``VideoUnplayable.reason`` and its sub-reasons."""
    regex = _re(pattern)

    def check(exc: BaseException) -> bool:
        if not isinstance(exc, yta.VideoUnplayable):
            return False
        return regex.search(" ".join([exc.reason or "", *exc.sub_reasons])) is not None

    return check


def _connection_invalidated(exc: BaseException) -> bool:
    """Predicate: SQLAlchemy saw the database connection drop (``DBAPIError.connection_invalidated``)."""
    return isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated


_KEY_REASONS = frozenset({"keyInvalid", "keyExpired", "API_KEY_INVALID", "API_KEY_EXPIRED"})
_QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
_RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"})

_E = ErrorCode
RULES: tuple[Rule, ...] = (
    # yt-dlp: YouTube's reasons first (they may also contain "Sign in"), then HTTP.
    Rule("ytdlp_private", YoutubeDLError, _re(r"Private video|This video is private"), _E.PRIVATE),
    Rule("ytdlp_members", YoutubeDLError, _re(r"members-only|members only|Join this channel"), _E.MEMBERS_ONLY),
    Rule(
        "ytdlp_age",
        YoutubeDLError,
        _re(r"Sign in to confirm your age|inappropriate for some users|age-restricted"),
        _E.AGE_RESTRICTED,
    ),
    Rule("ytdlp_bot", YoutubeDLError, _re(r"not a bot|captcha challenge"), _E.BOT_CHECK),
    Rule("ytdlp_ip_blocked", YoutubeDLError, _re(r"Your IP is likely being blocked"), _E.IP_BLOCKED),
    Rule(
        "ytdlp_session_limited", YoutubeDLError, _re(r"This content isn.t available, try again later"), _E.RATE_LIMITED
    ),
    Rule(
        "ytdlp_upcoming",
        YoutubeDLError,
        _re(r"Premieres in|Premiere will begin|This live event will begin|\bupcoming\b"),
        _E.UPCOMING,
    ),
    # yt-dlp's text for a live replay YouTube no longer serves (5YceQ8YqYMc in the corpus).
    Rule("ytdlp_live_recording", YoutubeDLError, _re(r"live stream recording is not available"), _E.UNPLAYABLE),
    # Every player request failed (each reported as a warning, usually HTTP 429s):
    # yt-dlp's final error carries no cause, so it is treated as a rate limit.
    Rule("ytdlp_no_player_response", YoutubeDLError, _re(r"Failed to extract any player response"), _E.RATE_LIMITED),
    Rule(
        "ytdlp_geo",
        YoutubeDLError,
        _re(r"not available from your location|not made this video available in your country"),
        _E.UNPLAYABLE,
    ),
    Rule(
        "ytdlp_removed",
        YoutubeDLError,
        _re(
            r"Video unavailable|has been removed|no longer available"
            r"|account associated with this video has been terminated|This video is not available"
        ),
        _E.REMOVED,
    ),
    Rule("ytdlp_invalid_id", YoutubeDLError, _re(r"Incomplete YouTube ID|is not a valid URL"), _E.INVALID_ID),
    # A playlist or channel tab (``youtube:tab``): YouTube's alerts, and yt-dlp's own text
    # when a missing channel's URL redirected to the home page (``_tab.py``).
    Rule("ytdlp_source_missing", YoutubeDLError, _re(r"(?:playlist|channel) does not exist"), _E.NOT_FOUND),
    Rule("ytdlp_source_private", YoutubeDLError, _re(r"This playlist is private"), _E.PRIVATE),
    Rule(
        "ytdlp_no_formats",
        YoutubeDLError,
        _re(r"Requested format is not available|No video formats found|DRM protected"),
        _E.UNPLAYABLE,
    ),
    Rule("ytdlp_429", YoutubeDLError, _re(r"HTTP Error 429|Too Many Requests"), _E.RATE_LIMITED),
    Rule("ytdlp_5xx", YoutubeDLError, _re(r"HTTP Error 5\d\d"), _E.SERVER_ERROR),
    Rule("ytdlp_404", YoutubeDLError, _re(r"HTTP Error 404"), _E.NOT_FOUND),
    Rule("ytdlp_403", YoutubeDLError, _re(r"HTTP Error 403"), _E.BOT_CHECK),
    Rule("ytdlp_timeout", YoutubeDLError, _re(r"timed out|\btimeout\b"), _E.TIMEOUT),
    Rule(
        "ytdlp_network",
        YoutubeDLError,
        _re(
            r"Unable to download|Connection refused|Connection reset|Name or service not known"
            r"|Temporary failure in name resolution|\[Errno"
        ),
        _E.NETWORK,
    ),
    # youtube-transcript-api: IpBlocked subclasses RequestBlocked, so it comes first.
    Rule("yta_ip_blocked", yta.IpBlocked, None, _E.IP_BLOCKED),
    Rule("yta_request_blocked", yta.RequestBlocked, None, _E.BOT_CHECK),
    Rule("yta_age", yta.AgeRestricted, None, _E.AGE_RESTRICTED),
    Rule("yta_invalid_id", yta.InvalidVideoId, None, _E.INVALID_ID),
    Rule("yta_removed", yta.VideoUnavailable, None, _E.REMOVED),
    Rule("yta_unplayable_private", yta.VideoUnplayable, _unplayable_reason(r"private"), _E.PRIVATE),
    Rule(
        "yta_unplayable_members",
        yta.VideoUnplayable,
        _unplayable_reason(r"members-only|members only|Join this channel"),
        _E.MEMBERS_ONLY,
    ),
    Rule(
        "yta_unplayable_upcoming",
        yta.VideoUnplayable,
        _unplayable_reason(r"Premieres in|Premiere will begin|live event will begin"),
        _E.UPCOMING,
    ),
    Rule("yta_unplayable", yta.VideoUnplayable, None, _E.UNPLAYABLE),
    Rule("yta_http_429", yta.YouTubeRequestFailed, _status_in(429), _E.RATE_LIMITED),
    Rule("yta_http_5xx", yta.YouTubeRequestFailed, _status_in(500, 599), _E.SERVER_ERROR),
    Rule("yta_no_captions", _NO_CAPTIONS, None, _E.UNKNOWN),
    # requests (under youtube-transcript-api); ConnectTimeout is both, Timeout wins.
    Rule("requests_timeout", requests.Timeout, None, _E.TIMEOUT),
    Rule("requests_connection", (requests.ConnectionError, requests.exceptions.ChunkedEncodingError), None, _E.NETWORK),
    Rule("requests_other", requests.RequestException, None, _E.UNKNOWN),  # not the OSError row below
    # httpx (Data API, Whisper).
    Rule("httpx_timeout", httpx.TimeoutException, None, _E.TIMEOUT),
    Rule("httpx_network", (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError), None, _E.NETWORK),
    Rule("httpx_quota", httpx.HTTPStatusError, _google((403, 429), _QUOTA_REASONS), _E.QUOTA_EXCEEDED),
    Rule("httpx_429", httpx.HTTPStatusError, _status_in(429), _E.RATE_LIMITED),
    Rule("httpx_rate_reason", httpx.HTTPStatusError, _google((403,), _RATE_REASONS), _E.RATE_LIMITED),
    Rule("httpx_invalid_key", httpx.HTTPStatusError, _google((400, 403), _KEY_REASONS), _E.UNAUTHORIZED),
    Rule("httpx_401", httpx.HTTPStatusError, _status_in(401), _E.UNAUTHORIZED),
    Rule("httpx_403", httpx.HTTPStatusError, _status_in(403), _E.UNAUTHORIZED),
    Rule("httpx_404", httpx.HTTPStatusError, _status_in(404), _E.NOT_FOUND),
    Rule("httpx_408", httpx.HTTPStatusError, _status_in(408), _E.TIMEOUT),
    Rule("httpx_413", httpx.HTTPStatusError, _status_in(413), _E.TOO_LARGE),
    Rule("httpx_5xx", httpx.HTTPStatusError, _status_in(500, 599), _E.SERVER_ERROR),
    Rule("data_api_no_channel", ChannelNotFound, None, _E.NOT_FOUND),
    # SQLAlchemy (the library's database): a dropped connection, then busy or unreachable.
    Rule("db_connection_lost", sa_exc.DBAPIError, _connection_invalidated, _E.DATABASE),
    Rule("db_unavailable", (sa_exc.OperationalError, sa_exc.InterfaceError), None, _E.DATABASE),
    Rule("db_pool_timeout", sa_exc.TimeoutError, None, _E.DATABASE),
    # The standard library; TimeoutError and ConnectionError are OSErrors, so first.
    Rule("timeout", TimeoutError, None, _E.TIMEOUT),
    Rule("connection", ConnectionError, None, _E.NETWORK),
    Rule("local_os", (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError), None, _E.UNKNOWN),
    Rule("os", OSError, None, _E.NETWORK),
)
"""The mapping table, most specific row first; :func:`classify` takes the first match."""
