"""A video's description with its web links clickable.

The parts come from :func:`robust_import_app.youtube.description.split_links`
and are rendered as text nodes and ``<a>`` elements, never as HTML: markup in
a description shows as the characters it is. Links open in a new tab with
``rel="noopener noreferrer"``.
"""

from __future__ import annotations

import reflex as rx

from robust_import_app import styles
from robust_import_app.youtube.description import DescriptionPart

LINK_REL = "noopener noreferrer"


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
