"""Stream-map expressions that fail on a record end the run with one sentence, not a traceback.

The sentence names the stream and the property whose expression failed, and never a record's
values: the map may be there to hide them.
"""

from __future__ import annotations

import typing as t

import pytest

from tests.helpers import TapRunner, base_config, transfer

if t.TYPE_CHECKING:
    from tap_wolkvox.sandbox.server import WolkvoxSimulator

# Values a map might be hiding: none may appear in the tap's output on stderr.
HIDDEN = ("PRIVATE-CONN-4711", "Agent Dolores Fuentes", "9876543")


def rows() -> list[dict[str, str]]:
    row = transfer("PRIVATE-CONN-4711", "2025-01-02 10:00:00", sender="9876543")
    row["transfer_agent_name"] = "Agent Dolores Fuentes"
    return [row, {**row, "date": "2025-01-03 10:00:00"}]


@pytest.mark.parametrize(
    ("prop", "expression", "failure"),
    [
        ("ratio", "1/0", "divides by zero"),
        ("nope", "record['nope']", "missing key"),
        ("conn_number", "int(conn_id)", "cannot convert"),
        ("agent_hash", "md5(int(transfer_agent_id))", "wrong type"),
        ("size", "float(record)", "wrong type"),
        ("length", "len(conn_id)", "function that is not defined"),
        ("label", "transfer_agent_name + 1", "wrong type"),
        ("agent", "transfer_agent_name[100]", "past the end"),
        ("unknown", "no_such_name + 1", "not defined"),
        ("__filter__", "1/0 > 0", "divides by zero"),
    ],
)
def test_a_failing_map_expression_ends_with_one_sentence_naming_stream_and_property(
    simulator: WolkvoxSimulator, run_tap: TapRunner, prop: str, expression: str, failure: str
) -> None:
    simulator.set_rows("chat_9", rows())
    maps = {"interaction_transfers": {prop: expression}}
    run = run_tap(base_config(simulator, stream_maps=maps))
    error = run.the_error()  # exit 1, one ERROR line, no traceback, no token
    assert "Setting 'stream_maps' cannot be applied" in error
    where = "the filter (__filter__)" if prop == "__filter__" else f"property '{prop}'"
    assert f"{where} of stream interaction_transfers" in error
    assert failure in error
    for value in HIDDEN:
        assert value not in run.stderr
    assert run.records() == []


def test_the_stream_alias_is_named_too(simulator: WolkvoxSimulator, run_tap: TapRunner) -> None:
    simulator.set_rows("chat_9", rows())
    maps = {
        "interaction_transfers": None,
        "transfers_copy": {"__source__": "interaction_transfers", "ratio": "1/0"},
    }
    run = run_tap(base_config(simulator, stream_maps=maps))
    error = run.the_error()
    assert "property 'ratio' of stream interaction_transfers (mapped as transfers_copy)" in error
