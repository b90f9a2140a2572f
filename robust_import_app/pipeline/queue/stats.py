"""The queue's own figures, read from the database: what ``/metrics`` reports.

:func:`queue_stats` reads them in one read transaction, with lease times
compared on the database's clock (:func:`~robust_import_app.pipeline.queue.lease.lease_clock`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from robust_import_app.db import Database
from robust_import_app.domain.sources import SourceState
from robust_import_app.domain.stages import ImportStage
from robust_import_app.models import ImportSource, Video
from robust_import_app.models.tables import UNFINISHED_SQL
from robust_import_app.pipeline.queue.lease import lease_clock


@dataclass(frozen=True, slots=True)
class QueueStats:
    """The import queue at one moment.

    ``videos_by_stage`` counts videos per ``import_stage`` name (every
    :class:`ImportStage` present, zero when none; a stage a stage table added
    appears once a video holds it). Of the unfinished videos, ``in_flight``
    hold a live lease, ``retry_scheduled`` wait for a ``next_attempt_at`` still
    ahead, ``waiting`` are due now. ``sources_by_state`` counts sources per
    :class:`SourceState` (every state present). ``workers_alive`` is the
    number of distinct lease holders (``claimed_by``) with an unexpired lease on
    a video or a source. ``whisper_reserved_s`` is the audio, in seconds,
    reserved for transcription over all videos.
    """

    videos_by_stage: Mapping[str, int]
    waiting: int
    in_flight: int
    retry_scheduled: int
    sources_by_state: Mapping[SourceState, int]
    workers_alive: int
    whisper_reserved_s: float


def queue_stats(db: Database) -> QueueStats:
    """Read :class:`QueueStats` from ``db``; raises SQLAlchemy's errors when the database does not answer."""
    with db.read() as session:
        now = lease_clock(session)
        in_flight, retry_scheduled, waiting = _unfinished_counts(session, now)
        whisper = session.exec(select(func.coalesce(func.sum(Video.whisper_reserved_s), 0.0))).one()
        return QueueStats(
            videos_by_stage=_videos_by_stage(session),
            waiting=waiting,
            in_flight=in_flight,
            retry_scheduled=retry_scheduled,
            sources_by_state=_sources_by_state(session),
            workers_alive=_workers_alive(session, now),
            whisper_reserved_s=float(whisper or 0.0),
        )


def _videos_by_stage(session: Session) -> dict[str, int]:
    counts = {stage.value: 0 for stage in ImportStage}
    for stage, count in session.exec(select(Video.import_stage, func.count()).group_by(col(Video.import_stage))):
        counts[str(stage)] = count
    return counts


def _sources_by_state(session: Session) -> dict[SourceState, int]:
    counts = dict.fromkeys(SourceState, 0)
    for state, count in session.exec(select(ImportSource.state, func.count()).group_by(col(ImportSource.state))):
        counts[SourceState(state)] = count
    return counts


def _unfinished_counts(session: Session, now: dt.datetime) -> tuple[int, int, int]:
    """(in flight, retry scheduled, waiting) among the unfinished videos."""
    held = sa.and_(col(Video.claimed_by).is_not(None), col(Video.claimed_until) >= now)
    scheduled = sa.and_(sa.not_(held), col(Video.next_attempt_at) > now)
    row = session.exec(
        select(
            func.count().filter(held),
            func.count().filter(scheduled),
            func.count(),
        ).where(UNFINISHED_SQL)
    ).one()
    in_flight, retry_scheduled, unfinished = row
    return in_flight, retry_scheduled, unfinished - in_flight - retry_scheduled


def _workers_alive(session: Session, now: dt.datetime) -> int:
    holders = sa.union(
        select(Video.claimed_by).where(col(Video.claimed_by).is_not(None), col(Video.claimed_until) >= now),
        select(ImportSource.claimed_by).where(
            col(ImportSource.claimed_by).is_not(None), col(ImportSource.claimed_until) >= now
        ),
    ).subquery()
    alive: int = session.execute(select(func.count()).select_from(holders)).scalar_one()
    return alive
