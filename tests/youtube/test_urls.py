"""Video ids, playlists and channels from links, bare ids and pasted blocks; why the rest is rejected.

URLs marked "yt-dlp" are copied from the ``_TESTS`` of yt-dlp's YouTube
extractors (``yt_dlp/extractor/youtube/_video.py``, ``_tab.py``,
``_redirect.py``, ``_mistakes.py``).
"""

from __future__ import annotations

import pytest
from yt_dlp.extractor.youtube import YoutubePlaylistIE, YoutubeTabIE

from robust_import_app.domain.sources import ChannelTab, SourceKind
from robust_import_app.youtube.sources import SourceRef
from robust_import_app.youtube.urls import (
    LinkProblem,
    PasteResult,
    RejectedLine,
    extract_video_ids,
    link_problem,
    parse_paste,
    parse_source,
    parse_video_id,
)

RICK = "dQw4w9WgXcQ"
ZOO = "jNQXAC9IVRw"
GANGNAM = "9bZkp7q19f0"

VIDEO_LINKS = [
    # yt-dlp
    ("https://www.youtube.com/watch?v=YE7VzlLtp-4&t=1s&end=9", "YE7VzlLtp-4"),
    ("//www.YouTube.com/watch?v=yZIXLfi8CZQ", "yZIXLfi8CZQ"),
    ("https://www.youtube.com/watch?v=YE7VzlLtp-4&v=BaW_jenozKc", "YE7VzlLtp-4"),
    ("https://youtube.com/watch?v=HtVdAasjOgU", "HtVdAasjOgU"),
    ("__2ABJjxzNo", "__2ABJjxzNo"),
    ("lqQg6PlCWgI", "lqQg6PlCWgI"),
    ("https://www.youtube.com/embed/CsmdDsKjzN8", "CsmdDsKjzN8"),
    ("https://www.youtube.com/watch?feature=player_embedded&amp;amp;v=V36LpHqtcDY", "V36LpHqtcDY"),
    ("https://music.youtube.com/watch?v=MgNrAu2pzNs", "MgNrAu2pzNs"),
    ("https://www.youtubekids.com/watch?v=3b8nCWDgZ6Q", "3b8nCWDgZ6Q"),
    ("https://www.youtube.com/watch_popup?v=63RmMXCd_bQ", "63RmMXCd_bQ"),
    ("https://www.youtube.com/shorts/BGQWPY4IigY", "BGQWPY4IigY"),
    ("https://www.youtube.com/live/qVv6vCqciTM", "qVv6vCqciTM"),
    (
        "https://consent.youtube.com/m?continue=https%3A%2F%2Fwww.youtube.com%2Flive"
        "%2FqVv6vCqciTM%3Fcbrd%3D1&gl=NL&m=0&pc=yt&hl=en&src=1",
        "qVv6vCqciTM",
    ),
    ("https://youtu.be/yeWKywCrFtk?list=PL2qgrgXsNUG5ig9cat4ohreBjYLAPC0J5", "yeWKywCrFtk"),
    ("https://youtu.be/uWyaPkt-VOI?list=PL9D9FC436B881BA21", "uWyaPkt-VOI"),
    (
        "http://www.youtube.com/embed/_xDOZElKyNU?list=PLsyOSbh5bs16vubvKePAQ1x3PhKavfBIl",
        "_xDOZElKyNU",
    ),
    (
        "https://www.youtube.com/watch?v=FqZTN594JQw&list=PLMYEtVRpaqY00V9W81Cwmzp6N6vZqfUKD4",
        "FqZTN594JQw",
    ),
    (
        "https://www.youtubekids.com/watch?v=Agk7R8I8o5U&list=PUZ6jURNr1WQZCNHF0ao-c0g",
        "Agk7R8I8o5U",
    ),
    ("https://www.youtube.com/watch?v=MuAGGZNfUkU&list=RDMM", "MuAGGZNfUkU"),
    (
        "https://www.youtube.com/watch?list=PLW4dVinRY435CBE_JD3t-0SRXKfnZHS1P&feature=youtu.be&v=M9cJMXmQ_ZU",
        "M9cJMXmQ_ZU",
    ),
    ("https://www.youtube.com/watch?v=UC6u0Tct-Fo&list=PL36D642111D65BE7C", "UC6u0Tct-Fo"),
    # youtu.be, schemes, hosts
    (f"https://youtu.be/{RICK}", RICK),
    (f"youtu.be/{RICK}", RICK),
    (f"http://youtu.be/{RICK}?t=42", RICK),
    (f"https://youtu.be/{RICK}?si=AbCdEfGhIjKlMnOp", RICK),
    (f"https://m.youtube.com/watch?v={RICK}", RICK),
    (f"youtube.com/watch?v={RICK}", RICK),
    (f"www.youtube.com/watch?v={RICK}", RICK),
    (f"HTTPS://WWW.YOUTUBE.COM/watch?v={RICK}", RICK),
    (f"https://www.youtube.com:443/watch?v={RICK}", RICK),
    (f"https://gaming.youtube.com/watch?v={RICK}", RICK),
    (f"https://music.youtube.com/watch?v={RICK}&si=Xy12", RICK),
    (f"https://www.youtube-nocookie.com/embed/{RICK}?rel=0", RICK),
    (f"https://youtube-nocookie.com/embed/{RICK}", RICK),
    ("https://youtube.googleapis.com/v/BaW_jenozKc", "BaW_jenozKc"),
    # parameters in any order, fragments
    (f"https://www.youtube.com/watch?v={RICK}#t=1m30s", RICK),
    (f"https://www.youtube.com/watch?feature=share&v={RICK}", RICK),
    (f"https://www.youtube.com/watch?t=30&list=PLx&index=2&v={RICK}&pp=ygUEcmljaw%3D%3D", RICK),
    (f"https://www.youtube.com/watch?v={RICK}&si=xyz&feature=youtu.be", RICK),
    (f"https://www.youtube.com/?v={RICK}", RICK),
    # path forms
    (f"https://www.youtube.com/shorts/{RICK}?feature=share", RICK),
    (f"https://youtube.com/shorts/{RICK}?si=abc", RICK),
    (f"https://www.youtube.com/v/{RICK}?version=3&autohide=1", RICK),
    (f"http://www.youtube.com/v/{RICK}&hl=en_US&fs=1", RICK),
    (f"https://www.youtube.com/e/{RICK}", RICK),
    (f"https://www.youtube.com/live/{RICK}?si=abc", RICK),
    (f"https://www.youtube.com/watch/{RICK}", RICK),
    # wrappers: attribution_link (youtube-dl's old test), oembed
    (
        "https://www.youtube.com/attribution_link?a=JdfC0C9V6ZI&u=%2Fwatch%3Fv%3DEhxJLojIE_o%26feature%3Dshare",
        "EhxJLojIE_o",
    ),
    (
        f"https://www.youtube.com/oembed?url=https%3A//www.youtube.com/watch%3Fv%3D{RICK}&format=json",
        RICK,
    ),
    # pasted with wrapping or punctuation
    (f"<https://youtu.be/{RICK}>", RICK),
    (f"https://youtu.be/{RICK}.", RICK),
    (f"(https://www.youtube.com/watch?v={RICK}),", RICK),
    (f"  {RICK}\n", RICK),
]

