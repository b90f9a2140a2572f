"""redact() and RedactingFilter: secrets of every known shape, and registered values, never reach a log."""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from robust_import_app.redact import (
    REDACTED,
    RedactingFilter,
    install_log_redaction,
    redact,
    register_secret,
)

REPO = Path(__file__).resolve().parents[1]
GOOGLE_KEY = "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"  # the documented 39-character shape
DATA_API = "https://www.googleapis.com/youtube/v3"
GROQ_KEY = "gsk_" + "Ab3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5kL7nP9rS1tV3"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"Client error '403 Forbidden' for url '{DATA_API}/videos?part=snippet&id=abc&key={GOOGLE_KEY}'",
            f"Client error '403 Forbidden' for url '{DATA_API}/videos?part=snippet&id=abc&key=[redacted]'",
        ),
        (f"key {GOOGLE_KEY} refused", "key [redacted] refused"),
        (f"x-goog-api-key: {GOOGLE_KEY}", "x-goog-api-key: [redacted]"),
        (f"{{'X-Goog-Api-Key': '{GOOGLE_KEY}'}}", "{'X-Goog-Api-Key': '[redacted]'}"),
        ("GET /cb?access_token=ya29.a0AfB_byC&state=1", "GET /cb?access_token=[redacted]&state=1"),
        ("POST /v1?api_key=s3cr3tv4lue", "POST /v1?api_key=[redacted]"),
        ("?token=abcdef123456#frag", "?token=[redacted]#frag"),
        (f"Authorization: Bearer {GROQ_KEY}", "Authorization: Bearer [redacted]"),
        (f"{{'authorization': 'Bearer {GROQ_KEY}'}}", "{'authorization': 'Bearer [redacted]'}"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic [redacted]"),
        ("sent Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc", "sent Bearer [redacted]"),
        (f"groq said no to {GROQ_KEY}.", "groq said no to [redacted]."),
        ("proxy http://ann:hunter2pw@proxy.example:8080 down", "proxy http://ann:[redacted]@proxy.example:8080 down"),
    ],
)
def test_known_shapes_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "HTTP Error 429: Too Many Requests",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42",
        "the bearer of bad news",
        "monkey=3 and turnkey=4",  # names that merely end in "key"
        "The library database was busy or unreachable; the import will retry.",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_registered_values_are_redacted_whatever_their_shape() -> None:
    secret = "plain-" + secrets.token_hex(8)
    assert redact(f"failed with {secret}") == f"failed with {secret}"
    register_secret(secret)
    register_secret(None)
    register_secret("abc")  # too short to register: "abc" stays readable
    assert redact(f"failed with {secret} (abc)") == f"failed with {REDACTED} (abc)"


def test_a_secret_containing_another_is_replaced_whole() -> None:
    inner = "inner" + secrets.token_hex(4)
    register_secret(inner)
    register_secret(f"outer-{inner}-tail")
    assert redact(f"x outer-{inner}-tail y") == f"x {REDACTED} y"


