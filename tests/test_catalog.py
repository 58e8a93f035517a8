"""The report declarations: complete, consistent and faithful to the research catalogue.

The catalogue (``shared/wolkvox-api/reports.json``) sits next to the repository during
development but is not shipped; without it, only the checks that need nothing else run.
"""

from __future__ import annotations

import json
import re
import typing as t
from collections import Counter
from pathlib import Path

from tap_wolkvox.catalog import INTERACTION_TRANSFERS, REPORTS
from tap_wolkvox.reports import UNPARSED, Field, Kind, Report

CATALOGUE = Path(__file__).resolve().parents[2] / "shared" / "wolkvox-api" / "reports.json"

ALLOWED_SETTINGS = {
    "campaign_ids",
    "skill_ids",
    "disposition_code_variant",
    "agent_ids",
}
SELECTED_BY_DEFAULT = {"interaction_transfers", "chats", "call_detail_records"}
SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")

# The 104 api names, so that the set is checked even where the catalogue is absent.
EXPECTED_APIS = {
    *(f"chat_{n}" for n in range(1, 17)),
    *(f"cdr_{n}" for n in range(1, 12)),
    *(f"agent_{n}" for n in range(1, 17)),
    "agent_8_1",
    "agent_13_1",
    *(f"campaign_{n}" for n in range(1, 11)),
    *(f"skill_{n}" for n in range(1, 12)),
    "skill_4_1",
    "skill_4_2",
    *(f"act_{n}" for n in range(1, 6)),
    *(f"diagram_{n}" for n in range(1, 16)),
    "diagram_1_1",
    "diagram_1_2",
    "diagram_1_3",
    *(f"quality_{n}" for n in range(1, 6)),
    *(f"speech_{n}" for n in range(1, 6)),
    *(f"wizard_{n}" for n in range(1, 4)),
}


def load_catalogue() -> dict[str, dict[str, t.Any]] | None:
    """The research catalogue by api name, or None where it is not available."""
    if not CATALOGUE.is_file():
        return None
    entries: list[dict[str, t.Any]] = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return {entry["api"]: entry for entry in entries}


def by_api() -> dict[str, Report]:
    return {report.api: report for report in REPORTS}


def declared_names(report: Report) -> set[str]:
    """Top-level names, plus ``parent[].child`` for the items of nested arrays."""
    names: set[str] = set()
    for f in report.fields:
        names.add(f.name)
        names.update(f"{f.name}[].{item.name}" for item in f.items)
    return names


def top_level(report: Report) -> dict[str, Field]:
    return {f.name: f for f in report.fields}


def test_there_are_104_reports_with_unique_api_names() -> None:
    apis = [report.api for report in REPORTS]
    assert len(REPORTS) == 104
    assert len(set(apis)) == 104, [api for api, n in Counter(apis).items() if n > 1]
    assert set(apis) == EXPECTED_APIS


def test_api_names_match_the_catalogue() -> None:
    catalogue = load_catalogue()
    if catalogue is not None:
        assert set(by_api()) == set(catalogue)
        assert len(catalogue) == 104


def test_interaction_transfers_comes_first() -> None:
    assert REPORTS[0] is INTERACTION_TRANSFERS
    assert INTERACTION_TRANSFERS.api == "chat_9"
    assert INTERACTION_TRANSFERS.stream == "interaction_transfers"


def test_stream_names_are_unique_snake_case() -> None:
    streams = [report.stream for report in REPORTS]
    assert len(set(streams)) == len(streams), [s for s, n in Counter(streams).items() if n > 1]
    for stream in streams:
        assert SNAKE_CASE.fullmatch(stream), stream


def test_grains_split_47_events_and_57_aggregates() -> None:
    grains = Counter(report.grain for report in REPORTS)
    assert grains == {"event": 47, "aggregate": 57}


def test_grains_match_the_catalogue() -> None:
    catalogue = load_catalogue()
    if catalogue is not None:
        for report in REPORTS:
            assert report.grain == catalogue[report.api]["grain"], report.api


def test_every_catalogue_field_is_declared() -> None:
    catalogue = load_catalogue()
    if catalogue is not None:
        for report in REPORTS:
            expected = {f["name"] for f in catalogue[report.api]["fields"]}
            # skill_1's column named after the optional services_time value is not requested
            expected.discard("service_level_XXseg")
            missing = expected - declared_names(report)
            assert not missing, f"{report.api}: {sorted(missing)}"


def test_field_names_are_unique_and_objects_have_items() -> None:
    for report in REPORTS:
        names = [f.name for f in report.fields]
        assert len(set(names)) == len(names), report.api
        assert "report_date" not in names, report.api
        assert UNPARSED not in names, report.api
        for f in report.fields:
            if f.kind is Kind.OBJECTS:
                assert f.items, f"{report.api}.{f.name}"
                item_names = [item.name for item in f.items]
                assert len(set(item_names)) == len(item_names), f"{report.api}.{f.name}"
                assert all(item.kind is not Kind.OBJECTS for item in f.items)
            else:
                assert not f.items, f"{report.api}.{f.name}"


