"""A dense backfill end to end: calls are spent on rows, not on replies cut at the cap."""

from __future__ import annotations

import datetime as dt
import math
import typing as t

from tap_wolkvox.sandbox.server import SortedRows
from tests.helpers import TapRunner, base_config, keys, spread

if t.TYPE_CHECKING:
    from tap_wolkvox.sandbox.server import WolkvoxSimulator

DAYS = 90
PER_DAY = 4_000
CAP = 6_000


def test_a_90_day_backfill_of_4000_rows_a_day_costs_at_most_one_and_a_half_times_the_ideal(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    # The figures: halving alone spent 189 calls here, 93 of them cut at the cap.
    start = dt.datetime(2025, 1, 1)
    stop = start + dt.timedelta(days=DAYS) - dt.timedelta(seconds=1)
    rows = spread(DAYS * PER_DAY, start, stop, seed=5)
    simulator.sources["chat_9"] = SortedRows(rows)
    simulator.row_cap = CAP
    run = run_tap(
        base_config(simulator, end_date=stop.isoformat(), max_rows_per_request=CAP), timeout=300
    )
    assert run.returncode == 0, run.stderr
    records = run.records()
    assert len(records) == len(rows)  # nothing twice
    assert keys(records) == keys(rows)  # nothing missing
    assert simulator.span_violations == []
    ideal = math.ceil(len(rows) / CAP)
    calls = len(simulator.requests)
    cut = sum(1 for request in simulator.requests if request.rows >= CAP)
    assert calls <= 1.5 * ideal, f"{calls} calls ({cut} cut at the cap) for {ideal} caps of rows"
    summary = run.summary("interaction_transfers")
    assert (summary["empty"], summary["split"], summary["requests"]) == (0, cut, calls)
