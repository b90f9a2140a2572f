"""Video ids from pasted text: single links, bare ids, and whole pasted blocks.

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
parameters, the first wins (as yt-dlp's "Use the first video ID" test).
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, urljoin, urlsplit

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


class LinkProblem(enum.StrEnum):
    """Why a pasted link or word yields no video id."""

    NOT_YOUTUBE = "not_youtube"
    NOT_VIDEO = "not_video"
    PLAYLIST = "playlist"
    CHANNEL = "channel"
    MALFORMED_ID = "malformed_id"

    @property
    def reason(self) -> str:
        """The plain-words reason shown beside the rejected text."""
        return REASONS[self]


REASONS: dict[LinkProblem, str] = {
    LinkProblem.NOT_YOUTUBE: "not a YouTube link",
    LinkProblem.NOT_VIDEO: "a YouTube page that is not a video (search, feed, home)",
    LinkProblem.PLAYLIST: "a playlist link — playlist import comes later",
    LinkProblem.CHANNEL: "a channel link — channel import is not supported",
    LinkProblem.MALFORMED_ID: "a malformed video id",
}


@dataclass(frozen=True, slots=True)
class RejectedLine:
    """A pasted line that was not, or not wholly, imported.

    ``text`` is the whole line as pasted, without its line break and the
    whitespace around it. ``problem`` is that of the line's first link that
    yields no video id, or :attr:`LinkProblem.NOT_YOUTUBE` for a line that
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
    appeared more than once.
    """

    video_ids: tuple[str, ...]
    rejected: tuple[RejectedLine, ...]
    repeated: tuple[str, ...]


def parse_video_id(text: str) -> str | None:
    """The video id of one link or bare 11-character id, else None.

    Surrounding whitespace, ``<>``/``()`` and trailing sentence punctuation are
    ignored. Prefer :func:`link_problem` when the caller needs to say why.
    """
    found = _inspect(_unwrap(text.strip()))
    return None if isinstance(found, LinkProblem) else found


def link_problem(text: str) -> LinkProblem | None:
    """Why ``text`` yields no video id, or None when :func:`parse_video_id` accepts it."""
    found = _inspect(_unwrap(text.strip()))
    return found if isinstance(found, LinkProblem) else None


def extract_video_ids(text: str) -> list[str]:
    """Every video id in a pasted block, first-seen order, no repeats (see :func:`parse_paste`)."""
    return list(parse_paste(text).video_ids)


def parse_paste(text: str) -> PasteResult:
    """Split a pasted block into video ids, rejected lines and repeated ids.

    Each line is split on whitespace and commas; markdown links ``[t](url)``
    count as their url, ``<url>`` as url, and list markers (``-``, ``*``,
    ``1.``) are dropped. A line of several tokens that contains a plain word
    is prose: only its link-shaped tokens count (so words, even 11-letter ones
    like "programming", are never taken for ids). Otherwise every token
    counts: a bare id is taken, a link is checked. A line is rejected, whole,
    when one of its links yields no id, or when it yields no id at all and
    holds a letter or digit (a plain word, prose, markup); lines of only
    whitespace and punctuation (blank lines, ``---``) are ignored.

    Time is linear in ``len(text)``: no regular expression here can
    backtrack over more than one token, and markdown links are found by a
    single scan (:func:`_markdown_links_as_urls`).
    """
    ids: list[str] = []
    rejected: list[RejectedLine] = []
    outcomes: dict[str, tuple[tuple[str, ...], RejectedLine | None]] = {}
    for line in text.splitlines():
        outcome = outcomes.get(line)
        if outcome is None:
            outcome = outcomes[line] = _parse_line(line)
        line_ids, rejection = outcome
        ids += line_ids
        if rejection is not None:
            rejected.append(rejection)
    counts = Counter(ids)
    unique = tuple(dict.fromkeys(ids))
    return PasteResult(
        video_ids=unique,
        rejected=tuple(rejected),
        repeated=tuple(video_id for video_id in unique if counts[video_id] > 1),
    )


def _parse_line(line: str) -> tuple[tuple[str, ...], RejectedLine | None]:
    """The video ids of one pasted line, and the line as rejected or None (rules in :func:`parse_paste`)."""
    if not _MAY_NAME_A_VIDEO.search(line):
        # No bare id and no YouTube host can be in it: skip the token rules.
        return (), RejectedLine(line.strip(), LinkProblem.NOT_YOUTUBE) if _ALNUM.search(line) else None
    line_ids: list[str] = []
    problem: LinkProblem | None = None
    for token in _counted_tokens(line):
        found = _inspect(token)
        if not isinstance(found, LinkProblem):
            line_ids.append(found)
        elif problem is None:
            problem = found
    if problem is None and not line_ids and _ALNUM.search(line):
        problem = LinkProblem.NOT_YOUTUBE
    return tuple(line_ids), None if problem is None else RejectedLine(line.strip(), problem)


def _counted_tokens(line: str) -> list[str]:
    """The tokens of one line that yield an id or a rejection (rules in :func:`parse_paste`)."""
    tokens = [
        token
        for raw in _SEPARATORS.split(_markdown_links_as_urls(line))
        if (token := _unwrap(raw)) and not _is_list_marker(token)
    ]
    is_prose = len(tokens) > 1 and not all(
        _VIDEO_ID.fullmatch(token) or _looks_like_link(token) for token in tokens
    )
    return [token for token in tokens if not is_prose or _looks_like_link(token)]


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
    return not _VIDEO_ID.fullmatch(token) and (
        token.isdigit() or not any(char.isalnum() for char in token)
    )


def _looks_like_link(token: str) -> bool:
    """True when ``token`` has a scheme, starts ``www.``/``//``, or is ``host.tld/...``."""
    return ("." in token or "/" in token) and bool(
        token.lower().startswith(("www.", "//"))
        or _SCHEME.match(token)
        or _HOST_AND_PATH.match(token)
    )


