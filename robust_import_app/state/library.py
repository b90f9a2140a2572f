"""The tab's own state: the sidebar's lists and the page of cards it shows, filtered, sorted or searched.

Only one page of cards lives here (:data:`~robust_import_app.library_view.DEFAULT_PAGE_SIZE`, 48); the rows stay in the
database, so a list of 10,000 videos costs a tab no more than a list of 50.
The view (list, text query, filters, sort, page) is a
:class:`~robust_import_app.library_view.ViewQuery`; every change writes it
to the address bar and ``on_load`` reads it back, so a reload or a shared
link shows the same view. Live progress comes from the shared
:class:`~robust_import_app.state.live.ListLive`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from urllib.parse import urlencode

import reflex as rx

from robust_import_app import library, runtime
from robust_import_app.compose import get_database
from robust_import_app.library_view import DEFAULT_PAGE_SIZE, Sort, ViewPage, ViewQuery, channel_options, load_view
from robust_import_app.pipeline.progress.text import SummaryOutcome
from robust_import_app.reflex_internals import link_to_shared
from robust_import_app.search.engine import highlight_parts
from robust_import_app.state.cards import VideoCard, card_from_row, format_duration
from robust_import_app.state.live import ListLive, live_token

SEARCH_PATH = "/search"
"""The route of the search across all lists."""
ANY = "any"
"""The select boxes' "no filter" value (Radix selects take no empty value); the view ignores it."""
DURATION_PRESETS: dict[str, tuple[int | None, int | None]] = {
    ANY: (None, None),
    "short": (None, 239),
    "medium": (240, 1200),
    "long": (1201, None),
}
"""Duration filter choices as (min_s, max_s), both ends included: under 4 min, 4–20 min, over 20 min."""


@dataclasses.dataclass(frozen=True)
class ListItem:
    """A list in the sidebar."""

    id: int
    name: str
    video_count: int


@dataclasses.dataclass(frozen=True)
class SnippetPart:
    """A run of a result's transcript line; ``hit`` marks a word the query matched."""

    text: str
    hit: bool


@dataclasses.dataclass(frozen=True)
class SearchResult:
    """One search result: the video, and its best matching transcript line when there is one.

    ``href`` opens the detail page at ``start_s`` (``/video/<id>?t=<start_s>``);
    ``timestamp`` is ``start_s`` as ``m:ss``, empty for a metadata-only match.
    """

    id: int
    title: str
    channel: str
    thumbnail_url: str
    stage: str
    href: str
    timestamp: str
    parts: list[SnippetPart]


def route_id(path: str, prefix: str) -> int | None:
    """The numeric id ending a path such as ``/list/12`` (None for any other path)."""
    rest = path.rstrip("/")[len(prefix) :] if path.startswith(prefix) else ""
    return int(rest) if rest.isascii() and rest.isdigit() else None


def search_result(row) -> SearchResult:
    """The result line of one :class:`~robust_import_app.library_view.ViewRow`."""
    video, match = row.video, row.match
    href, timestamp, parts = f"/video/{video.id}", "", []
    if match is not None:
        href, timestamp = f"/video/{video.id}?t={match.start_s}", format_duration(match.start_s)
        parts = [SnippetPart(text=text, hit=hit) for text, hit in highlight_parts(match.snippet)]
    return SearchResult(
        id=video.id or 0,
        title=video.title or video.youtube_id,
        channel=video.channel,
        thumbnail_url=video.thumbnail_url,
        stage=str(video.import_stage),
        href=href,
        timestamp=timestamp,
        parts=parts,
    )


def view_url(view: ViewQuery) -> str:
    """The address of ``view``: ``/list/<id>`` or ``/search``, then its query string."""
    path = SEARCH_PATH if view.list_id is None else f"/list/{view.list_id}"
    params = view.to_params()
    return path + ("?" + urlencode(params) if params else "")


_REPLACE_URL_SCRIPT = r"""(() => {{
  const url = new URL({url}, window.location.origin);
  const here = window.location.pathname.replace(/\/$/, "") || "/";
  if (here === url.pathname || here === "/") {{
    window.history.replaceState(window.history.state, "", url.pathname + url.search);
  }}
}})();"""
"""Write the view to the address bar without a navigation (React Router's history state kept), unless the
tab has left the page meanwhile (the script can run after a click on a result)."""


