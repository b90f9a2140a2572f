"""metadata_from_info against recorded yt-dlp / youtube-dl info dicts and edge cases."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from robust_import_app.domain.video import Chapter, SubtitleTrack
from robust_import_app.youtube.info import metadata_from_info
from tests.conftest import CORPUS_DIR

CORPUS = CORPUS_DIR
INFO_FILES = sorted(p for p in CORPUS.rglob("*.json") if p.parent.name != "takeout") if CORPUS.is_dir() else []
PLAYLIST_FILES = {
    "ytdl-sub/UCcRSMoQqXc_JrBZRHDFGbqA.info.json",
    "ytdl-sub/PLoopXDarluPBnuxs4PTC55Sc_2ShAXC0i.info.json",
}


def recorded(name: str) -> dict[str, Any]:
    """A recorded info JSON from the shared corpus; skips the test when absent."""
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.skipif(not INFO_FILES, reason="shared corpus not available")
@pytest.mark.parametrize("path", INFO_FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_recorded_info_json_maps_or_is_refused_as_playlist(path: Path) -> None:
    info = json.loads(path.read_text(encoding="utf-8"))
    if str(path.relative_to(CORPUS)) in PLAYLIST_FILES:
        with pytest.raises(ValueError, match="playlist or channel"):
            metadata_from_info(info)
        return
    metadata = metadata_from_info(info)
    assert metadata.video_id == info["id"]
    assert metadata.title == info["title"] and metadata.title
    assert metadata.channel and metadata.duration_s == info["duration"]
    assert metadata.published is not None
    assert all(t.ext in ("json3", "vtt", "srv1") and "tlang=" not in t.url for t in metadata.subtitle_tracks)


def test_tubesync_group_therapy_has_27_chapters_and_one_english_asr_track() -> None:
    metadata = metadata_from_info(recorded("tubesync/metadata_low_formats.json"))
    assert metadata.video_id == "gogEJyoSB9s"
    assert metadata.title == "Group Therapy 487 with Above & Beyond and Ruben de Ronde"
    assert metadata.channel == "Above & Beyond"
    assert metadata.duration_s == 7205
    assert metadata.published == dt.date(2022, 6, 17)
    assert len(metadata.chapters) == 27
    assert metadata.chapters[0] == Chapter(0.0, 31.0, "Intro")
    assert metadata.chapters[-1].end_time == 7205.0
    assert metadata.thumbnail_url == "https://i.ytimg.com/vi/gogEJyoSB9s/hqdefault.jpg?v=62ab3790"
    assert metadata.language is None
    # live_chat (json only) is dropped, en-orig merges into en, 108 translations are dropped.
    assert [(t.language_code, t.ext, t.is_generated) for t in metadata.subtitle_tracks] == [("en", "json3", True)]
    assert "kind=asr" in metadata.subtitle_tracks[0].url


def test_tubesync_miiverse_has_no_chapters_and_a_language() -> None:
    metadata = metadata_from_info(recorded("tubesync/metadata_2023-06-29.json"))
    assert (metadata.video_id, metadata.duration_s, metadata.language) == ("JjQDik3yNhA", 968, "en")
    assert metadata.chapters == ()
    assert metadata.published == dt.date(2022, 8, 5)
    assert metadata.description.startswith("Nintendo wanted to create a social media for kids")


def test_old_youtube_dl_shape_uses_uploader_and_null_chapters() -> None:
    info = recorded("ytdl-nfo/test.json")
    assert "channel" not in info and info["chapters"] is None
    metadata = metadata_from_info(info)
    assert metadata.channel == "SmashMouthVEVO"
    assert (metadata.title, metadata.duration_s) == ("Smash Mouth - All Star", 237)
    assert metadata.published == dt.date(2009, 12, 25)
    assert metadata.chapters == () and metadata.subtitle_tracks == ()
    assert metadata.language is None


def test_pinchflat_keeps_manual_german_and_untranslated_asr_tracks() -> None:
    metadata = metadata_from_info(recorded("pinchflat/example.info.json"))
    tracks = {(t.language_code, t.is_generated): t.ext for t in metadata.subtitle_tracks}
    assert tracks == {("de", False): "json3", ("en", True): "json3", ("de-de", True): "json3"}
    assert [c.title for c in metadata.chapters][:2] == ["Introduction", "Part 1"]


def minimal(**fields: Any) -> dict[str, Any]:
    return {"id": "abcdefghijk", "title": "T", "channel": "C", "duration": 61.6} | fields


def test_published_falls_back_to_utc_timestamp_and_duration_rounds() -> None:
    metadata = metadata_from_info(minimal(timestamp=1_655_510_399))  # 2022-06-17 23:59:59 UTC
    assert metadata.published == dt.date(2022, 6, 17)
    assert metadata.duration_s == 62
    assert metadata_from_info(minimal(release_timestamp=86_400)).published == dt.date(1970, 1, 2)
    assert metadata_from_info(minimal(upload_date="2020-01-01")).published is None


def test_missing_thumbnail_uses_the_cdn_url_and_missing_duration_is_none() -> None:
    metadata = metadata_from_info({"id": "abcdefghijk", "title": "T", "uploader": "U"})
    assert metadata.thumbnail_url == "https://i.ytimg.com/vi/abcdefghijk/mqdefault.jpg"
    assert (metadata.duration_s, metadata.chapters, metadata.channel) == (None, (), "U")


def test_subtitle_format_preference_json3_then_vtt_then_srv1() -> None:
    def formats(*exts: str) -> list[dict[str, str]]:
        return [{"ext": e, "url": f"https://www.youtube.com/api/timedtext?v=abcdefghijk&fmt={e}"} for e in exts]

    info = minimal(
        subtitles={"en": formats("srv3", "vtt", "srv1"), "fr": formats("srv1", "ttml"), "de": formats("ttml")},
        automatic_captions={
            "en": formats("vtt", "json3"),
            "es": [{"ext": "json3", "url": "https://www.youtube.com/api/timedtext?v=abcdefghijk&tlang=es&fmt=json3"}],
        },
    )
    assert metadata_from_info(info).subtitle_tracks == (
        SubtitleTrack("en", "vtt", "https://www.youtube.com/api/timedtext?v=abcdefghijk&fmt=vtt", False),
        SubtitleTrack("fr", "srv1", "https://www.youtube.com/api/timedtext?v=abcdefghijk&fmt=srv1", False),
        SubtitleTrack("en", "json3", "https://www.youtube.com/api/timedtext?v=abcdefghijk&fmt=json3", True),
    )


@pytest.mark.parametrize(
    "info",
    [
        {"_type": "playlist", "id": "PLx", "title": "A playlist", "entries": []},
        {"id": "UCx", "title": "Channel", "extractor_key": "YoutubeTab"},
        {"_type": "video", "id": "abcdefghijk", "title": "Multi", "entries": [{}]},
        {"title": "No id"},
    ],
)
def test_playlists_channels_and_id_less_dicts_raise_value_error(info: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        metadata_from_info(info)
