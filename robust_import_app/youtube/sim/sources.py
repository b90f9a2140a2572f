"""Simulated playlists and channels: deterministic from their key, recorded titles from the corpus.

Rules (all derived from the key and the backend's seed, never from the clock):

* **Identity.** A playlist is its id. A channel is its ``UC…`` id: a handle,
  ``c/name``, ``user/name`` or bare name maps to a derived one
  (:func:`sim_channel_id`) that carries the key's trailing number, so the
  channel's feed (by id) and its tabs (by handle) list the same uploads.
* **Size.** A trailing decimal number in the key sets the number of entries
  (``PLsimulated400``: 400, ``@simchannel30``: 30, ``PLsimulated0``: empty;
  keys must still be valid ids, so ``PL`` takes 10 more characters), at
  most :data:`MAX_GENERATED_ENTRIES`; other keys get 5..300 entries from a
  hash (of the channel id, for a channel). Every channel tab (videos,
  shorts, live) has that many entries of its own.
* **Entries.** Entry ``i`` of a source (``i = 0`` on top: the newest upload
  of a channel tab) has an 11-character id hashed from the source, tab and
  ``i``; it imports like any generated video (:mod:`.generated`). With the
  ``private_rate`` / ``deleted_rate`` of the backend, entries are drawn
  private or deleted (seeded): they are listed as yt-dlp lists them (titles
  "[Private video]" / "[Deleted video]") and their ids start with ``priv`` /
  ``gone``, so that importing one anyway is refused as such.
* **Uploads.** Published uploads (:meth:`SimBackend.publish`, or a line
  ``<key> <count>`` in the uploads file) go on top of a playlist or of a
  channel's videos tab, and into its feed; they are never private.
* **Dates.** Entry ``i`` was published :data:`UPLOAD_SPACING` times ``i``
  before :data:`NEWEST_UPLOAD`; the ``k``-th published upload one hour per
  ``k`` after it.
* **Recorded.** A playlist or channel info JSON in the corpus (yt-dlp's
  ``YoutubeTab`` info without entries, e.g. ``ytdl-sub/*.info.json``) gives
  that source its real title, channel name and channel id.
* **Missing.** A key whose first letters after its prefix are ``gone``
  (``PLgone…``, ``@gone…``) does not exist.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
import random
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from robust_import_app.domain.sources import ChannelTab, EntryState, SourceKind
from robust_import_app.youtube.sim.generated import ID_CLASSES, generated_video
from robust_import_app.youtube.sources import PLAYLIST_ID, SourceRef, is_channel_id

MAX_GENERATED_ENTRIES = 20_000
NEWEST_UPLOAD = dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)
UPLOAD_SPACING = dt.timedelta(hours=36)
FEED_ENTRIES = 15
"""Entries in a YouTube feed: the latest 15."""

_TRAILING_NUMBER = re.compile(r"(\d+)$")
_MISSING = re.compile(r"^(?:PL|UU|@|c/|user/|UC)?gone", re.IGNORECASE)
_TOPICS = (
    "Woodworking",
    "Home Lab",
    "Bread Baking",
    "Bike Repair",
    "Synth Patches",
    "Trail Running",
    "Film Photography",
    "Python Tips",
    "Garden Builds",
    "Retro Computers",
)
_PLAYLIST_FORMATS = ("Best of {t}", "{t} Basics", "{t}: the full series", "Learning {t}")
_CHANNEL_NAMES = (
    "Workbench Weekly",
    "Quiet Maker",
    "Data & Dough",
    "North Ridge Garage",
    "Pixel Orchard",
    "Second Draft Studio",
    "Low Tide Labs",
    "The Curious Engineer",
)


@dataclass(frozen=True, slots=True)
class SimSource:
    """One simulated playlist or channel: ``source_id`` is the playlist id or ``UC…`` id;
    ``title`` the playlist's title or the channel's name; ``size`` its entries per tab."""

    kind: SourceKind
    source_id: str
    title: str
    channel_id: str
    channel: str
    size: int


@dataclass(frozen=True, slots=True)
class SimEntry:
    """One listed entry with its upload time (UTC)."""

    video_id: str
    title: str
    state: EntryState
    published: dt.datetime
    duration_s: int | None


def source_size(key: str) -> int:
    """The number of entries per tab of the source ``key`` (rules in the module docstring)."""
    match = _TRAILING_NUMBER.search(key)
    if match:
        return min(int(match.group(1)), MAX_GENERATED_ENTRIES)
    return 5 + int.from_bytes(hashlib.sha256(f"sim-size:{key}".encode()).digest()[:4]) % 296


def sim_channel_id(key: str) -> str:
    """The ``UC…`` id of the channel ``key`` names: the key itself when it is one, else a
    hash of it followed by ``x`` and its trailing number (so :func:`source_size` agrees)."""
    if is_channel_id(key):
        return key
    match = _TRAILING_NUMBER.search(key)
    number = str(min(int(match.group(1)), MAX_GENERATED_ENTRIES)) if match else ""
    return "UC" + _digest(f"sim-channel:{key}")[: 21 - len(number)] + "x" + number


def source_key(source: SourceRef | str) -> tuple[SourceKind, str]:
    """The kind and id (playlist id or ``UC…`` id) of a source or source key.

    A string is a playlist when it is a playlist id, else a channel key.
    """
    if isinstance(source, SourceRef):
        kind, key = source.kind, source.key
    else:
        kind = SourceKind.PLAYLIST if PLAYLIST_ID.fullmatch(source) else SourceKind.CHANNEL
        key = source
    return kind, key if kind is SourceKind.PLAYLIST else sim_channel_id(key)


def find_source(
    kind: SourceKind, source_id: str, recorded: Mapping[str, Mapping[str, Any]], *, original_key: str = ""
) -> SimSource | None:
    """The simulated source ``source_id`` (from :func:`source_key`), None when it does not exist."""
    if _MISSING.match(original_key or source_id):
        return None
    info = recorded.get(source_id)
    rng = random.Random(f"sim-source:{source_id}")
    channel_name = rng.choice(_CHANNEL_NAMES)
    if kind is SourceKind.PLAYLIST:
        owner = sim_channel_id(f"owner:{source_id}")
        title = rng.choice(_PLAYLIST_FORMATS).format(t=rng.choice(_TOPICS))
        if info is not None:
            title, channel_name = info.get("title") or title, info.get("channel") or channel_name
            owner = info.get("channel_id") or owner
        return SimSource(kind, source_id, title, owner, channel_name, source_size(source_id))
    if info is not None:
        channel_name = info.get("channel") or info.get("uploader") or channel_name
    return SimSource(kind, source_id, channel_name, source_id, channel_name, source_size(source_id))


def entry_at(
    source: SimSource,
    tab: ChannelTab | None,
    index: int,
    *,
    published: int,
    seed: int,
    private_rate: float,
    deleted_rate: float,
) -> SimEntry:
    """Entry ``index`` (0 on top) of a source's tab, with ``published`` uploads on top of the generated ones."""
    if index < published and tab in (None, ChannelTab.VIDEOS):
        number = published - 1 - index  # the newest published upload is on top
        video_id = _entry_id(f"{source.source_id}|new|{number}", None)
        return _available(video_id, NEWEST_UPLOAD + dt.timedelta(hours=number + 1))
    base = index - (published if tab in (None, ChannelTab.VIDEOS) else 0)
    tag = f"{source.source_id}|{(tab or ChannelTab.VIDEOS).value}|{base}"
    draw = random.Random(f"{seed}|{tag}|state").random()
    state = (
        EntryState.PRIVATE
        if draw < private_rate
        else EntryState.DELETED
        if draw < private_rate + deleted_rate
        else EntryState.AVAILABLE
    )
    video_id = _entry_id(tag, state)
    when = NEWEST_UPLOAD - UPLOAD_SPACING * base
    if state is EntryState.PRIVATE:
        return SimEntry(video_id, "[Private video]", state, when, None)
    if state is EntryState.DELETED:
        return SimEntry(video_id, "[Deleted video]", state, when, None)
    return _available(video_id, when)


