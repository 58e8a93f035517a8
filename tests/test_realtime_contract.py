"""Contract: each real_time.php reply Wolkvox documents reaches the snapshot records whole.

``tests/data/information.json`` is a copy of the research notes' ``information.json``; its
``real_time.php?api=...`` entries hold the URL, parameters, field table and sample reply of the
ten real-time requests of the vendor's Postman collection. As in tests/test_contract.py, every
blank value of a sample is filled with a distinct value in the format of the field's declared
kind (a one-item list gets a second item), and the body takes the tap's real reply path: the
reply reader (``errors.interpret``), then the row shaper (``RowShaper``) over the declared
columns, with ``_read_at`` and ``_occurrence`` added as the dimension streams add them. The
last part serves each sample, as documented, from a simulator on loopback and reads it through
its snapshot stream: the tap in this process, its HTTP part, its row pipeline.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import re
import typing as t
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tap_wolkvox.declarations.information import READ_AT, RUN_STARTED, Dimension
from tap_wolkvox.declarations.model import OCCURRENCE, Field, Kind
from tap_wolkvox.declarations.realtime import REALTIME_PATH, SNAPSHOTS
from tap_wolkvox.replies.errors import WolkvoxRetriableError, interpret
from tap_wolkvox.rows.pipeline import occurrence_numbering
from tap_wolkvox.rows.shaper import KEY_STAND_INS, RowShaper, is_blank_row
from tap_wolkvox.sandbox.server import Fault, WolkvoxSimulator
from tap_wolkvox.settings import CONFIG_SCHEMA, LIST_SETTINGS
from tap_wolkvox.time.timestamps import OperationClock, format_instant
from tests.helpers import TOKEN, Clock, by_spelling, check_row, fill_row, fill_rows, run_in_process

if t.TYPE_CHECKING:
    from tap_wolkvox.sandbox.api import Answers, RequestRecord

INFORMATION: dict[str, t.Any] = json.loads(
    (Path(__file__).parent / "data" / "information.json").read_text(encoding="utf-8")
)
REALTIME = {
    key.split("=", 1)[1]: entry
    for key, entry in INFORMATION.items()
    if key.startswith("real_time.php?api=")
}
BY_API = {snapshot.api: snapshot for snapshot in SNAPSHOTS}
#: The one sample that is not JSON (``"error": ,``), as the vendor's collection shows it.
NOT_JSON = "info_server"
#: The one sample sent without the envelope: a bare list of rows.
BARE_LIST = "campaigns"
PARSEABLE = sorted(api for api in REALTIME if api != NOT_JSON)
#: Documented names that are no row fields: recall's table lists the envelope.
NOT_ROW_FIELDS = {"code", "error", "msg", "data"}
#: A documented field sent only when a setting asks for it: skills' level at services_time's
#: seconds (``XX``), which the samples do not show (see the services_time test).
ASKED_ONLY = {"service_level_XXseg"}
NOW = dt.datetime(2025, 3, 20, 17, tzinfo=dt.timezone.utc)
URL = f"http://127.0.0.1:1{REALTIME_PATH}"
LOGGER = logging.getLogger("tests.realtime_contract")


def example(api: str) -> dict[str, t.Any]:
    found: dict[str, t.Any] = REALTIME[api]["examples"][0]
    return found


def identifying(snapshot: Dimension) -> tuple[str, ...]:
    """The key parts a row fills itself (all but when it was read)."""
    return tuple(name for name in snapshot.primary_key if name != READ_AT)


def names_of(fields: tuple[Field, ...]) -> dict[str, str]:
    """The column each spelling (name or alias) fills, nested fields' too, at any depth."""
    found = {spelling: f.name for spelling, f in by_spelling(fields).items()}
    for f in fields:
        found |= names_of(f.items)
    return found


def every_spelling(fields: tuple[Field, ...]) -> set[str]:
    """The names and aliases of ``fields`` and of their nested items, at any depth."""
    return set(names_of(fields))


def sent_keys(value: t.Any, *, held: bool = False) -> set[str]:
    """Every key of a sample body's rows (or records), nested ones too.

    ``held``: only the keys holding a value (not null).
    """
    if isinstance(value, list):
        return set().union(*(sent_keys(item, held=held) for item in value))
    if isinstance(value, dict):
        keys = {key for key, item in value.items() if not held or item is not None}
        return keys | sent_keys(list(value.values()), held=held)
    return set()