REJECTED_LINKS = [
    # lookalike and foreign hosts
    (f"https://www.youtube.com.evil.com/watch?v={RICK}", LinkProblem.NOT_YOUTUBE),
    (f"https://notyoutube.com/watch?v={RICK}", LinkProblem.NOT_YOUTUBE),
    (f"https://youtube.co/watch?v={RICK}", LinkProblem.NOT_YOUTUBE),
    (f"https://youtu.be.example.org/{RICK}", LinkProblem.NOT_YOUTUBE),
    (f"https://www.youtube.com@evil.com/watch?v={RICK}", LinkProblem.NOT_YOUTUBE),
    (f"https://evil.com/?u=https://youtu.be/{RICK}", LinkProblem.NOT_YOUTUBE),
    ("https://invidio.us/watch?v=YE7VzlLtp-4", LinkProblem.NOT_YOUTUBE),  # yt-dlp
    ("https://vimeo.com/123456", LinkProblem.NOT_YOUTUBE),
    (f"ftp://youtube.com/watch?v={RICK}", LinkProblem.NOT_YOUTUBE),
    ("http://[::1", LinkProblem.NOT_YOUTUBE),
    ("hello", LinkProblem.NOT_YOUTUBE),
    ("", LinkProblem.NOT_YOUTUBE),
    # playlists and channels that cannot be imported
    ("https://www.youtube.com/playlist?list=WL", LinkProblem.SIGN_IN_PLAYLIST),
    ("https://www.youtube.com/playlist?list=LL", LinkProblem.SIGN_IN_PLAYLIST),
    ("https://music.youtube.com/playlist?list=LM", LinkProblem.SIGN_IN_PLAYLIST),
    ("https://www.youtube.com/watch?list=WL", LinkProblem.SIGN_IN_PLAYLIST),
    ("https://www.youtube.com/playlist?list=PLshort", LinkProblem.PLAYLIST),
    ("https://www.youtube.com/playlist?list=XX0123456789abcdef", LinkProblem.PLAYLIST),
    ("https://www.youtube.com/playlist", LinkProblem.PLAYLIST),
    ("https://www.youtube.com/embed/videoseries", LinkProblem.PLAYLIST),
    (
        "https://www.youtube.com/c/3blue1brown/playlists?view=50&sort=dd&shelf_id=3",  # yt-dlp
        LinkProblem.CHANNEL,
    ),
    ("https://www.youtube.com/channel/UCTwECeGqMZee77BjdoYtI2Q/playlists", LinkProblem.CHANNEL),  # yt-dlp
    ("https://www.youtube.com/channel/UCtS3BcCw-tITPFYSvkbP0Bg/posts", LinkProblem.CHANNEL),  # yt-dlp
    ("https://www.youtube.com/c/3blue1brown/search?query=linear%20algebra", LinkProblem.CHANNEL),  # yt-dlp
    ("https://www.youtube.com/@3blue1brown/about", LinkProblem.CHANNEL),  # yt-dlp
    ("https://www.youtube.com/@3blue1brown/community", LinkProblem.CHANNEL),
    ("https://www.youtube.com/user/TheYoungTurks/live", LinkProblem.CHANNEL),  # yt-dlp
    ("https://www.youtube.com/TheYoungTurks/live", LinkProblem.CHANNEL),  # yt-dlp
    (
        "https://www.youtube.com/embed/live_stream?channel=UC2_KI6RB__jGdlnK6dvFEZA",
        LinkProblem.CHANNEL,
    ),
    ("https://www.youtube.com/channel/UCshort", LinkProblem.MALFORMED_CHANNEL),
    ("https://www.youtube.com/channel/", LinkProblem.MALFORMED_CHANNEL),
    ("https://www.youtube.com/@ab", LinkProblem.MALFORMED_CHANNEL),
    ("https://www.youtube.com/c/name%2Fvideos", LinkProblem.MALFORMED_CHANNEL),
    # YouTube pages that are not one video
    ("https://www.youtube.com/results?search_query=lofi+hip+hop", LinkProblem.NOT_VIDEO),
    ("https://www.youtube.com/", LinkProblem.NOT_VIDEO),
    ("https://www.youtube.com/feed/trending", LinkProblem.NOT_VIDEO),  # yt-dlp
    ("https://www.youtube.com/hashtag/cctv9", LinkProblem.NOT_VIDEO),  # yt-dlp
    ("https://www.youtube.com/feed/watch_later", LinkProblem.NOT_VIDEO),  # yt-dlp
    ("https://www.youtube.com/Results?search_query=cats", LinkProblem.NOT_VIDEO),
    ("https://www.youtube.com/s/player/abc/base.js", LinkProblem.NOT_VIDEO),
    ("https://www.youtube-nocookie.com/zsecurity", LinkProblem.NOT_VIDEO),
    ("https://www.youtube.com/attribution_link?a=JdfC0C9V6ZI", LinkProblem.NOT_VIDEO),
    (  # a wrapper inside a wrapper is not followed
        f"https://www.youtube.com/attribution_link?u=/attribution_link%3Fu%3D/watch%253Fv%253D{RICK}",
        LinkProblem.NOT_VIDEO,
    ),
    # malformed ids
    ("https://www.youtube.com/watch?v=N_708QY7Ob", LinkProblem.MALFORMED_ID),  # yt-dlp truncated id
    ("https://www.youtube.com/watch?feature=foo", LinkProblem.MALFORMED_ID),  # yt-dlp truncated URL
    ("https://youtu.be/short", LinkProblem.MALFORMED_ID),
    ("https://youtu.be/", LinkProblem.MALFORMED_ID),
    (f"https://www.youtube.com/watch?v={RICK}Q", LinkProblem.MALFORMED_ID),
    ("https://www.youtube.com/watch?v=dQw4w9WgX!Q", LinkProblem.MALFORMED_ID),
    ("https://www.youtube.com/shorts/", LinkProblem.MALFORMED_ID),
    ("https://www.youtube.com/embed/abc", LinkProblem.MALFORMED_ID),
]


