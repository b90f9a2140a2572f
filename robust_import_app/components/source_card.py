"""Source cards over the grid: each pasted playlist or channel of the list, as it expands into videos.

A card shows the source's kind, its title (its URL until the first page
names it), the line of :attr:`robust_import_app.sources.SourceView.message`
("Expanding playlist “X” · 150 of 412 found"), a progress bar while the
total is known, the "Latest 50 / All 1,204" buttons of a large source, the
"Follow for new uploads" switch and a dismiss button. An offered playlist
(a pasted watch link with ``list=``) gets "Import playlist"; the paste
report shows the offers of the tab's own last paste instead
(:func:`offer_line`). Every card carries ``data-testid="source-card"`` and
``data-state``.
"""

from __future__ import annotations

import reflex as rx

from robust_import_app import styles
from robust_import_app.state.importer import ImportState
from robust_import_app.state.library import LibraryState
from robust_import_app.state.source_cards import SourceCard, SourceChoice
from robust_import_app.state.sources import SourcesState


def _choice_button(card: rx.Var[SourceCard], choice: rx.Var[SourceChoice]) -> rx.Component:
    return rx.button(choice.label, size="1", variant="soft", on_click=SourcesState.choose(card.id, choice.limit))


def _follow_switch(card: rx.Var[SourceCard]) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.switch(
                checked=card.following,
                on_change=lambda on: SourcesState.set_following(card.id, on),
                size="1",
            ),
            rx.text("Follow for new uploads", size="1"),
            align="center",
            spacing="2",
        ),
        cursor="pointer",
    )


def _title(card: rx.Var[SourceCard]) -> rx.Component:
    return rx.hstack(
        rx.icon(card.icon, size=16, color=styles.MUTED, flex_shrink="0"),
        rx.link(
            card.title,
            href=card.url,
            is_external=True,
            size="2",
            weight="medium",
            color="inherit",
            underline="hover",
            trim="both",
            overflow="hidden",
            text_overflow="ellipsis",
            white_space="nowrap",
        ),
        align="center",
        spacing="2",
        min_width="0",
    )


def source_card(card: rx.Var[SourceCard]) -> rx.Component:
    """One source's card (see the module docstring)."""
    return rx.card(
        rx.hstack(
            rx.vstack(
                _title(card),
                rx.text(
                    card.message,
                    size="2",
                    color=rx.cond(card.failed, "var(--red-11)", styles.MUTED),
                    data_testid="source-message",
                ),
                rx.cond(
                    card.show_progress,
                    rx.progress(value=card.progress, max=100, size="1", width="100%", aria_label="Listed"),
                ),
                rx.cond(
                    card.choices.length() > 0,
                    rx.hstack(
                        rx.foreach(card.choices, lambda choice: _choice_button(card, choice)), spacing="2", wrap="wrap"
                    ),
                ),
                rx.cond(
                    card.offered,
                    rx.button("Import playlist", size="1", on_click=SourcesState.accept_offer(card.id)),
                ),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            rx.vstack(
                rx.cond(
                    card.dismiss_label != "",
                    rx.button(
                        card.dismiss_label,
                        size="1",
                        variant="ghost",
                        color_scheme="gray",
                        on_click=SourcesState.dismiss(card.id),
                    ),
                ),
                rx.cond(card.can_follow, _follow_switch(card)),
                align="end",
                spacing="2",
            ),
            align="start",
            width="100%",
        ),
        size="1",
        width="100%",
        data_testid="source-card",
        data_state=card.state,
    )


def _offer_card(card: rx.Var[SourceCard]) -> rx.Component:
    """An offer, unless the paste report shows it."""
    return rx.cond(ImportState.offer_ids.contains(card.id), rx.fragment(), source_card(card))


def source_cards() -> rx.Component:
    """The shown list's source cards, oldest first; nothing on the search across all lists."""
    return rx.cond(
        LibraryState.all_lists | ((SourcesState.cards.length() == 0) & (SourcesState.offers.length() == 0)),
        rx.fragment(),
        rx.vstack(
            rx.foreach(SourcesState.cards, source_card),
            rx.foreach(SourcesState.offers, _offer_card),
            spacing="2",
            width="100%",
            data_testid="source-cards",
        ),
    )


def offer_line(card: rx.Var[SourceCard]) -> rx.Component:
    """The paste report's one-click offer of this paste: "Also import the whole playlist “X” (412 videos)"."""
    return rx.cond(
        ImportState.offer_ids.contains(card.id),
        rx.button(
            rx.icon("list-plus", size=14),
            card.message,
            size="1",
            variant="soft",
            on_click=ImportState.accept_offer(card.id),
            data_testid="offer-button",
        ),
    )