@pytest.fixture
def redacted_caplog(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.handler.addFilter(RedactingFilter())
    caplog.set_level(logging.INFO)
    return caplog


def test_filter_redacts_message_args_and_traceback(redacted_caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("robust_import_app.pipeline.worker")
    try:
        raise RuntimeError(f"GET https://api.example/v1?key={GOOGLE_KEY}")
    except RuntimeError:
        log.exception("stage failed for %s with %r", "vid", f"Bearer {GROQ_KEY}")
    log.warning(f"url had {GOOGLE_KEY}")
    text = redacted_caplog.text
    assert GOOGLE_KEY not in text and GROQ_KEY not in text
    assert "stage failed for vid with 'Bearer [redacted]'" in text
    assert "RuntimeError: GET https://api.example/v1?key=[redacted]" in text
    assert all(GOOGLE_KEY not in r.getMessage() for r in redacted_caplog.records)


def test_filter_keeps_records_whose_args_do_not_fit(redacted_caplog: pytest.LogCaptureFixture) -> None:
    logging.getLogger("robust_import_app").info(f"two %s %s for {GOOGLE_KEY}", "one")
    assert [r.getMessage() for r in redacted_caplog.records] == ["two %s %s for [redacted]"]


def test_install_adds_one_filter_to_every_handler_once() -> None:
    logger = logging.getLogger("robust_import_app.test_redact_install")
    first, second = logging.StreamHandler(), logging.NullHandler()
    logger.addHandler(first)
    logger.addHandler(second)
    try:
        installed = install_log_redaction(logger)
        install_log_redaction(logger)
        assert first.filters == [installed] and second.filters == [installed]
    finally:
        logger.removeHandler(first)
        logger.removeHandler(second)


def test_install_without_arguments_reaches_loggers_that_do_not_propagate() -> None:
    access_log = logging.getLogger("robust_import_app.test_redact_access")
    access_log.propagate = False
    handler = logging.NullHandler()
    access_log.addHandler(handler)
    try:
        installed = install_log_redaction()
        assert installed in handler.filters
    finally:
        access_log.removeHandler(handler)
        loggers = [logging.getLogger(), *logging.root.manager.loggerDict.values()]
        for each in loggers:
            for other in getattr(each, "handlers", ()):
                other.removeFilter(installed)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("redis://:s3cretpw@cache:6379/0 refused", "redis://:[redacted]@cache:6379/0 refused"),
        ("rediss://default:s3cretpw@cache:6380", "rediss://default:[redacted]@cache:6380"),
        ("postgresql+psycopg://app:p%40ss%2Fw0rd@db/lib", "postgresql+psycopg://app:[redacted]@db/lib"),
    ],
)
def test_url_passwords_without_a_user_or_percent_encoded_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={**os.environ, **env},
        check=False,
    )


def test_every_record_is_redacted_even_with_no_handler_or_one_added_later() -> None:
    """Under granian the root logger has no handler: records reach Python's last-resort handler (stderr)."""
    result = _python(
        "import logging, sys\n"
        "from robust_import_app.redact import install_log_redaction, register_secret\n"
        "register_secret('odd-shaped-secret-1')\n"
        "install_log_redaction()\n"
        "install_log_redaction()\n"
        "logging.getLogger('no.handler').warning('Authorization: Bearer abcdefghijkl, odd-shaped-secret-1')\n"
        "late = logging.getLogger('late'); late.addHandler(logging.StreamHandler(sys.stdout)); late.propagate = False\n"
        "late.warning('redis://:hunter2hunter2@cache:6379 and %s', 'odd-shaped-secret-1')\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "Authorization: Bearer [redacted], [redacted]"
    assert result.stdout.strip() == "redis://:[redacted]@cache:6379 and [redacted]"


def test_the_web_app_redacts_its_logs_from_its_first_import() -> None:
    """A web-only process (no import worker in it) still redacts: the app's module installs it, with the settings' secrets."""
    token = "tok-" + secrets.token_hex(12)
    password = "p@ss/" + secrets.token_hex(4)
    result = _python(
        "import logging\n"
        "import robust_import_app.robust_import_app\n"
        f"logging.getLogger('granian').error('request with Authorization {token} to %s', {quote(password, safe='')!r})\n"
        f"logging.getLogger('granian').error('database said: password authentication failed for %s', {password!r})\n",
        IMPORT_API_TOKEN=token,
        IMPORT_WORKER_IN_WEB="0",
        REFLEX_DB_URL=f"postgresql+psycopg://app:{quote(password, safe='')}@127.0.0.1:9/lib",
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "request with" in line or "database said" in line]
    assert lines == [
        "request with Authorization [redacted] to [redacted]",
        "database said: password authentication failed for [redacted]",
    ], result.stderr[-2000:]
