"""The clocks' witnesses: voice IDs for the operation's zone, the Date header for the host's."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
import typing as t
from zoneinfo import ZoneInfo

import pytest
import requests
from typing_extensions import override

from tap_wolkvox import streams as streams_module
from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.sandbox.generated import STAMP
from tap_wolkvox.sandbox.operation import voice_id
from tap_wolkvox.sandbox.server import WolkvoxSimulator
from tap_wolkvox.time.clocks import (
    SAMPLE_ROWS,
    ZoneMismatch,
    clock_correction,
    duration_text,
    server_date,
    utc_offset_text,
    voice_id_epoch,
    zone_mismatch,
)
from tap_wolkvox.time.timestamps import UTC, OperationClock, load_timezone
from tests.helpers import TOKEN, Clock, TapRun, base_config, keys, run_in_process, spread

#: The official samples of shared/wolkvox-api/README.md §6: (id, wall-clock date, epoch).
SAMPLES = [
    ("6736.4628.1040.1768782812.1814", "2026-01-18 19:34:31", 1768782812),
    ("3848.4628.2289.1768922880.25794", "2026-01-20 10:28:18", 1768922880),
    ("12462.0277.1782402643.44005", "2026-06-25 10:50:54", 1782402643),
    ("12775.0412.1782140526.30205", "2026-06-22 10:02:09", 1782140526),
]


def pairs(rows: t.Iterable[dict[str, t.Any]]) -> t.Iterator[tuple[object, object]]:
    """Each row's voice ID and timestamp, as the row pipeline reads them."""
    return ((row.get("conn_id"), row.get("date")) for row in rows)


def clock(zone: str) -> OperationClock:
    return OperationClock(load_timezone(zone))


@pytest.mark.parametrize(("value", "_date", "epoch"), SAMPLES)
def test_the_documented_voice_ids_give_their_epoch(value: str, _date: str, epoch: int) -> None:
    assert voice_id_epoch(value) == epoch
    assert voice_id_epoch(f" {value} ") == epoch


@pytest.mark.parametrize(
    "value",
    [
        None,
        1768782812,
        17.5,
        "",
        " ",
        "c1",
        "EM000001",
        "cdr_1-250310-0001",
        "conversations-voice-61083",
        "1768782812",  # the epoch alone
        "4628.1768782812.1814",  # three parts: not the documented shape
        "6736.4628.1040.1768782812",  # the epoch last
        "6736.4628.1040.176878281.1814",  # nine digits
        "6736.4628.1040.17687828120.1814",  # eleven digits
        "6736-4628-1040-1768782812-1814",
        "6736.4628.1040.1768782812.1814x",
        "6736.4628..1768782812.1814",
        "6736.4628.1040.1768782812.",
        "٦٧٣٦.٤٦٢٨.١٠٤٠.١٧٦٨٧٨٢٨١٢.١٨١٤",  # Arabic-Indic digits
        "6736.4628.1040.0999999999.1814",  # before 2001-09-09
        "6736.4628.1040.4102444801.1814",  # after 2100-01-01
        "6736.4628.1040.9999999999.1814",
    ],
)
def test_what_is_not_a_voice_id_is_ignored(value: object) -> None:
    assert voice_id_epoch(value) is None


def test_the_epoch_range_is_inclusive() -> None:
    assert voice_id_epoch("1.2.1000000000.3") == 1_000_000_000
    assert voice_id_epoch("1.2.4102444800.3") == 4_102_444_800


def rows(samples: t.Sequence[tuple[str, str, int]]) -> list[dict[str, t.Any]]:
    return [{"conn_id": value, "date": date} for value, date, _ in samples]


@pytest.mark.parametrize("zone", ["America/Bogota", "America/Lima", "America/Panama"])
def test_the_documented_samples_agree_with_a_utc_minus_five_zone(zone: str) -> None:
    assert zone_mismatch(pairs(rows(SAMPLES)), clock(zone)) is None


def test_the_samples_read_in_mexico_city_show_the_mismatch() -> None:
    mismatch = zone_mismatch(pairs(rows(SAMPLES)), clock("America/Mexico_City"))
    assert mismatch is not None
    assert mismatch.observed == dt.timedelta(hours=-5)
    assert mismatch.configured == dt.timedelta(hours=-6)
    assert mismatch.zones() == ["America/Bogota", "America/Lima", "America/Panama"]


