"""classify(): one case per row of RULES, fed the real exception types and texts.

yt-dlp texts follow yt-dlp 2026.10.26: YouTube's playability reason joined
with its subreason and, when it mentions "sign in", yt-dlp's login hint
(``extractor/youtube/_video.py``, the ``if not formats:`` block); errors are
wrapped by a real ``YoutubeDL.report_error`` exactly as ``extract_info`` does.
youtube-transcript-api errors come from its own ``_raise_http_errors`` and
``TranscriptListFetcher._assert_playability`` where possible.
"""

from __future__ import annotations

import datetime as dt
import io
import socket
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import requests
import sqlalchemy as sa
import youtube_transcript_api as yta
from youtube_transcript_api._transcripts import TranscriptListFetcher, _raise_http_errors
from yt_dlp import YoutubeDL
from yt_dlp.extractor.youtube import YoutubeIE
from yt_dlp.networking.common import Response as YtDlpResponse
from yt_dlp.networking.exceptions import HTTPError as YtDlpHTTPError
from yt_dlp.networking.exceptions import TransportError as YtDlpTransportError
from yt_dlp.utils import DownloadError, ExtractorError

from robust_import_app.domain.errors import (
    ErrorCode,
    ImportFailure,
    PermanentImportError,
    TransientImportError,
)
from robust_import_app.domain.sources import SourceKind
from robust_import_app.pipeline.resilience.classify import (
    RULES,
    classify,
    is_no_captions,
    is_withheld_captions,
    matching_rule,
    retry_after_seconds,
)
from robust_import_app.youtube.data_api import ChannelNotFound
from robust_import_app.youtube.sources import SourceRef

VID = "dQw4w9WgXcQ"
WATCH = f"https://www.youtube.com/watch?v={VID}"
NOW = dt.datetime(2026, 1, 15, 20, 0, tzinfo=dt.UTC)  # 12:00 PST: 12 h to the quota reset


class _SilentLogger:
    def debug(self, msg: str) -> None: ...
    def warning(self, msg: str) -> None: ...
    def error(self, msg: str) -> None: ...


_YDL = YoutubeDL({"quiet": True, "logger": _SilentLogger()})
LOGIN_HINT = YoutubeIE(_YDL)._youtube_login_hint  # "Use --cookies-from-browser or --cookies ..."


def _download_error(raise_extractor_error: Callable[[], None]) -> DownloadError:
    """Run yt-dlp's own wrapping: ExtractorError -> YoutubeDL.report_error -> DownloadError."""
    try:
        try:
            raise_extractor_error()
        except ExtractorError as e:  # as YoutubeDL._handle_extraction_exceptions does
            _YDL.report_error(str(e), e.format_traceback())
    except DownloadError as wrapped:
        return wrapped
    raise AssertionError("report_error did not raise")


def ytdlp(reason: str, *, ie: str = "youtube") -> DownloadError:
    """A DownloadError for an ExtractorError raised with ``reason`` (raise_no_formats)."""

    def go() -> None:
        raise ExtractorError(reason, expected=True, video_id=VID, ie=ie)

    return _download_error(go)


def ytdlp_network(cause: Exception) -> DownloadError:
    """``_request_webpage``: the network error becomes 'Unable to download webpage: ...'."""

    def go() -> None:
        try:
            raise cause
        except (YtDlpHTTPError, YtDlpTransportError) as err:
            raise ExtractorError(f"Unable to download webpage: {err}", cause=err, video_id=VID, ie="youtube")  # noqa: B904  (yt-dlp chains it implicitly, as here)

    return _download_error(go)


def ytdlp_http(status: int, headers: dict[str, str] | None = None) -> DownloadError:
    return ytdlp_network(YtDlpHTTPError(YtDlpResponse(io.BytesIO(b""), WATCH, headers or {}, status=status)))


def ytdlp_geo() -> DownloadError:
    """GeoRestrictedError as YoutubeDL._handle_extraction_exceptions reports it."""
    msg = "[youtube] dQw4w9WgXcQ: The uploader has not made this video available in your country"
    msg += "\nYou might want to use a VPN or a proxy server (with --proxy) to workaround."
    try:
        _YDL.report_error(msg)
    except DownloadError as e:
        return e
    raise AssertionError