def _load_view(view: ViewQuery) -> tuple[ViewPage, list[VideoCard], list[SearchResult]]:
    db = get_database()
    found = load_view(db, view)
    rows = [row.video for row in found.rows]
    counts = library.chapter_counts(db, [row.id for row in rows])
    cards = [card_from_row(row, chapter_count=counts.get(row.id, 0)) for row in rows]
    results = [search_result(row) for row in found.rows] if view.text.strip() else []
    return found, cards, results


def _load_lists() -> list[ListItem]:
    return [ListItem(id=s.id, name=s.name, video_count=s.video_count) for s in library.list_summaries(get_database())]


_TOASTS = {
    SummaryOutcome.SUCCESS: rx.toast.success,
    SummaryOutcome.WARNING: rx.toast.warning,
    SummaryOutcome.ERROR: rx.toast.error,
    SummaryOutcome.INFO: rx.toast.info,
}
"""A batch summary's toast, by its outcome (:attr:`ListLive.summary_kind`)."""


def _retry_feedback(count: int) -> str:
    """E.g. "Retrying 3 videos"."""
    if not count:
        return "Nothing to retry: no video here has failed."
    return f"Retrying {count} video" + ("" if count == 1 else "s")


class LibraryState(rx.State):
    """Lists, the selected list (or all lists) and one page of its view."""

    lists: list[ListItem] = []
    list_id: int = 0
    all_lists: bool = False
    not_found: bool = False
    cards: list[VideoCard] = []
    results: list[SearchResult] = []
    page: int = 0
    video_count: int = 0
    total_is_exact: bool = True
    search_notice: str = ""
    query: str = ""
    state_filter: str = ANY
    source_filter: str = ANY
    channel_filter: str = ANY
    min_s: str = ""
    max_s: str = ""
    published_from: str = ""
    published_to: str = ""
    sort: str = ""
    channels: list[str] = []
    """The channel filter's choices: the chosen channel only, until the select first opens (:meth:`load_channels`)."""
    _channels_loaded: bool = False
    new_list_error: str = ""
    _seen_summary_revision: int = 0
    _page_revision: int = 0
    """The list's ``ListLive.page_revision`` when the page of cards was last loaded."""

    @rx.var
    def list_name(self) -> str:
        """The heading: the selected list's name, or "All lists"."""
        if self.all_lists:
            return "All lists"
        return next((item.name for item in self.lists if item.id == self.list_id), "")

    @rx.var
    def page_count(self) -> int:
        """Pages in the view (at least 1)."""
        return max(1, -(-self.video_count // DEFAULT_PAGE_SIZE))

    @rx.var
    def has_failed(self) -> bool:
        """True when a failed card is on this page (offers "Retry all failed")."""
        return any(card.stage == "error" for card in self.cards)

    @rx.var
    def searching(self) -> bool:
        """True when the text query shows search results instead of the grid."""
        return bool(self.query.strip())

    @rx.var
    def filtered(self) -> bool:
        """True when a filter or the text query narrows the view ("Clear" is offered)."""
        return self.searching or self._view().has_filters

    @rx.var
    def count_label(self) -> str:
        """ "12 videos", "3 results", or "more than 1000 results" when the search's count is a floor."""
        noun = "results" if self.searching else "videos"
        return f"{'more than ' if not self.total_is_exact else ''}{self.video_count} {noun}"

    @rx.var
    def sort_value(self) -> str:
        """The sort select's value: the sort in effect."""
        return self._view().effective_sort.value

    @rx.var
    def duration_preset(self) -> str:
        """The duration select's value: the preset matching the range, else "any"."""
        view = self._view()
        wanted = (view.duration_min_s, view.duration_max_s)
        return next((name for name, bounds in DURATION_PRESETS.items() if bounds == wanted), ANY)

    def _view(self) -> ViewQuery:
        """The view the state's fields describe; values that do not parse are left out."""
        params = {
            "q": self.query,
            "state": self.state_filter,
            "source": self.source_filter,
            "channel": "" if self.channel_filter == ANY else self.channel_filter,
            "min_s": self.min_s,
            "max_s": self.max_s,
            "from": self.published_from,
            "to": self.published_to,
            "sort": self.sort,
            "page": str(self.page + 1),
        }
        return ViewQuery.from_params(params, list_id=None if self.all_lists else self.list_id)

    def _show_view(self, view: ViewQuery) -> None:
        """Set the state's fields from ``view``."""
        self.query = view.text
        self.state_filter = view.state.value if view.state else ANY
        self.source_filter = view.caption_source.value if view.caption_source else ANY
        self.channel_filter = view.channel or ANY
        self.min_s = "" if view.duration_min_s is None else str(view.duration_min_s)
        self.max_s = "" if view.duration_max_s is None else str(view.duration_max_s)
        self.published_from = view.published_from.isoformat() if view.published_from else ""
        self.published_to = view.published_to.isoformat() if view.published_to else ""
        self.sort = view.sort.value if view.sort else ""
        self.page = view.page

    @rx.event
    async def on_load(self):
        """Open the view the URL names: ``/list/<id>`` (or ``/``, the first list) or ``/search``, with its query string.

        An unknown list id shows the 404 page instead. The channel filter's
        choices wait until its select opens (:meth:`load_channels`).
        """
        db = get_database()
        default_id = await asyncio.to_thread(library.ensure_default_list, db)
        path = self.router.url.path.rstrip("/") or "/"
        self.all_lists = path == SEARCH_PATH
        wanted = default_id if path == "/" or self.all_lists else route_id(path, "/list/")
        self.not_found = wanted is None or not await asyncio.to_thread(library.list_exists, db, wanted)
        if self.not_found:
            self.lists = await asyncio.to_thread(_load_lists)
            self.cards, self.results, self.video_count = [], [], 0
            return
        self.list_id = wanted
        self._show_view(ViewQuery.from_params(dict(self.router.url.query_parameters), list_id=None))
        live = await self.get_state(ListLive)
        live = await link_to_shared(live, live_token(wanted))
        self._seen_summary_revision = live.summary_revision
        self.channels = [] if self.channel_filter == ANY else [self.channel_filter]
        self._channels_loaded = False
        await reload_page(self)

    @rx.event
    async def load_channels(self, is_open: bool):
        """Fill the channel filter's choices the first time its select opens on this view, most frequent first.

        Not on page load: the grouping over the whole list is the page's
        slowest query (~0.1 s at 100,000 videos), and the browser draws
        every choice of a select (up to ``MAX_CHANNEL_OPTIONS``) before the
        cards even while it is closed. The chosen channel stays a choice
        when it is not among the most frequent.
        """
        if is_open is not True or self._channels_loaded or self.not_found:
            return
        scope = None if self.all_lists else self.list_id
        names = await asyncio.to_thread(channel_options, get_database(), scope)
        chosen = [] if self.channel_filter == ANY or self.channel_filter in names else [self.channel_filter]
        self.channels = chosen + names
        self._channels_loaded = True

    async def _change_view(self, **fields: str):
        """Set view fields, start at the first page, reload and write the view to the address bar."""
        for name, value in fields.items():
            setattr(self, name, value if isinstance(value, str) else "")
        self.page = 0
        return await self._show_in_address_bar()

    async def _show_in_address_bar(self):
        await reload_page(self)
        return rx.call_script(_REPLACE_URL_SCRIPT.format(url=json.dumps(view_url(self._view()))))

    @rx.event
    async def refresh(self):
        """Reload the page of cards and the lists (e.g. after a list was renamed)."""
        if self.list_id and not self.not_found:
            await reload_page(self)

    @rx.event
    async def follow_page_revision(self):
        """Reload the page of cards if the list's page revision moved since it was loaded.

        The page's watcher calls it on mount and on every change of the
        revision. On mount, and when this tab's own handler bumped the
        revision and reloaded already, there is nothing to do: no second
        query, no second copy of the cards sent and drawn.
        """
        live = await self.get_state(ListLive)
        if self.list_id and not self.not_found and live.page_revision != self._page_revision:
            await reload_page(self)

    @rx.event
    async def show_summary(self):
        """Toast a batch summary that this tab has not shown yet."""
        live = await self.get_state(ListLive)
        if live.summary_revision > self._seen_summary_revision and live.summary:
            self._seen_summary_revision = live.summary_revision
            toast = _TOASTS.get(live.summary_kind, rx.toast.info)
            return toast(live.summary, duration=8000, close_button=True)

    @rx.event
    async def go_to_page(self, page: int):
        """Show page ``page`` (0-based), clamped to the view."""
        try:
            wanted = int(page)
        except (TypeError, ValueError):
            return
        self.page = max(0, min(wanted, self.page_count - 1))
        return await self._show_in_address_bar()

    @rx.event
    async def set_query(self, text: str):
        """Search as the user types (the box is debounced)."""
        return await self._change_view(query=text)

    @rx.event
    async def set_state_filter(self, value: str):
        """Keep only videos in this import state (``any``: every state)."""
        return await self._change_view(state_filter=value)

    @rx.event
    async def set_source_filter(self, value: str):
        """Keep only videos whose transcript came from this caption source."""
        return await self._change_view(source_filter=value)

    @rx.event
    async def set_channel_filter(self, value: str):
        """Keep only one channel's videos."""
        return await self._change_view(channel_filter=value)

    @rx.event
    async def set_duration_preset(self, value: str):
        """Keep videos of one of ``DURATION_PRESETS``' lengths."""
        low, high = DURATION_PRESETS.get(value, (None, None))
        return await self._change_view(min_s="" if low is None else str(low), max_s="" if high is None else str(high))

    @rx.event
    async def set_published_from(self, value: str):
        """Keep videos published on or after this ISO date ("" for no bound)."""
        return await self._change_view(published_from=value)

    @rx.event
    async def set_published_to(self, value: str):
        """Keep videos published on or before this ISO date ("" for no bound)."""
        return await self._change_view(published_to=value)

    @rx.event
    async def set_sort(self, value: str):
        """Order the view (see :class:`~robust_import_app.library_view.Sort`)."""
        return await self._change_view(sort=value if value in set(Sort) else "")

    @rx.event
    def search_all_lists(self):
        """Open the search across every list with this view's query, filters and sort."""
        view = self._view().with_changes(list_id=None)
        return rx.redirect(view_url(view))

    @rx.event
    async def clear_view(self):
        """Drop the text query and every filter; keep the sort."""
        return await self._change_view(
            query="",
            state_filter=ANY,
            source_filter=ANY,
            channel_filter=ANY,
            min_s="",
            max_s="",
            published_from="",
            published_to="",
        )

    @rx.event
    async def create_list(self, form_data: dict):
        """Create a list from the sidebar's form and open it."""
        try:
            new_id = await asyncio.to_thread(library.create_list, get_database(), str(form_data.get("name", "")))
        except library.LibraryError as error:
            self.new_list_error = str(error)
            return
        self.new_list_error = ""
        return rx.redirect(f"/list/{new_id}")

    @rx.event
    async def retry_video(self, video_id: int):
        """Queue one failed video again from the stage that failed."""
        return await self._retry([int(video_id)])

    @rx.event
    async def retry_all_failed(self):
        """Queue every failed video of the list (of every list, on the all-lists page) again."""
        return await self._retry(None)

    async def _retry(self, video_ids: list[int] | None):
        """Retry and reload; the toast that says how many (the retry announces its own summary when done)."""
        scope = None if self.all_lists else self.list_id
        count = await asyncio.to_thread(library.retry_failed, get_database(), scope, video_ids)
        if count:
            live = await self.get_state(ListLive)
            live.page_revision += 1
            runtime.wake_worker()
        await reload_page(self)
        return rx.toast.info(_retry_feedback(count), duration=4000)


async def reload_page(lib: LibraryState) -> None:
    """Load ``lib``'s page of cards, its counts and the sidebar's lists; note the page revision they reflect.

    A function, not a method: Reflex 0.10 makes every State method whose name does not start with
    ``_`` an event handler that any client may call with any arguments; other states' handlers call this.
    """
    live = await lib.get_state(ListLive)
    lib._page_revision = live.page_revision
    found, lib.cards, lib.results = await asyncio.to_thread(_load_view, lib._view())
    lib.video_count, lib.total_is_exact = found.total, found.total_is_exact
    lib.page, lib.search_notice = found.page, found.notice or ""
    lib.lists = await asyncio.to_thread(_load_lists)
