"""What is a row, and what tells rows apart: blank rows, stand-in key parts, identical rows.

A row with any value is a row (only rows whose every value is blank are skipped); a key part
that is blank is emitted as a stand-in with its raw text kept and a warning; rows of one reply
that share every key value are numbered (``_occurrence``), so that an upserting target loads
each of them. Runs go through the tap in this process against the sandbox, on a fixed clock.
"""

from __future__ import annotations

import json
import logging
import typing as t

import duckdb
import pytest

from tap_wolkvox.declarations.model import EXTRA, OCCURRENCE, UNPARSED, Field, Kind
from tap_wolkvox.replies import bodies
from tap_wolkvox.rows.shaper import RowShaper, is_blank_row
from tap_wolkvox.run.summary import read_run_summary
from tap_wolkvox.sandbox.api import OneObject
from tap_wolkvox.sandbox.server import Fault
from tap_wolkvox.time.timestamps import OperationClock, load_timezone
from tests.helpers import Always, Clock, TapRun, base_config, run_in_process, transfer

if t.TYPE_CHECKING:
    from tap_wolkvox.sandbox.server import WolkvoxSimulator

NOW = "2025-06-30T23:59:59"  # the simulator fixture's clock: every window read is past
DAY = "2025-02-27"
STAND_IN = "1970-01-01T00:00:00+00:00"


def one_day(
    sim: WolkvoxSimulator, *streams: str, day: str = DAY, last: str | None = None
) -> TapRun:
    """The tap from the local ``day`` to the end of ``last`` (that day alone by default)."""
    config = base_config(sim, start_date=day, end_date=f"{last or day}T23:59:59")
    return run_in_process(config, clock=Clock(NOW), streams=streams)


def warnings(run: TapRun) -> list[str]:
    return [line for line in run.stderr.splitlines() if line.startswith("WARNING")]


def key_of(run: TapRun, stream: str) -> list[str]:
    schema = next(m for m in run.messages if m["type"] == "SCHEMA" and m["stream"] == stream)
    return list(schema["key_properties"])


def keys(run: TapRun, stream: str) -> list[tuple[t.Any, ...]]:
    key = key_of(run, stream)
    return [tuple(record[k] for k in key) for record in run.records(stream)]


# -- 3. a row with any value is a row ----------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "blank"),
    [
        ({"count": "", "cod_act": "", "description_cod_act": ""}, True),
        ({"count": " ", "cod_act": "-", "description_cod_act": None, "extra": "\t"}, True),
        ({}, True),
        ({"conversation": [], "conn_id": ""}, True),
        ({"count": "45", "cod_act": ""}, False),
        ({"count": "", "cod_act": "", "undeclared": "x"}, False),  # an extra value counts too
        ({"count": 0, "cod_act": ""}, False),
        ({"count": "", "conversation": [{"date": ""}]}, False),
    ],
)
def test_a_row_is_blank_only_when_every_value_it_holds_is(
    row: dict[str, t.Any], *, blank: bool
) -> None:
    assert is_blank_row(row) is blank


def test_a_daily_row_with_a_blank_code_is_kept_and_counted(simulator: WolkvoxSimulator) -> None:
    simulator.sources["act_5"] = Always(
        [
            {"count": "100", "cod_act": "cod_act-1", "description_cod_act": "Venta efectiva"},
            {"count": "27", "cod_act": "cod_act-2", "description_cod_act": "Promesa de pago"},
            {"count": "45", "cod_act": "", "description_cod_act": ""},
            {"count": "", "cod_act": " ", "description_cod_act": "-"},  # no row at all
        ]
    )
    run = one_day(simulator, "daily_calls_by_disposition")
    assert run.returncode == 0, run.stderr
    records = run.records("daily_calls_by_disposition")
    assert sum(r["count"] for r in records) == 172  # not 127
    blank_code = next(r for r in records if r["count"] == 45)
    assert blank_code["cod_act"] == ""  # the key part's stand-in for text
    assert blank_code["report_date"] == DAY
    assert UNPARSED not in blank_code
    [said] = [w for w in warnings(run) if "skipped" in w]
    assert "Report act_5 (daily_calls_by_disposition): skipped 1 rows whose every value was " in (
        said
    )
    summary = read_run_summary(run.stderr)
    assert summary is not None
    assert summary["streams"]["daily_calls_by_disposition"]["rows"] == 3


