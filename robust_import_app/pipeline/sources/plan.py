"""A paste's playlists and channels, before the worker: which are new, their rows, their cancelling.

:func:`plan_sources` sorts a paste's sources and playlist offers into new ones
and duplicates; :func:`insert_sources` writes the new ones' rows in the
paste's transaction (:func:`robust_import_app.library.import_paste`);
:func:`cancel_sources` stops the sources a user cancels. The worker claims and
lists the rows afterwards (:class:`~robust_import_app.pipeline.queue.sources.SourceQueue`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select, update

from robust_import_app.domain.sources import SourceState
from robust_import_app.models import utcnow
from robust_import_app.models.tables import ImportSource
from robust_import_app.pipeline.queue.lease import RELEASED
from robust_import_app.pipeline.queue.videos import HOLDS_BATCH_SQL
from robust_import_app.youtube.sources import SourceRef


def active_source_sql() -> sa.ColumnElement[bool]:
    """Sources that block a new paste of the same source into the list: still expanding, or followed."""
    return sa.or_(HOLDS_BATCH_SQL, col(ImportSource.following).is_(True))


@dataclass(frozen=True, slots=True)
class SourcePlan:
    """What a paste's sources and offers come to in one list, before any row is written.

    ``new`` are to be created; ``duplicates`` already expand into (or are
    followed by) the list; ``offers`` are playlists to offer, none of which
    the list expands, follows or offers already.
    """

    new: tuple[SourceRef, ...]
    duplicates: tuple[SourceRef, ...]
    offers: tuple[SourceRef, ...]


def plan_sources(
    session: Session, list_id: int, sources: Sequence[SourceRef], offers: Sequence[SourceRef]
) -> SourcePlan:
    """Sort a paste's sources and playlist offers into new ones and duplicates (see :class:`SourcePlan`)."""
    rows = session.exec(
        select(col(ImportSource.kind), col(ImportSource.key), col(ImportSource.tab), col(ImportSource.state)).where(
            col(ImportSource.list_id) == list_id,
            sa.or_(active_source_sql(), col(ImportSource.state) == SourceState.OFFERED),
            col(ImportSource.key).in_([ref.key for ref in (*sources, *offers)] or [""]),
        )
    ).all()
    active = {SourceRef(kind, key, tab) for kind, key, tab, state in rows if state is not SourceState.OFFERED}
    offered = {SourceRef(kind, key, tab) for kind, key, tab, state in rows if state is SourceState.OFFERED}
    new = tuple(ref for ref in sources if ref not in active)
    return SourcePlan(
        new=new,
        duplicates=tuple(ref for ref in sources if ref in active),
        offers=tuple(ref for ref in offers if ref not in active and ref not in offered and ref not in new),
    )


def insert_sources(
    session: Session,
    list_id: int,
    batch_id: int | None,
    plan: SourcePlan,
    *,
    entry_limit: int | None,
    limit_chosen: bool,
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Write the rows of ``plan``: its new sources in ``batch_id`` (state ``queued``), its
    offers without a batch (state ``offered``); returns their ids (sources, offers) in paste order."""
    now = utcnow()
    created: list[int] = []
    offered: list[int] = []
    for refs, state, ids in ((plan.new, SourceState.QUEUED, created), (plan.offers, SourceState.OFFERED, offered)):
        for ref in refs:
            row = ImportSource(
                list_id=list_id,
                batch_id=batch_id if state is SourceState.QUEUED else None,
                kind=ref.kind,
                key=ref.key,
                tab=ref.tab,
                state=state,
                entry_limit=entry_limit if state is SourceState.QUEUED else None,
                limit_chosen=limit_chosen if state is SourceState.QUEUED else True,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            assert row.id is not None  # flushed: the database gave its primary key
            ids.append(row.id)
    return tuple(created), tuple(offered)


def cancel_sources(session: Session, *where: sa.ColumnElement[bool]) -> int:
    """Cancel the sources ``where`` selects that may still add videos (and unsized offers); returns how many.

    Their leases are cleared, so the worker listing one finds its lease
    gone at its page write and writes nothing (:class:`LeaseLost`).
    """
    now = utcnow()
    return session.exec(
        update(ImportSource)
        .where(*where, sa.or_(HOLDS_BATCH_SQL, col(ImportSource.state) == SourceState.OFFERED))
        .values(
            state=SourceState.CANCELLED,
            next_attempt_at=None,
            finished_at=now,
            updated_at=now,
            **RELEASED,
        )
    ).rowcount
