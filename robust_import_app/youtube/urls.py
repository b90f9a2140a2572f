"""Video ids, playlists and channels from pasted text: single links, bare ids, whole pasted blocks.

Pure functions, no I/O. The URL forms accepted are those of yt-dlp's
``YoutubeIE._VALID_URL`` (``yt_dlp/extractor/youtube/_video.py``) on YouTube's
own hosts: ``watch?v=`` (any parameter order), ``youtu.be/ID``, ``/shorts/``,
``/embed/``, ``/live/``, ``/v/``, ``/e/``, ``/watch/ID``, ``watch_popup``,
``/?v=``, any ``*.youtube.com`` subdomain (``m.``, ``music.``, ``gaming.``),
``youtube-nocookie.com``, ``youtubekids.com``, ``youtube.googleapis.com``, with
or without scheme, plus the wrappers that point at a video: ``attribution_link``,
``oembed?url=`` and the EU ``consent.youtube.com`` redirect. Third-party mirrors
yt-dlp also accepts (Invidious, hooktube, ...) are not YouTube and are rejected.

A watch link with both ``v`` and ``list`` is the video; with two ``v``
parameters, the first wins (as yt-dlp's "Use the first video ID" test). Its
playlist is only offered (:attr:`PasteResult.playlist_offers`), never a mix
(``RD…``): YouTube appends a mix to every video played from one or from
autoplay, and a mix is generated per viewer and has no end, so "the whole
playlist" would mean nothing.

Playlists and channels (:class:`~robust_import_app.youtube.sources.SourceRef`)
are the forms of yt-dlp's ``YoutubePlaylistIE`` and ``YoutubeTabIE``
(``yt_dlp/extractor/youtube/_tab.py``): ``/playlist?list=``, ``watch?list=``
without ``v``, ``/?list=`` and ``embed/videoseries?list=``, with an id of
``_PLAYLIST_ID_RE`` (``PL…``, ``UU…``, ``OLAK5uy_…``, ``RD…``, ``FL…``, ...);
channels as ``/@handle`` (``_YT_HANDLE_RE``), ``/channel/UC…``
(``_YT_CHANNEL_UCID_RE``), ``/c/name``, ``/user/name`` and the bare custom
URL ``/name`` when ``name`` is none of yt-dlp's ``_RESERVED_NAMES`` (compared
case-insensitively here, so that no YouTube page such as ``/Results`` turns
into a channel). A channel link names its ``/videos`` (also ``/featured`` or
no tab), ``/shorts`` or ``/streams`` tab; other tabs list no videos and are
refused, as are Liked videos and Watch later (``LL``, ``WL``, and Liked music
``LM``), which only their signed-in owner can list.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, unquote, urljoin, urlsplit

from robust_import_app.domain.sources import ChannelTab, SourceKind
from robust_import_app.youtube.sources import PLAYLIST_ID, SourceRef, is_channel_id

_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_HOST_AND_PATH = re.compile(r"(?:[\w-]+\.)+[A-Za-z]{2,}[/?#]")
_ESCAPED_AMPERSANDS = re.compile(r"&(?:amp;)+")
_MAY_NAME_A_VIDEO = re.compile(r"(?i:youtu)|[A-Za-z0-9_-]{11}")
"""Matches every line that holds a bare id or a YouTube host (all of which contain "youtu")."""
_ALNUM = re.compile(r"[^\W_]")
_URL_RUN = re.compile(r"[^)\s]*")
_SEPARATORS = re.compile(r"[\s,\u200b]+")
_LEADING_PUNCTUATION = "(<[{\"'"
_TRAILING_PUNCTUATION = ".,;:!?)]}>\"'"

_YOUTUBE_DOMAINS = ("youtube.com", "youtube-nocookie.com", "youtubekids.com")
_YOUTUBE_HOSTS = frozenset(_YOUTUBE_DOMAINS) | {"youtube.googleapis.com"}
_YOUTUBE_SUBDOMAIN_SUFFIXES = tuple("." + domain for domain in _YOUTUBE_DOMAINS)
_ID_IN_PATH = frozenset({"shorts", "embed", "e", "v", "live"})
_CHANNEL_PATHS = frozenset({"channel", "c", "user"})
_WRAPPER_PARAMETERS = {"attribution_link": "u", "oembed": "url"}
SIGN_IN_PLAYLISTS = frozenset({"LL", "WL", "LM"})
"""Liked videos, Watch later and Liked music: the signed-in viewer's own lists."""
_HANDLE = re.compile(r"@[\w.-]{3,30}")
"""yt-dlp's ``_YT_HANDLE_RE`` (YouTube Help, "Handle guidelines")."""
_CHANNEL_NAME = re.compile(r"[\w.-]{1,100}")
"""A ``/c/``, ``/user/`` or bare custom URL name, after percent-decoding."""
_RESERVED_NAMES = re.compile(
    r"(?:channel|c|user|playlist|watch|w|v|embed|e|live|watch_popup|clip|"
    r"shorts|movies|results|search|shared|hashtag|trending|explore|feed|feeds|"
    r"browse|oembed|get_video_info|iframe_api|s/player|source|"
    r"storefront|oops|index|account|t/terms|about|upload|signin|logout)\b",
    re.IGNORECASE,
)
"""yt-dlp's ``YoutubeBaseInfoExtractor._RESERVED_NAMES``: paths that are no custom channel URL."""
_CUSTOM_URL_DOMAINS = ("youtube.com", "youtubekids.com")
"""The hosts on which yt-dlp's ``YoutubeTabIE`` takes a bare ``/name`` (not youtube-nocookie.com)."""
_CUSTOM_URL_SUFFIXES = tuple("." + domain for domain in _CUSTOM_URL_DOMAINS)
_CHANNEL_TABS = {
    "": ChannelTab.VIDEOS,
    "featured": ChannelTab.VIDEOS,
    "videos": ChannelTab.VIDEOS,
    "shorts": ChannelTab.SHORTS,
    "streams": ChannelTab.STREAMS,
}


