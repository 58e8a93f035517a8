"""Replies that are almost right: odd codes, odd text, odd shapes. Read what is safe, say the rest."""

from __future__ import annotations

import json
import logging
import typing as t
from zoneinfo import ZoneInfo

import pytest

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.replies.errors import (
    OddReplyError,
    WolkvoxRetriableError,
    interpret,
)
from tap_wolkvox.rows.shaper import RowShaper
from tap_wolkvox.sandbox.server import Fault, WolkvoxSimulator
from tap_wolkvox.time.timestamps import OperationClock
from tests.helpers import (
    TOKEN,
    Always,
    TapRun,
    TapRunner,
    base_config,
    chat,
    message,
    skill_transfer,
)

WINDOW = "2025-01-01 00:00:00..2025-01-31 23:59:59"
JANUARY = {"end_date": "2025-01-31T23:59:59"}  # one window: WINDOW
BOM = b"\xef\xbb\xbf"


def envelope(data: t.Any, code: t.Any = "200", msg: str = "found") -> bytes:
    """A Wolkvox reply; ``json.dumps`` writes a lone surrogate as its ``\\udXXX`` escape."""
    return json.dumps({"code": code, "error": None, "msg": msg, "data": data}).encode()


#: What Wolkvox says with a 404 for a window without rows.
NO_RECORDS = "Validate dates entered"


def errors_of(run: TapRun) -> list[str]:
    return [line for line in run.stderr.splitlines() if "| ERROR" in line]


def warnings_of(run: TapRun) -> list[str]:
    return [line for line in run.stderr.splitlines() if "| WARNING" in line]


def bookmarked(run: TapRun) -> bool:
    return any(
        "replication_key_value" in stream
        for state in run.states()
        for stream in state.get("bookmarks", {}).values()
    )


# -- interpret: the reply itself, without a server ----------------------------------------------

ROW = {"conn_id": "1", "date": "2025-01-01 00:00:00"}


def test_a_byte_order_mark_before_the_json_is_ignored() -> None:
    assert interpret(200, BOM + envelope([ROW]), "chat_9").rows == [ROW]


def test_a_byte_order_mark_before_a_404_envelope_is_still_an_empty_window() -> None:
    assert interpret(404, BOM + envelope(None, code=404, msg=NO_RECORDS), "chat_9").empty_window


@pytest.mark.parametrize("code", [200.0, "200.0", " 200 ", 0.0])
def test_a_numeric_success_code_in_any_form_is_success(code: t.Any) -> None:
    assert interpret(200, envelope([ROW], code=code), "chat_9").rows == [ROW]


def test_numeric_error_codes_keep_their_meaning_in_any_form() -> None:
    assert interpret(200, envelope(None, code=404.0, msg=NO_RECORDS), "chat_9").empty_window
    with pytest.raises(WolkvoxRetriableError, match="500"):
        interpret(200, envelope(None, code="500.0"), "chat_9")


@pytest.mark.parametrize(
    "code", [None, True, False, "OK", "success", 200.5, [200], {"status": 200}], ids=repr
)
def test_a_code_that_is_no_status_stops_with_one_sentence_naming_report_and_window(
    code: t.Any,
) -> None:
    with pytest.raises(OddReplyError) as failure:
        interpret(200, envelope([ROW], code=code), "chat_9", window=WINDOW)
    message = str(failure.value)
    assert "Report 'chat_9'" in message
    assert f"window {WINDOW}" in message
    assert f"code {json.dumps(code, separators=(',', ':'))}" in message
    assert message.count(". ") == 0  # one sentence
    assert "\n" not in message


def test_null_rows_in_data_are_skipped_and_counted() -> None:
    reply = interpret(200, envelope([None, ROW, None]), "chat_9")
    assert reply.rows == [ROW]
    assert reply.skipped == 2
    only_nulls = interpret(200, envelope([None]), "chat_9")
    assert (only_nulls.rows, only_nulls.skipped) == ([], 1)


