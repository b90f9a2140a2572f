"""Display-ready source cards and followed-source lines, built from :class:`~robust_import_app.sources.SourceView` (no Reflex imports)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from robust_import_app.domain.sources import SourceKind, SourceState
from robust_import_app.sources import SourceView
from robust_import_app.youtube.sources import SourceRef

ALL = 0
"""The ``limit`` of the "All N" choice (:func:`robust_import_app.sources.choose_source_limit` takes None)."""
KIND_ICONS = {SourceKind.PLAYLIST: "list-video", SourceKind.CHANNEL: "tv"}
"""The Lucide icon of each kind of source."""


@dataclasses.dataclass(frozen=True)
class SourceChoice:
    """One button of a large source's question: ``"Latest 50"`` (limit 50) or ``"All 1,204"`` (limit :data:`ALL`)."""

    label: str
    limit: int


@dataclasses.dataclass(frozen=True)
class SourceCard:
    """One source card as the browser shows it.

    ``progress`` is the percent listed (0–100), meaningful when
    ``show_progress``: while expanding with a known total (or a chosen
    limit). ``choices`` are offered while ``state`` is ``awaiting_choice``;
    ``dismiss_label`` is "" when the card offers no dismiss button.
    """

    id: int
    list_id: int
    kind: str
    icon: str
    title: str
    url: str
    state: str
    message: str
    progress: int
    show_progress: bool
    choices: list[SourceChoice]
    offered: bool
    failed: bool
    dismiss_label: str
    can_follow: bool
    following: bool


@dataclasses.dataclass(frozen=True)
class FollowedItem:
    """A followed source in the sidebar: ``detail`` is e.g. ``"Inbox · checked 5 min ago · 1 added"``."""

    id: int
    list_id: int
    icon: str
    title: str
    href: str
    detail: str
    paused: bool


def choice_label(limit: int, view: SourceView) -> str:
    """``"Latest 50"``; for :data:`ALL`, ``"All 1,204"`` (``"All"`` while the total is not known)."""
    if limit != ALL:
        return f"Latest {limit:,}"
    return f"All {view.total:,}" if view.total is not None else "All"


def source_title(view: SourceView) -> str:
    """The source's title, or its URL until the first page names it."""
    return view.title or view.url


def listed_percent(view: SourceView) -> int | None:
    """How much of an expanding source is listed, in percent (0–100); None while its target is not known.

    The target is the chosen limit when it is below the reported total,
    else the total. A source still counting its size (not ``sized``) has none.
    """
    if view.state is not SourceState.EXPANDING or not view.sized:
        return None
    targets = [n for n in (view.total, view.limit) if n is not None]
    if not targets:
        return None
    target = min(targets)
    return 100 if target <= 0 else max(0, min(100, view.found * 100 // target))


def _dismiss_label(view: SourceView) -> str:
    if view.state.is_finished:
        return "Dismiss"
    if view.state is SourceState.AWAITING_CHOICE:
        return "Cancel"
    if view.state is SourceState.OFFERED:
        return "No thanks"
    return ""


def _can_follow(view: SourceView) -> bool:
    return not SourceRef(view.kind, view.key).is_mix and view.state not in (SourceState.OFFERED, SourceState.FAILED)


def source_card(view: SourceView) -> SourceCard:
    """The card of one source (see :class:`SourceCard`)."""
    percent = listed_percent(view)
    choices = []
    if view.state is SourceState.AWAITING_CHOICE:
        choices = [SourceChoice(choice_label(n, view), n) for n in (*view.choices, ALL)]
    return SourceCard(
        id=view.id,
        list_id=view.list_id,
        kind=view.kind.value,
        icon="list-plus" if view.state is SourceState.OFFERED else KIND_ICONS[view.kind],
        title=source_title(view),
        url=view.url,
        state=view.state.value,
        message=view.message,
        progress=percent or 0,
        show_progress=percent is not None,
        choices=choices,
        offered=view.state is SourceState.OFFERED,
        failed=view.state is SourceState.FAILED,
        dismiss_label=_dismiss_label(view),
        can_follow=_can_follow(view),
        following=view.following and not view.follow_paused,
    )


def checked_ago(moment: dt.datetime | None, now: dt.datetime) -> str:
    """``"never checked"``, ``"checked just now"``, ``"checked 5 min ago"``, ``"checked 3 h ago"``, ``"checked 2 days ago"``.

    ``moment`` and ``now`` are timezone-aware; a moment in the future (clocks
    of two hosts) counts as just now.
    """
    if moment is None:
        return "never checked"
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "checked just now"
    if seconds < 3600:
        return f"checked {int(seconds // 60)} min ago"
    if seconds < 86_400:
        return f"checked {int(seconds // 3600)} h ago"
    days = int(seconds // 86_400)
    return f"checked {days} day{'s' if days != 1 else ''} ago"


def follow_detail(view: SourceView, list_name: str, now: dt.datetime) -> str:
    """The sidebar's line under a followed source: its list, the last check and what checks added.

    E.g. ``"Inbox · checked 5 min ago · 1 added"``, ``"Inbox · paused · checked 2 h ago · 3 added"``,
    ``"Inbox · never checked"``, ``"Inbox · checked just now · last check failed: Channel not found"``.
    """
    parts = [list_name] if list_name else []
    if view.follow_paused:
        parts.append("paused")
    parts.append(checked_ago(view.last_checked_at, now))
    if view.last_checked_at is not None:
        if view.check_error:
            parts.append(f"last check failed: {view.check_error}")
        else:
            parts.append(f"{view.added_by_follow:,} added")
    return " · ".join(parts)


def followed_item(view: SourceView, list_names: Mapping[int, str], now: dt.datetime) -> FollowedItem:
    """The sidebar's entry for a followed source; ``list_names`` maps list ids to names."""
    return FollowedItem(
        id=view.id,
        list_id=view.list_id,
        icon=KIND_ICONS[view.kind],
        title=source_title(view),
        href=f"/list/{view.list_id}",
        detail=follow_detail(view, list_names.get(view.list_id, ""), now),
        paused=view.follow_paused,
    )
