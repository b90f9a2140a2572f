"""YOUTUBE_POT_PROVIDER_URL reaches bgutil's PO token provider through yt-dlp's extractor args.

The plugin (bgutil-ytdlp-pot-provider 2.0.2, GPL-3.0) is an optional install, so a
stand-in with the plugin's class name ``BgUtilHTTPPTP`` is registered in yt-dlp's
real PO token registry: yt-dlp 2026.10.26 derives the extractor-args key from that
name (``youtubepot-bgutilhttp``, ``pot/_director.py``) and the plugin reads
``self._configuration_arg("base_url")``, as the stand-in does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from yt_dlp import YoutubeDL
from yt_dlp.extractor.youtube.pot._registry import _pot_providers
from yt_dlp.extractor.youtube.pot.provider import PoTokenProvider, PoTokenProviderRejectedRequest

from robust_import_app.compose import build_backend
from robust_import_app.settings import Settings
from robust_import_app.youtube import real
from robust_import_app.youtube.real import YouTubeClient

PROVIDER_URL = "http://127.0.0.1:4416"


class BgUtilHTTPPTP(PoTokenProvider):
    """The plugin's HTTP provider, reduced to reading its settings."""

    PROVIDER_VERSION = "test"

    def is_available(self) -> bool:
        return True

    def _real_request_pot(self, request: object) -> object:
        raise PoTokenProviderRejectedRequest("stand-in")


@pytest.fixture
def registered_provider() -> Iterator[type[BgUtilHTTPPTP]]:
    assert BgUtilHTTPPTP.PROVIDER_KEY not in _pot_providers.value, "the real plugin is installed"
    _pot_providers.value[BgUtilHTTPPTP.PROVIDER_KEY] = BgUtilHTTPPTP
    try:
        yield BgUtilHTTPPTP
    finally:
        del _pot_providers.value[BgUtilHTTPPTP.PROVIDER_KEY]


def provider_settings(client: YouTubeClient) -> list[str]:
    """The ``base_url`` the provider sees when yt-dlp runs with the client's options."""
    with YoutubeDL(client.ytdlp_options()) as ydl:
        ie = ydl.get_info_extractor("Youtube")
        ie.initialize()
        provider = ie._pot_director.providers[BgUtilHTTPPTP.PROVIDER_KEY]  # noqa: SLF001
        return provider._configuration_arg("base_url")  # noqa: SLF001


def test_the_setting_reaches_the_providers_base_url(registered_provider: type) -> None:
    settings = Settings.from_env({"YOUTUBE_POT_PROVIDER_URL": PROVIDER_URL})
    client = build_backend(settings)
    assert isinstance(client, YouTubeClient)
    assert client.ytdlp_options()["extractor_args"] == {"youtubepot-bgutilhttp": {"base_url": [PROVIDER_URL]}}
    assert provider_settings(client) == [PROVIDER_URL]


def test_without_the_setting_there_are_no_extractor_args(registered_provider: type) -> None:
    client = build_backend(Settings.from_env({}))
    assert isinstance(client, YouTubeClient)
    assert "extractor_args" not in client.ytdlp_options()
    assert provider_settings(client) == []


def test_a_url_without_the_plugin_is_logged_at_construction(caplog: pytest.LogCaptureFixture) -> None:
    assert not real.pot_provider_installed()  # requirements.txt leaves the plugin out
    with caplog.at_level(logging.WARNING, logger=real.__name__):
        YouTubeClient(pot_provider_url=PROVIDER_URL)
    assert "bgutil-ytdlp-pot-provider plugin is not installed" in caplog.text


def test_an_installed_plugin_is_found_and_not_warned_about(
    registered_provider: type, caplog: pytest.LogCaptureFixture
) -> None:
    assert real.POT_PROVIDER_KEY == registered_provider.PROVIDER_KEY
    assert real.pot_provider_installed()
    with caplog.at_level(logging.WARNING, logger=real.__name__):
        YouTubeClient(pot_provider_url=PROVIDER_URL)
    assert caplog.text == ""
