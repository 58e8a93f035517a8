"""Large replies are spilled to a temporary file and read as a stream: same answers, less memory.

The spill threshold is lowered here so that small test replies take the streamed path; one
test sends a reply over the real threshold to a tap it kills in the middle.
"""

from __future__ import annotations

import datetime as dt
import json
import typing as t

import pytest

from tap_wolkvox.replies import bodies
from tap_wolkvox.sandbox.server import Fault, WolkvoxSimulator
from tests.helpers import (
    Q1,
    TOKEN,
    Clock,
    TapRunner,
    base_config,
    keys,
    killed_run,
    run_in_process,
    spread,
    transfer,
)

JANUARY = {"end_date": "2025-01-31T23:59:59"}


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every reply over 200 bytes takes the streamed path."""
    monkeypatch.setattr(bodies, "SPILL_BYTES", 200)


def envelope(data: t.Any, code: t.Any = "200", msg: str = "found") -> bytes:
    return json.dumps({"code": code, "error": None, "msg": msg, "data": data}).encode()


def run(sim: WolkvoxSimulator, **settings: t.Any) -> t.Any:
    return run_in_process(base_config(sim, **settings), clock=Clock("2025-06-30 23:59:59"))


@pytest.mark.usefixtures("streamed")
def test_a_streamed_backfill_reads_every_row_once(simulator: WolkvoxSimulator) -> None:
    rows = spread(3000, *Q1)
    simulator.set_rows("chat_9", rows)
    done = run(simulator)
    assert done.returncode == 0, done.stderr
    assert len(done.records()) == len(rows)
    assert keys(done.records()) == keys(rows)


@pytest.mark.usefixtures("streamed")
def test_a_streamed_reply_at_the_cap_is_split_and_no_row_goes_out_twice(
    simulator: WolkvoxSimulator,
) -> None:
    simulator.row_cap = 100
    rows = spread(450, dt.datetime(2025, 1, 10), dt.datetime(2025, 1, 10, 23, 59, 59), seed=3)
    simulator.set_rows("chat_9", rows)
    done = run(simulator, max_rows_per_request=100, **JANUARY)
    assert done.returncode == 0, done.stderr
    assert done.summary("interaction_transfers")["split"] > 0
    assert len(done.records()) == len(rows)  # the cut replies' rows were never emitted
    assert keys(done.records()) == keys(rows)


@pytest.mark.usefixtures("streamed")
def test_a_streamed_404_envelope_is_an_empty_window(simulator: WolkvoxSimulator) -> None:
    padding = "x" * 500  # past the lowered threshold
    no_rows = {"code": 404, "error": padding, "msg": "Validate dates entered"}
    simulator.schedule(Fault.raw(404, json.dumps(no_rows).encode()))
    simulator.set_rows("chat_9", [transfer("EM1", "2025-01-02 08:15:00")])
    done = run(simulator, **JANUARY)
    assert done.returncode == 0, done.stderr
    assert done.records() == []
    assert done.final_state["bookmarks"]["interaction_transfers"]["replication_key_value"]


@pytest.mark.usefixtures("streamed")
@pytest.mark.parametrize(
    ("code", "outcome"),
    [(500, "retried"), ("OK", "stops"), (200.0, "read"), ("404", "empty")],
)
def test_the_code_of_a_streamed_reply_is_read_before_any_row(
    simulator: WolkvoxSimulator, code: t.Any, outcome: str
) -> None:
    good = [transfer(f"EM{i}", "2025-01-02 08:15:00") for i in range(5)]
    simulator.set_rows("chat_9", good)
    msg = "Validate dates entered" if outcome == "empty" else "found"
    bad = [transfer("BAD", "2025-01-03 08:15:00")] * 5
    simulator.schedule(Fault.raw(200, envelope(bad, code, msg)))
    done = run(simulator, retry_wait_seconds=0.01, **JANUARY)
    emitted = {r["conn_id"] for r in done.records()}
    if outcome == "retried":
        assert done.returncode == 0, done.stderr
        assert emitted == {r["conn_id"] for r in good}
        assert done.summary("interaction_transfers")["retries"] == 1
    elif outcome == "stops":
        assert done.returncode == 1
        assert emitted == set()
        assert 'with code "OK"' in done.stderr
    elif outcome == "read":
        assert emitted == {"BAD"}
    else:  # the window is empty: nothing of the body is read
        assert done.returncode == 0, done.stderr
        assert emitted == set()


@pytest.mark.usefixtures("streamed")
@pytest.mark.parametrize(
    "body",
    [
        envelope([transfer("EM1", "2025-01-02 08:15:00")] * 5)[:-40],  # cut off
        b'{"code": "200", "data": [' + b'{"conn_id": "x"},' * 20 + b"}",  # malformed
    ],
    ids=["cut", "malformed"],
)
def test_a_broken_streamed_body_is_retried_and_nothing_is_lost(
    simulator: WolkvoxSimulator, body: bytes
) -> None:
    rows = [transfer(f"EM{i}", "2025-01-02 08:15:00") for i in range(8)]
    simulator.set_rows("chat_9", rows)
    simulator.schedule(Fault.raw(200, body))
    done = run(simulator, retry_wait_seconds=0.01, **JANUARY)
    assert done.returncode == 0, done.stderr
    assert "malformed or truncated JSON" in done.stderr
    assert keys(done.records()) == keys(rows)


@pytest.mark.usefixtures("streamed")
def test_streamed_odd_shapes_read_as_in_memory(simulator: WolkvoxSimulator) -> None:
    one = transfer("EM1", "2025-01-02 08:15:00")
    body = b"\xef\xbb\xbf" + envelope([None, one, None, {**one, "conn_id": "EM2"}])
    simulator.schedule(Fault.raw(200, body + b" " * 300))
    done = run(simulator, **JANUARY)
    assert done.returncode == 0, done.stderr
    assert sorted(r["conn_id"] for r in done.records()) == ["EM1", "EM2"]


def test_a_tap_killed_in_the_middle_of_a_large_reply_resumes_with_no_gap(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    # ~20 MB in one window: over the real spill threshold.
    rows = spread(100_000, *Q1, seed=17)
    simulator.set_rows("chat_9", rows)
    config = base_config(simulator, window_days=31)
    # Past the first window's STATE, into the second (large) reply.
    first = killed_run(run_tap, config, after_lines=45_000)
    states = [m["value"] for m in first if m["type"] == "STATE"]
    got = keys([m["record"] for m in first if m["type"] == "RECORD"])
    assert 0 < len(got) < len(rows)
    resumed = run_tap(config, states[-1] if states else None)
    assert resumed.returncode == 0, resumed.stderr
    assert got | keys(resumed.records()) == keys(rows)
    assert TOKEN not in resumed.stderr
