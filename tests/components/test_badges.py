"""One caption-badge colour per caption source, shared by the card and the detail page."""

from __future__ import annotations

from robust_import_app.components.badges import CAPTION_COLORS, caption_color
from robust_import_app.domain.video import CaptionSource


def test_every_caption_source_has_a_colour():
    assert set(CAPTION_COLORS) == {source.value for source in CaptionSource}


def test_no_captions_is_gray_and_every_transcript_is_not():
    assert caption_color(CaptionSource.NONE.value) == "gray"
    assert all(caption_color(s.value) != "gray" for s in CaptionSource if s is not CaptionSource.NONE)
    assert caption_color("") == "gray", "a video without a caption source yet"


def test_card_and_detail_page_colour_the_badge_alike():
    import reflex as rx

    from robust_import_app.components.video_card import card_layout
    from robust_import_app.pages.video import video_page
    from robust_import_app.state.video import VideoState

    live = VideoState.card
    card = str(card_layout(live, live.stage, live.progress, rx.Var.create(False), rx.Var.create("")).render())
    detail = str(video_page().render())
    for rendered in (card, detail):
        assert all(f'"{colour}"' in rendered for colour in set(CAPTION_COLORS.values())), "the shared colour table"
