"""Run an event handler in this tab whenever a state var changes value.

Reflex has ``on_mount`` but no "on change"; this renders nothing and adds one
React ``useEffect`` hook that depends on the watched var. It is how a change
pushed into the shared :class:`~robust_import_app.state.live.ListLive` makes
each tab reload its *own* page of cards or show a toast.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from robust_import_app.reflex_internals import event_callback, hooks_only, raw_js


def on_change(watched: rx.Var[Any], handler: rx.EventHandler) -> rx.Component:
    """Call ``handler`` (no arguments) on mount and whenever ``watched`` changes."""
    callback = event_callback(handler)
    return hooks_only(
        raw_js(
            f"useEffect(() => {{ ({callback!s})(); }}, [{watched!s}]);",
            imports={"react": ["useEffect"]},
            uses=(watched, callback),
        )
    )
