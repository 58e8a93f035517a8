"""Values a stream map hashes or removes never appear in the tap's own warnings.

A user who hashes or drops a field with ``stream_maps`` (personal data, say) expects its values
nowhere but where the map sends them. The tap's warnings quote values (an unreadable one, a
row's key parts, a nested list it cannot read); for a field a map transforms they say that the
value is hidden instead. Which maps apply to a stream is decided by the SDK's own matching.
"""

from __future__ import annotations

import logging
import typing as t

import pytest
from singer_sdk.mapper import PluginMapper, SameRecordTransform

from tap_wolkvox.stream_maps import hidden_fields
from tests.helpers import Always, Clock, TapRun, base_config, run_in_process, transfer

if t.TYPE_CHECKING:
    from tap_wolkvox.sandbox.server import WolkvoxSimulator

PROPERTIES = ("conn_id", "transfer_agent_id", "transfer_agent_name", "date", "channel")
KEY = ("conn_id", "date", "transfer_agent_id")
HIDDEN = "hidden: a stream map transforms this field"


def hidden(maps: dict[str, t.Any], stream: str = "interaction_transfers") -> set[str]:
    return set(hidden_fields(stream, PROPERTIES, KEY, maps))


@pytest.mark.parametrize(
    ("maps", "expected"),
    [
        ({}, set()),
        (
            {"interaction_transfers": {"transfer_agent_name": "md5(transfer_agent_name)"}},
            {"transfer_agent_name"},
        ),
        (
            {"interaction_transfers": {"channel": None, "transfer_agent_name": "__NULL__"}},
            {
                "channel",
                "transfer_agent_name",
            },
        ),
        # a new column computed from another leaves that other one as it is
        ({"interaction_transfers": {"agent_hash": "md5(transfer_agent_name)"}}, set()),
        # a property set to itself passes through
        ({"interaction_transfers": {"channel": "channel", "conn_id": "self"}}, set()),
        # "*" and glob patterns match as the SDK matches them
        ({"*": {"transfer_agent_name": None}}, {"transfer_agent_name"}),
        ({"interaction_*": {"date": "md5(date)"}}, {"date"}),
        ({"chat?": {"date": "md5(date)"}}, set()),
        ({"chats": {"date": "md5(date)"}}, set()),
        # an alias of this stream, and a copy of it under another name
        ({"interaction_transfers": {"__alias__": "transfers", "channel": None}}, {"channel"}),
        ({"copy": {"__source__": "interaction_transfers", "channel": None}}, {"channel"}),
        # every property not kept: the key properties stay, unless others are named
        (
            {"interaction_transfers": {"__else__": None, "channel": "channel"}},
            {"transfer_agent_name"},
        ),
        (
            {
                "interaction_transfers": {
                    "__else__": "__NULL__",
                    "__key_properties__": ["conn_id"],
                    "date": "md5(date)",
                }
            },
            {"transfer_agent_id", "transfer_agent_name", "date", "channel"},
        ),
        # the whole stream removed; or every stream no map names
        ({"interaction_transfers": None}, set(PROPERTIES)),
        ({"__else__": None, "chats": {}}, set(PROPERTIES)),
        ({"__else__": None, "interaction_transfers": {}}, set()),
    ],
)
def test_the_fields_a_stream_map_touches(maps: dict[str, t.Any], expected: set[str]) -> None:
    assert hidden(maps) == expected


@pytest.mark.parametrize(
    "name",
    ["interaction_transfers", "*", "interaction_*", "*_transfers", "chat?", "chats", "[ic]*"],
)
@pytest.mark.parametrize("how", ["plain", "alias", "source"])
def test_a_map_applies_exactly_where_the_sdk_applies_it(name: str, how: str) -> None:
    definition: dict[str, t.Any] = {"channel": None}
    if how == "alias":
        definition["__alias__"] = "renamed"
    elif how == "source":
        definition = {"__source__": name, "channel": None}
        name = "copy"
    for stream in ("interaction_transfers", "chats", "agents"):
        mapper = PluginMapper({"stream_maps": {name: dict(definition)}}, logging.getLogger("t"))
        mapper.register_raw_stream_schema(stream, {"properties": {"channel": {}}}, None)
        maps = mapper.stream_maps[stream]
        applies = len(maps) > 1 or not isinstance(maps[0], SameRecordTransform)
        touched = hidden_fields(stream, ("channel",), (), {name: dict(definition)})
        assert (touched == {"channel"}) is applies, (name, how, stream)


