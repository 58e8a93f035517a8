"""What a newcomer trips over at start-up: a misspelt variable, nothing selected, numeric IDs,
a discovery that cannot say why the config is wrong, and logs too loud to read."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import typing as t

import pytest
from singer_sdk.exceptions import ConfigValidationError

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.declarations.information import DIMENSIONS, INFORMATION_REPORTS
from tap_wolkvox.declarations.realtime import SNAPSHOTS
from tap_wolkvox.run.inputs import NOTHING_SELECTED
from tap_wolkvox.sandbox.generated import generated_sources
from tap_wolkvox.sandbox.server import WolkvoxSimulator
from tap_wolkvox.settings import CONFIG_SCHEMA, unknown_variables
from tap_wolkvox.tap import TapWolkvox
from tests.helpers import (
    Q1,
    ROOT,
    TOKEN,
    Clock,
    TapRunner,
    base_config,
    parse_messages,
    run_in_process,
    spread,
    tap_command,
    tap_env,
    without_clock_warning,
)

#: A value no log line may show.
VALUE = "value-never-shown-4242"
DEFAULT_STREAMS = sorted(report.stream for report in REPORTS if report.selected_by_default)
#: Every stream the tap offers: the 104 reports, the information.php family, the snapshots.
STREAM_COUNT = len(REPORTS) + len(DIMENSIONS) + len(INFORMATION_REPORTS) + len(SNAPSHOTS)
#: How many streams a run without a catalog selects: the reports' and agents and skills.
DEFAULT_SELECTED = len(DEFAULT_STREAMS) + sum(d.selected_by_default for d in DIMENSIONS)
SKILL_DAYS = "skill_daily_service_levels_by_date"  # skill_3: rows carry no skill_id of their own


def lines(stderr: str, level: str) -> list[str]:
    return without_clock_warning([line for line in stderr.splitlines() if f"| {level}" in line])


def message(line: str) -> str:
    """What a log line says, without its time, level and logger."""
    return line.rsplit(" | ", 1)[-1]


def run_command(
    run_tap: TapRunner,
    config: dict[str, t.Any] | None,
    *extra: str,
    env: dict[str, str] | None = None,
    streams: t.Sequence[str] | None = ("interaction_transfers",),
) -> subprocess.CompletedProcess[str]:
    """Run the tap's command with ``extra`` arguments (``--config ENV``, ``--discover``...)."""
    run_tap.count += 1
    config_path = run_tap.write(f"start-config-{run_tap.count}.json", config or {})
    command = tap_command(config_path, None, run_tap.catalog(streams))
    return subprocess.run(
        [*command, *extra],
        capture_output=True,
        text=True,
        env=tap_env(**(env or {})),
        timeout=120,
        check=False,
    )


@pytest.fixture
def operation() -> t.Iterator[WolkvoxSimulator]:
    """The sandbox serving every report (generated rows, February 2025)."""
    with WolkvoxSimulator(token=TOKEN, now=lambda: "2025-02-28 23:59:59") as sim:
        sim.sources.update(generated_sources(REPORTS, dt.date(2025, 2, 1), dt.date(2025, 2, 28)))
        yield sim


def february(sim: WolkvoxSimulator, **overrides: t.Any) -> dict[str, t.Any]:
    return base_config(sim, start_date="2025-02-25", end_date="2025-02-27T23:59:59", **overrides)


# -- 1. a misspelt TAP_WOLKVOX_* variable is named, with the setting it resembles -------------

#: Variables that are no typo: Meltano's own (a second underscore), the SDK's log level, the
#: SDK's built-in settings, and the variables Meltano exports for the keys of object settings.
NO_TYPOS = {
    "TAP_WOLKVOX__SELECT": '["interaction_transfers.*"]',
    "TAP_WOLKVOX__NORTH_TOKEN": VALUE,
    "TAP_WOLKVOX__LOAD_SCHEMA": "tap_wolkvox",
    "TAP_WOLKVOX_LOGLEVEL": "INFO",
    "TAP_WOLKVOX_FLATTENING_ENABLED": "false",
    "TAP_WOLKVOX_STREAM_MAPS_INTERACTION_TRANSFERS_AGENT_NAME": "__NULL__",
    "TAP_WOLKVOX_FAKER_CONFIG_SEED": "3",
}


