"""A reply over 16 MiB (spilled and streamed) gives exactly what a small one gives.

The same bodies go through the in-memory path and the streamed path (the spill threshold is
lowered, as in test_streamed_replies.py), and the RECORD lines must be the same bytes: bad
text (lone surrogate escapes, ``\\u0000``) becomes U+FFFD with the raw text in
``unparsed_values`` and one warning, and a duplicated ``data`` key counts only its last value,
as msgspec reads it.
"""

from __future__ import annotations

import io
import json
import typing as t

import pytest

from tap_wolkvox.replies import bodies
from tap_wolkvox.replies.errors import interpret, interpret_spilled
from tap_wolkvox.sandbox.server import Fault, WolkvoxSimulator
from tests.helpers import Clock, TapRun, base_config, chat, message, run_in_process, skill_transfer

JANUARY = {"end_date": "2025-01-31T23:59:59"}
PADDING = " " * 300  # past the lowered spill threshold


def envelope(data: t.Any, msg: str = "found") -> bytes:
    return json.dumps({"code": "200", "error": None, "msg": msg, "data": data}).encode()


def run(sim: WolkvoxSimulator, body: bytes, stream: str, **settings: t.Any) -> TapRun:
    sim.schedule(Fault.raw(200, body + PADDING.encode()))
    return run_in_process(
        base_config(sim, **JANUARY, **settings),
        clock=Clock("2025-06-30 23:59:59"),
        streams=[stream],
    )


def record_lines(done: TapRun) -> list[str]:
    return [line for line in done.stdout.splitlines() if json.loads(line)["type"] == "RECORD"]


def warning_lines(done: TapRun) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("WARNING")]


def both_paths(
    sim: WolkvoxSimulator,
    monkeypatch: pytest.MonkeyPatch,
    body: bytes,
    stream: str = "interaction_transfers",
    **settings: t.Any,
) -> TapRun:
    """Run ``body`` through both paths; assert they agree and return the in-memory run."""
    small = run(sim, body, stream, **settings)
    assert small.returncode == 0, small.stderr
    with monkeypatch.context() as patch:
        patch.setattr(bodies, "SPILL_BYTES", 200)
        large = run(sim, body, stream, **settings)
    assert large.returncode == 0, large.stderr
    assert record_lines(large) == record_lines(small)
    assert warning_lines(large) == warning_lines(small)
    return small


def test_lone_surrogates_and_nul_read_the_same_in_both_paths(
    simulator: WolkvoxSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        skill_transfer("EM1", name="Agent \ud83d"),  # a lone high surrogate escape
        skill_transfer("EM2", name="Agent \udc81"),  # a lone low one
        skill_transfer("EM3", name="HIGHA"),  # a high one followed by another escape
        skill_transfer("EM4", name="Agent \U0001f600"),  # a sound pair: no repair
        skill_transfer("EM5", name="Hola \x00"),  # json.dumps writes \u0000
        {**skill_transfer("EM6"), "odd\x00key": "x"},
    ]
    body = envelope(rows).replace(b"HIGHA", b"X\\ud83d\\u0041")
    assert b"\\ud83d\\ude00" in body
    assert b"\\u0000" in body
    done = both_paths(simulator, monkeypatch, body)
    records = {r["conn_id"]: r for r in done.records()}
    assert records["EM1"]["transfer_agent_name"] == "Agent \ufffd"
    assert records["EM1"]["unparsed_values"] == {"transfer_agent_name": "Agent \\ud83d"}
    assert records["EM2"]["unparsed_values"] == {"transfer_agent_name": "Agent \\udc81"}
    assert records["EM3"]["transfer_agent_name"] == "X\ufffdA"
    assert records["EM3"]["unparsed_values"] == {"transfer_agent_name": "X\\ud83dA"}
    assert records["EM4"]["transfer_agent_name"] == "Agent \U0001f600"
    assert "unparsed_values" not in records["EM4"]
    assert records["EM5"]["transfer_agent_name"] == "Hola \ufffd"
    assert records["EM5"]["unparsed_values"] == {"transfer_agent_name": "Hola \\u0000"}
    assert "\\u0000" not in "".join(record_lines(done)).replace("\\\\u0000", "")
    [warning] = [w for w in warning_lines(done) if "not valid UTF-8" in w]
    assert "(4:" in warning  # four values repaired (keys are replaced, not counted)