PLAYLIST = SourceKind.PLAYLIST
CHANNEL = SourceKind.CHANNEL
SOURCE_LINKS = [
    # playlists (yt-dlp)
    ("https://www.youtube.com/playlist?list=PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU", SourceRef(PLAYLIST, "PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU")),
    ("https://music.youtube.com/playlist?list=PLRBp0Fe2GpgmgoscNFLxNyBVSFVdYmFkq", SourceRef(PLAYLIST, "PLRBp0Fe2GpgmgoscNFLxNyBVSFVdYmFkq")),
    ("https://www.youtube.com/embed/videoseries?list=PL6IaIsEjSbf96XFRuNccS_RuEXwNdsoEu", SourceRef(PLAYLIST, "PL6IaIsEjSbf96XFRuNccS_RuEXwNdsoEu")),
    ("https://www.youtube.com/watch?list=PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU", SourceRef(PLAYLIST, "PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU")),
    ("https://www.youtube.com/playlist?list=UUBABnxM4Ar9ten8Mdjj1j0Q", SourceRef(PLAYLIST, "UUBABnxM4Ar9ten8Mdjj1j0Q")),
    ("https://www.youtube.com/playlist?list=UUMOXuqSBlHAE6Xw-yeJA0Tunw", SourceRef(PLAYLIST, "UUMOXuqSBlHAE6Xw-yeJA0Tunw")),
    ("https://music.youtube.com/playlist?list=OLAK5uy_lLeonUugocG5J0EUAEDmbskX4emejKwcM", SourceRef(PLAYLIST, "OLAK5uy_lLeonUugocG5J0EUAEDmbskX4emejKwcM")),
    ("https://www.youtube.com/playlist?list=RDCLAK5uy_kmPRjHDECIcuVwnKsx2Ng7fyNgFKWNJFs", SourceRef(PLAYLIST, "RDCLAK5uy_kmPRjHDECIcuVwnKsx2Ng7fyNgFKWNJFs")),
    ("https://www.youtube.com/watch?list=RDMM", SourceRef(PLAYLIST, "RDMM")),
    ("https://www.youtube.com/playlist?list=FLBABnxM4Ar9ten8Mdjj1j0Q", SourceRef(PLAYLIST, "FLBABnxM4Ar9ten8Mdjj1j0Q")),
    ("https://www.youtube.com/?list=PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU&index=3", SourceRef(PLAYLIST, "PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU")),
    ("youtube.com/playlist?list=PLoopXDarluPBnuxs4PTC55Sc_2ShAXC0i&si=abc", SourceRef(PLAYLIST, "PLoopXDarluPBnuxs4PTC55Sc_2ShAXC0i")),
    # channels (yt-dlp), every tab that lists videos
    ("https://www.youtube.com/channel/UCTwECeGqMZee77BjdoYtI2Q/videos", SourceRef(CHANNEL, "UCTwECeGqMZee77BjdoYtI2Q", ChannelTab.VIDEOS)),
    ("https://www.youtube.com/channel/UCTwECeGqMZee77BjdoYtI2Q/featured", SourceRef(CHANNEL, "UCTwECeGqMZee77BjdoYtI2Q", ChannelTab.VIDEOS)),
    ("https://www.youtube.com/channel/UCTwECeGqMZee77BjdoYtI2Q/videos?view=0&sort=p&flow=grid", SourceRef(CHANNEL, "UCTwECeGqMZee77BjdoYtI2Q", ChannelTab.VIDEOS)),
    ("https://www.youtubekids.com/channel/UCmlqkdCBesrv2Lak1mF_MxA", SourceRef(CHANNEL, "UCmlqkdCBesrv2Lak1mF_MxA", ChannelTab.VIDEOS)),
    ("https://www.youtube.com/channel/UC3eYAvjCVwNHgkaGbXX3sig/streams", SourceRef(CHANNEL, "UC3eYAvjCVwNHgkaGbXX3sig", ChannelTab.STREAMS)),
    ("https://www.youtube.com/channel/UCiu-3thuViMebBjw_5nWYrA/shorts", SourceRef(CHANNEL, "UCiu-3thuViMebBjw_5nWYrA", ChannelTab.SHORTS)),
    ("http://www.youtube.com/user/NASAgovVideo/videos", SourceRef(CHANNEL, "user/NASAgovVideo", ChannelTab.VIDEOS)),
    ("https://www.youtube.com/@NotJustBikes/shorts", SourceRef(CHANNEL, "@NotJustBikes", ChannelTab.SHORTS)),
    ("https://www.youtube.com/@sbcitygov/streams", SourceRef(CHANNEL, "@sbcitygov", ChannelTab.STREAMS)),
    ("youtube.com/@3blue1brown", SourceRef(CHANNEL, "@3blue1brown", ChannelTab.VIDEOS)),
    ("https://m.youtube.com/@3blue1brown/videos/", SourceRef(CHANNEL, "@3blue1brown", ChannelTab.VIDEOS)),
    ("https://www.youtube.com/c/TKFShorts", SourceRef(CHANNEL, "c/TKFShorts", ChannelTab.VIDEOS)),
    ("https://www.youtube.com/c/%D0%98%D0%B3%D0%BE%D1%80%D1%8C%D0%9A%D0%BB%D0%B5%D0%B9%D0%BD%D0%B5%D1%80/videos", SourceRef(CHANNEL, "c/ИгорьКлейнер", ChannelTab.VIDEOS)),
    ("https://www.youtube.com/zsecurity", SourceRef(CHANNEL, "zsecurity", ChannelTab.VIDEOS)),
    ("http://www.youtube.com/NASAgovVideo/videos", SourceRef(CHANNEL, "NASAgovVideo", ChannelTab.VIDEOS)),
    ("https://www.youtube.com/UCLA", SourceRef(CHANNEL, "UCLA", ChannelTab.VIDEOS)),
]  # fmt: skip


