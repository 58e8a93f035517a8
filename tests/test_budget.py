"""A request budget per run (max_requests_per_run) and the plan each run logs before it starts."""

from __future__ import annotations

import typing as t

import pytest

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.run.budget import NEXT_RUN_STARTS_WITH, next_start, run_order
from tap_wolkvox.run.summary import read_run_summary
from tap_wolkvox.sandbox.server import Fault, WolkvoxSimulator
from tests.helpers import Q1, TapRun, TapRunner, base_config, spread, utc, without_clock_warning

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
        if "budget_spent" not in run.summary():
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
    assert "budget_spent" in run.summary()


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


# -- streams take turns: a budget below one poll starves none of them -------------------------

TRANSFERS, CHATS, CDR = "interaction_transfers", "chats", "call_detail_records"
END = "2025-04-01T05:00:00+00:00"  # end_date 2025-03-31T23:59:59 Bogota, read whole


def per_agent(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Transfers rows reshaped as chat_1 / cdr_1 rows (keyed conn_id, date, agent_id)."""
    return [
        {"conn_id": r["conn_id"], "date": r["date"], "agent_id": r["transfer_agent_id"]}
        for r in rows
    ]


def row_keys(run: TapRun, stream: str) -> list[tuple[str, str]]:
    return [(r["conn_id"], r["date"]) for r in run.records(stream)]


def bookmark_of(state: dict[str, t.Any], stream: str) -> str | None:
    value = state.get("bookmarks", {}).get(stream, {}).get("replication_key_value")
    return None if value is None else str(value)


def test_streams_take_turns_so_a_long_backfill_starves_no_other_stream(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    # Catalog order: cdr (13 weekly windows to backfill), chats (2), transfers (1). A budget of
    # 3 is below the 16 one poll needs: the first stream used to take it on every run.
    served = {
        TRANSFERS: spread(300, *Q1, prefix="TR"),
        CHATS: per_agent(spread(300, *Q1, seed=2, prefix="CH")),
        CDR: per_agent(spread(300, *Q1, seed=3, prefix="CD")),
    }
    simulator.set_rows("chat_9", served[TRANSFERS])
    simulator.set_rows("chat_1", served[CHATS])
    simulator.set_rows("cdr_1", served[CDR])
    resume = {CHATS: "2025-03-18T05:00:00+00:00", TRANSFERS: "2025-03-25T05:00:00+00:00"}
    state: dict[str, t.Any] = {
        "bookmarks": {
            name: {"replication_key": "date", "replication_key_value": value}
            for name, value in resume.items()
        }
    }
    loaded: dict[str, list[tuple[str, str]]] = {TRANSFERS: [], CHATS: [], CDR: []}
    config = base_config(simulator, max_requests_per_run=3, **WEEKLY)
    starts: list[str | None] = []
    bookmarks: list[dict[str, str | None]] = []
    while True:
        run = run_tap(config, state, streams=[TRANSFERS, CHATS, CDR])
        assert run.returncode == 0, run.stderr
        if not bookmarks:
            (warning,) = log_lines(run, "streams take turns")
            assert "max_requests_per_run = 3 is below the 16 requests" in warning
            assert "starts with call_detail_records" in warning
        for name in loaded:
            loaded[name] += row_keys(run, name)
        state = run.final_state
        bookmarks.append({name: bookmark_of(state, name) for name in loaded})
        starts.append(state.get(NEXT_RUN_STARTS_WITH))
        if "budget_spent" not in run.summary():
            break
        summary = read_run_summary(run.stderr)
        assert summary is not None
        assert summary["budget_spent"]["next_run_starts_with"] == starts[-1]
        assert set(summary["budget_spent"]["progress"]) == set(loaded)
        assert len(bookmarks) < 10
    # Run 1: cdr takes the budget, so run 2 starts with chats, which (with transfers) catches
    # up before cdr gets its turn again.
    assert starts[:2] == [CHATS, CDR]
    assert bookmarks[1][CHATS] == bookmarks[1][TRANSFERS] == END
    assert bookmarks[1][CDR] == bookmarks[0][CDR] != END
    assert bookmarks[-1] == dict.fromkeys(loaded, END)
    assert len(bookmarks) == 6
    assert len(simulator.requests) == 16  # not one request wasted on turns
    # Every row exactly once (end_date is months before the sandbox's now: no late-row margin).
    for name, rows in served.items():
        since = resume.get(name, "")
        expected = {(r["conn_id"], utc(r["date"])) for r in rows if utc(r["date"]) >= since}
        assert len(loaded[name]) == len(set(loaded[name])) == len(expected), name
        assert set(loaded[name]) == expected, name


def test_a_budget_of_one_still_advances_every_stream(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    # token_usage's quota check is not read ahead then: it would take the only call each run.
    simulator.set_rows("chat_9", spread(50, *Q1))
    simulator.set_rows("chat_1", per_agent(spread(50, *Q1, seed=2, prefix="CH")))
    config = base_config(simulator, max_requests_per_run=1, **WEEKLY)
    state: dict[str, t.Any] = {}
    read: list[list[str]] = []
    for _ in range(3):
        run = run_tap(config, state, streams=[TRANSFERS, CHATS, "token_usage"])
        assert run.returncode == 0, run.stderr
        assert "budget_spent" in run.summary()
        before, after = state, run.final_state
        moved = [n for n in (CHATS, TRANSFERS) if bookmark_of(after, n) != bookmark_of(before, n)]
        read.append(moved + (["token_usage"] if run.records("token_usage") else []))
        state = after
    assert read == [[CHATS], [TRANSFERS], ["token_usage"]]
    assert [r.api for r in simulator.requests] == ["chat_1", "chat_9", "token_info"]


def test_a_failing_quota_check_leaves_the_streams_their_share_of_a_small_budget(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", spread(50, *Q1))
    simulator.schedule(Fault.http(503, "Service Unavailable"))
    run = run_tap(
        base_config(simulator, max_requests_per_run=2, **WEEKLY),
        streams=[TRANSFERS, "token_usage"],
    )
    assert run.returncode == 0, run.stderr
    # token_info once (its retry would have taken the streams' last call), then transfers.
    assert [r.api for r in simulator.requests] == ["token_info", "chat_9"]
    (warning,) = log_lines(run, "without the quota check")
    assert "token_info kept failing after 1 attempts" in warning
    assert bookmark_of(run.final_state, TRANSFERS) is not None


def test_a_server_failing_everything_fails_the_run_whatever_the_budget(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", spread(50, *Q1))
    simulator.schedule(*[Fault.http(500, "Internal Server Failure")] * 20)
    run = run_tap(base_config(simulator, max_requests_per_run=3, max_attempts=6, **WEEKLY))
    error = run.the_error()
    assert "Report chat_9 (interaction_transfers) kept failing after 3 attempts" in error
    assert "the request budget allowed no more" in error
    assert len(simulator.requests) == 3
    assert "Request budget spent" not in run.stderr  # it failed: the budget did not stop it


def test_where_the_next_run_starts_is_ignored_when_unreadable(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", spread(50, *Q1))
    simulator.set_rows("chat_1", [])
    config = base_config(simulator, max_requests_per_run=1, **WEEKLY)
    for value, warned in ((42, True), ("no_such_stream", False), (None, False)):
        state: dict[str, t.Any] = {NEXT_RUN_STARTS_WITH: value, "bookmarks": {}}
        run = run_tap(config, state, streams=[TRANSFERS, CHATS])
        assert run.returncode == 0, run.stderr
        assert bool(log_lines(run, f"Ignoring the state's {NEXT_RUN_STARTS_WITH}")) is warned
        # From the first stream (catalog order: chats), as without it; the next run starts
        # with the second.
        assert bookmark_of(run.final_state, CHATS) is not None
        assert bookmark_of(run.final_state, TRANSFERS) is None
        assert run.final_state[NEXT_RUN_STARTS_WITH] == TRANSFERS


def test_the_run_order_rotates_to_where_the_budget_stopped() -> None:
    streams = ["a", "b", "c", "d"]
    assert run_order(streams, None) == streams
    assert run_order(streams, "c") == ["c", "d", "a", "b"]
    assert run_order(streams, "gone") == streams
    # Stopped in a stream that had requests in its turn: the next one starts the next run...
    assert next_start(["c", "d", "a"], "c", spent_in_turn=2) == "d"
    assert next_start(["c", "d", "a"], "a", spent_in_turn=1) == "c"
    # ...and in one that had none yet: it starts the next run.
    assert next_start(["c", "d", "a"], "d", spent_in_turn=0) == "d"
    assert next_start(["c", "d", "a"], None, spent_in_turn=0) == "c"


@pytest.mark.parametrize("budget", [None, 20])
def test_no_turns_are_announced_when_the_budget_covers_the_poll(
    simulator: WolkvoxSimulator, run_tap: TapRunner, budget: int | None
) -> None:
    simulator.set_rows("chat_9", spread(50, *Q1))
    run = run_tap(base_config(simulator, max_requests_per_run=budget, **WEEKLY))
    assert run.returncode == 0, run.stderr
    assert not log_lines(run, "take turns")
    assert NEXT_RUN_STARTS_WITH not in run.final_state
