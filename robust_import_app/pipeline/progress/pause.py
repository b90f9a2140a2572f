"""Why the import is paused, in words for the banner, the cards and the command line."""

from __future__ import annotations

from dataclasses import dataclass

from robust_import_app.domain.errors import ErrorCode
from robust_import_app.domain.upstreams import Upstream

BOT_CHECK_HINT = (
    "YouTube wants proof this is not a bot: set YOUTUBE_COOKIES_FILE to a cookies.txt "
    "exported from a signed-in browser, or YOUTUBE_PROXY_URL to a residential proxy."
)


@dataclass(frozen=True, slots=True)
class PauseNotice:
    """Why the import is paused and for how long, for the banner and the cards."""

    upstream: Upstream
    resume_in_s: float
    reason: ErrorCode | None

    @property
    def message(self) -> str:
        """E.g. "Paused — YouTube is rate-limiting, resuming in 25 s"."""
        seconds = max(1, round(self.resume_in_s))
        if self.reason is ErrorCode.LIMITS_UNREACHABLE:
            return f"Paused — the shared rate limit is unreachable (Redis), retrying in {seconds} s"
        what = "Whisper API" if self.upstream is Upstream.WHISPER else "YouTube"
        cause = (
            "asked to confirm this is not a bot"
            if self.reason in (ErrorCode.BOT_CHECK, ErrorCode.IP_BLOCKED)
            else "is rate-limiting"
        )
        return f"Paused — {what} {cause}, resuming in {seconds} s"

    @property
    def hint(self) -> str:
        """What the user can do about it ("" when waiting is all there is to do)."""
        return BOT_CHECK_HINT if self.reason in (ErrorCode.BOT_CHECK, ErrorCode.IP_BLOCKED) else ""
