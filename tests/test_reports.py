"""Every report of the catalogue end to end: typed values, daily snapshots, parameters, gaps."""

from __future__ import annotations

import datetime as dt
import typing as t

import pytest

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.declarations.model import Kind, Report
from tap_wolkvox.sandbox.generated import GeneratedTotals, generated_sources
from tap_wolkvox.sandbox.server import StaticRows, WolkvoxSimulator
from tests.helpers import TOKEN, Clock, TapRunner, base_config, run_in_process

EVENTS = [r for r in REPORTS if r.grain == "event"]
AGGREGATES = [r for r in REPORTS if r.grain == "aggregate"]
ISO_UTC = "%Y-%m-%dT%H:%M:%S+00:00"


@pytest.fixture
def operation() -> t.Iterator[WolkvoxSimulator]:
    with WolkvoxSimulator(token=TOKEN, now=lambda: "2025-02-28 23:59:59") as sim:
        sim.sources.update(generated_sources(REPORTS, dt.date(2025, 2, 1), dt.date(2025, 2, 28)))
        yield sim


def check_value(kind: Kind, value: t.Any, where: str) -> None:
    if value is None:
        return
    if kind is Kind.INSTANT:
        dt.datetime.strptime(value, ISO_UTC)
    elif kind is Kind.DAY:
        dt.date.fromisoformat(value)
    elif kind in {Kind.DURATION, Kind.INTEGER}:
        assert isinstance(value, int), where
    elif kind in {Kind.NUMBER, Kind.PERCENT, Kind.SECONDS}:
        assert isinstance(value, (int, float)), where
    elif kind is Kind.OBJECTS:
        assert isinstance(value, list), where
        assert all(isinstance(item, dict) for item in value), where
    else:
        assert isinstance(value, str), where


def check_record(report: Report, record: dict[str, t.Any]) -> None:
    for field in report.fields:
        check_value(field.kind, record.get(field.name), f"{report.stream}.{field.name}")
        if field.kind is Kind.OBJECTS:
            for item in record.get(field.name) or []:
                for sub in field.items:
                    check_value(
                        sub.kind, item.get(sub.name), f"{report.stream}.{field.name}.{sub.name}"
                    )
    assert "unparsed_values" not in record, record


