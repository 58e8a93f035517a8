"""Bad settings stop the run before any request, with one clear sentence."""

from __future__ import annotations

import datetime as dt
import subprocess
import typing as t

import pytest

from tap_wolkvox.sandbox.server import WolkvoxSimulator
from tap_wolkvox.settings import CONFIG_SCHEMA, SettingsError, config_errors, read_settings
from tests.helpers import (
    TOKEN,
    Clock,
    TapRunner,
    base_config,
    parse_messages,
    run_in_process,
    tap_command,
    tap_env,
    transfer,
)


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
            {"window_day": 7},
            (
                "Additional properties are not allowed ('window_day' was unexpected); did you mean "
                "'window_days'?"
            ),
        ),
        ({"window_days": 45}, "45 is greater than the maximum of 31"),
        ({"wolkvox_server": "wv0048.wolkvox.com", "api_url": None}, "does not match"),
        ({"disposition_code_variant": "cod_act9"}, "'cod_act9' is not one of"),
        (
            {"end_date": "9999-12-31"},
            (
                "Setting 'end_date': '9999-12-31' is outside the dates the tap accepts, 1970-01-01 to "
                "9998-12-31 (leave end_date unset to read up to now)."
            ),
        ),
        (
            {"start_date": "0001-01-01", "timezone": "Asia/Tokyo"},
            (
                "Setting 'start_date': '0001-01-01' is outside the dates the tap accepts, 1970-01-01 to "
                "9998-12-31."
            ),
        ),
        (
            {"start_date": "0001-01-01T00:00:00+09:00"},
            "Setting 'start_date': '0001-01-01T00:00:00+09:00' is outside the dates the tap accepts",
        ),
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
        "end-out-of-range",
        "start-out-of-range",
        "start-before-year-1-in-utc",
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


def test_a_misspelt_key_is_named_with_the_setting_it_resembles() -> None:
    config = {"token": TOKEN, "api_url": "https://x", "start_date": "2025-01-01"}
    assert config_errors(CONFIG_SCHEMA, {**config, "window_day": 7, "tokn": "x"}) == [
        (
            "Additional properties are not allowed ('tokn', 'window_day' were unexpected); did you "
            "mean 'token' for 'tokn', 'window_days' for 'window_day'?"
        )
    ]
    # a name like no setting gets no guess
    assert config_errors(CONFIG_SCHEMA, {**config, "xyzzy": 1}) == [
        "Additional properties are not allowed ('xyzzy' was unexpected)"
    ]


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
    from tap_wolkvox.streams.http import base_url

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


# -- secrets are never echoed -------------------------------------------------------------------

DIGITS = "98765432101234"