def entry_count(source: SimSource, tab: ChannelTab | None, published: int) -> int:
    """How many entries a source's tab lists, published uploads included."""
    return source.size + (published if tab in (None, ChannelTab.VIDEOS) else 0)


@functools.cache
def load_recorded_sources(corpus_dir: Path) -> Mapping[str, Mapping[str, Any]]:
    """yt-dlp playlist and channel infos (``extractor_key`` ``YoutubeTab``) under
    ``corpus_dir``, by id, without entries (cached per directory)."""
    found: dict[str, Mapping[str, Any]] = {}
    for path in sorted(corpus_dir.rglob("*.info.json")):
        info = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(info, dict) and info.get("extractor_key") == "YoutubeTab" and isinstance(info.get("id"), str):
            found[info["id"]] = {k: v for k, v in info.items() if k != "entries"}
    return found


def flat_info(source: SimSource, tab: ChannelTab | None, count: int) -> dict[str, Any]:
    """The ``_type: playlist`` info yt-dlp's ``YoutubeTabIE`` gives for the source (without entries)."""
    if source.kind is SourceKind.PLAYLIST:
        return {
            "_type": "playlist",
            "id": source.source_id,
            "title": source.title,
            "channel": source.channel,
            "channel_id": source.channel_id,
            "uploader": source.channel,
            "playlist_count": count,
            "webpage_url": f"https://www.youtube.com/playlist?list={source.source_id}",
            "extractor": "youtube:tab",
            "extractor_key": "YoutubeTab",
        }
    tab_name = {ChannelTab.VIDEOS: "Videos", ChannelTab.SHORTS: "Shorts", ChannelTab.STREAMS: "Live"}
    return {
        "_type": "playlist",
        "id": source.source_id,
        "title": f"{source.title} - {tab_name[tab or ChannelTab.VIDEOS]}",
        "channel": source.channel,
        "channel_id": source.channel_id,
        "uploader": source.channel,
        "webpage_url": f"https://www.youtube.com/channel/{source.source_id}/{(tab or ChannelTab.VIDEOS).value}",
        "extractor": "youtube:tab",
        "extractor_key": "YoutubeTab",
    }