class LinkProblem(enum.StrEnum):
    """Why a pasted link or word yields no video, playlist or channel."""

    NOT_YOUTUBE = "not_youtube"
    NOT_VIDEO = "not_video"
    PLAYLIST = "playlist"
    """A playlist link whose ``list`` is no playlist id."""
    SIGN_IN_PLAYLIST = "sign_in_playlist"
    """Liked videos, Watch later or Liked music (:data:`SIGN_IN_PLAYLISTS`)."""
    CHANNEL = "channel"
    """A channel tab that lists no videos (about, community, playlists, search, live)."""
    MALFORMED_CHANNEL = "malformed_channel"
    MALFORMED_ID = "malformed_id"

    @property
    def reason(self) -> str:
        """The plain-words reason shown beside the rejected text."""
        return REASONS[self]


REASONS: dict[LinkProblem, str] = {
    LinkProblem.NOT_YOUTUBE: "not a YouTube link",
    LinkProblem.NOT_VIDEO: "a YouTube page that is not a video, playlist or channel (search, feed, home)",
    LinkProblem.PLAYLIST: "a playlist link without a valid playlist id",
    LinkProblem.SIGN_IN_PLAYLIST: "Liked videos and Watch later are private to their owner; paste their videos instead",
    LinkProblem.CHANNEL: "a channel page without videos; link the channel or its videos, shorts or live tab",
    LinkProblem.MALFORMED_CHANNEL: "a channel link with a malformed channel id, handle or name",
    LinkProblem.MALFORMED_ID: "a malformed video id",
}


@dataclass(frozen=True, slots=True)
class RejectedLine:
    """A pasted line that was not, or not wholly, imported.

    ``text`` is the whole line as pasted, without its line break and the
    whitespace around it. ``problem`` is that of the line's first link that
    yields no video, playlist or channel, or :attr:`LinkProblem.NOT_YOUTUBE` for a line that
    holds no link at all (prose, junk, markup).
    """

    text: str
    problem: LinkProblem

    @property
    def reason(self) -> str:
        """The plain-words reason, as :attr:`LinkProblem.reason`."""
        return self.problem.reason


