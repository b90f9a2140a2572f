"""Rows for export tests: lists and finished videos written straight to the database."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from robust_import_app.db import Database
from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.video import CaptionSource
from robust_import_app.models import ChapterRow, TranscriptSegmentRow, Video, VideoList, utcnow


def add_list(db: Database, name: str) -> int:
    """A new list's id."""
    with db.write() as session:
        row = VideoList(name=name)
        session.add(row)
        session.flush()
        return row.id


def add_video(db: Database, list_id: int, youtube_id: str, **fields) -> int:
    """One video (complete unless ``fields`` say otherwise); its row id."""
    values = {"import_stage": ImportStage.COMPLETE, "import_progress": 100} | fields
    with db.write() as session:
        row = Video(list_id=list_id, youtube_id=youtube_id, **values)
        session.add(row)
        session.flush()
        return row.id


def add_chapters(db: Database, video_row_id: int, chapters: list[tuple[float, float, str]]) -> None:
    """Chapters as (start_s, end_s, title)."""
    with db.write() as session:
        session.add_all(ChapterRow(video_id=video_row_id, start_s=s, end_s=e, title=t) for s, e, t in chapters)


def add_segments(db: Database, video_row_id: int, segments: list[tuple[float, float, str]]) -> None:
    """Transcript cues as (start_s, duration_s, text), manual captions in English."""
    with db.write() as session:
        session.add_all(
            TranscriptSegmentRow(
                video_id=video_row_id, start_s=s, duration_s=d, text=t, language="en", source=CaptionSource.MANUAL
            )
            for s, d, t in segments
        )


def add_many_videos(db: Database, list_id: int, count: int, *, prefix: str = "v") -> None:
    """``count`` complete videos in bulk (multi-row INSERTs of 10,000), ids ``<prefix><n>`` padded to 11 characters."""
    now = utcnow()
    rows = [
        {
            "list_id": list_id,
            "youtube_id": f"{prefix}{n:0{11 - len(prefix)}d}",
            "thumbnail_url": "",
            "import_stage": ImportStage.COMPLETE,
            "import_progress": 100,
            "attempt_count": 0,
            "title": f"Video {n}",
            "channel": "Channel",
            "description": "",
            "duration_s": 60 + n % 3600,
            "published": dt.date(2024, 1, 1),
            "created_at": now,
            "updated_at": now,
        }
        for n in range(count)
    ]
    with db.write() as session:
        for start in range(0, len(rows), 10_000):
            session.exec(insert(Video), params=rows[start : start + 10_000])
