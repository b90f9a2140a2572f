"""A video's description split into plain text and web links, with no markup ever read.

Only ``http`` and ``https`` addresses with a host become links; the
components render the parts as text nodes and ``<a>`` elements, never as HTML.
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlsplit

_CANDIDATE = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\")]}>"


@dataclasses.dataclass(frozen=True)
class DescriptionPart:
    """A run of the description: plain text (``href`` "") or a link whose text is its address."""

    text: str
    href: str = ""


def split_links(text: str) -> list[DescriptionPart]:
    """``text`` as alternating plain and link parts, in order; joined, the parts' texts are ``text``.

    A candidate starts with ``http://`` or ``https://`` and runs to white
    space or a quote; closing punctuation is left out unless it closes a
    bracket opened inside the address (Wikipedia-style ``…_(film)``). It is a
    link only when :func:`urllib.parse.urlsplit` reads an http(s) scheme and a
    host from it.
    """
    parts: list[DescriptionPart] = []
    plain_from = 0
    for match in _CANDIDATE.finditer(text):
        address = _trim(match.group())
        if not _is_web_link(address):
            continue
        start = match.start()
        if start > plain_from:
            parts.append(DescriptionPart(text[plain_from:start]))
        parts.append(DescriptionPart(address, href=address))
        plain_from = start + len(address)
    if plain_from < len(text):
        parts.append(DescriptionPart(text[plain_from:]))
    return parts


def _trim(address: str) -> str:
    while address and address[-1] in _TRAILING:
        if address[-1] == ")" and address.count("(") >= address.count(")"):
            break
        address = address[:-1]
    return address


def _is_web_link(address: str) -> bool:
    try:
        parts = urlsplit(address)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
