"""A row without problems has neither ``unparsed_values`` nor ``_extra_fields``.

A record holding ``"unparsed_values": null`` is loaded by target-postgres as the JSON value
``null``, which SQL's ``IS NOT NULL`` matches: every row looked unparsed. A key left out is
stored as SQL NULL by every target (tests/test_postgres.py checks a real PostgreSQL). Both row
paths leave the keys out alike, byte for byte: the fast path (rows/typed.py) leaves the Struct's
attribute unset, the dict path (rows/pipeline.py, rows/shaper.py) leaves the key out; the
properties stay declared in the schema.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import typing as t

import msgspec
import pytest

from tap_wolkvox.declarations.model import EXTRA, UNPARSED
from tap_wolkvox.replies.errors import interpret
from tap_wolkvox.rows.shaper import RowShaper
from tap_wolkvox.rows.typed import record_frame
from tap_wolkvox.time.timestamps import OperationClock, load_timezone
from tests.helpers import Clock, base_config, chat, message, report_stream, run_in_process

if t.TYPE_CHECKING:
    from tap_wolkvox.sandbox.server import WolkvoxSimulator

CALLS = "call_detail_records"  # cdr_1: typed fields that are no key parts (cost, time_seg)
CLOSED_CHATS = "channel_daily_closed_chats"  # chat_13: chanel is another spelling of channel
CALL = {
    "agent_name": "Ana",
    "date": "2025-02-27 09:00:00",
    "cost": "41.3",
    "time_seg": "00:32:27",
    "conn_id": "C1",
    "agent_id": "1200",
}


def columns(record: dict[str, t.Any]) -> set[str]:
    """Which of the two columns ``record`` holds."""
    return {UNPARSED, EXTRA} & set(record)


# -- the dict path: one row shaped ------------------------------------------------------------


def test_a_shaped_row_holds_the_columns_only_when_they_hold_something() -> None:
    stream = report_stream(CALLS)
    shape = stream.pipeline.shaper.shape
    assert columns(shape(dict(CALL))) == set()
    unreadable = shape({**CALL, "cost": "n/a"})
    assert unreadable[UNPARSED] == {"cost": "n/a"}
    assert EXTRA not in unreadable
    undeclared = shape({**CALL, "queue_name": "Cola 1"})
    assert undeclared[EXTRA] == {"queue_name": "Cola 1"}
    assert UNPARSED not in undeclared
    # The properties stay declared: a target creates the columns, and rows leave them NULL.
    assert {UNPARSED, EXTRA} <= set(stream.schema["properties"])


def test_a_nested_item_without_problems_has_neither_column() -> None:
    stream = report_stream("chat_conversations")
    record = stream.pipeline.shaper.shape(
        chat("C1", [message("2025-02-27 09:00:00"), {**message("oops"), "emoji": "1"}])
    )
    first, second = record["conversation"]
    assert columns(first) == set()
    assert second[UNPARSED] == {"date": "oops"}
    assert second[EXTRA] == {"emoji": "1"}
    assert columns(record) == set()


def test_raw_text_kept_for_a_repaired_value_makes_the_column() -> None:
    clock = OperationClock(load_timezone("America/Bogota"))
    stream = report_stream(CALLS)
    shaper = RowShaper(stream.report.fields, clock, logging.getLogger("test"), label="t")
    record = shaper.shape(dict(CALL))
    shaper.keep_raw(record, {"agent_name": "An\\udc80"})
    assert record[UNPARSED] == {"agent_name": "An\\udc80"}


# -- both paths, one reply: the same bytes ----------------------------------------------------


@pytest.mark.parametrize(
    ("stream", "rows", "held"),
    [
        pytest.param(CALLS, [CALL, {**CALL, "conn_id": "C2"}], [set(), set()], id="clean rows"),
        pytest.param(
            CALLS,
            [CALL, {**CALL, "conn_id": "C2", "cost": "n/a"}, {**CALL, "conn_id": "C3"}],
            [set(), {UNPARSED}, set()],
            id="one unreadable value",
        ),
        pytest.param(
            CALLS,
            [{**CALL, "date": "", "cost": "n/a"}, CALL],
            [{UNPARSED}, set()],
            id="a blank key part",
        ),
        pytest.param(
            CLOSED_CHATS,
            [
                {"channel": "web", "chanel": "email", "interaction": "3"},
                {"channel": "sms", "interaction": "2"},
                {"channel": "app", "interaction": "x"},
            ],
            [{EXTRA}, set(), {UNPARSED}],
            id="two spellings, each with a value",
        ),
    ],
)
def test_both_paths_leave_the_columns_out_alike(
    stream: str, rows: list[dict[str, t.Any]], held: list[set[str]]
) -> None:
    body = json.dumps({"code": "200", "msg": f"{len(rows)} records were found", "data": rows})
    day = dt.datetime(2025, 2, 27), dt.datetime(2025, 2, 27, 23, 59, 59)
    fast_stream, dict_stream = report_stream(stream), report_stream(stream)
    api = fast_stream.report.api
    typed = fast_stream.typed_rows
    assert typed is not None
    fast = interpret(200, body.encode(), api, typed=typed)
    assert fast.typed  # decoded into Structs: the fast path
    window = fast_stream.grain.plan(*day).current
    assert window is not None
    prefix, suffix = record_frame(stream, None, dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc))
    completion = fast_stream.grain.completion_for(window)
    lines, count = fast_stream.pipeline.lines(fast, typed, prefix, suffix, completion=completion)
    records = list(dict_stream.records_of(window, interpret(200, body.encode(), api), {}))
    assert [columns(record) for record in records] == held
    assert count == len(records)
    assert b"".join(lines) == b"".join(prefix + msgspec.json.encode(r) + suffix for r in records)


# -- both paths, whole runs: the SDK's path (a stream map) writes the same lines -------------


def test_a_run_writes_the_same_lines_on_the_sdks_path(simulator: WolkvoxSimulator) -> None:
    # One day's reply fits its declaration (the fast path), the next day's holds an undeclared
    # key (the dict path); a stream map that changes nothing sends both through the SDK's path.
    days = [
        {**CALL, "conn_id": "C1"},
        {**CALL, "conn_id": "C2", "cost": "n/a"},
        {**CALL, "conn_id": "C3", "date": "2025-02-28 10:00:00", "queue_name": "Cola 1"},
        {**CALL, "conn_id": "C4", "date": "2025-02-28 11:00:00"},
    ]
    simulator.set_rows("cdr_1", days)
    settings = {"start_date": "2025-02-27", "end_date": "2025-02-28T23:59:59", "window_days": 1}
    clock = Clock("2025-06-30 23:59:59")
    plain = run_in_process(base_config(simulator, **settings), clock=clock, streams=[CALLS])
    mapped = run_in_process(
        base_config(simulator, **settings, stream_maps={CALLS: {}}), clock=clock, streams=[CALLS]
    )
    assert plain.returncode == mapped.returncode == 0, plain.stderr + mapped.stderr
    assert record_lines(plain.stdout) == record_lines(mapped.stdout)
    assert [(r["conn_id"], *sorted(columns(r))) for r in plain.records(CALLS)] == [
        ("C1",),
        ("C2", UNPARSED),
        ("C3", EXTRA),
        ("C4",),
    ]


def record_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if json.loads(line)["type"] == "RECORD"]


def test_a_stream_map_reads_the_columns_with_get(simulator: WolkvoxSimulator) -> None:
    # As docs/operations.md says: the bare name is undefined on a row without problems.
    simulator.set_rows("cdr_1", [CALL, {**CALL, "conn_id": "C2", "cost": "n/a"}])
    settings = {"start_date": "2025-02-27", "end_date": "2025-02-27T23:59:59"}
    clock = Clock("2025-06-30 23:59:59")
    for odd, returncode, flags in (
        ("record.get('unparsed_values') is not None", 0, [False, True]),
        ("unparsed_values is not None", 1, []),
    ):
        maps = {CALLS: {"odd": odd}}
        done = run_in_process(
            base_config(simulator, **settings, stream_maps=maps), clock=clock, streams=[CALLS]
        )
        assert done.returncode == returncode, done.stderr
        assert [r["odd"] for r in done.records(CALLS)] == flags
