"""Source cards, followed-source lines and the paste report's sources (state/source_cards.py, state/importer.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import reflex as rx

from robust_import_app import library, sources
from robust_import_app.domain.sources import SourceKind, SourceState
from robust_import_app.sources import SourceView
from robust_import_app.state.importer import ImportState, paste_report
from robust_import_app.state.source_cards import (
    ALL,
    SourceChoice,
    checked_ago,
    follow_detail,
    followed_item,
    listed_percent,
    source_card,
)
from robust_import_app.state.sources import source_id_arg

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


def view(**changes) -> SourceView:
    base = SourceView(
        id=7,
        list_id=1,
        kind=SourceKind.PLAYLIST,
        key="PLsimulated400",
        url="https://www.youtube.com/playlist?list=PLsimulated400",
        title="",
        state=SourceState.QUEUED,
        lister=None,
        found=0,
        total=None,
        private=0,
        deleted=0,
        duplicates=0,
        limit=None,
        error_message=None,
        following=False,
        follow_paused=False,
        last_checked_at=None,
        added_by_follow=0,
    )
    return dataclasses.replace(base, **changes)


def test_a_new_source_shows_its_url_until_its_title_is_known():
    card = source_card(view())
    assert (card.title, card.message) == (
        "https://www.youtube.com/playlist?list=PLsimulated400",
        "Waiting to expand playlist PLsimulated400",
    )
    assert source_card(view(title="Woodworking")).title == "Woodworking"
    assert (card.icon, card.show_progress, card.choices, card.dismiss_label) == ("list-video", False, [], "")
    assert source_card(view(kind=SourceKind.CHANNEL, key="@simchannel75")).icon == "tv"


@pytest.mark.parametrize(
    ("changes", "percent"),
    [
        ({"state": SourceState.EXPANDING, "found": 150, "total": 400}, 37),
        ({"state": SourceState.EXPANDING, "found": 0, "total": 400}, 0),
        ({"state": SourceState.EXPANDING, "found": 30, "total": 1204, "limit": 50}, 60),
        ({"state": SourceState.EXPANDING, "found": 30, "total": None, "limit": 50}, 60),
        ({"state": SourceState.EXPANDING, "found": 450, "total": 400}, 100),
        ({"state": SourceState.EXPANDING, "found": 100, "total": None}, None),
        ({"state": SourceState.EXPANDING, "found": 100, "total": 400, "sized": False}, None),
        ({"state": SourceState.DONE, "found": 400, "total": 400}, None),
        ({"state": SourceState.QUEUED, "total": 400}, None),
    ],
)
def test_the_progress_bar_shows_while_expanding_towards_a_known_target(changes, percent):
    assert listed_percent(view(**changes)) == percent
    card = source_card(view(**changes))
    assert card.show_progress is (percent is not None)
    assert card.progress == (percent or 0)


def test_an_expanding_card_says_how_many_of_how_many_were_found():
    card = source_card(view(state=SourceState.EXPANDING, title="X", found=150, total=412))
    assert card.message == "Expanding playlist “X” · 150 of 412 found"


@pytest.mark.parametrize(
    ("total", "found", "expected"),
    [
        (1204, 0, [SourceChoice("Latest 50", 50), SourceChoice("Latest 200", 200), SourceChoice("All 1,204", ALL)]),
        (75, 0, [SourceChoice("Latest 50", 50), SourceChoice("All 75", ALL)]),
        (None, 230, [SourceChoice("Latest 50", 50), SourceChoice("Latest 200", 200), SourceChoice("All", ALL)]),
    ],
)
def test_a_large_source_offers_the_latest_below_its_size_and_all(total, found, expected):
    card = source_card(view(state=SourceState.AWAITING_CHOICE, total=total, found=found))
    assert card.choices == expected
    assert card.dismiss_label == "Cancel"


@pytest.mark.parametrize(
    ("state", "label"),
    [
        (SourceState.QUEUED, ""),
        (SourceState.EXPANDING, ""),
        (SourceState.AWAITING_CHOICE, "Cancel"),
        (SourceState.OFFERED, "No thanks"),
        (SourceState.DONE, "Dismiss"),
        (SourceState.FAILED, "Dismiss"),
        (SourceState.CANCELLED, "Dismiss"),
    ],
)
def test_finished_cards_can_be_dismissed_and_questions_declined(state, label):
    assert source_card(view(state=state)).dismiss_label == label


def test_a_failed_card_says_why_in_plain_words_and_cannot_be_followed():
    card = source_card(view(state=SourceState.FAILED, error_message="Playlist not found"))
    assert (card.message, card.failed, card.can_follow) == ("Playlist not found", True, False)


def test_a_finished_card_names_private_and_deleted_entries():
    card = source_card(view(state=SourceState.DONE, found=412, private=3, deleted=1))
    assert card.message == "412 found, 3 private, 1 deleted"


@pytest.mark.parametrize(
    ("changes", "can_follow", "following"),
    [
        ({}, True, False),
        ({"following": True}, True, True),
        ({"following": True, "follow_paused": True}, True, False),
        ({"state": SourceState.OFFERED}, False, False),
        ({"key": "RDdQw4w9WgXcQ"}, False, False),
        ({"kind": SourceKind.CHANNEL, "key": "@simchannel75", "state": SourceState.DONE}, True, False),
    ],
)
def test_the_follow_switch_is_offered_for_what_has_uploads(changes, can_follow, following):
    card = source_card(view(**changes))
    assert (card.can_follow, card.following) == (can_follow, following)


def test_an_offer_gets_its_own_icon_and_names_its_size_once_known():
    unsized = source_card(view(state=SourceState.OFFERED, title="Mix", sized=False))
    assert (unsized.offered, unsized.icon, unsized.message) == (
        True,
        "list-plus",
        "Also import the whole playlist “Mix”",
    )
    sized = source_card(view(state=SourceState.OFFERED, title="Mix", total=412))
    assert sized.message == "Also import the whole playlist “Mix” (412 videos)"


@pytest.mark.parametrize(
    ("ago_s", "words"),
    [
        (None, "never checked"),
        (-30, "checked just now"),
        (59, "checked just now"),
        (60, "checked 1 min ago"),
        (5 * 60 + 20, "checked 5 min ago"),
        (3 * 3600, "checked 3 h ago"),
        (86_400, "checked 1 day ago"),
        (3 * 86_400, "checked 3 days ago"),
    ],
)
def test_checked_ago(ago_s, words):
    moment = None if ago_s is None else NOW - dt.timedelta(seconds=ago_s)
    assert checked_ago(moment, NOW) == words


FIVE_MIN_AGO = NOW - dt.timedelta(minutes=5)


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({}, "Inbox · never checked"),
        ({"last_checked_at": FIVE_MIN_AGO, "added_by_follow": 1}, "Inbox · checked 5 min ago · 1 added"),
        ({"last_checked_at": FIVE_MIN_AGO, "added_by_follow": 1200}, "Inbox · checked 5 min ago · 1,200 added"),
        (
            {"last_checked_at": FIVE_MIN_AGO, "follow_paused": True},
            "Inbox · paused · checked 5 min ago · 0 added",
        ),
        (
            {"last_checked_at": FIVE_MIN_AGO, "check_error": "Channel not found"},
            "Inbox · checked 5 min ago · last check failed: Channel not found",
        ),
    ],
)
def test_the_sidebar_line_names_the_list_the_last_check_and_what_it_added(changes, detail):
    assert follow_detail(view(following=True, **changes), "Inbox", NOW) == detail


def test_a_followed_item_links_to_its_list():
    item = followed_item(view(following=True, list_id=3, title="Woodworking"), {3: "Later"}, NOW)
    assert (item.title, item.href, item.detail, item.paused) == (
        "Woodworking",
        "/list/3",
        "Later · never checked",
        False,
    )


@pytest.mark.parametrize(
    ("value", "expected"), [(7, 7), ("7", 7), (0, None), (-1, None), ("x", None), (None, None), (True, None)]
)
def test_source_id_arguments_are_checked(value, expected):
    assert source_id_arg(value) == expected


def test_the_paste_report_names_duplicate_sources_and_keeps_the_offers(db):
    list_id = library.ensure_default_list(db)
    first = library.import_paste(db, list_id, "https://www.youtube.com/playlist?list=PLsimulated400")
    again = library.import_paste(
        db,
        list_id,
        "https://www.youtube.com/playlist?list=PLsimulated400\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLoffered0012",
    )
    assert first.sources and not again.sources
    report = paste_report(again)
    assert report.duplicate_sources == ["https://www.youtube.com/playlist?list=PLsimulated400"]
    assert report.duplicate_sources_count == 1
    assert report.offer_ids == list(again.offers) and len(report.offer_ids) == 1
    offer = sources.get_source(db, report.offer_ids[0])
    assert (offer.state, offer.key) == (SourceState.OFFERED, "PLoffered0012")


def import_state() -> ImportState:
    root = rx.State(_reflex_internal_init=True)
    return root.get_substate(ImportState.get_full_name().split(".")[1:])


def test_the_duplicate_sources_line_reads_as_a_sentence():
    state = import_state()
    state.duplicate_sources_count, state.duplicate_sources = 1, ["https://www.youtube.com/@simchannel75/videos"]
    assert state.duplicate_sources_summary == (
        "1 playlist or channel is already being imported or followed here, not added again: "
        "https://www.youtube.com/@simchannel75/videos"
    )
    state.duplicate_sources_count = 2
    assert state.duplicate_sources_summary.startswith("2 playlists or channels are already")


def test_a_report_with_only_an_offer_is_shown():
    state = import_state()
    assert not state.has_report
    state.offer_ids = [4]
    assert state.has_report