def yta_playability(status: str, reason: str, video_id: str = VID, subreasons: tuple[str, ...] = ()) -> Exception:
    data = {
        "status": status,
        "reason": reason,
        "errorScreen": {"playerErrorMessageRenderer": {"subreason": {"runs": [{"text": s} for s in subreasons]}}},
    }
    try:
        TranscriptListFetcher._assert_playability(None, data, video_id)  # type: ignore[arg-type]
    except yta.CouldNotRetrieveTranscript as e:
        return e
    raise AssertionError("playable")


def _requests_response(status: int, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.reason = {429: "Too Many Requests", 503: "Service Unavailable"}.get(status, "Error")
    response.url = f"https://www.youtube.com/api/timedtext?v={VID}"
    response.headers.update(headers or {})
    return response


def yta_http(status: int, headers: dict[str, str] | None = None) -> Exception:
    """youtube-transcript-api's own ``_raise_http_errors`` on a real requests.Response."""
    try:
        _raise_http_errors(_requests_response(status, headers), VID)
    except yta.CouldNotRetrieveTranscript as e:
        return e
    raise AssertionError


def yta_request_failed(status: int, headers: dict[str, str]) -> Exception:
    """YouTubeRequestFailed raised inside ``except HTTPError`` (as the library does)."""
    try:
        _requests_response(status, headers).raise_for_status()
    except requests.HTTPError as err:
        try:
            raise yta.YouTubeRequestFailed(VID, err)
        except yta.YouTubeRequestFailed as e:
            return e
    raise AssertionError


def http_error(status: int, *, headers: dict[str, str] | None = None, json: object = None) -> httpx.HTTPStatusError:
    request = httpx.Request("GET", "https://www.googleapis.com/youtube/v3/videos?id=" + VID)
    response = httpx.Response(status, headers=headers, json=json, request=request)
    try:
        response.raise_for_status()
    except httpx.HTTPStatusError as e:
        return e
    raise AssertionError


def google_error(status: int, reason: str, message: str = "", details: list[dict[str, str]] | None = None) -> object:
    """The Google API error body (YouTube Data API v3)."""
    body: dict[str, object] = {
        "code": status,
        "message": message,
        "errors": [{"message": message, "domain": "youtube.quota", "reason": reason}],
    }
    if details is not None:
        body["details"] = details
    return {"error": body}


_REQ = httpx.Request("POST", "https://api.groq.com/openai/v1/audio/transcriptions")


def _sqlite_file() -> Path:
    return Path(tempfile.mkdtemp()) / "library.db"


def _raised_by(action: Callable[[], object]) -> BaseException:
    try:
        action()
    except Exception as e:
        return e
    raise AssertionError("no error raised")


def sqlite_locked() -> BaseException:
    """A real "database is locked": another connection holds SQLite's write lock; no busy wait."""
    path = _sqlite_file()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})

    def write() -> None:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE video (id INTEGER)"))

    try:
        return _raised_by(write)
    finally:
        engine.dispose()
        holder.close()


def sqlite_connection_closed() -> BaseException:
    """The DBAPI connection goes away under SQLAlchemy: it invalidates it (``connection_invalidated``)."""
    engine = sa.create_engine(f"sqlite:///{_sqlite_file()}")
    try:
        with engine.connect() as conn:
            conn.connection.dbapi_connection.close()
            return _raised_by(lambda: conn.execute(sa.text("SELECT 1")))
    finally:
        engine.dispose()


def postgres_hangs_up() -> BaseException:
    """psycopg against a server on 127.0.0.1 that closes every connection at once."""
    server = socket.create_server(("127.0.0.1", 0))

    def hang_up() -> None:
        conn, _ = server.accept()
        conn.recv(1024)
        conn.close()

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    engine = sa.create_engine(f"postgresql+psycopg://import:pw@127.0.0.1:{server.getsockname()[1]}/library")
    try:
        return _raised_by(engine.connect)
    finally:
        engine.dispose()
        thread.join(timeout=5)
        server.close()


