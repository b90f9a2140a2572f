"""What YouTube's player API says about a video it will not play.

YouTube answers a blocked video with a ``playabilityStatus`` object instead of
formats. Each :class:`Unplayable` class below keeps two real-shaped statuses:
the one yt-dlp's web client sees (it turns that into its error message through
:func:`ytdlp_reason`) and the one youtube-transcript-api's ANDROID client sees
(the library turns that into its own exception). The shapes follow the corpus
(``youtube_request_blocked``, ``youtube_video_unavailable``,
``youtube_age_restricted`` player responses, pytube's private-video capture)
and the messages yt-dlp users report for today's YouTube.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from yt_dlp.utils import clean_html, remove_end

Status = Mapping[str, Any]


def _screen(reason: str, subreason: str | None = None) -> Status:
    """``errorScreen.playerErrorMessageRenderer`` with a reason and subreason."""
    renderer: dict[str, Any] = {"reason": {"simpleText": reason}}
    if subreason is not None:
        renderer["subreason"] = {"runs": [{"text": subreason}]}
    return {"playerErrorMessageRenderer": renderer}


class Unplayable(enum.Enum):
    """A reason YouTube refuses a video, as ``(web status, android status)``."""

    PRIVATE = (
        {
            "status": "LOGIN_REQUIRED",
            "reason": "Private video",
            "errorScreen": _screen("Private video", "Sign in if you've been granted access to this video"),
        },
        {
            "status": "LOGIN_REQUIRED",
            "reason": "This video is private.",
            "messages": ["This is a private video. Please sign in to verify that you may see it."],
        },
    )
    REMOVED = (
        {
            "status": "ERROR",
            "reason": "Video unavailable",
            "errorScreen": _screen("Video unavailable", "This video has been removed by the uploader"),
        },
        {
            "status": "ERROR",
            "reason": "This video is unavailable",
            "errorScreen": _screen("This video is unavailable"),
        },
    )
    AGE_RESTRICTED = (
        {
            "status": "LOGIN_REQUIRED",
            "reason": "Sign in to confirm your age",
            "errorScreen": _screen("Sign in to confirm your age", "This video may be inappropriate for some users."),
        },
        {
            "status": "LOGIN_REQUIRED",
            "reason": "This video may be inappropriate for some users.",
            "desktopLegacyAgeGateReason": 1,
        },
    )
    MEMBERS_ONLY = (
        {
            "status": "UNPLAYABLE",
            "reason": "Join this channel to get access to members-only content like this "
            "video, and other exclusive perks.",
            "errorScreen": _screen(
                "Join this channel to get access to members-only content like this video, and other exclusive perks."
            ),
        },
        {
            "status": "UNPLAYABLE",
            "reason": "Join this channel to get access to members-only content like this "
            "video, and other exclusive perks.",
        },
    )
    BOT_CHECK = (
        {
            "status": "LOGIN_REQUIRED",
            "reason": "Sign in to confirm you\u2019re not a bot",
            "errorScreen": {
                "playerErrorMessageRenderer": {
                    "reason": {"runs": [{"text": "Sign in to confirm you\u2019re not a bot"}]},
                    "subreason": {"runs": [{"text": "This helps protect our community. "}, {"text": "Learn more"}]},
                }
            },
        },
        {"status": "LOGIN_REQUIRED", "reason": "Sign in to confirm you\u2019re not a bot"},
    )

    @property
    def web_status(self) -> Status:
        """The status yt-dlp's web client receives."""
        return self.value[0]

    @property
    def android_status(self) -> Status:
        """The status youtube-transcript-api's ANDROID client receives."""
        return self.value[1]


def classify_recorded(status: Status) -> Unplayable | None:
    """The class of a recorded non-OK status, or None when it fits none.

    Recorded statuses come from other clients and years than today's yt-dlp web
    client; a classified one is answered with that class's web status.
    """
    reason = str(status.get("reason", "")).lower()
    if "private" in reason:
        return Unplayable.PRIVATE
    if status.get("desktopLegacyAgeGateReason") or "confirm your age" in reason or "inappropriate" in reason:
        return Unplayable.AGE_RESTRICTED
    if "not a bot" in reason:
        return Unplayable.BOT_CHECK
    if "members-only" in reason:
        return Unplayable.MEMBERS_ONLY
    return None


LOGIN_HINT = (
    "Use --cookies-from-browser or --cookies for the authentication. See  "
    "https://github.com/yt-dlp/yt-dlp/wiki/FAQ#how-do-i-pass-cookies-to-yt-dlp  for how "
    "to manually pass cookies. Also see  "
    "https://github.com/yt-dlp/yt-dlp/wiki/Extractors#exporting-youtube-cookies  for tips "
    "on effectively exporting YouTube cookies"
)
"""yt-dlp's ``YoutubeBaseInfoExtractor._youtube_login_hint`` (checked by a test)."""


def ytdlp_reason(status: Status) -> str:
    """The message yt-dlp's YouTube extractor raises for a status without formats.

    Mirrors ``YoutubeIE._real_extract`` (the ``if not formats`` branch) of
    yt-dlp 2026.10.26: renderer reason, ``. subreason``, and for sign-in
    reasons the cookies hint.
    """
    renderer = status.get("errorScreen", {}).get("playerErrorMessageRenderer", {})
    reason = _text(renderer.get("reason")) or str(status.get("reason") or "")
    subreason = clean_html(_text(renderer.get("subreason")))
    if subreason and subreason != reason:
        reason += f". {subreason}"
    if "sign in" in reason.lower():
        reason = remove_end(reason, "This helps protect our community. Learn more")
        reason = f"{remove_end(reason.strip(), '.')}. {LOGIN_HINT}"
    return reason


def _text(node: Any) -> str:
    """``simpleText`` or the joined ``runs`` of a YouTube text node."""
    if not isinstance(node, Mapping):
        return ""
    if node.get("simpleText"):
        return str(node["simpleText"])
    return "".join(str(run.get("text", "")) for run in node.get("runs", ()))
