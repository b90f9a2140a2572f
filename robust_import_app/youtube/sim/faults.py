"""Fault injection for the simulator: which calls fail, and how.

A :class:`FaultMix` gives each fault kind a probability::

    FaultMix.parse("429:0.1,5xx:0.05,timeout:0.02,private:0.02,removed:0.01,bot_check:0.005")

Transient kinds (``429``, ``5xx``, ``timeout``, ``bot_check``) are drawn per
call: each call is one draw against their summed probabilities. Permanent
kinds (``private``, ``removed``, ``age_restricted``, ``members_only``) are
drawn once per video and stick: the same video always gets the same one.
:class:`FaultPlan` makes every draw from a string seed
``(seed, video id, upstream, call number)``, so a run is reproducible under
the same seed whatever order concurrent calls arrive in.

Two scripted kinds come on top, for playlists, channels and feeds:
:class:`PageFaults` fails chosen pages of a listing a chosen number of times
(``"3:429"``: the first attempt at page 3 of every source answers HTTP 429),
and :class:`FeedFault` fails every feed fetch one way.
"""

from __future__ import annotations

import enum
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from robust_import_app.domain.upstreams import Upstream

SERVER_ERROR_STATUSES = (500, 502, 503)


class FaultKind(enum.StrEnum):
    """A fault the simulator can inject; the value is its name in a fault mix."""

    RATE_LIMITED = "429"
    SERVER_ERROR = "5xx"
    TIMEOUT = "timeout"
    BOT_CHECK = "bot_check"
    PRIVATE = "private"
    REMOVED = "removed"
    AGE_RESTRICTED = "age_restricted"
    MEMBERS_ONLY = "members_only"

    @property
    def is_permanent(self) -> bool:
        """True when the fault sticks to a video instead of one call."""
        return self in _PERMANENT


_PERMANENT = frozenset({FaultKind.PRIVATE, FaultKind.REMOVED, FaultKind.AGE_RESTRICTED, FaultKind.MEMBERS_ONLY})


@dataclass(frozen=True, slots=True)
class FaultMix:
    """Probability of each fault kind, per call (transient) or per video (permanent).

    Raises ValueError when a probability is outside [0, 1] or the transient or
    the permanent probabilities add up to more than 1.
    """

    probabilities: Mapping[FaultKind, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for kind, probability in self.probabilities.items():
            if not 0.0 <= probability <= 1.0:
                raise ValueError(f"fault {kind.value}: probability {probability} is not in [0, 1]")
        for permanent in (False, True):
            total = sum(p for k, p in self.probabilities.items() if k.is_permanent is permanent)
            if total > 1.0 + 1e-9:
                kinds = "permanent" if permanent else "transient"
                raise ValueError(f"{kinds} fault probabilities add up to {total:g} > 1")

    @classmethod
    def parse(cls, text: str) -> FaultMix:
        """Read ``kind:probability`` pairs separated by commas (blank = no faults).

        Raises ValueError for an unknown kind, a malformed pair or a repeated kind.
        """
        probabilities: dict[FaultKind, float] = {}
        for pair in filter(None, (p.strip() for p in text.split(","))):
            name, sep, value = pair.partition(":")
            try:
                kind, probability = FaultKind(name.strip()), float(value)
            except ValueError:
                known = ", ".join(k.value for k in FaultKind)
                raise ValueError(f"bad fault {pair!r}: expected kind:probability, kinds {known}") from None
            if not sep or kind in probabilities:
                raise ValueError(f"bad fault {pair!r}: missing probability or repeated kind")
            probabilities[kind] = probability
        return cls(probabilities)

    def __str__(self) -> str:
        return ",".join(f"{k.value}:{p:g}" for k, p in self.probabilities.items())


@dataclass(frozen=True, slots=True)
class Fault:
    """One refused call: ``status`` is the HTTP status of a 5xx fault,
    ``retry_after_s`` the Retry-After a rate-limit answer carries (whole seconds)."""

    kind: FaultKind
    status: int | None = None
    retry_after_s: int | None = None


class FaultPlan:
    """Reproducible draws from a :class:`FaultMix` under ``seed``."""

    __slots__ = ("_calls", "_mix", "_seed")

    def __init__(self, mix: FaultMix, *, seed: int) -> None:
        self._mix = mix
        self._seed = seed
        self._calls: Counter[tuple[str, Upstream]] = Counter()

    def permanent(self, video_id: str) -> FaultKind | None:
        """The permanent fault of ``video_id`` (the same on every call), or None."""
        draw = random.Random(f"{self._seed}|{video_id}|permanent").random()
        return self._pick(draw, permanent=True)

    def transient(self, video_id: str, upstream: Upstream) -> Fault | None:
        """The fault of the next call of ``video_id`` to ``upstream``, or None."""
        number = self._calls[video_id, upstream]
        self._calls[video_id, upstream] += 1
        rng = random.Random(f"{self._seed}|{video_id}|{upstream.value}|{number}")
        kind = self._pick(rng.random(), permanent=False)
        if kind is None:
            return None
        status = rng.choice(SERVER_ERROR_STATUSES) if kind is FaultKind.SERVER_ERROR else None
        return Fault(kind, status)

    def _pick(self, draw: float, *, permanent: bool) -> FaultKind | None:
        """The kind whose slice of [0, 1) holds ``draw``, or None past all slices."""
        edge = 0.0
        for kind, probability in self._mix.probabilities.items():
            if kind.is_permanent is permanent:
                edge += probability
                if draw < edge:
                    return kind
        return None


@dataclass(frozen=True, slots=True)
class PageFaults:
    """Scripted page faults: page number (1 = the first) -> the transient kind and how many
    attempts at that page fail (per source, counted by the backend)::

        PageFaults.parse("3:429,5:5xx*2")   # page 3 fails once with 429, page 5 twice with a 5xx

    Raises ValueError for a page < 1, a count < 1 or a kind that is not transient.
    """

    pages: Mapping[int, tuple[FaultKind, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for page, (kind, times) in self.pages.items():
            if page < 1 or times < 1 or kind.is_permanent:
                raise ValueError(f"bad page fault {page}:{kind.value}*{times}: page >= 1, count >= 1, transient kind")

    @classmethod
    def parse(cls, text: str) -> PageFaults:
        """Read ``page:kind[*count]`` items separated by commas (blank = none); raises ValueError."""
        pages: dict[int, tuple[FaultKind, int]] = {}
        for item in filter(None, (p.strip() for p in text.split(","))):
            page, _, rest = item.partition(":")
            kind, _, times = rest.partition("*")
            try:
                pages[int(page)] = (FaultKind(kind.strip()), int(times or 1))
            except ValueError:
                raise ValueError(f"bad page fault {item!r}: expected page:kind[*count], e.g. 3:429*2") from None
        return cls(pages)

    def fault(self, page: int, attempt: int) -> Fault | None:
        """The fault of attempt ``attempt`` (0 = the first) at ``page``, or None."""
        kind, times = self.pages.get(page, (None, 0))
        if kind is None or attempt >= times:
            return None
        return Fault(kind, 503 if kind is FaultKind.SERVER_ERROR else None)

    def __str__(self) -> str:
        return ",".join(f"{page}:{kind.value}*{times}" for page, (kind, times) in self.pages.items())


class FeedFault(enum.StrEnum):
    """How every feed fetch fails: an HTTP status, a timeout, or a cut-off document."""

    NOT_FOUND = "404"
    RATE_LIMITED = "429"
    SERVER_ERROR = "5xx"
    TIMEOUT = "timeout"
    MALFORMED = "malformed"
