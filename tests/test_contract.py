"""Contract: each reply Wolkvox documents goes through the tap with no key lost or merged.

``tests/data/samples.json`` is a copy of the research notes' ``samples.json``: the sample reply
the vendor's Postman collection documents for each of the 104 requests. 96 bodies parse. The
other 8 (agent_8_1, cdr_7, cdr_8, cdr_9, quality_5, skill_4, skill_4_1, speech_5) are not valid
JSON in the vendor's collection (a value missing after ``"error":``, an unclosed string, list or
object, a trailing comma), so they are kept there as text and skipped here; test_catalog still
checks that their keys are declared.

Sample values are mostly blank, and a blank proves nothing about where a key went. So every
blank (or ``-``) is replaced by a distinct value in the format of the field's declared kind (a
key the declaration lacks gets a text value; values the vendor wrote out are kept, so their
format is checked too), a one-row sample gets a second row with other values (not the reports
whose reply is one row of day totals: they have nothing to tell a second row apart), and the
body then takes the tap's real path: ``validate_response`` (``errors.interpret``) and
``parse_response`` of the stream (``Report.rows_of``, ``RowShaper.shape``, the partition and
``report_date`` columns, the timestamp derivation and sort).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import typing as t
from pathlib import Path

import pytest

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.declarations.model import (
    OCCURRENCE,
    Kind,
    Report,
)
from tap_wolkvox.replies.errors import interpret
from tap_wolkvox.replies.reply import announced_rows
from tap_wolkvox.rows.shaper import KEY_STAND_INS
from tap_wolkvox.streams.report import REPORT_DATE, ReportStream
from tap_wolkvox.tap import TapWolkvox
from tests.helpers import check_row, fill_row, fill_rows, well_formed

SAMPLES: dict[str, t.Any] = json.loads(
    (Path(__file__).parent / "data" / "samples.json").read_text(encoding="utf-8")
)
BY_API = {report.api: report for report in REPORTS}
UNPARSEABLE = {
    "agent_8_1",
    "cdr_7",
    "cdr_8",
    "cdr_9",
    "quality_5",
    "skill_4",
    "skill_4_1",
    "speech_5",
}
PARSEABLE = sorted(api for api in SAMPLES if "body" in SAMPLES[api]["examples"][0])
CONFIG = {
    "token": "contract-test-token",
    "api_url": "http://127.0.0.1:1",
    "start_date": "2025-03-01",
    "timezone": "America/Bogota",
}


#: Where the filled instants and days start; event windows span the month, aggregates its 3rd.
def sample_body(api: str) -> dict[str, t.Any]:
    body: dict[str, t.Any] = SAMPLES[api]["examples"][0]["body"]
    return body


# -- filling the samples ----------------------------------------------------------------------


def filled_body(report: Report, stream: ReportStream) -> dict[str, t.Any]:
    """The sample body of ``report`` with its values filled and its rows in timestamp order."""
    body = copy.deepcopy(sample_body(report.api))
    data = body["data"]
    if isinstance(data, dict):  # bucketed (cdr_4): the buckets are the rows
        body["data"] = fill_row(data, report.fields, 0, fresh=False)
        return body
    if identified_by_report_date_alone(stream):
        # One row of day totals and nothing that could tell a second one apart: not doubled.
        assert len(data) == 1, report.api
        body["data"] = [fill_row(data[0], report.fields, 0, fresh=False)]
        return body
    rows = fill_rows(data, report.fields, -1)
    if report.timestamp is not None:
        # An event stream sorts its rows by timestamp; sorted here, they pair with the records.
        rows.sort(key=lambda row: raw_timestamp(report, row))
    body["data"] = rows
    if announced_rows(body.get("msg")) is not None:
        # The count follows the rows (diagram_13's sample says 1172 for the one row it shows):
        # a reply holding fewer rows than it announces was cut, and is read again.
        body["msg"] = f"{len(rows)} records were found"
    return body


def raw_timestamp(report: Report, row: dict[str, t.Any]) -> str:
    if report.timestamp_source is not None:
        outer, inner = report.timestamp_source.split("[].", 1)
        return min(str(item[inner]) for item in row[outer])
    return str(row.get(report.timestamp or "", ""))


# -- the tap's reply path ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def tap() -> TapWolkvox:
    return TapWolkvox(config=CONFIG, setup_mapper=False)


def stream_of(tap: TapWolkvox, report: Report) -> ReportStream:
    stream = tap.streams[report.stream]
    assert isinstance(stream, ReportStream)
    return stream


def identifying(stream: ReportStream) -> list[str]:
    """The key parts a row must fill itself: not report_date, not an undeclared partition value,
    not the tap's numbering of rows that share every other key value.

    A partition value the report also declares (skill_id of skill_1) is sent by the row: with
    ``skill_ids`` left at ``all``, it tells the skills apart.
    """
    declared = {f.name for f in stream.report.fields}
    added = {REPORT_DATE, OCCURRENCE}
    added |= {p.name for p in stream.partition_params if p.name not in declared}
    return [name for name in stream.primary_keys if name not in added]


def identified_by_report_date_alone(stream: ReportStream) -> bool:
    return not identifying(stream)


def read(stream: ReportStream, body: dict[str, t.Any]) -> list[dict[str, t.Any]]:
    """The records ``stream`` makes of a 200 reply holding ``body``."""
    if stream.report.grain == "aggregate":
        start, stop = dt.datetime(2025, 3, 3), dt.datetime(2025, 3, 3, 23, 59, 59)
    else:
        start, stop = dt.datetime(2025, 3, 1), dt.datetime(2025, 3, 31, 23, 59, 59)
    window = stream.grain.plan(start, stop).current
    assert window is not None
    reply = interpret(200, json.dumps(body).encode(), stream.report.api)
    assert reply.may_be_cut(60_000) is None, stream.report.api
    asked = {p.name: f"asked-{p.name}" for p in stream.partition_params}
    return list(stream.records_of(window, reply, asked))


# -- what must hold ---------------------------------------------------------------------------


def check_keys(
    stream: ReportStream,
    records: list[dict[str, t.Any]],
    sent: set[str],
) -> None:
    report = stream.report
    for name in identifying(stream):
        # a key part the reply never fills is no key at all
        assert name in sent, f"{report.api}: key part {name} is not in the sample reply"
        for record in records:
            # (b) a key part the reply filled is neither null nor a stand-in
            assert record[name] is not None, f"{report.api}: key part {name} is null"
            assert record[name] not in KEY_STAND_INS, f"{report.api}: {name}={record[name]!r}"
    for name in stream.primary_keys:
        assert all(record[name] is not None for record in records), f"{report.api}: {name}"
    # (c) distinct rows, distinct keys: without the numbering of rows that share them
    declared = [name for name in stream.primary_keys if name != OCCURRENCE]
    keys = {tuple(record[name] for name in declared) for record in records}
    assert len(keys) == len(records), f"{report.api}: {len(records)} rows, {len(keys)} keys"
    assert {record[OCCURRENCE] for record in records} == {1}, report.api


def test_the_samples_are_the_104_requests_and_8_are_not_json() -> None:
    assert set(SAMPLES) == set(BY_API)
    assert len(PARSEABLE) == 96
    assert set(SAMPLES) - set(PARSEABLE) == UNPARSEABLE
    for api in UNPARSEABLE:
        with pytest.raises(json.JSONDecodeError):
            json.loads(SAMPLES[api]["examples"][0]["unparsed_body"])


@pytest.mark.parametrize("api", PARSEABLE)
def test_a_documented_reply_reaches_the_records_whole(tap: TapWolkvox, api: str) -> None:
    report = BY_API[api]
    stream = stream_of(tap, report)
    body = filled_body(report, stream)
    data = body["data"] if isinstance(body["data"], list) else [body["data"]]
    expected = list(report.rows_of(copy.deepcopy(data)))
    records = read(stream, body)
    assert len(records) == len(expected), f"{api}: {len(expected)} rows sent, {len(records)} read"
    if not identified_by_report_date_alone(stream):
        assert len(records) >= 2, api
    sent: set[str] = set()
    for n, (raw, record) in enumerate(zip(expected, records, strict=True)):
        sent |= check_row(report.fields, raw, record, f"{api} row {n}")
    check_keys(stream, records, sent)
    for record in records:
        if report.grain == "aggregate":
            assert record[REPORT_DATE] == "2025-03-03", api
        for param in stream.partition_params:
            if param.name not in sent:
                assert record[param.name] == f"asked-{param.name}", api


def test_only_day_totals_are_keyed_by_report_date_alone(tap: TapWolkvox) -> None:
    alone = {r.api for r in REPORTS if identified_by_report_date_alone(stream_of(tap, r))}
    assert alone == {"chat_6", "chat_15", "diagram_1_1"}
    for api in alone:
        assert "report_date alone" in BY_API[api].description, api


def test_filled_values_are_well_formed() -> None:
    # the filler's own formats, as the tap reads them (a mistake here would hide one there)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", well_formed(Kind.INSTANT, "d", 3, 7))
    assert well_formed(Kind.TEXT, " agent_anwers ", 1, 0) == "v-agent_anwers-1"
    row = {"a": "", "b": "kept", "c": "-"}
    assert fill_row(row, (), 0, fresh=False) == {"a": "v-a-0", "b": "kept", "c": "v-c-0"}
    assert fill_rows([row], (), -1)[1] == {"a": "v-a-1", "b": "v-b-1", "c": "v-c-1"}
