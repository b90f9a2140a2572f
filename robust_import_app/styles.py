"""Shared style values."""

CARD_WIDTH = "16rem"
THUMB_HEIGHT = "9rem"
THUMB_PLACEHOLDER = "/thumbnail-placeholder.svg"
"""Shown where a thumbnail is missing or does not load (``assets/``)."""
RING_SIZE = "4.5rem"
ACCENT = "var(--accent-9)"
MUTED = "var(--gray-11)"
WIDE_ONLY = ["none", "none", "flex"]
"""Responsive ``display``: shown from Reflex's third breakpoint (48em, 768 px) up."""
NARROW_ONLY = ["block", "block", "none"]
"""Responsive ``display``: shown below 48em (768 px) only, e.g. the phone's menu button."""

importing_thumbnail = {"filter": "grayscale(100%)", "opacity": "0.55"}
failed_thumbnail = {"filter": "grayscale(100%)", "opacity": "0.8"}
download_link = {"color": "var(--accent-11)", "font_size": "var(--font-size-2)", "text_underline_offset": "0.2em"}
"""A plain ``<a download>`` looking like the app's links."""
grid = {
    "display": "grid",
    "grid_template_columns": f"repeat(auto-fill, minmax({CARD_WIDTH}, 1fr))",
    "gap": "1rem",
    "width": "100%",
}


def clamp(lines: int) -> dict[str, str]:
    """Cut text after ``lines`` lines with an ellipsis.

    Use it on text without Radix's ``trim``: trimming pulls the box in by
    negative margins, so the clipped box would cut the first line's
    ascenders and the last line's descenders. Long words wrap rather than
    overflow, so a title that fits in ``lines`` lines gets no "…".
    """
    return {
        "display": "-webkit-box",
        "-webkit-line-clamp": str(lines),
        "line-clamp": str(lines),
        "-webkit-box-orient": "vertical",
        "overflow": "hidden",
        "overflow-wrap": "anywhere",
    }
