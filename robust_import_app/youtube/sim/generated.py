"""Deterministic made-up videos for every valid id the corpus does not hold.

Everything is derived from the id alone (not from the backend's seed): the
same id always gives the same title, channel, duration (60..3600 s), upload
date, description, chapters and captions. The id's first four characters pick
a class (see :data:`ID_CLASSES`); other ids draw theirs from the id's hash:
about 10 % have no captions, 40 % manual and auto-generated captions, 50 %
auto-generated only; about 85 % have chapters in the description, and for a
third of those yt-dlp's ``chapters`` field is null (as youtube-dl returned it),
so the description parser must find them.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import random
from typing import Any

from robust_import_app.youtube.sim.playability import Unplayable
from robust_import_app.youtube.sim.video import (
    SimVideo,
    captions_json,
    subtitle_formats,
)


class Captions(enum.Enum):
    """Which caption tracks a generated video has."""

    NONE = "none"
    AUTO = "auto"
    MANUAL = "manual"


ID_CLASSES: dict[str, str] = {
    "priv": "private: yt-dlp 'Private video', transcript VideoUnplayable",
    "gone": "removed: yt-dlp 'Video unavailable. This video has been removed by the uploader', "
    "transcript VideoUnavailable",
    "agex": "age-restricted: yt-dlp 'Sign in to confirm your age', transcript AgeRestricted",
    "memb": "members-only: yt-dlp 'Join this channel ...', transcript VideoUnplayable",
    "botc": "every player and transcript call meets the bot check (yt-dlp 'not a bot', RequestBlocked)",
    "blok": "playable, but the transcript endpoint answers RequestBlocked",
    "noca": "playable, no captions at all (TranscriptsDisabled, no subtitle tracks)",
    "manu": "playable, manual and auto-generated captions",
    "auto": "playable, auto-generated captions only",
    "nchp": "playable, description without chapters",
}
"""Id prefix -> behaviour; e.g. ``privAAAAAAA`` is always private."""

_REFUSALS = {
    "priv": Unplayable.PRIVATE,
    "gone": Unplayable.REMOVED,
    "agex": Unplayable.AGE_RESTRICTED,
    "memb": Unplayable.MEMBERS_ONLY,
    "botc": Unplayable.BOT_CHECK,
}
_TOPICS = (
    "Sourdough Bread",
    "Home Network",
    "Bicycle Gears",
    "Python Packaging",
    "Garden Shed",
    "Film Camera",
    "Espresso Machine",
    "Tiny House",
    "Synthesizer Patch",
    "Trail Running Shoes",
)
_FORMATS = (
    "{t} Explained",
    "I Tried {t} for 30 Days",
    "{t}: Complete Guide",
    "Fixing My {t}",
    "{t} in 10 Minutes",
    "Why Everyone Gets {t} Wrong",
)
_CHANNELS = (
    "Workbench Weekly",
    "Quiet Maker",
    "Data & Dough",
    "North Ridge Garage",
    "Pixel Orchard",
    "Second Draft Studio",
    "Low Tide Labs",
    "The Curious Engineer",
)
_CHAPTER_TITLES = (
    "Intro",
    "What you need",
    "Setting up",
    "First attempt",
    "What went wrong",
    "The fix",
    "Testing it",
    "Results",
    "Costs",
    "Q&A",
    "Final thoughts",
    "Outro",
)
_FIRST_DAY = dt.date(2008, 1, 1)
_LAST_DAY = dt.date(2025, 12, 31)


@functools.lru_cache(maxsize=4096)
def generated_video(video_id: str) -> SimVideo:
    """The made-up video of ``video_id`` (an 11-character id); cached, never mutate it."""
    rng = random.Random(f"sim-video:{video_id}")
    prefix = video_id[:4]
    topic = rng.choice(_TOPICS)
    title = rng.choice(_FORMATS).format(t=topic)
    channel = rng.choice(_CHANNELS)
    duration_s = rng.randint(60, 3600)
    published = _FIRST_DAY + dt.timedelta(days=rng.randint(0, (_LAST_DAY - _FIRST_DAY).days))
    language = "en" if rng.random() < 0.9 else rng.choice(("de", "fr", "es"))
    has_chapters = prefix != "nchp" and rng.random() < 0.85
    chapters = _chapters(rng, duration_s) if has_chapters else []
    captions = _captions(prefix, rng.random())
    description = _description(topic, channel, chapters)
    tracks = [(language, False)] if captions is Captions.MANUAL else []
    if captions is not Captions.NONE:
        tracks.append((language, True))
    info = {
        "_type": "video",
        "id": video_id,
        "title": title,
        "fulltitle": title,
        "channel": channel,
        "uploader": channel,
        "channel_id": "UC" + video_id * 2,
        "duration": duration_s,
        "upload_date": published.strftime("%Y%m%d"),
        "description": description,
        "thumbnail": f"https://i.ytimg.com/vi/{video_id}/maxresdefault.jpg",
        "language": language,
        "chapters": chapters if chapters and rng.random() < 2 / 3 else None,
        "subtitles": {
            code: subtitle_formats(video_id, code, is_generated=False) for code, generated in tracks if not generated
        },
        "automatic_captions": _automatic_captions(video_id, language) if tracks else {},
        "webpage_url": f"https://www.youtube.com/watch?v={video_id}",
        "extractor": "youtube",
        "extractor_key": "Youtube",
        "live_status": "not_live",
        "availability": "public",
    }
    player_response: dict[str, Any] = {
        "playabilityStatus": (Unplayable.BOT_CHECK.android_status if prefix == "blok" else {"status": "OK"}),
        "videoDetails": {
            "videoId": video_id,
            "title": title,
            "lengthSeconds": str(duration_s),
            "author": channel,
            "shortDescription": description,
        },
    }
    if tracks:
        player_response["captions"] = captions_json(video_id, tracks)
    video = SimVideo(video_id, info, None, player_response, duration_s)
    refusal = _REFUSALS.get(prefix)
    return video.refused(refusal) if refusal else video


def _captions(prefix: str, draw: float) -> Captions:
    """The caption class of an id: fixed by prefix, else from ``draw`` in [0, 1)."""
    fixed = {"noca": Captions.NONE, "manu": Captions.MANUAL, "auto": Captions.AUTO}
    if prefix in fixed:
        return fixed[prefix]
    return Captions.NONE if draw < 0.1 else Captions.MANUAL if draw < 0.5 else Captions.AUTO


def _chapters(rng: random.Random, duration_s: int) -> list[dict[str, Any]]:
    """3..10 chapters, the first at 0 s, each at least 10 s long (yt-dlp's shape)."""
    count = rng.randint(3, min(10, max(3, duration_s // 60)))
    spare_s = duration_s - 10 * count
    weights = [rng.random() for _ in range(count)]
    starts, at_s = [], 0
    for weight in weights:
        starts.append(at_s)
        at_s += 10 + int(spare_s * weight / sum(weights))
    middle = sorted(rng.sample(range(1, len(_CHAPTER_TITLES) - 1), count - 2))
    titles = [_CHAPTER_TITLES[0], *(_CHAPTER_TITLES[i] for i in middle), _CHAPTER_TITLES[-1]]
    ends = [*starts[1:], duration_s]
    return [
        {"start_time": float(s), "end_time": float(e), "title": t} for s, e, t in zip(starts, ends, titles, strict=True)
    ]


def _description(topic: str, channel: str, chapters: list[dict[str, Any]]) -> str:
    """A description; chapters appear as ``m:ss Title`` lines, as creators write them."""
    lines = [f"Everything about {topic.lower()}, step by step.", ""]
    if chapters:
        lines += ["Chapters:"]
        lines += [f"{_stamp(int(c['start_time']))} {c['title']}" for c in chapters]
        lines += [""]
    lines += [f"Subscribe to {channel} for more.", "#howto #diy"]
    return "\n".join(lines)


def _stamp(seconds: int) -> str:
    """``m:ss`` or ``h:mm:ss``."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _automatic_captions(video_id: str, language: str) -> dict[str, list[dict[str, str]]]:
    """yt-dlp's ``automatic_captions``: the original track twice (``xx``, ``xx-orig``)
    plus two machine translations (``tlang=`` URLs), as YouTube lists them."""
    original = subtitle_formats(video_id, language, is_generated=True)
    captions = {language: original, f"{language}-orig": original}
    for target in ("it", "pt"):
        captions[target] = [{**f, "url": f["url"].replace("&fmt=", f"&tlang={target}&fmt=")} for f in original]
    return captions
