"""The selection's pure helpers: shift-click ranges and the move/copy toast's words."""

from __future__ import annotations

import pytest

from robust_import_app.library import MoveOutcome
from robust_import_app.state.selection import move_message, range_between

PAGE = [50, 49, 48, 47, 46]


@pytest.mark.parametrize(
    ("anchor", "clicked", "expected"),
    [
        (49, 47, [49, 48, 47]),
        (47, 49, [49, 48, 47]),
        (48, 48, [48]),
        (99, 47, [47]),
    ],
)
def test_shift_click_selects_the_range_either_way_round(anchor, clicked, expected):
    assert range_between(PAGE, anchor, clicked) == expected


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (MoveOutcome(moved=5, refused_already_there=2), "Moved 5 videos to Later; 2 were already there"),
        (MoveOutcome(moved=1, refused_already_there=1), "Moved 1 video to Later; 1 was already there"),
        (MoveOutcome(moved=3, refused_already_there=0), "Moved 3 videos to Later"),
    ],
)
def test_the_toast_says_how_many_moved_and_how_many_were_already_there(outcome, expected):
    assert move_message("Moved", outcome, "Later") == expected
