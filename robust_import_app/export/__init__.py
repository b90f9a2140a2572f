"""Exports of the library, no Reflex inside: a list as CSV, JSON or URLs; a video's transcript and chapters.

Every export is a generator of ``str`` chunks, so that a caller (the HTTP
routes in :mod:`robust_import_app.api.export_routes`, a script) can stream it
without holding the whole file.
"""

from robust_import_app.export.library import CSV_COLUMNS, csv_chunks, json_chunks, list_name, url_chunks
from robust_import_app.export.rows import DEFAULT_CHUNK_ROWS, ChapterRecord, VideoRecord, iter_video_chunks
from robust_import_app.export.transcript import (
    chapter_lines,
    chapter_timestamp,
    plain_text_chunks,
    srt_chunks,
    srt_timestamp,
    vtt_chunks,
    vtt_timestamp,
)

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_CHUNK_ROWS",
    "ChapterRecord",
    "VideoRecord",
    "chapter_lines",
    "chapter_timestamp",
    "csv_chunks",
    "iter_video_chunks",
    "json_chunks",
    "list_name",
    "plain_text_chunks",
    "srt_chunks",
    "srt_timestamp",
    "url_chunks",
    "vtt_chunks",
    "vtt_timestamp",
]
