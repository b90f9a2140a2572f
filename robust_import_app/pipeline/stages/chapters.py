"""Stage 3 (90 %): chapters.

YouTube's own chapters (returned with the metadata, already stored) win;
otherwise they are parsed from the description by YouTube's rules
(:func:`robust_import_app.youtube.parse_chapters`). No network call.
"""

from __future__ import annotations

from robust_import_app.domain.video import Chapter
from robust_import_app.pipeline.queue.videos import VideoJob
from robust_import_app.youtube import parse_chapters


def run(job: VideoJob, *, has_youtube_chapters: bool) -> list[Chapter] | None:
    """The chapters to store, or None to keep YouTube's stored ones."""
    if has_youtube_chapters:
        return None
    return parse_chapters(job.description, job.duration_s)