def rows_of(api: str, body: t.Any) -> t.Any:
    return body if api == BARE_LIST else body["data"]


def enveloped(api: str, body: t.Any) -> dict[str, t.Any]:
    """``body`` in the envelope every other real-time sample shows (campaigns' has none)."""
    if api != BARE_LIST:
        return t.cast("dict[str, t.Any]", body)
    return {"code": "200", "error": None, "msg": f"{len(body)} records were found", "data": body}


def filled(api: str, body: t.Any) -> t.Any:
    """``body`` with its blanks filled: at least two rows, unless one row is one read."""
    snapshot = BY_API[api]
    body = copy.deepcopy(body)
    rows = rows_of(api, body)
    if isinstance(rows, dict):  # info_server's data: one object, one row per read
        filled_rows: t.Any = fill_row(rows, snapshot.fields, 0, fresh=False)
    elif identifying(snapshot):
        filled_rows = fill_rows(rows, snapshot.fields, -1)
    else:  # one row per read (latency): nothing could tell a second row apart
        assert len(rows) == 1, api
        filled_rows = [fill_row(rows[0], snapshot.fields, 0, fresh=False)]
    if api == BARE_LIST:
        return filled_rows
    body["data"] = filled_rows
    if re.match(r"\s*\d+ records", str(body.get("msg"))):
        body["msg"] = f"{len(filled_rows)} records were found"
    return body


def read(api: str, body: bytes) -> list[dict[str, t.Any]]:
    """The records of a 200 reply holding ``body``: the dimension streams' row pipeline."""
    snapshot = BY_API[api]
    reply = interpret(200, body, api, URL, bare_list=snapshot.bare_list)
    clock = OperationClock(ZoneInfo("America/Bogota"), utc_now=lambda: NOW)
    shaper = RowShaper(
        snapshot.all_fields, clock, LOGGER, label=snapshot.stream, key=identifying(snapshot)
    )
    number = occurrence_numbering(snapshot.primary_key)
    records = []
    for row in reply.each_row():
        if is_blank_row(row):
            continue
        record = shaper.shape(row)
        record[READ_AT] = format_instant(clock.utc_now())
        number(record)
        records.append(record)
    return records


def test_the_ten_real_time_requests_are_declared_once() -> None:
    assert len(REALTIME) == 10
    assert set(BY_API) == set(REALTIME)
    assert len(SNAPSHOTS) == len(BY_API)
    streams = [snapshot.stream for snapshot in SNAPSHOTS]
    assert len(set(streams)) == len(streams)
    assert all(re.fullmatch(r"realtime_[a-z0-9_]+", stream) for stream in streams)
    for snapshot in SNAPSHOTS:
        assert snapshot.path == REALTIME_PATH
        assert REALTIME[snapshot.api]["url"].split("?")[0].endswith(REALTIME_PATH)
        assert snapshot.title, snapshot.api
        assert snapshot.description, snapshot.api


def test_a_snapshot_keeps_every_read() -> None:
    for snapshot in SNAPSHOTS:
        # keyed first by when it was read: each read appends, a re-run overwrites nothing
        assert snapshot.primary_key[0] == READ_AT, snapshot.api
        assert not snapshot.versioned, snapshot.api  # no ACTIVATE_VERSION: history stays
        assert not snapshot.selected_by_default, snapshot.api  # each read costs a call
        names = {f.name for f in snapshot.all_fields}
        assert set(snapshot.primary_key) <= names, snapshot.api
        assert snapshot.json_schema()["properties"][READ_AT]["format"] == "date-time"


def test_each_snapshot_is_keyed_by_its_entity_and_says_so_when_it_has_no_id() -> None:
    recall = ("type_recall", "date_recall", "phone_number", "id_campaign", "id_agent")
    assert {s.api: identifying(s) for s in SNAPSHOTS} == {
        "agents": ("agent_id",),
        "calls_last_10": ("conn_id",),
        "hits_last_hour": ("conn_id",),
        "info_server": (),
        "latency": (),
        "skills": ("skill_id",),
        "campaigns": ("campaign",),
        "chats": ("agent_id",),
        "interactions": ("agent_id",),
        "recall": recall,  # no ID: every field it sends
    }
    for api in ("info_server", "latency", "recall"):
        assert "no ID" in BY_API[api].description, api
    assert set(recall) == {f.name for f in BY_API["recall"].fields}


