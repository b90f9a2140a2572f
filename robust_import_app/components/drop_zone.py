"""The list's drop zone: links dragged onto the grid import into the shown list, with a paste's report.

Reflex 0.10's HTML elements have no drag-and-drop event triggers, so
:class:`_DropTarget` declares them on a ``div``. The highlight while dragging
is a ``data-dragging`` attribute that the browser sets and clears (no round
trip to the server); the drop sends ``text/uri-list`` and ``text/plain`` to
:meth:`ImportState.import_dropped`. Drags that start inside the zone (a
card's image or link) are not taken as drops.
"""

from __future__ import annotations

import reflex as rx
from reflex.event import no_args_event_spec

from robust_import_app.reflex_internals import raw_js
from robust_import_app.state.importer import MAX_PASTE_CHARS, ImportState

_FIT = f"(text => (JSON.stringify(text).length > {MAX_PASTE_CHARS} ? null : text))"
"""The text as sent, or null when it is over ``MAX_PASTE_CHARS`` as the socket carries it (never sent)."""


def _dropped_texts(event: rx.Var) -> tuple[rx.Var[str | None], rx.Var[str | None]]:
    """The drop's ``text/uri-list`` and ``text/plain`` data ("" when absent, null when too long to send)."""
    data = f"{event}.dataTransfer"
    return (
        raw_js(f"{_FIT}({data}.getData('text/uri-list'))").to(str),
        raw_js(f"{_FIT}({data}.getData('text/plain'))").to(str),
    )


class _DropTarget(rx.el.Div):
    """A ``div`` with the HTML drag-and-drop events."""

    on_drag_start: rx.EventHandler[no_args_event_spec]
    on_drag_end: rx.EventHandler[no_args_event_spec]
    on_drag_enter: rx.EventHandler[no_args_event_spec]
    on_drag_over: rx.EventHandler[no_args_event_spec]
    on_drag_leave: rx.EventHandler[no_args_event_spec]
    on_drop: rx.EventHandler[_dropped_texts]


_MARK_INNER_DRAG = rx.vars.FunctionStringVar.create("(event => { event.currentTarget.dataset.innerDrag = ''; })")
_UNMARK_INNER_DRAG = rx.vars.FunctionStringVar.create("(event => { delete event.currentTarget.dataset.innerDrag; })")
_ACCEPT_TEXT = rx.vars.FunctionStringVar.create(
    "(event => {"
    " const zone = event.currentTarget;"
    " const types = Array.from(event.dataTransfer.types);"
    " if ('innerDrag' in zone.dataset || !types.some(t => t === 'text/uri-list' || t === 'text/plain')) return;"
    " event.preventDefault(); event.dataTransfer.dropEffect = 'copy'; zone.dataset.dragging = ''; })"
)
"""On dragenter and dragover: allow the drop (and highlight) when the drag carries text or links from elsewhere."""
_LEAVE = rx.vars.FunctionStringVar.create(
    "(event => { if (!event.currentTarget.contains(event.relatedTarget)) delete event.currentTarget.dataset.dragging; })"
)
"""On dragleave: drop the highlight once the pointer has left the zone (not when it moves onto a card in it)."""
_TAKE_DROP = rx.vars.FunctionStringVar.create(
    "((uriList, plain, event) => { event.preventDefault(); delete event.currentTarget.dataset.dragging; })"
)
"""On drop, before the texts go to the server: keep the browser from opening the link, drop the highlight."""

_ZONE_STYLE = {
    "position": "relative",
    "width": "100%",
    "border_radius": "var(--radius-3)",
    "outline": "2px dashed transparent",
    "outline_offset": "0.5rem",
    "&[data-dragging]": {"outline_color": "var(--accent-9)", "background": "var(--accent-a2)"},
    "&[data-dragging]::after": {
        "content": '"Drop to import into this list"',
        "position": "absolute",
        "top": "0.5rem",
        "left": "50%",
        "transform": "translateX(-50%)",
        "padding": "0.35rem 0.8rem",
        "border_radius": "var(--radius-2)",
        "background": "var(--accent-9)",
        "color": "var(--accent-contrast)",
        "font_size": "var(--font-size-2)",
        "pointer_events": "none",
        "z_index": "1",
    },
}


def drop_zone(*children: rx.Component) -> rx.Component:
    """``children`` in a zone that imports dropped links into the shown list (``data-testid="drop-zone"``)."""
    return _DropTarget.create(
        *children,
        on_drag_start=_MARK_INNER_DRAG,
        on_drag_end=_UNMARK_INNER_DRAG,
        on_drag_enter=_ACCEPT_TEXT,
        on_drag_over=_ACCEPT_TEXT,
        on_drag_leave=_LEAVE,
        on_drop=[_TAKE_DROP, ImportState.import_dropped],
        style=_ZONE_STYLE,
        data_testid="drop-zone",
    )
