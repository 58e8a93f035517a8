"""The report declarations: complete, consistent and faithful to the research catalogue.

The research catalogue (``shared/wolkvox-api/reports.json``) and the vendor's sample replies
(``samples.json``) are copied into ``tests/data/``, so every check runs in any clone.
"""

from __future__ import annotations

import json
import re
import typing as t
from collections import Counter
from pathlib import Path

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.declarations.chat import INTERACTION_TRANSFERS
from tap_wolkvox.declarations.model import EXTRA, OCCURRENCE, UNPARSED, Field, Kind, Report

CATALOGUE = Path(__file__).resolve().parent / "data" / "reports.json"
SAMPLES = Path(__file__).resolve().parent / "data" / "samples.json"
#: The keys of Wolkvox's reply around ``data``.
ENVELOPE = {"code", "error", "msg", "data"}

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


def load_catalogue() -> dict[str, dict[str, t.Any]]:
    """The research catalogue by api name."""
    entries: list[dict[str, t.Any]] = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return {entry["api"]: entry for entry in entries}


def by_api() -> dict[str, Report]:
    return {report.api: report for report in REPORTS}


def declared_names(report: Report) -> set[str]:
    """Top-level names and aliases, plus ``parent[].child`` for the items of nested arrays."""
    names: set[str] = set()
    for f in report.fields:
        names.update((f.name, *f.aliases))
        names.update(
            f"{f.name}[].{spelling}" for item in f.items for spelling in (item.name, *item.aliases)
        )
    return names


def sample_keys(api: str) -> set[str]:
    """The keys of the rows of ``api``'s sample reply, as sent (``parent[].child`` when nested).

    A bucketed reply's keys are those of its buckets. The 8 bodies that are not JSON in the
    vendor's collection are read for their keys only.
    """
    example = json.loads(SAMPLES.read_text(encoding="utf-8"))[api]["examples"][0]
    if "body" not in example:
        keys = re.findall(r'"([^"\r\n]*)"\s*:', example["unparsed_body"])
        return {key for key in keys if key not in ENVELOPE}
    data = example["body"]["data"]
    rows = data if isinstance(data, list) else [data]
    found: set[str] = set()
    for row in rows:
        for key, value in row.items():
            if isinstance(value, dict):  # a bucket
                found.update(value)
            elif isinstance(value, list):
                found.update(f"{key}[].{child}" for item in value for child in item)
            else:
                found.add(key)
    return found


def sent_as(report: Report, key: str) -> str:
    """The column a key of the reply fills (read without surrounding whitespace)."""
    key = key.strip()
    return next((f.name for f in report.fields if key == f.name or key in f.aliases), key)


def top_level(report: Report) -> dict[str, Field]:
    return {f.name: f for f in report.fields}


def test_there_are_104_reports_with_unique_api_names() -> None:
    apis = [report.api for report in REPORTS]
    assert len(REPORTS) == 104
    assert len(set(apis)) == 104, [api for api, n in Counter(apis).items() if n > 1]
    assert set(apis) == EXPECTED_APIS


def test_api_names_match_the_catalogue() -> None:
    catalogue = load_catalogue()
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
    for report in REPORTS:
        assert report.grain == catalogue[report.api]["grain"], report.api


def test_every_catalogue_field_is_declared() -> None:
    catalogue = load_catalogue()
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
        declared = {f.name for f in report.fields}
        assert set(properties) == declared | {UNPARSED, EXTRA, OCCURRENCE}, report.api
        for f in report.fields:
            if f.kind is Kind.OBJECTS:
                item_schema = properties[f.name]["items"]["properties"]
                assert set(item_schema) == {item.name for item in f.items} | {UNPARSED, EXTRA}
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


def test_every_key_of_the_sample_replies_is_declared() -> None:
    for report in REPORTS:
        undeclared = {
            key for key in sample_keys(report.api) if key.strip() not in declared_names(report)
        }
        assert not undeclared, f"{report.api}: {sorted(undeclared)}"