def test_request_parameters_come_from_the_settings_or_the_documented_url() -> None:
    settings = CONFIG_SCHEMA["properties"]
    for snapshot in SNAPSHOTS:
        query = dict(REALTIME[snapshot.api]["query"])
        assert query.pop("api") == snapshot.api
        documented = {p["name"] for p in REALTIME[snapshot.api]["params"]}
        for param in snapshot.params:
            assert param.setting in settings, param
            assert param.name in documented, param
            if param.setting in LIST_SETTINGS:  # the optional ones are not in the sample query
                assert query.pop(param.name).startswith("{{"), snapshot.api  # Postman variable
        assert dict(snapshot.constant_params) == query, snapshot.api
    skills = BY_API["skills"]
    assert "skill_ids" in LIST_SETTINGS  # read once per listed skill, as the skill_* reports
    assert "services_time" in {p["name"] for p in REALTIME["skills"]["params"]}
    assert [(p.name, p.setting) for p in skills.params] == [
        ("skill_id", "skill_ids"),
        ("services_time", "services_time"),  # optional: not in the documented query
    ]
    assert "services_time" in settings
    assert BY_API["recall"].constant_params == (("type", "all"),)


@pytest.mark.parametrize("api", sorted(REALTIME))
def test_every_documented_field_and_sample_key_is_declared(api: str) -> None:
    declared = every_spelling(BY_API[api].fields)
    documented = {f["name"] for f in REALTIME[api]["fields"]} - NOT_ROW_FIELDS
    assert documented <= declared, sorted(documented - declared)
    if api == NOT_JSON:
        sent = set(re.findall(r'"(\w+)":', example(api)["unparsed_body"])) - NOT_ROW_FIELDS
    else:
        sent = sent_keys(rows_of(api, example(api)["body"]))
    assert sent <= declared, sorted(sent - declared)
    for name in identifying(BY_API[api]):
        assert name in sent or name in by_spelling(BY_API[api].fields), name


@pytest.mark.parametrize("api", PARSEABLE)
def test_a_documented_reply_reaches_the_records_whole(api: str) -> None:
    snapshot = BY_API[api]
    body = enveloped(api, filled(api, example(api)["body"]))
    rows = body["data"]
    records = read(api, json.dumps(body).encode())
    assert len(records) == len(rows), api
    if identifying(snapshot):
        assert len(records) >= 2, api
    for n, (raw, record) in enumerate(zip(rows, records, strict=True)):
        check_row(snapshot.all_fields, raw, record, f"{api} row {n}")
    assert {r[READ_AT] for r in records} == {"2025-03-20T17:00:00+00:00"}
    for name in identifying(snapshot):
        assert all(r[name] not in KEY_STAND_INS and r[name] is not None for r in records), name
    # distinct rows, distinct keys: none needs the numbering of repeated keys
    assert len({tuple(r[k] for k in snapshot.primary_key) for r in records}) == len(records)
    assert {r[OCCURRENCE] for r in records} == {1}


def test_the_campaigns_reply_as_documented_without_an_envelope_is_read() -> None:
    body = filled(BARE_LIST, example(BARE_LIST)["body"])
    assert isinstance(body, list)
    records = read(BARE_LIST, json.dumps(body).encode())
    assert len(records) == len(body) == 2
    for n, (raw, record) in enumerate(zip(body, records, strict=True)):
        check_row(BY_API[BARE_LIST].all_fields, raw, record, f"campaigns row {n}")
    assert read(BARE_LIST, b"[]") == []  # no campaign: no record


def test_only_the_request_documented_so_may_answer_a_bare_list() -> None:
    # Declared per request: campaigns' documented sample is the only reply without envelope.
    assert [s.api for s in SNAPSHOTS if s.bare_list] == [BARE_LIST]
    assert [api for api in REALTIME if isinstance(example(api).get("body"), list)] == [BARE_LIST]
    # Anywhere else a bare list is no Wolkvox reply: read as cut off (retried, then a stop).
    rows = json.dumps([{"agent_id": "1201"}]).encode()
    with pytest.raises(WolkvoxRetriableError, match="malformed or truncated JSON"):
        interpret(200, rows, "agents", URL)
    # A list that holds no rows is no campaigns reply either.
    with pytest.raises(WolkvoxRetriableError, match="neither a list of rows nor an object"):
        interpret(200, b'["101", "202"]', BARE_LIST, URL, bare_list=True)


