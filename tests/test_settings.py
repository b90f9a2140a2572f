"""Settings read from the environment: the lease, and secrets kept out of the repr."""

from __future__ import annotations

from robust_import_app.settings import Settings

SECRETS = {
    "YOUTUBE_API_KEY": "AIzaSyExampleExampleExampleExample123",
    "WHISPER_API_KEY": "gsk_exampleexampleexample",
    "YOUTUBE_PROXY_URL": "http://user:hunter2@proxy.example:8080",
}


def test_repr_shows_no_secret():
    settings = Settings.from_env(SECRETS)
    assert settings.youtube_api_key == SECRETS["YOUTUBE_API_KEY"]
    shown = repr(settings)
    for value in (*SECRETS.values(), "hunter2"):
        assert value not in shown


def test_lease_is_configurable():
    assert Settings.from_env({"IMPORT_LEASE_S": "7.5"}).lease_s == 7.5
    assert Settings.from_env({}).lease_s == 120.0


def test_the_configured_secrets_are_redacted_from_logs(caplog):
    import logging

    from robust_import_app.compose import protect_secrets

    logger = logging.getLogger("robust_import_app.test_secrets")
    protect_secrets(Settings.from_env(SECRETS))
    caplog.handler.addFilter(
        next(f for h in logging.getLogger().handlers for f in h.filters if type(f).__name__ == "RedactingFilter")
    )
    logger.warning("proxy %s with key %s", SECRETS["YOUTUBE_PROXY_URL"], SECRETS["WHISPER_API_KEY"])
    text = caplog.text
    assert "hunter2" not in text and SECRETS["WHISPER_API_KEY"] not in text
    assert "[redacted]" in text


def test_scale_out_settings():
    settings = Settings.from_env({"REFLEX_REDIS_URL": "redis://:pw@127.0.0.1:6379/0", "IMPORT_WORKER_IN_WEB": "0"})
    assert settings.redis_url == "redis://:pw@127.0.0.1:6379/0" and settings.worker_in_web is False
    assert Settings.from_env({}).worker_in_web is True
    assert "pw@" not in repr(settings)


def test_the_repr_shows_no_password_of_any_url() -> None:
    settings = Settings.from_env(
        {
            "REFLEX_DB_URL": "postgresql+psycopg://app:dbpassw0rd@db/lib",
            "REFLEX_REDIS_URL": "redis://:redispassw0rd@cache:6379/0",
            "YOUTUBE_PROXY_URL": "http://ann:proxypassw0rd@proxy:8080",
        }
    )
    assert settings.db_url.endswith("@db/lib")
    assert not any(word in repr(settings) for word in ("dbpassw0rd", "redispassw0rd", "proxypassw0rd"))
