"""IMPORT_RETRY_AFTER_MAX_S: the longest Retry-After any upstream may impose."""

from __future__ import annotations

import pytest

from robust_import_app.domain.upstreams import Upstream
from robust_import_app.settings import Settings


def test_every_upstream_takes_the_retry_after_cap() -> None:
    configs = Settings.from_env({"IMPORT_RETRY_AFTER_MAX_S": "600"}).guard_configs()
    assert {upstream: config.retry_after_max_s for upstream, config in configs.items()} == dict.fromkeys(
        Upstream, 600.0
    )


def test_the_retry_after_cap_defaults_to_an_hour() -> None:
    assert all(config.retry_after_max_s == 3600.0 for config in Settings.from_env({}).guard_configs().values())


@pytest.mark.parametrize("value", ["0", "-1", "inf", "nan", "100000"])
def test_a_retry_after_cap_outside_a_day_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="retry_after_max_s"):
        Settings.from_env({"IMPORT_RETRY_AFTER_MAX_S": value})
