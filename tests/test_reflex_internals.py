"""Each assumption :mod:`robust_import_app.reflex_internals` makes about Reflex, checked against the installed Reflex.

A Reflex upgrade that renames a private field, moves a component, changes
the overlay's slot or rewords the shared token's warning fails here, by
name, before it breaks a page in a browser.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterator

import pytest
import reflex as rx
from reflex.app import default_overlay_component
from reflex.istate.manager.memory import StateManagerMemory
from reflex.state import StateUpdate
from reflex_base.registry import RegistrationContext

from robust_import_app.reflex_internals import (
    OVERLAY_WRAP,
    REFLEX_APP_LOGGER,
    drop_shared_token_delta_warnings,
    event_callback,
    hooks_only,
    link_to_shared,
    raw_js,
    replace_connection_overlay,
    router_link,
)


class ProbeState(rx.State):
    """A state whose var and handler the helpers are built with."""

    count: int = 0

    @rx.event
    def bump(self):
        self.count += 1


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[rx.App]:
    """A fresh app in a fork of Reflex's registration context, memory state manager."""
    monkeypatch.setenv("REFLEX_STATE_MANAGER_MODE", "memory")
    with RegistrationContext.ensure_context().fork():
        app = rx.App(enable_state=True)
        assert isinstance(app.state_manager, StateManagerMemory)
        yield app


def test_raw_js_is_the_expression_verbatim_with_its_imports_and_the_state_it_uses():
    var = raw_js("window.probe(1)", imports={"react": ["useEffect"]}, uses=(ProbeState.count,))

    assert str(var) == "window.probe(1)"
    data = var._get_all_var_data()
    assert data is not None
    assert "useEffect" in {name.tag for name in dict(data.imports)["react"]}
    assert data.state == ProbeState.get_full_name()


def test_raw_js_without_imports_or_uses_carries_no_data():
    assert raw_js("1 + 1")._get_all_var_data() is None


def test_event_callback_is_a_function_that_sends_the_handlers_event():
    callback = event_callback(ProbeState.bump)

    js = str(callback)
    assert js.startswith("((...args) => (addEvents(")
    assert f'ReflexEvent("{ProbeState.get_full_name()}.bump"' in js
    data = callback._get_all_var_data()
    assert data is not None
    assert "addEvents" in {name.tag for module, names in data.imports for name in names}


def test_hooks_only_adds_its_hooks_and_imports_and_renders_no_element():
    hook = raw_js("useEffect(() => { probe(); }, []);", imports={"react": ["useEffect"]})
    component = hooks_only(hook)

    assert "useEffect(() => { probe(); }, []);" in component._get_all_hooks()
    imports = component._get_all_imports()
    assert "useEffect" in {name.tag for name in imports["react"]}
    rendered = component.render()
    assert rendered["name"] == "Fragment"
    assert rendered["children"] == []


def test_router_link_is_react_routers_link():
    link = router_link(rx.el.span("Open"), to="/video/7", class_name="probe")

    rendered = link.render()
    assert rendered["name"] == "ReactRouterLink"
    assert any(str(prop).startswith("to:") and "/video/7" in str(prop) for prop in rendered["props"])
    imports = link._get_all_imports()
    assert any("react-router" in module for module in imports)
    assert "Link" in {name.tag for module, names in imports.items() if "react-router" in module for name in names}


def test_the_overlay_slot_holds_reflexs_connection_overlay_and_is_replaced(app: rx.App):
    default = app.app_wraps[OVERLAY_WRAP]
    assert str(default(True)) == str(default_overlay_component())
    assert default(False) is None
    others = {key: wrap for key, wrap in app.app_wraps.items() if key != OVERLAY_WRAP}

    replace_connection_overlay(app, lambda: rx.text("Probe overlay"))

    assert "Probe overlay" in str(app.app_wraps[OVERLAY_WRAP](True))
    assert app.app_wraps[OVERLAY_WRAP](False) is None
    assert {key: wrap for key, wrap in app.app_wraps.items() if key != OVERLAY_WRAP} == others


def test_link_to_shared_calls_shared_states_link_to():
    link_to = rx.SharedState._link_to
    assert inspect.iscoroutinefunction(link_to)
    assert list(inspect.signature(link_to).parameters) == ["self", "token"]
    assert inspect.iscoroutinefunction(link_to_shared)


@pytest.mark.asyncio
async def test_the_warning_for_a_shared_tokens_delta_is_dropped_and_a_tabs_is_kept(
    app: rx.App, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    reflex_logger = logging.getLogger(REFLEX_APP_LOGGER)
    monkeypatch.setattr(reflex_logger, "filters", [])  # the app's publisher installs the filter at import
    namespace = app.event_namespace
    assert namespace is not None

    async def warnings_for(token: str) -> list[logging.LogRecord]:
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger=REFLEX_APP_LOGGER):
            await namespace.emit_update(StateUpdate(delta={}), token=token)
        return [record for record in caplog.records if record.name == REFLEX_APP_LOGGER]

    (unfiltered,) = await warnings_for("list-7")
    assert "disconnected client 'list-7'" in unfiltered.getMessage()

    noise = drop_shared_token_delta_warnings("list-")

    assert noise in reflex_logger.filters
    assert not noise.filter(unfiltered)
    assert await warnings_for("list-7") == []
    (tab,) = await warnings_for("tab7")
    assert "disconnected client 'tab7'" in tab.getMessage()
