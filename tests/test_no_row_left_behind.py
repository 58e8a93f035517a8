"""Rows that go missing quietly: late publication, foreign 404s, FULL_TABLE, empty successes.

The polling tests drive the sandbox's clock and the tap's clock together (one ``Clock``) and
run the tap in this process, so that hours of five-minute polls take seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import time
import typing as t
from pathlib import Path

import pytest

from tap_wolkvox.sandbox.server import Fault, LateRows, StaticRows, WolkvoxSimulator
from tests.helpers import (
    TOKEN,
    Clock,
    TapRun,
    TapRunner,
    base_config,
    catalog_selecting,
    keys,
    parse_messages,
    run_in_process,
    spread,
    tap_command,
    tap_env,
    transfer,
)

DATA = Path(__file__).parent / "data"
MORNING = (dt.datetime(2025, 3, 10, 8), dt.datetime(2025, 3, 10, 11, 59, 59))


def polling_config(sim: WolkvoxSimulator, **overrides: t.Any) -> dict[str, t.Any]:
    """The default settings a scheduled user has: no end_date, the default margin."""
    config = base_config(sim, start_date="2025-03-10T08:00:00", **overrides)
    del config["end_date"]
    return config


def poll(
    sim: WolkvoxSimulator,
    clock: Clock,
    config: dict[str, t.Any],
    *,
    every: dt.timedelta,
    until: dt.datetime,
    streams: t.Sequence[str] = ("interaction_transfers",),
) -> list[tuple[TapRun, int]]:
    """Run the tap every ``every`` until the clock reaches ``until``; each run with its calls."""
    runs = []
    state: dict[str, t.Any] | None = None
    while clock.wall < until:
        clock.advance(seconds=every.total_seconds())
        before = len(sim.requests)
        run = run_in_process(config, state, clock=clock, streams=streams)
        assert run.returncode == 0, run.stderr
        runs.append((run, len(sim.requests) - before))
        state = run.final_state
    return runs


def published_by(source: LateRows, now: dt.datetime) -> list[dict[str, t.Any]]:
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")
    return [row for row, at in zip(source.data, source.published, strict=True) if at <= stamp]


def poll_a_morning(
    rows: int,
    max_lag: dt.timedelta,
    *,
    every: dt.timedelta = dt.timedelta(minutes=5),
    until: dt.datetime = dt.datetime(2025, 3, 10, 12),
    seed: int = 21,
    **settings: t.Any,
) -> tuple[list[tuple[TapRun, int]], set[tuple[t.Any, ...]]]:
    """Poll a morning of transfers published up to ``max_lag`` late.

    Returns each run with its calls, and the keys of the rows published by the last poll.
    """
    clock = Clock("2025-03-10 08:00:00")
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now) as sim:
        source = LateRows(spread(rows, *MORNING, seed=seed), max_lag, seed=seed)
        sim.sources["chat_9"] = source
        runs = poll(sim, clock, polling_config(sim, **settings), every=every, until=until)
        return runs, keys(published_by(source, clock.wall))


def emitted_by(runs: list[tuple[TapRun, int]]) -> list[dict[str, t.Any]]:
    return [record for run, _ in runs for record in run.records()]


def lines_of(runs: list[tuple[TapRun, int]], text: str) -> list[str]:
    return [line for run, _ in runs for line in run.stderr.splitlines() if text in line]


@pytest.mark.parametrize("minutes", [5, 13, 45])
def test_rows_published_up_to_15_minutes_late_are_never_lost(minutes: int) -> None:
    runs, published = poll_a_morning(
        800,
        dt.timedelta(minutes=15),
        every=dt.timedelta(minutes=minutes),
        until=dt.datetime(2025, 3, 10, 12, 30),
    )
    emitted = emitted_by(runs)
    assert keys(emitted) == published
    assert len(published) == 800
    # The margin is re-read, so some rows go out twice (targets deduplicate by key) ...
    assert len(emitted) > len(keys(emitted))
    # ... in the same call: one request per poll.
    assert all(calls == 1 for _, calls in runs)


def test_each_run_says_how_late_rows_arrived() -> None:
    runs, _ = poll_a_morning(600, dt.timedelta(minutes=10), seed=22)
    late = lines_of(runs, "rows arrived late")
    assert late
    for line in late:
        at_least = int(line.split("the latest at least ")[1].split(" min")[0])
        assert at_least <= 10
        assert "(margin 15 min)" in line
    assert not lines_of(runs, "far edge")
    # The summary kept for this is small: counts per minute, not keys.
    state = runs[-1][0].final_state
    assert (
        len(state["bookmarks"]["interaction_transfers"]["late_row_margin"]["rows_per_minute"]) <= 16
    )
    assert len(json.dumps(state)) < 600


def test_rows_later_than_the_margin_widen_it_for_the_next_runs() -> None:
    runs, published = poll_a_morning(600, dt.timedelta(minutes=40), seed=23)
    emitted = keys(emitted_by(runs))
    lost = published - emitted
    # The first runs lose the rows published later than 15 minutes ...
    assert lost
    warnings = lines_of(runs, "far edge")
    assert "the following runs use a 30-minute margin" in warnings[0]
    assert "Set lookback_minutes once to re-read what is past" in warnings[0]
    assert "the following runs use a 60-minute margin" in warnings[1]
    assert len(warnings) == 2  # once per widening, not per run
    # ... the margin doubles (kept in STATE) until it holds them ...
    learned = [
        run.final_state["bookmarks"]["interaction_transfers"].get("learned_margin", {})
        for run, _ in runs
    ]
    first_at_60 = next(i for i, margin in enumerate(learned) if margin.get("minutes") == 60)
    assert all(margin.get("minutes") == 60 for margin in learned[first_at_60:])
    # ... and no row after the bookmark the run that learned it left is lost.
    bookmark = runs[first_at_60][0].final_state["bookmarks"]["interaction_transfers"]
    since = bookmark["replication_key_value"]
    assert lost
    assert all(date < since for _, date, _, _ in lost)
    assert len([key for key in published if key[1] >= since]) > 300


def test_a_margin_at_its_cap_asks_for_a_wider_setting() -> None:
    runs, _ = poll_a_morning(
        1200,
        dt.timedelta(minutes=300),
        every=dt.timedelta(minutes=30),
        until=dt.datetime(2025, 3, 10, 17),
        settle_minutes=240,
        seed=24,
    )
    warnings = lines_of(runs, "far edge")
    assert warnings
    assert "raise settle_minutes (and set lookback_minutes once" in warnings[0]
    assert not any(
        "learned_margin" in run.final_state["bookmarks"]["interaction_transfers"] for run, _ in runs
    )


class PublishedTotals:
    """agent_1-style daily totals counting the calls published so far (some publish late)."""

    def __init__(self, calls: LateRows, clock: Clock, reply_takes: dt.timedelta) -> None:
        self.calls = calls
        self.clock = clock
        self.reply_takes = reply_takes

    def rows(self, start: str, end: str, now: str) -> list[dict[str, t.Any]]:
        counted = [
            row
            for row, published in zip(self.calls.data, self.calls.published, strict=True)
            if start <= row["date"] <= end and published <= now
        ]
        # The reply takes a while: the clock moves on while it is computed.
        self.clock.advance(seconds=self.reply_takes.total_seconds())
        return [{"agent_id": "1201", "calls": str(len(counted))}] if counted else []


def daily_runs(
    clock: Clock, reply_takes: dt.timedelta, at: list[str], **overrides: t.Any
) -> tuple[list[TapRun], list[list[str]], int]:
    """Runs of agent_daily_performance at the wall-clock times ``at``; the days each asked."""
    calls = LateRows(
        spread(50, dt.datetime(2025, 3, 10, 23, 40), dt.datetime(2025, 3, 10, 23, 59, 59)),
        dt.timedelta(minutes=12),
        seed=8,
    )
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now) as sim:
        sim.sources["agent_1"] = PublishedTotals(calls, clock, reply_takes)
        config = base_config(sim, start_date="2025-03-10", **overrides)
        del config["end_date"]
        runs, asked, state = [], [], None
        for wall in at:
            clock.wall = dt.datetime.fromisoformat(wall)
            before = len(sim.requests)
            run = run_in_process(config, state, clock=clock, streams=["agent_daily_performance"])
            assert run.returncode == 0, run.stderr
            runs.append(run)
            asked.append([r.params["date_ini"][:8] for r in sim.requests[before:]])
            state = run.final_state
    return runs, asked, len(calls.data)


def test_lookback_minutes_reach_back_into_the_days_before_a_daily_bookmark() -> None:
    clock = Clock("2025-03-12 10:00:00")
    state = {
        "bookmarks": {
            "agent_daily_performance": {
                "replication_key": "report_date",
                "replication_key_value": "2025-03-12",
            }
        }
    }
    asked = {}
    for start_date, lookback in [("2025-03-01", 0), ("2025-03-01", 30), ("2025-03-01", 2 * 1440)]:
        with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now) as sim:
            sim.set_rows("agent_1", [{"agent_id": "1201", "calls": "3", "date": "x"}])
            config = base_config(sim, start_date=start_date, lookback_minutes=lookback)
            del config["end_date"]
            run = run_in_process(config, state, clock=clock, streams=["agent_daily_performance"])
            assert run.returncode == 0, run.stderr
            asked[lookback] = [r.params["date_ini"][:8] for r in sim.requests]
    assert asked == {
        0: ["20250312"],
        30: ["20250311", "20250312"],  # 00:00 - 30 min is the 11th
        2880: ["20250310", "20250311", "20250312"],
    }
    # never before start_date
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now) as sim:
        sim.set_rows("agent_1", [{"agent_id": "1201", "calls": "3", "date": "x"}])
        config = base_config(sim, start_date="2025-03-11", lookback_minutes=2 * 1440)
        del config["end_date"]
        run = run_in_process(config, state, clock=clock, streams=["agent_daily_performance"])
        assert [r.params["date_ini"][:8] for r in sim.requests] == ["20250311", "20250312"]


def last_total(runs: list[TapRun], day: str) -> int:
    totals = [r["calls"] for run in runs for r in run.records() if r["report_date"] == day]
    return int(totals[-1])


def test_a_run_after_midnight_reads_yesterday_again_so_late_rows_correct_its_totals() -> None:
    runs, asked, calls = daily_runs(
        Clock("2025-03-10 23:50:00"),
        dt.timedelta(0),
        ["2025-03-10 23:58:00", "2025-03-11 00:05:00", "2025-03-11 00:20:00", "2025-03-11 00:40"],
    )
    # At 00:05 the 15-minute margin reaches back before midnight: the 10th stays incomplete
    # and 00:20 reads it once more, now settled; 00:40 asks only for the 11th.
    assert asked == [
        ["20250310"],
        ["20250310", "20250311"],
        ["20250310", "20250311"],
        ["20250311"],
    ]
    # the rows of 23:4x published after midnight are in yesterday's last total
    assert last_total(runs, "2025-03-10") == calls


def test_a_day_asked_before_midnight_is_not_complete_even_if_answered_after() -> None:
    # No margin at all: only the time the request was sent decides.
    runs, asked, _ = daily_runs(
        Clock("2025-03-10 23:50:00"),
        dt.timedelta(seconds=40),
        ["2025-03-10 23:59:41", "2025-03-11 00:01:00"],
        settle_minutes=0,
    )
    assert (
        runs[0].final_state["bookmarks"]["agent_daily_performance"]["replication_key_value"]
        == "2025-03-10"
    )
    assert asked[1] == ["20250310", "20250311"]


# -- 404s that are not Wolkvox's ----------------------------------------------------------------


def test_a_404_page_from_a_wrong_path_stops_the_run_and_moves_no_bookmark(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", spread(100, dt.datetime(2025, 1, 1), dt.datetime(2025, 3, 1)))
    run = run_tap(base_config(simulator, api_url=simulator.url + "/wolkvox"))
    error = run.the_error()
    assert "/wolkvox/api/v2/reports_manager.php answered 404 with a page that is not" in error
    assert "check api_url and wolkvox_server" in error
    assert not any(
        "replication_key_value" in s["bookmarks"].get("interaction_transfers", {})
        for s in run.states()
    )


def test_a_proxy_404_page_mid_run_keeps_the_windows_read_before(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", spread(100, dt.datetime(2025, 1, 1), dt.datetime(2025, 3, 31)))
    simulator.schedule(Fault.page(404), after=1)
    run = run_tap(base_config(simulator))
    assert run.returncode == 1
    assert "answered 404 with a page that is not a Wolkvox reply" in run.stderr
    marks = [
        s["bookmarks"]["interaction_transfers"]["replication_key_value"]
        for s in run.states()
        if "replication_key_value" in s["bookmarks"].get("interaction_transfers", {})
    ]
    assert marks[-1] == "2025-02-01T05:00:00+00:00"  # the first window only


# -- FULL_TABLE ---------------------------------------------------------------------------------


def test_full_table_in_the_catalog_reads_from_start_date_whatever_the_state(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    rows = spread(300, dt.datetime(2025, 1, 1), dt.datetime(2025, 3, 31, 23, 59, 59))
    simulator.set_rows("chat_9", rows)
    catalog = catalog_selecting("interaction_transfers")
    entry = next(e for e in catalog["streams"] if e["tap_stream_id"] == "interaction_transfers")
    root = next(m for m in entry["metadata"] if m["breadcrumb"] == [])
    root["metadata"]["replication-method"] = "FULL_TABLE"
    state = {
        "bookmarks": {
            "interaction_transfers": {
                "replication_key": "date",
                "replication_key_value": "2025-03-01T05:00:00+00:00",
            }
        }
    }
    config_path = run_tap.write("config-full.json", base_config(simulator))
    catalog_path = run_tap.write("catalog-full.json", catalog)
    state_path = run_tap.write("state-full.json", state)
    done = subprocess.run(
        tap_command(config_path, state_path, catalog_path),
        capture_output=True,
        text=True,
        env=tap_env(),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert simulator.requests[0].params["date_ini"] == "20250101000000"
    records = [m["record"] for m in parse_messages(done.stdout) if m["type"] == "RECORD"]
    assert keys(records) == keys(rows)


# -- runs that read nothing ---------------------------------------------------------------------


def test_a_run_where_every_selected_report_is_missing_fails_naming_them(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.unavailable.update({"chat_9": 400, "chat_1": 400})
    run = run_tap(base_config(simulator), streams=["interaction_transfers", "chats"])
    error = run.the_error()
    assert "chat_1 (chats), chat_9 (interaction_transfers)" in error


def test_quiet_polls_warn_only_about_streams_that_never_returned_a_row(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", [transfer("EM1", "2025-01-02 08:15:00")])
    simulator.set_rows("chat_1", [])
    config = base_config(simulator, end_date="2025-01-31T23:59:59")
    first = run_tap(config, streams=["interaction_transfers", "chats"])
    assert first.returncode == 0, first.stderr
    assert first.final_state["bookmarks"]["interaction_transfers"]["rows_seen"] is True
    warned = "has answered 404 for every window since start_date"
    assert "Report chat_1 (chats) " + warned in first.stderr
    # A later, quiet poll: the transfers stream has had rows, so its 404s are just quiet.
    quiet = run_tap(
        base_config(simulator, end_date="2025-02-20T23:59:59"),
        first.final_state,
        streams=["interaction_transfers", "chats"],
    )
    assert quiet.returncode == 0, quiet.stderr
    assert "Report chat_9" not in quiet.stderr
    assert "Report chat_1 (chats) " + warned in quiet.stderr


# -- smaller traps ------------------------------------------------------------------------------


def test_each_partition_summary_counts_its_own_partition(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    calls = [
        {"conn_id": f"C{i}", "date": f"2025-01-0{1 + i} 10:00:00", "skill_id": skill}
        for i, skill in enumerate(["3001", "3001", "3002"])
    ]

    class BySkill(StaticRows):
        def rows(self, start: str, end: str, now: str) -> list[dict[str, t.Any]]:
            skill = simulator.requests[-1].params["skill_id"]
            return [r for r in super().rows(start, end, now) if r["skill_id"] == skill]

    simulator.sources["skill_2"] = BySkill(calls)
    config = base_config(simulator, end_date="2025-01-31T23:59:59", skill_ids=["3001", "3002"])
    run = run_tap(config, streams=["abandoned_calls"])
    assert run.returncode == 0, run.stderr
    lines = [line for line in run.stderr.splitlines() if "windows (" in line]
    assert "'3001'" in lines[0]
    assert "1 windows (0 empty, 0 split), 1 requests, 0 retries, 2 rows" in lines[0]
    assert "'3002'" in lines[1]
    assert "1 windows (0 empty, 0 split), 1 requests, 0 retries, 1 rows" in lines[1]


def test_key_parts_are_never_null(simulator: WolkvoxSimulator, run_tap: TapRunner) -> None:
    row = transfer("EM1", "2025-01-05 10:00:00")
    del row["receiver_agent_id"]
    simulator.set_rows("chat_9", [row])
    run = run_tap(base_config(simulator, end_date="2025-01-31T23:59:59"))
    [record] = run.records()
    assert record["receiver_agent_id"] == ""
    schema = next(m for m in run.messages if m["type"] == "SCHEMA")
    assert all(record[k] is not None for k in schema["key_properties"])


def test_a_full_daily_reply_says_the_run_stops_not_that_it_splits(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.row_cap = 3
    simulator.set_rows(
        "agent_1",
        [
            {"agent_id": str(1200 + i), "calls": "1", "date": "2025-01-02 10:00:00"}
            for i in range(3)
        ],
    )
    config = base_config(simulator, end_date="2025-01-02T23:59:59", max_rows_per_request=3)
    run = run_tap(config, streams=["agent_daily_performance"])
    assert run.returncode == 1
    # no split: the full day was asked for once (a day of totals cannot be split)
    assert [r.params["date_ini"][:8] for r in simulator.requests].count("20250102") == 1
    assert "for the single day 2025-01-02" in run.stderr
    assert "the run stops rather than load incomplete totals" in run.stderr


# -- the token in transit -----------------------------------------------------------------------


def test_an_unresolvable_server_is_named_at_once(tmp_path: Path, run_tap: TapRunner) -> None:
    config = {
        "token": TOKEN,
        "api_url": "https://wv0480.wolkvox-tap-test.invalid",
        "start_date": "2025-01-01",
        "end_date": "2025-01-02",
        "retry_wait_seconds": 1,
    }
    started = time.monotonic()
    run = run_tap(config)
    assert run.returncode == 1
    assert time.monotonic() - started < 30
    assert "The Wolkvox host wv0480.wolkvox-tap-test.invalid does not resolve" in run.stderr
    assert "retrying" not in run.stderr
    assert "Traceback" not in run.stderr


def test_an_untrusted_certificate_stops_and_a_ca_bundle_is_honoured(run_tap: TapRunner) -> None:
    tls = (str(DATA / "sandbox-tls.crt"), str(DATA / "sandbox-tls.key"))
    with WolkvoxSimulator(token=TOKEN, tls=tls, now=lambda: "2025-06-30 23:59:59") as sim:
        sim.set_rows("chat_9", [transfer("EM1", "2025-01-02 08:15:00")])
        config = base_config(sim, end_date="2025-01-31T23:59:59")
        assert config["api_url"].startswith("https://127.0.0.1:")
        untrusted = run_tap(config)
        assert untrusted.returncode == 1
        assert "The TLS certificate of 127.0.0.1 could not be verified" in untrusted.stderr
        assert "REQUESTS_CA_BUNDLE" in untrusted.stderr
        assert "retrying" not in untrusted.stderr
        trusted = run_tap(config, env={"REQUESTS_CA_BUNDLE": tls[0]})
        assert trusted.returncode == 0, trusted.stderr
        assert len(trusted.records()) == 1
