"""The late-row margin summary: what a run keeps in STATE and what the next one learns from it."""

from __future__ import annotations

import datetime as dt

from tap_wolkvox.margin import MarginSummary, MarginTally

UTC = dt.timezone.utc


def at(hhmm: str, second: int = 0) -> dt.datetime:
    hour, minute = map(int, hhmm.split(":"))
    return dt.datetime(2025, 3, 10, hour, minute, second, tzinfo=UTC)


def stamp(hhmm: str, second: int = 0) -> str:
    return at(hhmm, second).isoformat()


def test_the_summary_counts_rows_per_minute_of_the_margin() -> None:
    tally = MarginTally(None, floor=at("16:50"))
    for value in [stamp("16:40"), stamp("16:50", 5), stamp("16:50", 59), stamp("17:04", 30)]:
        tally.count(value)
    summary = tally.summary(at("16:50"), at("17:05"), asked_at=at("17:05", 20))
    assert summary is not None
    assert summary.rows_per_minute == (2, *[0] * 13, 1)
    assert MarginSummary.from_state(summary.to_state()) == summary


def test_an_empty_range_keeps_no_summary() -> None:
    tally = MarginTally(None, floor=at("16:50"))
    assert tally.summary(at("17:05"), at("17:05"), asked_at=at("17:05")) is None


def test_rows_that_appeared_since_the_previous_run_are_late() -> None:
    previous = MarginSummary(at("16:50"), at("17:05"), at("17:05", 10), (1, 0, 0, *[0] * 12))
    tally = MarginTally(previous, floor=at("16:55"))
    for value in [stamp("16:50", 1), stamp("16:50", 2), stamp("17:00", 3), stamp("17:07")]:
        tally.count(value)
    late = tally.late_rows(read_from=at("16:50"), read_until=at("17:10"))
    assert late is not None
    assert late.rows == 2  # one more in 16:50, one in 17:00; 17:07 is simply new
    # the 16:50 row was not there at 17:05:10: at least 14 min 11 s late
    assert late.latest_at_least == dt.timedelta(minutes=14, seconds=11)
    assert late.at_far_edge


def test_minutes_one_run_did_not_read_whole_are_not_compared() -> None:
    previous = MarginSummary(at("16:50"), at("17:05", 30), at("17:05", 30), (0,) * 16)
    tally = MarginTally(previous, floor=at("16:50"))
    tally.count(stamp("17:05", 40))  # after the previous read: new, not late
    tally.count(stamp("16:52"))  # before this run's start: not compared
    late = tally.late_rows(read_from=at("16:53"), read_until=at("17:10"))
    assert late is not None
    assert late.rows == 0
    assert not late.at_far_edge


def test_no_previous_summary_means_nothing_to_compare() -> None:
    tally = MarginTally(None, floor=at("16:50"))
    assert tally.late_rows(read_from=at("16:50"), read_until=at("17:10")) is None


def test_an_unreadable_summary_is_ignored() -> None:
    assert MarginSummary.from_state({"from": "yesterday"}) is None
    assert MarginSummary.from_state(["x"]) is None