@dataclass(frozen=True, slots=True)
class PasteResult:
    """What a pasted block holds.

    ``video_ids`` in first-seen order without repeats; ``rejected`` in paste
    order; ``repeated`` lists, once each and in first-seen order, the ids that
    appeared more than once. ``sources`` are the playlists and channels the
    paste links, first-seen order without repeats. ``playlist_offers`` are
    the playlists named by the ``list`` of video links (``watch?v=…&list=…``,
    ``youtu.be/…?list=…``), first-seen order without repeats, leaving out
    mixes, the sign-in playlists and any playlist already in ``sources``;
    those videos are in ``video_ids`` all the same.
    """

    video_ids: tuple[str, ...]
    rejected: tuple[RejectedLine, ...]
    repeated: tuple[str, ...]
    sources: tuple[SourceRef, ...] = ()
    playlist_offers: tuple[SourceRef, ...] = ()


@dataclass(frozen=True, slots=True)
class _VideoInPlaylist:
    """A video link whose ``list`` names a playlist that may be offered."""

    video_id: str
    playlist: SourceRef | None


_Found = str | _VideoInPlaylist | SourceRef | LinkProblem
"""What one token names: a video id, a video with its playlist, a source, or the problem
(a :class:`LinkProblem` is a ``str`` too: test for it first)."""


def parse_video_id(text: str) -> str | None:
    """The video id of one link or bare 11-character id, else None.

    Surrounding whitespace, ``<>``/``()`` and trailing sentence punctuation are
    ignored. A playlist or channel link gives None (see :func:`parse_source`).
    Prefer :func:`link_problem` when the caller needs to say why.
    """
    found = _inspect(_unwrap(text.strip()))
    if isinstance(found, _VideoInPlaylist):
        return found.video_id
    return None if isinstance(found, LinkProblem | SourceRef) else found


def parse_source(text: str) -> SourceRef | None:
    """The playlist or channel one link names, else None (a video link, junk, a refused tab).

    Surrounding whitespace and punctuation are ignored as in :func:`parse_video_id`.
    """
    found = _inspect(_unwrap(text.strip()))
    return found if isinstance(found, SourceRef) else None


def link_problem(text: str) -> LinkProblem | None:
    """Why ``text`` is neither a video nor a source, or None when it is one of them."""
    found = _inspect(_unwrap(text.strip()))
    return found if isinstance(found, LinkProblem) else None


def extract_video_ids(text: str) -> list[str]:
    """Every video id in a pasted block, first-seen order, no repeats (see :func:`parse_paste`)."""
    return list(parse_paste(text).video_ids)


def parse_paste(text: str) -> PasteResult:
    """Split a pasted block into video ids, sources, playlist offers, rejected lines and repeated ids.

    Each line is split on whitespace and commas; markdown links ``[t](url)``
    count as their url, ``<url>`` as url, a link glued to the next word by a
    closing parenthesis (``(youtu.be/ID)and``) ends at that ``)``, and list
    markers (``-``, ``*``, ``1.``) are dropped. A line of several tokens that contains a plain word
    is prose: only its link-shaped tokens count (so words, even 11-letter ones
    like "programming", are never taken for ids). Otherwise every token
    counts: a bare id is taken, a link is checked. A line is rejected, whole,
    when one of its links yields neither a video nor a source, or when it
    yields none at all and holds a letter or digit (a plain word, prose,
    markup); lines of only whitespace and punctuation (blank lines, ``---``)
    are ignored. What a rejected line's other links name is still taken.

    Time is linear in ``len(text)``: no regular expression here can
    backtrack over more than one token, and markdown links are found by a
    single scan (:func:`_markdown_links_as_urls`).
    """
    ids: list[str] = []
    sources: dict[SourceRef, None] = {}
    offers: dict[SourceRef, None] = {}
    rejected: list[RejectedLine] = []
    outcomes: dict[str, _LineOutcome] = {}
    for line in text.splitlines():
        outcome = outcomes.get(line)
        if outcome is None:
            outcome = outcomes[line] = _parse_line(line)
        line_ids, line_sources, line_offers, rejection = outcome
        ids += line_ids
        if line_sources:
            sources.update(dict.fromkeys(line_sources))
        if line_offers:
            offers.update(dict.fromkeys(line_offers))
        if rejection is not None:
            rejected.append(rejection)
    counts = Counter(ids)
    unique = tuple(dict.fromkeys(ids))
    return PasteResult(
        video_ids=unique,
        rejected=tuple(rejected),
        repeated=tuple(video_id for video_id in unique if counts[video_id] > 1),
        sources=tuple(sources),
        playlist_offers=tuple(offer for offer in offers if offer not in sources),
    )


