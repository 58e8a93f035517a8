"""A request budget per run (max_requests_per_run) and the plan each run logs before it starts."""

from __future__ import annotations

from tap_wolkvox.catalog import REPORTS
from tap_wolkvox.sandbox.server import Fault, WolkvoxSimulator
from tap_wolkvox.tap import read_run_summary
from tests.conftest import TapRun, TapRunner, base_config, without_clock_warning
from tests.test_sync import Q1, spread

# 90 days in windows of 7: 13 requests for the transfers alone.
WEEKLY = {"window_days": 7}


def keys(run: TapRun) -> list[tuple[str, str, str, str]]:
    return [
        (r["conn_id"], r["date"], r["transfer_agent_id"], r["receiver_agent_id"])
        for r in run.records("interaction_transfers")
    ]


def log_lines(run: TapRun, text: str) -> list[str]:
    return without_clock_warning([line for line in run.stderr.splitlines() if text in line])


def test_the_budget_stops_the_run_cleanly_before_the_request_over_it(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", spread(900, *Q1))
    run = run_tap(base_config(simulator, max_requests_per_run=3, **WEEKLY))
    assert run.returncode == 0, run.stderr
    assert len(simulator.requests) == 3  # the fourth was never sent
    (stop,) = log_lines(run, "Request budget spent")
    assert "max_requests_per_run = 3" in stop
    assert "interaction_transfers read up to 2025-01-22T05:00:00+00:00" in stop
    assert "the next run continues" in stop
    assert "Traceback" not in run.stderr
    # Three weeks read, and a STATE that resumes after them.
    bookmark = run.final_state["bookmarks"]["interaction_transfers"]["replication_key_value"]
    assert bookmark == "2025-01-22T05:00:00+00:00"
    assert all(r["date"] < bookmark for r in run.records("interaction_transfers"))


def test_a_chain_of_budgeted_runs_reads_every_row_once(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    rows = spread(900, *Q1)
    simulator.set_rows("chat_9", rows)
    state: dict[str, object] | None = None
    loaded: list[tuple[str, str, str, str]] = []
    runs = 0
    while True:
        runs += 1
        run = run_tap(base_config(simulator, max_requests_per_run=4, **WEEKLY), state)
        assert run.returncode == 0, run.stderr
        loaded += keys(run)
        state = run.final_state
        if not log_lines(run, "Request budget spent"):
            break
        assert runs < 10
    assert runs == 4  # 13 weekly windows, four a run
    assert len(simulator.requests) == 13
    assert len(loaded) == len(set(loaded)) == len(rows)


def test_retries_count_against_the_budget(simulator: WolkvoxSimulator, run_tap: TapRunner) -> None:
    simulator.set_rows("chat_9", spread(50, *Q1))
    simulator.schedule(Fault.http(500))
    run = run_tap(base_config(simulator, max_requests_per_run=2, **WEEKLY))
    assert run.returncode == 0, run.stderr
    # The failed attempt and its retry: the second window is never asked for.
    assert [r.status for r in simulator.requests] == [500, 200]
    assert log_lines(run, "Request budget spent")


def test_every_run_logs_its_plan_and_what_it_spent(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", spread(50, *Q1))
    config = base_config(simulator, skill_ids=["3001", "3002"], **WEEKLY)
    run = run_tap(config, streams=["interaction_transfers", "skill_daily_service_levels"])
    assert run.returncode == 0, run.stderr
    (plan,) = log_lines(run, "Plan: ")
    # 13 weekly windows; 90 days for each of two skills.
    assert "at least 193 requests for 2 streams" in plan
    assert "interaction_transfers 13" in plan
    assert "skill_daily_service_levels 180 (2 partitions)" in plan
    (done,) = log_lines(run, "Run done: ")
    assert f"Run done: {len(simulator.requests)} requests sent" in done


def test_a_big_plan_is_worth_a_warning(simulator: WolkvoxSimulator, run_tap: TapRunner) -> None:
    simulator.set_rows("chat_9", spread(50, *Q1))
    run = run_tap(base_config(simulator, plan_warning_requests=10, **WEEKLY))
    (warning,) = log_lines(run, "WARNING")
    assert "needs at least 13 requests (plan_warning_requests is 10)" in warning
    assert "max_requests_per_run" in warning
    quiet = run_tap(base_config(simulator, **WEEKLY))
    assert not log_lines(quiet, "WARNING")


def test_many_streams_are_worth_a_warning(simulator: WolkvoxSimulator, run_tap: TapRunner) -> None:
    streams = sorted(report.stream for report in REPORTS)[:51]
    run = run_tap(
        base_config(simulator, max_requests_per_run=1, start_date="2025-03-31"),
        streams=streams,
    )
    assert run.returncode == 0, run.stderr
    assert log_lines(run, "51 streams are selected")


def test_a_budget_below_one_is_refused(simulator: WolkvoxSimulator, run_tap: TapRunner) -> None:
    run = run_tap(base_config(simulator, max_requests_per_run=0))
    assert run.returncode == 1
    assert "0 is less than the minimum of 1 in config['max_requests_per_run']" in run.stderr
    assert "Traceback" not in run.stderr
    assert not simulator.requests


def test_token_usage_is_read_first_and_a_plan_over_what_is_left_is_said(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.daily_quota = 14  # token_info and 13 windows: just enough
    simulator.set_rows("chat_9", spread(50, *Q1))
    run = run_tap(
        base_config(simulator, **WEEKLY), streams=["interaction_transfers", "token_usage"]
    )
    assert run.returncode == 0, run.stderr
    # token_info first, once: its row goes out when the stream syncs, without a second call.
    apis = [r.params["api"] for r in simulator.requests]
    assert apis[0] == "token_info"
    assert apis.count("token_info") == 1
    (usage,) = run.records("token_usage")
    assert usage["available_consumption_options"] == 13
    (warning,) = log_lines(run, "calls left today")
    assert "The token has 13 calls left today (token_info) and this run needs at least 14" in (
        warning
    )
    assert len(simulator.requests) == 14


def test_the_run_summary_gives_the_counts_as_json(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", spread(900, *Q1))
    simulator.row_cap = 400  # some weekly windows are cut and split
    run = run_tap(
        base_config(simulator, max_rows_per_request=400, **WEEKLY),
        streams=["interaction_transfers", "agents"],
    )
    assert run.returncode == 0, run.stderr
    summary = read_run_summary(run.stderr)
    assert summary is not None
    transfers = summary["streams"]["interaction_transfers"]
    assert summary["requests"] == len(simulator.requests)
    assert transfers["requests"] == len([r for r in simulator.requests if r.api == "chat_9"])
    assert transfers["rows"] == len(run.records("interaction_transfers")) == 900
    assert transfers["windows"] >= 13
    assert (transfers["read_from"], transfers["read_until"]) == (
        "2025-01-01 00:00:00",
        "2025-03-31 23:59:59",
    )
    assert summary["streams"]["agents"] == {
        "requests": 1,
        "retries": 0,
        "rows": len(run.records("agents")),
    }
