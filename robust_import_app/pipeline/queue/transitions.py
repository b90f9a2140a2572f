"""The changes of a video's import state made outside the worker: a new row, a retry, a cancel.

The worker's own writes (claims, stages, failures) are :class:`~robust_import_app.pipeline.queue.videos.ImportQueue`'s;
these are the others', each one write in the caller's transaction (a
``session`` of :meth:`robust_import_app.db.Database.write`). A retry and a
cancel clear the video's lease, so a worker that still works on it finds its
lease gone at its next fenced write and writes nothing
(:class:`~robust_import_app.pipeline.queue.lease.LeaseLost`).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session, col, update

from robust_import_app.domain.errors import ErrorCode
from robust_import_app.domain.stages import PROGRESS, ImportStage
from robust_import_app.domain.video import thumbnail_url
from robust_import_app.models import UNFINISHED_SQL, Video, utcnow
from robust_import_app.pipeline.queue.lease import RELEASED

RETRY_FROM = ImportStage.METADATA
"""Where a retry resumes a failed video that names no failed stage."""


def new_video_row(
    list_id: int,
    batch_id: int | None,
    youtube_id: str,
    *,
    created_at: dt.datetime,
    updated_at: dt.datetime,
    title: str = "",
) -> dict[str, object]:
    """The column values of a new video row: stage ``created``, progress 0, no attempt yet,
    the thumbnail from YouTube's image CDN, for ``insert(Video.__table__)``."""
    return {
        "list_id": list_id,
        "batch_id": batch_id,
        "youtube_id": youtube_id,
        "thumbnail_url": thumbnail_url(youtube_id),
        "import_stage": ImportStage.CREATED,
        "import_progress": PROGRESS[ImportStage.CREATED],
        "attempt_count": 0,
        "title": title,
        "channel": "",
        "description": "",
        "created_at": created_at,
        "updated_at": updated_at,
    }


def retry(session: Session, batch_id: int, *where: sa.ColumnElement[bool]) -> int:
    """Queue the failed videos ``where`` selects again, in batch ``batch_id``; returns how many.

    Each resumes at the stage that failed (``failed_stage``, else
    :data:`RETRY_FROM`) with that stage's progress and a fresh attempt count;
    its failure and schedule are cleared. Videos that did not fail are left as they are.
    """
    stage = sa.func.coalesce(Video.failed_stage, RETRY_FROM)
    progress = sa.case({s: s.progress for s in ImportStage}, value=stage, else_=RETRY_FROM.progress)
    return session.exec(
        update(Video)
        .where(col(Video.import_stage) == ImportStage.ERROR, *where)
        .values(
            batch_id=batch_id,
            import_stage=stage,
            import_progress=progress,
            failed_stage=None,
            error_code=None,
            error_message=None,
            attempt_count=0,
            next_attempt_at=None,
            **RELEASED,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount


def cancel(session: Session, *where: sa.ColumnElement[bool]) -> int:
    """Cancel the unfinished videos ``where`` selects; returns how many.

    Each becomes ``error`` with the code ``cancelled`` (:data:`ErrorCode.CANCELLED`),
    ``failed_stage`` the stage it was in (a retry resumes there), its
    schedule and lease cleared. Finished videos are left as they are.
    """
    return session.exec(
        update(Video)
        .where(UNFINISHED_SQL, *where)
        .values(
            import_stage=ImportStage.ERROR,
            failed_stage=Video.import_stage,
            import_progress=ImportStage.ERROR.progress,
            error_code=ErrorCode.CANCELLED.value,
            error_message=ErrorCode.CANCELLED.message,
            next_attempt_at=None,
            **RELEASED,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