def test_a_lone_surrogate_escape_becomes_a_replacement_character_and_is_flagged() -> None:
    body = envelope([ROW, {**ROW, "conn_id": "Hola \ud83d"}])
    assert b"\\ud83d" in body
    reply = interpret(200, body, "chat_9")
    assert reply.rows[1]["conn_id"] == "Hola \ufffd"
    assert reply.repairs == {1: {"conn_id": "Hola \\ud83d"}}


def test_an_invalid_utf8_byte_is_replaced_and_flagged_with_its_escaped_byte() -> None:
    body = envelope([{**ROW, "conn_id": "CAFE con leche"}]).replace(b"CAFE", b"caf\xe9")
    reply = interpret(200, body, "chat_9")
    assert reply.rows[0]["conn_id"] == "caf\ufffd con leche"
    assert reply.repairs == {0: {"conn_id": "caf\\xe9 con leche"}}
    # keys too: nothing with a surrogate reaches the shaper or a log line
    odd_key = envelope([{**ROW, "KEY": "x"}]).replace(b"KEY", b"k\xff")
    assert interpret(200, odd_key, "chat_9").rows == [{**ROW, "k\ufffd": "x"}]


def test_bad_text_inside_nested_lists_is_flagged_by_its_path() -> None:
    row = chat("CH1", [message("2025-01-02 08:00:00"), message("2025-01-02 08:01:00", "ok \udc81")])
    reply = interpret(200, envelope([None, row]), "chat_2")
    assert reply.rows[0]["conversation"][1]["message"] == "ok \ufffd"
    assert reply.repairs == {0: {"conversation[1].message": "ok \\udc81"}}
    # the envelope's own text is cleaned too (it may end up in a message)
    failing = envelope(None, code=500).replace(b'"found"', b'"fall\xf3"')
    with pytest.raises(WolkvoxRetriableError, match="fall\ufffd"):
        interpret(200, failing, "chat_2")


def test_raw_control_characters_inside_strings_are_read() -> None:
    body = envelope([{**ROW, "conn_id": "TAB"}]).replace(b"TAB", b"a\tb\nc")
    assert interpret(200, body, "chat_9").rows[0]["conn_id"] == "a\tb\nc"


@pytest.mark.parametrize(
    "body",
    [
        BOM + b'{"code":"200","data":[{"conn_id":',  # cut short: a retry may fix it
        b'{"code":"200","data":[{"conn_id":"caf\xe9"',
        b'{"code":"200","data":[{"calls":NaN}]}',  # not JSON, whatever Python's json says
        BOM + b"<html>gateway</html>",
    ],
    ids=["bom-truncated", "bad-byte-truncated", "nan", "bom-html"],
)
def test_a_body_that_stays_unreadable_after_the_repairs_is_retried_naming_the_window(
    body: bytes,
) -> None:
    with pytest.raises(WolkvoxRetriableError, match=f"window {WINDOW}"):
        interpret(200, body, "chat_9", window=WINDOW)


# -- the row shaper: nested lists and values that are not strings -------------------------------

CHAT_CONVERSATIONS = next(r for r in REPORTS if r.api == "chat_2")
AGENT_PERFORMANCE = next(r for r in REPORTS if r.api == "agent_1")


def shaper_for(api: str) -> RowShaper:
    report = next(r for r in REPORTS if r.api == api)
    return RowShaper(
        report.fields,
        OperationClock(ZoneInfo("America/Bogota")),
        logging.getLogger("test_odd_replies"),
        label=f"{report.stream} ({api})",
        timestamp=report.timestamp,
        key=report.primary_key,
    )


A, B, C = (message(f"2025-01-02 08:0{i}:00", f"m{i}") for i in range(3))


