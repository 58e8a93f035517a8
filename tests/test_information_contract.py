"""Contract: each information.php reply Wolkvox documents reaches the records whole.

``tests/data/information.json`` is a copy of the research notes' ``information.json``: for each
information.php and real_time.php request of the vendor's Postman collection, its URL, query
parameters, documented field table and sample reply. As in tests/test_contract.py, every blank
value of a sample is filled with a distinct value in the format of the field's declared kind, a
one-row sample gets a second row (not the tables keyed by when they were read: one row per
read), and the body takes the tap's real path: ``validate_response`` then ``parse_response``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import typing as t
from pathlib import Path

import pytest

from tap_wolkvox.declarations.information import DIMENSIONS, INFORMATION_REPORTS, READ_AT
from tap_wolkvox.declarations.model import OCCURRENCE, Field
from tap_wolkvox.replies.errors import interpret
from tap_wolkvox.rows.shaper import KEY_STAND_INS
from tap_wolkvox.streams.report import ReportStream
from tap_wolkvox.streams.tables import TableStream
from tap_wolkvox.tap import TapWolkvox
from tests.helpers import by_spelling, check_row, fill_row, fill_rows

INFORMATION: dict[str, t.Any] = json.loads(
    (Path(__file__).parent / "data" / "information.json").read_text(encoding="utf-8")
)
#: Every declared request, by its ``information.php?api=`` name.
DECLARED: dict[str, tuple[str, tuple[Field, ...], tuple[str, ...]]] = {
    **{d.api: (d.stream, d.fields, d.primary_key) for d in DIMENSIONS},
    **{r.api: (r.stream, r.fields, r.primary_key) for r in INFORMATION_REPORTS},
}
#: Left out on purpose: lists and settings rather than data to load (DNC lists, the law 2300
#: check, allowed IPs, audio lists and storage), and real_time.php (snapshots of the moment).
LEFT_OUT = {"get_dnc", "law2300_info", "get_ip", "storage", "audio_list"}
NOW = dt.datetime(2025, 3, 20, 12, tzinfo=dt.timezone.utc)
CONFIG = {
    "token": "contract-test-token",
    "api_url": "http://127.0.0.1:1",
    "start_date": "2025-03-01",
    "timezone": "America/Bogota",
}


def entry(api: str) -> dict[str, t.Any]:
    found: dict[str, t.Any] = INFORMATION[f"information.php?api={api}"]
    return found


@pytest.fixture(scope="module")
def tap() -> TapWolkvox:
    return TapWolkvox(config=CONFIG, setup_mapper=False, utc_now=lambda: NOW)


def read(tap: TapWolkvox, api: str, body: dict[str, t.Any]) -> list[dict[str, t.Any]]:
    """The records the stream of ``api`` makes of a 200 reply holding ``body``."""
    stream = tap.streams[DECLARED[api][0]]
    reply = interpret(200, json.dumps(body).encode(), api)
    if isinstance(stream, ReportStream):
        window = stream.grain.plan(dt.datetime(2025, 3, 1), dt.datetime(2025, 3, 31)).current
        assert window is not None
        return list(stream.records_of(window, reply, {}))
    assert isinstance(stream, TableStream)
    asked = {"skill_id": "asked-skill"} if stream.dimension.per else None
    return list(stream.records_of(reply, asked))


def identifying(api: str) -> list[str]:
    """The key parts a row fills itself (not _read_at, not the skill asked for)."""
    added = {READ_AT, "skill_id"} if api == "agents_in_skill" else {READ_AT}
    return [name for name in DECLARED[api][2] if name not in added]


def filled_body(api: str) -> dict[str, t.Any]:
    body: dict[str, t.Any] = copy.deepcopy(entry(api)["examples"][0]["body"])
    fields = DECLARED[api][1]
    if identifying(api):
        body["data"] = fill_rows(body["data"], fields, -1)
    else:  # one row per read: nothing could tell a second row apart
        assert len(body["data"]) == 1, api
        body["data"] = [fill_row(body["data"][0], fields, 0, fresh=False)]
    return body


def test_every_information_request_is_declared_or_left_out_on_purpose() -> None:
    information = {key.split("=", 1)[1] for key in INFORMATION if key.startswith("information.php")}
    assert information == set(DECLARED) | LEFT_OUT
    assert not set(DECLARED) & LEFT_OUT
    assert len([key for key in INFORMATION if key.startswith("real_time.php")]) == 10


@pytest.mark.parametrize("api", sorted(DECLARED))
def test_every_documented_field_and_sample_key_is_declared(api: str) -> None:
    fields = by_spelling(DECLARED[api][1])
    documented = {f["name"] for f in entry(api)["fields"]}
    sent = set(entry(api)["examples"][0]["row_keys"])
    assert documented | sent <= set(fields), api
    for name in DECLARED[api][2]:
        assert name in {READ_AT, "skill_id"} or name in sent, f"{api}: key part {name} not sent"


@pytest.mark.parametrize("api", sorted(DECLARED))
def test_a_documented_reply_reaches_the_records_whole(tap: TapWolkvox, api: str) -> None:
    stream_name, fields, key = DECLARED[api]
    body = filled_body(api)
    records = read(tap, api, body)
    rows = body["data"]
    assert len(records) == len(rows), api
    if identifying(api):
        assert len(records) >= 2, api
    if api in {r.api for r in INFORMATION_REPORTS}:
        # an event stream may emit its rows in any order: pair them by timestamp
        rows = sorted(rows, key=lambda row: row["date"])
        records = sorted(records, key=lambda record: record["date"])
    else:
        assert {r[READ_AT] for r in records} == {"2025-03-20T12:00:00+00:00"}, api
    for n, (raw, record) in enumerate(zip(rows, records, strict=True)):
        check_row(fields, raw, record, f"{api} row {n}")
    for name in identifying(api):
        assert all(r[name] not in KEY_STAND_INS and r[name] is not None for r in records), name
    # distinct rows, distinct declared keys: none needs the numbering of repeated keys
    assert len({tuple(r[k] for k in key) for r in records}) == len(records), stream_name
    assert {r[OCCURRENCE] for r in records} == {1}, stream_name
    if api == "agents_in_skill":
        assert {r["skill_id"] for r in records} == {"asked-skill"}


def test_token_info_values_are_integers(tap: TapWolkvox) -> None:
    body = copy.deepcopy(entry("token_info")["examples"][0]["body"])
    body["data"] = [
        {
            "description": "integracion bi",
            "token_limit": "3000",
            "token_use_today": "120",
            "all_token_today": "245",
            "available_consumption_options": "2880",
        }
    ]
    (record,) = read(tap, "token_info", body)
    assert record["token_limit"] == 3000
    assert record["token_use_today"] == 120
    assert record["all_token_today"] == 245
    assert record["available_consumption_options"] == 2880
    assert record["description"] == "integracion bi"


def test_activity_codes_sent_with_the_tables_spelling_fill_the_same_column(
    tap: TapWolkvox,
) -> None:
    body: dict[str, t.Any] = {"code": "0", "error": None, "msg": "1 records were found"}
    body["data"] = [{"code_act": "VENTA", "description_cod_act": "Venta efectiva"}]
    (record,) = read(tap, "activity_codes", body)
    assert record["cod_act"] == "VENTA"
    assert "_extra_fields" not in record


def test_keys_a_reply_adds_are_kept_as_drift(tap: TapWolkvox) -> None:
    body: dict[str, t.Any] = {"code": 200, "error": None, "msg": "1 records were found"}
    body["data"] = [{"agent_id": "1201", "agent_name": "Ana", "team": "Norte"}]
    (record,) = read(tap, "agents", body)
    assert record["_extra_fields"] == {"team": "Norte"}
    assert record["agent_id"] == "1201"
    assert record["enabled"] is None
