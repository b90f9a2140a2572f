"""What the library page shows: one list (or all lists) filtered, sorted, searched, one page at a time.

:class:`ViewQuery` is the view as plain data, round-tripped through the
address bar's query string (:meth:`ViewQuery.to_params`,
:meth:`ViewQuery.from_params`); :func:`load_view` reads its page of video
rows from the database. Without a text query it is one SQL statement over
``video`` (plus a count); with one it asks the search backend
(:mod:`robust_import_app.search.engine`), which filters, sorts and pages
its matches in the same statement and keeps the search's bound: at most
``2 × MAX_CANDIDATES`` matching videos are filtered and sorted.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlmodel import col, func, select

from robust_import_app.db import Database
from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.video import CaptionSource
from robust_import_app.models import Video
from robust_import_app.search.engine import TranscriptMatch, search
from robust_import_app.search.query import MAX_QUERY_CHARS

DEFAULT_PAGE_SIZE = 48
MAX_CHANNEL_CHARS = 200
MAX_CHANNEL_OPTIONS = 200
"""Channels offered by the channel filter (the most frequent first, then by name)."""


class StateFilter(enum.StrEnum):
    """Which import states the view keeps."""

    IN_PROGRESS = "in_progress"
    """Not finished yet: any stage before ``complete`` or ``error``."""
    COMPLETE = "complete"
    FAILED = "failed"
    """Stage ``error``."""
    WITHOUT_CAPTIONS = "without_captions"
    """Complete, but no caption source found a transcript (``caption_source = 'none'``)."""


class Sort(enum.StrEnum):
    """Order of the view; ``RELEVANCE`` needs a text query (best match first)."""

    ADDED = "added"
    """Newest first: the list's own order."""
    PUBLISHED = "published"
    """Most recently published first; unknown dates last."""
    DURATION = "duration"
    """Longest first; unknown durations last."""
    TITLE = "title"
    """A to Z, case-insensitive."""
    RELEVANCE = "relevance"


@dataclass(frozen=True, slots=True)
class ViewQuery:
    """One view of the library.

    ``list_id`` None means every list. ``text`` is the search box's query
    (see ``search/query.py``). Durations are in whole seconds, both ends
    included; dates are publication dates, both ends included. ``sort``
    None is the default: relevance with a text query, else date added.
    ``page`` is 0-based.
    """

    list_id: int | None = None
    text: str = ""
    state: StateFilter | None = None
    caption_source: CaptionSource | None = None
    channel: str = ""
    duration_min_s: int | None = None
    duration_max_s: int | None = None
    published_from: dt.date | None = None
    published_to: dt.date | None = None
    sort: Sort | None = None
    page: int = 0

    @property
    def has_filters(self) -> bool:
        """True when any filter (not the text, sort or page) narrows the view."""
        return any(
            value not in (None, "")
            for value in (
                self.state,
                self.caption_source,
                self.channel,
                self.duration_min_s,
                self.duration_max_s,
                self.published_from,
                self.published_to,
            )
        )

    @property
    def effective_sort(self) -> Sort:
        """The order used: ``sort``, or the default for this view; relevance without text falls back to added."""
        if self.sort is None or (self.sort is Sort.RELEVANCE and not self.text.strip()):
            return Sort.RELEVANCE if self.text.strip() else Sort.ADDED
        return self.sort

    def to_params(self) -> dict[str, str]:
        """The query-string parameters of this view (the list lives in the path); defaults are left out.

        Keys: ``q``, ``state``, ``source``, ``channel``, ``min_s``, ``max_s``,
        ``from``, ``to`` (ISO dates), ``sort``, ``page`` (1-based).
        """
        params = {
            "q": self.text,
            "state": self.state.value if self.state else "",
            "source": self.caption_source.value if self.caption_source else "",
            "channel": self.channel,
            "min_s": "" if self.duration_min_s is None else str(self.duration_min_s),
            "max_s": "" if self.duration_max_s is None else str(self.duration_max_s),
            "from": self.published_from.isoformat() if self.published_from else "",
            "to": self.published_to.isoformat() if self.published_to else "",
            "sort": self.sort.value if self.sort else "",
            "page": str(self.page + 1) if self.page else "",
        }
        return {key: value for key, value in params.items() if value}

    @classmethod
    def from_params(cls, params: Mapping[str, str], *, list_id: int | None) -> ViewQuery:
        """The view a query string names; a value that does not parse is ignored (its default is kept).

        Never raises. Text is cut at ``MAX_QUERY_CHARS``, the channel at
        ``MAX_CHANNEL_CHARS``, both without lone surrogates and NUL characters
        (a crafted link's ``%ED%B2%80`` or ``%00``: neither can be encoded
        for, or stored in, the database); negative durations and pages are
        ignored.
        """
        return cls(
            list_id=list_id,
            text=_text(params.get("q"))[:MAX_QUERY_CHARS],
            state=_member(StateFilter, params.get("state")),
            caption_source=_member(CaptionSource, params.get("source")),
            channel=_text(params.get("channel")).strip()[:MAX_CHANNEL_CHARS],
            duration_min_s=_natural(params.get("min_s")),
            duration_max_s=_natural(params.get("max_s")),
            published_from=_date(params.get("from")),
            published_to=_date(params.get("to")),
            sort=_member(Sort, params.get("sort")),
            page=max((_natural(params.get("page")) or 1) - 1, 0),
        )

    def with_changes(self, **changes) -> ViewQuery:
        """A copy with ``changes``; any change but ``page`` starts again at the first page."""
        if "page" not in changes:
            changes["page"] = 0
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class ViewRow:
    """One video of the page; ``match`` is its best transcript window when a text query found it there."""

    video: Video
    match: TranscriptMatch | None = None


