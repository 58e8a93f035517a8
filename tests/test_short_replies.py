"""A reply holding fewer rows than its ``msg`` announces was cut: its window is read again.

Wolkvox says how many rows it found ("120 records were found"). A reply whose ``data`` holds
fewer (a cap lower than the tap assumes, the documented 256 MB size limit) is treated like one
at the row cap: none of its rows is emitted, its window is split and read again in halves, and
where it cannot be split the run stops with one sentence.
"""

from __future__ import annotations

import io
import json
import typing as t

import pytest

from tap_wolkvox.replies import bodies
from tap_wolkvox.replies.errors import interpret, interpret_spilled
from tap_wolkvox.replies.reply import announced_rows
from tap_wolkvox.run.summary import read_run_summary
from tap_wolkvox.sandbox.server import Fault, WolkvoxSimulator
from tests.helpers import TOKEN, Clock, TapRun, base_config, keys, run_in_process, transfer

JANUARY = {"end_date": "2025-01-31T23:59:59"}
WINDOW = "2025-01-01 00:00:00..2025-01-31 23:59:59"


def reply_body(data: t.Any, msg: str, code: t.Any = "200") -> bytes:
    return json.dumps({"code": code, "error": None, "msg": msg, "data": data}).encode()


def run(
    sim: WolkvoxSimulator, streams: t.Sequence[str] = ("interaction_transfers",), **settings: t.Any
) -> TapRun:
    return run_in_process(
        base_config(sim, **settings), clock=Clock("2025-06-30 23:59:59"), streams=streams
    )


# -- the count, without a server ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("msg", "count"),
    [
        ("120 records were found", 120),
        (" 1 records were found", 1),  # token_info's sample
        ("1,172 records were found", 1172),
        ("1.172 records were found", 1172),
        ("0 records were found", 0),
        ("x records were found", None),  # the samples' placeholder
        ("  records were found", None),
        ("Information found for the current month", None),  # agent_1's sample
        ("1.5 records were found", None),
        (None, None),
        (12, None),
    ],
)
def test_the_announced_count_is_read_from_msg(msg: t.Any, count: int | None) -> None:
    assert announced_rows(msg) == count


ROW = {"conn_id": "1", "date": "2025-01-01 00:00:00"}


def test_a_reply_holding_fewer_entries_than_announced_may_be_cut() -> None:
    reply = interpret(200, reply_body([ROW, None, ROW], "5 records were found"), "chat_9")
    assert reply.may_be_cut(60_000) == "returned 3 of the 5 rows its msg announced"
    whole = interpret(200, reply_body([ROW, None, ROW], "3 records were found"), "chat_9")
    assert whole.may_be_cut(60_000) is None
    assert whole.may_be_cut(3) == "returned 3 rows, the per-request cap"
    more = interpret(200, reply_body([ROW, ROW], "1 records were found"), "chat_9")
    assert more.may_be_cut(60_000) is None


def test_an_object_data_is_not_compared_with_the_count() -> None:
    # cdr_4 sends one object keyed by bucket and says "1 records were found" (or more).
    buckets = {"0_5_seg": {"calls": "3"}, "6_10_seg": {"calls": "1"}}
    assert (
        interpret(200, reply_body(buckets, "5 records were found"), "cdr_4").may_be_cut(10) is None
    )


def test_the_spilled_path_reads_the_same_count() -> None:
    body = reply_body([ROW, None, ROW], "5 records were found")
    reply = interpret_spilled(200, io.BytesIO(body), "chat_9")
    assert reply.may_be_cut(60_000) == "returned 3 of the 5 rows its msg announced"


# -- end to end ---------------------------------------------------------------------------------


def test_a_short_reply_is_split_and_every_row_read_once(simulator: WolkvoxSimulator) -> None:
    rows = [transfer(f"EM{i}", f"2025-01-{2 + 4 * i:02d} 08:15:00") for i in range(6)]
    simulator.set_rows("chat_9", rows)
    # The first reply announces all six but holds four: none of them may go out.
    simulator.schedule(Fault.raw(200, reply_body(rows[:4], "6 records were found")))
    done = run(simulator, **JANUARY)
    assert done.returncode == 0, done.stderr
    assert len(done.records()) == len(rows)
    assert keys(done.records()) == keys(rows)
    assert (
        f"window {WINDOW} returned 4 of the 6 rows its msg announced; splitting it" in done.stderr
    )
    summary = read_run_summary(done.stderr)
    assert summary is not None
    assert summary["streams"]["interaction_transfers"]["split"] == 1


def test_a_streamed_short_reply_is_split_too(
    simulator: WolkvoxSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bodies, "SPILL_BYTES", 200)
    rows = [transfer(f"EM{i}", f"2025-01-{2 + 4 * i:02d} 08:15:00") for i in range(6)]
    simulator.set_rows("chat_9", rows)
    simulator.schedule(Fault.raw(200, reply_body([*rows[:4], None], "6 records were found")))
    done = run(simulator, **JANUARY)
    assert done.returncode == 0, done.stderr
    assert len(done.records()) == len(rows)
    assert keys(done.records()) == keys(rows)
    assert "returned 5 of the 6 rows its msg announced; splitting it" in done.stderr


def test_a_short_one_second_window_stops_naming_report_window_and_counts(
    simulator: WolkvoxSimulator,
) -> None:
    rows = [transfer(f"EM{i}", "2025-01-02 08:15:00") for i in range(3)]
    simulator.schedule(Fault.raw(200, reply_body(rows[:1], "3 records were found")))
    done = run(simulator, start_date="2025-01-02T08:15:00", end_date="2025-01-02T08:15:00")
    error = done.the_error()
    assert (
        "Report chat_9 (interaction_transfers): the one-second window "
        "2025-01-02 08:15:00..2025-01-02 08:15:00 returned 1 of the 3 rows its msg announced"
    ) in error
    assert done.records() == []
    assert not any(
        "replication_key_value" in s["bookmarks"].get("interaction_transfers", {})
        for s in done.states()
    )


def test_a_short_day_of_totals_stops_naming_report_day_and_counts(
    simulator: WolkvoxSimulator,
) -> None:
    totals = [{"agent_id": "1201", "calls": "3"}, {"agent_id": "1202", "calls": "4"}]
    simulator.schedule(Fault.raw(200, reply_body(totals, "5 records were found")))
    done = run(
        simulator,
        streams=["agent_daily_performance"],
        start_date="2025-02-27",
        end_date="2025-02-27T23:59:59",
    )
    error = done.the_error()
    assert (
        "Report agent_1 (agent_daily_performance) returned 2 of the 5 rows its msg announced"
        in error
    )
    assert "2025-02-27" in error
    assert done.records() == []


def test_a_short_table_stops_rather_than_load_it_cut() -> None:
    clock = Clock("2025-06-30 12:00:00")
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now) as sim:
        agents = [{"agent_id": "1201", "agent_name": "Ana"}]
        sim.schedule(Fault.raw(200, reply_body(agents, "36 records were found")))
        done = run_in_process(base_config(sim), clock=clock, streams=["agents"])
    error = done.the_error()
    assert "Report agents (agents) returned 1 of the 36 rows its msg announced" in error
    assert "so the table may be cut" in error
    assert done.records("agents") == []
    assert "ACTIVATE_VERSION" not in {m["type"] for m in done.messages}