def test_a_dimension_row_with_a_blank_id_is_kept_by_the_same_rule(
    simulator: WolkvoxSimulator,
) -> None:
    body = {
        "code": 200,
        "error": None,
        "msg": "3 records were found",
        "data": [
            {"agent_id": "1201", "agent_name": "Valentina Gómez"},
            {"agent_id": "", "agent_name": "Supervisor sin extensión"},
            {"agent_id": "", "agent_name": " ", "agent_status": "-"},
        ],
    }
    simulator.schedule(Fault.raw(200, json.dumps(body).encode()))
    run = one_day(simulator, "agents")
    assert run.returncode == 0, run.stderr
    names = sorted(r["agent_name"] for r in run.records("agents"))
    assert names == ["Supervisor sin extensión", "Valentina Gómez"]
    [said] = [w for w in warnings(run) if "skipped" in w]
    assert "Report agents (agents): skipped 1 rows whose every value was blank" in said


# -- 4a. a blank key part keeps its raw text and is warned about --------------------------------


def test_a_blank_timestamp_is_a_stand_in_with_its_raw_text_and_a_warning(
    simulator: WolkvoxSimulator,
) -> None:
    simulator.sources["chat_9"] = Always(
        [
            transfer("EM1", ""),
            transfer("EM2", "-"),
            {k: v for k, v in transfer("EM3", "").items() if k != "date"},  # no date at all
            transfer("EM4", "2025-02-27 08:15:00"),
        ]
    )
    run = one_day(simulator, "interaction_transfers")
    assert run.returncode == 0, run.stderr
    by_id = {r["conn_id"]: r for r in run.records()}
    assert {c: r["date"] for c, r in by_id.items()} == {
        "EM1": STAND_IN,
        "EM2": STAND_IN,
        "EM3": STAND_IN,
        "EM4": "2025-02-27T13:15:00+00:00",
    }
    assert by_id["EM1"][UNPARSED] == {"date": ""}
    assert by_id["EM2"][UNPARSED] == {"date": "-"}
    assert by_id["EM3"][UNPARSED] == {"date": None}
    assert UNPARSED not in by_id["EM4"]
    said = [w for w in warnings(run) if "a key part is never null" in w]
    assert len(said) == 3  # once per row: the timestamp drives the bookmark
    assert any("conn_id='EM2'" in w and "blank date '-'" in w for w in said)


def test_a_blank_typed_key_part_is_warned_once_per_field(simulator: WolkvoxSimulator) -> None:
    play = {
        "tts_text": "Gracias por llamar",
        "characters": "18",
        "recognized_text": "",
        "date": "2025-02-27 08:15:00",
        "rp_id": "5001",
    }
    simulator.sources["diagram_8"] = Always(
        [{**play, "credits": ""}, {**play, "credits": "-"}, {**play, "credits": "0.017"}]
    )
    run = one_day(simulator, "tts_generations")
    assert run.returncode == 0, run.stderr
    records = run.records()
    assert sorted(r["credits"] for r in records) == [-1, -1, 0.017]
    assert sorted(json.dumps(r.get(UNPARSED)) for r in records) == [
        "null",
        '{"credits": ""}',
        '{"credits": "-"}',
    ]
    said = [w for w in warnings(run) if "credits" in w]
    assert len(said) == 1
    assert "emitted as -1" in said[0]


# -- 4b. identical rows are numbered, so that an upserting target keeps each --------------------


def upserted(records: list[dict[str, t.Any]], key: list[str]) -> int:
    """How many rows a table keyed on ``key`` holds once ``records`` are upserted into it."""
    db = duckdb.connect()
    columns = ", ".join(f'"{k}" VARCHAR NOT NULL' for k in key)
    names = ", ".join(f'"{k}"' for k in key)
    db.execute(f"CREATE TABLE t ({columns}, PRIMARY KEY ({names}))")
    marks = ", ".join("?" for _ in key)
    for record in records:
        values = [str(record[k]) for k in key]
        db.execute(f"INSERT OR REPLACE INTO t VALUES ({marks})", values)  # noqa: S608 - marks
    [(count,)] = db.execute("SELECT count(*) FROM t").fetchall()
    return int(count)


