"""A video's card: greyed with a progress ring while importing, then complete or failed.

Stage and percent come from the list's shared live state while the video is
in flight, from the tab's page of cards otherwise. Every card carries
``data-testid="video-card"`` and ``data-stage`` for automated browser tests.

A page holds 48 cards, and the browser draws them all whenever a page of
cards arrives, so the card is made to be cheap to draw:

- plain HTML elements carrying Radix Themes' own classes (``rt-Card``,
  ``rt-Badge``, ``rt-Text``, ``rt-Button``, ``rt-CheckboxRoot``) for the
  look, laid out by the classes of ``assets/video_card.css``; a Radix Themes
  component instead costs a React component, its prop processing and an
  Emotion style per element;
- one memoized React component per card (:data:`card_view`) whose props are
  the card and the few live values it shows, so a progress update or a
  click on a checkbox redraws the cards it changes, not all 48.
"""

from __future__ import annotations

import reflex as rx

from robust_import_app.components.badges import caption_badge, chapter_badge
from robust_import_app.components.progress_ring import progress_ring
from robust_import_app.components.thumbnail import thumbnail_image
from robust_import_app.domain.stages import ImportStage
from robust_import_app.pipeline.stages import table
from robust_import_app.reflex_internals import router_link
from robust_import_app.state.cards import VideoCard
from robust_import_app.state.library import LibraryState
from robust_import_app.state.live import ListLive
from robust_import_app.state.selection import SelectionState

STYLESHEET = "/video_card.css"
"""The card's classes (``assets/video_card.css``); the app lists it in ``rx.App(stylesheets=...)``."""

_CARD_CLASSES = "rt-reset rt-BaseCard rt-Card rt-r-size-1 rt-variant-surface vc-card"
_TEXT_1 = "rt-Text rt-r-size-1"
_TEXT_2 = "rt-Text rt-r-size-2"
_ICON = {
    "fill": "none",
    "stroke": "currentColor",
    "strokeWidth": "2",
    "strokeLinecap": "round",
    "strokeLinejoin": "round",
}
"""Presentation attributes of a Lucide icon (https://lucide.dev), drawn inline."""


def _icon(*shapes: rx.Component, size: int, **props) -> rx.Component:
    return rx.el.svg(
        *shapes, view_box="0 0 24 24", width=str(size), height=str(size), custom_attrs=dict(_ICON), **props
    )


def _ellipsis_icon() -> rx.Component:
    """Lucide's "ellipsis"."""
    return _icon(*(rx.el.circle(cx=str(x), cy="12", r="1") for x in (12, 19, 5)), size=12, aria_hidden="true")


def _alert_icon(label: rx.Var[str]) -> rx.Component:
    """Lucide's "triangle-alert"."""
    return _icon(
        rx.el.path(d="m21.73 18-8-14a2 2 0 0 0-3.48 0l-8 14A2 2 0 0 0 4 21h16a2 2 0 0 0 1.73-3"),
        rx.el.path(d="M12 9v4"),
        rx.el.path(d="M12 17h.01"),
        size=20,
        role="img",
        aria_label=label,
    )


def _check_indicator() -> rx.Component:
    """Radix Themes' checkbox tick."""
    return rx.el.svg(
        rx.el.path(
            d="M8.53547 0.62293C8.88226 0.849446 8.97976 1.3142 8.75325 1.66099L4.5083 8.1599C4.38833 8.34356 "
            "4.19397 8.4655 3.9764 8.49358C3.75883 8.52167 3.53987 8.45309 3.3772 8.30591L0.616113 5.80777C0.308959 "
            "5.52987 0.285246 5.05559 0.563148 4.74844C0.84105 4.44128 1.31533 4.41757 1.62249 4.69547L3.73256 "
            "6.60459L7.49741 0.840706C7.72393 0.493916 8.18868 0.396414 8.53547 0.62293Z",
            custom_attrs={"fillRule": "evenodd", "clipRule": "evenodd"},
        ),
        view_box="0 0 9 9",
        width="9",
        height="9",
        custom_attrs={"fill": "currentcolor"},
        class_name="rt-BaseCheckboxIndicator rt-CheckboxIndicator",
        aria_hidden="true",
    )