def call(wall: str, offset_hours: float, *, lag: int = 30) -> dict[str, str]:
    """A row whose voice ID was taken ``lag`` seconds before ``wall`` at that UTC offset."""
    local = dt.datetime.fromisoformat(wall)
    instant = local - dt.timedelta(hours=offset_hours) - dt.timedelta(seconds=lag)
    epoch = int(instant.replace(tzinfo=UTC).timestamp())
    return {"conn_id": f"6736.4628.1040.{epoch}.1814", "date": wall}


def test_the_median_row_decides_and_odd_ids_are_outvoted() -> None:
    mexico = [call(f"2026-01-18 10:0{i}:00", -6) for i in range(5)]
    odd = [call("2026-01-18 10:00:00", 3), call("2026-01-18 10:00:00", -11)]
    mismatch = zone_mismatch(pairs(mexico + odd), clock("America/Bogota"))
    assert mismatch == ZoneMismatch(
        dt.timedelta(hours=-6),
        dt.timedelta(hours=-5),
        dt.datetime(2026, 1, 18, 16, 1, 30, tzinfo=UTC),
    )
    assert mismatch.zones() == ["America/Mexico_City", "America/Guatemala", "America/Costa_Rica"]
    assert zone_mismatch(pairs(mexico[:2] + odd * 2), clock("America/Bogota"))


@pytest.mark.parametrize(
    ("offset_hours", "lag", "mismatch"),
    [
        (-5, 0, False),
        (-5, 59, False),
        (-5, -59, False),
        (-5.25, 0, False),  # a quarter hour off: within rounding
        (-5.5, 0, True),  # half an hour: a zone such as America/St_Johns's winter -03:30
        (-4, 0, True),
        (0, 0, True),
    ],
)
def test_only_thirty_minutes_or_more_count(offset_hours: float, lag: int, mismatch: bool) -> None:
    row = call("2026-01-18 10:00:00", offset_hours, lag=lag)
    found = zone_mismatch(pairs([row]), clock("America/Bogota"))
    assert (found is not None) is mismatch


def test_rows_without_a_readable_id_or_timestamp_are_passed_over() -> None:
    unreadable: list[dict[str, t.Any]] = [
        {"conn_id": "EM1", "date": "2026-01-18 10:00:00"},
        {"conn_id": call("2026-01-18 10:00:00", -6)["conn_id"], "date": ""},
        {"conn_id": call("2026-01-18 10:00:00", -6)["conn_id"], "date": None},
        {"conn_id": None, "date": "2026-01-18 10:00:00"},
        {"date": "2026-01-18 10:00:00"},
    ]
    assert zone_mismatch(pairs(unreadable), clock("America/Bogota")) is None
    found = zone_mismatch(
        pairs([*unreadable, call("2026-01-18 10:00:00", -6)]), clock("America/Bogota")
    )
    assert found is not None


def test_a_sample_of_rows_is_read_not_every_row() -> None:
    def endless() -> t.Iterator[dict[str, str]]:
        while True:
            yield call("2026-01-18 10:00:00", -6)

    assert zone_mismatch(pairs(endless()), clock("America/Bogota")) is not None
    agreeing = [call("2026-01-18 10:00:00", -5)] * SAMPLE_ROWS
    assert (
        zone_mismatch(
            pairs([*agreeing, *[call("2026-01-18 10:00:00", -6)] * 10]),
            clock("America/Bogota"),
        )
        is None
    )


def test_the_configured_offset_is_the_zones_at_the_calls_instant() -> None:
    # New York is UTC-4 in June: rows at UTC-4 agree, rows at UTC-5 do not.
    new_york = clock("America/New_York")
    assert zone_mismatch(pairs([call("2026-06-22 10:00:00", -4)]), new_york) is None
    found = zone_mismatch(pairs([call("2026-06-22 10:00:00", -5)]), new_york)
    assert found is not None
    assert found.configured == dt.timedelta(hours=-4)
    assert found.zones()[:2] == ["America/Bogota", "America/Lima"]


