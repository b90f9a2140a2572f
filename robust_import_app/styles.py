"""Shared style values."""

CARD_WIDTH = "16rem"
THUMB_HEIGHT = "9rem"
RING_SIZE = "4.5rem"
ACCENT = "var(--accent-9)"
MUTED = "var(--gray-11)"

importing_thumbnail = {"filter": "grayscale(100%)", "opacity": "0.55"}
failed_thumbnail = {"filter": "grayscale(100%)", "opacity": "0.8"}
grid = {
    "display": "grid",
    "grid_template_columns": f"repeat(auto-fill, minmax({CARD_WIDTH}, 1fr))",
    "gap": "1rem",
    "width": "100%",
}


def clamp(lines: int) -> dict[str, str]:
    """Cut text after ``lines`` lines with an ellipsis."""
    return {
        "display": "-webkit-box",
        "-webkit-line-clamp": str(lines),
        "-webkit-box-orient": "vertical",
        "overflow": "hidden",
    }
