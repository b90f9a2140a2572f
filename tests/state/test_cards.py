"""Display helpers: card data from rows, durations, route ids."""

from __future__ import annotations

import datetime as dt

import pytest

from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.video import CaptionSource
from robust_import_app.models import Video
from robust_import_app.state.cards import card_from_row, format_duration
from robust_import_app.state.library import route_id


@pytest.mark.parametrize(("seconds", "text"), [(None, ""), (0, "0:00"), (59, "0:59"), (61, "1:01"), (3725, "1:02:05")])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("path", "prefix", "expected"),
    [
        ("/list/12", "/list/", 12),
        ("/list/12/", "/list/", 12),
        ("/", "/list/", None),
        ("/list/x", "/list/", None),
        ("/video/7", "/list/", None),
    ],
)
def test_route_id(path, prefix, expected):
    assert route_id(path, prefix) == expected


def test_complete_card_shows_metadata_and_caption_badge():
    row = Video(
        id=3,
        list_id=1,
        youtube_id="dQw4w9WgXcQ",
        title="Title",
        channel="Channel",
        duration_s=212,
        published=dt.date(2009, 10, 25),
        import_stage=ImportStage.COMPLETE,
        import_progress=100,
        caption_source=CaptionSource.AUTO,
        thumbnail_url="https://i.ytimg.com/vi/dQw4w9WgXcQ/mqdefault.jpg",
    )
    card = card_from_row(row, chapter_count=4)
    assert (card.terminal, card.stage, card.duration, card.published) == (True, "complete", "3:32", "2009-10-25")
    assert card.caption_badge == "auto-generated captions" and card.chapter_count == 4


def test_waiting_card_says_it_retries_and_importing_card_falls_back_to_its_id():
    row = Video(
        id=4,
        list_id=1,
        youtube_id="dQw4w9WgXcQ",
        import_stage=ImportStage.METADATA,
        import_progress=25,
        error_code="rate_limited",
    )
    card = card_from_row(row)
    assert not card.terminal and card.title == "dQw4w9WgXcQ"
    assert card.retry_note.startswith("Retrying: YouTube is rate-limiting")


def test_paste_report_counts_read_as_english_and_long_lists_are_cut():
    from robust_import_app.state.importer import listed, plural

    assert plural(1, "line was", "lines were") == "1 line was"
    assert plural(2, "line was", "lines were") == "2 lines were"
    assert listed(["a", "b"]) == "a, b"
    assert listed([f"v{n}" for n in range(23)]) == ", ".join(f"v{n}" for n in range(20)) + " and 3 more"
    assert listed(["a", "b"], 5) == "a, b and 3 more"
