"""Everything the product knows about YouTube: links, chapters, backends."""

from robust_import_app.youtube.chapters import parse_chapters
from robust_import_app.youtube.data import (
    CaptionSegment,
    CaptionSource,
    CaptionTrack,
    Chapter,
    SubtitleTrack,
    Upstream,
    VideoMetadata,
    thumbnail_url,
    watch_url,
)
from robust_import_app.youtube.urls import (
    LinkProblem,
    RejectedLine,
    extract_video_ids,
    parse_paste,
    parse_video_id,
)

__all__ = [
    "CaptionSegment",
    "CaptionSource",
    "CaptionTrack",
    "Chapter",
    "LinkProblem",
    "RejectedLine",
    "SubtitleTrack",
    "Upstream",
    "VideoMetadata",
    "extract_video_ids",
    "parse_chapters",
    "parse_paste",
    "parse_video_id",
    "thumbnail_url",
    "watch_url",
]