def run_with_env(
    run_tap: TapRunner, config: dict[str, t.Any], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run the tap with ``--config FILE --config ENV``: the environment wins over the file."""
    config_path = run_tap.write(f"env-config-{len(env)}.json", config)
    command = tap_command(config_path, None, run_tap.catalog(["interaction_transfers"]))
    return subprocess.run(
        [*command, "--config", "ENV"],
        capture_output=True,
        text=True,
        env=tap_env(**env),
        timeout=120,
        check=False,
    )


def test_a_token_of_the_wrong_type_is_not_echoed(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    run = run_tap(base_config(simulator, token=int(DIGITS)))
    assert run.returncode == 1
    assert DIGITS not in run.stderr + run.stdout
    assert (
        "config['token'] must be of type 'string'; the value is not shown because 'token' is a "
        "secret setting." in run.stderr
    )
    assert "Traceback" not in run.stderr
    assert simulator.requests == []


def test_a_token_from_the_environment_is_never_echoed(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    config = {k: v for k, v in base_config(simulator).items() if k != "token"}
    done = run_with_env(
        run_tap,
        {**config, "window_days": 45},
        {"TAP_WOLKVOX_TOKEN": DIGITS, "TAP_WOLKVOX_LOGLEVEL": "DEBUG"},
    )
    assert done.returncode == 1
    assert "45 is greater than the maximum of 31 in config['window_days']" in done.stderr
    assert DIGITS not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


def test_a_token_of_digits_from_the_environment_is_sent_as_it_is(run_tap: TapRunner) -> None:
    with WolkvoxSimulator(token=DIGITS, now=lambda: "2025-06-30 23:59:59") as sim:
        sim.set_rows("chat_9", [transfer("EM1", "2025-01-02 08:15:00")])
        config = {k: v for k, v in base_config(sim).items() if k != "token"}
        done = run_with_env(
            run_tap, config, {"TAP_WOLKVOX_TOKEN": DIGITS, "TAP_WOLKVOX_LOGLEVEL": "DEBUG"}
        )
    assert done.returncode == 0, done.stderr
    assert [
        m["record"]["conn_id"] for m in parse_messages(done.stdout) if m["type"] == "RECORD"
    ] == ["EM1"]
    assert DIGITS not in done.stderr + done.stdout


def test_every_secret_of_a_schema_is_kept_out_of_its_messages() -> None:
    schema = {
        "type": "object",
        "properties": {
            "password": {"type": "string", "secret": True},
            "auth": {
                "type": "object",
                "properties": {
                    "client_secret": {"type": "string", "minLength": 12, "writeOnly": True},
                    "client_id": {"type": "string"},
                },
            },
            "other": {"type": "object", "properties": {"key": {"type": "string", "secret": True}}},
            "port": {"type": "integer"},
        },
        "required": ["password", "user"],
    }
    config = {
        "password": 12345,
        "auth": {"client_secret": "short-one", "client_id": 7},
        "other": "key=hunter2",
        "port": "eighty",
    }
    errors = config_errors(schema, config)
    text = "\n".join(errors)
    for secret in ("12345", "short-one", "hunter2"):
        assert secret not in text
    assert sorted(errors) == sorted(
        [
            "'user' is a required property",
            (
                "config['password'] must be of type 'string'; the value is not shown because "
                "'password' is a secret setting."
            ),
            (
                "config['auth']['client_secret'] does not satisfy minLength 12; the value is not "
                "shown because 'auth.client_secret' is a secret setting."
            ),
            "7 is not of type 'string' in config['auth']['client_id']",
            (
                "config['other'] must be of type 'object'; its values are not shown because it "
                "holds a secret setting."
            ),
            "'eighty' is not of type 'integer' in config['port']",
        ]
    )


# -- numbers from the environment ---------------------------------------------------------------


@pytest.mark.parametrize("wait", ["5", "0.01", "1e-2"])
def test_numbers_from_the_environment_are_read_as_numbers(
    simulator: WolkvoxSimulator, run_tap: TapRunner, wait: str
) -> None:
    simulator.set_rows("chat_9", [transfer("EM1", "2025-03-30 10:00:00")])
    config = {
        k: v
        for k, v in base_config(simulator).items()
        if k not in {"retry_wait_seconds", "request_timeout"}
    }
    env = {
        "TAP_WOLKVOX_WINDOW_DAYS": "10",
        "TAP_WOLKVOX_RETRY_WAIT_SECONDS": wait,
        "TAP_WOLKVOX_REQUEST_TIMEOUT": " 5 ",
        "TAP_WOLKVOX_MAX_ATTEMPTS": "3.0",
    }
    done = run_with_env(run_tap, config, env)
    assert done.returncode == 0, done.stderr
    assert len(simulator.requests) == 9  # 90 days in windows of 10
    assert "Traceback" not in done.stderr


def test_settings_from_the_environment_keep_their_types(
    monkeypatch: pytest.MonkeyPatch, simulator: WolkvoxSimulator
) -> None:
    from tap_wolkvox.tap import TapWolkvox

    for name, value in {
        "TOKEN": DIGITS,
        "API_URL": simulator.url,
        "START_DATE": "2025-01-01",
        "WINDOW_DAYS": "7",
        "RETRY_WAIT_SECONDS": "2.5",
        "CAMPAIGN_IDS": '["101","202"]',
    }.items():
        monkeypatch.setenv(f"TAP_WOLKVOX_{name}", value)
    tap = TapWolkvox(config={}, parse_env_config=True, setup_mapper=False)
    assert tap.config["token"] == DIGITS
    assert tap.config["window_days"] == 7
    assert isinstance(tap.config["window_days"], int)
    assert tap.config["retry_wait_seconds"] == 2.5
    assert tap.config["campaign_ids"] == ["101", "202"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"TAP_WOLKVOX_WINDOW_DAYS": "abc"},
            (
                "Setting 'window_days' (environment variable TAP_WOLKVOX_WINDOW_DAYS) must be a "
                "whole number such as 31, not 'abc'."
            ),
        ),
        (
            {"TAP_WOLKVOX_RETRY_WAIT_SECONDS": "soon"},
            (
                "Setting 'retry_wait_seconds' (environment variable TAP_WOLKVOX_RETRY_WAIT_SECONDS) "
                "must be a number (e.g. 5 or 0.5), not 'soon'."
            ),
        ),
        (
            {"TAP_WOLKVOX_MAX_ATTEMPTS": ""},
            (
                "Setting 'max_attempts' (environment variable TAP_WOLKVOX_MAX_ATTEMPTS) must be a "
                "whole number such as 6, not ''."
            ),
        ),
        (
            {"TAP_WOLKVOX_WINDOW_DAYS": "2.5"},
            "2.5 is not of type 'integer', 'null' in config['window_days']",
        ),
        (
            {"TAP_WOLKVOX_WINDOW_DAYS": "45"},
            "45 is greater than the maximum of 31 in config['window_days']",
        ),
        (
            {"TAP_WOLKVOX_RETRY_WAIT_SECONDS": "-1"},
            "-1 is less than the minimum of 0 in config['retry_wait_seconds']",
        ),
    ],
    ids=["word", "number-word", "empty", "decimal-for-integer", "too-large", "negative"],
)
def test_a_bad_number_from_the_environment_stops_with_one_line(
    simulator: WolkvoxSimulator, run_tap: TapRunner, env: dict[str, str], message: str
) -> None:
    done = run_with_env(run_tap, base_config(simulator), env)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "| ERROR" in line]
    assert len(errors) == 2, done.stderr  # the setting, then "Config validation failed"
    assert message in errors[0]
    assert "Config validation failed" in errors[1]
    assert simulator.requests == []


def test_the_accepted_dates_convert_in_every_zone() -> None:
    # The ends of the range, read in the zones furthest from UTC either way.
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12", "Asia/Tokyo", "America/Bogota"):
        settings = read_settings(
            {
                "token": "x",
                "wolkvox_server": "0048",
                "start_date": "1970-01-01",
                "end_date": "9998-12-31",
                "timezone": zone,
            }
        )
        assert settings.end is not None
        assert settings.clock.wall_clock(settings.start) == dt.datetime(1970, 1, 1)
        assert settings.clock.wall_clock(settings.end) == dt.datetime(9998, 12, 31, 23, 59, 59)


# -- a date-only end_date includes that whole local day, for every grain ----------------------


@pytest.mark.parametrize(
    ("stream", "api", "asked"),
    [
        ("interaction_transfers", "chat_9", [("20250131000000", "20250131235959")]),
        ("agent_daily_performance", "agent_1", [("20250131000000", "20250131235959")]),
    ],
    ids=["event", "daily"],
)
def test_a_date_only_end_date_includes_that_whole_local_day(
    simulator: WolkvoxSimulator, stream: str, api: str, asked: list[tuple[str, str]]
) -> None:
    simulator.set_rows(api, [{**transfer("EM1", "2025-01-31 23:59:59"), "agent_id": "1201"}])
    config = base_config(simulator, start_date="2025-01-31", end_date="2025-01-31")
    run = run_in_process(config, clock=Clock("2025-06-30 23:59:59"), streams=[stream])
    assert run.returncode == 0, run.stderr
    assert [(r.params["date_ini"], r.params["date_end"]) for r in simulator.requests] == asked
    assert len(run.records()) == 1
    state = run.final_state["bookmarks"][stream]
    assert state["replication_key_value"] == (
        "2025-02-01T05:00:00+00:00" if stream == "interaction_transfers" else "2025-02-01"
    )