def test_every_report_syncs_with_typed_values_and_unique_keys(
    operation: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    config = base_config(
        operation, start_date="2025-02-24", end_date="2025-02-25T23:59:59", agent_ids=["1201"]
    )
    run = run_tap(config, streams=[r.stream for r in REPORTS], timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    schemas = {m["stream"]: m for m in run.messages if m["type"] == "SCHEMA"}
    for report in REPORTS:
        records = run.records(report.stream)
        assert records, f"{report.stream} emitted nothing"
        for record in records:
            check_record(report, record)
        key = schemas[report.stream]["key_properties"]
        assert len({tuple(r[k] for k in key) for r in records}) == len(records), report.stream
        bookmarks = run.final_state["bookmarks"]
        assert report.stream in bookmarks
    # events are walked in one window over the two days, aggregates in one request per day
    calls = {r.api: 0 for r in REPORTS}
    for request in operation.requests:
        assert request.api is not None
        calls[request.api] += 1
    assert {api for api, n in calls.items() if n != 1} == {r.api for r in AGGREGATES}
    assert all(calls[r.api] == 2 for r in AGGREGATES)
    assert operation.max_in_flight == 1
    # a second run from that state has nothing left to read: every stream is incremental
    operation.requests.clear()
    again = run_tap(config, run.final_state, streams=[r.stream for r in REPORTS], timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    assert operation.requests == []
    assert again.records() == []


def test_aggregates_are_daily_snapshots_keyed_by_report_date(
    operation: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    run = run_tap(
        base_config(operation, start_date="2025-02-26", end_date="2025-02-27T10:00:00"),
        streams=["agent_daily_performance"],
    )
    assert run.returncode == 0, run.stderr
    records = run.records("agent_daily_performance")
    assert {r["report_date"] for r in records} == {"2025-02-26", "2025-02-27"}
    assert [(r.params["date_ini"], r.params["date_end"]) for r in operation.requests] == [
        ("20250226000000", "20250226235959"),
        ("20250227000000", "20250227235959"),
    ]
    schema = next(m for m in run.messages if m["type"] == "SCHEMA")
    assert schema["key_properties"][0] == "report_date"
    assert schema["bookmark_properties"] == ["report_date"]
    assert isinstance(records[0]["aht"], int)
    assert isinstance(records[0]["occupancy"], float)
    # both days are complete (end_date is in the past for the tap's real clock)
    assert (
        run.final_state["bookmarks"]["agent_daily_performance"]["replication_key_value"]
        == "2025-02-28"
    )


def test_today_is_read_again_and_completed_days_are_not() -> None:
    # The tap's and the sandbox's clock: 10:00 on 2025-03-15 in Bogotá, then 11:00.
    clock = Clock("2025-03-15T10:00:00")
    today = clock.wall.date()
    agent_1 = next(r for r in REPORTS if r.api == "agent_1")
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now) as sim:
        sim.sources["agent_1"] = GeneratedTotals(agent_1, today - dt.timedelta(days=10))
        config = base_config(sim, start_date=(today - dt.timedelta(days=2)).isoformat())
        config.pop("end_date")
        streams = ["agent_daily_performance"]
        first = run_in_process(config, clock=clock, streams=streams)
        assert first.returncode == 0, first.stderr
        assert len(sim.requests) == 3
        state = first.final_state
        assert (
            state["bookmarks"]["agent_daily_performance"]["replication_key_value"]
            == today.isoformat()
        )
        sim.requests.clear()
        clock.advance(hours=1)
        second = run_in_process(config, state, clock=clock, streams=streams)
        assert second.returncode == 0, second.stderr
    day = today.strftime("%Y%m%d")
    assert [(r.params["date_ini"], r.params["date_end"]) for r in sim.requests] == [
        (f"{day}000000", f"{day}235959")
    ]
    assert {r["report_date"] for r in second.records()} == {today.isoformat()}


def test_list_settings_are_read_once_per_value_and_kept_in_the_row(
    operation: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    config = base_config(
        operation,
        start_date="2025-02-27",
        end_date="2025-02-27T23:59:59",
        campaign_ids=["101", "202"],
    )
    run = run_tap(config, streams=["daily_campaign_records_by_final_result"])
    assert run.returncode == 0, run.stderr
    assert sorted(r.params["campaign_id"] for r in operation.requests) == ["101", "202"]
    records = run.records()
    assert {r["campaign_id"] for r in records} == {"101", "202"}
    schema = next(m for m in run.messages if m["type"] == "SCHEMA")
    assert "campaign_id" in schema["key_properties"]
    partitions = run.final_state["bookmarks"]["daily_campaign_records_by_final_result"][
        "partitions"
    ]
    assert sorted(p["context"]["campaign_id"] for p in partitions) == ["101", "202"]


def test_defaults_ask_for_all_campaigns_skills_and_the_first_disposition_level(
    operation: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    config = base_config(operation, start_date="2025-02-27", end_date="2025-02-27T23:59:59")
    run = run_tap(config, streams=["campaign_dial_attempts", "answered_calls", "coded_calls"])
    assert run.returncode == 0, run.stderr
    params = {r.api: r.params for r in operation.requests}
    assert params["campaign_3"]["campaign_id"] == "all"
    assert params["skill_10"]["skill_id"] == "all"
    assert params["act_3"]["cod_act"] == "cod_act1"
    operation.requests.clear()
    run_tap({**config, "disposition_code_variant": "cod_act2"}, streams=["coded_calls"])
    assert operation.requests[0].params["cod_act"] == "cod_act2"


def test_agent_events_need_agent_ids(operation: WolkvoxSimulator, run_tap: TapRunner) -> None:
    config = base_config(operation, start_date="2025-02-27", end_date="2025-02-27T23:59:59")
    skipped = run_tap(config, streams=["selected_agent_state_events", "interaction_transfers"])
    assert skipped.returncode == 0, skipped.stderr
    assert "selected_agent_state_events: skipped, setting agent_ids is empty" in skipped.stderr
    assert all(r.api != "agent_2" for r in operation.requests)
    operation.requests.clear()
    read = run_tap(
        {**config, "agent_ids": ["1201", "1202"]}, streams=["selected_agent_state_events"]
    )
    assert read.returncode == 0, read.stderr
    assert sorted(r.params["agent_id"] for r in operation.requests) == ["1201", "1202"]


def test_a_report_the_server_lacks_is_reported_not_fatal(
    operation: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    operation.unavailable["chat_1"] = 400
    config = base_config(operation, start_date="2025-02-27", end_date="2025-02-27T23:59:59")
    run = run_tap(config, streams=["chats", "interaction_transfers"])
    assert run.returncode == 0, run.stderr
    assert "report 'chat_1': it is not enabled on this server" in run.stderr
    assert run.records("chats") == []
    assert [r.api for r in operation.requests].count("chat_1") == 1  # skipped, not retried
    assert run.records("interaction_transfers")


def test_a_lacking_report_selected_alone_is_fatal(
    operation: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    operation.unavailable["chat_1"] = 400
    config = base_config(operation, start_date="2025-02-27", end_date="2025-02-27T23:59:59")
    run = run_tap(config, streams=["chats"])
    assert run.returncode != 0
    assert "not enabled on this server" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_report_answering_404_everywhere_is_flagged_at_the_end(
    operation: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    operation.unavailable["chat_7"] = 404
    config = base_config(operation, start_date="2025-02-27", end_date="2025-02-28T23:59:59")
    run = run_tap(
        config, streams=["agent_daily_closed_interactions_by_disposition", "interaction_transfers"]
    )
    assert run.returncode == 0, run.stderr
    warning = (
        "Report chat_7 (agent_daily_closed_interactions_by_disposition) has answered 404 for "
        "every window since start_date"
    )
    assert run.stderr.count(warning) == 1
    assert run.stderr.rindex(warning) > run.stderr.rindex("interaction_transfers: ")


def test_untypable_values_stay_visible_and_are_warned_once(
    operation: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    rows = [
        {
            "agent_id": "1201",
            "agent_name": "Valentina Gómez",
            "aht": "n/a",
            "occupancy": "34.64 %",
            "calls": "3",
        },
        {
            "agent_id": "1202",
            "agent_name": "Mateo García",
            "aht": "??",
            "occupancy": "oops",
            "calls": "-",
        },
    ]
    operation.sources["agent_1"] = StaticRows(rows, timestamp_field="never-used")
    operation.sources["agent_1"].rows = lambda start, end, now: rows  # type: ignore[method-assign]
    config = base_config(operation, start_date="2025-02-27", end_date="2025-02-27T23:59:59")
    run = run_tap(config, streams=["agent_daily_performance"])
    assert run.returncode == 0, run.stderr
    by_agent = {r["agent_id"]: r for r in run.records()}
    assert by_agent["1201"]["aht"] is None
    assert by_agent["1201"]["unparsed_values"] == {"aht": "n/a"}
    assert by_agent["1201"]["occupancy"] == pytest.approx(34.64)
    assert by_agent["1202"]["unparsed_values"] == {"aht": "??", "occupancy": "oops"}
    assert by_agent["1202"]["calls"] is None  # "-" is Wolkvox's placeholder for nothing
    assert run.stderr.count("field aht holds a value that cannot be typed") == 1


def test_chat_conversations_take_their_date_from_the_first_message(
    operation: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    config = base_config(operation, start_date="2025-02-27", end_date="2025-02-27T23:59:59")
    run = run_tap(config, streams=["chat_conversations"])
    assert run.returncode == 0, run.stderr
    for record in run.records():
        assert record["date"] == min(message["date"] for message in record["conversation"])


def test_a_lacking_partitioned_report_is_reported_once(
    operation: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    operation.unavailable["campaign_3"] = 400
    config = base_config(
        operation,
        start_date="2025-02-27",
        end_date="2025-02-27T23:59:59",
        campaign_ids=["101", "202", "303"],
    )
    run = run_tap(config, streams=["campaign_dial_attempts", "interaction_transfers"])
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("Skipping stream campaign_dial_attempts") == 1
    assert sum(1 for r in operation.requests if r.api == "campaign_3") == 1