@pytest.mark.parametrize(("text", "source"), SOURCE_LINKS)
def test_source_link_gives_its_playlist_or_channel(text: str, source: SourceRef) -> None:
    assert parse_source(text) == source
    assert parse_video_id(text) is None
    assert link_problem(text) is None


@pytest.mark.parametrize(("text", "source"), SOURCE_LINKS)
def test_every_source_link_is_one_yt_dlp_takes_and_its_canonical_url_too(text: str, source: SourceRef) -> None:
    url = text if "://" in text else "https://" + text
    assert YoutubeTabIE.suitable(url) or YoutubePlaylistIE.suitable(url)
    assert YoutubeTabIE.suitable(source.url) and parse_source(source.url) == source


def test_a_channel_url_is_rebuilt_from_its_key_and_tab() -> None:
    assert parse_source("https://www.youtube.com/UCLA").url == "https://www.youtube.com/UCLA/videos"
    assert parse_source("youtube.com/channel/UCTwECeGqMZee77BjdoYtI2Q").url == (
        "https://www.youtube.com/channel/UCTwECeGqMZee77BjdoYtI2Q/videos"
    )
    assert parse_source("youtube.com/@x_y.z/streams").url == "https://www.youtube.com/@x_y.z/streams"


@pytest.mark.parametrize(("text", "video_id"), VIDEO_LINKS)
def test_video_link_gives_its_id(text: str, video_id: str) -> None:
    assert parse_video_id(text) == video_id
    assert link_problem(text) is None