@pytest.mark.parametrize("spilled", [False, True], ids=["in-memory", "streamed"])
def test_identical_rows_get_distinct_keys_that_a_re_read_repeats(
    simulator: WolkvoxSimulator, monkeypatch: pytest.MonkeyPatch, *, spilled: bool
) -> None:
    if spilled:  # every reply over 200 bytes is read as a stream (see bodies.py)
        monkeypatch.setattr(bodies, "SPILL_BYTES", 200)
    play = {
        "tts_text": "Su llamada es importante",
        "characters": "24",
        "recognized_text": "",
        "date": "2025-02-27 08:15:00",
        "credits": "0.017",
        "rp_id": "5001",
    }
    simulator.set_rows("diagram_8", [play, play, play])  # three plays in one second
    # four transfers of one interaction between the same agents, all without a date
    simulator.sources["chat_9"] = Always([transfer("EM9", "") for _ in range(4)])
    streams = ("tts_generations", "interaction_transfers")
    first = one_day(simulator, *streams)
    assert first.returncode == 0, first.stderr
    for stream, count in (("tts_generations", 3), ("interaction_transfers", 4)):
        key = key_of(first, stream)
        assert key[-1] == OCCURRENCE
        assert sorted(r[OCCURRENCE] for r in first.records(stream)) == list(range(1, count + 1))
        assert len(set(keys(first, stream))) == count
        assert upserted(first.records(stream), key) == count
    # a later read of the same rows, over a wider window, yields the same keys: upserting both
    # runs still leaves one row per play and per transfer
    again = one_day(simulator, *streams, day="2025-02-01", last="2025-02-28")
    assert again.returncode == 0, again.stderr
    for stream, count in (("tts_generations", 3), ("interaction_transfers", 4)):
        assert sorted(keys(again, stream)) == sorted(keys(first, stream))
        both = first.records(stream) + again.records(stream)
        assert upserted(both, key_of(first, stream)) == count


def test_every_stream_declares_the_occurrence_once_in_its_key_and_schema(
    simulator: WolkvoxSimulator,
) -> None:
    from tap_wolkvox.tap import TapWolkvox

    config = base_config(simulator)
    tap = TapWolkvox(config=config, setup_mapper=False)
    for stream in tap.streams.values():
        assert stream.primary_keys[-1] == OCCURRENCE, stream.name
        assert stream.primary_keys.count(OCCURRENCE) == 1, stream.name
        schema = stream.schema["properties"][OCCURRENCE]
        assert schema["type"] == "integer", stream.name
        assert "description" in schema, stream.name


def test_rows_of_a_dimension_sharing_a_key_are_numbered_too(simulator: WolkvoxSimulator) -> None:
    row = {"cod_act": "TIMEOUTACW", "description_cod_act": "Tiempo agotado"}
    body = {"code": 200, "error": None, "msg": "2 records were found", "data": [row, row]}
    simulator.schedule(Fault.raw(200, json.dumps(body).encode()))
    run = one_day(simulator, "activity_codes")
    assert run.returncode == 0, run.stderr
    assert [r[OCCURRENCE] for r in run.records("activity_codes")] == [1, 2]


# -- 16. two spellings of one field; counts of bucketed reports ---------------------------------

FIELDS = (
    Field("channel", Kind.TEXT, aliases=("chanel",)),
    Field("agent_anwers", Kind.INTEGER),
    Field("calls", Kind.INTEGER),
)


def shape(row: dict[str, t.Any]) -> dict[str, t.Any]:
    clock = OperationClock(load_timezone("America/Bogota"))
    return RowShaper(FIELDS, clock, logging.getLogger("test"), label="test").shape(row)


