"""Stage 3 (90 %): chapters.

YouTube's own chapters (returned with the metadata, already stored) win;
otherwise they are parsed from the description by YouTube's rules
(:func:`robust_import_app.youtube.parse_chapters`). No network call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from robust_import_app.domain.video import Chapter
from robust_import_app.pipeline.queue.videos import ImportQueue, VideoJob
from robust_import_app.pipeline.stages.context import StageContext
from robust_import_app.youtube import parse_chapters


async def run(job: VideoJob, ctx: StageContext) -> list[Chapter] | None:
    """The chapters to store, or None to keep YouTube's stored ones."""
    if await asyncio.to_thread(ctx.queue.has_chapters, job):
        return None
    return parse_chapters(job.description, job.duration_s)


def save(queue: ImportQueue, job: VideoJob, chapters: Sequence[Chapter] | None) -> None:
    """Store the chapters :func:`run` found; None keeps YouTube's. Raises :class:`LeaseLost`."""
    if chapters is not None:
        queue.save_chapters(job, chapters)