@pytest.mark.parametrize(("text", "problem"), REJECTED_LINKS)
def test_rejected_link_gives_its_problem(text: str, problem: LinkProblem) -> None:
    assert parse_video_id(text) is None
    assert link_problem(text) is problem


def test_deeply_nested_wrappers_end_without_recursion_error() -> None:
    text = "https://www.youtube.com" + "/attribution_link?u=" * 5000 + f"/watch?v={RICK}"
    assert link_problem(text) is LinkProblem.NOT_VIDEO


@pytest.mark.parametrize(
    ("problem", "reason"),
    [
        (LinkProblem.NOT_YOUTUBE, "not a YouTube link"),
        (LinkProblem.NOT_VIDEO, "a YouTube page that is not a video, playlist or channel (search, feed, home)"),
        (LinkProblem.PLAYLIST, "a playlist link without a valid playlist id"),
        (
            LinkProblem.SIGN_IN_PLAYLIST,
            "Liked videos and Watch later are private to their owner; paste their videos instead",
        ),
        (LinkProblem.CHANNEL, "a channel page without videos; link the channel or its videos, shorts or live tab"),
        (LinkProblem.MALFORMED_CHANNEL, "a channel link with a malformed channel id, handle or name"),
        (LinkProblem.MALFORMED_ID, "a malformed video id"),
    ],
)
def test_problem_reason_in_plain_words(problem: LinkProblem, reason: str) -> None:
    assert problem.reason == reason
    assert RejectedLine("x", problem).reason == reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            f"Hey! Watch https://youtu.be/{RICK}, then (https://www.youtube.com/watch?v={ZOO}).\n"
            "Also the programming talk, on www.youtube.com/shorts/" + GANGNAM + ".",
            [RICK, ZOO, GANGNAM],
            id="prose",
        ),
        pytest.param(
            f"- [Never Gonna Give You Up](https://youtu.be/{RICK})\n"
            f"- [Me at the zoo](https://www.youtube.com/watch?v={ZOO}&t=5)",
            [RICK, ZOO],
            id="markdown",
        ),
        pytest.param(
            f"<https://youtu.be/{RICK}> <https://www.youtube.com/watch?v={ZOO}>",
            [RICK, ZOO],
            id="angle-brackets",
        ),
        pytest.param(f"{RICK},{ZOO}, {GANGNAM}", [RICK, ZOO, GANGNAM], id="commas"),
        pytest.param(f"{RICK} {ZOO}\t{GANGNAM}", [RICK, ZOO, GANGNAM], id="spaces"),
        pytest.param(f"1. {RICK}\n2) {ZOO}\n• {GANGNAM}", [RICK, ZOO, GANGNAM], id="numbered"),
        pytest.param(
            f"{GANGNAM}\r\nhttps://youtu.be/{RICK}\r\n{GANGNAM}\r\n\r\nyoutube.com/watch?v={RICK}&t=9",
            [GANGNAM, RICK],
            id="order-and-dedupe",
        ),
        pytest.param("I love programming and JavaScripts", [], id="eleven-letter-words-in-prose"),
        pytest.param("", [], id="empty"),
    ],
)
def test_extract_video_ids(text: str, expected: list[str]) -> None:
    assert extract_video_ids(text) == expected