@pytest.mark.parametrize(
    ("row", "kept", "extra"),
    [
        # the declared spelling with a value wins; the other value is kept as sent
        ({"channel": "web", "chanel": "email"}, {"channel": "web"}, {"chanel": "email"}),
        ({"chanel": "email", "channel": "web"}, {"channel": "web"}, {"chanel": "email"}),
        # a blank declared value gives way, and nothing blank is kept aside
        ({"channel": "", "chanel": "email"}, {"channel": "email"}, None),
        ({"channel": "-", "chanel": "email"}, {"channel": "email"}, None),
        ({"channel": "web", "chanel": ""}, {"channel": "web"}, None),
        # two spellings of one key: with and without stray whitespace
        ({"agent_anwers ": "3", "agent_anwers": "4"}, {"agent_anwers": 4}, {"agent_anwers ": "3"}),
        ({"agent_anwers ": "3", "agent_anwers": ""}, {"agent_anwers": 3}, None),
    ],
)
def test_two_spellings_of_one_field_keep_both_values(
    row: dict[str, t.Any], kept: dict[str, t.Any], extra: dict[str, t.Any] | None
) -> None:
    record = shape({"calls": "1", **row})
    assert {name: record[name] for name in kept} == kept
    assert record.get(EXTRA) == extra


def test_two_spellings_sent_together_are_named_once(caplog: pytest.LogCaptureFixture) -> None:
    clock = OperationClock(load_timezone("America/Bogota"))
    shaper = RowShaper(FIELDS, clock, logging.getLogger("test"), label="chat_13")
    with caplog.at_level(logging.WARNING):
        shaper.shape({"channel": "web", "chanel": "email", "calls": "1"})
        shaper.shape({"channel": "app", "chanel": "sms", "calls": "2"})
    [said] = [r.getMessage() for r in caplog.records]
    assert "'chanel'" in said
    assert "channel" in said
    assert "_extra_fields" in said


def test_a_bucketed_report_counts_the_records_it_emits(simulator: WolkvoxSimulator) -> None:
    buckets = ("0_5_seg", "6_20_seg", "21_60_seg", "61_120_seg", "greater_than_121")
    reply = OneObject(
        [
            {
                bucket: {"calls": str(n), "minutes": "1.5", "cost": "0.2", "percentage": "20 %"}
                for n, bucket in enumerate(buckets)
            }
        ]
    )

    class Buckets:
        def rows(self, start: str, end: str, now: str) -> list[dict[str, t.Any]]:
            return reply

    simulator.sources["cdr_4"] = Buckets()
    run = one_day(simulator, "daily_calls_by_duration_bucket")
    assert run.returncode == 0, run.stderr
    assert len(run.records()) == 5
    summary = read_run_summary(run.stderr)
    assert summary is not None
    assert summary["streams"]["daily_calls_by_duration_bucket"]["rows"] == 5
    assert "1 requests, 0 retries, 5 rows" in run.stderr


# -- 6. a read that returns no record leaves a table as it was ----------------------------------

EMPTY_REPLIES = {
    "404": Fault.raw(
        404,
        json.dumps({"code": 404, "error": "NOT FOUND", "msg": "Validate dates entered"}).encode(),
    ),
    "data []": Fault.raw(
        200,
        json.dumps(
            {"code": 200, "error": None, "msg": "0 records were found", "data": []}
        ).encode(),
    ),
    "blank rows only": Fault.raw(
        200,
        json.dumps(
            {"code": 200, "error": None, "msg": "1 records were found", "data": [{"agent_id": ""}]}
        ).encode(),
    ),
}


@pytest.mark.parametrize("reply", EMPTY_REPLIES.values(), ids=EMPTY_REPLIES.keys())
def test_a_table_read_with_no_record_is_left_as_it_was(
    simulator: WolkvoxSimulator, reply: Fault
) -> None:
    simulator.schedule(reply)
    run = one_day(simulator, "agents", "skills")
    assert run.returncode == 0, run.stderr
    assert run.records("agents") == []
    activated = [m["stream"] for m in run.messages if m["type"] == "ACTIVATE_VERSION"]
    assert activated == ["skills"]  # read as usual: its records, then ACTIVATE_VERSION
    skills = [m["type"] for m in run.messages if m.get("stream") == "skills"]
    assert skills[-1] == "ACTIVATE_VERSION"
    assert skills.count("RECORD") > 0
    [said] = [w for w in warnings(run) if "left as it was" in w]
    assert said.startswith("WARNING | agents: the read of agents returned no record")
