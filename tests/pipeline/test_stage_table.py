"""The stage table is the one place that says which stages run: an added stage runs, saves and shows."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest
import reflex as rx
from sqlmodel import select, update

from robust_import_app import library
from robust_import_app.components.video_card import _stage_label, card_layout, stage_labels
from robust_import_app.db import Database
from robust_import_app.domain.stages import ImportStage, StageName, stage_named
from robust_import_app.models import Video
from robust_import_app.pipeline.queue.videos import ImportQueue, VideoJob
from robust_import_app.pipeline.stages import table
from robust_import_app.pipeline.stages.context import StageContext
from robust_import_app.pipeline.stages.table import StageSpec
from robust_import_app.state.cards import VideoCard, card_from_row
from robust_import_app.state.video import VideoState
from robust_import_app.youtube.sim import SimBackend
from tests.pipeline.helpers import RecordingSink, make_worker

VIDEO_ID = "manuAAAAAAA"
LABEL = "Summarising"
SHARE = 95


@dataclass
class _Summary:
    """An added stage: its run sees the video's card while in the stage, its save writes the note."""

    db: Database
    ran: list[str] = field(default_factory=list)
    cards: list[VideoCard] = field(default_factory=list)

    async def run(self, job: VideoJob, ctx: StageContext) -> str:
        self.ran.append(job.youtube_id)
        with self.db.read() as session:
            row = session.exec(select(Video).where(Video.id == job.video_id)).one()
        self.cards.append(card_from_row(row))
        return f"Summary of {job.youtube_id}"

    def save(self, queue: ImportQueue, job: VideoJob, summary: str) -> None:
        with self.db.write() as session:
            session.exec(update(Video).where(Video.id == job.video_id).values(note=summary))

    def spec(self) -> StageSpec[str]:
        return StageSpec(stage=StageName("summary", progress=SHARE), run=self.run, save=self.save, label=LABEL)


@pytest.fixture
def summary(db, monkeypatch) -> _Summary:
    """The registration: a summary stage between chapters and complete, in the table only."""
    added = _Summary(db)
    monkeypatch.setattr(table, "STAGES", (*table.STAGES, added.spec()))
    return added


def _row(db) -> Video:
    with db.read() as session:
        return session.exec(select(Video).where(Video.youtube_id == VIDEO_ID)).one()


async def _run_worker(db) -> RecordingSink:
    sink = RecordingSink(db)
    await asyncio.wait_for(make_worker(db, SimBackend(), sink).run(until_idle=True), timeout=30)
    return sink


@pytest.mark.asyncio
async def test_an_added_stage_runs_after_chapters_saves_and_shows_on_the_card(db, summary):
    library.import_paste(db, library.ensure_default_list(db), VIDEO_ID)
    sink = await _run_worker(db)

    assert sink.stages_of(VIDEO_ID) == ["metadata", "captions", "chapters", "summary", "complete"]
    assert summary.ran == [VIDEO_ID], "its run, once"
    row = _row(db)
    assert row.note == f"Summary of {VIDEO_ID}", "its save"
    assert row.import_stage is ImportStage.COMPLETE and row.import_progress == 100

    (entered,) = [u for u in sink.updates if u.stage == "summary"]
    assert entered.progress == SHARE and not entered.waiting, "entered, with the spec's share"
    assert (VIDEO_ID, "summary") in sink.stored_stages, "committed before it was reported"

    (card,) = summary.cards
    assert (card.stage, card.progress, card.terminal) == ("summary", SHARE, False)
    assert stage_labels()[card.stage] == LABEL
    assert f'"{LABEL}"' in str(_stage_label(rx.Var.create(card.stage)))
    live = VideoState.card
    rendered = str(card_layout(live, live.stage, live.progress, rx.Var.create(False), rx.Var.create("")).render())
    assert f'"{LABEL}"' in rendered and '"Finding chapters"' in rendered


@pytest.mark.asyncio
async def test_a_video_stored_at_an_added_stage_resumes_there(db, summary):
    library.import_paste(db, library.ensure_default_list(db), VIDEO_ID)
    with db.write() as session:
        session.exec(update(Video).values(import_stage=summary.spec().stage, import_progress=SHARE))
    assert _row(db).import_stage == "summary" and _row(db).import_stage.progress == SHARE

    sink = await _run_worker(db)

    assert sink.stages_of(VIDEO_ID) == ["summary", "complete"], "no stage before it runs again"
    assert summary.ran == [VIDEO_ID] and _row(db).note == f"Summary of {VIDEO_ID}"


def test_the_table_names_every_stage_for_the_api_and_the_labels(summary):
    assert table.stage_names() == ("created", "metadata", "captions", "chapters", "summary", "complete", "error")
    assert stage_labels() == {
        "created": "Queued",
        "metadata": "Fetching details",
        "captions": "Fetching captions",
        "chapters": "Finding chapters",
        "summary": LABEL,
    }
    assert table.next_stage(ImportStage.CHAPTERS) == "summary"
    assert table.next_stage("summary") is ImportStage.COMPLETE
    assert stage_named("summary") is table.STAGES[-1].stage, "read back from the database as the table's stage"
