"""The stages a video goes through, in order, with the progress each shows."""

from __future__ import annotations

import enum


class ImportStage(enum.StrEnum):
    """Where a video is in the import pipeline.

    ``created → metadata → captions → chapters → complete``, or ``error``.
    A video's stage is committed *before* that stage runs, so a restart
    resumes it from the stage it was in.
    """

    CREATED = "created"
    METADATA = "metadata"
    CAPTIONS = "captions"
    CHAPTERS = "chapters"
    COMPLETE = "complete"
    ERROR = "error"

    @property
    def progress(self) -> int:
        """The percent shown on the card's ring while in this stage."""
        return PROGRESS[self]

    @property
    def is_terminal(self) -> bool:
        """True for ``complete`` and ``error``: the pipeline is done with it."""
        return self in (ImportStage.COMPLETE, ImportStage.ERROR)


PROGRESS: dict[ImportStage, int] = {
    ImportStage.CREATED: 0,
    ImportStage.METADATA: 25,
    ImportStage.CAPTIONS: 60,
    ImportStage.CHAPTERS: 90,
    ImportStage.COMPLETE: 100,
    ImportStage.ERROR: 100,
}

RUN_ORDER: tuple[ImportStage, ...] = (
    ImportStage.METADATA,
    ImportStage.CAPTIONS,
    ImportStage.CHAPTERS,
)
"""The stages that do work, in the order they run."""


def next_stage(stage: ImportStage) -> ImportStage:
    """The stage after ``stage``: ``created`` leads to the first working stage."""
    if stage is ImportStage.CREATED:
        return RUN_ORDER[0]
    index = RUN_ORDER.index(stage)
    return RUN_ORDER[index + 1] if index + 1 < len(RUN_ORDER) else ImportStage.COMPLETE
