"""Wall-clock strings in, canonical UTC instants out; settings read in the operation's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tap_wolkvox.time.timestamps import (
    UTC,
    InvalidTimezoneError,
    OperationClock,
    format_instant,
    load_timezone,
    parse_day,
    parse_wall_clock,
)

BOGOTA = OperationClock(load_timezone("America/Bogota"))
NEW_YORK = OperationClock(load_timezone("America/New_York"))


def test_bogota_wall_clock_is_utc_minus_five() -> None:
    assert BOGOTA.to_utc_string("2025-04-03 12:28:00") == "2025-04-03T17:28:00+00:00"
    assert BOGOTA.to_utc_string("2025-12-31 21:00:00") == "2026-01-01T02:00:00+00:00"


def test_the_evidence_in_the_shared_readme_matches() -> None:
    # agent_15 sample: id epoch 1782402643 -> 2026-06-25 15:50:43 UTC, date string 10:50:54
    converted = BOGOTA.to_utc_string("2026-06-25 10:50:54")
    assert converted is not None
    epoch = dt.datetime.fromisoformat(converted).timestamp()
    assert abs(epoch - 1782402643) < 60


@pytest.mark.parametrize(
    "value",
    [
        "",
        "-",
        "2025-04-03",
        "03/04/2025 12:28",
        "2025-13-01 00:00:00",
        "2025-04-03 25:00:00",
        "garbage string here!",
    ],
)
def test_unreadable_timestamps_give_none(value: str) -> None:
    assert BOGOTA.to_utc_string(value) is None
    assert parse_wall_clock(value) is None


def test_iso_t_separator_is_accepted() -> None:
    assert BOGOTA.to_utc_string("2025-04-03T12:28:00") == "2025-04-03T17:28:00+00:00"


def test_daylight_saving_ambiguous_time_takes_the_earliest_instant() -> None:
    # 2025-11-02 01:30 happens twice in New York (EDT, then EST): take the first (EDT).
    assert NEW_YORK.to_utc_string("2025-11-02 01:30:00") == "2025-11-02T05:30:00+00:00"
    assert NEW_YORK.to_utc_string("2025-11-02 02:30:00") == "2025-11-02T07:30:00+00:00"


def test_daylight_saving_skipped_time_takes_the_earliest_instant() -> None:
    # 2025-03-09 02:30 does not exist in New York; the earliest candidate is 06:30 UTC.
    assert NEW_YORK.to_utc_string("2025-03-09 02:30:00") == "2025-03-09T06:30:00+00:00"
    assert NEW_YORK.instant(dt.datetime(2025, 3, 9, 2, 30)) == dt.datetime(
        2025, 3, 9, 6, 30, tzinfo=UTC
    )


def test_instant_and_wall_clock_round_trip() -> None:
    wall = dt.datetime(2025, 7, 1, 8, 0, 0)
    assert NEW_YORK.wall_clock(NEW_YORK.instant(wall)) == wall


def test_canonical_instant_form_is_utc_with_offset() -> None:
    instant = dt.datetime(2025, 1, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert format_instant(instant) == "2025-01-01T05:00:00+00:00"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("2025-01-01", "2025-01-01T05:00:00+00:00"),
        ("2025-01-01T08:00:00", "2025-01-01T13:00:00+00:00"),
        ("2025-01-01 08:00:00", "2025-01-01T13:00:00+00:00"),
        ("2025-01-01T08:00:00Z", "2025-01-01T08:00:00+00:00"),
        ("2025-01-01T08:00:00+02:00", "2025-01-01T06:00:00+00:00"),
    ],
)
def test_settings_without_offset_are_read_in_the_operation_zone(
    setting: str, expected: str
) -> None:
    assert format_instant(BOGOTA.parse_setting(setting)) == expected


@pytest.mark.parametrize("setting", ["yesterday", "2025-02-30", "01/02/2025"])
def test_unparseable_settings_are_refused(setting: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        BOGOTA.parse_setting(setting)


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(InvalidTimezoneError, match="Mars/Olympus"):
        load_timezone("Mars/Olympus")


def test_day_strings() -> None:
    assert parse_day("2025-02-03") == dt.date(2025, 2, 3)
    assert parse_day("20250203") == dt.date(2025, 2, 3)
    assert parse_day("2025-02-30") is None
    assert parse_day("nope") is None


@pytest.mark.parametrize(
    ("zone", "instant", "resume"),
    [
        # New York falls back at 06:00 UTC: 01:00-01:59 happens twice.
        ("America/New_York", "2025-11-02T05:40:00+00:00", "2025-11-02 01:00:00"),
        ("America/New_York", "2025-11-02T06:10:00+00:00", "2025-11-02 01:10:00"),
        ("America/New_York", "2025-11-02T04:59:00+00:00", "2025-11-02 00:59:00"),
        ("America/New_York", "2025-11-02T07:00:00+00:00", "2025-11-02 02:00:00"),
        # Santiago falls back at midnight: 23:00-23:59 of the 5th happens twice.
        ("America/Santiago", "2025-04-06T02:40:00+00:00", "2025-04-05 23:00:00"),
        ("America/Santiago", "2025-04-06T03:10:00+00:00", "2025-04-05 23:10:00"),
        # Springing forward skips an hour: nothing to repeat.
        ("America/New_York", "2025-03-09T07:10:00+00:00", "2025-03-09 03:10:00"),
        ("America/Bogota", "2025-03-09T07:10:00+00:00", "2025-03-09 02:10:00"),
    ],
)
def test_a_walk_resumes_at_the_start_of_a_repeated_hour(
    zone: str, instant: str, resume: str
) -> None:
    clock = OperationClock(ZoneInfo(zone))
    assert clock.resume_wall_clock(dt.datetime.fromisoformat(instant)) == dt.datetime.fromisoformat(
        resume
    )
