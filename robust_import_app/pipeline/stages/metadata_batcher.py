"""Metadata in bulk: up to 50 videos per YouTube Data API ``videos.list`` call.

Videos whose metadata stage starts within ``window_s`` of each other share one
call (1 quota unit for up to 50 ids; 10,000 units a day by default). A video
the API does not return, and every video once the day's quota is used up
(403 ``quotaExceeded``), gets None: the metadata stage then asks yt-dlp, which
also says *why* a video is missing (private, removed, ...).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from robust_import_app.domain.errors import ErrorCode, ImportFailure
from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.video import VideoMetadata
from robust_import_app.pipeline.resilience.guard import Guard
from robust_import_app.youtube.data_api import MAX_IDS_PER_CALL, DataApiClient

DEFAULT_WINDOW_S = 0.05
_Batch = dict[str, list["asyncio.Future[VideoMetadata | None]"]]
"""Waiting lookups by video id."""
QUOTA_RESET_ZONE = ZoneInfo("America/Los_Angeles")
"""The Data API's quota resets at midnight Pacific Time."""


def seconds_until_quota_reset(now: dt.datetime | None = None) -> float:
    """Seconds from ``now`` (aware; default: the current time) to midnight Pacific Time."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(QUOTA_RESET_ZONE)
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), QUOTA_RESET_ZONE)
    return (midnight - now).total_seconds()


class MetadataBatcher:
    """Coalesces single-video lookups into ``videos.list`` calls of up to 50 ids.

    Every call passes the Data API's guard (rate limit and circuit breaker).
    Transient failures (429, 5xx, timeouts) are raised to every waiting
    video, as classified :class:`ImportFailure`, to be retried with backoff.
    """

    def __init__(
        self,
        client: DataApiClient,
        guard: Guard,
        *,
        window_s: float = DEFAULT_WINDOW_S,
    ) -> None:
        self._client = client
        self._guard = guard
        self._window_s = window_s
        self._pending: _Batch = {}
        self._flusher: asyncio.Task[None] | None = None
        self._calls: set[asyncio.Task[None]] = set()
        self._quota_exhausted_until = 0.0

    @property
    def quota_exhausted(self) -> bool:
        """True from a ``quotaExceeded`` answer until the quota resets."""
        return time.monotonic() < self._quota_exhausted_until

    async def metadata(self, video_id: str) -> VideoMetadata | None:
        """The video's metadata, or None when yt-dlp must answer instead."""
        if self.quota_exhausted:
            return None
        future: asyncio.Future[VideoMetadata | None] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(video_id, []).append(future)
        if len(self._pending) >= MAX_IDS_PER_CALL:
            self._send(full=True)
        elif self._flusher is None:
            self._flusher = asyncio.create_task(self._send_after_window())
        return await future

    async def _send_after_window(self) -> None:
        await asyncio.sleep(self._window_s)
        self._flusher = None
        self._send(full=False)

    def _send(self, *, full: bool) -> None:
        batch, self._pending = self._pending, {}
        if full and self._flusher is not None:
            self._flusher.cancel()
            self._flusher = None
        if batch:
            call = asyncio.create_task(self._call(batch))
            self._calls.add(call)
            call.add_done_callback(self._calls.discard)

    async def _call(self, batch: _Batch) -> None:
        ids = list(batch)
        try:
            async with self._guard.request(video_id=",".join(ids), stage=ImportStage.METADATA):
                result = await self._client.videos(ids)
        except ImportFailure as failure:
            if failure.code is ErrorCode.QUOTA_EXCEEDED:
                self._quota_exhausted_until = time.monotonic() + seconds_until_quota_reset()
                _resolve(batch, lambda _id: None)
            else:
                _reject(batch, failure)
            return
        except Exception as exc:
            _reject(batch, exc)
            return
        _resolve(batch, result.found.get)


def _resolve(batch: _Batch, answer: Callable[[str], VideoMetadata | None]) -> None:
    for video_id, futures in batch.items():
        for future in futures:
            if not future.done():
                future.set_result(answer(video_id))


def _reject(batch: _Batch, error: BaseException) -> None:
    for futures in batch.values():
        for future in futures:
            if not future.done():
                future.set_exception(error)
