"""One simulated video: what yt-dlp and youtube-transcript-api would receive for it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from robust_import_app.domain.video import SubtitleTrack
from robust_import_app.youtube.sim.playability import Status, Unplayable

TIMEDTEXT_URL = "https://www.youtube.com/api/timedtext?v={video_id}&lang={lang}{kind}&fmt={ext}"
SUBTITLE_EXTS = ("json3", "srv1", "srv2", "srv3", "ttml", "vtt")
"""The formats yt-dlp lists for every YouTube subtitle language."""

LANGUAGE_NAMES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "ja": "Japanese",
}


@dataclass(frozen=True, slots=True)
class SimVideo:
    """Everything the simulator answers for one video id.

    ``info`` is the yt-dlp info dict (None when yt-dlp is refused, then
    ``web_status`` holds the refusal). ``player_response`` is the innertube
    player response youtube-transcript-api reads (``playabilityStatus`` and
    ``captions``). ``timedtext`` is a recorded srv1 file served for the manual
    English track, when the corpus has one.
    """

    video_id: str
    info: Mapping[str, Any] | None
    web_status: Status | None
    player_response: Mapping[str, Any]
    duration_s: int
    timedtext: str | None = None

    def refused(self, unplayable: Unplayable) -> SimVideo:
        """This video as YouTube serves it once it became private, removed, ..."""
        return SimVideo(
            video_id=self.video_id,
            info=None,
            web_status=unplayable.web_status,
            player_response={"playabilityStatus": unplayable.android_status},
            duration_s=self.duration_s,
        )


def language_name(language_code: str, *, is_generated: bool) -> str:
    """YouTube's display name of a caption track, e.g. ``English (auto-generated)``."""
    name = LANGUAGE_NAMES.get(language_code.split("-")[0], language_code)
    return f"{name} (auto-generated)" if is_generated else name


def subtitle_formats(video_id: str, language_code: str, *, is_generated: bool) -> list[dict[str, str]]:
    """yt-dlp's list of formats for one subtitle language (``subtitles`` entry)."""
    kind = "&kind=asr" if is_generated else ""
    return [
        {
            "ext": ext,
            "url": TIMEDTEXT_URL.format(video_id=video_id, lang=language_code, kind=kind, ext=ext),
            "name": LANGUAGE_NAMES.get(language_code, language_code),
        }
        for ext in SUBTITLE_EXTS
    ]


def captions_json(video_id: str, tracks: list[tuple[str, bool]]) -> dict[str, Any]:
    """The ``captions`` part of a player response for ``(language_code, is_generated)`` tracks."""
    caption_tracks = []
    for language_code, is_generated in tracks:
        kind = "&kind=asr" if is_generated else ""
        track: dict[str, Any] = {
            "baseUrl": TIMEDTEXT_URL.format(video_id=video_id, lang=language_code, kind=kind, ext="srv3"),
            "name": {"runs": [{"text": language_name(language_code, is_generated=is_generated)}]},
            "vssId": f"{'a' if is_generated else ''}.{language_code}",
            "languageCode": language_code,
            "isTranslatable": True,
        }
        if is_generated:
            track["kind"] = "asr"
        caption_tracks.append(track)
    return {"playerCaptionsTracklistRenderer": {"captionTracks": caption_tracks, "translationLanguages": []}}


def captions_from_tracks(video_id: str, tracks: tuple[SubtitleTrack, ...]) -> dict[str, Any] | None:
    """The player response ``captions`` matching yt-dlp's subtitle tracks, or None."""
    if not tracks:
        return None
    return captions_json(video_id, [(t.language_code, t.is_generated) for t in tracks])


def subtitles_from_captions(
    video_id: str, captions: Mapping[str, Any] | None
) -> tuple[dict[str, list[dict[str, str]]], dict[str, list[dict[str, str]]]]:
    """yt-dlp's ``(subtitles, automatic_captions)`` for a player response's captions."""
    manual: dict[str, list[dict[str, str]]] = {}
    auto: dict[str, list[dict[str, str]]] = {}
    renderer = (captions or {}).get("playerCaptionsTracklistRenderer", {})
    for track in renderer.get("captionTracks", ()):
        code = track["languageCode"]
        is_generated = track.get("kind") == "asr"
        base = re.sub(r"&fmt=[^&]*", "", track["baseUrl"])
        formats = [
            {"ext": ext, "url": f"{base}&fmt={ext}", "name": LANGUAGE_NAMES.get(code, code)} for ext in SUBTITLE_EXTS
        ]
        (auto if is_generated else manual)[code] = formats
    return manual, auto
