"""Everything the product knows about YouTube: links, sources, feeds, chapters, backends."""

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
from robust_import_app.youtube.feed import Feed, FeedEntry, FeedError, parse_feed
from robust_import_app.youtube.sources import (
    ChannelTab,
    EntryState,
    Lister,
    SourceEntry,
    SourceKind,
    SourcePage,
    SourceRef,
    feed_url,
    parse_feed_url,
)
from robust_import_app.youtube.urls import (
    LinkProblem,
    PasteResult,
    RejectedLine,
    extract_video_ids,
    parse_paste,
    parse_source,
    parse_video_id,
)

__all__ = [
    "CaptionSegment",
    "CaptionSource",
    "CaptionTrack",
    "ChannelTab",
    "Chapter",
    "EntryState",
    "Feed",
    "FeedEntry",
    "FeedError",
    "LinkProblem",
    "Lister",
    "PasteResult",
    "RejectedLine",
    "SourceEntry",
    "SourceKind",
    "SourcePage",
    "SourceRef",
    "SubtitleTrack",
    "Upstream",
    "VideoMetadata",
    "extract_video_ids",
    "feed_url",
    "parse_chapters",
    "parse_feed",
    "parse_feed_url",
    "parse_paste",
    "parse_source",
    "parse_video_id",
    "thumbnail_url",
    "watch_url",
]
