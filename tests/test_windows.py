"""Window arithmetic: contiguous, no gap, no overlap, never longer than 31 days."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from tap_wolkvox.windows import MAX_SPAN_DAYS, Window, WindowTooDenseError, WindowWalk, day_windows

SECOND = dt.timedelta(seconds=1)


def walk_all(walk: WindowWalk, truncated: set[Window] | None = None) -> list[Window]:
    seen = []
    while walk.current is not None:
        seen.append(walk.current)
        walk.advance(truncated=walk.current in (truncated or set()))
    return seen


def assert_tiles(windows: list[Window], start: dt.datetime, stop: dt.datetime) -> None:
    assert windows[0].start == start
    assert windows[-1].end == stop
    for before, after in itertools.pairwise(windows):
        assert after.start == before.end + SECOND  # no gap, no overlap


def test_a_91_day_backfill_takes_three_windows_of_at_most_31_days() -> None:
    start, stop = dt.datetime(2025, 1, 1), dt.datetime(2025, 4, 1, 23, 59, 59)
    windows = walk_all(WindowWalk(start, stop, dt.timedelta(days=31)))
    assert len(windows) == 3
    assert_tiles(windows, start, stop)
    assert all(w.end - w.start < dt.timedelta(days=MAX_SPAN_DAYS) for w in windows)
    assert windows[0] == Window(start, dt.datetime(2025, 1, 31, 23, 59, 59))


def test_a_365_day_backfill_takes_twelve_windows() -> None:
    start = dt.datetime(2024, 1, 1)
    stop = start + dt.timedelta(days=365) - SECOND
    assert len(walk_all(WindowWalk(start, stop, dt.timedelta(days=31)))) == 12


def test_a_five_minute_run_is_one_window() -> None:
    start = dt.datetime(2025, 5, 5, 10, 0, 0)
    windows = walk_all(WindowWalk(start, start + dt.timedelta(minutes=5), dt.timedelta(days=31)))
    assert windows == [Window(start, start + dt.timedelta(minutes=5))]


def test_nothing_to_walk_when_start_is_after_stop() -> None:
    start = dt.datetime(2025, 5, 5)
    assert WindowWalk(start, start - SECOND, dt.timedelta(days=1)).current is None


def test_a_one_second_range_is_one_window() -> None:
    start = dt.datetime(2025, 5, 5)
    assert walk_all(WindowWalk(start, start, dt.timedelta(days=1))) == [Window(start, start)]


@pytest.mark.parametrize("span", [dt.timedelta(0), dt.timedelta(days=32)])
def test_span_outside_api_limits_is_refused(span: dt.timedelta) -> None:
    with pytest.raises(ValueError, match="window span"):
        WindowWalk(dt.datetime(2025, 1, 1), dt.datetime(2025, 2, 1), span)


def test_halves_are_contiguous_and_cover_the_window() -> None:
    window = Window(dt.datetime(2025, 1, 1), dt.datetime(2025, 1, 1, 0, 0, 4))  # 5 seconds
    left, right = window.halves()
    assert (left.seconds, right.seconds) == (2, 3)
    assert left.start == window.start
    assert right.end == window.end
    assert right.start == left.end + SECOND


def test_a_truncated_window_is_replaced_by_its_halves_then_the_walk_goes_on() -> None:
    start, stop = dt.datetime(2025, 1, 1), dt.datetime(2025, 3, 1)
    walk = WindowWalk(start, stop, dt.timedelta(days=31))
    first = walk.current
    assert first is not None
    left, right = first.halves()
    windows = walk_all(walk, truncated={first, left})
    # first (cut), left (cut), left's halves, right, then full windows again
    assert windows[:5] == [first, left, *left.halves(), right]
    assert walk.splits == 2
    kept = [w for w in windows if w not in {first, left}]
    assert_tiles(kept, start, stop)


def test_a_truncated_one_second_window_is_an_error() -> None:
    start = dt.datetime(2025, 1, 1)
    walk = WindowWalk(start, start, dt.timedelta(days=1))
    with pytest.raises(WindowTooDenseError, match="one-second window"):
        walk.advance(truncated=True)


def test_splitting_reaches_one_second_windows() -> None:
    start = dt.datetime(2025, 1, 1)
    walk = WindowWalk(start, start + dt.timedelta(seconds=7), dt.timedelta(days=1))
    sizes = []
    with pytest.raises(WindowTooDenseError):
        while walk.current is not None:
            sizes.append(walk.current.seconds)
            walk.advance(truncated=True)
    assert sizes == [8, 4, 2, 1]


def test_query_parameters_use_the_api_format() -> None:
    window = Window(dt.datetime(2025, 2, 1), dt.datetime(2025, 2, 28, 23, 59, 59))
    assert window.query() == {"date_ini": "20250201000000", "date_end": "20250228235959"}


def test_day_windows_cover_each_local_day() -> None:
    windows = day_windows(dt.date(2025, 2, 27), dt.date(2025, 3, 1))
    assert [str(w) for w in windows] == [
        "2025-02-27 00:00:00..2025-02-27 23:59:59",
        "2025-02-28 00:00:00..2025-02-28 23:59:59",
        "2025-03-01 00:00:00..2025-03-01 23:59:59",
    ]
    assert day_windows(dt.date(2025, 3, 2), dt.date(2025, 3, 1)) == []


def test_reversed_window_is_refused() -> None:
    with pytest.raises(ValueError, match="ends before"):
        Window(dt.datetime(2025, 1, 2), dt.datetime(2025, 1, 1))


def test_the_last_window_is_known_before_advancing() -> None:
    walk = WindowWalk(
        dt.datetime(2025, 1, 1), dt.datetime(2025, 1, 2, 23, 59, 59), dt.timedelta(days=1)
    )
    first = walk.current
    assert first is not None
    assert not walk.is_last(first)
    second = walk.advance(truncated=False)
    assert second is not None
    assert walk.is_last(second)
    left = walk.advance(truncated=True)
    assert left is not None
    assert not walk.is_last(left)  # its right half is still to read
