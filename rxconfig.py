import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from robust_import_app.settings import DEFAULT_DB_URL

config = rx.Config(
    app_name="robust_import_app",
    db_url=DEFAULT_DB_URL,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="red", radius="large"))],
    disable_plugins=[SitemapPlugin],
)