def test_paste_rejects_whole_lines_with_the_first_problem_on_each() -> None:
    prose = "Also see https://www.youtube.com/@3blue1brown/about and https://example.org/slides too."
    paste = "\n".join(
        [
            f"https://youtu.be/{RICK}",
            "https://vimeo.com/123",
            "   ",
            "https://www.youtube.com/playlist?list=WL",
            f"  {prose}  ",
            "https://youtu.be/short",
            "hello",
            f"{ZOO} https://www.youtube.com/results?search_query=cats",
            "<script>alert(1)</script>",
            "just some notes, no links",
            "---",
            "2.",
        ]
    )
    assert parse_paste(paste) == PasteResult(
        video_ids=(RICK, ZOO),
        rejected=(
            RejectedLine("https://vimeo.com/123", LinkProblem.NOT_YOUTUBE),
            RejectedLine("https://www.youtube.com/playlist?list=WL", LinkProblem.SIGN_IN_PLAYLIST),
            RejectedLine(prose, LinkProblem.CHANNEL),
            RejectedLine("https://youtu.be/short", LinkProblem.MALFORMED_ID),
            RejectedLine("hello", LinkProblem.NOT_YOUTUBE),
            RejectedLine(f"{ZOO} https://www.youtube.com/results?search_query=cats", LinkProblem.NOT_VIDEO),
            RejectedLine("<script>alert(1)</script>", LinkProblem.NOT_YOUTUBE),
            RejectedLine("just some notes, no links", LinkProblem.NOT_YOUTUBE),
            RejectedLine("2.", LinkProblem.NOT_YOUTUBE),
        ),
        repeated=(),
    )


def test_paste_lists_each_repeated_id_once_in_first_seen_order() -> None:
    paste = f"{ZOO}\nhttps://youtu.be/{RICK}\n{GANGNAM}\n{RICK}\n{ZOO}\nyoutu.be/{RICK}"
    result = parse_paste(paste)
    assert result.video_ids == (ZOO, RICK, GANGNAM)
    assert result.repeated == (ZOO, RICK)
    assert result.rejected == ()


PL_A = "PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU"
PL_B = "PL36D642111D65BE7C"


