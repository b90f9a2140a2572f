"""Who calls the simulated YouTube about which video, and when: the proof of one holder per video.

:class:`CallTracker` counts, per video id, the calls in flight in this process
(``max_in_flight``); with a ``log_path`` every call also appends a ``start``
and an ``end`` line to a file shared by several processes (``O_APPEND``
writes of one short line are atomic), so that a test can check that no two
worker processes ever worked on one video at the same time
(:func:`overlapping_calls`), even across ``kill -9``. Each call's admission
by the simulated rate limit is logged too, with its upstream (an ``accepted``
or ``rejected`` line), so that a test can compute the rate all processes
together got through to one upstream (:func:`read_admissions`).

Line format: ``<epoch seconds> <pid> start|end <video id>`` and
``<epoch seconds> <pid> accepted|rejected <video id> <upstream>``.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class CallSpan:
    """One call: the process that made it, and when it started and ended (epoch seconds)."""

    video_id: str
    pid: int
    start_s: float
    end_s: float | None
    """None when the process died during the call."""


@dataclass(frozen=True, slots=True)
class Admission:
    """One call the simulated rate limit judged: when (epoch seconds), by which process, to which upstream."""

    at_s: float
    pid: int
    upstream: str
    accepted: bool
    """False when the simulated rate limit answered HTTP 429."""


class CallTracker:
    """Counts calls in flight per video id; optionally logs them to ``log_path``."""

    def __init__(self, log_path: Path | None = None) -> None:
        self.log_path = log_path
        self.in_flight: Counter[str] = Counter()
        self.max_in_flight: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()

    @contextlib.contextmanager
    def call(self, video_id: str) -> Iterator[None]:
        """Count one call about ``video_id`` for as long as the block runs."""
        self.calls[video_id] += 1
        self.in_flight[video_id] += 1
        self.max_in_flight[video_id] = max(self.max_in_flight[video_id], self.in_flight[video_id])
        self._log("start", video_id)
        try:
            yield
        finally:
            self.in_flight[video_id] -= 1
            self._log("end", video_id)

    def admitted(self, video_id: str, upstream: str, *, accepted: bool) -> None:
        """Log that the rate limit of ``upstream`` accepted (or refused) a call about ``video_id``."""
        self._log("accepted" if accepted else "rejected", video_id, upstream)

    def _log(self, event: str, video_id: str, *extra: str) -> None:
        if self.log_path is None:
            return
        line = " ".join((f"{time.time():.6f}", str(os.getpid()), event, video_id, *extra)).encode() + b"\n"
        fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)


def read_call_log(path: Path, *, died_at: Mapping[int, float] | None = None) -> list[CallSpan]:
    """The calls a log holds; a call whose process died ends at its ``died_at`` time, if given."""
    open_calls: dict[tuple[int, str], list[float]] = defaultdict(list)
    spans: list[CallSpan] = []
    for line in path.read_text().splitlines():
        stamp, pid, event, video_id, *_ = line.split()
        key = (int(pid), video_id)
        if event == "start":
            open_calls[key].append(float(stamp))
        elif event == "end" and open_calls[key]:
            spans.append(CallSpan(video_id, int(pid), open_calls[key].pop(0), float(stamp)))
    for (pid, video_id), starts in open_calls.items():
        end = (died_at or {}).get(pid)
        spans.extend(CallSpan(video_id, pid, start, end) for start in starts)
    return spans


def read_admissions(path: Path) -> list[Admission]:
    """Every call a log's processes admitted or refused at their simulated rate limit, in log order."""
    admissions = []
    for line in path.read_text().splitlines():
        stamp, pid, event, _video_id, *rest = line.split()
        if event in ("accepted", "rejected"):
            admissions.append(Admission(float(stamp), int(pid), rest[0], event == "accepted"))
    return admissions


def overlapping_calls(spans: list[CallSpan]) -> list[tuple[CallSpan, CallSpan]]:
    """Pairs of calls about one video by two different processes whose times overlap.

    A call without an end (its process is still running or died unrecorded)
    overlaps everything after its start.
    """
    by_video: dict[str, list[CallSpan]] = defaultdict(list)
    for span in spans:
        by_video[span.video_id].append(span)
    found = []
    for calls in by_video.values():
        calls.sort(key=lambda span: span.start_s)
        for index, first in enumerate(calls):
            for second in calls[index + 1 :]:
                if first.end_s is not None and second.start_s >= first.end_s:
                    break
                if second.pid != first.pid:
                    found.append((first, second))
    return found