def test_the_info_server_sample_is_not_json_and_is_refused_in_one_sentence() -> None:
    text = example(NOT_JSON)["unparsed_body"]
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    # A 200 that is no JSON reads as cut off: retried, then the run stops naming the report
    # ("Report info_server (realtime_server_load) kept failing after N attempts: <this>.").
    with pytest.raises(WolkvoxRetriableError) as refused:
        interpret(200, text.encode(), NOT_JSON, URL)
    assert str(refused.value) == "malformed or truncated JSON in the 200 reply"


def test_the_info_server_sample_read_as_meant_is_one_row_per_read() -> None:
    # The same body with the missing value written out: data is one object, one row.
    text = example(NOT_JSON)["unparsed_body"].replace('"error": ,', '"error": null,')
    body = json.loads(text)
    body["data"] = fill_row(body["data"], BY_API[NOT_JSON].fields, 0, fresh=False)
    (record,) = read(NOT_JSON, json.dumps(body).encode())
    check_row(BY_API[NOT_JSON].all_fields, body["data"], record, NOT_JSON)
    assert int(body["data"]["calls"]) == record["calls"]  # a count, typed
    assert float(body["data"]["cpu_avg_10s"].removesuffix(" %")) == record["cpu_avg_10s"]


def test_values_as_public_clients_show_them_are_typed() -> None:
    # agent_1's formats (the shared notes' production record) and the latency poller's "25%"
    agents: dict[str, t.Any] = {"code": 200, "error": None, "msg": "1 records were found"}
    agents["data"] = [
        {
            "agent_id": "12004",
            "agent_status": "READY",
            "calls": "2",
            "time_state_now": "00:03:12",
            "login_time": "02:02:47",
            "aht_time": "00:14:47",
            "ocupation": "34.64 %",
        }
    ]
    (agent,) = read("agents", json.dumps(agents).encode())
    assert (agent["calls"], agent["time_state_now"], agent["login_time"]) == (2, 192, 7367)
    assert (agent["aht_time"], agent["ocupation"]) == (887, 34.64)
    assert "unparsed_values" not in agent
    latency: dict[str, t.Any] = {"code": 200, "error": None, "msg": "1 records were found"}
    latency["data"] = [
        {
            "by_agent": [{"agent_id": "12004", "latency_ms": "215", "network_rejection": "25%"}],
            "by_ip": [{"ip": "190.85.12.10", "total_agents": "12", "average_latency": "48.5"}],
            "by_pbx": [],
        }
    ]
    (reading,) = read("latency", json.dumps(latency).encode())
    assert reading["by_agent"][0]["latency_ms"] == 215
    assert reading["by_agent"][0]["network_rejection"] == 25
    assert reading["by_ip"][0]["total_agents"] == 12
    assert reading["by_pbx"] == []


def test_recall_sent_with_either_spelling_fills_one_column() -> None:
    body: dict[str, t.Any] = {"code": "200", "error": None, "msg": "2 records were found"}
    row = {"type_recall": "agent", "date_recall": "2025-03-20 15:30:00", "id_agent": "1201"}
    body["data"] = [
        {**row, "phone_number": "573001", "id_campaing": "101"},
        {**row, "phone_number": "573002", "id_campaign": "202"},
    ]
    records = read("recall", json.dumps(body).encode())
    assert [r["id_campaign"] for r in records] == ["101", "202"]
    assert all("_extra_fields" not in r for r in records)
    assert records[0]["date_recall"] == "2025-03-20T20:30:00+00:00"


def test_a_reading_of_a_kind_is_typed_as_its_kind() -> None:
    kinds = {f.name: f.kind for snapshot in SNAPSHOTS for f in snapshot.fields}
    # IDs stay text; counts, durations and percentages are typed as the reports type them
    assert {kinds[name] for name in ("agent_id", "skill_id", "conn_id", "campaign")} == {Kind.TEXT}
    assert kinds["calls_in_queue_now"] is Kind.INTEGER
    assert kinds["time_state_now"] is Kind.DURATION
    assert kinds["service_level_20seg"] is Kind.PERCENT


