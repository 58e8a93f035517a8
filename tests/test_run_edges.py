"""The edges of a run: a stop signal mid-run, and an incoming state the tap cannot resume from."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import time
import typing as t

import pytest

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.run.inputs import StateReader, bookmark_is_readable
from tap_wolkvox.sandbox.generated import generated_sources
from tap_wolkvox.sandbox.server import WolkvoxSimulator
from tap_wolkvox.time.timestamps import OperationClock, load_timezone
from tests.helpers import (
    Q1,
    TOKEN,
    Clock,
    TapRunner,
    base_config,
    bookmark,
    keys,
    parse_messages,
    run_in_process,
    spread,
    state_at,
    tap_command,
    tap_env,
    without_clock_warning,
)

if t.TYPE_CHECKING:
    from pathlib import Path

CAMPAIGNS = "daily_campaign_records_by_final_result"


def errors_in(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "| ERROR" in line]


def warnings_in(stderr: str) -> list[str]:
    return without_clock_warning([line for line in stderr.splitlines() if "| WARNING" in line])


# -- a stop signal mid-run ------------------------------------------------------------------


def interrupt(
    run_tap: TapRunner, config: dict[str, t.Any], log_path: Path, signum: int, *, lag: float = 0
) -> tuple[int, list[dict[str, t.Any]], str]:
    """Run the tap, send ``signum`` once its first STATE is out (after ``lag`` seconds of not
    reading its output), and return its exit code, every message it wrote, and its log.
    """
    config_path = run_tap.write(f"signal-config-{signum}.json", config)
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            tap_command(config_path, None, run_tap.catalog(["interaction_transfers"])),
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=tap_env(),
        )
        try:
            assert proc.stdout is not None
            lines: list[str] = []
            while not lines or '"type":"STATE"' not in lines[-1].replace(" ", ""):
                line = proc.stdout.readline()
                assert line, "the tap ended before its first STATE"
                lines.append(line)
            time.sleep(lag)
            proc.send_signal(signum)
            rest, _ = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    # every line must be whole JSON: no record cut in half by the stop
    return proc.returncode, parse_messages("".join(lines) + rest), log_path.read_text()


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"]
)
def test_a_signal_mid_run_fails_the_run_and_its_last_state_resumes_it(
    simulator: WolkvoxSimulator, run_tap: TapRunner, tmp_path: Path, signum: int, code: int
) -> None:
    rows = spread(900, *Q1, seed=5)
    simulator.set_rows("chat_9", rows)
    simulator.latency = 0.3  # 90 one-day windows: the run would take half a minute
    config = base_config(simulator, window_days=1)
    returncode, first, stderr = interrupt(run_tap, config, tmp_path / "signal.log", signum)

    assert returncode == code, stderr
    name = signal.Signals(signum).name
    [error] = errors_in(stderr)
    assert f"Run interrupted by {name}" in error
    assert "The last STATE emitted is a valid resume point" in error
    assert "Traceback" not in stderr
    assert "Gracefully shutting down" not in stderr
    last = [m["value"] for m in first if m["type"] == "STATE"][-1]
    assert bookmark(last) < "2025-04-01"  # stopped well before the end

    simulator.latency = 0
    simulator.requests.clear()
    resumed = run_tap(config, last)
    assert resumed.returncode == 0, resumed.stderr
    got = keys([m["record"] for m in first if m["type"] == "RECORD"])
    assert got | keys(resumed.records()) == keys(rows), "rows lost after the signal"
    # the resumed run starts exactly at the bookmark (Bogota wall clock, UTC-5)
    resume_local = dt.datetime.fromisoformat(bookmark(last)) - dt.timedelta(hours=5)
    assert simulator.requests[0].params["date_ini"] == resume_local.strftime("%Y%m%d%H%M%S")


def test_a_signal_while_the_target_lags_waits_for_the_line_being_written(
    simulator: WolkvoxSimulator, run_tap: TapRunner, tmp_path: Path
) -> None:
    rows = spread(300, *Q1, seed=6)
    for row in rows:
        # Lines longer than the output buffer are written straight to the pipe; once it is
        # full (nobody reads for a while) the tap blocks in the middle of one.
        row["transfer_agent_name"] = "Agent " + "x" * 20_000
    simulator.set_rows("chat_9", rows)
    config = base_config(simulator, window_days=10)
    returncode, first, stderr = interrupt(
        run_tap, config, tmp_path / "lag.log", signal.SIGTERM, lag=1.5
    )
    assert returncode == 143, stderr
    assert "Traceback" not in stderr
    assert "Run interrupted by SIGTERM" in stderr
    got = keys([m["record"] for m in first if m["type"] == "RECORD"])
    assert len(got) < len(rows)  # stopped before the end
    last = [m["value"] for m in first if m["type"] == "STATE"][-1]
    simulator.requests.clear()
    resumed = run_tap(config, last)
    assert resumed.returncode == 0, resumed.stderr
    assert got | keys(resumed.records()) == keys(rows)


# -- an incoming state the tap cannot resume from ----------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("20250601100000", '"20250601100000"'),
        (1748772000, "1748772000"),
        ("2025-04-01T00:00:00 UTC", '"2025-04-01T00:00:00 UTC"'),
        ("2025-13-45T00:00:00+00:00", '"2025-13-45T00:00:00+00:00"'),
    ],
    ids=["query-stamp", "epoch", "zone-name", "no-such-day"],
)
def test_an_unreadable_bookmark_is_ignored_with_one_warning(
    simulator: WolkvoxSimulator, run_tap: TapRunner, value: t.Any, shown: str
) -> None:
    rows = spread(300, *Q1, seed=7)
    simulator.set_rows("chat_9", rows)
    run = run_tap(base_config(simulator), state_at(value))
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    [warning] = warnings_in(run.stderr)
    assert (
        f"Stream interaction_transfers: ignoring unreadable bookmark {shown} (expected an ISO "
        "8601 date-time such as 2025-04-01T05:00:00+00:00); this stream starts from "
        "start_date." in warning
    )
    assert simulator.requests[0].params["date_ini"] == "20250101000000"
    assert keys(run.records()) == keys(rows)
    assert bookmark(run.final_state) == "2025-04-01T05:00:00+00:00"


@pytest.mark.parametrize(
    "value",
    ["2025-01-01T05:00:00+00:00", "2025-01-01T05:00:00Z", "2025-01-01T00:00:00", "2025-01-01"],
)
def test_a_bookmark_with_an_offset_is_resumed_from(
    simulator: WolkvoxSimulator, run_tap: TapRunner, value: str
) -> None:
    simulator.set_rows("chat_9", spread(50, *Q1))
    run = run_tap(base_config(simulator, start_date="2024-01-01"), state_at(value))
    assert run.returncode == 0, run.stderr
    assert warnings_in(run.stderr) == []
    assert simulator.requests[0].params["date_ini"] == "20250101000000"


@pytest.mark.parametrize(
    "bookmarks", [[], "interaction_transfers", None], ids=["array", "string", "null"]
)
def test_bookmarks_that_are_not_an_object_are_ignored_with_one_warning(
    simulator: WolkvoxSimulator, run_tap: TapRunner, bookmarks: t.Any
) -> None:
    rows = spread(100, *Q1, seed=8)
    simulator.set_rows("chat_9", rows)
    run = run_tap(base_config(simulator), {"bookmarks": bookmarks})
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    [warning] = warnings_in(run.stderr)
    assert "Ignoring the state's bookmarks: they are" in warning
    assert "not a JSON object; every stream starts from start_date." in warning
    assert simulator.requests[0].params["date_ini"] == "20250101000000"
    assert keys(run.records()) == keys(rows)


def test_a_stream_state_that_is_not_an_object_is_ignored(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", spread(10, *Q1))
    state = {"bookmarks": {"interaction_transfers": "2025-03-01T05:00:00+00:00"}}
    run = run_tap(base_config(simulator), state)
    assert run.returncode == 0, run.stderr
    [warning] = warnings_in(run.stderr)
    assert "Stream interaction_transfers: ignoring its state" in warning
    assert simulator.requests[0].params["date_ini"] == "20250101000000"


@pytest.fixture
def operation() -> t.Iterator[WolkvoxSimulator]:
    with WolkvoxSimulator(token=TOKEN, now=lambda: "2025-02-28 23:59:59") as sim:
        sim.sources.update(generated_sources(REPORTS, dt.date(2025, 2, 1), dt.date(2025, 2, 28)))
        yield sim


def test_an_unreadable_partition_bookmark_restarts_only_that_partition(
    operation: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    config = base_config(
        operation,
        start_date="2025-02-25",
        end_date="2025-02-27T23:59:59",
        campaign_ids=["101", "202"],
    )
    state = {
        "bookmarks": {
            CAMPAIGNS: {
                "partitions": [
                    {
                        "context": {"campaign_id": "101"},
                        "replication_key": "report_date",
                        "replication_key_value": "2025-02-27",
                    },
                    {
                        "context": {"campaign_id": "202"},
                        "replication_key": "report_date",
                        "replication_key_value": "2025-02-26T05:00:00+00:00",
                    },
                ]
            }
        }
    }
    run = run_tap(config, state, streams=[CAMPAIGNS])
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    [warning] = warnings_in(run.stderr)
    assert (
        f'Stream {CAMPAIGNS}, partition {{"campaign_id": "202"}}: ignoring unreadable bookmark '
        '"2025-02-26T05:00:00+00:00" (expected an ISO 8601 date such as 2025-04-01); this '
        "partition starts from start_date." in warning
    )
    days = {
        campaign: sorted(
            r.params["date_ini"][:8]
            for r in operation.requests
            if r.params["campaign_id"] == campaign
        )
        for campaign in ("101", "202")
    }
    assert days == {"101": ["20250227"], "202": ["20250225", "20250226", "20250227"]}


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("[]", "The state is an array, not a JSON object"),
        ('"bookmarks"', "The state is a string, not a JSON object"),
        ("5", "The state is a number, not a JSON object"),
        ("null", "The state is null, not a JSON object"),
        ('{"bookmarks": {', "The state file is not valid JSON (Expecting property name"),
        ("", "The state file is empty"),
    ],
    ids=["array", "string", "number", "null", "broken", "empty"],
)
def test_a_state_that_is_not_an_object_stops_with_one_sentence(
    simulator: WolkvoxSimulator, run_tap: TapRunner, text: str, sentence: str
) -> None:
    state_path = run_tap.workdir / "bad-state.json"
    state_path.write_text(text)
    config_path = run_tap.write("bad-state-config.json", base_config(simulator))
    done = subprocess.run(
        tap_command(config_path, state_path, run_tap.catalog(["interaction_transfers"])),
        capture_output=True,
        text=True,
        env=tap_env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    [error] = errors_in(done.stderr)
    assert sentence in error
    assert "run without a state to start every stream from start_date" in error
    assert done.stdout == ""
    assert simulator.requests == []


#: The replication key of each stream these tests' states name (None: the stream has none).
KEYS: dict[str, str | None] = {
    "interaction_transfers": "date",
    "abandoned_calls": "date",
    CAMPAIGNS: "report_date",
    "agents": None,
}
BOGOTA = OperationClock(load_timezone("America/Bogota"))


def warned(state: dict[str, t.Any]) -> tuple[t.Any, list[str]]:
    said: list[str] = []
    return StateReader(KEYS, said.append, BOGOTA).read(state), said


def test_a_readable_state_is_kept_as_it_is() -> None:
    state = {
        "bookmarks": {
            "interaction_transfers": {
                "replication_key": "date",
                "replication_key_value": "2025-04-01T05:00:00+00:00",
                "timezone": "America/Bogota",
                "rows_seen": True,
            },
            CAMPAIGNS: {
                "partitions": [
                    {
                        "context": {"campaign_id": "101"},
                        "replication_key": "report_date",
                        "replication_key_value": "2025-04-01",
                    }
                ]
            },
            "agents": {"replication_key_value": 17},
            "a_stream_of_another_version": {"replication_key_value": 17},
        },
        "currently_syncing": None,
    }
    assert warned(state) == (state, [])


def test_a_partition_the_state_holds_twice_resumes_from_its_earlier_bookmark() -> None:
    entries = [
        {
            "context": {"campaign_id": c},
            "replication_key": "report_date",
            "replication_key_value": v,
        }
        for c, v in [("101", "2025-04-03"), ("101", "2025-04-01"), ("202", "2025-04-02")]
    ]
    entries.append({"campaign_id": "303"})
    kept, said = warned({"bookmarks": {CAMPAIGNS: {"partitions": entries}}})
    assert kept["bookmarks"][CAMPAIGNS]["partitions"] == entries[1:3]
    assert len(said) == 2
    assert "resuming from the earliest of its bookmarks" in said[0]
    assert "which has no context object" in said[1]


def test_partitions_that_are_not_a_list_are_ignored() -> None:
    kept, said = warned(
        {"bookmarks": {CAMPAIGNS: {"partitions": {"campaign_id": "101"}, "rows_seen": True}}}
    )
    assert kept == {"bookmarks": {CAMPAIGNS: {"rows_seen": True}}}
    assert said == [
        (
            f'Stream {CAMPAIGNS}: ignoring its partitions {{"campaign_id": "101"}}, which are not a '
            "JSON array; every partition starts from start_date."
        )
    ]


@pytest.mark.parametrize(
    ("value", "daily", "readable"),
    [
        ("2025-04-01T05:00:00+00:00", False, True),
        ("2025-04-01T00:00:00-05:00", False, True),
        ("2025-04-01T05:00:00.250000Z", False, True),
        ("2025-04-01T05:00:00", False, True),
        ("2025-04-01", False, True),
        ("20250401T050000+0000", False, False),
        ("2025-04-01", True, True),
        ("2025-02-30", True, False),
        ("20250401", True, False),
        ("2025-04-01T00:00:00+00:00", True, False),
        (20250401, True, False),
        (None, False, False),
        ("0001-01-01", True, False),
        ("9999-12-31", True, False),
        ("0001-01-01T00:00:00+00:00", False, False),
        ("9999-12-31T23:59:59", False, False),
        ("1970-01-01T00:00:00+09:00", False, True),
    ],
)
def test_what_a_readable_bookmark_is(value: t.Any, daily: bool, readable: bool) -> None:
    assert bookmark_is_readable(value, daily=daily) is readable


def test_a_long_unreadable_value_is_cut_short_in_the_warning() -> None:
    value = "x" * 500
    _, [said] = warned(state_at(value))
    assert len(said) < 300
    assert "…" in said


# -- bookmarks written for another key, and partitions held twice in two forms ---------------


def partition(skill: str, value: str, key: str | None = "date") -> dict[str, t.Any]:
    entry: dict[str, t.Any] = {"context": {"skill_id": skill}, "replication_key_value": value}
    if key is not None:
        entry["replication_key"] = key
    return entry


@pytest.mark.parametrize(
    ("duplicates", "earliest"),
    [
        # 2025-04-01T02:00:00 without an offset is Bogotá's wall clock: 07:00 UTC.
        (["2025-04-01T05:00:00+00:00", "2025-04-01T02:00:00"], 0),
        (["2025-04-01T02:00:00", "2025-04-01T08:00:00+00:00"], 0),
        (["2025-04-01T08:00:00Z", "2025-04-01"], 1),
    ],
    ids=["aware-first", "naive-first", "date-alone"],
)
def test_a_partition_held_twice_with_and_without_an_offset_resumes_from_the_earliest(
    duplicates: list[str], earliest: int
) -> None:
    entries = [partition("3001", value) for value in duplicates]
    kept, said = warned({"bookmarks": {"abandoned_calls": {"partitions": entries}}})
    assert kept["bookmarks"]["abandoned_calls"]["partitions"] == [entries[earliest]]
    [warning] = said
    assert "the state holds it more than once; resuming from the earliest" in warning


def test_such_a_state_runs_from_the_earliest_bookmark(simulator: WolkvoxSimulator) -> None:
    calls = [{"conn_id": f"C{i}", "date": f"2025-03-0{1 + i} 10:00:00"} for i in range(3)]
    simulator.set_rows("skill_2", calls)
    entries = [partition("3001", "2025-03-02T12:00:00+00:00"), partition("3001", "2025-03-01")]
    run = run_in_process(
        base_config(simulator, skill_ids=["3001"]),
        {"bookmarks": {"abandoned_calls": {"partitions": entries}}},
        clock=Clock("2025-06-30 23:59:59"),
        streams=["abandoned_calls"],
    )
    assert run.returncode == 0, run.stderr
    assert simulator.requests[0].params["date_ini"] == "20250301000000"
    assert len(run.records()) == 3


@pytest.mark.parametrize(
    ("key", "says"),
    [
        (None, 'ignoring bookmark "2025-03-01T05:00:00+00:00", which names no replication_key'),
        (
            "start_date",
            (
                'ignoring bookmark "2025-03-01T05:00:00+00:00", written for replication key '
                '"start_date"'
            ),
        ),
    ],
    ids=["no-key", "another-key"],
)
def test_a_bookmark_for_no_or_another_key_is_ignored_with_one_warning(
    simulator: WolkvoxSimulator, key: str | None, says: str
) -> None:
    rows = spread(30, *Q1, seed=4)
    simulator.set_rows("chat_9", rows)
    stream_state: dict[str, t.Any] = {"replication_key_value": "2025-03-01T05:00:00+00:00"}
    if key is not None:
        stream_state["replication_key"] = key
    run = run_in_process(
        base_config(simulator),
        {"bookmarks": {"interaction_transfers": stream_state}},
        clock=Clock("2025-06-30 23:59:59"),
    )
    assert run.returncode == 0, run.stderr
    [warning] = [line for line in run.stderr.splitlines() if line.startswith("WARNING")]
    assert f"Stream interaction_transfers: {says}" in warning
    assert '(expected "date"); this stream starts from start_date.' in warning
    assert simulator.requests[0].params["date_ini"] == "20250101000000"
    assert keys(run.records()) == keys(rows)


def test_a_partition_bookmark_without_its_key_is_named_with_its_partition() -> None:
    entries = [partition("3001", "2025-03-01T05:00:00+00:00", key=None), partition("3002", "x")]
    kept, said = warned({"bookmarks": {"abandoned_calls": {"partitions": entries}}})
    assert [
        p.get("replication_key_value") for p in kept["bookmarks"]["abandoned_calls"]["partitions"]
    ] == [None, None]
    assert said[0].startswith(
        'Stream abandoned_calls, partition {"skill_id": "3001"}: ignoring bookmark '
        '"2025-03-01T05:00:00+00:00", which names no replication_key (expected "date"); this '
        "partition starts from start_date."
    )
    assert "ignoring unreadable bookmark" in said[1]
