"""A video's stored stage: the built-in stage names, and names a stage table adds.

Which stages run, in what order and with what label is the pipeline's stage
table (:mod:`robust_import_app.pipeline.stages.table`); a stage's ring
percentage travels with its name, because the queue and the progress reports
below that table store and show it.
"""

from __future__ import annotations

import enum
import weakref


class ImportStage(enum.StrEnum):
    """The stage names every video passes or may end in.

    ``created``, then the working stages of the stage table (``metadata →
    captions → chapters``), then ``complete``; or ``error``. A video's stage
    is committed *before* that stage runs, so a restart resumes it from the
    stage it was in.
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
"""The ring's percent for each built-in stage name."""

_named: weakref.WeakValueDictionary[str, StageName] = weakref.WeakValueDictionary()


class StageName(str):
    """A working stage that :class:`ImportStage` does not name: its stored name and its ring percent.

    Compares and hashes as its name (at most 16 characters, the column's
    width), like an :class:`ImportStage` member. The last one made for a
    name is the one :func:`stage_named` answers while it lives (a stage
    table holds it).
    """

    progress: int
    """The percent shown on the card's ring while in this stage (0–100)."""

    def __new__(cls, name: str, *, progress: int) -> StageName:
        """Raises ValueError for a built-in name, a name over 16 characters or a percent outside 0–100."""
        if name in ImportStage.__members__.values() or not 0 < len(name) <= 16 or not 0 <= progress <= 100:
            raise ValueError(f"not a stage name of its own with a percent: {name!r} at {progress}")
        stage = super().__new__(cls, name)
        stage.progress = progress
        _named[name] = stage
        return stage

    @property
    def value(self) -> str:
        """The stored name, as :attr:`ImportStage.value`."""
        return str(self)

    @property
    def is_terminal(self) -> bool:
        """Always False: an added stage does work, the pipeline is not done with the video."""
        return False


Stage = ImportStage | StageName
"""A stored stage: a built-in name or one a stage table added."""


def stage_named(name: str) -> Stage:
    """The stage stored as ``name``: the :class:`ImportStage` member, else the live :class:`StageName`.

    A name no stage table holds any more (its stage was removed) reads as a
    :class:`StageName` at 0 %.
    """
    if name in ImportStage.__members__.values():
        return ImportStage(name)
    return _named.get(name) or StageName(name, progress=0)
