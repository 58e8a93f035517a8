"""requests_in_flight: 2 — windows asked for while rows are written, never more than two at once.

A run with two in flight must write what a run one request at a time writes, byte for byte
(records and STATE in the same order, so no STATE runs ahead of its records), while the sandbox,
which counts the requests it holds at once, sees two and never three; the request budget, cut
replies, failures met ahead and a kill mid-flight behave as they do one request at a time.
"""

from __future__ import annotations

import datetime as dt
import json
import typing as t

import pytest

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.sandbox.generated import generated_sources
from tap_wolkvox.sandbox.server import WolkvoxSimulator
from tests.helpers import (
    TOKEN,
    Clock,
    TapRun,
    TapRunner,
    base_config,
    killed_run,
    run_in_process,
)

if t.TYPE_CHECKING:
    from collections.abc import Iterator

#: The run's clock: after the end of the rows (2025-01-01 .. 2025-01-10).
NOW = "2025-01-11 08:00:00"
FIRST_DAY, LAST_DAY = dt.date(2025, 1, 1), dt.date(2025, 1, 10)
#: Event reports (windows sized from their density, split when cut; answered_calls read once
#: per skill: partitions), daily totals (a request a day), a log on information.php and two
#: tables: every kind of stream.
STREAMS = (
    "interaction_transfers",
    "chats",
    "call_detail_records",
    "unconnected_calls",
    "answered_calls",
    "agent_daily_closed_interactions",
    "channel_daily_closed_interactions",
    "audit_log",
    "agents",
    "skills",
)
TABLES = ("agents", "skills")
#: The tap's row cap and the sandbox's: a window of more rows comes back cut, and is split.
CAP = 40


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def sim(clock: Clock) -> Iterator[WolkvoxSimulator]:
    with WolkvoxSimulator(
        token=TOKEN,
        row_cap=CAP,
        concurrency_limit=2,
        latency=0.01,
        code_style="string",
        now=clock.sandbox_now,
    ) as simulator:
        # replies that do not depend on the order requests arrive in
        simulator.shuffle = False
        events = [r for r in REPORTS if r.stream in STREAMS]
        simulator.sources.update(generated_sources(events, FIRST_DAY, LAST_DAY))
        yield simulator


def config(sim: WolkvoxSimulator, **overrides: t.Any) -> dict[str, t.Any]:
    settings = {
        "start_date": "2025-01-01",
        "end_date": None,
        "window_days": 5,
        "max_rows_per_request": CAP,
        "skill_ids": ["3001", "3002"],
        **overrides,
    }
    return base_config(sim, **settings)


def run(
    sim: WolkvoxSimulator,
    clock: Clock,
    state: dict[str, t.Any] | None = None,
    **overrides: t.Any,
) -> TapRun:
    sim.requests.clear()
    sim.max_in_flight = 0
    return run_in_process(config(sim, **overrides), state, clock=clock, streams=STREAMS)


def test_two_in_flight_write_what_one_at_a_time_writes(sim: WolkvoxSimulator, clock: Clock) -> None:
    serial = run(sim, clock)
    assert serial.returncode == 0, serial.stderr
    asked = sorted(r.params.get("api", "") for r in sim.requests)
    assert sim.max_in_flight == 1
    assert "splitting it" in serial.stderr  # cut replies were split: the walk depended on them

    both = run(sim, clock, requests_in_flight=2)
    assert both.returncode == 0, both.stderr
    # two at once, never three
    assert sim.max_in_flight == 2
    # the same requests, and the same Singer lines in the same order: every record once, each
    # STATE after the records it covers
    assert sorted(r.params.get("api", "") for r in sim.requests) == asked
    assert both.stdout == serial.stdout
    assert len(both.records()) > 500


def test_a_poll_two_in_flight_resumes_as_one_at_a_time_does(
    sim: WolkvoxSimulator, clock: Clock
) -> None:
    first = run(sim, clock, requests_in_flight=2)
    state = first.states()[-1]
    clock.advance(minutes=30)
    serial = run(sim, clock, state)
    serial_asked = len(sim.requests)
    both = run(sim, clock, state, requests_in_flight=2)
    assert both.returncode == 0, both.stderr
    assert len(sim.requests) == serial_asked
    assert both.stdout == serial.stdout


def test_the_budget_is_spent_as_one_at_a_time(sim: WolkvoxSimulator, clock: Clock) -> None:
    serial = run(sim, clock, max_requests_per_run=7)
    assert len(sim.requests) == 7
    both = run(sim, clock, max_requests_per_run=7, requests_in_flight=2)
    # a budgeted run sends one request at a time: where it stops decides the next run's start
    assert len(sim.requests) == 7
    assert sim.max_in_flight == 1
    assert both.stdout == serial.stdout
    assert both.summary()["budget_spent"] == serial.summary()["budget_spent"]


def test_a_failure_met_ahead_waits_for_its_turn(sim: WolkvoxSimulator, clock: Clock) -> None:
    # a report the server lacks (skipped) and one that keeps failing (the run stops): both are
    # met by readings ahead, and said where a run one request at a time says them
    sim.unavailable["cdr_1"] = 400
    sim.unavailable["cdr_5"] = 500  # unconnected_calls, the last stream to run
    serial = run(sim, clock, max_attempts=2)
    assert serial.returncode == 1
    both = run(sim, clock, max_attempts=2, requests_in_flight=2)
    assert both.returncode == 1
    assert both.stdout == serial.stdout
    assert both.the_error() == serial.the_error()
    # the streams before the failing one were written whole
    assert both.records("chats")
    assert both.records("interaction_transfers")


def test_a_run_killed_mid_flight_resumes_with_no_gap(
    sim: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    sim.latency = 0.05
    cfg = config(sim, requests_in_flight=2, end_date="2025-01-10T23:59:59")
    whole = run_tap(cfg, streams=STREAMS)
    assert whole.returncode == 0, whole.stderr
    assert sim.max_in_flight == 2
    every = rows_of(whole.messages)
    for kill_after in (5, 60, 300):
        first = killed_run(run_tap, cfg, kill_after, STREAMS)
        states = [m["value"] for m in first if m["type"] == "STATE"]
        resumed = run_tap(cfg, states[-1] if states else None, streams=STREAMS)
        assert resumed.returncode == 0, resumed.stderr
        assert rows_of(first) | rows_of(resumed.messages) == every, (
            f"rows lost after a kill at line {kill_after}"
        )


def rows_of(messages: list[dict[str, t.Any]]) -> set[tuple[str, str]]:
    """Every report record, whole (the tables' records carry the instant of their read)."""
    return {
        (m["stream"], json.dumps(m["record"], sort_keys=True))
        for m in messages
        if m["type"] == "RECORD" and m["stream"] not in TABLES
    }
