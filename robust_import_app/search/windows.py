"""Transcript windows: a video's cues cut into ~45 s texts, the unit transcript search finds.

A cue that starts ``WINDOW_S`` seconds or more after the current window's
first cue starts the next window, so a window spans about 45 s of speech
plus its last cue (YouTube cues last 2–8 s: 45–53 s in practice), never
more than ``WINDOW_S`` plus one cue. A result can then point at one moment
of the video (the window's ``start_s``) and its snippet comes from text
said around that moment.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, delete

from robust_import_app.models.tables import TranscriptWindow

WINDOW_S = 45.0
"""A cue starting this many seconds after the window's first cue opens a new window."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
"""Control characters, dropped: the snippet markers are among them (see ``engine.py``)."""


class Cue(Protocol):
    """What a window is built from (read only): a ``CaptionSegment`` or a ``TranscriptSegmentRow``."""

    @property
    def start_s(self) -> float: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Window:
    """One window: ``start_s`` in seconds (its first cue's start) and the cues' text joined by spaces."""

    start_s: float
    text: str


def build_windows(cues: Iterable[Cue]) -> list[Window]:
    """Cut ``cues`` (any order) into windows, in time order; cues without words are skipped."""
    windows: list[Window] = []
    start_s: float | None = None
    texts: list[str] = []
    for cue in sorted(cues, key=lambda c: c.start_s):
        text = " ".join(_CONTROL.sub(" ", cue.text).split())
        if not text or not math.isfinite(cue.start_s):
            continue
        if start_s is not None and cue.start_s - start_s >= WINDOW_S:
            windows.append(Window(start_s=start_s, text=" ".join(texts)))
            start_s, texts = None, []
        if start_s is None:
            start_s = max(cue.start_s, 0.0)
        texts.append(text)
    if start_s is not None:
        windows.append(Window(start_s=start_s, text=" ".join(texts)))
    return windows


def replace_windows(session: Session, video_id: int, cues: Sequence[Cue]) -> int:
    """Replace video row ``video_id``'s windows with those of ``cues``, in ``session``'s transaction.

    Call it where the transcript is stored, in the same transaction, so the
    search index (kept by triggers or a generated column) never disagrees
    with the transcript. Returns the number of windows written.
    """
    session.exec(delete(TranscriptWindow).where(col(TranscriptWindow.video_id) == video_id))
    windows = build_windows(cues)
    if windows:
        session.execute(
            sa.insert(TranscriptWindow),
            [{"video_id": video_id, "start_s": w.start_s, "text": w.text} for w in windows],
        )
    return len(windows)


@dataclass(frozen=True, slots=True)
class _SegmentRow:
    start_s: float
    text: str


def _segments_by_video(connection: sa.Connection, batch_videos: int) -> Iterator[tuple[int, list[_SegmentRow]]]:
    """Every stored transcript, one video at a time, reading ``batch_videos`` videos per query."""
    segment = sa.table("transcript_segment", sa.column("video_id"), sa.column("start_s"), sa.column("text"))
    after = -1
    while True:
        ids = (
            connection.execute(
                sa.select(segment.c.video_id)
                .where(segment.c.video_id > after)
                .group_by(segment.c.video_id)
                .order_by(segment.c.video_id)
                .limit(batch_videos)
            )
            .scalars()
            .all()
        )
        if not ids:
            return
        rows = connection.execute(
            sa.select(segment.c.video_id, segment.c.start_s, segment.c.text)
            .where(segment.c.video_id >= ids[0], segment.c.video_id <= ids[-1])
            .order_by(segment.c.video_id, segment.c.start_s)
        ).all()
        current, cues = None, []
        for video_id, start_s, text in rows:
            if video_id != current and current is not None:
                yield current, cues
                cues = []
            current = video_id
            cues.append(_SegmentRow(start_s=start_s, text=text))
        if current is not None:
            yield current, cues
        after = ids[-1]


def backfill_windows(connection: sa.Connection, *, batch_videos: int = 500) -> int:
    """Build the windows of every stored transcript on ``connection`` (the migration's); returns how many.

    Works on the table as the migration left it (no ORM); expects no windows yet.
    """
    window = sa.table("transcript_window", sa.column("video_id"), sa.column("start_s"), sa.column("text"))
    written = 0
    pending: list[dict[str, object]] = []
    for video_id, cues in _segments_by_video(connection, batch_videos):
        pending += [{"video_id": video_id, "start_s": w.start_s, "text": w.text} for w in build_windows(cues)]
        if len(pending) >= 5000:
            connection.execute(sa.insert(window), pending)
            written += len(pending)
            pending = []
    if pending:
        connection.execute(sa.insert(window), pending)
        written += len(pending)
    return written
