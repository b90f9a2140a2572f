"""The app: pages, the export downloads (``/export/...``), the REST API (``/api/...``),
the health and metrics routes (``/healthz``, ``/readyz``, ``/metrics``), the web app manifest
(``/manifest.webmanifest``, from ``assets/``) and the import worker started with the server."""

from __future__ import annotations

import mimetypes

import reflex as rx

from robust_import_app.api.export_routes import export_routes
from robust_import_app.api.health import health_routes
from robust_import_app.api.rest import rest_routes
from robust_import_app.components import connection_notice
from robust_import_app.components.video_card import STYLESHEET as VIDEO_CARD_STYLESHEET
from robust_import_app.compose import get_database, protect_secrets
from robust_import_app.pages.add import add_page
from robust_import_app.pages.not_found import library_or_not_found
from robust_import_app.pages.settings import settings_page
from robust_import_app.pages.video import video_page
from robust_import_app.runtime import running_guards
from robust_import_app.serve import import_worker
from robust_import_app.settings import get_settings
from robust_import_app.share import ADD_PATH
from robust_import_app.state.add import AddState, SettingsState
from robust_import_app.state.library import LibraryState
from robust_import_app.state.video import VideoState

protect_secrets(get_settings())  # before any request: every process serving the app redacts its logs

# The static files are served with the type Python guesses; not every system's table knows this one.
mimetypes.add_type("application/manifest+json", ".webmanifest")

app = rx.App(
    toaster=rx.toast.provider(position="bottom-right"),
    stylesheets=[VIDEO_CARD_STYLESHEET],
    head_components=[
        rx.el.link(rel="manifest", href="/manifest.webmanifest"),
        rx.el.link(rel="apple-touch-icon", href="/icon-192.png"),
        rx.el.meta(name="theme-color", content="#e5484d"),
    ],
    api_transformer=[
        export_routes(get_database),
        rest_routes(get_database, api_token=get_settings().api_token),
        health_routes(get_database, redis_url=get_settings().redis_url, guards=running_guards),
    ],
)
connection_notice.install(app)
app.add_page(library_or_not_found, route="/", title="Robust Import", on_load=LibraryState.on_load)
app.add_page(library_or_not_found, route="/list/[list_id]", title="Robust Import", on_load=LibraryState.on_load)
app.add_page(library_or_not_found, route="/search", title="Search · Robust Import", on_load=LibraryState.on_load)
app.add_page(video_page, route="/video/[video_id]", title="Video · Robust Import", on_load=VideoState.on_load)
app.add_page(add_page, route=ADD_PATH, title="Add · Robust Import", on_load=AddState.on_load)
app.add_page(settings_page, route="/settings", title="Settings · Robust Import", on_load=SettingsState.on_load)
app.register_lifespan_task(import_worker)