@pytest.mark.parametrize("from_env", [False, True], ids=["config-file", "config-env"])
def test_a_misspelt_variable_is_named_once_with_the_setting_it_resembles(
    simulator: WolkvoxSimulator, run_tap: TapRunner, from_env: bool
) -> None:
    simulator.set_rows("chat_9", spread(20, *Q1))
    env = {**NO_TYPOS, "TAP_WOLKVOX_LOOKBACK_MINUTE": VALUE, "TAP_WOLKVOX_XYZZY": VALUE}
    done = run_command(
        run_tap, base_config(simulator), *(["--config", "ENV"] if from_env else []), env=env
    )
    assert done.returncode == 0, done.stderr
    assert [message(line) for line in lines(done.stderr, "WARNING")] == [
        (
            "TAP_WOLKVOX_LOOKBACK_MINUTE names no setting (did you mean "
            "TAP_WOLKVOX_LOOKBACK_MINUTES?); it is ignored."
        ),
        "TAP_WOLKVOX_XYZZY names no setting; it is ignored.",
    ]
    assert VALUE not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    assert simulator.requests[0].params["date_ini"] == "20250101000000"


def test_discovery_names_a_misspelt_variable_too(run_tap: TapRunner) -> None:
    config = {"token": TOKEN, "wolkvox_server": "0048", "start_date": "2025-01-01"}
    done = run_command(
        run_tap, config, "--discover", env={"TAP_WOLKVOX_WINDOWS_DAYS": "7"}, streams=None
    )
    assert done.returncode == 0, done.stderr
    [warning] = lines(done.stderr, "WARNING")
    assert message(warning) == (
        "TAP_WOLKVOX_WINDOWS_DAYS names no setting (did you mean TAP_WOLKVOX_WINDOW_DAYS?); it "
        "is ignored."
    )
    assert len(json.loads(done.stdout)["streams"]) == STREAM_COUNT


