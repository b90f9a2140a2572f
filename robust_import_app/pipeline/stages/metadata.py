"""Stage 1 (25 %): title, channel, duration, published date, description.

Through the YouTube Data API in batches of up to 50 ids when a key is set; a
video the API does not return (private, removed, never existed), or any video
once the day's quota is used up, goes through yt-dlp, which says why.
"""

from __future__ import annotations

from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.domain.video import VideoMetadata
from robust_import_app.pipeline.queue.videos import ImportQueue, VideoJob
from robust_import_app.pipeline.stages.context import StageContext


async def run(job: VideoJob, ctx: StageContext) -> VideoMetadata:
    """Fetch the video's metadata; raises :class:`ImportFailure` subclasses."""
    if ctx.data_api is not None:
        metadata = await ctx.data_api.metadata(job.youtube_id)
        if metadata is not None:
            return metadata
    return await fetch_with_ytdlp(job, ctx)


def save(queue: ImportQueue, job: VideoJob, metadata: VideoMetadata) -> None:
    """Store the metadata :func:`run` fetched (YouTube's chapters with it). Raises :class:`LeaseLost`."""
    queue.save_metadata(job, metadata)


async def fetch_with_ytdlp(job: VideoJob, ctx: StageContext) -> VideoMetadata:
    """yt-dlp's ``extract_info`` through the player upstream's guard."""
    async with ctx.guards[Upstream.PLAYER].request(video_id=job.youtube_id, stage=ImportStage.METADATA):
        return await ctx.backend.fetch_metadata(job.youtube_id)
