"""Remove API keys, tokens and passwords from text before it is logged or stored.

:func:`redact` replaces each secret with ``[redacted]``::

    redact("GET /videos?id=x&key=AIzaSyA...&part=snippet")
    # 'GET /videos?id=x&key=[redacted]&part=snippet'

What it finds, by shape (:data:`PATTERNS`): Google API keys (``AIza`` and 35
more characters, the form Google Cloud issues; 30 or more are matched), Groq keys (``gsk_...``),
``key=``, ``api_key=``, ``token=``, ``access_token=`` and similar query or form
parameters, ``Authorization: Bearer|Basic ...`` and a bare ``Bearer ...``,
key headers (``x-goog-api-key``, ``x-api-key``) and the password of a URL
such as ``http://user:password@proxy:8080``. By value: every string given to
:func:`register_secret` (e.g. the configured API keys, at start-up), so that a
secret of any shape is caught wherever it appears.

:class:`RedactingFilter` applies :func:`redact` to log records.
:func:`install_log_redaction` makes every record of the process pass it: it
wraps the log record factory (so a record is redacted where it is made,
whatever handler prints it later: one added after start-up, a server's own,
or Python's last-resort handler when there is none) and adds the filter to the
handlers there are (for records rebuilt with :func:`logging.makeLogRecord`,
which bypasses the factory). This module imports nothing of the project's, so
every layer may use it.
"""

from __future__ import annotations

import logging
import re
import threading

REDACTED = "[redacted]"
MIN_SECRET_CHARS = 6
"""Registered values shorter than this are ignored: replacing them would garble ordinary text."""

PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # The key/value forms first, so that the name of the parameter or header stays readable.
    (
        re.compile(r"(?i)\b(authorization[\"']?\s*[:=]\s*[\"']?(?:(?:bearer|basic|token)\s+)?)[^\s\"',;]+"),
        rf"\1{REDACTED}",
    ),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), rf"\1{REDACTED}"),
    (re.compile(r"(?i)\b(x-goog-api-key|x-api-key)([\"']?\s*[:=]\s*[\"']?)[^\s\"',;}]+"), rf"\1\2{REDACTED}"),
    (
        re.compile(
            r"(?i)(?<![A-Za-z0-9])(access_token|refresh_token|id_token|api_key|apikey|client_secret|token|key|password)"
            r"=[^&\s\"'#<>]+"
        ),
        rf"\1={REDACTED}",
    ),
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s/]+@"), rf"\1{REDACTED}@"),
    (re.compile(r"AIza[0-9A-Za-z_-]{30,}"), REDACTED),
    (re.compile(r"\bgsk_[0-9A-Za-z]{20,}"), REDACTED),
)
"""Secret shapes, each a pattern and its replacement, applied in order."""

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()


def register_secret(value: str | None) -> None:
    """Redact ``value`` wherever it appears from now on; None, empty and short values are ignored.

    Call it at start-up for each configured secret (API keys, the proxy URL's
    password). Safe from any thread.
    """
    global _secrets
    if value is None or len(value) < MIN_SECRET_CHARS:
        return
    with _lock:
        # Longest first, so that a secret containing another is replaced whole.
        _secrets = tuple(sorted({*_secrets, value}, key=len, reverse=True))


def redact(text: str) -> str:
    """``text`` with every registered secret and every :data:`PATTERNS` match replaced by ``[redacted]``."""
    for secret in _secrets:
        text = text.replace(secret, REDACTED)
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Redact a log record's message (with its args merged in), exception text and stack.

    The record's ``msg`` becomes the redacted, fully formatted message and its
    ``args`` are cleared; ``exc_text`` is formatted now (as
    :class:`logging.Formatter` would) and redacted, so that handlers print the
    redacted traceback. Never drops a record.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # args that do not fit the format: keep the template
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_log_redaction(*loggers: logging.Logger) -> RedactingFilter:
    """Redact every log record made from now on, and add one :class:`RedactingFilter` to every handler of ``loggers``.

    Returns the filter. The record factory is wrapped once per process,
    however often this is called. Without arguments: the handlers of the root logger and of every logger
    created so far (those that do not propagate, such as a server's access
    log, have handlers of their own). Filters on a handler see every record
    that reaches it, including those propagated from child loggers (a filter
    on a logger would not). Call it after logging is configured; a handler
    added later needs ``handler.addFilter(filter)`` with the returned filter.
    A handler that already has a ``RedactingFilter`` gets no second one.
    """
    _redact_new_records()
    targets = loggers or (
        logging.getLogger(),
        *(logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)),
    )
    redacting = RedactingFilter()
    for target in targets:
        for handler in target.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(redacting)
    return redacting


def _redact_new_records() -> None:
    """Wrap the log record factory so that each record is redacted as it is made (once per process)."""
    with _lock:
        current = logging.getLogRecordFactory()
        if getattr(current, "redacts", False):
            return
        redacting = RedactingFilter()

        def make_record(*args: object, **kwargs: object) -> logging.LogRecord:
            record = current(*args, **kwargs)
            redacting.filter(record)
            return record

        make_record.redacts = True  # type: ignore[attr-defined]  # marks the wrapper, so it is never wrapped twice
        logging.setLogRecordFactory(make_record)
