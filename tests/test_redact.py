"""redact() and RedactingFilter: secrets of every known shape, and registered values, never reach a log."""

from __future__ import annotations

import logging
import secrets

import pytest

from robust_import_app.redact import (
    REDACTED,
    RedactingFilter,
    install_log_redaction,
    redact,
    register_secret,
)

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
