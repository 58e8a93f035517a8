"""Bad settings stop the run before any request, with one clear sentence."""

from __future__ import annotations

import typing as t

import pytest

from tap_wolkvox.settings import SettingsError, read_settings
from tests.conftest import TOKEN, TapRunner, base_config

if t.TYPE_CHECKING:
    from tap_wolkvox.sandbox.server import WolkvoxSimulator


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"token": None}, "'token' is a required property"),
        (
            {"api_url": None},
            "Set either 'wolkvox_server' (e.g. 0048 for https://wv0048.wolkvox.com) or 'api_url'; neither is set.",
        ),
        (
            {"timezone": "Mars/Olympus_Mons"},
            "Setting 'timezone': 'Mars/Olympus_Mons' is not a known IANA time zone name",
        ),
        (
            {"start_date": "last tuesday"},
            "Setting 'start_date': 'last tuesday' is not an ISO 8601 date or date-time.",
        ),
        (
            {"end_date": "2025-13-45"},
            "Setting 'end_date': '2025-13-45' is not an ISO 8601 date or date-time.",
        ),
        (
            {"start_date": "2025-05-01", "end_date": "2025-04-01"},
            "Setting 'start_date' (2025-05-01) is after 'end_date' (2025-04-01).",
        ),
        (
            {"windows_days": 7},
            "Additional properties are not allowed ('windows_days' was unexpected)",
        ),
        ({"window_days": 45}, "45 is greater than the maximum of 31"),
        ({"wolkvox_server": "wv0048.wolkvox.com", "api_url": None}, "does not match"),
        ({"disposition_code_variant": "cod_act9"}, "'cod_act9' is not one of"),
    ],
    ids=[
        "no-token",
        "no-server",
        "timezone",
        "start",
        "end",
        "reversed",
        "typo",
        "span",
        "server",
        "variant",
    ],
)
def test_bad_settings_stop_before_any_request(
    simulator: WolkvoxSimulator, run_tap: TapRunner, change: dict[str, t.Any], message: str
) -> None:
    config = {k: v for k, v in {**base_config(simulator), **change}.items() if v is not None}
    run = run_tap(config)
    assert run.returncode != 0
    assert message in run.stderr
    assert "Traceback" not in run.stderr
    assert simulator.requests == []
    assert TOKEN not in run.stderr


def test_settings_are_read_in_the_operation_zone() -> None:
    settings = read_settings(
        {
            "token": "x",
            "wolkvox_server": "0048",
            "start_date": "2025-01-01",
            "timezone": "America/Lima",
        }
    )
    assert settings.start.isoformat() == "2025-01-01T05:00:00+00:00"
    assert settings.end is None
    assert settings.window_span.days == 31
    assert settings.row_cap == 60_000


def test_server_code_builds_the_url() -> None:
    from tap_wolkvox.client import base_url

    assert base_url({"wolkvox_server": "0048"}) == "https://wv0048.wolkvox.com"
    assert (
        base_url({"wolkvox_server": "0048", "api_url": "http://127.0.0.1:9/"})
        == "http://127.0.0.1:9"
    )


def test_read_settings_refuses_a_missing_start_date() -> None:
    with pytest.raises(SettingsError, match="start_date"):
        read_settings({"token": "x", "wolkvox_server": "0048"})


@pytest.mark.parametrize(
    "url",
    ["http://wv0048.wolkvox.com", "http://10.0.0.8:8080", "http://proxy.example.com/wolkvox"],
)
def test_the_token_never_travels_in_clear_text(url: str) -> None:
    with pytest.raises(SettingsError, match="the token would travel unencrypted"):
        read_settings({"token": "x", "api_url": url, "start_date": "2025-01-01"})


@pytest.mark.parametrize(
    "url",
    [
        "https://wv0048.wolkvox.com",
        "https://proxy.example.com/wolkvox",
        "http://127.0.0.1:8765",
        "http://127.8.9.10",
        "http://localhost:8765",
        "http://[::1]:8765",
    ],
)
def test_https_anywhere_and_http_on_this_machine_are_accepted(url: str) -> None:
    assert read_settings({"token": "x", "api_url": url, "start_date": "2025-01-01"})


def test_an_http_api_url_is_refused_before_any_request(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    run = run_tap(base_config(simulator, api_url="http://wv0048.wolkvox.com"))
    assert run.returncode == 1
    assert "uses http:// for wv0048.wolkvox.com: the token would travel unencrypted" in run.stderr
    assert "Traceback" not in run.stderr
    assert simulator.requests == []


def test_the_late_row_margin_defaults_to_15_minutes() -> None:
    settings = read_settings({"token": "x", "wolkvox_server": "0048", "start_date": "2025-01-01"})
    assert settings.settle.total_seconds() == 15 * 60
    assert settings.lookback.total_seconds() == 0
