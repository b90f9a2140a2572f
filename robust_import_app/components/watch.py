"""Run an event handler in this tab whenever a state var changes value.

Reflex has ``on_mount`` but no "on change"; this renders nothing and adds one
React ``useEffect`` hook that depends on the watched var. It is how a change
pushed into the shared :class:`~robust_import_app.state.live.ListLive` makes
each tab reload its *own* page of cards or show a toast.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.vars.base import LiteralVar, Var, VarData


class _Watch(rx.Fragment):
    """A fragment whose hook calls ``handler`` when ``watched`` changes (and on mount)."""

    def add_hooks(self) -> list[str | Var]:
        watched: Var = self._watched  # type: ignore[attr-defined]
        handler = LiteralVar.create(self._handler)  # type: ignore[attr-defined]
        return [
            Var(
                _js_expr=f"useEffect(() => {{ ({handler!s})(); }}, [{watched!s}]);",
                _var_data=VarData.merge(
                    VarData(imports={"react": ["useEffect"]}),
                    watched._get_all_var_data(),
                    handler._get_all_var_data(),
                ),
            )
        ]


def on_change(watched: Var[Any], handler: rx.EventHandler) -> rx.Component:
    """Call ``handler`` (no arguments) on mount and whenever ``watched`` changes."""
    chain = rx.box(on_mount=handler).event_triggers["on_mount"]
    component = _Watch.create()
    object.__setattr__(component, "_watched", watched)
    object.__setattr__(component, "_handler", chain)
    return component