# -- through the streams -----------------------------------------------------------------------


class Documented:
    """real_time.php answering each request with its documented sample reply (as filled)."""

    def __init__(self, bodies: dict[str, t.Any]) -> None:
        self.bodies = bodies

    def answer(
        self, sim: Answers, params: dict[str, str], record: RequestRecord
    ) -> tuple[int, t.Any]:
        return 200, self.bodies[params["api"]]


def read_through_the_stream(api: str, body: t.Any, **settings: t.Any) -> list[dict[str, t.Any]]:
    """The records the tap emits when real_time.php answers ``body`` (its status 0, no error)."""
    clock = Clock("2025-03-20 12:00:00")
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now) as sim:
        sim.paths[REALTIME_PATH] = Documented({api: body})
        config = {"token": TOKEN, "api_url": sim.url, "start_date": "2025-03-01", **settings}
        done = run_in_process(config, clock=clock, streams=[BY_API[api].stream])
        assert [r.api for r in sim.requests] == [api]
        sent = sim.requests[0].params
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    # the settings asked for, sent as the parameters they fill
    assert {
        p.name: str(settings[p.setting]) for p in BY_API[api].params if p.setting in settings
    }.items() <= sent.items()
    return done.records(BY_API[api].stream)


@pytest.mark.parametrize("api", PARSEABLE)
def test_every_documented_key_reaches_a_record_through_its_stream(api: str) -> None:
    snapshot = BY_API[api]
    body = filled(api, example(api)["body"])  # campaigns': a bare list, as documented
    rows = rows_of(api, body)
    records = read_through_the_stream(api, body)
    assert len(records) == len(rows), api
    for n, (raw, record) in enumerate(zip(rows, records, strict=True)):
        # every key the sample sends, nested ones too, reached its column
        check_row(snapshot.all_fields, raw, record, f"{api} row {n}")
    # every field the table documents holds a value in some record (at its depth)
    names = names_of(snapshot.fields)
    documented = {f["name"] for f in REALTIME[api]["fields"]} - NOT_ROW_FIELDS - ASKED_ONLY
    assert {names[name] for name in documented} <= sent_keys(records, held=True), api
    # stamped with the instant it was read and the run that read it; distinct keys
    assert {(r[READ_AT], r[RUN_STARTED]) for r in records} == {("2025-03-20T17:00:00+00:00",) * 2}
    assert len({tuple(r[k] for k in snapshot.primary_key) for r in records}) == len(records)


def test_the_level_services_time_asks_reaches_its_column() -> None:
    # the table's service_level_XXseg, as Wolkvox names it for services_time=15
    body = filled("skills", example("skills")["body"])
    for n, row in enumerate(body["data"]):
        row["service_level_15seg"] = f"{40 + n}.50 %"
    records = read_through_the_stream("skills", body, services_time=15)
    names = names_of(BY_API["skills"].fields)
    assert set(names) >= ASKED_ONLY
    column = names["service_level_XXseg"]
    assert [(r[column], r["services_time"]) for r in records] == [
        (40.5 + n, 15) for n in range(len(records))
    ]
    assert not any("_extra_fields" in r for r in records)


def test_the_documented_info_server_reply_stops_its_stream_in_one_sentence() -> None:
    clock = Clock("2025-03-20 12:00:00")
    text = example(NOT_JSON)["unparsed_body"].encode()
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now) as sim:
        sim.schedule(*[Fault.raw(200, text)] * 3)
        config = {
            "token": TOKEN,
            "api_url": sim.url,
            "start_date": "2025-03-01",
            "max_attempts": 3,
            "retry_wait_seconds": 0.01,
        }
        done = run_in_process(config, clock=clock, streams=[BY_API[NOT_JSON].stream])
    assert done.records() == []
    assert done.the_error() == (
        "ERROR | Report info_server (realtime_server_load) kept failing after 3 attempts: "
        "malformed or truncated JSON in the 200 reply. The STATE already emitted is a valid "
        "resume point."
    )