_LineOutcome = tuple[tuple[str, ...], tuple[SourceRef, ...], tuple[SourceRef, ...], RejectedLine | None]
"""One pasted line's video ids, sources and playlist offers, and the line as rejected or None."""


_NOTHING: _LineOutcome = ((), (), (), None)


def _parse_line(line: str) -> _LineOutcome:
    """The videos, sources and offers of one pasted line (rules in :func:`parse_paste`)."""
    if not _MAY_NAME_A_VIDEO.search(line):
        # No bare id and no YouTube host can be in it: skip the token rules.
        if not _ALNUM.search(line):
            return _NOTHING
        return (), (), (), RejectedLine(line.strip(), LinkProblem.NOT_YOUTUBE)
    line_ids: list[str] = []
    sources: list[SourceRef] = []
    offers: list[SourceRef] = []
    problem: LinkProblem | None = None
    for token in _counted_tokens(line):
        found = _inspect(token)
        if isinstance(found, LinkProblem):  # a StrEnum: tested before str
            problem = problem or found
        elif isinstance(found, _VideoInPlaylist):
            line_ids.append(found.video_id)
            if found.playlist is not None:
                offers.append(found.playlist)
        elif isinstance(found, SourceRef):
            sources.append(found)
        else:
            line_ids.append(found)
    if problem is None and not line_ids and not sources and _ALNUM.search(line):
        problem = LinkProblem.NOT_YOUTUBE
    rejection = None if problem is None else RejectedLine(line.strip(), problem)
    return tuple(line_ids), tuple(sources), tuple(offers), rejection


def _counted_tokens(line: str) -> list[str]:
    """The tokens of one line that yield an id or a rejection (rules in :func:`parse_paste`)."""
    text = _markdown_links_as_urls(line)
    tokens = [token for raw in _SEPARATORS.split(text) if (token := _unwrap(raw)) and not _is_list_marker(token)]
    if ")" in text:
        tokens = _split_at_closing_parentheses(tokens)
    is_prose = len(tokens) > 1 and not all(_VIDEO_ID.fullmatch(token) or _looks_like_link(token) for token in tokens)
    return [token for token in tokens if not is_prose or _looks_like_link(token)]


def _split_at_closing_parentheses(tokens: list[str]) -> list[str]:
    """``tokens`` with each link that a ``)`` glues to the next word (``youtu.be/ID)and``) cut there.

    Prose and chat close a parenthesis right after a link and go on without a
    space. No YouTube link that names a video, playlist or channel holds a
    raw ``)``, so a link-shaped text before a token's first ``)`` is the link
    and the rest, unwrapped, a token of its own (``"youtu.be/ID"``, ``"and"``).
    Other tokens are kept as they are. Linear in the tokens' length.
    """
    split: list[str] = []
    for token in tokens:
        close = token.find(")")
        if close > 0 and _looks_like_link(token[:close]):
            split.append(token[:close])
            token = _unwrap(token[close + 1 :])
            if not token or _is_list_marker(token):
                continue
        split.append(token)
    return split