def test_an_offset_no_well_known_zone_has_is_named_by_its_etc_zone() -> None:
    at = dt.datetime(2026, 1, 18, 12, tzinfo=UTC)
    assert ZoneMismatch(dt.timedelta(hours=-11), dt.timedelta(hours=-5), at).zones() == [
        "Etc/GMT+11"
    ]
    assert ZoneMismatch(dt.timedelta(hours=-9, minutes=-30), dt.timedelta(0), at).zones() == []


@pytest.mark.parametrize(
    ("offset", "text"),
    [
        (dt.timedelta(hours=-6), "UTC-06:00"),
        (dt.timedelta(hours=5, minutes=45), "UTC+05:45"),
        (dt.timedelta(hours=-3, minutes=-30), "UTC-03:30"),
        (dt.timedelta(0), "UTC+00:00"),
    ],
)
def test_offsets_are_written_as_utc_plus_or_minus(offset: dt.timedelta, text: str) -> None:
    assert utc_offset_text(offset) == text


# -- the host's clock against the server's Date header ----------------------------------------


@pytest.mark.parametrize(
    ("header", "instant"),
    [
        ("Tue, 10 Mar 2025 17:05:00 GMT", dt.datetime(2025, 3, 10, 17, 5, tzinfo=UTC)),
        ("Tue, 10 Mar 2025 12:05:00 -0500", dt.datetime(2025, 3, 10, 17, 5, tzinfo=UTC)),
        (None, None),
        ("", None),
        ("yesterday", None),
        ("Tue, 99 Mar 2025 17:05:00 GMT", None),
    ],
)
def test_the_date_header_is_read_as_an_instant(
    header: str | None, instant: dt.datetime | None
) -> None:
    assert server_date(header) == instant


def test_a_host_within_a_minute_is_left_alone() -> None:
    server = dt.datetime(2025, 3, 10, 17, 5, tzinfo=UTC)
    for seconds in (0, 1, -1, 59, -60, 60):
        assert clock_correction(server, server + dt.timedelta(seconds=seconds)) == dt.timedelta(0)
    assert clock_correction(server, server + dt.timedelta(seconds=61)) == dt.timedelta(seconds=-61)
    assert clock_correction(server, server - dt.timedelta(hours=1)) == dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (dt.timedelta(hours=1), "1 h"),
        (dt.timedelta(hours=-1, minutes=-2, seconds=-3), "1 h 2 min"),
        (dt.timedelta(minutes=3, seconds=5), "3 min 5 s"),
        (dt.timedelta(days=271, hours=4, minutes=3), "271 days 4 h"),
        (dt.timedelta(days=1, minutes=3), "1 day"),
        (dt.timedelta(seconds=61), "1 min 1 s"),
        (dt.timedelta(0), "0 s"),
    ],
)
def test_durations_are_said_in_their_two_largest_units(span: dt.timedelta, text: str) -> None:
    assert duration_text(span) == text


def test_every_declared_voice_id_pairs_two_declared_fields() -> None:
    declared = {report.api: report for report in REPORTS if report.voice_ids is not None}
    assert sorted(declared) == ["agent_15", "cdr_1", "diagram_15"]
    for report in declared.values():
        assert report.voice_ids is not None
        names = {f.name for f in report.fields}
        assert report.voice_ids.id_field in names
        assert report.voice_ids.timestamp == report.timestamp


# -- end to end: an operation on UTC-6 read by a tap left at America/Bogota -------------------

MEXICO = "America/Mexico_City"


def calls_of_a_morning(count: int = 200) -> list[dict[str, str]]:
    """cdr_1 rows of a morning in Mexico City, their voice IDs taken as the operation's are."""
    rng = random.Random(21)
    zone = ZoneInfo(MEXICO)
    start = dt.datetime(2025, 3, 10, 8)
    rows = []
    for _ in range(count):
        wall = start + dt.timedelta(seconds=rng.randint(0, 4 * 3600 - 1))
        rows.append(
            {"conn_id": voice_id(wall, zone, rng), "date": wall.strftime(STAMP), "agent_id": "1201"}
        )
    return rows


