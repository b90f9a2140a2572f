"""Whole-number request parameters (row ids in paths, page numbers in queries), read strictly.

Only ASCII digits count: ``str.isdigit`` also accepts ``"²"`` and other
scripts' digits, which ``int`` then refuses or reads as something else. The
length is checked before ``int`` runs, so a parameter of thousands of digits
costs nothing (Python's ``int`` refuses past 4,300 digits with a
``ValueError``), and the value must lie in its range, so it never overflows a
database column or an ``OFFSET``.
"""

from __future__ import annotations

import re

MAX_ROW_ID = 2**31 - 1
"""The largest id a row can have: the id columns are PostgreSQL ``integer``."""

_ASCII_DIGITS = re.compile(r"[0-9]+")
_SHOWN_CHARS = 24


class ParamError(ValueError):
    """A parameter that is not a whole number in its range; ``str(error)`` is the plain message for the caller."""


def whole_number(raw: str, *, name: str, low: int, high: int) -> int:
    """``raw`` (ASCII digits, leading zeros allowed) as an int from ``low`` to ``high`` inclusive.

    Raises :class:`ParamError` naming ``name`` and showing at most the first
    24 characters of ``raw`` when it holds anything but ASCII digits, has more
    significant digits than ``high`` or lies outside the range.
    """
    digits = raw.lstrip("0") or "0"
    if _ASCII_DIGITS.fullmatch(raw) is None or len(digits) > len(str(high)) or not low <= int(digits) <= high:
        raise ParamError(f"{name} must be a whole number from {low:,} to {high:,}, got {_shown(raw)}.")
    return int(digits)


def row_id(raw: str, *, name: str) -> int:
    """``raw`` as a row id (1 to :data:`MAX_ROW_ID`); raises :class:`ParamError` otherwise (see :func:`whole_number`)."""
    return whole_number(raw, name=name, low=1, high=MAX_ROW_ID)


def _shown(raw: str) -> str:
    """``raw`` quoted for a message, cut to its first characters with the length when long."""
    if len(raw) <= _SHOWN_CHARS:
        return repr(raw)
    return f"{raw[:_SHOWN_CHARS]!r}… ({len(raw):,} characters)"