def _markdown_links_as_urls(line: str) -> str:
    r"""``line`` with each markdown link ``[text](url)`` replaced by `` url ``.

    The same result as ``re.sub(r"\[[^\]]*\]\(([^)\s]+)\)", r" \1 ", line)``
    (``text`` holds no ``]``; ``url`` is not empty and holds no ``)`` and no
    whitespace), found in one left-to-right scan: that regex backtracks, and
    took quadratic time on a line of repeated ``[x](``. Every ``[`` before
    a given ``](`` shares its outcome, and the end of a url run is looked up
    once and reused by every later ``](`` inside the same run, so each
    character is visited a bounded number of times.
    """
    if "](" not in line:
        return line
    pieces: list[str] = []
    copied = 0  # line[:copied] is in pieces
    run_start = run_end = 0  # line[run_start:run_end] holds no ")" and no whitespace
    close = line.find("](")
    while close != -1:
        opening = line.find("[", max(copied, line.rfind("]", copied, close) + 1), close)
        if opening == -1:  # no "[" before this "](": the next one must follow a "["
            opening = line.find("[", close)
            close = -1 if opening == -1 else line.find("](", opening)
            continue
        url_start = close + 2
        if not run_start <= url_start <= run_end:
            run_start = url_start
            run_end = _URL_RUN.match(line, url_start).end()
        if line.startswith(")", run_end):
            if run_end > url_start:
                pieces += (line[copied:opening], " ", line[url_start:run_end], " ")
                copied = run_end + 1
                close = line.find("](", copied)
            else:
                close = line.find("](", close + 1)
        else:  # every "](" whose url starts inside this run fails alike
            close = line.find("](", max(close + 1, run_end - 1))
    pieces.append(line[copied:])
    return "".join(pieces)


def _unwrap(token: str) -> str:
    """``token`` without the brackets, quotes and sentence punctuation around it."""
    return token.lstrip(_LEADING_PUNCTUATION).rstrip(_TRAILING_PUNCTUATION)


def _is_list_marker(token: str) -> bool:
    """True for bullets and numbering (``-``, ``•``, ``3``) that are not an id."""
    return not _VIDEO_ID.fullmatch(token) and (token.isdigit() or not _ALNUM.search(token))


def _looks_like_link(token: str) -> bool:
    """True when ``token`` has a scheme, starts ``www.``/``//``, or is ``host.tld/...``."""
    return ("." in token or "/" in token) and bool(
        token.lower().startswith(("www.", "//")) or _SCHEME.match(token) or _HOST_AND_PATH.match(token)
    )


def _inspect(token: str, *, follow: bool = True) -> _Found:
    """The video id or source ``token`` names, or the problem that stops it.

    Wrapper links are followed only when ``follow`` is true, so that a wrapper
    nested in a wrapper is refused rather than recursed into without bound.
    """
    if _VIDEO_ID.fullmatch(token):
        return token
    if "." not in token or "youtu" not in token.lower():  # as every YouTube host
        return LinkProblem.NOT_YOUTUBE
    if token.startswith("//"):
        token = "https:" + token
    elif not _SCHEME.match(token):
        token = "https://" + token
    try:
        url = urlsplit(token)
        host = url.hostname or ""
    except ValueError:  # e.g. an unclosed IPv6 bracket or a bad port
        return LinkProblem.NOT_YOUTUBE
    if url.scheme.lower() not in ("http", "https"):
        return LinkProblem.NOT_YOUTUBE
    if host == "youtu.be":
        return _video_and_playlist(url.path.lstrip("/").split("/")[0], _query(url))
    if host == "consent.youtube.com":
        return _follow(url, "continue") if follow else LinkProblem.NOT_VIDEO
    if host in _YOUTUBE_HOSTS or host.endswith(_YOUTUBE_SUBDOMAIN_SUFFIXES):
        return _inspect_youtube_path(url, host, follow=follow)
    return LinkProblem.NOT_YOUTUBE