def _inspect(token: str, *, follow: bool = True) -> str | LinkProblem:
    """The video id ``token`` names, or the problem that stops it.

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
        return _video_id_or_malformed(url.path.lstrip("/").split("/")[0])
    if host == "consent.youtube.com":
        return _follow(url, "continue") if follow else LinkProblem.NOT_VIDEO
    if host in _YOUTUBE_HOSTS or host.endswith(_YOUTUBE_SUBDOMAIN_SUFFIXES):
        return _inspect_youtube_path(url, follow=follow)
    return LinkProblem.NOT_YOUTUBE


def _inspect_youtube_path(url: SplitResult, *, follow: bool) -> str | LinkProblem:
    """The video id that a YouTube URL's path and query name, or the problem."""
    segments = [segment for segment in url.path.split("/") if segment]
    head = segments[0].lower() if segments else ""
    rest = segments[1] if len(segments) > 1 else ""
    query = _query(url)
    if head in ("", "watch", "watch_popup"):
        if "v" in query:
            return _video_id_or_malformed(query["v"][0])
        if head == "watch" and rest:
            return _video_id_or_malformed(rest)
        if "list" in query:
            return LinkProblem.PLAYLIST
        return LinkProblem.MALFORMED_ID if head else LinkProblem.NOT_VIDEO
    if head == "embed" and rest == "videoseries":
        return LinkProblem.PLAYLIST
    if head == "embed" and rest == "live_stream":
        return LinkProblem.CHANNEL
    if head in _ID_IN_PATH:
        # Old embed code wrote parameters into the path: /v/ID&hl=en_US&fs=1
        return _video_id_or_malformed(rest.split("&")[0])
    if head == "playlist":
        return LinkProblem.PLAYLIST
    if head in _CHANNEL_PATHS or head.startswith("@"):
        return LinkProblem.CHANNEL
    if follow and head in _WRAPPER_PARAMETERS:
        return _follow(url, _WRAPPER_PARAMETERS[head])
    return LinkProblem.NOT_VIDEO


def _query(url: SplitResult) -> dict[str, list[str]]:
    """Query parameters, tolerating HTML-escaped ``&amp;`` separators."""
    return parse_qs(_ESCAPED_AMPERSANDS.sub("&", url.query))


def _follow(url: SplitResult, parameter: str) -> str | LinkProblem:
    """Inspect the URL a wrapper link carries in ``parameter`` (relative to youtube.com)."""
    target = _query(url).get(parameter)
    if not target:
        return LinkProblem.NOT_VIDEO
    return _inspect(urljoin("https://www.youtube.com/", target[0]), follow=False)


def _video_id_or_malformed(candidate: str) -> str | LinkProblem:
    """``candidate`` when it is 11 characters of ``[A-Za-z0-9_-]``, else MALFORMED_ID."""
    return candidate if _VIDEO_ID.fullmatch(candidate) else LinkProblem.MALFORMED_ID