def stage_labels() -> dict[str, str]:
    """The ring's words by stage name: "created" reads "Queued", a working stage its table label."""
    return {ImportStage.CREATED.value: "Queued", **table.stage_labels()}


def _stage_label(stage: rx.Var[str]) -> rx.Var[str]:
    """The ring's words for a stage (:func:`stage_labels`); any other stage reads as its name."""
    return rx.match(stage, *stage_labels().items(), stage)


def _detail_href(card: rx.Var[VideoCard]) -> rx.Var[str]:
    return "/video/" + card.id.to_string()


def _thumbnail(card: rx.Var[VideoCard], stage: rx.Var[str], progress: rx.Var[int]) -> rx.Component:
    return rx.el.div(
        router_link(
            thumbnail_image(
                card.thumbnail_url,
                loading="lazy",
                class_name=rx.cond(card.terminal, rx.cond(card.stage == "error", "vc-failed", ""), "vc-importing"),
                data_testid="card-thumbnail",
            ),
            to=_detail_href(card),
            # The title below is the same link: screen readers and keyboards get it once.
            aria_hidden="true",
            tab_index=-1,
        ),
        rx.cond(
            card.terminal,
            rx.cond(
                card.duration != "",
                rx.el.span(
                    card.duration,
                    class_name="rt-reset rt-Badge rt-r-size-1 rt-variant-solid vc-duration",
                    data_accent_color="gray",
                ),
            ),
            rx.el.div(progress_ring(progress, _stage_label(stage)), class_name="vc-ring-over"),
        ),
        class_name="vc-thumb",
    )


def _complete_details(card: rx.Var[VideoCard]) -> rx.Component:
    return rx.el.div(
        router_link(
            rx.el.p(card.title, class_name=f"{_TEXT_2} rt-r-weight-bold vc-clamp-2"),
            to=_detail_href(card),
            class_name="vc-title-link",
        ),
        rx.el.p(card.channel, class_name=f"{_TEXT_1} vc-muted"),
        rx.el.div(
            rx.el.p(card.published, class_name=f"{_TEXT_1} vc-muted"),
            rx.el.div(class_name="vc-spacer"),
            caption_badge(card.caption_badge, card.caption_source),
            chapter_badge(card.chapter_count),
            class_name="vc-row",
        ),
        rx.cond(
            card.note != "",
            rx.el.p(card.note, class_name=f"{_TEXT_1} vc-muted vc-clamp-2", title=card.note, data_testid="card-note"),
        ),
        class_name="vc-details",
    )


def _error_details(card: rx.Var[VideoCard]) -> rx.Component:
    return rx.el.div(
        rx.el.p(card.title, class_name=f"{_TEXT_2} vc-muted vc-clamp-1"),
        rx.el.div(
            rx.el.span(
                _alert_icon(card.error_message),
                class_name="vc-error-icon",
                title=card.error_message,
                data_testid="error-icon",
            ),
            rx.el.p(card.error_message, class_name=f"{_TEXT_1} vc-warn vc-grow", data_testid="error-reason"),
            rx.el.button(
                "Retry",
                type="button",
                class_name="rt-reset rt-BaseButton rt-r-size-1 rt-variant-soft rt-Button",
                on_click=LibraryState.retry_video(card.id),
            ),
            class_name="vc-row",
        ),
        class_name="vc-details",
    )


