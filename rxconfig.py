import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from robust_import_app.settings import DEFAULT_DB_URL

config = rx.Config(
    app_name="robust_import_app",
    db_url=DEFAULT_DB_URL,
    telemetry_enabled=False,
    disable_plugins=[SitemapPlugin],
)
