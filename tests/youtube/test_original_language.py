"""Captions come in the video's own tracks only: no machine translation is ever requested.

YouTube answers auto-translated caption requests (``tlang=`` on a timedtext URL) with
HTTP 429 far sooner than untranslated ones. The recorded player response of GJLlxj_dtq8
has 10 caption tracks, all ``isTranslatable``, and 18 translation languages;
youtube-transcript-api 1.2.5 lists the tracks, and the real client fetches them
through a replaying adapter that records every URL.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from robust_import_app.youtube.info import metadata_from_info
from robust_import_app.youtube.real import YouTubeClient
from robust_import_app.youtube.sim.video import subtitle_formats
from tests.youtube.test_real import YTA, ReplayAdapter, replaying_client

VIDEO_ID = "GJLlxj_dtq8"


class RecordingAdapter(ReplayAdapter):
    """The replaying adapter, keeping the URL of every request."""

    urls: list[str] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        RecordingAdapter.urls.append(request.url or "")
        return super().send(request, **kwargs)


def recorded_tracks() -> set[tuple[str, bool]]:
    response = json.loads((YTA / "youtube.innertube.json.static").read_text(encoding="utf-8"))
    renderer = response["captions"]["playerCaptionsTracklistRenderer"]
    assert len(renderer["translationLanguages"]) == 18
    return {(t["languageCode"], t.get("kind") == "asr") for t in renderer["captionTracks"]}


@pytest.mark.asyncio
async def test_transcript_api_lists_and_fetches_only_the_videos_own_tracks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tests.youtube.test_real.ReplayAdapter", RecordingAdapter)
    RecordingAdapter.urls = []
    replaying_client(monkeypatch, "youtube.innertube.json.static")
    client = YouTubeClient()
    tracks = await client.list_caption_tracks(VIDEO_ID)
    assert {(t.language_code, t.is_generated) for t in tracks} == recorded_tracks()
    for track in tracks:
        assert await client.fetch_captions(VIDEO_ID, track)
    fetched = [parse_qs(urlsplit(url).query) for url in RecordingAdapter.urls if "/api/timedtext" in url]
    assert len(fetched) == len(tracks)
    assert all("tlang" not in query for query in fetched)
    assert sorted(query["lang"][0] for query in fetched) == sorted(t.language_code for t in tracks)


def test_ytdlp_translated_automatic_captions_are_never_listed() -> None:
    """yt-dlp's shape for a German video: ``de`` and ``de-orig`` plus ``tlang=`` translations."""
    video_id = "abcdefghijk"
    original = subtitle_formats(video_id, "de", is_generated=True)
    info = {
        "id": video_id,
        "title": "T",
        "channel": "C",
        "duration": 60,
        "language": "de",
        "subtitles": {"en": subtitle_formats(video_id, "en", is_generated=False)},
        "automatic_captions": {"de": original, "de-orig": original}
        | {target: [{**f, "url": f"{f['url']}&tlang={target}"} for f in original] for target in ("it", "pt")},
    }
    assert {"it", "pt"} <= info["automatic_captions"].keys()
    tracks = metadata_from_info(info).subtitle_tracks
    assert [(t.language_code, t.is_generated) for t in tracks] == [("en", False), ("de", True)]
    assert all("tlang" not in parse_qs(urlsplit(t.url).query) for t in tracks)
