"""The stage table: which stages a video runs, in what order, each with its label.

Each :class:`StageSpec` names its stage (the stored name, which carries the
ring percentage shown while in it), how it runs, how its result is stored,
and the card's words for it. The worker walks :data:`STAGES` in order; the
cards, the REST API's schema and the command line's bars read it too. A
stage is added by a :class:`StageSpec` here and a module of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from robust_import_app.domain.stages import ImportStage, Stage
from robust_import_app.pipeline.queue.videos import ImportQueue, VideoJob
from robust_import_app.pipeline.stages import captions, chapters, metadata
from robust_import_app.pipeline.stages.context import StageContext

Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class StageSpec(Generic[Result]):
    """One working stage.

    ``run(job, ctx)`` does the stage's work and returns its result; it raises
    :class:`~robust_import_app.domain.errors.ImportFailure` subclasses (a
    transient one is retried later). ``save(queue, job, result)`` stores the
    result, blocking (the worker calls it in a thread); it raises
    :class:`LeaseLost` once the video's lease is
    gone. ``label`` is the card's words while in the stage
    ("Fetching captions").
    """

    stage: Stage
    run: Callable[[VideoJob, StageContext], Awaitable[Result]]
    save: Callable[[ImportQueue, VideoJob, Result], None]
    label: str

    @property
    def share(self) -> int:
        """The percent shown on the card's ring while in this stage (0–100)."""
        return self.stage.progress


STAGES: tuple[StageSpec[Any], ...] = (
    StageSpec(stage=ImportStage.METADATA, run=metadata.run, save=metadata.save, label="Fetching details"),
    StageSpec(stage=ImportStage.CAPTIONS, run=captions.run, save=captions.save, label="Fetching captions"),
    StageSpec(stage=ImportStage.CHAPTERS, run=chapters.run, save=chapters.save, label="Finding chapters"),
)
"""The working stages, in the order they run: between ``created`` and ``complete``."""


def spec_for(stage: str) -> StageSpec[Any]:
    """The working stage stored as ``stage``; raises LookupError for any other name."""
    for spec in STAGES:
        if spec.stage == stage:
            return spec
    raise LookupError(f"no working stage is named {stage!r}")


def next_stage(stage: str) -> Stage:
    """The stage after ``stage``: ``created`` leads to the first working stage, the last to ``complete``.

    Raises LookupError for a name that is neither ``created`` nor a working stage.
    """
    if stage == ImportStage.CREATED:
        return STAGES[0].stage
    index = STAGES.index(spec_for(stage))
    return STAGES[index + 1].stage if index + 1 < len(STAGES) else ImportStage.COMPLETE


def stage_names() -> tuple[str, ...]:
    """Every stored stage name in pipeline order: ``created``, the working stages, ``complete``, ``error``."""
    working = (spec.stage.value for spec in STAGES)
    return (ImportStage.CREATED.value, *working, ImportStage.COMPLETE.value, ImportStage.ERROR.value)


def stage_labels() -> dict[str, str]:
    """The card's words for each working stage, by stored name (``{"captions": "Fetching captions", ...}``)."""
    return {spec.stage.value: spec.label for spec in STAGES}
