"""Every use of Reflex's private API in the app, behind small typed functions.

Read off Reflex 0.10.1 (``reflex``, ``reflex_base`` and
``reflex_components_core`` 0.10.1). Each function names what it reaches
for and why Reflex offers no public way to do it;
``tests/test_reflex_internals.py`` checks every assumption, so that a
Reflex upgrade that breaks one fails there first.

- :func:`raw_js`: a Var holding a JavaScript expression verbatim, with the
  imports and state it needs. ``Var``'s fields (``_js_expr``,
  ``_var_data``) and ``Var._get_all_var_data`` are underscore names; the
  public ``Var.create`` turns a string into a string literal, not code.
- :func:`event_callback`: the JavaScript function that fires an event
  handler, as a Var. Reflex builds it only while compiling an event
  trigger (``Component.event_triggers``); there is no public constructor.
- :func:`hooks_only`: a component that renders nothing and adds React hooks.
  ``Component.add_hooks`` is public, but a component instance refuses new
  attributes, so the hooks are set with ``object.__setattr__``.
- :func:`router_link`: React Router's ``<Link>`` without Radix Themes'
  ``rx.link`` around it (the video card draws plain elements, see
  :mod:`robust_import_app.components.video_card`); Reflex exports it only
  from its ``reflex_components_core`` package.
- :func:`replace_connection_overlay`: the slot ``(5, "Overlay")`` of
  ``App.app_wraps`` is where Reflex puts its "Cannot connect to server"
  toast; the key is not documented.
- :func:`link_to_shared`: ``SharedState._link_to`` is Reflex's documented
  way to link a tab to a shared token, underscore-named so that it is not an
  event handler.
- :func:`drop_shared_token_delta_warnings`: Reflex logs a warning, by its
  text only, for every delta sent to a shared token (which has no socket of
  its own); there is no setting to turn it off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import reflex as rx
from reflex_base.vars.base import LiteralVar, Var, VarData
from reflex_components_core.react_router.dom import ReactRouterLink

OVERLAY_WRAP = (5, "Overlay")
"""The key of Reflex's connection overlay in ``App.app_wraps``."""
REFLEX_APP_LOGGER = "reflex.app"
"""The logger of ``reflex/app.py``, which warns about deltas to disconnected clients."""
SHARED_TOKEN_DELTA_WARNING = "Attempting to send delta to disconnected client {token!r}"
"""The text of that warning (``EventNamespace.emit_update``), ``token`` quoted by ``repr``."""

SharedStateT = TypeVar("SharedStateT", bound=rx.SharedState)


def raw_js(
    expression: str, *, imports: Mapping[str, Sequence[str]] | None = None, uses: Sequence[Var[Any]] = ()
) -> Var[Any]:
    """A Var whose JavaScript is ``expression`` verbatim.

    ``imports`` maps a JavaScript module to the names the expression imports
    from it (``{"react": ["useEffect"]}``); ``uses`` are the Vars the
    expression embeds (as ``f"{var}"``), whose own imports, hooks and state
    the page must carry too.
    """
    own = VarData(imports={module: list(names) for module, names in imports.items()}) if imports else None
    return Var(_js_expr=expression, _var_data=VarData.merge(own, *(var._get_all_var_data() for var in uses)))


def event_callback(handler: rx.EventHandler) -> Var[Any]:
    """The JavaScript function (no arguments) that sends ``handler``'s event from this tab, as a Var."""
    chain = rx.box(on_mount=handler).event_triggers["on_mount"]
    return LiteralVar.create(chain)


class _Hooks(rx.Fragment):
    """A fragment that renders nothing of its own and adds the hooks it was made with."""

    def add_hooks(self) -> list[str | Var[Any]]:
        return list(self._hooks)


def hooks_only(*hooks: Var[Any]) -> rx.Component:
    """A component that renders nothing and adds ``hooks`` (JavaScript statements, see :func:`raw_js`) to the page."""
    component = _Hooks.create()
    object.__setattr__(component, "_hooks", hooks)
    return component


def router_link(*children: rx.Component, to: Var[str] | str, **props: Any) -> rx.Component:
    """React Router's ``<Link to=...>`` (client-side navigation, a plain ``<a>`` in the page) around ``children``."""
    return ReactRouterLink.create(*children, to=to, **props)


def replace_connection_overlay(app: rx.App, overlay: Callable[[], rx.Component]) -> None:
    """Show ``overlay()`` instead of Reflex's connection toast and icon on every page that has state."""
    app.app_wraps[OVERLAY_WRAP] = lambda stateful: overlay() if stateful else None


async def link_to_shared(state: SharedStateT, token: str) -> SharedStateT:
    """Link this tab's ``state`` to the shared ``token`` (no underscore in it); returns the linked instance to use."""
    return await state._link_to(token)


class _SharedTokenDeltaNoise(logging.Filter):
    """Drops Reflex's warning for deltas to a shared token whose name starts with ``prefix``."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.text = SHARED_TOKEN_DELTA_WARNING.format(token=prefix).removesuffix("'")

    def filter(self, record: logging.LogRecord) -> bool:
        return self.text not in record.getMessage()


def drop_shared_token_delta_warnings(prefix: str) -> logging.Filter:
    """Keep Reflex's "send delta to disconnected client" warning out of the logs for tokens starting with ``prefix``.

    Returns the filter, installed on Reflex's ``reflex.app`` logger (remove it
    with ``logging.getLogger(REFLEX_APP_LOGGER).removeFilter(filter)``).
    """
    noise = _SharedTokenDeltaNoise(prefix)
    logging.getLogger(REFLEX_APP_LOGGER).addFilter(noise)
    return noise