def test_titles_and_descriptions_are_filled() -> None:
    for report in REPORTS:
        assert report.title.strip(), report.api
        assert report.description.strip(), report.api


def test_primary_keys_name_declared_fields() -> None:
    for report in REPORTS:
        fields = top_level(report)
        assert report.primary_key, report.api
        assert len(set(report.primary_key)) == len(report.primary_key), report.api
        for name in report.primary_key:
            if name != "report_date":
                assert name in fields, f"{report.api}: {name}"
                assert fields[name].kind is not Kind.OBJECTS, f"{report.api}: {name}"


def test_event_reports_have_an_instant_timestamp() -> None:
    for report in REPORTS:
        if report.grain != "event":
            continue
        fields = top_level(report)
        assert report.timestamp is not None, report.api
        assert report.timestamp in fields, report.api
        assert fields[report.timestamp].kind is Kind.INSTANT, report.api
        assert "report_date" not in report.primary_key, report.api


def test_nested_timestamps_name_an_instant_item() -> None:
    for report in REPORTS:
        if report.timestamp_source is None:
            continue
        parent, _, child = report.timestamp_source.partition("[].")
        items = {item.name: item for item in top_level(report)[parent].items}
        assert items[child].kind is Kind.INSTANT, report.api


def test_event_timestamps_match_the_catalogue() -> None:
    catalogue = load_catalogue()
    if catalogue is not None:
        for report in REPORTS:
            if report.grain == "event":
                documented = catalogue[report.api]["timestamp_field"]
                assert documented in {report.timestamp, report.timestamp_source}, report.api


def test_aggregate_reports_have_no_timestamp_and_a_daily_key() -> None:
    for report in REPORTS:
        if report.grain != "aggregate":
            continue
        assert report.timestamp is None, report.api
        assert report.timestamp_source is None, report.api
        assert report.primary_key[0] == "report_date", report.api
        assert report.primary_key.count("report_date") == 1, report.api


def test_params_use_only_the_allowed_settings() -> None:
    for report in REPORTS:
        names = [param.name for param in report.params]
        assert len(set(names)) == len(names), report.api
        for param in report.params:
            assert param.setting in ALLOWED_SETTINGS, f"{report.api}: {param.setting}"


def test_required_catalogue_params_are_declared() -> None:
    catalogue = load_catalogue()
    if catalogue is not None:
        for report in REPORTS:
            declared = {param.name for param in report.params}
            for param in catalogue[report.api]["extra_params"]:
                if param["required"]:
                    assert param["name"] in declared, f"{report.api}: {param['name']}"


def test_family_params() -> None:
    for report in REPORTS:
        settings = {param.name: param.setting for param in report.params}
        if report.api.startswith("campaign_"):
            assert settings.get("campaign_id") == "campaign_ids", report.api
        if report.api.startswith("skill_"):
            assert settings.get("skill_id") == "skill_ids", report.api
    reports = by_api()
    assert {p.name: p.setting for p in reports["agent_2"].params} == {"agent_id": "agent_ids"}
    assert {p.name: p.setting for p in reports["skill_1"].params} == {"skill_id": "skill_ids"}
    for api in ("act_1", "act_2", "act_3", "act_5"):
        assert {p.name: p.setting for p in reports[api].params} == {
            "cod_act": "disposition_code_variant"
        }


def test_only_three_streams_are_selected_by_default() -> None:
    selected = {report.stream for report in REPORTS if report.selected_by_default}
    assert selected == SELECTED_BY_DEFAULT
    assert by_api()["chat_1"].stream == "chats"
    assert by_api()["cdr_1"].stream == "call_detail_records"


def test_json_schema_declares_every_field() -> None:
    for report in REPORTS:
        schema = report.json_schema()
        assert isinstance(schema, dict), report.api
        assert schema["type"] == "object"
        properties = schema["properties"]
        assert set(properties) == {f.name for f in report.fields} | {UNPARSED}, report.api
        for f in report.fields:
            if f.kind is Kind.OBJECTS:
                item_schema = properties[f.name]["items"]["properties"]
                assert set(item_schema) == {item.name for item in f.items}, report.api
        if report.timestamp is not None:
            assert properties[report.timestamp]["format"] == "date-time", report.api
        json.dumps(schema)  # plain JSON all the way down


def test_misspelt_keys_are_kept_as_sent() -> None:
    reports = by_api()
    assert "aht_outbund" in top_level(reports["agent_1"])
    assert "agent_anwers" in top_level(reports["chat_1"])
    assert "campaing_id" in top_level(reports["campaign_9"])
    assert "destinity" in top_level(reports["agent_14"])
    assert "explation" in top_level(reports["wizard_3"])


def test_nested_arrays_are_single_object_fields() -> None:
    reports = by_api()
    for api, name in (
        ("chat_2", "conversation"),
        ("agent_5", "status_x_hour"),
        ("agent_11", "agents"),
    ):
        assert top_level(reports[api])[name].kind is Kind.OBJECTS, api
    chat_2 = reports["chat_2"]
    assert chat_2.timestamp == "date"
    assert chat_2.timestamp_source == "conversation[].date"
