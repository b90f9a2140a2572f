"""The publisher's source push: a source change moves the list's sources revision (tabs reload their source cards)."""

from __future__ import annotations

import pytest

from robust_import_app.pipeline.progress.sink import SourceUpdate
from tests.app.test_publisher import LIST_ID, Tabs, app, fail_modify_state, publisher, tabs  # noqa: F401 (fixtures)


@pytest.mark.asyncio
async def test_a_source_change_moves_the_sources_and_page_revisions_once_per_push(tabs: Tabs, publisher) -> None:  # noqa: F811
    publisher.source_changed(SourceUpdate(list_id=LIST_ID, source_id=3))
    publisher.source_changed(SourceUpdate(list_id=LIST_ID, source_id=3))
    await publisher.flush()
    assert tabs.shown["sources_revision"] == 1
    assert tabs.shown["page_revision"] == 1

    await publisher.flush()  # nothing new: no reload
    assert tabs.shown["sources_revision"] == 1


@pytest.mark.asyncio
async def test_a_source_change_whose_push_failed_is_pushed_by_the_next_flush(app, tabs: Tabs, publisher, monkeypatch) -> None:  # noqa: F811
    publisher.source_changed(SourceUpdate(list_id=LIST_ID, source_id=3))
    fail_modify_state(app, monkeypatch)
    with pytest.raises(ConnectionError):
        await publisher.flush()
    assert "sources_revision" not in tabs.shown

    await publisher.flush()
    assert tabs.shown["sources_revision"] == 1