def flat_entry(entry: SimEntry, source: SimSource, tab: ChannelTab | None) -> dict[str, Any]:
    """A flat entry as ``YoutubeTabBaseInfoExtractor._extract_video`` yields it."""
    unavailable = entry.state is not EntryState.AVAILABLE
    path = "shorts/" if tab is ChannelTab.SHORTS else "watch?v="
    return {
        "_type": "url",
        "ie_key": "Youtube",
        "id": entry.video_id,
        "url": f"https://www.youtube.com/{path}{entry.video_id}",
        "title": entry.title,
        "duration": entry.duration_s,
        "channel_id": None if unavailable else source.channel_id,
        "channel": None if unavailable else source.channel,
        "availability": None,
        "live_status": "was_live" if tab is ChannelTab.STREAMS else None,
    }


def _available(video_id: str, when: dt.datetime) -> SimEntry:
    info = generated_video(video_id).info or {}
    return SimEntry(video_id, info.get("title", ""), EntryState.AVAILABLE, when, info.get("duration"))


def _entry_id(tag: str, state: EntryState | None) -> str:
    """An 11-character id for ``tag``: ``priv…``/``gone…`` for a private/deleted entry, else
    one that starts with no id class of :data:`ID_CLASSES` (so it is an ordinary video)."""
    digest = _digest(f"sim-entry:{tag}")
    prefix = {EntryState.PRIVATE: "priv", EntryState.DELETED: "gone"}.get(state)  # type: ignore[arg-type]
    if prefix:
        return prefix + digest[:7]
    return ("Z" + digest[1:11]) if digest[:4] in ID_CLASSES else digest[:11]


def _digest(text: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).decode().rstrip("=")


def read_uploads_file(path: Path) -> Counter[str]:
    """Published uploads per source id from a file of ``<key> <count>`` lines (summed per
    source; blank lines and ``#`` comments skipped; a missing file is empty).

    Raises ValueError naming the first malformed line.
    """
    counts: Counter[str] = Counter()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return counts
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, _, count = line.strip().rpartition(" ")
        if not key.strip() or not count.isdigit():
            raise ValueError(f"{path}:{number}: expected '<source key> <count>', got {line!r}")
        counts[source_key(key.strip())[1]] += int(count)
    return counts
