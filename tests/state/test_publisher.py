"""LivePublisher against a real rx.App (memory state manager): a failed push loses nothing.

``modify_state`` is made to fail by wrapping it (the state manager unreachable)
or by wrapping the app's ``emit_update`` (the delta never leaves: the state
was changed in memory, no tab got it). What the tabs saw is what the app
emitted, recorded from ``emit_update``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import reflex as rx
from reflex.istate.manager.memory import StateManagerMemory
from reflex_base.registry import RegistrationContext

from robust_import_app.domain.stages import ImportStage
from robust_import_app.pipeline.progress.sink import SourceUpdate, VideoUpdate
from robust_import_app.pipeline.queue.videos import BatchSummary
from robust_import_app.state.live import live_token
from robust_import_app.state.publisher import LivePublisher

LIST_ID = 1
VID = "dQw4w9WgXcQ"
SUMMARY = BatchSummary(batch_id=1, list_id=LIST_ID, imported=1, without_captions=0, failed=0)


def update(stage: ImportStage) -> VideoUpdate:
    return VideoUpdate(list_id=LIST_ID, batch_id=1, youtube_id=VID, stage=stage)


class Tabs:
    """Every delta the app emitted for the list's token, merged as a tab would apply them."""

    def __init__(self) -> None:
        self.deltas: list[dict[str, Any]] = []
        self.changed = asyncio.Event()

    def record(self, delta: dict[str, Any]) -> None:
        fields = {name: value for substate in delta.values() for name, value in substate.items()}
        self.deltas.append({name.removesuffix("_rx_state_"): value for name, value in fields.items()})
        self.changed.set()

    @property
    def shown(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for delta in self.deltas:
            merged.update(delta)
        return merged

    @property
    def stages(self) -> list[dict[str, str]]:
        return [delta["stage"] for delta in self.deltas if "stage" in delta]


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[rx.App]:
    """A fresh app in a fork of Reflex's registration context (one app per context), memory state manager."""
    monkeypatch.setenv("REFLEX_STATE_MANAGER_MODE", "memory")
    with RegistrationContext.ensure_context().fork():  # the fork reads rxconfig and the environment anew
        app = rx.App(enable_state=True)
        assert isinstance(app.state_manager, StateManagerMemory)
        yield app


@pytest.fixture
def tabs(app: rx.App, monkeypatch: pytest.MonkeyPatch) -> Tabs:
    seen = Tabs()
    namespace = app.event_namespace
    assert namespace is not None
    real_emit = namespace.emit_update

    async def emit_update(update: Any, token: str, **kwargs: Any) -> None:
        await real_emit(update=update, token=token, **kwargs)
        if token == live_token(LIST_ID):
            seen.record(update.delta)

    monkeypatch.setattr(namespace, "emit_update", emit_update)
    return seen


@pytest.fixture
def publisher(app: rx.App, db) -> LivePublisher:  # noqa: ANN001
    return LivePublisher(app, db, interval_s=0.01, pause_notice=lambda: None)


def fail_modify_state(
    app: rx.App, monkeypatch: pytest.MonkeyPatch, *, times: int = 1, meanwhile: Callable[[], None] = lambda: None
) -> None:
    """The next ``times`` calls of ``app.modify_state`` raise before touching the state (after ``meanwhile()``)."""
    real = app.modify_state
    left = times

    @contextlib.asynccontextmanager
    async def modify_state(token: Any, **kwargs: Any) -> AsyncIterator[Any]:
        nonlocal left
        if left > 0:
            left -= 1
            meanwhile()
            raise ConnectionError("state manager unreachable")
        async with real(token, **kwargs) as root:
            yield root

    monkeypatch.setattr(app, "modify_state", modify_state)


def fail_emit_once(app: rx.App, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next delta is not sent: the state in memory has changed, no tab got it."""
    namespace = app.event_namespace
    real = namespace.emit_update
    failed = False

    async def emit_update(update: Any, token: str, **kwargs: Any) -> None:
        nonlocal failed
        if not failed:
            failed = True
            raise ConnectionError("socket gone")
        await real(update=update, token=token, **kwargs)

    monkeypatch.setattr(namespace, "emit_update", emit_update)


@pytest.mark.parametrize("failure", ["state manager unreachable", "delta not sent"])
@pytest.mark.asyncio
async def test_a_failed_push_is_delivered_by_the_next_flush(
    app: rx.App, tabs: Tabs, publisher: LivePublisher, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    publisher.video_changed(update(ImportStage.CAPTIONS))
    await publisher.flush()
    assert tabs.stages == [{VID: "captions"}]

    publisher.video_changed(update(ImportStage.COMPLETE))
    publisher.batch_finished(SUMMARY)
    if failure == "state manager unreachable":
        fail_modify_state(app, monkeypatch)
    else:
        fail_emit_once(app, monkeypatch)
    with pytest.raises(ConnectionError):
        await publisher.flush()
    assert tabs.stages == [{VID: "captions"}]

    await publisher.flush()  # the final stage, the page reload and the summary
    shown = tabs.shown
    assert shown["stage"] == {VID: "complete"} and shown["progress"] == {VID: 100}
    assert shown["page_revision"] >= 1
    assert shown["summary"] == "1 imported, 0 without captions, 0 failed"
    assert shown["summary_kind"] == "success"
    assert len([delta for delta in tabs.deltas if "summary_revision" in delta]) == 1  # one toast

    await publisher.flush()  # the finished card leaves the live state
    assert tabs.stages[-2:] == [{VID: "complete"}, {}]
    assert tabs.shown["progress"] == {}


@pytest.mark.asyncio
async def test_a_newer_report_arriving_during_a_failed_push_wins(
    app: rx.App, tabs: Tabs, publisher: LivePublisher, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher.video_changed(update(ImportStage.CAPTIONS))
    fail_modify_state(app, monkeypatch, meanwhile=lambda: publisher.video_changed(update(ImportStage.COMPLETE)))
    with pytest.raises(ConnectionError):
        await publisher.flush()

    await publisher.flush()
    await publisher.flush()

    assert tabs.stages == [{VID: "complete"}, {}]


@pytest.mark.asyncio
async def test_a_report_arriving_during_a_push_is_kept_for_the_next(
    app: rx.App, tabs: Tabs, publisher: LivePublisher, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher.video_changed(update(ImportStage.CAPTIONS))
    real = app.modify_state

    @contextlib.asynccontextmanager
    async def report_meanwhile(token: Any, **kwargs: Any) -> AsyncIterator[Any]:
        publisher.video_changed(update(ImportStage.CHAPTERS))
        async with real(token, **kwargs) as root:
            yield root

    monkeypatch.setattr(app, "modify_state", report_meanwhile)
    await publisher.flush()
    monkeypatch.setattr(app, "modify_state", real)
    await publisher.flush()

    assert tabs.stages == [{VID: "captions"}, {VID: "chapters"}]


@pytest.mark.asyncio
async def test_run_retries_a_failing_flush_with_backoff_until_it_goes_through(
    app: rx.App,
    tabs: Tabs,
    publisher: LivePublisher,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fail_modify_state(app, monkeypatch, times=2)
    publisher.video_changed(update(ImportStage.COMPLETE))
    publisher.batch_finished(SUMMARY)
    running = asyncio.create_task(publisher.run())
    try:
        async with asyncio.timeout(10):
            while tabs.shown.get("summary_revision") != 1:
                tabs.changed.clear()
                await tabs.changed.wait()
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running

    assert tabs.shown["stage"] == {VID: "complete"}
    assert tabs.shown["summary"] == "1 imported, 0 without captions, 0 failed"
    retries = [r.getMessage() for r in caplog.records if r.name == "robust_import_app.state.publisher"]
    waits = [message.split(" as it raised")[0].rsplit(" in ", 1)[1] for message in retries]
    assert waits == ["0.01 seconds", "0.02 seconds"]  # interval_s, then doubled


@pytest.mark.asyncio
async def test_a_source_change_moves_the_sources_and_page_revisions_once_per_push(tabs: Tabs, publisher) -> None:
    publisher.source_changed(SourceUpdate(list_id=LIST_ID, source_id=3))
    publisher.source_changed(SourceUpdate(list_id=LIST_ID, source_id=3))
    await publisher.flush()
    assert tabs.shown["sources_revision"] == 1
    assert tabs.shown["page_revision"] == 1

    await publisher.flush()  # nothing new: no reload
    assert tabs.shown["sources_revision"] == 1


@pytest.mark.asyncio
async def test_a_source_change_whose_push_failed_is_pushed_by_the_next_flush(
    app, tabs: Tabs, publisher, monkeypatch
) -> None:
    publisher.source_changed(SourceUpdate(list_id=LIST_ID, source_id=3))
    fail_modify_state(app, monkeypatch)
    with pytest.raises(ConnectionError):
        await publisher.flush()
    assert "sources_revision" not in tabs.shown

    await publisher.flush()
    assert tabs.shown["sources_revision"] == 1
