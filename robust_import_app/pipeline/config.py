"""Defaults for the pipeline's rate limiters, circuit breakers and retries.

Every duration is in seconds. Each upstream (:class:`~robust_import_app.domain.upstreams.Upstream`)
gets its own :class:`GuardConfig`: one rate limiter and one circuit breaker.

What the defaults mean
----------------------
``DEFAULT_INTERVAL_S = 2.0`` lets one request leave every 2 s per upstream:
3600 / 2 = **1,800 requests/hour per upstream** at most. The limiter spaces
*guarded calls*; for the player upstream one guarded call is one yt-dlp
``extract_info``, i.e. one video, and yt-dlp itself sends several HTTP
requests per video (the watch page plus one player request per client).

The yt-dlp wiki (Extractors page, section "This content isn't available,
try again later", as quoted in the project brief; not re-checked offline)
puts YouTube's limit for guest sessions near 1,000 requests/hour, about 300
videos/hour. The installed yt-dlp (``extractor/youtube/_video.py``) says when
that limit is hit the session "has been rate-limited by YouTube for up to an
hour" and recommends its ``-t sleep`` preset (``yt_dlp/options.py``: 10-20 s
between videos). So, honestly: **the 2 s default would allow ~1,800
videos/hour, about six times the guest limit**; it is safe only because the
adaptive limiter stretches the spacing on each 429 (up to
``DEFAULT_MAX_INTERVAL_S = 10`` s, i.e. 360 videos/hour) and the breaker
pauses the upstream. For long guest-session batches set the player's
``interval_s`` to about 12 s (300 videos/hour) with ``max_interval_s`` of
20 s or more, matching yt-dlp's ``-t sleep``.

Whisper: Groq's free tier allows 20 requests/minute, so
``DEFAULT_WHISPER_INTERVAL_S = 3.0`` (60 / 20) = 1,200 requests/hour.

The breaker (``DEFAULT_FAILURE_THRESHOLD = 6``) counts only YouTube refusing
us: HTTP 429, bot checks, IP blocks (``errors.BREAKER_CODES``); server
errors and timeouts are left to each video's backoff. With the limit known,
random faults should not open it: at a rate ``p`` of counting failures, a
run of ``k`` in a row starts at about one call in ``1 / (p**k * (1 - p))``.
For the benchmark's mix (10 % 429 + 0.5 % bot checks, ``p`` = 0.105) that
is one call in ~960 at ``k`` = 3 (a 30 s pause every ~3 min at 5 calls/s)
and one in ~830,000 at ``k`` = 6; for a heavy 20 % 429 mix, one in ~160
versus one in ~20,000. A real refusal, every call a 429, still opens it
after six calls: three more than at ``k`` = 3.

Retries (``DEFAULT_MAX_ATTEMPTS`` etc.) are per stage of one video; the
backoff is full-jitter exponential: the window is 1, 2, 4, ... s, capped at
``DEFAULT_BACKOFF_MAX_S`` (see :mod:`robust_import_app.pipeline.resilience.retry`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from robust_import_app.domain.upstreams import Upstream

DEFAULT_INTERVAL_S = 2.0
"""Seconds between two requests to one upstream (1,800 requests/hour)."""
DEFAULT_MAX_INTERVAL_S = 10.0
"""Longest spacing the adaptive limiter stretches to after 429s (360/hour)."""
DEFAULT_CONCURRENCY = 3
"""Requests in flight at once per upstream."""
DEFAULT_FAILURE_THRESHOLD = 6
"""Consecutive rate-limit / bot-check / IP-block failures that open a breaker (see below)."""
DEFAULT_COOLDOWN_S = 30.0
"""Seconds an opened breaker blocks requests before one probe."""
DEFAULT_COOLDOWN_MAX_S = 300.0
"""Cap on the cool-down, which doubles on each repeated open."""
DEFAULT_MAX_ATTEMPTS = 8
"""Attempts per stage of one video, the first included."""
DEFAULT_BACKOFF_BASE_S = 1.0
"""Width of the first jittered backoff window, in seconds."""
DEFAULT_BACKOFF_MAX_S = 120.0
"""Widest jittered backoff window, in seconds (a Retry-After may exceed it)."""
DEFAULT_LEASE_S = 120.0
"""Seconds a worker's claim on a video stays valid without a renewal; the
worker renews it every fifth of that while the video is in flight."""
DEFAULT_WHISPER_INTERVAL_S = 3.0
"""Groq's free tier: 20 requests/minute, i.e. one every 3 s."""
DEFAULT_RETRY_AFTER_MAX_S = 3600.0
"""Longest Retry-After honoured, in seconds; a longer one (``1e300``, a date in
year 9999) is clamped to it, so that no upstream can pause us for good."""
MAX_WAIT_S = 86_400.0
"""Longest wait, in seconds, the retry policy ever schedules: a day, the most
any upstream asks for (the Data API's quota resets at midnight Pacific time).
It keeps a wait finite and the next attempt time representable."""


def bounded_wait_s(seconds: float | None, max_s: float) -> float | None:
    """``seconds`` within ``[0, max_s]`` (infinity gives ``max_s``); None for None or NaN."""
    if seconds is None or math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), max_s)


@dataclass(frozen=True, slots=True, kw_only=True)
class GuardConfig:
    """Rate-limit and breaker settings for one upstream; all times in seconds.

    Usage::

        GuardConfig(interval_s=12.0, max_interval_s=30.0)  # guest YouTube session

    ``retry_after_max_s`` caps the Retry-After this upstream may impose.
    Raises :class:`ValueError` for a non-positive interval, concurrency,
    threshold or cool-down, when a maximum is below its base, or for a
    Retry-After cap outside ``(0, MAX_WAIT_S]``.
    """

    interval_s: float = DEFAULT_INTERVAL_S
    max_interval_s: float = DEFAULT_MAX_INTERVAL_S
    concurrency: int = DEFAULT_CONCURRENCY
    failure_threshold: int = DEFAULT_FAILURE_THRESHOLD
    cooldown_s: float = DEFAULT_COOLDOWN_S
    cooldown_max_s: float = DEFAULT_COOLDOWN_MAX_S
    retry_after_max_s: float = DEFAULT_RETRY_AFTER_MAX_S

    def __post_init__(self) -> None:
        if self.interval_s <= 0 or self.max_interval_s < self.interval_s:
            raise ValueError("need 0 < interval_s <= max_interval_s")
        if self.concurrency < 1 or self.failure_threshold < 1:
            raise ValueError("concurrency and failure_threshold must be >= 1")
        if self.cooldown_s <= 0 or self.cooldown_max_s < self.cooldown_s:
            raise ValueError("need 0 < cooldown_s <= cooldown_max_s")
        if not 0 < self.retry_after_max_s <= MAX_WAIT_S:
            raise ValueError(f"need 0 < retry_after_max_s <= {MAX_WAIT_S:g}")

    @property
    def requests_per_hour(self) -> int:
        """Requests per hour the base interval allows (3600 / interval_s)."""
        return int(3600 // self.interval_s)


def default_guard_configs() -> dict[Upstream, GuardConfig]:
    """The default config of every upstream (Whisper spaced for Groq's free tier)."""
    configs = {upstream: GuardConfig() for upstream in Upstream}
    configs[Upstream.WHISPER] = GuardConfig(interval_s=DEFAULT_WHISPER_INTERVAL_S)
    return configs