# -- end to end: the tap's warnings --------------------------------------------------------------

SECRET_ID = "CEDULA-80123456"  # noqa: S105 - personal data, not a password
SECRET_NAME = "Valentina Secreta"  # noqa: S105 - personal data, not a password
UNREADABLE = "ayer 5pm"


def transfers_run(sim: WolkvoxSimulator, maps: dict[str, t.Any]) -> TapRun:
    row = transfer("EM1", UNREADABLE, sender=SECRET_ID)
    row["transfer_agent_name"] = f"{SECRET_NAME} \x00"
    sim.sources["chat_9"] = Always([row])
    config = base_config(
        sim, start_date="2025-02-27", end_date="2025-02-27T23:59:59", stream_maps=maps
    )
    return run_in_process(config, clock=Clock("2025-06-30T23:59:59"))


def test_a_hashed_field_is_not_quoted_in_any_warning(simulator: WolkvoxSimulator) -> None:
    maps = {
        "interaction_transfers": {
            "transfer_agent_name": "md5(transfer_agent_name)",
            "transfer_agent_id": "md5(transfer_agent_id)",
            "date": "md5(date)",
        }
    }
    run = transfers_run(simulator, maps)
    assert run.returncode == 0, run.stderr
    [record] = run.records()
    assert SECRET_ID not in str(record)  # the map did its work on the record
    for secret in (SECRET_ID, SECRET_NAME, UNREADABLE):
        assert secret not in run.stderr
    [said] = [line for line in run.stderr.splitlines() if "key part is never null" in line]
    assert "conn_id='EM1'" in said  # what the map leaves as it is is still named
    assert f"transfer_agent_id=({HIDDEN})" in said
    assert f"date ({HIDDEN})" in said


def test_a_stream_no_map_keeps_hides_every_value(simulator: WolkvoxSimulator) -> None:
    # The SDK's mapper takes "__else__" out of the setting when it is set up: the stream asks
    # its own maps instead.
    run = transfers_run(simulator, {"__else__": None, "chats": {}})
    assert run.returncode == 0, run.stderr
    assert run.records() == []
    assert "has an unreadable date" in run.stderr
    for secret in (SECRET_ID, UNREADABLE):
        assert secret not in run.stderr


def test_a_removed_key_field_is_not_quoted_in_the_row_label(simulator: WolkvoxSimulator) -> None:
    maps = {
        "interaction_transfers": {
            "__key_properties__": ["conn_id", "date"],
            "transfer_agent_id": None,
        }
    }
    run = transfers_run(simulator, maps)
    assert run.returncode == 0, run.stderr
    [record] = run.records()
    assert "transfer_agent_id" not in record
    assert SECRET_ID not in run.stderr
    [said] = [line for line in run.stderr.splitlines() if "key part is never null" in line]
    assert f"transfer_agent_id=({HIDDEN})" in said
    assert repr(UNREADABLE) in said  # the date itself is not touched by this map


def test_typed_and_nested_values_of_touched_fields_are_hidden(simulator: WolkvoxSimulator) -> None:
    rows = [
        {
            "agent_id": "1201",
            "agent_name": "Valentina Gómez",
            "aht": "n/a secret",
            "occupancy": "oops secret",
        }
    ]
    simulator.sources["agent_1"] = Always(rows)
    chat = {
        "conn_id": "CH1",
        "agent_name": "Mateo García",
        "conversation": [
            {"date": "2025-02-27 08:00:00", "message": "hola"},
            "mi cédula es 80123456",
        ],
    }
    simulator.sources["chat_2"] = Always([chat])
    maps = {
        "agent_daily_performance": {"aht": None},
        "chat_conversations": {"conversation": "__NULL__"},
    }
    config = base_config(
        simulator, start_date="2025-02-27", end_date="2025-02-27T23:59:59", stream_maps=maps
    )
    run = run_in_process(
        config,
        clock=Clock("2025-06-30T23:59:59"),
        streams=["agent_daily_performance", "chat_conversations"],
    )
    assert run.returncode == 0, run.stderr
    assert "n/a secret" not in run.stderr
    assert "80123456" not in run.stderr
    assert "'oops secret'" in run.stderr  # occupancy is not touched: its value is named
    lines = run.stderr.splitlines()
    assert any("field aht" in line and HIDDEN in line for line in lines)
    assert any("field conversation" in line and HIDDEN in line for line in lines)
