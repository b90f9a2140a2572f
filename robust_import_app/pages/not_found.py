"""The library routes' page: the library, or the 404 note when the URL names no list."""

from __future__ import annotations

import reflex as rx

from robust_import_app.components.not_found import not_found
from robust_import_app.pages.index import index
from robust_import_app.state.library import LibraryState


def library_or_not_found() -> rx.Component:
    """``/``, ``/list/<id>`` and ``/search``: the library page, or "This list doesn't exist"."""
    return rx.cond(LibraryState.not_found, not_found("This list doesn't exist"), index())
