"""The late-row margin summary: what a run keeps in STATE and what the next one learns from it."""

from __future__ import annotations

import datetime as dt

from tap_wolkvox.settings import MAX_SETTLE_MINUTES
from tap_wolkvox.time.margin import (
    LEARNED_MARGIN_CAP,
    LateRows,
    LearnedMargin,
    MarginSummary,
    MarginTally,
    learn,
)

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


# -- the margin learns: wider after late rows at its far edge, narrower after a quiet week -----


def late(minutes: int, *, far_edge: bool = False) -> LateRows:
    return LateRows(3, dt.timedelta(minutes=minutes), far_edge)


NOW = at("12:00")


def test_late_rows_at_the_far_edge_double_the_margin() -> None:
    assert learn(None, 15, late(14, far_edge=True), NOW) == LearnedMargin(30, NOW)
    learned = LearnedMargin(30, at("09:00"))
    assert learn(learned, 15, late(29, far_edge=True), NOW) == LearnedMargin(60, NOW)
    # the wider of the setting and the learned margin is what doubles
    assert learn(learned, 45, late(44, far_edge=True), NOW) == LearnedMargin(90, NOW)


def test_rows_only_as_late_as_the_margin_before_it_widened_widen_it_no_further() -> None:
    # Just widened to 30: the minutes behind the bookmark are re-read, and rows found late there
    # were late by the old margin, not the new one.
    learned = LearnedMargin(30, at("11:55"))
    assert learn(learned, 15, late(17, far_edge=True), NOW) == LearnedMargin(30, NOW)
    assert learn(None, 15, late(13, far_edge=True), NOW) is None


def test_the_learned_margin_stops_at_its_cap() -> None:
    cap = int(LEARNED_MARGIN_CAP.total_seconds() // 60)
    assert cap <= MAX_SETTLE_MINUTES
    learned = LearnedMargin(cap // 2 + 1, at("09:00"))
    assert learn(learned, 15, late(cap // 2, far_edge=True), NOW) == LearnedMargin(cap, NOW)
    at_cap = LearnedMargin(cap, at("09:00"))
    assert learn(at_cap, 15, late(cap, far_edge=True), NOW) == LearnedMargin(cap, NOW)
    # a setting at or over the cap is never widened
    assert learn(None, cap, late(cap, far_edge=True), NOW) is None
    # no margin at all has no far edge to learn from
    assert learn(None, 0, late(0, far_edge=True), NOW) is None


def test_without_late_rows_at_the_far_edge_nothing_is_learned() -> None:
    assert learn(None, 15, None, NOW) is None
    assert learn(None, 15, late(14), NOW) is None


def test_late_rows_past_half_the_learned_margin_keep_it_from_narrowing() -> None:
    learned = LearnedMargin(60, at("09:00"))
    assert learn(learned, 15, late(29), NOW) == learned
    assert learn(learned, 15, late(30), NOW) == LearnedMargin(60, NOW)


def test_a_quiet_week_halves_the_learned_margin_never_below_the_setting() -> None:
    week = dt.timedelta(days=7)
    learned = LearnedMargin(120, NOW - week)
    assert learn(learned, 15, late(59), NOW) == LearnedMargin(60, NOW)
    assert learn(learned, 15, None, NOW - dt.timedelta(seconds=1)) == learned
    assert learn(LearnedMargin(30, NOW - week), 15, None, NOW) is None
    assert learn(LearnedMargin(40, NOW - week), 25, None, NOW) is None
    # the setting raised to the learned margin or beyond: nothing left to learn
    assert learn(LearnedMargin(30, NOW), 30, None, NOW) is None


def test_the_learned_margin_is_kept_in_state_and_read_back() -> None:
    learned = LearnedMargin(30, at("12:00"))
    assert learned.to_state() == {"minutes": 30, "quiet_since": "2025-03-10T12:00:00+00:00"}
    assert LearnedMargin.from_state(learned.to_state()) == learned
    for unreadable in [None, {"minutes": "x"}, {"minutes": 30}, {"minutes": -5, "quiet_since": ""}]:
        assert LearnedMargin.from_state(unreadable) is None
