"""Everything the product knows about YouTube: links, sources, feeds, chapters, backends."""

from robust_import_app.youtube.chapters import parse_chapters
from robust_import_app.youtube.feed import Feed, FeedEntry, FeedError, parse_feed
from robust_import_app.youtube.sources import SourceEntry, SourcePage, SourceRef, feed_url, parse_feed_url
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
    "Feed",
    "FeedEntry",
    "FeedError",
    "LinkProblem",
    "PasteResult",
    "RejectedLine",
    "SourceEntry",
    "SourcePage",
    "SourceRef",
    "extract_video_ids",
    "feed_url",
    "parse_chapters",
    "parse_feed",
    "parse_feed_url",
    "parse_paste",
    "parse_source",
    "parse_video_id",
]