def poll_the_morning(timezone: str) -> tuple[list[TapRun], list[dict[str, str]]]:
    """Poll call_detail_records every 5 minutes from 08:00 to 12:30 (Mexico City)."""
    clock = Clock("2025-03-10 08:00:00", MEXICO)
    rows = calls_of_a_morning()
    runs: list[TapRun] = []
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now, timezone=MEXICO) as sim:
        sim.set_rows("cdr_1", rows)
        config = base_config(sim, start_date="2025-03-10T08:00:00", timezone=timezone)
        del config["end_date"]
        state: dict[str, t.Any] | None = None
        while clock.wall < dt.datetime(2025, 3, 10, 12, 30):
            clock.advance(minutes=5)
            run = run_in_process(config, state, clock=clock, streams=["call_detail_records"])
            runs.append(run)
            if run.returncode:
                break
            state = run.final_state
    return runs, rows


@pytest.mark.e2e  # hours of polls in this process: 4-8 s
def test_the_operations_own_zone_reads_every_call() -> None:
    runs, rows = poll_the_morning(MEXICO)
    assert all(run.returncode == 0 for run in runs)
    assert {r["conn_id"] for run in runs for r in run.records()} == {r["conn_id"] for r in rows}


@pytest.mark.e2e  # hours of polls in this process: 4-8 s
def test_without_the_voice_id_check_a_wrong_zone_loses_nearly_every_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unchecked = tuple(dataclasses.replace(r, voice_ids=None) for r in REPORTS)
    monkeypatch.setattr(streams_module, "REPORTS", unchecked)
    runs, rows = poll_the_morning("America/Bogota")
    assert all(run.returncode == 0 for run in runs)
    read = {r["conn_id"] for run in runs for r in run.records()}
    lost = {r["conn_id"] for r in rows} - read
    # As the issue saw: the bookmark runs an hour ahead of the operation's clock.
    assert len(lost) >= 190
    assert not any("WARNING" in line for run in runs for line in run.stderr.splitlines())


def test_with_it_the_first_reply_stops_the_run_naming_the_offsets_and_zones() -> None:
    runs, _ = poll_the_morning("America/Bogota")
    [run] = runs
    error = run.the_error()
    assert (
        "Report cdr_1 (call_detail_records): its voice IDs (conn_id, each holding the call's "
        "Unix time) show the operation's clock at UTC-06:00 on 2025-03-10, but the timezone "
        "setting America/Bogota is UTC-05:00 then, so every timestamp would be read 1 h off and "
        "rows would be skipped for good; set timezone to a zone at UTC-06:00, such as "
        "America/Mexico_City, America/Guatemala or America/Costa_Rica (the run stopped before "
        "this reply's rows or its bookmark went out)." in error
    )
    assert run.records() == []
    assert not any(
        "replication_key_value" in state["bookmarks"].get("call_detail_records", {})
        for state in run.states()
    )


# -- end to end: the host's clock against the server's -----------------------------------------


class HostClock(Clock):
    """The tap's clock: the server's (``server``) off by ``skew``."""

    def __init__(self, server: Clock, skew: dt.timedelta) -> None:
        super().__init__("2000-01-01 00:00:00", "UTC")
        self.server = server
        self.skew = skew

    @override
    def utc_now(self) -> dt.datetime:
        return self.server.utc + self.skew


def test_the_sandbox_sends_its_own_clock_in_the_date_header() -> None:
    clock = Clock("2025-03-10 12:00:00")
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now) as sim:
        reply = requests.get(sim.url + "/api/v2/reports_manager.php", timeout=5)
    assert server_date(reply.headers["Date"]) == dt.datetime(2025, 3, 10, 17, tzinfo=UTC)


def test_the_sandbox_date_runs_on_through_an_hour_that_happens_twice() -> None:
    # New York falls back at 06:00 UTC: 01:30 happens at 05:30 and at 06:30 UTC.
    clock = Clock("2025-11-02 01:30:00", "America/New_York")
    dates = []
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now, timezone="America/New_York") as sim:
        for _ in range(3):
            reply = requests.get(sim.url + "/api/v2/reports_manager.php", timeout=5)
            dates.append(server_date(reply.headers["Date"]))
            clock.advance(minutes=30)
    assert [d.strftime("%H:%M") for d in dates if d] == ["05:30", "06:00", "06:30"]