def pool_exhausted() -> BaseException:
    """Every pooled connection is checked out and the pool's 10 ms wait runs out."""
    engine = sa.create_engine(
        f"sqlite:///{_sqlite_file()}", poolclass=sa.QueuePool, pool_size=1, max_overflow=0, pool_timeout=0.01
    )
    try:
        with engine.connect():
            return _raised_by(engine.connect)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Case:
    rule: str
    make: Callable[[], BaseException]
    code: ErrorCode
    retry_after_s: float | None = None


CASES: list[Case] = [
    # yt-dlp
    Case(
        "ytdlp_private",
        lambda: ytdlp(f"Private video. Sign in if you've been granted access to this video. {LOGIN_HINT}"),
        ErrorCode.PRIVATE,
    ),
    Case(
        "ytdlp_members",
        lambda: ytdlp(
            "Join this channel to get access to members-only content like this video, and other exclusive perks."
        ),
        ErrorCode.MEMBERS_ONLY,
    ),
    Case(
        "ytdlp_age",
        lambda: ytdlp(f"Sign in to confirm your age. This video may be inappropriate for some users. {LOGIN_HINT}"),
        ErrorCode.AGE_RESTRICTED,
    ),
    Case("ytdlp_bot", lambda: ytdlp(f"Sign in to confirm you\u2019re not a bot. {LOGIN_HINT}"), ErrorCode.BOT_CHECK),
    Case(
        "ytdlp_bot",
        lambda: ytdlp("Video unavailable. YouTube is requiring a captcha challenge before playback"),
        ErrorCode.BOT_CHECK,
    ),
    Case(
        "ytdlp_ip_blocked",
        lambda: ytdlp("All player responses are invalid. Your IP is likely being blocked by Youtube"),
        ErrorCode.IP_BLOCKED,
    ),
    Case(
        "ytdlp_session_limited",
        lambda: ytdlp(
            "This content isn't available, try again later. The current session has been rate-limited by "
            "YouTube for up to an hour. It is recommended to use `-t sleep` to add a delay between video requests"
        ),
        ErrorCode.RATE_LIMITED,
    ),
    Case(  # signed in (cookies): yt-dlp says "Your account"; YouTube may send a typographic apostrophe
        "ytdlp_session_limited",
        lambda: ytdlp(
            "This content isn\u2019t available, try again later. Your account has been rate-limited by YouTube "
            "for up to an hour."
        ),
        ErrorCode.RATE_LIMITED,
    ),
    Case("ytdlp_upcoming", lambda: ytdlp("This live event will begin in 3 hours."), ErrorCode.UPCOMING),
    Case("ytdlp_upcoming", lambda: ytdlp("Premieres in 2 hours"), ErrorCode.UPCOMING),
    Case("ytdlp_live_recording", lambda: ytdlp("This live stream recording is not available."), ErrorCode.UNPLAYABLE),
    Case(
        "ytdlp_no_player_response",
        lambda: ytdlp(
            "Failed to extract any player response; please report this issue on  "
            "https://github.com/yt-dlp/yt-dlp/issues?q= , filling out the appropriate issue template."
        ),
        ErrorCode.RATE_LIMITED,
    ),
    Case("ytdlp_geo", ytdlp_geo, ErrorCode.UNPLAYABLE),
    Case(
        "ytdlp_geo",  # InfoExtractor.raise_geo_restricted's default text; must beat ytdlp_removed
        lambda: ytdlp("This video is not available from your location due to geo restriction"),
        ErrorCode.UNPLAYABLE,
    ),
    Case(
        "ytdlp_removed",
        lambda: ytdlp(
            "Video unavailable. This video is no longer available because the YouTube account "
            "associated with this video has been terminated."
        ),
        ErrorCode.REMOVED,
    ),
    Case(
        "ytdlp_removed",
        lambda: ytdlp("This video has been removed for violating YouTube's policy on hate speech."),
        ErrorCode.REMOVED,
    ),
    Case("ytdlp_removed", lambda: ytdlp("This video is not available."), ErrorCode.REMOVED),
    Case(
        "ytdlp_invalid_id",
        lambda: ytdlp(
            f"Incomplete YouTube ID {VID[:10]}. URL {WATCH[:-1]} looks truncated.", ie="youtube:truncated_id"
        ),
        ErrorCode.INVALID_ID,
    ),
    Case("ytdlp_invalid_id", lambda: ytdlp("'not a url' is not a valid URL", ie="generic"), ErrorCode.INVALID_ID),
    Case(
        "ytdlp_source_missing",
        lambda: ytdlp("YouTube said: The playlist does not exist.", ie="youtube:tab"),
        ErrorCode.NOT_FOUND,
    ),
    Case(
        "ytdlp_source_missing",
        lambda: ytdlp(
            "The channel/playlist does not exist and the URL redirected to youtube.com home page", ie="youtube:tab"
        ),
        ErrorCode.NOT_FOUND,
    ),
    Case(
        "ytdlp_source_private",
        lambda: ytdlp("YouTube said: This playlist is private.", ie="youtube:tab"),
        ErrorCode.PRIVATE,
    ),
    Case(
        "ytdlp_no_formats",
        lambda: ytdlp("Requested format is not available. Use --list-formats for a list of available formats"),
        ErrorCode.UNPLAYABLE,
    ),
    Case("ytdlp_429", lambda: ytdlp_http(429, {"Retry-After": "120"}), ErrorCode.RATE_LIMITED, 120.0),
    Case("ytdlp_429", lambda: ytdlp_http(429), ErrorCode.RATE_LIMITED),
    Case("ytdlp_5xx", lambda: ytdlp_http(503, {"Retry-After": "7"}), ErrorCode.SERVER_ERROR, 7.0),
    Case("ytdlp_404", lambda: ytdlp_http(404), ErrorCode.NOT_FOUND),
    Case("ytdlp_403", lambda: ytdlp_http(403), ErrorCode.BOT_CHECK),
    Case(
        "ytdlp_timeout",
        lambda: ytdlp_network(YtDlpTransportError("The read operation timed out")),
        ErrorCode.TIMEOUT,
    ),
    Case(
        "ytdlp_network",
        lambda: ytdlp_network(YtDlpTransportError("[Errno 111] Connection refused")),
        ErrorCode.NETWORK,
    ),
    Case(
        "ytdlp_network",
        lambda: ytdlp_network(YtDlpTransportError("[Errno -2] Name or service not known")),
        ErrorCode.NETWORK,
    ),
    # youtube-transcript-api
    Case("yta_ip_blocked", lambda: yta_http(429), ErrorCode.IP_BLOCKED),
    Case(
        "yta_request_blocked",
        lambda: yta_playability("LOGIN_REQUIRED", "Sign in to confirm you\u2019re not a bot"),
        ErrorCode.BOT_CHECK,
    ),
    # A track only YouTube's own player may fetch (exp=xpe): no captions for us, not a bot check.
    Case("yta_no_captions", lambda: yta.PoTokenRequired(VID), ErrorCode.UNKNOWN),
    Case(
        "yta_age",
        lambda: yta_playability("LOGIN_REQUIRED", "This video may be inappropriate for some users."),
        ErrorCode.AGE_RESTRICTED,
    ),
    Case("yta_invalid_id", lambda: yta_playability("ERROR", "This video is unavailable", WATCH), ErrorCode.INVALID_ID),
    Case("yta_removed", lambda: yta_playability("ERROR", "This video is unavailable"), ErrorCode.REMOVED),
    Case(
        "yta_unplayable_private",
        lambda: yta_playability("LOGIN_REQUIRED", "This video is private"),
        ErrorCode.PRIVATE,
    ),
    Case(
        "yta_unplayable_members",
        lambda: yta_playability(
            "LOGIN_REQUIRED",
            "Join this channel to get access to members-only content like this video, and other exclusive perks.",
        ),
        ErrorCode.MEMBERS_ONLY,
    ),
    Case(
        "yta_unplayable_upcoming",
        lambda: yta_playability("LIVE_STREAM_OFFLINE", "This live event will begin in 3 hours."),
        ErrorCode.UPCOMING,
    ),
    Case(
        "yta_unplayable",
        lambda: yta_playability(
            "UNPLAYABLE", "Video unavailable", subreasons=("Playback on other websites has been disabled",)
        ),
        ErrorCode.UNPLAYABLE,
    ),
    Case("yta_http_429", lambda: yta_request_failed(429, {"Retry-After": "30"}), ErrorCode.RATE_LIMITED, 30.0),
    Case("yta_http_5xx", lambda: yta_http(503), ErrorCode.SERVER_ERROR),
    Case("yta_no_captions", lambda: yta.TranscriptsDisabled(VID), ErrorCode.UNKNOWN),
    Case("requests_timeout", lambda: requests.ReadTimeout("Read timed out."), ErrorCode.TIMEOUT),
    Case("requests_timeout", lambda: requests.ConnectTimeout("Connect timed out."), ErrorCode.TIMEOUT),
    Case("requests_connection", lambda: requests.ConnectionError("Max retries exceeded"), ErrorCode.NETWORK),
    Case("requests_other", lambda: requests.exceptions.InvalidURL("Invalid URL"), ErrorCode.UNKNOWN),
    # httpx
    Case("httpx_timeout", lambda: httpx.ReadTimeout("timed out", request=_REQ), ErrorCode.TIMEOUT),
    Case(
        "httpx_network", lambda: httpx.ConnectError("[Errno 111] Connection refused", request=_REQ), ErrorCode.NETWORK
    ),
    Case(
        "httpx_network",
        lambda: httpx.RemoteProtocolError("Server disconnected without sending a response.", request=_REQ),
        ErrorCode.NETWORK,
    ),
    Case("httpx_network", lambda: httpx.ProxyError("407 Proxy Authentication Required"), ErrorCode.NETWORK),
    Case(
        "httpx_quota",
        lambda: http_error(
            403,
            json=google_error(
                403,
                "quotaExceeded",
                "The request cannot be completed because you have exceeded your "
                '<a href="/youtube/v3/getting-started#quota">quota</a>.',
            ),
        ),
        ErrorCode.QUOTA_EXCEEDED,
        12 * 3600.0,
    ),
    Case(
        "httpx_quota",
        lambda: http_error(403, headers={"Retry-After": "60"}, json=google_error(403, "dailyLimitExceeded")),
        ErrorCode.QUOTA_EXCEEDED,
        60.0,
    ),
    Case("httpx_429", lambda: http_error(429, headers={"Retry-After": "30"}), ErrorCode.RATE_LIMITED, 30.0),
    Case(
        "httpx_429",
        lambda: http_error(429, headers={"retry-after": "Thu, 15 Jan 2026 20:01:30 GMT"}),
        ErrorCode.RATE_LIMITED,
        90.0,
    ),
    Case(
        "httpx_rate_reason",
        lambda: http_error(403, json=google_error(403, "rateLimitExceeded")),
        ErrorCode.RATE_LIMITED,
    ),
    Case(
        "httpx_invalid_key",
        lambda: http_error(
            400,
            json=google_error(
                400,
                "badRequest",
                "API key not valid. Please pass a valid API key.",
                details=[{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
            ),
        ),
        ErrorCode.UNAUTHORIZED,
    ),
    Case("httpx_invalid_key", lambda: http_error(403, json=google_error(403, "keyInvalid")), ErrorCode.UNAUTHORIZED),
    Case("httpx_401", lambda: http_error(401, json={"error": {"message": "Invalid API Key"}}), ErrorCode.UNAUTHORIZED),
    Case("httpx_403", lambda: http_error(403, json=google_error(403, "accessNotConfigured")), ErrorCode.UNAUTHORIZED),
    Case("httpx_404", lambda: http_error(404), ErrorCode.NOT_FOUND),
    Case("httpx_408", lambda: http_error(408), ErrorCode.TIMEOUT),
    Case("httpx_413", lambda: http_error(413), ErrorCode.TOO_LARGE),
    Case("httpx_5xx", lambda: http_error(503, headers={"Retry-After": "5"}), ErrorCode.SERVER_ERROR, 5.0),
    Case("httpx_5xx", lambda: http_error(500), ErrorCode.SERVER_ERROR),
    Case("data_api_no_channel", lambda: ChannelNotFound(SourceRef(SourceKind.CHANNEL, "@nobody")), ErrorCode.NOT_FOUND),
    # SQLAlchemy: the library's own database
    Case("db_connection_lost", sqlite_connection_closed, ErrorCode.DATABASE),
    Case("db_unavailable", sqlite_locked, ErrorCode.DATABASE),
    Case("db_unavailable", postgres_hangs_up, ErrorCode.DATABASE),
    Case(
        "db_unavailable",
        lambda: sa.exc.InterfaceError("SELECT 1", {}, sqlite3.InterfaceError("connection is closed")),
        ErrorCode.DATABASE,
    ),
    Case("db_pool_timeout", pool_exhausted, ErrorCode.DATABASE),
    # the standard library
    Case("timeout", lambda: TimeoutError(), ErrorCode.TIMEOUT),
    Case("timeout", lambda: TimeoutError("timed out"), ErrorCode.TIMEOUT),
    Case("connection", lambda: ConnectionResetError(104, "Connection reset by peer"), ErrorCode.NETWORK),
    Case("local_os", lambda: FileNotFoundError(2, "No such file or directory", "cookies.txt"), ErrorCode.UNKNOWN),
    Case("os", lambda: socket.gaierror(-2, "Name or service not known"), ErrorCode.NETWORK),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}-{i}" for i, c in enumerate(CASES)])
def test_classify_table(case: Case) -> None:
    exc = case.make()
    rule = matching_rule(exc)
    assert rule is not None and rule.name == case.rule
    failure = classify(exc, video_id=VID, stage="metadata", now=NOW)
    assert failure.code is case.code
    expected_cls = PermanentImportError if case.code.is_permanent else TransientImportError
    assert type(failure) is expected_cls
    assert failure.__cause__ is exc
    assert (failure.video_id, failure.stage) == (VID, "metadata")
    if case.retry_after_s is None:
        assert failure.retry_after_s is None
    else:
        assert failure.retry_after_s == pytest.approx(case.retry_after_s)


def test_every_rule_has_a_case() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert set(names) == {case.rule for case in CASES}


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_every_rule_lands_in_a_branch(rule) -> None:  # noqa: ANN001
    """The completeness check: each row's code builds a permanent or a transient error."""
    case = next(c for c in CASES if c.rule == rule.name)
    failure = classify(case.make(), now=NOW)
    assert isinstance(failure, PermanentImportError | TransientImportError)
    assert isinstance(failure, PermanentImportError) == rule.code.is_permanent


def test_unmatched_exception_is_unknown_and_permanent() -> None:
    exc = ValueError("boom")
    assert matching_rule(exc) is None
    failure = classify(exc)
    assert failure.code is ErrorCode.UNKNOWN and isinstance(failure, PermanentImportError)
    assert failure.detail == "boom"


def test_unmatched_ytdlp_message_is_unknown() -> None:
    failure = classify(ytdlp("Some brand-new YouTube message"))
    assert failure.code is ErrorCode.UNKNOWN


def test_import_failure_is_returned_as_is() -> None:
    original = TransientImportError(ErrorCode.TIMEOUT, video_id="x")
    assert classify(original, video_id="y") is original


def test_video_id_falls_back_to_the_exceptions_own() -> None:
    assert classify(yta.VideoUnavailable("abcdefghijk")).video_id == "abcdefghijk"


def test_detail_is_the_first_line_without_prefix() -> None:
    failure = classify(ytdlp_http(429))
    assert failure.detail.startswith("[youtube] dQw4w9WgXcQ: Unable to download webpage: HTTP Error 429")
    assert "\n" not in failure.detail


@pytest.mark.parametrize(
    "exc",
    [
        yta.TranscriptsDisabled(VID),
        yta.NoTranscriptFound(VID, ["de"], "(no transcripts)"),
        yta.NotTranslatable(VID),
        yta.TranslationLanguageNotAvailable(VID),
        yta.PoTokenRequired(VID),
    ],
)
def test_no_captions_predicate(exc: Exception) -> None:
    assert is_no_captions(exc)
    assert is_withheld_captions(exc) is isinstance(exc, yta.PoTokenRequired)


@pytest.mark.parametrize("exc", [yta.VideoUnavailable(VID), yta.IpBlocked(VID), ValueError()])
def test_other_errors_are_not_no_captions(exc: Exception) -> None:
    assert not is_no_captions(exc)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("120", 120.0),
        (" 0 ", 0.0),
        ("1.5", 1.5),
        ("-3", None),
        ("inf", None),
        ("nan", None),
        ("soon", None),
        ("Thu, 15 Jan 2026 20:02:00 GMT", 120.0),
        ("Thu, 15 Jan 2026 19:00:00 GMT", 0.0),  # in the past
    ],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert retry_after_seconds(value, now=NOW) == expected


@pytest.mark.parametrize("make", [sqlite_locked, sqlite_connection_closed, postgres_hangs_up, pool_exhausted])
def test_database_errors_are_transient_and_do_not_count_for_the_breaker(make: Callable[[], BaseException]) -> None:
    failure = classify(make(), video_id=VID, stage="metadata")
    assert isinstance(failure, TransientImportError)
    assert failure.code is ErrorCode.DATABASE
    assert not failure.counts_for_breaker
    assert failure.message == "The library database was busy or unreachable; the import will retry."


def test_classified_error_is_an_import_failure() -> None:
    assert isinstance(classify(OSError()), ImportFailure)


def test_a_postgres_connection_the_server_dropped_is_transient_database(postgres_db_url: str) -> None:
    """The server ends our session (pg_terminate_backend, as a restart or failover does)."""
    engine = sa.create_engine(postgres_db_url)
    try:
        with engine.connect() as victim:
            backend_pid = victim.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            with engine.connect() as other:
                other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": backend_pid})
            dropped = _raised_by(lambda: victim.execute(sa.text("SELECT 1")))
    finally:
        engine.dispose()
    assert isinstance(dropped, sa.exc.DBAPIError) and dropped.connection_invalidated
    rule = matching_rule(dropped)
    assert rule is not None and rule.name == "db_connection_lost"
    failure = classify(dropped, video_id=VID, stage="chapters")
    assert isinstance(failure, TransientImportError) and failure.code is ErrorCode.DATABASE
    assert not failure.counts_for_breaker


@pytest.mark.parametrize(
    "value",
    ["1e300", "100000", "Fri, 31 Dec 9999 23:59:59 GMT"],
)
def test_a_retry_after_over_the_maximum_is_clamped_and_logged(value: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="robust_import_app.pipeline.resilience.classify"):
        assert retry_after_seconds(value, now=NOW) == 3600.0
        assert retry_after_seconds(value, now=NOW, max_s=60.0) == 60.0
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 2
    assert all(value in message for message in warnings), warnings
    assert "3600 s" in warnings[0] and "60 s" in warnings[1]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1e300", 3600.0),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 3600.0),
        ("inf", None),
        ("nan", None),
        ("-5", None),
        ("\x01garbage;=@@", None),
        ("Mon, 99 Foo 99999 99:99:99 GMT", None),
    ],
)
def test_classify_never_carries_an_unbounded_retry_after(value: str, expected: float | None) -> None:
    request = httpx.Request("GET", "https://www.googleapis.com/youtube/v3/videos")
    response = httpx.Response(429, headers={"Retry-After": value}, request=request)
    failure = classify(httpx.HTTPStatusError("429", request=request, response=response), now=NOW)
    assert failure.code is ErrorCode.RATE_LIMITED
    assert failure.retry_after_s == expected
    shorter = classify(httpx.HTTPStatusError("429", request=request, response=response), now=NOW, retry_after_max_s=5)
    assert shorter.retry_after_s == (None if expected is None else 5.0)
