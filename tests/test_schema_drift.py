"""Replies as Wolkvox sends them: other spellings, undeclared keys, blank rows, bucketed data."""

from __future__ import annotations

import datetime as dt
import json
import logging
import typing as t

import pytest

from tap_wolkvox.declarations.model import EXTRA, UNPARSED, Field, Kind, Report
from tap_wolkvox.replies.errors import interpret
from tap_wolkvox.rows.shaper import RowShaper
from tap_wolkvox.rows.typed import record_frame
from tap_wolkvox.sandbox.server import StaticRows
from tap_wolkvox.time.timestamps import OperationClock, load_timezone, parse_wall_clock
from tests.helpers import TapRunner, base_config, report_stream, transfer

if t.TYPE_CHECKING:
    from tap_wolkvox.sandbox.server import WolkvoxSimulator

CLOCK = OperationClock(load_timezone("America/Bogota"))
FIELDS = (
    Field("channel", Kind.TEXT, aliases=("chanel",)),
    Field("agent_anwers", Kind.INTEGER),
    Field("calls", Kind.INTEGER),
)


def shaper(*fields: Field) -> RowShaper:
    return RowShaper(fields or FIELDS, CLOCK, logging.getLogger("test"), label="test")


def test_another_spelling_and_stray_whitespace_reach_the_declared_column() -> None:
    row = shaper().shape({"chanel": "web", "agent_anwers ": "3", "calls": "4"})
    assert row == {
        "channel": "web",
        "agent_anwers": 3,
        "calls": 4,
    }


def test_the_declared_spelling_wins_over_an_alias_when_both_have_a_value() -> None:
    row = shaper().shape({"channel": "web", "chanel": "email", "agent_anwers": "", "calls": "1"})
    assert row["channel"] == "web"


def test_undeclared_keys_are_kept_with_their_values_and_named_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    shape = shaper().shape
    with caplog.at_level(logging.WARNING):
        first = shape({"channel": "web", "calls": "1", "credits": "2.5", "rp_id": "77"})
        second = shape({"channel": "web", "calls": "2", "credits": "3"})
    assert first[EXTRA] == {"credits": "2.5", "rp_id": "77"}
    assert second[EXTRA] == {"credits": "3"}
    assert first["agent_anwers"] is None
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1
    assert "'credits', 'rp_id'" in warnings[0]
    assert "_extra_fields" in warnings[0]


def test_whitespace_only_is_blank_for_typed_fields() -> None:
    row = shaper().shape({"channel": " ", "agent_anwers": " ", "calls": "\t"})
    assert (row["agent_anwers"], row["calls"], row.get(UNPARSED)) == (None, None, None)


def test_a_bucketed_reply_becomes_one_row_per_bucket() -> None:
    report = Report(
        api="cdr_4",
        stream="x",
        title="x",
        fields=(Field("bucket"), Field("calls", Kind.INTEGER)),
        primary_key=("report_date", "bucket"),
        grain="aggregate",
        buckets="bucket",
    )
    data = [{"0_5_seg": {"calls": "3"}, "6_20_seg": {"calls": "4"}}]
    assert list(report.rows_of(data)) == [
        {"bucket": "0_5_seg", "calls": "3"},
        {"bucket": "6_20_seg", "calls": "4"},
    ]
    # a reply already in rows stays as it is
    assert list(report.rows_of([{"bucket": "0_5_seg", "calls": "3"}])) == [
        {"bucket": "0_5_seg", "calls": "3"}
    ]


def test_timestamps_without_seconds_or_with_a_t_are_read() -> None:
    assert parse_wall_clock("2025-04-03 12:28") == dt.datetime(2025, 4, 3, 12, 28)
    assert parse_wall_clock("2025-04-03T12:28:05") == dt.datetime(2025, 4, 3, 12, 28, 5)
    assert CLOCK.to_utc_string("2025-04-03 12:28") == "2025-04-03T17:28:00+00:00"
    assert parse_wall_clock("2025-04-03 12") is None


