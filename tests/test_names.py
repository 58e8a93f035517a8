"""Every column a warehouse takes as it is: property names, and the vendor keys renamed to them.

A property name is lower-case letters, digits and underscores, not starting with a digit, at
most 63 characters (PostgreSQL's longest identifier): PostgreSQL, Snowflake, BigQuery and DuckDB
take it unquoted (a leading underscore too: ``_occurrence``; none starts with a prefix BigQuery
reserves). A name some warehouse reserves (``tests/data/reserved_words.json``) is allowed only
when :data:`KEPT_RESERVED_WORDS` lists it. Keys Wolkvox sends that break the rule (``ASA``,
``yes/no``) are declared under a safe name with the key as an alias: a reply in the vendor's
spelling fills the renamed column, on the fast path (rows/typed.py) as on the dict path.
"""

from __future__ import annotations

import json
import re
import typing as t
from pathlib import Path

import duckdb

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.declarations.model import (
    EXTRA,
    KEPT_RESERVED_WORDS,
    Field,
    warehouse_name,
)
from tap_wolkvox.declarations.realtime import SNAPSHOTS
from tap_wolkvox.tap import TapWolkvox
from tests.helpers import Always, Clock, base_config, run_in_process

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from tap_wolkvox.sandbox.server import WolkvoxSimulator
    from tests.postgres import PostgresServer

SAFE = re.compile(r"[a-z_][a-z0-9_]*")
#: PostgreSQL cuts longer identifiers (NAMEDATALEN - 1); Snowflake takes 255, BigQuery 300.
LONGEST = 63
#: Column-name prefixes BigQuery reserves (its "Column names" rules), in any case.
BIGQUERY_PREFIXES = (
    "_table_",
    "_file_",
    "_partition",
    "_row_timestamp",
    "__root__",
    "_colidentifier",
    "_change_sequence_number",
    "_change_type",
    "_change_timestamp",
)
RESERVED: dict[str, list[str]] = json.loads(
    (Path(__file__).parent / "data" / "reserved_words.json").read_text(encoding="utf-8")
)
WAREHOUSES = {"postgresql": "PostgreSQL", "duckdb": "DuckDB", "snowflake": "Snowflake"}
WAREHOUSES["bigquery"] = "BigQuery"
NOW = "2025-06-30T23:59:59"  # the simulator fixture's clock: every window read is past


def properties(schema: dict[str, t.Any], at: str = "") -> Iterator[tuple[str, str]]:
    """Every property of ``schema`` at any depth: (its name, where it is)."""
    for name, sub in (schema.get("properties") or {}).items():
        yield name, f"{at}{name}"
        yield from properties(sub, f"{at}{name}.")
        if isinstance(sub.get("items"), dict):
            yield from properties(sub["items"], f"{at}{name}[].")


def every_property() -> dict[str, list[str]]:
    """Each property name of every stream the tap offers, and of every real-time snapshot."""
    tap = TapWolkvox(
        config={"token": "t", "api_url": "http://127.0.0.1:1", "start_date": "2025-01-01"},
        setup_mapper=False,
    )
    schemas = {name: stream.schema for name, stream in tap.streams.items()}
    schemas.update({s.stream: s.json_schema() for s in SNAPSHOTS})
    found: dict[str, list[str]] = {}
    for stream, schema in schemas.items():
        for name, where in properties(schema):
            found.setdefault(name, []).append(f"{stream}.{where}")
    return found


PROPERTIES = every_property()


def test_every_property_is_a_name_every_warehouse_takes_unquoted() -> None:
    assert len(PROPERTIES) > 400  # every stream, nested items and the tap's own columns
    assert {"_occurrence", "_extra_fields", "unparsed_values", "report_date", "_read_at"} <= set(
        PROPERTIES
    )
    unsafe = {name: where for name, where in PROPERTIES.items() if not SAFE.fullmatch(name)}
    assert unsafe == {}
    assert [name for name in PROPERTIES if len(name) > LONGEST] == []
    assert [name for name in PROPERTIES if name.startswith(BIGQUERY_PREFIXES)] == []


