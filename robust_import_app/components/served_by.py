"""Which backend process serves this tab, for telling several Reflex backend workers apart.

With ``REFLEX_REDIS_URL`` set, ``reflex run --env prod`` runs several backend
worker processes (``GRANIAN_WORKERS``); each tab's socket lands on one of
them, and its events are handled there. The hidden element holds that
process's id (a number, nothing secret); the scale-out browser test reads it
to open two tabs on two different workers.
"""

from __future__ import annotations

import os

import reflex as rx


class ServedBy(rx.State):
    """The process id of the backend worker that handles this tab's events (0 until mounted)."""

    pid: int = 0

    @rx.event
    def identify(self) -> None:
        """Record the id of the process handling this event."""
        self.pid = os.getpid()


def served_by() -> rx.Component:
    """A hidden ``<span data-testid="served-by">`` with the backend worker's process id."""
    return rx.el.span(ServedBy.pid, hidden=True, data_testid="served-by", on_mount=ServedBy.identify)