def test_rows_whose_every_value_is_blank_are_skipped_with_one_warning(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    blank = dict.fromkeys(transfer("x", "2025-01-02 08:15:00"), "")

    class WithABlankRow(StaticRows):
        """The documented sample reply of chat_9 is one such row; it cannot be dated."""

        def rows(self, start: str, end: str, now: str) -> list[dict[str, t.Any]]:
            return [*super().rows(start, end, now), blank]

    simulator.sources["chat_9"] = WithABlankRow([transfer("EM1", "2025-01-02 08:15:00")])
    run = run_tap(base_config(simulator, end_date="2025-01-31T23:59:59"))
    assert run.returncode == 0, run.stderr
    assert [r["conn_id"] for r in run.records()] == ["EM1"]
    [warning] = [line for line in run.stderr.splitlines() if "was blank" in line]
    assert "Report chat_9 (interaction_transfers): skipped 1 rows whose every value" in warning


# -- other spellings on the fast path (rows/typed.py) ------------------------------------------


CLOSED_CHATS = "channel_daily_closed_chats"  # chat_13, whose sample sends chanel
EVALUATIONS = "quality_attribute_evaluations"  # quality_3: Wolkvox sends yes/no for yes_no
EVALUATION = {"conn_id": "V1", "date": "2025-02-27 09:00:00", "survey": "Q", "attribute": "A"}


@pytest.mark.parametrize(
    ("stream", "row"),
    [
        pytest.param(CLOSED_CHATS, {"chanel": "web", "interaction": "3"}, id="chanel"),
        pytest.param(
            CLOSED_CHATS,
            {"channel": "web", "chanel": "email", "interaction": "3"},
            id="both spellings, each with a value",
        ),
        pytest.param(
            CLOSED_CHATS,
            {"channel": "", "chanel": "email", "interaction": "3"},
            id="both spellings, the column's blank",
        ),
        pytest.param(
            CLOSED_CHATS,
            {"channel": "web", "chanel": " ", "interaction": "3"},
            id="both spellings, the alias blank",
        ),
        pytest.param(CLOSED_CHATS, {"chanel": None, "interaction": "3"}, id="chanel null"),
        pytest.param(CLOSED_CHATS, {"chanel": " ", "interaction": ""}, id="a blank row"),
        pytest.param(EVALUATIONS, {**EVALUATION, "yes/no": "yes"}, id="yes/no"),
        pytest.param(
            EVALUATIONS, {**EVALUATION, "yes/no": "yes", "yes_no": "no"}, id="yes/no and yes_no"
        ),
    ],
)
def test_the_fast_path_reads_other_spellings_as_the_dict_path_does(
    stream: str, row: dict[str, t.Any], caplog: pytest.LogCaptureFixture
) -> None:
    """A reply sending an alias stays on the fast path, with the dict path's records and words."""
    body = json.dumps({"code": "200", "msg": "2 records were found", "data": [row, row]}).encode()
    day = dt.datetime(2025, 2, 27), dt.datetime(2025, 2, 27, 23, 59, 59)
    fast_stream, dict_stream = report_stream(stream), report_stream(stream)
    api = fast_stream.report.api
    typed = fast_stream.typed_rows
    assert typed is not None
    fast = interpret(200, body, api, typed=typed)
    assert fast.typed  # decoded into Structs: the fast path
    window = fast_stream.grain.plan(*day).current
    assert window is not None
    extracted = dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc)
    with caplog.at_level(logging.WARNING):
        lines, _ = fast_stream.pipeline.lines(
            fast,
            typed,
            *record_frame(fast_stream.name, None, extracted),
            completion=fast_stream.grain.completion_for(window),
        )
    fast_warnings = [r.getMessage() for r in caplog.records]
    caplog.clear()
    window = dict_stream.grain.plan(*day).current
    assert window is not None
    with caplog.at_level(logging.WARNING):
        records = list(dict_stream.records_of(window, interpret(200, body, api), {}))
    assert [json.loads(line)["record"] for line in b"".join(lines).splitlines()] == records
    assert fast_warnings == [r.getMessage() for r in caplog.records]
