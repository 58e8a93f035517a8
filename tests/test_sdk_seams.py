"""Guards for the SDK internals the tap relies on (tap_wolkvox/sdk.py lists them, S1-T6, R1-R2).

Each test fails loudly when a singer-sdk upgrade breaks an assumption the tap makes about it.
"""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import typing as t

import pytest
import urllib3
import urllib3.poolmanager
from singer_sdk import Tap
from singer_sdk.mapper import CustomStreamMap
from singer_sdk.streams import RESTStream, Stream

from tap_wolkvox import sdk
from tap_wolkvox.run.budget import NEXT_RUN_STARTS_WITH
from tap_wolkvox.sdk import (
    DESELECTED,
    FILTER,
    RETRIABLE,
    UNHANDLED_ERROR,
    SeamStream,
    failed_map_expression,
    use_pool_classes,
)
from tests.helpers import (
    Q1,
    Clock,
    TapRunner,
    base_config,
    catalog_selecting,
    parse_messages,
    run_in_process,
    spread,
    tap_command,
    tap_env,
)

if t.TYPE_CHECKING:
    from pathlib import Path

    from tap_wolkvox.sandbox.server import WolkvoxSimulator

STREAM = "interaction_transfers"


def record_lines(stdout: str) -> list[str]:
    """The RECORD lines as written (time_extracted included: both paths stamp the reply's)."""
    return [line for line in stdout.splitlines() if line.startswith('{"type":"RECORD"')]


# -- S2: the fast record path ------------------------------------------------------------------


