"""Recorded YouTube data (``/work/shared/corpus`` layout) as simulated videos.

Three kinds of recording are read, each file at most once per directory:

* yt-dlp / youtube-dl ``.info.json`` files (any ``*.json``): single videos with
  an 11-character id; playlists, channels and anonymised ids are skipped.
* pytube captures (``*.json.gz``): their ``vid_info`` player response.
* youtube-transcript-api player responses (``*.innertube.json.static``) that
  name a video in ``videoDetails``.

An info dict wins over a player response for the same id; among player
responses the first file in sorted path order wins. A recorded refusal keeps
its recorded status for youtube-transcript-api (the library judges it itself);
yt-dlp is answered with today's web status of the same class
(:func:`~robust_import_app.youtube.sim.playability.classify_recorded`), or the
recorded status when it fits no class.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from robust_import_app.youtube.info import metadata_from_info
from robust_import_app.youtube.sim.playability import classify_recorded
from robust_import_app.youtube.sim.video import (
    SimVideo,
    captions_from_tracks,
    subtitles_from_captions,
)

VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
RECORDED_TIMEDTEXT = {"GJLlxj_dtq8": "youtube-transcript-api/transcript.xml.static"}
"""Recorded timedtext (srv1) files, served for that video's manual English track."""


@functools.cache
def load_corpus(corpus_dir: Path) -> Mapping[str, SimVideo]:
    """Every recorded video under ``corpus_dir`` by id (cached per directory).

    Raises FileNotFoundError when ``corpus_dir`` is not a directory.
    """
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"simulator corpus not found: {corpus_dir}")
    videos: dict[str, SimVideo] = {}
    for path in sorted(corpus_dir.rglob("*.innertube.json.static")):
        _add_player_response(videos, json.loads(path.read_text(encoding="utf-8")))
    for path in sorted(corpus_dir.rglob("*.json.gz")):
        capture = json.loads(gzip.decompress(path.read_bytes()))
        vid_info = capture.get("vid_info")
        response = json.loads(vid_info) if isinstance(vid_info, str) else vid_info
        _add_player_response(videos, response, fallback_id=_id_from_url(capture.get("url")))
    for path in sorted(corpus_dir.rglob("*.json")):
        info = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(info, dict) and _is_single_video(info):
            videos[info["id"]] = _from_info(info)
    for video_id, relative in RECORDED_TIMEDTEXT.items():
        timedtext = corpus_dir / relative
        if video_id in videos and timedtext.is_file():
            video = videos[video_id]
            videos[video_id] = SimVideo(
                video.video_id,
                video.info,
                video.web_status,
                video.player_response,
                video.duration_s,
                timedtext.read_text(encoding="utf-8"),
            )
    return videos


def _is_single_video(info: Mapping[str, Any]) -> bool:
    """True for a single YouTube video's info dict with a real 11-character id."""
    return (
        info.get("_type", "video") == "video"
        and info.get("extractor_key", "Youtube") == "Youtube"
        and "entries" not in info
        and bool(VIDEO_ID.fullmatch(str(info.get("id", ""))))
    )


def _from_info(info: dict[str, Any]) -> SimVideo:
    """A recorded info dict, with the player response yt-dlp saw behind it."""
    metadata = metadata_from_info(info)
    player_response: dict[str, Any] = {
        "playabilityStatus": {"status": "OK"},
        "videoDetails": {
            "videoId": metadata.video_id,
            "title": metadata.title,
            "author": metadata.channel,
            "lengthSeconds": str(metadata.duration_s or 0),
        },
    }
    captions = captions_from_tracks(metadata.video_id, metadata.subtitle_tracks)
    if captions is not None:
        player_response["captions"] = captions
    return SimVideo(metadata.video_id, info, None, player_response, metadata.duration_s or 0)


def _id_from_url(url: Any) -> str:
    """The ``v=`` id of a recorded watch URL, or ""."""
    match = re.search(r"[?&]v=([A-Za-z0-9_-]{11})(?:&|$)", url) if isinstance(url, str) else None
    return match.group(1) if match else ""


def _add_player_response(
    videos: dict[str, SimVideo], response: Mapping[str, Any] | None, *, fallback_id: str = ""
) -> None:
    """Record a player response for the video it names (else ``fallback_id``),
    unless that video is already known."""
    details = (response or {}).get("videoDetails") or {}
    video_id = str(details.get("videoId") or fallback_id)
    if not VIDEO_ID.fullmatch(video_id) or video_id in videos:
        return
    assert response is not None
    duration_s = int(details.get("lengthSeconds") or 0)
    status = response.get("playabilityStatus") or {}
    if status.get("status") == "OK":
        info = _info_from_player_response(video_id, response)
        videos[video_id] = SimVideo(video_id, info, None, response, duration_s)
        return
    unplayable = classify_recorded(status)
    web_status = unplayable.web_status if unplayable else status
    videos[video_id] = SimVideo(video_id, None, web_status, response, duration_s)


def _info_from_player_response(video_id: str, response: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a yt-dlp info dict that a player response carries."""
    details = response["videoDetails"]
    subtitles, automatic_captions = subtitles_from_captions(video_id, response.get("captions"))
    return {
        "_type": "video",
        "id": video_id,
        "title": details.get("title", ""),
        "channel": details.get("author", ""),
        "uploader": details.get("author", ""),
        "channel_id": details.get("channelId"),
        "duration": int(details.get("lengthSeconds") or 0),
        "description": details.get("shortDescription", ""),
        "subtitles": subtitles,
        "automatic_captions": automatic_captions,
        "webpage_url": f"https://www.youtube.com/watch?v={video_id}",
        "extractor": "youtube",
        "extractor_key": "Youtube",
    }