def test_the_only_reserved_words_are_the_ones_kept_and_listed() -> None:
    reserved_by: dict[str, tuple[str, ...]] = {}
    for warehouse, words in RESERVED.items():
        if warehouse in WAREHOUSES:
            for word in set(words) & set(PROPERTIES):
                reserved_by[word] = (*reserved_by.get(word, ()), WAREHOUSES[warehouse])
    assert {word: set(by) for word, by in reserved_by.items()} == {
        word: set(by) for word, by in KEPT_RESERVED_WORDS.items()
    }


def test_duckdb_reserves_the_words_the_list_says() -> None:
    found = duckdb.execute(
        "SELECT keyword_name FROM duckdb_keywords() "
        "WHERE keyword_category IN ('reserved', 'type_function')"
    ).fetchall()
    assert sorted(word for (word,) in found) == RESERVED["duckdb"]


def test_postgresql_reserves_the_words_the_list_says(postgres: PostgresServer) -> None:
    found = postgres.query("SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T')")
    assert sorted(word for (word,) in found) == RESERVED["postgresql"]
    # the kept words load and read back when quoted, as a target quotes them
    postgres.query(
        'CREATE TABLE kept ("from" text, "to" text, "user" text, "no" integer); '
        "INSERT INTO kept VALUES ('a', 'b', 'c', 1); "
        'SELECT "from", "to", "user", "no" FROM kept'
    )


def renamed(fields: tuple[Field, ...]) -> Iterator[Field]:
    for f in fields:
        if f.vendor_key != f.name:
            yield f
        yield from renamed(f.items)


def test_each_key_wolkvox_sends_unquotable_is_an_alias_of_its_safe_name() -> None:
    fields = [f for report in REPORTS for f in report.fields]
    fields += [f for snapshot in SNAPSHOTS for f in snapshot.fields]
    pairs = {(f.vendor_key, f.name) for f in renamed(tuple(fields))}
    assert pairs == {
        ("ASA", "asa"),
        ("yes/no", "yes_no"),
        ("busy/congestion/failed", "busy_congestion_failed"),
    }
    assert all(warehouse_name(key) == name for key, name in pairs)


# -- a reply in the vendor's spelling -----------------------------------------------------------


def evaluation(conn_id: str, **values: str) -> dict[str, str]:
    """A quality_3 row as Wolkvox sends it (``yes/no``)."""
    row = {
        "conn_id": conn_id,
        "agent_id": "1201",
        "agent_name": "Agent 1201",
        "attribute": "greeting",
        "type_error": "NCE",
        "yes/no": "yes",
        "date": "2025-02-27 09:00:00",
        "survey": "Q1",
        "category": "opening",
        "quality_analyst": "QAi_Bot",
    }
    row.update(values)
    return row


def test_a_reply_in_the_vendors_spelling_fills_the_renamed_columns(
    simulator: WolkvoxSimulator,
) -> None:
    chat = {"conn_id": "CH1", "agent_id": "1201", "date": "2025-02-27 09:00:00", "ASA": "00:00:42"}
    simulator.sources["chat_1"] = Always([chat])
    simulator.sources["quality_3"] = Always(
        [evaluation("V1"), evaluation("V2", **{"yes/no": "no"})]
    )
    config = base_config(simulator, start_date="2025-02-27", end_date="2025-02-27T23:59:59")
    run = run_in_process(
        config, clock=Clock(NOW), streams=("chats", "quality_attribute_evaluations")
    )
    assert run.returncode == 0, run.stderr
    [record] = run.records("chats")
    assert record["asa"] == 42
    assert "ASA" not in record
    assert EXTRA not in record
    evaluations = run.records("quality_attribute_evaluations")
    assert [(r["conn_id"], r["yes_no"], r.get(EXTRA)) for r in evaluations] == [
        ("V1", "yes", None),
        ("V2", "no", None),
    ]
    assert all("yes/no" not in r for r in evaluations)
    assert "WARNING" not in run.stderr


def test_the_readme_and_the_warehouse_docs_name_the_reserved_words_kept() -> None:
    root = Path(__file__).parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    operations = (root / "docs" / "operations.md").read_text(encoding="utf-8")
    quoting = operations[operations.index("- **Quoting.**") :].split("\n- ", 1)[0]
    for word in KEPT_RESERVED_WORDS:
        assert f"`{word}`" in readme, word
        assert f"`{word}`" in quoting, word
    for warehouse in {name for names in KEPT_RESERVED_WORDS.values() for name in names}:
        assert warehouse in quoting, warehouse