def test_the_fast_record_path_writes_what_the_sdks_path_writes(
    simulator: WolkvoxSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    simulator.set_rows("chat_9", spread(300, *Q1))
    config = base_config(simulator, window_days=31)
    fast = run_in_process(config, clock=Clock("2025-06-01T00:00:00"))
    monkeypatch.setattr(SeamStream, "records_are_plain", property(lambda _: False))
    slow = run_in_process(config, clock=Clock("2025-06-01T00:00:00"))
    assert fast.returncode == slow.returncode == 0
    assert len(record_lines(fast.stdout)) == 300
    # Byte for byte (the sandbox shuffles each reply, so the order is not compared): the
    # SDK's own path makes the same messages.
    assert sorted(record_lines(fast.stdout)) == sorted(record_lines(slow.stdout))


def run_with_catalog(
    run_tap: TapRunner, config: dict[str, t.Any], catalog: dict[str, t.Any], tmp_path: Path
) -> list[dict[str, t.Any]]:
    config_path = run_tap.write("seams-config.json", config)
    catalog_path = tmp_path / "seams-catalog.json"
    catalog_path.write_text(json.dumps(catalog))
    done = subprocess.run(
        tap_command(config_path, None, catalog_path),
        capture_output=True,
        text=True,
        env=tap_env(),
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return [m["record"] for m in parse_messages(done.stdout) if m["type"] == "RECORD"]


def test_a_stream_map_takes_the_sdks_path(
    simulator: WolkvoxSimulator, run_tap: TapRunner, tmp_path: Path
) -> None:
    simulator.set_rows("chat_9", spread(20, *Q1))
    config = base_config(
        simulator, stream_maps={STREAM: {"hop": "transfer_agent_id + '>' + receiver_agent_id"}}
    )
    records = run_with_catalog(run_tap, config, catalog_selecting(STREAM), tmp_path)
    assert len(records) == 20
    assert all(r["hop"] == f"{r['transfer_agent_id']}>{r['receiver_agent_id']}" for r in records)


def test_a_deselected_property_takes_the_sdks_path(
    simulator: WolkvoxSimulator, run_tap: TapRunner, tmp_path: Path
) -> None:
    simulator.set_rows("chat_9", spread(20, *Q1))
    catalog = catalog_selecting(STREAM)
    entry = next(e for e in catalog["streams"] if e["tap_stream_id"] == STREAM)
    for metadata in entry["metadata"]:
        if metadata["breadcrumb"] == ["properties", "transfer_agent_name"]:
            metadata["metadata"]["selected"] = False
    records = run_with_catalog(run_tap, base_config(simulator), catalog, tmp_path)
    assert len(records) == 20
    assert all("transfer_agent_name" not in r and "transfer_agent_id" in r for r in records)


# -- S1, S3: STATE per window, never ahead of its records --------------------------------------


def test_state_never_runs_ahead_of_the_records_of_its_window(
    simulator: WolkvoxSimulator,
) -> None:
    simulator.set_rows("chat_9", spread(900, *Q1))
    run = run_in_process(base_config(simulator, window_days=7), clock=Clock("2025-06-01T00:00"))
    assert run.returncode == 0, run.stderr
    bookmarks = set()
    for position, message in enumerate(run.messages):
        if message["type"] != "STATE":
            continue
        bookmark = message["value"]["bookmarks"].get(STREAM, {}).get("replication_key_value")
        if bookmark is None:
            continue
        bookmarks.add(bookmark)
        later = [
            m["record"]["date"]
            for m in run.messages[position + 1 :]
            if m["type"] == "RECORD" and m["stream"] == STREAM
        ]
        # Every record before the bookmark went out before the STATE that names it.
        assert all(date >= bookmark for date in later), (bookmark, min(later))
    assert len(bookmarks) == 13  # one per weekly window
    # The SDK kept no bookmark of its own (no per-record increments, no progress markers).
    assert "progress_markers" not in json.dumps(run.final_state)


def test_the_sdk_still_moves_bookmarks_only_through_the_seams() -> None:
    # S1 and S3 rely on these names: a rename would bring back per-record bookmarks.
    assert callable(Stream._increment_stream_state)
    assert callable(Stream._write_state_message)
    assert callable(Stream._generate_record_messages)
    assert callable(Stream._write_activate_version_message)
    assert "_increment_stream_state" in inspect.getsource(Stream._sync_records)
    assert "_generate_record_messages" in inspect.getsource(Stream._write_record_message)


# -- S6, T4: where the tap's run-level lines land ----------------------------------------------


def test_the_plan_comes_first_and_the_total_last(simulator: WolkvoxSimulator) -> None:
    simulator.set_rows("chat_9", spread(50, *Q1))
    run = run_in_process(
        base_config(simulator), clock=Clock("2025-06-01T00:00"), streams=[STREAM, "chats"]
    )
    lines = run.stderr.splitlines()
    plan = next(i for i, line in enumerate(lines) if "Plan: " in line)
    done = next(i for i, line in enumerate(lines) if "Run done: " in line)
    summaries = [i for i, line in enumerate(lines) if " windows (" in line]
    assert plan < min(summaries)
    assert done > max(summaries)
    assert not [m for m in run.messages[:1] if m["type"] == "STATE" and m["value"]]


# -- T7: the order streams sync in -------------------------------------------------------------


def test_the_streams_sync_in_the_order_the_tap_sets(simulator: WolkvoxSimulator) -> None:
    simulator.set_rows("chat_9", spread(50, *Q1))
    simulator.set_rows("chat_1", [])
    config = base_config(simulator, start_date="2025-03-30")
    streams = ["chats", STREAM, "call_detail_records"]
    clock = Clock("2025-06-01T00:00")
    first = run_in_process(config, clock=clock, streams=streams)
    state = {**first.final_state, NEXT_RUN_STARTS_WITH: STREAM}
    rotated = run_in_process(config, state, clock=clock, streams=streams)
    assert rotated.returncode == 0, rotated.stderr
    schemas = [m["stream"] for m in rotated.messages if m["type"] == "SCHEMA"]
    assert schemas == [STREAM, "call_detail_records", "chats"]
    # Tap.streams is one dict, kept: the order set in it is the one sync_all iterates.
    assert "for stream in self.streams.values()" in inspect.getsource(Tap.sync_all)


# -- S7, S8, T6: the SDK's own text and tuples the tap mirrors ---------------------------------


def test_the_retried_exceptions_are_the_sdks() -> None:
    # The tuple the SDK passes to backoff.on_exception, read from its source.
    source = inspect.getsource(RESTStream.request_decorator)
    tuple_text = source.split("self.backoff_wait_generator,", 1)[1].split("),", 1)[0]
    sdk_names = re.findall(r"(\w+),", tuple_text)
    assert sdk_names == [cls.__name__ for cls in RETRIABLE]


def test_the_log_lines_the_tap_filters_are_the_sdks() -> None:
    assert UNHANDLED_ERROR in inspect.getsource(Stream)
    assert DESELECTED in inspect.getsource(Tap.sync_all)


# -- S9: where a stream-map expression failed --------------------------------------------------


def failure_of(mapper: CustomStreamMap, record: dict[str, t.Any]) -> BaseException:
    with pytest.raises(Exception) as raised:  # noqa: PT011 - whatever the evaluator raises
        mapper.transform(record)
    return raised.value


def test_a_failing_map_expression_is_located() -> None:
    schema = {"properties": {"a": {"type": ["integer"]}}}

    def mapper(transform: dict[str, str]) -> CustomStreamMap:
        return CustomStreamMap(
            stream_alias="copy",
            map_config={},
            faker_config={},
            raw_schema=schema,
            key_properties=["a"],
            map_transform=transform,
            flattening_options=None,
            stream_name="source",
        )

    assert failed_map_expression(failure_of(mapper({"b": "a + 1", "c": "1/a"}), {"a": 0})) == (
        "copy",
        "c",
    )
    assert failed_map_expression(failure_of(mapper({"__filter__": "a['x']"}), {"a": 0})) == (
        "copy",
        FILTER,
    )
    # The SDK's own wrapping (a name the evaluator does not know) is located too.
    assert failed_map_expression(failure_of(mapper({"d": "nope"}), {"a": 0})) == ("copy", "d")
    assert failed_map_expression(ZeroDivisionError()) is None


def test_a_pool_manager_creates_its_pools_from_the_classes_given() -> None:
    # R2: the deadline reaches the socket in use through the pools' connection class.
    manager = urllib3.PoolManager()
    assert manager.pool_classes_by_scheme is urllib3.poolmanager.pool_classes_by_scheme

    class Pool(urllib3.HTTPConnectionPool):
        pass

    class TLSPool(urllib3.HTTPSConnectionPool):
        pass

    use_pool_classes(manager, http=Pool, https=TLSPool)
    assert type(manager.connection_from_url("http://127.0.0.1:1/")) is Pool
    assert type(manager.connection_from_url("https://127.0.0.1:1/")) is TLSPool
    # A manager with pools of its own (a SOCKS proxy's) keeps them.
    own = {"http": urllib3.HTTPConnectionPool, "https": urllib3.HTTPSConnectionPool}
    socks = urllib3.PoolManager()
    socks.pool_classes_by_scheme = own
    use_pool_classes(socks, http=Pool, https=TLSPool)
    assert socks.pool_classes_by_scheme is own


def test_every_seam_is_listed() -> None:
    # The module's docstring is the list a maintainer reads before an upgrade.
    doc = sdk.__doc__ or ""
    for seam in ("S1.", "S2.", "S3.", "S4.", "S5.", "S6.", "S7.", "S8.", "T1.", "T2.", "T3."):
        assert seam in doc
    for seam in ("S9.", "S10.", "T4.", "T5.", "T6.", "T7.", "T8.", "T9.", "T10.", "R2."):
        assert seam in doc