def test_nested_bad_text_reads_the_same_in_both_paths(
    simulator: WolkvoxSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = [
        message("2025-01-02 08:00:00", "hola \ud83d"),
        message("2025-01-02 08:01:00", "fin \x00"),
    ]
    done = both_paths(
        simulator, monkeypatch, envelope([None, chat("CH1", conversation)]), "chat_conversations"
    )
    [record] = done.records()
    assert [m["message"] for m in record["conversation"]] == ["hola \ufffd", "fin \ufffd"]
    assert record["unparsed_values"] == {
        "conversation[0].message": "hola \\ud83d",
        "conversation[1].message": "fin \\u0000",
    }


def test_a_duplicated_data_key_gives_its_last_value_in_both_paths(
    simulator: WolkvoxSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = json.dumps([skill_transfer("OLD1"), skill_transfer("OLD2")])
    last = json.dumps([skill_transfer("NEW1")])
    body = (
        '{"code": "200", "msg": "1 records were found", "data": '
        f'{first}, "error": null, "data": {last}}}'
    ).encode()
    # At a cap of 2 the first array would be cut; only the last one counts.
    done = both_paths(simulator, monkeypatch, body, max_rows_per_request=2)
    assert [r["conn_id"] for r in done.records()] == ["NEW1"]
    assert len(simulator.requests) == 2  # one per path: nothing was split


def test_a_duplicated_data_key_whose_last_value_is_an_object_reads_it_alone() -> None:
    body = b'{"code": "200", "data": [{"conn_id": "OLD1"}, null], "data": {"conn_id": "NEW1"}}'
    reply = interpret_spilled(200, io.BytesIO(body), "chat_9")
    assert list(reply.each_row()) == interpret(200, body, "chat_9").rows == [{"conn_id": "NEW1"}]
    assert (reply.size, reply.skipped) == (1, 0)


def test_bad_text_is_repaired_while_streaming_not_read_into_memory() -> None:
    body = envelope(
        [skill_transfer("EM1", name="Agent \ud83d"), skill_transfer("EM2", name="a\x00")]
    )
    reply = interpret_spilled(200, io.BytesIO(body), "chat_9")
    assert reply.stream is not None  # still streamed from the file
    names = [row["transfer_agent_name"] for row in reply.each_row()]
    assert names == ["Agent \ufffd", "a\ufffd"]
    assert reply.repairs == {
        0: {"transfer_agent_name": "Agent \\ud83d"},
        1: {"transfer_agent_name": "a\\u0000"},
    }


@pytest.mark.parametrize(
    "body",
    [
        envelope([skill_transfer("EM1", name="a\\u0000 literal")]),  # an escaped backslash: no NUL
        envelope([skill_transfer("EM1", name="\\ud83d literal")]),
    ],
    ids=["nul-text", "surrogate-text"],
)
def test_text_that_only_looks_like_a_bad_escape_is_left_alone(body: bytes) -> None:
    for reply in (
        interpret(200, body, "chat_9"),
        interpret_spilled(200, io.BytesIO(body), "chat_9"),
    ):
        [row] = list(reply.each_row())
        assert row["transfer_agent_name"].endswith(" literal")
        assert "\ufffd" not in row["transfer_agent_name"]
        assert reply.repairs == {}


@pytest.mark.parametrize(
    ("escape", "nul", "lone"),
    [("\\ud83d\\ude00", False, False), ("\\ud83d", False, True), ("\\u0000", True, False)],
    ids=["pair", "lone-high", "nul"],
)
def test_escapes_across_the_first_pass_reads_are_judged_whole(
    escape: str, nul: bool, lone: bool
) -> None:
    # ijson reads 64 KiB at a time: an escape (or a pair) may straddle two reads.
    for shift in range(-14, 3):
        head = '{"code": "200", "data": [{"n": "'
        text = head + "x" * (65536 + shift - len(head)) + escape + '"}]}'
        envelope = bodies.scan(io.BytesIO(text.encode()))
        assert (envelope.nul, envelope.lone_surrogates) == (nul, lone), shift
