"""A video's description with its web links clickable.

The text is split into plain and link parts in Python and rendered as text
nodes and ``<a>`` elements, never as HTML: markup in a description shows as
the characters it is. Only ``http`` and ``https`` addresses with a host
become links; they open in a new tab with ``rel="noopener noreferrer"``.
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlsplit

import reflex as rx

from robust_import_app import styles

_CANDIDATE = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\")]}>"
LINK_REL = "noopener noreferrer"


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


def _part(part: rx.Var[DescriptionPart]) -> rx.Component:
    return rx.cond(
        part.href != "",
        rx.link(part.text, href=part.href, is_external=True, rel=LINK_REL, data_testid="description-link"),
        rx.text.span(part.text),
    )


def description(parts: rx.Var[list[DescriptionPart]]) -> rx.Component:
    """The description's parts in one pre-wrapped paragraph."""
    return rx.text(
        rx.foreach(parts, _part),
        white_space="pre-wrap",
        size="2",
        color=styles.MUTED,
        data_testid="video-description",
    )
