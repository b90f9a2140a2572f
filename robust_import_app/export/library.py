"""A list as CSV, as a JSON array, or as one watch URL per line, streamed in chunks of ``str``.

Each generator yields one chunk per chunk of videos read
(:func:`robust_import_app.export.rows.iter_video_chunks`, 1,000 by default),
so memory holds one chunk of rows and its text whatever the list's size.
CSV is written by :mod:`csv` (RFC 4180 quoting, ``\\r\\n`` line ends), with
text that a spreadsheet would run as a formula neutralised (:func:`spreadsheet_safe`); JSON by
:func:`json.dumps` per video inside a streamed array. The text is ``str``;
the HTTP layer encodes it as UTF-8.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from sqlmodel import col

from robust_import_app.db import Database
from robust_import_app.domain.video import watch_url
from robust_import_app.export.rows import DEFAULT_CHUNK_ROWS, VideoRecord, iter_video_chunks, keyset_pages
from robust_import_app.export.transcript import chapter_lines
from robust_import_app.models import Video, VideoList

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "youtube_id",
    "url",
    "title",
    "channel",
    "duration_s",
    "published",
    "description",
    "language",
    "caption_source",
    "caption_language",
    "chapters",
    "import_stage",
    "failed_stage",
    "error_code",
    "error_message",
    "note",
    "added_at",
)
"""The CSV header, in column order; the JSON objects carry the same keys."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make Excel, LibreOffice and Google Sheets read a cell as a
formula (OWASP, "CSV Injection"): titles and descriptions come from strangers."""


def spreadsheet_safe(value: object) -> object:
    """``value``, with ``'`` put before a text that starts like a formula (``=HYPERLINK(…)``).

    Spreadsheets show the apostrophe-prefixed text as typed and never run it;
    numbers pass through unchanged. Only the CSV export does this: JSON
    carries the stored text as it is.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def list_name(db: Database, list_id: int) -> str | None:
    """The list's name, or None when no list has this id."""
    with db.read() as session:
        row = session.get(VideoList, list_id)
        return None if row is None else row.name


def csv_chunks(db: Database, list_id: int, *, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[str]:
    """The list as CSV: the header of :data:`CSV_COLUMNS`, then one row per video, newest first.

    Empty fields are ``""``; ``published`` is ``YYYY-MM-DD``, ``added_at`` ISO
    8601 in UTC; ``chapters`` holds one ``0:00 Title`` line per chapter
    (YouTube's description format). The first chunk is the header alone.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield _drain(buffer)
    for chunk in iter_video_chunks(db, list_id, chunk_rows=chunk_rows):
        writer.writerows(_csv_row(record) for record in chunk)
        yield _drain(buffer)


def json_chunks(db: Database, list_id: int, *, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[str]:
    """The list as one JSON array of objects with the keys of :data:`CSV_COLUMNS`, newest first.

    ``chapters`` is an array of ``{"start_s", "end_s", "title"}`` (seconds);
    ``published`` and ``added_at`` are ISO 8601 strings; missing values are
    ``null``. One video per line; an empty list is ``[]``.
    """
    yield "["
    separator = "\n"
    for chunk in iter_video_chunks(db, list_id, chunk_rows=chunk_rows):
        parts = []
        for record in chunk:
            parts.append(separator)
            parts.append(json.dumps(_json_object(record), ensure_ascii=False))
            separator = ",\n"
        yield "".join(parts)
    yield "\n]\n" if separator != "\n" else "]\n"


def url_chunks(db: Database, list_id: int, *, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[str]:
    """The list's canonical watch URLs, one per line (``\\n``), newest first."""
    for rows in keyset_pages(db, list_id, (col(Video.youtube_id),), chunk_rows=chunk_rows):
        yield "".join(f"{watch_url(youtube_id)}\n" for _, _, youtube_id in rows)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _csv_row(record: VideoRecord) -> list[object]:
    row = _json_object(record)
    row["chapters"] = "\n".join(chapter_lines(record.chapters))
    return ["" if row[column] is None else spreadsheet_safe(row[column]) for column in CSV_COLUMNS]


def _json_object(record: VideoRecord) -> dict[str, object]:
    return {
        "id": record.id,
        "youtube_id": record.youtube_id,
        "url": record.url,
        "title": record.title,
        "channel": record.channel,
        "duration_s": record.duration_s,
        "published": None if record.published is None else record.published.isoformat(),
        "description": record.description,
        "language": record.language,
        "caption_source": record.caption_source,
        "caption_language": record.caption_language,
        "chapters": [
            {"start_s": chapter.start_s, "end_s": chapter.end_s, "title": chapter.title} for chapter in record.chapters
        ],
        "import_stage": record.import_stage,
        "failed_stage": record.failed_stage,
        "error_code": record.error_code,
        "error_message": record.error_message,
        "note": record.note,
        "added_at": record.added_at.isoformat(),
    }