def test_paste_collects_sources_in_first_seen_order_without_rejecting_their_lines() -> None:
    paste = "\n".join(
        [
            f"https://www.youtube.com/playlist?list={PL_A}",
            "Channel: https://www.youtube.com/@NotJustBikes/shorts, and its videos youtube.com/@NotJustBikes",
            f"youtube.com/watch?list={PL_A}",
            f"- [zoo](https://youtu.be/{ZOO}) and [a playlist](https://www.youtube.com/embed/videoseries?list={PL_B})",
        ]
    )
    result = parse_paste(paste)
    assert result.sources == (
        SourceRef(PLAYLIST, PL_A),
        SourceRef(CHANNEL, "@NotJustBikes", ChannelTab.SHORTS),
        SourceRef(CHANNEL, "@NotJustBikes", ChannelTab.VIDEOS),
        SourceRef(PLAYLIST, PL_B),
    )
    assert result.video_ids == (ZOO,)
    assert result.rejected == ()
    assert result.playlist_offers == ()


def test_a_line_with_a_source_and_a_bad_link_is_rejected_but_keeps_the_source() -> None:
    line = f"youtube.com/playlist?list={PL_A} https://vimeo.com/1"
    result = parse_paste(line)
    assert result.sources == (SourceRef(PLAYLIST, PL_A),)
    assert result.rejected == (RejectedLine(line, LinkProblem.NOT_YOUTUBE),)


def test_watch_links_with_a_list_import_the_video_and_offer_the_playlist_once() -> None:
    paste = "\n".join(
        [
            f"https://www.youtube.com/watch?v={RICK}&list={PL_B}&index=2",
            f"https://youtu.be/{ZOO}?list={PL_B}",
            f"https://www.youtube.com/watch?v={GANGNAM}&list=RD{GANGNAM}&start_radio=1",  # a mix: no offer
            f"https://www.youtube.com/watch?v={GANGNAM}&list=WL",  # Watch later: no offer, no rejection
            f"https://www.youtube.com/watch?v={GANGNAM}&list=PLx",  # not a playlist id: no offer
            f"https://www.youtube.com/embed/{ZOO}?list={PL_A}",
        ]
    )
    result = parse_paste(paste)
    assert result.video_ids == (RICK, ZOO, GANGNAM)
    assert result.playlist_offers == (SourceRef(PLAYLIST, PL_B), SourceRef(PLAYLIST, PL_A))
    assert result.sources == ()
    assert result.rejected == ()


def test_no_offer_for_a_playlist_the_paste_imports_whole() -> None:
    paste = f"https://www.youtube.com/watch?v={RICK}&list={PL_B}\nhttps://www.youtube.com/playlist?list={PL_B}"
    result = parse_paste(paste)
    assert result.sources == (SourceRef(PLAYLIST, PL_B),)
    assert result.playlist_offers == ()
    assert result.video_ids == (RICK,)


DASHED = "a-B_c-D_e-F"
"""An 11-character id with ``-`` and ``_`` in it, which no cut at a ``)`` may shorten."""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(f"saw it (youtu.be/{RICK})yesterday", [RICK], id="short-link-glued-to-a-word"),
        pytest.param(f"first youtu.be/{RICK})and then youtu.be/{ZOO})so", [RICK, ZOO], id="two-glued-links"),
        pytest.param(f"youtube.com/watch?v={GANGNAM})and more", [GANGNAM], id="watch-link-glued"),
        pytest.param(f"https://youtu.be/{DASHED})ok", [DASHED], id="dashed-id-glued"),
        pytest.param(f"(https://www.youtube.com/shorts/{DASHED})", [DASHED], id="dashed-id-in-parentheses"),
        pytest.param(
            f"[clip](https://youtu.be/{DASHED})then [zoo](https://youtu.be/{ZOO})", [DASHED, ZOO], id="markdown"
        ),
        pytest.param(f"youtu.be/{RICK})", [RICK], id="trailing-parenthesis"),
    ],
)
def test_a_link_ends_at_a_closing_parenthesis_glued_to_the_next_word(text: str, expected: list[str]) -> None:
    result = parse_paste(text)
    assert list(result.video_ids) == expected
    assert result.rejected == ()


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"youtu.be/{RICK[:10]})and", id="ten-characters"),
        pytest.param(f"youtu.be/{RICK}x)and", id="twelve-characters"),
    ],
)
def test_a_glued_link_with_a_malformed_id_is_still_rejected(text: str) -> None:
    result = parse_paste(text)
    assert result.video_ids == ()
    assert [r.problem for r in result.rejected] == [LinkProblem.MALFORMED_ID]