def _importing_details(card: rx.Var[VideoCard], waiting: rx.Var[str]) -> rx.Component:
    return rx.el.div(
        rx.el.p(rx.cond(card.title != card.youtube_id, card.title, "Importing…"), class_name=f"{_TEXT_2} vc-muted"),
        rx.cond(waiting != "", rx.el.p(waiting, class_name=f"{_TEXT_1} vc-warn", data_testid="card-waiting")),
        class_name="vc-details",
    )


def _select_box(card: rx.Var[VideoCard], selected: rx.Var[bool]) -> rx.Component:
    """The card's checkbox; shift-click selects the range from the last card clicked."""
    return rx.el.div(
        rx.el.label(
            rx.el.button(
                rx.cond(selected, _check_indicator()),
                type="button",
                role="checkbox",
                aria_checked=rx.cond(selected, "true", "false"),
                data_state=rx.cond(selected, "checked", "unchecked"),
                aria_label="Select " + card.title,
                on_click=lambda event: SelectionState.toggle(card.id, event["shift_key"]),
                class_name="rt-reset rt-BaseCheckboxRoot rt-CheckboxRoot rt-r-size-2 rt-variant-surface",
                data_testid="card-select",
            ),
            class_name=_TEXT_2,
        ),
        class_name="vc-select",
    )


def _card_menu(card: rx.Var[VideoCard]) -> rx.Component:
    """The card's small menu: Cancel import (while importing) and Delete."""
    return rx.el.div(
        rx.menu.root(
            rx.menu.trigger(
                rx.el.button(
                    _ellipsis_icon(),
                    type="button",
                    aria_label="Video actions",
                    class_name="rt-reset rt-BaseButton rt-r-size-1 rt-variant-solid rt-IconButton",
                    data_accent_color="gray",
                ),
            ),
            rx.menu.content(
                rx.cond(~card.terminal, rx.menu.item("Cancel import", on_click=SelectionState.cancel_video(card.id))),
                rx.menu.item("Delete…", color="red", on_click=SelectionState.ask_delete_video(card.id)),
                size="1",
            ),
        ),
        class_name="vc-menu",
    )


def card_layout(
    card: rx.Var[VideoCard],
    stage: rx.Var[str],
    progress: rx.Var[int],
    selected: rx.Var[bool],
    waiting: rx.Var[str],
) -> rx.Component:
    """One card's elements.

    ``stage`` and ``progress`` are the live values while the video is in
    flight, ``selected`` whether its checkbox is ticked, ``waiting`` the
    note under an importing card's title (a pause, or a retry's reason).
    """
    return rx.el.div(
        _select_box(card, selected),
        _card_menu(card),
        _thumbnail(card, stage, progress),
        rx.el.div(
            rx.cond(
                card.terminal,
                rx.cond(card.stage == "error", _error_details(card), _complete_details(card)),
                _importing_details(card, waiting),
            ),
            class_name="vc-body",
        ),
        class_name=rx.cond(selected, _CARD_CLASSES + " vc-selected", _CARD_CLASSES),
        data_testid="video-card",
        data_stage=stage,
        data_video_id=card.youtube_id,
    )


card_view = rx.memo(card_layout)
""":func:`card_layout` as one memoized React component, redrawn only when one of its props changes."""


def _stage(card: rx.Var[VideoCard]) -> rx.Var[str]:
    return rx.cond(card.terminal, card.stage, ListLive.stage.get(card.youtube_id, card.stage))


def _progress(card: rx.Var[VideoCard]) -> rx.Var[int]:
    return rx.cond(card.terminal, card.progress, ListLive.progress.get(card.youtube_id, card.progress))


def video_card(card: rx.Var[VideoCard]) -> rx.Component:
    """The card of one video, with its checkbox and menu over the thumbnail."""
    return card_view(
        card=card,
        stage=_stage(card),
        progress=_progress(card),
        selected=SelectionState.selected.contains(card.id),
        waiting=rx.cond(
            card.terminal, "", rx.cond(ListLive.paused_message != "", ListLive.paused_message, card.retry_note)
        ),
    )
