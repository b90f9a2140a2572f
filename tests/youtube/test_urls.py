"""Video ids from links, bare ids and pasted blocks; why the rest is rejected.

URLs marked "yt-dlp" are copied from the ``_TESTS`` of yt-dlp's YouTube
extractors (``yt_dlp/extractor/youtube/_video.py``, ``_tab.py``,
``_redirect.py``, ``_mistakes.py``).
"""

from __future__ import annotations

import pytest

from robust_import_app.youtube.urls import (
    LinkProblem,
    PasteResult,
    RejectedLine,
    extract_video_ids,
    link_problem,
    parse_paste,
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
        "https://www.youtube.com/watch?list=PLW4dVinRY435CBE_JD3t-0SRXKfnZHS1P"
        "&feature=youtu.be&v=M9cJMXmQ_ZU",
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
        "https://www.youtube.com/attribution_link?a=JdfC0C9V6ZI"
        "&u=%2Fwatch%3Fv%3DEhxJLojIE_o%26feature%3Dshare",
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
    # playlists (yt-dlp)
    (
        "https://www.youtube.com/playlist?list=PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU",
        LinkProblem.PLAYLIST,
    ),
    (
        "https://music.youtube.com/playlist?list=PLRBp0Fe2GpgmgoscNFLxNyBVSFVdYmFkq",
        LinkProblem.PLAYLIST,
    ),
    (
        "https://www.youtube.com/embed/videoseries?list=PL6IaIsEjSbf96XFRuNccS_RuEXwNdsoEu",
        LinkProblem.PLAYLIST,
    ),
    ("https://www.youtube.com/watch?list=PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU", LinkProblem.PLAYLIST),
    # channels and handles (yt-dlp)
    ("https://www.youtube.com/channel/UCTwECeGqMZee77BjdoYtI2Q/videos", LinkProblem.CHANNEL),
    ("https://www.youtubekids.com/channel/UCmlqkdCBesrv2Lak1mF_MxA", LinkProblem.CHANNEL),
    (
        "https://www.youtube.com/c/3blue1brown/playlists?view=50&sort=dd&shelf_id=3",
        LinkProblem.CHANNEL,
    ),
    ("http://www.youtube.com/user/NASAgovVideo/videos", LinkProblem.CHANNEL),
    ("https://www.youtube.com/@NotJustBikes/shorts", LinkProblem.CHANNEL),
    ("youtube.com/@3blue1brown", LinkProblem.CHANNEL),
    (
        "https://www.youtube.com/embed/live_stream?channel=UC2_KI6RB__jGdlnK6dvFEZA",
        LinkProblem.CHANNEL,
    ),
    # YouTube pages that are not one video
    ("https://www.youtube.com/results?search_query=lofi+hip+hop", LinkProblem.NOT_VIDEO),
    ("https://www.youtube.com/", LinkProblem.NOT_VIDEO),
    ("https://www.youtube.com/feed/trending", LinkProblem.NOT_VIDEO),  # yt-dlp
    ("https://www.youtube.com/hashtag/cctv9", LinkProblem.NOT_VIDEO),  # yt-dlp
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
        (LinkProblem.NOT_VIDEO, "a YouTube page that is not a video (search, feed, home)"),
        (LinkProblem.PLAYLIST, "a playlist link — playlist import comes later"),
        (LinkProblem.CHANNEL, "a channel link — channel import is not supported"),
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
    prose = "Also see https://www.youtube.com/@3blue1brown and https://example.org/slides too."
    paste = "\n".join(
        [
            f"https://youtu.be/{RICK}",
            "https://vimeo.com/123",
            "   ",
            "https://www.youtube.com/playlist?list=PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU",
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
            RejectedLine(
                "https://www.youtube.com/playlist?list=PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU",
                LinkProblem.PLAYLIST,
            ),
            RejectedLine(prose, LinkProblem.CHANNEL),
            RejectedLine("https://youtu.be/short", LinkProblem.MALFORMED_ID),
            RejectedLine("hello", LinkProblem.NOT_YOUTUBE),
            RejectedLine(
                f"{ZOO} https://www.youtube.com/results?search_query=cats", LinkProblem.NOT_VIDEO
            ),
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
