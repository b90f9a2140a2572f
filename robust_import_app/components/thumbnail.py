"""A video's thumbnail image, or a placeholder where it is missing or does not load."""

from __future__ import annotations

import reflex as rx

from robust_import_app import styles

# React's onError on the <img>, as a JS function: Reflex 0.10's Img declares no
# on_error trigger, and a round trip to the server per failed image would be
# slower than the swap. The check stops a loop should the placeholder fail too.
_SHOW_PLACEHOLDER = rx.vars.FunctionStringVar.create(
    "((event) => { const img = event.currentTarget;"
    f" if (!img.src.endsWith({styles.THUMB_PLACEHOLDER!r})) {{ img.src = {styles.THUMB_PLACEHOLDER!r}; }} }})"
)


def thumbnail_image(src: rx.Var[str], **props) -> rx.Component:
    """``<img>`` of ``src`` (a URL, "" for none) that falls back to ``styles.THUMB_PLACEHOLDER``; ``props`` style it."""
    return rx.image(
        src=rx.cond(src != "", src, styles.THUMB_PLACEHOLDER),
        alt="",
        # The address asked for stays readable after a swap (offline, the CDN never answers).
        custom_attrs={"onError": _SHOW_PLACEHOLDER, "data-thumbnail-src": src},
        **props,
    )