@pytest.mark.parametrize(
    ("conversation", "dates"),
    [
        ({"2": C, "0": A, "1": B}, ["08:00", "08:01", "08:02"]),
        ({"10": C, "9": B, "1": A}, ["08:00", "08:01", "08:02"]),  # numerically, not as text
        ({"a": A, "b": B}, ["08:00", "08:01"]),
        (A, ["08:00"]),  # a single object
        ({}, []),  # PHP's empty array as an object
    ],
    ids=["keyed", "keyed-numeric-order", "keyed-text", "single-object", "empty-object"],
)
def test_nested_lists_sent_as_keyed_objects_or_one_object_are_read(
    conversation: t.Any, dates: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    row = shaper_for("chat_2").shape(chat("CH1", conversation))
    assert [m["date"][11:16] for m in row["conversation"]] == [
        f"{int(d[:2]) + 5}:{d[3:]}" for d in dates
    ]
    assert "unparsed_values" not in row
    assert not caplog.records


@pytest.mark.parametrize(
    ("conversation", "raw"),
    [
        ("sin mensajes", '"sin mensajes"'),
        (3, "3"),
        (True, "true"),
    ],
)
def test_a_nested_list_that_is_no_list_is_kept_as_json_text_and_warned_once(
    conversation: t.Any, raw: str, caplog: pytest.LogCaptureFixture
) -> None:
    shaper = shaper_for("chat_2")
    first = shaper.shape(chat("CH1", conversation))
    second = shaper.shape(chat("CH2", conversation))
    for row in (first, second):
        assert row["conversation"] is None
        assert row["unparsed_values"] == {"conversation": raw}
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "field conversation holds a value that is not a list of objects" in warning.getMessage()


def test_a_blank_placeholder_for_a_nested_list_is_null_without_a_word(
    caplog: pytest.LogCaptureFixture,
) -> None:
    row = shaper_for("chat_2").shape(chat("CH1", "-"))
    assert row["conversation"] is None
    assert "unparsed_values" not in row
    assert not caplog.records


def test_items_that_are_not_objects_are_kept_raw_and_the_objects_stay(
    caplog: pytest.LogCaptureFixture,
) -> None:
    shaper = shaper_for("chat_2")
    row = shaper.shape(chat("CH1", [A, "oops", None, B, 7]))
    assert [m["message"] for m in row["conversation"]] == ["m0", "m1"]
    assert row["unparsed_values"] == {"conversation": '["oops",null,7]'}
    keyed = shaper.shape(chat("CH2", {"0": A, "1": "oops"}))
    assert [m["message"] for m in keyed["conversation"]] == ["m0"]
    assert keyed["unparsed_values"] == {"conversation": '["oops"]'}
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "items that are not objects" in warning.getMessage()


def test_text_fields_that_are_not_strings_are_written_as_json_text() -> None:
    row = shaper_for("chat_9").shape(
        {
            **skill_transfer("EM1"),
            "conn_id": 1e16,
            "transfer_agent_id": 1201,
            "receiver_agent_name": ["SKILL"],
            "channel": True,
        }
    )
    assert row["conn_id"] == "1e16"
    assert row["transfer_agent_id"] == "1201"
    assert row["receiver_agent_name"] == '["SKILL"]'
    assert row["channel"] == "true"
    assert "unparsed_values" not in row


def test_typed_fields_that_are_not_strings_are_read_or_kept_as_json_text() -> None:
    row = shaper_for("agent_1").shape(
        {
            "agent_id": "1201",
            "aht": 61,
            "occupancy": 34.64,
            "calls": ["3"],
            "hits": True,
            "rpc": {"n": 1},
        }
    )
    assert row["aht"] == 61
    assert row["occupancy"] == pytest.approx(34.64)
    assert (row["calls"], row["hits"], row["rpc"]) == (None, None, None)
    assert row["unparsed_values"] == {"calls": '["3"]', "hits": "true", "rpc": '{"n":1}'}


# -- end to end: the tap against the simulator --------------------------------------------------


def test_conversations_in_keyed_or_single_object_form_are_read_end_to_end(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.sources["chat_2"] = Always(
        [
            chat("CH1", {"1": B, "0": A, "2": C}),
            chat("CH2", B),
            chat("CH3", "la conversación no está disponible"),
            chat("CH4", [A, "oops", C]),
        ]
    )
    run = run_tap(base_config(simulator, **JANUARY), streams=["chat_conversations"])
    assert run.returncode == 0, run.stderr
    records = {r["conn_id"]: r for r in run.records()}
    assert [m["message"] for m in records["CH1"]["conversation"]] == ["m0", "m1", "m2"]
    assert records["CH1"]["date"] == "2025-01-02T13:00:00+00:00"
    assert "unparsed_values" not in records["CH1"]
    assert [m["message"] for m in records["CH2"]["conversation"]] == ["m1"]
    assert records["CH2"]["date"] == "2025-01-02T13:01:00+00:00"
    assert records["CH3"]["conversation"] is None
    assert records["CH3"]["unparsed_values"] == {
        "conversation": '"la conversación no está disponible"'
    }
    assert [m["message"] for m in records["CH4"]["conversation"]] == ["m0", "m2"]
    assert records["CH4"]["unparsed_values"] == {"conversation": '["oops"]'}
    assert sum("field conversation holds" in w for w in warnings_of(run)) == 1


def test_text_fields_that_are_not_strings_are_json_text_end_to_end(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    odd = {
        **skill_transfer("EM1"),
        "transfer_agent_id": 1201,
        "receiver_agent_name": ["SKILL"],
        "channel": True,
    }
    simulator.sources["chat_9"] = Always([odd, {**skill_transfer("EM2"), "conn_id": 1e16}])
    run = run_tap(base_config(simulator, **JANUARY))
    assert run.returncode == 0, run.stderr
    records = sorted(run.records(), key=lambda r: r["conn_id"])
    assert [r["conn_id"] for r in records] == ["1e16", "EM1"]
    assert records[1]["transfer_agent_id"] == "1201"
    assert records[1]["receiver_agent_name"] == '["SKILL"]'
    assert records[1]["channel"] == "true"


def test_a_list_in_a_typed_field_is_kept_raw_not_a_crash(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.sources["agent_1"] = Always(
        [{"agent_id": "1201", "agent_name": "Ana", "calls": ["3"], "hits": True}]
    )
    config = base_config(simulator, start_date="2025-02-27", end_date="2025-02-27T23:59:59")
    run = run_tap(config, streams=["agent_daily_performance"])
    assert run.returncode == 0, run.stderr
    [record] = run.records()
    assert record["calls"] is None
    assert record["unparsed_values"] == {"calls": '["3"]', "hits": "true"}


@pytest.mark.parametrize(
    "body",
    [
        BOM + envelope([skill_transfer("EM1")]),
        envelope([skill_transfer("EM1")], code=200.0),
        envelope([skill_transfer("EM1")], code="200.0"),
    ],
    ids=["bom", "code-200.0", "code-'200.0'"],
)
def test_odd_but_readable_replies_are_read_end_to_end(
    simulator: WolkvoxSimulator, run_tap: TapRunner, body: bytes
) -> None:
    simulator.schedule(Fault.raw(200, body))
    run = run_tap(base_config(simulator, **JANUARY))
    assert run.returncode == 0, run.stderr
    assert [r["conn_id"] for r in run.records()] == ["EM1"]
    assert len(simulator.requests) == 1  # no retry
    assert "Traceback" not in run.stderr


def test_null_rows_are_skipped_with_one_warning_naming_report_and_window(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.schedule(
        Fault.raw(200, envelope([None, skill_transfer("EM1"), None, skill_transfer("EM2")]))
    )
    run = run_tap(base_config(simulator, **JANUARY))
    assert run.returncode == 0, run.stderr
    assert sorted(r["conn_id"] for r in run.records()) == ["EM1", "EM2"]
    [warning] = [w for w in warnings_of(run) if "null entries" in w]
    assert (
        f"Report chat_9 (interaction_transfers): the reply for window {WINDOW} held null entries in 'data' (2)"
        in warning
    )
    assert bookmarked(run)


def test_null_rows_count_towards_the_cap_so_the_window_is_split(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    # Three entries at a cap of three: the reply may be cut, though only two rows are read.
    rows = [skill_transfer("EM1"), skill_transfer("EM2", date="2025-01-20 10:00:00")]
    simulator.set_rows("chat_9", rows)
    simulator.schedule(Fault.raw(200, envelope([rows[0], None, rows[1]])))
    run = run_tap(base_config(simulator, max_rows_per_request=3, **JANUARY))
    assert run.returncode == 0, run.stderr
    assert run.summary("interaction_transfers")["split"] == 1
    assert sorted(r["conn_id"] for r in run.records()) == ["EM1", "EM2"]
    assert bookmarked(run)


def test_invalid_text_is_replaced_flagged_and_written_as_valid_utf8(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    rows = [
        skill_transfer("EM1", name="Agent \ud83d"),
        skill_transfer("EM2", name="CAFE"),
        skill_transfer("EM3"),
    ]
    body = envelope(rows).replace(b"CAFE", b"Caf\xe9 \xff")
    simulator.schedule(Fault.raw(200, body))
    run = run_tap(base_config(simulator, **JANUARY))
    assert run.returncode == 0, run.stderr
    run.stdout.encode("utf-8")  # no surrogate made it out: the output is valid UTF-8
    records = {r["conn_id"]: r for r in run.records()}
    assert records["EM1"]["transfer_agent_name"] == "Agent \ufffd"
    assert records["EM1"]["unparsed_values"] == {"transfer_agent_name": "Agent \\ud83d"}
    assert records["EM2"]["transfer_agent_name"] == "Caf\ufffd \ufffd"
    assert records["EM2"]["unparsed_values"] == {"transfer_agent_name": "Caf\\xe9 \\xff"}
    assert "unparsed_values" not in records["EM3"]
    [warning] = [w for w in warnings_of(run) if "not valid UTF-8" in w]
    assert f"Report chat_9 (interaction_transfers): the reply for window {WINDOW}" in warning
    assert len(simulator.requests) == 1


def test_invalid_text_in_a_key_or_typed_field_keeps_the_raw_text(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    body = (
        envelope([skill_transfer("CONN", date="2025-01-02 08:15:00 DATE")])
        .replace(b"CONN", b"EM\xe91")
        .replace(b" DATE", b"\xa0")
    )
    simulator.schedule(Fault.raw(200, body))
    run = run_tap(base_config(simulator, **JANUARY))
    assert run.returncode == 0, run.stderr
    [record] = run.records()
    assert record["conn_id"] == "EM\ufffd1"
    assert record["date"] == "1970-01-01T00:00:00+00:00"  # the key part's stand-in
    assert record["unparsed_values"] == {"conn_id": "EM\\xe91", "date": "2025-01-02 08:15:00\\xa0"}


@pytest.mark.parametrize(
    ("code", "shown"),
    [(None, "null"), (True, "true"), ("OK", '"OK"'), ("ERROR", '"ERROR"')],
    ids=["null", "true", "OK", "ERROR"],
)
def test_a_code_that_is_no_status_stops_at_once_naming_report_and_window(
    simulator: WolkvoxSimulator, run_tap: TapRunner, code: t.Any, shown: str
) -> None:
    simulator.schedule(Fault.raw(200, envelope([skill_transfer("EM1")], code=code)))
    run = run_tap(base_config(simulator, **JANUARY))
    assert run.returncode != 0
    assert len(simulator.requests) == 1  # no retry: the same reply would come back
    [error] = errors_of(run)
    assert f"Report 'chat_9': Wolkvox answered 200 for window {WINDOW} with code {shown}" in error
    assert "Traceback" not in run.stderr
    assert TOKEN not in run.stderr + run.stdout
    assert run.records() == []
    assert not bookmarked(run)


def test_a_body_that_stays_unreadable_is_retried_then_named_with_its_window(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    unreadable = BOM + b'{"code":"200","data":[{"conn_id":"caf\xe9"'
    simulator.schedule(*[Fault.raw(200, unreadable)] * 2)
    run = run_tap(base_config(simulator, max_attempts=2, **JANUARY))
    assert run.returncode != 0
    assert len(simulator.requests) == 2
    [error] = errors_of(run)
    assert "Report chat_9 (interaction_transfers) kept failing after 2 attempts" in error
    assert f"malformed or truncated JSON in the 200 reply for window {WINDOW}" in error
    assert "Traceback" not in run.stderr