def test_a_bucketed_sample_names_its_bucket_column() -> None:
    samples = json.loads(SAMPLES.read_text(encoding="utf-8"))
    for report in REPORTS:
        example = samples[report.api]["examples"][0]
        bucketed = "body" in example and isinstance(example["body"]["data"], dict)
        assert bucketed == (report.buckets is not None), report.api
        if report.buckets is not None:
            assert report.buckets in top_level(report), report.api
            assert report.buckets in report.primary_key, report.api
    cdr_4 = by_api()["cdr_4"]
    assert cdr_4.buckets == "duration_bucket"
    assert top_level(cdr_4)["duration_bucket"].aliases == ("INTERVAL",)


def test_aliases_are_unambiguous() -> None:
    for report in REPORTS:
        for fields in (report.fields, *(f.items for f in report.fields)):
            spellings = [spelling for f in fields for spelling in (f.name, *f.aliases)]
            assert len(set(spellings)) == len(spellings), report.api
            assert all(alias == alias.strip() for f in fields for alias in f.aliases)


def test_other_spellings_fill_one_column() -> None:
    reports = by_api()
    for api, sent, column in (
        ("chat_13", "chanel", "channel"),
        ("chat_1", "agent_anwers ", "agent_anwers"),
        ("chat_1", "agent_answers", "agent_anwers"),
        ("diagram_1_2", "day", "date"),
        ("skill_3", "day", "date"),
        ("skill_9", "abandon_11seg_20_seg", "abandon_11seg_20seg"),
        ("skill_9", "answer_11seg_20seg", "abandon_11seg_20seg"),
        ("skill_9", "anwers_greater_than_51seg", "abandon_greater_than_51seg"),
        ("cdr_11", "name_agent", "agent_name"),
        ("speech_5", "id_agent", "agent_id"),
        ("campaign_1", "porcent", "percent"),
        ("cdr_4", "INTERVAL", "duration_bucket"),
    ):
        assert sent_as(reports[api], sent) == column, (api, sent)
        assert sent.strip() not in top_level(reports[api]) or sent.strip() == column, api


def test_key_parts_are_sent_by_the_sample_replies() -> None:
    for report in REPORTS:
        sent = {sent_as(report, key) for key in sample_keys(report.api)}
        partitions = {param.name for param in report.params}
        for name in report.primary_key:
            if name not in {"report_date", report.buckets}:
                assert name in sent or name in partitions, f"{report.api}: {name}"


def test_reports_without_a_row_id_are_keyed_on_every_field_they_send() -> None:
    reports = by_api()
    for api in ("diagram_7", "diagram_8", "diagram_12", "cdr_7"):
        report = reports[api]
        sent = {sent_as(report, key) for key in sample_keys(api)}
        assert set(report.primary_key) == sent, api
        assert "no ID" in report.description, api
        assert "_occurrence numbering identical" in report.description, api


def test_averages_documented_in_seconds_are_numbers() -> None:
    reports = by_api()
    for api in ("chat_8", "skill_1", "skill_3", "skill_4", "skill_6", "skill_7", "skill_11"):
        fields = top_level(reports[api])
        assert fields["asa"].kind is Kind.SECONDS, api
    assert top_level(reports["skill_1"])["ata"].kind is Kind.SECONDS
    catalogue = load_catalogue()
    seconds = re.compile(r"(mean|average) seconds", re.IGNORECASE)
    for report in REPORTS:
        fields = top_level(report)
        for documented in catalogue[report.api]["fields"]:
            if seconds.search(documented["description"]):
                kind = fields[documented["name"]].kind
                assert kind is Kind.SECONDS, f"{report.api}.{documented['name']}"


def test_interaction_transfers_say_only_what_the_sources_say() -> None:
    fields = top_level(INTERACTION_TRANSFERS)
    text = " ".join(f.description for f in INTERACTION_TRANSFERS.fields)
    assert "whatsapp" not in (text + INTERACTION_TRANSFERS.description).lower()
    assert "skill ID" not in text
    assert "an agent, or a skill / routing point" in fields["receiver_agent_id"].description
    assert "the literal SKILL" in fields["receiver_agent_name"].description
    assert 'only yields "email"' in fields["channel"].description
    for shape in ("YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD HH:MM", "YYYY-MM-DDTHH:MM:SS"):
        assert shape in fields["date"].description