def test_a_misspelt_variable_is_named_before_the_config_it_leaves_incomplete_fails(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    config = {k: v for k, v in base_config(simulator).items() if k != "token"}
    done = run_command(run_tap, config, "--config", "ENV", env={"TAP_WOLKVOX_TOKN": VALUE})
    assert done.returncode == 1
    said = done.stderr.splitlines()
    [warning] = lines(done.stderr, "WARNING")
    assert message(warning) == (
        "TAP_WOLKVOX_TOKN names no setting (did you mean TAP_WOLKVOX_TOKEN?); it is ignored."
    )
    errors = lines(done.stderr, "ERROR")
    assert "'token' is a required property" in errors[0]
    assert said.index(warning) < said.index(errors[0])
    assert VALUE not in done.stderr
    assert simulator.requests == []


def test_every_setting_of_the_full_schema_is_a_known_variable() -> None:
    schema = TapWolkvox.full_config_schema()
    names = {f"TAP_WOLKVOX_{name.upper()}" for name in schema["properties"]}
    assert {"TAP_WOLKVOX_STREAM_MAPS", "TAP_WOLKVOX_FLATTENING_MAX_DEPTH"} <= names
    assert unknown_variables(schema, "TAP_WOLKVOX_", [*names, *NO_TYPOS]) == []
    # only the names are read: the variables' values never reach the warnings
    assert unknown_variables(CONFIG_SCHEMA, "TAP_WOLKVOX_", ["TAP_WOLKVOX_token"]) == [
        "TAP_WOLKVOX_token names no setting (did you mean TAP_WOLKVOX_TOKEN?); it is ignored."
    ]


# -- 2. a sync with nothing selected fails with one sentence ----------------------------------


def test_a_sync_with_no_stream_selected_fails_with_one_sentence(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    state = {"bookmarks": {"interaction_transfers": {"replication_key_value": "2025-02-01"}}}
    run = run_tap(base_config(simulator), state, streams=[])
    assert NOTHING_SELECTED in run.the_error()
    assert "meltano select tap-wolkvox" in NOTHING_SELECTED
    assert run.stdout == ""  # not even the incoming STATE: nothing happened
    assert simulator.requests == []


def test_in_process_a_sync_with_no_stream_selected_fails_too(simulator: WolkvoxSimulator) -> None:
    run = run_in_process(base_config(simulator), clock=Clock("2025-06-30 12:00:00"), streams=())
    assert run.returncode == 1
    assert f"ERROR | {NOTHING_SELECTED}" in run.stderr
    assert run.messages == []


def test_discovery_about_and_test_do_not_need_a_selection(
    operation: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    config = february(operation)
    discovered = run_command(run_tap, config, "--discover", streams=None)
    assert discovered.returncode == 0, discovered.stderr
    assert len(json.loads(discovered.stdout)["streams"]) == STREAM_COUNT
    about = run_command(run_tap, config, "--about", streams=[])
    assert about.returncode == 0, about.stderr
    tested = run_command(run_tap, config, "--test=schema", streams=[])
    assert tested.returncode == 0, tested.stderr
    assert NOTHING_SELECTED not in discovered.stderr + about.stderr + tested.stderr


# -- 3. IDs as numbers -------------------------------------------------------------------------


def skill_run(run_tap: TapRunner, config: dict[str, t.Any], **env: str) -> tuple[t.Any, ...]:
    """The skill IDs sent, the skill_id column, and the state's partitions of one run."""
    done = run_command(
        run_tap, config, *(["--config", "ENV"] if env else []), env=env, streams=[SKILL_DAYS]
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    messages = parse_messages(done.stdout)
    column = sorted({m["record"]["skill_id"] for m in messages if m["type"] == "RECORD"})
    state = [m["value"] for m in messages if m["type"] == "STATE"][-1]
    contexts = [p["context"] for p in state["bookmarks"][SKILL_DAYS]["partitions"]]
    return column, contexts


@pytest.mark.parametrize(
    ("ids", "env"),
    [
        ([3001, 3002], {}),
        ([3001, "3002"], {}),
        (None, {"TAP_WOLKVOX_SKILL_IDS": "[3001, 3002]"}),
        (None, {"TAP_WOLKVOX_SKILL_IDS": "3001,3002"}),
    ],
    ids=["numbers", "mixed", "env-json-numbers", "env-comma-list"],
)
def test_numeric_ids_are_read_as_text(
    operation: WolkvoxSimulator,
    run_tap: TapRunner,
    ids: list[t.Any] | None,
    env: dict[str, str],
) -> None:
    as_text = skill_run(run_tap, february(operation, skill_ids=["3001", "3002"]))
    operation.requests.clear()
    config = february(operation) if ids is None else february(operation, skill_ids=ids)
    column, contexts = skill_run(run_tap, config, **env)
    # the same rows, columns and state partitions as with the IDs written as text
    assert (column, contexts) == as_text
    assert column == ["3001", "3002"]
    assert contexts == [{"skill_id": "3001"}, {"skill_id": "3002"}]
    assert sorted({r.params["skill_id"] for r in operation.requests}) == ["3001", "3002"]


#: The form of an ID list the README gives for a variable (JSON: Meltano and --config=ENV read
#: it alike, and the SDK's comma-separated form is deprecated).
DOCUMENTED_IDS = re.compile(r"TAP_WOLKVOX_SKILL_IDS='(?P<value>[^']+)'")


def test_the_documented_id_list_variable_reads_every_id_with_no_warning(
    operation: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    found = DOCUMENTED_IDS.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert found, "the README shows no TAP_WOLKVOX_SKILL_IDS='...' example"
    done = run_command(
        run_tap,
        february(operation),
        "--config",
        "ENV",
        env={"TAP_WOLKVOX_SKILL_IDS": found["value"]},
        streams=[SKILL_DAYS],
    )
    assert done.returncode == 0, done.stderr
    assert sorted({r.params["skill_id"] for r in operation.requests}) == ["3001", "3002"]
    # the comma form gets the SDK's warning that it is deprecated
    said = without_clock_warning(done.stderr.splitlines())
    assert [line for line in said if "WARNING" in line] == []


def test_the_tap_uses_numeric_ids_as_text(operation: WolkvoxSimulator) -> None:
    config = february(operation, skill_ids=[3001], campaign_ids=["all"], agent_ids=[1201, "x"])
    tap = TapWolkvox(config=config, setup_mapper=False)
    assert tap.config["skill_ids"] == ["3001"]
    assert tap.config["campaign_ids"] == ["all"]
    assert tap.config["agent_ids"] == ["1201", "x"]
    assert config["skill_ids"] == [3001]  # the caller's config is left as it was


@pytest.mark.parametrize(
    ("ids", "sentence"),
    [
        ([True], "True is not of type 'string', 'integer' in config['skill_ids'][0]"),
        (["3001", 3001.5], "3001.5 is not of type 'string', 'integer' in config['skill_ids'][1]"),
        ([3001.0], "3001.0 is not of type 'string', 'integer' in config['skill_ids'][0]"),
        ([""], "'' should be non-empty in config['skill_ids'][0]"),
    ],
    ids=["boolean", "fraction", "whole-float", "empty"],
)
def test_ids_that_are_neither_text_nor_whole_numbers_are_refused(
    operation: WolkvoxSimulator, run_tap: TapRunner, ids: list[t.Any], sentence: str
) -> None:
    done = run_command(run_tap, february(operation, skill_ids=ids), streams=[SKILL_DAYS])
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [message(line) for line in lines(done.stderr, "ERROR")]
    assert errors == [sentence, "Config validation failed"]
    assert operation.requests == []


def test_a_whole_float_given_in_code_is_refused_too(operation: WolkvoxSimulator) -> None:
    # A config file's 3001.0 is a Decimal, which the schema refuses; a float passed in code
    # passes the schema (3001.0 is an integer to JSON Schema) and is refused by the tap.
    with pytest.raises(ConfigValidationError) as refused:
        TapWolkvox(config=february(operation, agent_ids=[1201.0]), setup_mapper=False)
    assert refused.value.errors == [
        (
            "Setting 'agent_ids': 1201.0 is not an ID; give IDs as text or whole numbers, such "
            'as ["3001", "3002"] or [3001, 3002].'
        )
    ]


# -- 4. discovery says why the config is invalid ------------------------------------------------

DIGITS = 98765432101234


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"token": None}, "'token' is a required property"),
        (
            {"token": DIGITS},
            (
                "config['token'] must be of type 'string'; the value is not shown because "
                "'token' is a secret setting."
            ),
        ),
        (
            {"token": None, "window_days": 45},
            (
                "45 is greater than the maximum of 31 in config['window_days']; 'token' is a "
                "required property"
            ),
        ),
        (
            {"api_url": None},
            (
                "Set either 'wolkvox_server' (e.g. 0048 for https://wv0048.wolkvox.com) or "
                "'api_url'; neither is set."
            ),
        ),
        (
            {"start_date": "2025-05-01", "end_date": "2025-04-01"},
            "Setting 'start_date' (2025-05-01) is after 'end_date' (2025-04-01).",
        ),
    ],
    ids=["no-token", "token-as-number", "two-reasons", "no-server", "reversed"],
)
def test_discovery_says_why_the_config_is_invalid(
    simulator: WolkvoxSimulator, run_tap: TapRunner, change: dict[str, t.Any], reason: str
) -> None:
    config = {k: v for k, v in {**base_config(simulator), **change}.items() if v is not None}
    done = run_command(run_tap, config, "--discover", streams=None)
    assert done.returncode == 0, done.stderr  # discovery goes on
    assert len(json.loads(done.stdout)["streams"]) == STREAM_COUNT
    assert [message(line) for line in lines(done.stderr, "WARNING")] == [
        f"Config validation failed: {reason}"
    ]
    assert str(DIGITS) not in done.stderr
    assert TOKEN not in done.stderr
    assert simulator.requests == []


def test_discovery_with_a_valid_config_warns_of_nothing(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    done = run_command(run_tap, base_config(simulator), "--discover", streams=None)
    assert done.returncode == 0, done.stderr
    assert lines(done.stderr, "WARNING") == []


# -- 5. quiet logs by default, everything at DEBUG --------------------------------------------


def test_a_default_run_logs_only_what_the_tap_says(
    operation: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    run = run_tap(february(operation), streams=None)  # no catalog: the default selection
    assert run.returncode == 0, run.stderr
    assert {r["type"] for r in run.messages} >= {"SCHEMA", "RECORD", "STATE"}
    assert "METRIC" not in run.stderr
    assert "Skipping deselected stream" not in run.stderr
    assert lines(run.stderr, "DEBUG") == []
    for stream in DEFAULT_STREAMS:  # the plan and the summary of each stream stay
        assert f"| {stream}: reading 2025-02-25 00:00:00 .. 2025-02-27 23:59:59" in run.stderr
        assert f"| {stream}: 1 windows (0 empty, 0 split), 1 requests, 0 retries," in run.stderr
    assert len(run.stderr.splitlines()) <= 20


@pytest.mark.parametrize("variable", ["TAP_WOLKVOX_LOGLEVEL", "LOGLEVEL"])
def test_debug_brings_back_metrics_and_deselected_streams(
    operation: WolkvoxSimulator, run_tap: TapRunner, variable: str
) -> None:
    run = run_tap(february(operation), streams=None, env={variable: "debug"})
    assert run.returncode == 0, run.stderr
    skipped = [m for m in lines(run.stderr, "DEBUG") if "Skipping deselected stream" in m]
    assert len(skipped) == STREAM_COUNT - DEFAULT_SELECTED
    metrics = [line for line in run.stderr.splitlines() if "METRIC: " in line]
    assert {json.loads(message(m).removeprefix("METRIC: "))["metric"] for m in metrics} >= {
        "http_request_duration",
        "record_count",
    }
    assert TOKEN not in run.stderr


def test_a_run_in_process_is_quiet_too(simulator: WolkvoxSimulator) -> None:
    simulator.set_rows("chat_9", spread(50, *Q1))
    run = run_in_process(base_config(simulator), clock=Clock("2025-06-30 12:00:00"))
    assert run.returncode == 0, run.stderr
    assert "METRIC" not in run.stderr
    assert "INFO | interaction_transfers: reading 2025-01-01 00:00:00" in run.stderr
    assert ", 0 retries, 50 rows" in run.stderr


def meltano_log_config(run_tap: TapRunner, level: str) -> str:
    """The logging config Meltano hands an SDK tap (SINGER_SDK_LOG_CONFIG): JSON lines, with
    the root logger at Meltano's own log level (``meltano --log-level=debug run ...``)."""
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"singer_formatter": {"()": "singer_sdk.logging.StructuredFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "singer_formatter",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }
    return str(run_tap.write(f"logging-{level}.json", config))


@pytest.mark.parametrize(
    ("level", "env", "verbose"),
    [("DEBUG", {}, True), ("INFO", {}, False), ("INFO", {"TAP_WOLKVOX_LOGLEVEL": "DEBUG"}, False)],
    ids=["meltano-debug", "meltano-info", "meltano-info-tap-debug"],
)
def test_under_meltano_its_log_level_is_the_knob(
    operation: WolkvoxSimulator,
    run_tap: TapRunner,
    level: str,
    env: dict[str, str],
    verbose: bool,
) -> None:
    log_config = meltano_log_config(run_tap, level)
    run = run_tap(
        february(operation), streams=None, env={**env, "SINGER_SDK_LOG_CONFIG": log_config}
    )
    assert run.returncode == 0, run.stderr
    records = [json.loads(line) for line in run.stderr.splitlines()]
    said = [(r["level"], r["message"]) for r in records]
    skipped = [s for s in said if s[1].startswith("Skipping deselected stream")]
    metrics = [r["metric_info"] for r in records if r["logger_name"] == "singer_sdk.metrics"]
    if verbose:
        assert {s[0] for s in skipped} == {"debug"}
        assert len(skipped) == STREAM_COUNT - DEFAULT_SELECTED
        assert metrics
    else:
        assert skipped == metrics == []
    for stream in DEFAULT_STREAMS:
        assert any(m.startswith(f"{stream}: 1 windows") for _, m in said), said


# -- stream maps: a map for every stream, and maps that cannot be applied ------------------


EVERY_STREAM_MAP = {
    "stream_maps": {"*": {"operation": "config['operation']"}},
    "stream_map_config": {"operation": "bogota"},
}


def test_a_map_for_every_stream_leaves_deselected_streams_alone(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    # The SDK registered deselected streams with no property at all, so a "*" map stopped the
    # run on their key properties; the several-operations example relies on such a map.
    simulator.set_rows("chat_9", spread(50, *Q1))
    run = run_tap(base_config(simulator, **EVERY_STREAM_MAP))
    assert run.returncode == 0, run.stderr
    records = run.records("interaction_transfers")
    assert len(records) == 50
    assert {r["operation"] for r in records} == {"bogota"}
    discovered = run_command(run_tap, base_config(simulator, **EVERY_STREAM_MAP), "--discover")
    assert discovered.returncode == 0, discovered.stderr


@pytest.mark.parametrize(
    "maps",
    [
        {"interaction_transfers": {"__key_properties__": ["no_such_field"]}},
        {"interaction_transfers": {"operation": "no_such_function(1)"}},
    ],
    ids=["bad-key", "bad-expression"],
)
def test_a_stream_map_that_cannot_be_applied_fails_with_one_sentence(
    simulator: WolkvoxSimulator, run_tap: TapRunner, maps: dict[str, t.Any]
) -> None:
    simulator.set_rows("chat_9", spread(5, *Q1))
    run = run_tap(base_config(simulator, stream_maps=maps))
    assert "Setting 'stream_maps' cannot be applied" in run.the_error()
