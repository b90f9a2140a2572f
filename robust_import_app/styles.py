"""Shared style values."""

CARD_WIDTH = "16rem"
THUMB_PLACEHOLDER = "/thumbnail-placeholder.svg"
"""Shown where a thumbnail is missing or does not load (``assets/``)."""
ACCENT = "var(--accent-9)"
MUTED = "var(--gray-11)"
WIDE_ONLY = ["none", "none", "flex"]
"""Responsive ``display``: shown from Reflex's third breakpoint (48em, 768 px) up."""
NARROW_ONLY = ["block", "block", "none"]
"""Responsive ``display``: shown below 48em (768 px) only, e.g. the phone's menu button."""

download_link = {"color": "var(--accent-11)", "font_size": "var(--font-size-2)", "text_underline_offset": "0.2em"}
"""A plain ``<a download>`` looking like the app's links."""
grid = {
    "display": "grid",
    "grid_template_columns": f"repeat(auto-fill, minmax({CARD_WIDTH}, 1fr))",
    "gap": "1rem",
    "width": "100%",
}
