"""The tap end to end against the simulator: windows, state, resumption, faults, failures."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import typing as t

import pytest

from tap_wolkvox.sandbox.server import Fault, StaticRows, WolkvoxSimulator
from tests.helpers import (
    Q1,
    TOKEN,
    TapRunner,
    base_config,
    bookmark,
    catalog_selecting,
    keys,
    killed_run,
    parse_messages,
    spread,
    state_at,
    tap_command,
    tap_env,
    transfer,
)

STAMP = "%Y-%m-%d %H:%M:%S"


def served(sim: WolkvoxSimulator) -> list[tuple[str, str]]:
    return [(r.params["date_ini"], r.params["date_end"]) for r in sim.requests if r.status]


def test_backfill_reads_every_row_in_three_calls(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    rows = spread(3000, *Q1)
    simulator.set_rows("chat_9", rows)
    run = run_tap(base_config(simulator))
    assert run.returncode == 0, run.stderr
    records = run.records("interaction_transfers")
    assert len(records) == len(rows)
    assert len(keys(records)) == len(rows)
    assert [(r.params["date_ini"], r.params["date_end"]) for r in simulator.requests] == [
        ("20250101000000", "20250131235959"),
        ("20250201000000", "20250303235959"),
        ("20250304000000", "20250331235959"),
    ]
    assert simulator.span_violations == []
    assert simulator.max_in_flight == 1
    assert all(r.token_sent for r in simulator.requests)
    assert bookmark(run.final_state) == "2025-04-01T05:00:00+00:00"
    assert run.summary("interaction_transfers") == {
        "requests": 3,
        "retries": 0,
        "windows": 3,
        "empty": 0,
        "split": 0,
        "rows": 3000,
        "fast_rows": 3000,
        "read_from": "2025-01-01 00:00:00",
        "read_until": "2025-03-31 23:59:59",
    }


def test_records_have_aware_utc_dates_and_string_fields(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", [transfer("EM1", "2025-01-02 08:15:00", receiver="3001")])
    run = run_tap(base_config(simulator))
    [record] = run.records()
    assert record == {
        "conn_id": "EM1",
        "transfer_agent_id": "1201",
        "transfer_agent_name": "Agent 1201",
        "receiver_agent_id": "3001",
        "receiver_agent_name": "SKILL",
        "channel": "email",
        "date": "2025-01-02T13:15:00+00:00",
        "_occurrence": 1,
    }
    schema = next(m for m in run.messages if m["type"] == "SCHEMA")
    assert schema["key_properties"] == [
        "conn_id",
        "date",
        "transfer_agent_id",
        "receiver_agent_id",
        "_occurrence",
    ]
    assert schema["bookmark_properties"] == ["date"]
    assert schema["schema"]["properties"]["date"]["format"] == "date-time"


def test_empty_windows_answer_404_and_the_walk_goes_on(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", [transfer("EM1", "2025-03-30 10:00:00")])
    run = run_tap(base_config(simulator))
    assert run.returncode == 0, run.stderr
    assert [r.status for r in simulator.requests] == [404, 404, 200]
    assert len(run.records()) == 1
    # a STATE after each window, empty ones included
    assert [
        bookmark(s)
        for s in run.states()
        if "replication_key_value" in s["bookmarks"]["interaction_transfers"]
    ][:3] == [
        "2025-02-01T05:00:00+00:00",
        "2025-03-04T05:00:00+00:00",
        "2025-04-01T05:00:00+00:00",
    ]


def test_a_full_reply_is_split_until_every_row_is_read(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.row_cap = 100
    busy_day = spread(450, dt.datetime(2025, 1, 10), dt.datetime(2025, 1, 10, 23, 59, 59), seed=3)
    quiet = spread(60, *Q1, seed=4, prefix="QU")
    simulator.set_rows("chat_9", busy_day + quiet)
    run = run_tap(base_config(simulator, max_rows_per_request=100))
    assert run.returncode == 0, run.stderr
    records = run.records()
    assert keys(records) == keys(busy_day + quiet)
    assert len(records) == len(busy_day + quiet)  # nothing twice
    assert simulator.span_violations == []
    assert run.summary("interaction_transfers")["split"] > 0
    statuses = [r.rows for r in simulator.requests]
    assert 100 in statuses  # some replies were cut


def test_a_one_second_window_at_the_cap_stops_with_a_clear_error(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.row_cap = 5
    rows = [transfer(f"EM{i}", "2025-01-10 10:00:00") for i in range(5)]
    simulator.set_rows("chat_9", rows)
    run = run_tap(base_config(simulator, max_rows_per_request=5, end_date="2025-01-31"))
    assert run.returncode != 0
    assert "one-second window 2025-01-10 10:00:00..2025-01-10 10:00:00" in run.stderr
    assert "Traceback" not in run.stderr


def test_incremental_rerun_asks_only_from_the_bookmark(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    # (half a minute past each end_date: the Date header counts whole seconds)
    clock = {"now": "2025-03-10 12:00:30"}
    simulator._now = lambda: clock["now"]
    first_rows = spread(200, dt.datetime(2025, 3, 1), dt.datetime(2025, 3, 10, 11, 59, 59))
    new_rows = [
        transfer("EMNEW1", "2025-03-10 12:01:00"),
        transfer("EMNEW2", "2025-03-10 12:04:59"),
    ]
    simulator.set_rows("chat_9", first_rows + new_rows)
    # The tap follows the simulator's clock (its Date header), end_date too; no late-row margin
    # here, so that the second run asks for the new rows only.
    config = base_config(
        simulator, start_date="2025-03-01", end_date="2025-03-10T12:00:00", settle_minutes=0
    )
    first = run_tap(config)
    assert first.returncode == 0, first.stderr
    assert len(first.records()) == 200
    assert bookmark(first.final_state) == "2025-03-10T17:00:00+00:00"

    clock["now"] = "2025-03-10 12:05:30"
    config["end_date"] = "2025-03-10T12:05:00"
    simulator.requests.clear()
    second = run_tap(config, first.final_state)
    assert second.returncode == 0, second.stderr
    assert served(simulator) == [("20250310120000", "20250310120500")]  # one call
    assert keys(second.records()) == keys(new_rows)
    assert bookmark(second.final_state) == "2025-03-10T17:05:00+00:00"


def test_lookback_starts_before_the_bookmark(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", [transfer("EM1", "2025-03-31 23:50:00")])
    state = state_at("2025-04-01T04:00:00+00:00")
    run = run_tap(base_config(simulator, lookback_minutes=30), state)
    assert run.returncode == 0, run.stderr
    assert served(simulator)[0][0] == "20250331223000"
    assert len(run.records()) == 1


def test_start_date_later_than_bookmark_wins(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", [transfer("EM1", "2025-03-20 10:00:00")])
    state = state_at("2024-01-01T00:00:00+00:00")
    run_tap(base_config(simulator, start_date="2025-03-15"), state)
    assert served(simulator)[0][0] == "20250315000000"


def test_nothing_new_means_no_request(simulator: WolkvoxSimulator, run_tap: TapRunner) -> None:
    simulator.set_rows("chat_9", [transfer("EM1", "2025-03-20 10:00:00")])
    state = state_at("2025-04-01T05:00:00+00:00")
    run = run_tap(base_config(simulator), state)
    assert run.returncode == 0, run.stderr
    assert simulator.requests == []
    assert bookmark(run.final_state) == "2025-04-01T05:00:00+00:00"


def test_unreadable_dates_are_kept_and_named_and_the_bookmark_stays_right(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    rows = [
        transfer("EM1", "2025-01-05 10:00:00"),
        transfer("EMBAD", "05/01/2025 10:00"),
        transfer("EM3", "2025-01-06 10:00:00"),
    ]
    rows[0]["skill_name"] = "Ventas"  # a field the schema does not declare

    class WithUnreadableDate(StaticRows):
        """The simulator cannot filter an unreadable date: serve it in the first window."""

        def rows(self, start: str, end: str, now: str) -> list[dict[str, t.Any]]:
            return super().rows(start, end, now) + (
                [rows[1]] if start.startswith("2025-01-01") else []
            )

    simulator.sources["chat_9"] = WithUnreadableDate(rows)
    run = run_tap(base_config(simulator, end_date="2025-01-31T23:59:59"))
    assert run.returncode == 0, run.stderr
    records = {r["conn_id"]: r for r in run.records()}
    assert set(records) == {"EM1", "EMBAD", "EM3"}
    # a key part is never null (warehouses refuse null keys): a recognisable stand-in
    assert records["EMBAD"]["date"] == "1970-01-01T00:00:00+00:00"
    assert records["EMBAD"]["unparsed_values"] == {"date": "05/01/2025 10:00"}
    # a field the schema does not declare is kept aside, not dropped
    assert "skill_name" not in records["EM1"]
    assert records["EM1"]["_extra_fields"] == {"skill_name": "Ventas"}
    assert "conn_id='EMBAD'" in run.stderr
    assert bookmark(run.final_state) == "2025-02-01T05:00:00+00:00"


def test_bookmarks_stay_chronological_across_a_dst_change(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    # New York falls back on 2025-11-02: 01:00-01:59 happens twice.
    simulator._now = lambda: "2025-11-03 00:00:00"
    rows = spread(300, dt.datetime(2025, 11, 1, 20), dt.datetime(2025, 11, 2, 4), seed=9)
    simulator.set_rows("chat_9", rows)
    config = base_config(
        simulator,
        timezone="America/New_York",
        start_date="2025-11-01T20:00:00",
        end_date="2025-11-02T04:00:00",
        window_days=1,
        max_rows_per_request=50,
    )
    simulator.row_cap = 50
    run = run_tap(config)
    assert run.returncode == 0, run.stderr
    marks = [
        bookmark(s)
        for s in run.states()
        if "replication_key_value" in s["bookmarks"]["interaction_transfers"]
    ]
    assert marks == sorted(marks)
    assert len(run.records()) == 300
    dates = [r["date"] for r in run.records()]
    assert all(d.endswith("+00:00") for d in dates)


@pytest.mark.parametrize(
    "fault",
    [
        Fault.http(500, "INTERNAL SERVER ERROR"),
        Fault.http(503, "SERVICE UNAVAILABLE"),
        Fault.http(429, "TOO MANY REQUESTS"),
        Fault.http(403, "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)"),
        Fault.maintenance(),
        Fault.reset(),
        Fault.bad_json(),
        Fault.cut_body(),
        Fault.body_code(500),
        Fault.hang(1.5),
    ],
    ids=lambda f: f"{f.kind}-{f.status}",
)
def test_transient_faults_are_retried_and_nothing_is_lost(
    simulator: WolkvoxSimulator, run_tap: TapRunner, fault: Fault
) -> None:
    rows = spread(500, *Q1)
    simulator.set_rows("chat_9", rows)
    # the second call fails twice (a hang once: the retry then meets the hung call in flight)
    simulator.schedule(*([fault] if fault.kind == "hang" else [fault, fault]), after=1)
    # a hung call stays in flight on the server: the retry waits long enough to clear it
    wait = 0.6 if fault.kind == "hang" else 0.01
    run = run_tap(base_config(simulator, request_timeout=1, retry_wait_seconds=wait))
    assert run.returncode == 0, run.stderr
    assert keys(run.records()) == keys(rows)
    assert len(run.records()) == len(rows)
    assert run.summary("interaction_transfers")["retries"] >= (1 if fault.kind == "hang" else 2)
    assert "Traceback" not in run.stderr
    assert TOKEN not in run.stderr + run.stdout


def test_retries_are_bounded(simulator: WolkvoxSimulator, run_tap: TapRunner) -> None:
    simulator.set_rows("chat_9", spread(10, *Q1))
    simulator.schedule(*[Fault.http(500, "DOWN")] * 10)
    run = run_tap(base_config(simulator, max_attempts=3))
    assert run.returncode != 0
    assert len(simulator.requests) == 3
    assert "kept failing after 3 attempts: 500 DOWN" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (Fault.http(401, "PLEASE ENTER THE WOLKVOX-TOKEN"), "the request carried no token"),
        (
            Fault.http(403, "TOKEN LIMIT EXCEEDED"),
            "daily quota of calls is spent. The STATE already emitted is a valid resume point",
        ),
        (Fault.http(403, "PLEASE VALIDATE TOKEN"), "the token was rejected"),
        (
            Fault.http(400, "THE API YOU WANT TO CONSULT DOES NOT EXIST"),
            "DOES NOT EXIST): chat_9 (interaction_transfers)",
        ),
        (
            Fault.http(416, "REQUESTED RANGE NOT SATISFIABLE"),
            "416: REQUESTED RANGE NOT SATISFIABLE",
        ),
    ],
    ids=["401", "quota", "bad-token", "no-such-api", "other-4xx"],
)
def test_fatal_answers_stop_at_once_with_one_sentence(
    simulator: WolkvoxSimulator, run_tap: TapRunner, fault: Fault, expected: str
) -> None:
    simulator.set_rows("chat_9", spread(100, *Q1))
    simulator.schedule(fault, after=1)
    run = run_tap(base_config(simulator))
    assert run.returncode != 0
    assert len(simulator.requests) == 2  # no retry
    errors = [line for line in run.stderr.splitlines() if "| ERROR" in line]
    assert len(errors) == 1, run.stderr
    assert expected in errors[0]
    assert "Traceback" not in run.stderr
    assert TOKEN not in run.stderr + run.stdout
    # the first window's STATE was emitted before the failure: a valid resume point
    assert bookmark(run.final_state) == "2025-02-01T05:00:00+00:00"


def test_a_wrong_token_is_rejected_by_the_server(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", spread(10, *Q1))
    run = run_tap(base_config(simulator, token="not-the-token"))  # noqa: S106
    assert run.returncode != 0
    assert "PLEASE VALIDATE TOKEN" in run.stderr
    assert "not-the-token" not in run.stderr + run.stdout


def test_the_daily_quota_stops_the_run_and_the_state_resumes_it(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    rows = spread(900, *Q1)
    simulator.set_rows("chat_9", rows)
    simulator.daily_quota = 2
    first = run_tap(base_config(simulator))
    assert first.returncode != 0
    assert "TOKEN LIMIT EXCEEDED" in first.stderr
    simulator.daily_quota = None
    second = run_tap(base_config(simulator), first.final_state)
    assert second.returncode == 0
    assert keys(first.records()) | keys(second.records()) == keys(rows)


def test_the_token_never_appears_even_at_debug_level(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", spread(20, *Q1))
    simulator.schedule(Fault.http(500, "x"), Fault.reset(), after=1)
    run = run_tap(base_config(simulator), env={"TAP_WOLKVOX_LOGLEVEL": "DEBUG"})
    assert run.returncode == 0, run.stderr
    assert "DEBUG" in run.stderr
    assert TOKEN not in run.stderr
    assert TOKEN not in run.stdout
    assert all(TOKEN not in json.dumps(r.params) for r in simulator.requests)


def test_never_two_requests_in_flight(simulator: WolkvoxSimulator, run_tap: TapRunner) -> None:
    simulator.latency = 0.05
    simulator.set_rows("chat_9", spread(100, *Q1))
    run = run_tap(base_config(simulator, window_days=7))
    assert run.returncode == 0, run.stderr
    assert len(simulator.requests) == 13
    assert simulator.max_in_flight == 1


def test_a_run_killed_anywhere_resumes_from_its_last_state_with_no_gap(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    rows = spread(4000, *Q1, seed=11)
    simulator.set_rows("chat_9", rows)
    simulator.latency = 0.05
    for kill_after in (3, 900, 2500):
        first = killed_run(run_tap, base_config(simulator, window_days=10), kill_after)
        states = [m["value"] for m in first if m["type"] == "STATE"]
        state = states[-1] if states else None
        got = keys([m["record"] for m in first if m["type"] == "RECORD"])
        simulator.requests.clear()
        resumed = run_tap(base_config(simulator, window_days=10), state)
        assert resumed.returncode == 0, resumed.stderr
        assert got | keys(resumed.records()) == keys(rows), (
            f"rows lost after a kill at line {kill_after}"
        )
        if state is not None:
            # the restart repeats at most the window it was killed in
            restart = simulator.requests[0].params["date_ini"]
            resume_local = dt.datetime.fromisoformat(bookmark(state)) - dt.timedelta(hours=5)
            assert restart == resume_local.strftime("%Y%m%d%H%M%S")


def test_stream_maps_can_hash_or_drop_personal_fields(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", [transfer("EM1", "2025-01-02 08:15:00")])
    maps = {
        "interaction_transfers": {
            "transfer_agent_name": "md5(transfer_agent_name)",
            "receiver_agent_name": None,
        }
    }
    run = run_tap(base_config(simulator, stream_maps=maps))
    assert run.returncode == 0, run.stderr
    [record] = run.records()
    assert record["transfer_agent_name"] == hashlib.md5(b"Agent 1201").hexdigest()  # noqa: S324
    assert "receiver_agent_name" not in record
    assert record["date"] == "2025-01-02T13:15:00+00:00"


def test_deselected_fields_are_not_emitted(simulator: WolkvoxSimulator, run_tap: TapRunner) -> None:
    simulator.set_rows("chat_9", [transfer("EM1", "2025-01-02 08:15:00")])
    catalog = catalog_selecting("interaction_transfers")
    entry = next(e for e in catalog["streams"] if e["tap_stream_id"] == "interaction_transfers")
    for metadata in entry["metadata"]:
        if metadata["breadcrumb"] == ["properties", "transfer_agent_name"]:
            metadata["metadata"]["selected"] = False
    config_path = run_tap.write("config-deselect.json", base_config(simulator))
    catalog_path = run_tap.write("catalog-deselect.json", catalog)
    done = subprocess.run(
        tap_command(config_path, None, catalog_path),
        capture_output=True,
        text=True,
        env=tap_env(),
        check=True,
    )
    [record] = [m["record"] for m in parse_messages(done.stdout) if m["type"] == "RECORD"]
    assert "transfer_agent_name" not in record
    assert record["conn_id"] == "EM1"
