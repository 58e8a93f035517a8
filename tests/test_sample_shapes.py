"""The sandbox in the vendor's documented sample shapes, and the tap reading every report so.

The declarations say how the tap reads a report; the sample replies of the official Postman
collection say what Wolkvox sends (``chanel``, ``"agent_anwers "``, extra keys, cdr_4 as one
object keyed by bucket). ``shapes="sample"`` makes the sandbox send the latter.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import subprocess
import sys
import typing as t
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.declarations.model import EXTRA, UNPARSED, Field, Kind, Report
from tap_wolkvox.rows.shaper import KEY_STAND_INS
from tap_wolkvox.sandbox.api import REPORTS_PATH, OneObject
from tap_wolkvox.sandbox.generated import (
    SampleShape,
    SampleShaped,
    generated_sources,
    sample_shapes,
    sample_spelling,
)
from tap_wolkvox.sandbox.server import StaticRows, WolkvoxSimulator
from tests.helpers import TOKEN, TapRunner, base_config

if t.TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
SHAPES_FILE = ROOT / "tap_wolkvox" / "sandbox" / "sample_shapes.json"
SCRIPT = ROOT / "scripts" / "sample_shapes.py"
#: The tests' own copy of the vendor's samples (shared/wolkvox-api/samples.json).
SAMPLES_COPY = ROOT / "tests" / "data" / "samples.json"
BUCKETS = "object keyed by bucket"


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sample_shapes_script", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the shapes file ---------------------------------------------------------------------------


def test_the_shapes_file_is_what_the_script_derives_from_the_samples() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--samples", str(SAMPLES_COPY), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_shapes_file_covers_the_catalogue_and_is_in_the_scripts_own_form() -> None:
    text = SHAPES_FILE.read_text(encoding="utf-8")
    content = json.loads(text)
    assert script().render(content) == text  # written by the script, not by hand
    reports = content["reports"]
    assert set(reports).isdisjoint(content["not_readable"])
    assert set(reports) | set(content["not_readable"]) == {r.api for r in REPORTS}
    for api, shape in reports.items():
        keys = shape["keys"]
        assert keys, api
        assert all(isinstance(k, str) and k.strip() for k in keys), api
        assert len(set(keys)) == len(keys), api
        assert shape["shape"] in {"list", BUCKETS}, api
        assert bool(shape.get("buckets")) == (shape["shape"] == BUCKETS), api
        assert set(shape.get("items", {})) <= set(keys), api
        assert shape.get("read_from", "text") == "text", api
    # what the issue names, as the package reads it
    shapes = sample_shapes()
    assert "chanel" in shapes["chat_13"].keys
    assert "agent_anwers " in shapes["chat_1"].keys
    assert {"rp_id", "credits"} <= set(shapes["diagram_8"].keys)
    assert "abandon_11seg_20_seg" in shapes["skill_9"].keys
    assert "day" in shapes["diagram_1_2"].keys
    assert "skill_name" not in shapes["agent_12"].keys
    assert shapes["cdr_4"].buckets[0] == "0_5_seg"
    assert shapes["cdr_4"].keys == ("calls", "minutes", "cost", "percentage")
    assert "channel" in shapes["chat_2"].items["conversation"]


def test_keys_are_read_from_a_sample_body_that_is_not_json_only_when_it_is_plain() -> None:
    keys_from_text = script().keys_from_text
    broken = (  # quality_5 and skill_4_1: broken values, intact keys
        '{\r\n"code": 200,\r\n"data": [\r\n    {\r\n        "quality_analyst": "",\r\n'
        '        "abandon_calls": ",\r\n        "accuracy": "\r\n    }\r\n]\r\n}'
    )
    assert keys_from_text(broken) == ["quality_analyst", "abandon_calls", "accuracy"]
    cut = '{\r\n"data": [\r\n    {\r\n        "agent_name": "",\r\n        "hour": ""\r\n    }'
    assert keys_from_text(cut) == ["agent_name", "hour"]  # agent_8_1: the body stops there
    nested = '{\r\n"data": [\r\n    {\r\n        "conn_id": "",\r\n        "items": [\r\n'
    assert keys_from_text(nested) is None
    assert keys_from_text('{"code": " ", "error": , "msg": " "}') is None


# -- re-spelling -------------------------------------------------------------------------------


def test_each_sample_key_takes_the_field_of_its_name_its_trimmed_name_or_its_alias() -> None:
    fields = (
        Field("channel", aliases=("chanel",)),
        Field("agent_anwers", Kind.INTEGER),
        Field("date", Kind.DAY, aliases=("day",)),
        Field("skill_name"),
    )
    keys = ("chanel", "agent_anwers ", "day", "agent_name")
    assert sample_spelling(fields, keys) == [
        ("chanel", "channel"),
        ("agent_anwers ", "agent_anwers"),
        ("day", "date"),
        ("agent_name", None),
    ]
    # the exact spelling wins over an alias, whatever the order
    assert sample_spelling(fields, ("chanel", "channel")) == [
        ("chanel", None),
        ("channel", "channel"),
    ]


def test_rows_come_in_the_samples_spelling_with_drift_and_without_unsent_fields() -> None:
    report = Report(
        api="x_1",
        stream="x",
        title="x",
        fields=(Field("conn_id"), Field("channel", aliases=("chanel",)), Field("calls")),
        primary_key=("conn_id",),
        timestamp="date",
    )
    shape = SampleShape(keys=("conn_id", "chanel", "rp_id"))
    rows = [{"conn_id": "C1", "channel": "web", "calls": "3", "date": "2025-02-03 10:00:00"}]
    source = SampleShaped(StaticRows(rows), report, shape)
    [row] = source.rows("2025-02-03 00:00:00", "2025-02-03 23:59:59", "2025-02-04 00:00:00")
    assert list(row) == ["conn_id", "chanel", "rp_id"]
    assert (row["conn_id"], row["chanel"]) == ("C1", "web")
    assert isinstance(row["rp_id"], str)
    assert row["rp_id"]
    # the window is filtered on the declared rows, before re-spelling
    assert source.rows("2025-02-04 00:00:00", "2025-02-04 23:59:59", "2025-02-05") == []


def test_a_bucketed_report_is_sent_as_one_object_keyed_by_bucket() -> None:
    cdr_4 = next(r for r in REPORTS if r.api == "cdr_4")
    day = dt.date(2025, 2, 3)
    with WolkvoxSimulator(token=TOKEN, now=lambda: "2025-02-28 23:59:59") as sim:
        sim.sources.update(generated_sources([cdr_4], day, day, shapes="sample"))
        rows = sim.sources["cdr_4"].rows("2025-02-03 00:00:00", "2025-02-03 23:59:59", "2025-02-28")
        assert isinstance(rows, OneObject)
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{sim.url}{REPORTS_PATH}?api=cdr_4&date_ini=20250203000000&date_end=20250203235959",
            headers={"wolkvox-token": TOKEN},
        )
        with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310 - loopback
            body = json.load(reply)
    data = body["data"]
    assert isinstance(data, dict)
    assert list(data) == list(sample_shapes()["cdr_4"].buckets)
    assert all(
        list(bucket) == ["calls", "minutes", "cost", "percentage"] for bucket in data.values()
    )
    assert body["msg"] == "1 records were found"


def test_the_sandbox_command_serves_sample_shapes_with_the_flag() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tap_wolkvox.sandbox.cli",
            "--port",
            "0",
            "--token",
            TOKEN,
            "--history-days",
            "3",
            "--sample-shapes",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "sample shapes" in line, line
        found = re.search(r"http://\S+", line)
        assert found is not None, line
        url = found.group()
        # A day of the history the sandbox says it holds (not today's date: no wall clock).
        first = re.search(r"history from (\d{4}-\d{2}-\d{2})", line)
        assert first is not None, line
        day = f"{dt.date.fromisoformat(first.group(1)) + dt.timedelta(days=1):%Y%m%d}"
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{url}{REPORTS_PATH}?api=chat_13&date_ini={day}000000&date_end={day}235959",
            headers={"wolkvox-token": TOKEN},
        )
        with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310 - loopback
            rows = json.load(reply)["data"]
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    assert rows
    assert all("chanel" in row and "channel" not in row for row in rows)


# -- the tap against every report in its sample shape ------------------------------------------


@dataclass
class SampleRun:
    """What the tap emitted per stream against the sample-shaped sandbox."""

    returncode: int
    stderr: str
    records: dict[str, int] = field(default_factory=dict)
    null_keys: dict[str, list[str]] = field(default_factory=dict)
    stand_in_keys: dict[str, list[str]] = field(default_factory=dict)
    extra: dict[str, list[str]] = field(default_factory=dict)
    unparsed: dict[str, list[str]] = field(default_factory=dict)


def _kept(records: list[dict[str, t.Any]], report: Report, column: str) -> list[str]:
    """The names kept in ``column`` by any record (or nested item) of ``report``."""
    names: set[str] = set()
    for record in records:
        names.update(record.get(column) or {})
        for f in report.fields:
            if f.kind is Kind.OBJECTS:
                for item in record.get(f.name) or []:
                    names.update(f"{f.name}[].{name}" for name in item.get(column) or {})
    return sorted(names)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> SampleRun:
    with WolkvoxSimulator(token=TOKEN, now=lambda: "2025-02-28 23:59:59") as sim:
        sim.sources.update(
            generated_sources(REPORTS, dt.date(2025, 2, 1), dt.date(2025, 2, 28), shapes="sample")
        )
        config = base_config(
            sim, start_date="2025-02-24", end_date="2025-02-25T23:59:59", agent_ids=["1201"]
        )
        run = TapRunner(tmp_path_factory.mktemp("sample_shapes"))(
            config, streams=[r.stream for r in REPORTS], timeout=300
        )
    found = SampleRun(run.returncode, run.stderr)
    schemas = {m["stream"]: m for m in run.messages if m["type"] == "SCHEMA"}
    for report in REPORTS:
        records = run.records(report.stream)
        found.records[report.stream] = len(records)
        key = schemas[report.stream]["key_properties"] if report.stream in schemas else []
        for column, parts in (
            (found.null_keys, {k for r in records for k in key if r.get(k) is None}),
            (found.stand_in_keys, {k for r in records for k in key if r.get(k) in KEY_STAND_INS}),
        ):
            if parts:
                column[report.stream] = sorted(parts)
        for column, name in ((found.extra, EXTRA), (found.unparsed, UNPARSED)):
            kept = _kept(records, report, name)
            if kept:
                column[report.stream] = kept
    return found


@pytest.mark.e2e  # every report read in its sample shape: about 9 s
def test_the_tap_reads_every_report_in_its_sample_shape(sample_run: SampleRun) -> None:
    assert sample_run.returncode == 0, sample_run.stderr[-3000:]
    assert [s for s, n in sample_run.records.items() if n == 0] == []
    assert sample_run.null_keys == {}


def test_no_key_part_is_missing_from_the_sample_reply(sample_run: SampleRun) -> None:
    # A stand-in ("" or 1970) in a key part: the sample sends no value for it under any
    # spelling the declaration knows, so rows of one day could share a key.
    assert sample_run.stand_in_keys == {}


def test_no_stream_keeps_undeclared_fields(sample_run: SampleRun) -> None:
    # Every key a sample sends is declared (under its name or as an alias): nothing is drift.
    assert sample_run.extra == {}


def test_no_value_is_left_unparsed(sample_run: SampleRun) -> None:
    assert sample_run.unparsed == {}