def poll_with_skew(
    skew: dt.timedelta,
    rows: list[dict[str, str]],
    *,
    polls: int = 24,
    server_start: dt.datetime = dt.datetime(2025, 3, 10, 8),
) -> tuple[list[TapRun], list[dt.datetime]]:
    """Poll interaction_transfers every 5 minutes, the server's clock (Bogotá) starting at
    ``server_start``, the tap's host clock ``skew`` off it; each run with the server's time."""
    server = Clock(server_start.isoformat())
    host = HostClock(server, skew)
    runs: list[TapRun] = []
    times: list[dt.datetime] = []
    with WolkvoxSimulator(token=TOKEN, now=server.sandbox_now) as sim:
        sim.set_rows("chat_9", rows)
        config = base_config(sim, start_date="2025-03-10T07:00:00")
        del config["end_date"]
        state: dict[str, t.Any] | None = None
        for _ in range(polls):
            server.advance(minutes=5)
            run = run_in_process(config, state, clock=host)
            assert run.returncode == 0, run.stderr
            runs.append(run)
            times.append(server.utc)
            state = run.final_state
    return runs, times


KEY_VALUE = "replication_key_value"
SETTLE = dt.timedelta(minutes=15)


def bookmarks_of(run: TapRun) -> list[dt.datetime]:
    return [
        dt.datetime.fromisoformat(state["bookmarks"]["interaction_transfers"][KEY_VALUE])
        for state in run.states()
        if KEY_VALUE in state["bookmarks"].get("interaction_transfers", {})
    ]


def clock_lines(run: TapRun) -> list[str]:
    return [line for line in run.stderr.splitlines() if "The host's clock is" in line]


def morning_rows() -> list[dict[str, str]]:
    return spread(300, dt.datetime(2025, 3, 10, 7), dt.datetime(2025, 3, 10, 9, 59, 59), seed=3)


@pytest.mark.e2e  # hours of polls in this process: 4-8 s
def test_a_host_an_hour_ahead_follows_the_servers_time_and_loses_no_row() -> None:
    rows = morning_rows()
    runs, times = poll_with_skew(dt.timedelta(hours=1), rows)
    for run, server_time in zip(runs, times, strict=True):
        # Never past the server's time minus the margin, the first window of a run included.
        assert bookmarks_of(run)
        assert all(mark <= server_time - SETTLE for mark in bookmarks_of(run))
        [line] = clock_lines(run)
        assert line.startswith(
            "WARNING | The host's clock is 1 h ahead of the Wolkvox server's (its Date header "
            "said 2025-03-10T"
        )
    assert keys([r for run in runs for r in run.records()]) == keys(rows)


@pytest.mark.e2e  # hours of polls in this process: 4-8 s
def test_a_host_an_hour_behind_reads_up_to_its_own_time_and_moves_no_bookmark_ahead() -> None:
    rows = morning_rows()
    runs, times = poll_with_skew(-dt.timedelta(hours=1), rows)
    for run, server_time in zip(runs, times, strict=True):
        assert all(mark <= server_time - SETTLE for mark in bookmarks_of(run))
        [line] = clock_lines(run)
        assert "The host's clock is 1 h behind the Wolkvox server's" in line
    # The run's one window ends at the host's time: rows of the last hour wait for later runs.
    read = keys([r for run in runs for r in run.records()])
    assert keys([r for r in rows if r["date"] <= "2025-03-10 08:59:59"]) <= read


@pytest.mark.parametrize("seconds", [59, -59])
def test_a_host_within_a_minute_changes_nothing(seconds: int) -> None:
    # Rows all in the past and one host clock: only the server's clock differs between the two.
    rows = spread(200, dt.datetime(2025, 3, 10, 7), dt.datetime(2025, 3, 10, 7, 59, 59), seed=5)
    host_start = dt.datetime(2025, 3, 10, 8)
    skew = dt.timedelta(seconds=seconds)
    exact, _ = poll_with_skew(dt.timedelta(0), rows, polls=4, server_start=host_start)
    off, _ = poll_with_skew(skew, rows, polls=4, server_start=host_start - skew)
    assert not any(clock_lines(run) for run in exact + off)
    assert [without_signposts(run.stdout) for run in off] == [
        without_signposts(run.stdout) for run in exact
    ]
    assert len(exact[0].records()) == 200


def without_signposts(stdout: str) -> str:
    """The output less the SDK's signposts, which it takes from the wall clock."""
    return re.sub(r'"replication_key_signpost":"[^"]*",', "", stdout)