def _inspect_youtube_path(url: SplitResult, host: str, *, follow: bool) -> _Found:
    """The video id or source that a YouTube URL's path and query name, or the problem."""
    segments = [segment for segment in url.path.split("/") if segment]
    head = segments[0].lower() if segments else ""
    rest = segments[1] if len(segments) > 1 else ""
    query = _query(url)
    if head in ("", "watch", "watch_popup"):
        if "v" in query:
            return _video_and_playlist(query["v"][0], query)
        if head == "watch" and rest:
            return _video_and_playlist(rest, query)
        if "list" in query:
            return _playlist(query["list"][0])
        return LinkProblem.MALFORMED_ID if head else LinkProblem.NOT_VIDEO
    if head == "embed" and rest == "videoseries":
        return _playlist(query.get("list", [""])[0])
    if head == "embed" and rest == "live_stream":
        return LinkProblem.CHANNEL
    if head in _ID_IN_PATH:
        # Old embed code wrote parameters into the path: /v/ID&hl=en_US&fs=1
        return _video_and_playlist(rest.split("&")[0], query)
    if head == "playlist":
        return _playlist(query.get("list", [""])[0])
    if head in _CHANNEL_PATHS or head.startswith("@"):
        return _channel(segments)
    if follow and head in _WRAPPER_PARAMETERS:
        return _follow(url, _WRAPPER_PARAMETERS[head])
    if (
        head not in _WRAPPER_PARAMETERS
        and (host in _CUSTOM_URL_DOMAINS or host.endswith(_CUSTOM_URL_SUFFIXES))
        and not _RESERVED_NAMES.match(url.path.lstrip("/"))
    ):
        return _channel(segments)
    return LinkProblem.NOT_VIDEO


def _playlist(playlist_id: str) -> SourceRef | LinkProblem:
    """The playlist a ``list`` parameter names, or why it is refused."""
    if not PLAYLIST_ID.fullmatch(playlist_id):
        return LinkProblem.PLAYLIST
    if playlist_id in SIGN_IN_PLAYLISTS:
        return LinkProblem.SIGN_IN_PLAYLIST
    return SourceRef(SourceKind.PLAYLIST, playlist_id)


def _channel(segments: list[str]) -> SourceRef | LinkProblem:
    """The channel tab that the path ``segments`` name (``@handle``, ``channel/UC…``,
    ``c/name``, ``user/name`` or ``name``, then an optional tab), or why it is refused."""
    head = segments[0].lower()
    if head in _CHANNEL_PATHS:
        if len(segments) < 2:
            return LinkProblem.MALFORMED_CHANNEL
        name, tab_at = unquote(segments[1]), 2
        valid = is_channel_id(name) if head == "channel" else _CHANNEL_NAME.fullmatch(name)
        key = name if head == "channel" else f"{head}/{name}"
    else:
        name, tab_at = unquote(segments[0]), 1
        valid = _HANDLE.fullmatch(name) if name.startswith("@") else _CHANNEL_NAME.fullmatch(name)
        key = name
    if not valid:
        return LinkProblem.MALFORMED_CHANNEL
    tab = _CHANNEL_TABS.get(segments[tab_at].lower() if len(segments) > tab_at else "")
    if tab is None:
        return LinkProblem.CHANNEL
    return SourceRef(SourceKind.CHANNEL, key, tab)


def _video_and_playlist(candidate: str, query: dict[str, list[str]]) -> str | _VideoInPlaylist | LinkProblem:
    """The video id ``candidate`` (see :func:`_video_id_or_malformed`) with the playlist the
    link's ``list`` parameter names, when that playlist may be offered (not a mix, not a sign-in list)."""
    video_id = _video_id_or_malformed(candidate)
    listed = query.get("list")
    if isinstance(video_id, LinkProblem) or not listed:
        return video_id
    playlist = _playlist(listed[0])
    offered = playlist if isinstance(playlist, SourceRef) and not playlist.is_mix else None
    return _VideoInPlaylist(video_id, offered)


def _query(url: SplitResult) -> dict[str, list[str]]:
    """Query parameters, tolerating HTML-escaped ``&amp;`` separators."""
    if not url.query:  # most links: skip the parse
        return {}
    return parse_qs(_ESCAPED_AMPERSANDS.sub("&", url.query))


def _follow(url: SplitResult, parameter: str) -> _Found:
    """Inspect the URL a wrapper link carries in ``parameter`` (relative to youtube.com)."""
    target = _query(url).get(parameter)
    if not target:
        return LinkProblem.NOT_VIDEO
    return _inspect(urljoin("https://www.youtube.com/", target[0]), follow=False)


def _video_id_or_malformed(candidate: str) -> str | LinkProblem:
    """``candidate`` when it is 11 characters of ``[A-Za-z0-9_-]``, else MALFORMED_ID."""
    return candidate if _VIDEO_ID.fullmatch(candidate) else LinkProblem.MALFORMED_ID