@dataclass(frozen=True, slots=True)
class ViewPage:
    """One page of the view.

    ``total`` counts every video of the view; when ``total_is_exact`` is
    False a search found more than that (show "more than N"). ``page`` is
    the page shown, clamped to the last one. ``notice`` is the search's
    plain sentence for the user, else None.
    """

    rows: tuple[ViewRow, ...]
    total: int
    total_is_exact: bool = True
    page: int = 0
    notice: str | None = None


def load_view(db: Database, view: ViewQuery, *, page_size: int = DEFAULT_PAGE_SIZE) -> ViewPage:
    """The page ``view.page`` of ``view``, ``page_size`` videos, with the view's total.

    A page past the end shows the last page. Never raises on any text query
    (the search returns a notice instead).
    """
    if view.text.strip():
        return _search_view(db, view, page_size)
    conditions = _conditions(view)
    with db.read() as session:
        total = session.exec(select(func.count()).select_from(Video).where(*conditions)).one()
        page = _clamp_page(view.page, total, page_size)
        rows = session.exec(
            select(Video)
            .where(*conditions)
            .order_by(*_order(view.effective_sort))
            .offset(page * page_size)
            .limit(page_size)
        ).all()
    return ViewPage(rows=tuple(ViewRow(video=row) for row in rows), total=total, page=page)


def channel_options(db: Database, list_id: int | None) -> list[str]:
    """Channel names of the list's videos (or every list's), the most frequent ``MAX_CHANNEL_OPTIONS`` first."""
    count = func.count()
    query = select(Video.channel, count).where(Video.channel != "")
    if list_id is not None:
        query = query.where(Video.list_id == list_id)
    query = query.group_by(col(Video.channel)).order_by(count.desc(), col(Video.channel)).limit(MAX_CHANNEL_OPTIONS)
    with db.read() as session:
        return [channel for channel, _ in session.exec(query).all()]


def _search_view(db: Database, view: ViewQuery, page_size: int) -> ViewPage:
    """A text query: the search filters, orders and pages its matches in one statement (see ``search.engine.search``)."""
    search_page = functools.partial(
        search,
        db,
        view.text,
        list_id=view.list_id,
        where=_conditions(view),
        order_by=() if view.effective_sort is Sort.RELEVANCE else _order(view.effective_sort),
        limit=page_size,
        as_you_type=True,
    )
    page = view.page
    found = search_page(offset=page * page_size)
    if not found.hits and found.total and page:
        page = _clamp_page(page, found.total, page_size)
        found = search_page(offset=page * page_size)
    return ViewPage(
        rows=tuple(ViewRow(video=hit.video, match=hit.transcript) for hit in found.hits),
        total=found.total,
        total_is_exact=found.total_is_exact,
        page=page,
        notice=found.notice,
    )


def _conditions(view: ViewQuery) -> list:
    """The WHERE terms of the list and the filters."""
    conditions = []
    if view.list_id is not None:
        conditions.append(Video.list_id == view.list_id)
    stage = col(Video.import_stage)
    if view.state is StateFilter.IN_PROGRESS:
        conditions.append(stage.not_in([ImportStage.COMPLETE, ImportStage.ERROR]))
    elif view.state is StateFilter.COMPLETE:
        conditions.append(stage == ImportStage.COMPLETE)
    elif view.state is StateFilter.FAILED:
        conditions.append(stage == ImportStage.ERROR)
    elif view.state is StateFilter.WITHOUT_CAPTIONS:
        conditions.append(stage == ImportStage.COMPLETE)
        conditions.append(col(Video.caption_source) == CaptionSource.NONE)
    if view.caption_source is not None:
        conditions.append(col(Video.caption_source) == view.caption_source)
    if view.channel:
        conditions.append(Video.channel == view.channel)
    if view.duration_min_s is not None:
        conditions.append(col(Video.duration_s) >= view.duration_min_s)
    if view.duration_max_s is not None:
        conditions.append(col(Video.duration_s) <= view.duration_max_s)
    if view.published_from is not None:
        conditions.append(col(Video.published) >= view.published_from)
    if view.published_to is not None:
        conditions.append(col(Video.published) <= view.published_to)
    return conditions


def _order(sort: Sort) -> tuple:
    """ORDER BY terms; each ends in the list's own order so that pages never overlap."""
    newest = (col(Video.created_at).desc(), col(Video.id).desc())
    if sort is Sort.PUBLISHED:
        return (col(Video.published).is_(None), col(Video.published).desc(), *newest)
    if sort is Sort.DURATION:
        return (col(Video.duration_s).is_(None), col(Video.duration_s).desc(), *newest)
    if sort is Sort.TITLE:
        # A video without metadata yet shows its YouTube id as its title.
        shown = sa.case((Video.title == "", Video.youtube_id), else_=Video.title)
        return (func.lower(shown), *newest)
    return newest


def _clamp_page(page: int, total: int, page_size: int) -> int:
    last = max(0, -(-total // page_size) - 1)
    return max(0, min(page, last))


def _text(value: object) -> str:
    """``value`` as text without lone surrogates (Unicode category Cs) and NUL characters."""
    text = str(value) if value is not None else ""
    return "".join(char for char in text if char != "\x00" and unicodedata.category(char) != "Cs")


def _member(enum_cls: type[enum.StrEnum], value: object):
    try:
        return enum_cls(str(value).strip().lower()) if value is not None else None
    except ValueError:
        return None


def _natural(value: object) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip()) if value is not None else None
    except ValueError:
        return None
