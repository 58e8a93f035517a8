"""Window arithmetic: contiguous, no gap, no overlap, never longer than 31 days."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random

import pytest

from tap_wolkvox.time.windows import (
    MAX_SPAN_DAYS,
    Window,
    WindowTooDenseError,
    WindowWalk,
    day_windows,
    next_seconds,
)

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


# -- windows sized from the density seen -------------------------------------------------------

BASE = dt.datetime(2025, 1, 1)
DAY = 86_400


class FakeServer:
    """Answers windows from a sorted list of row times (seconds after BASE), cut at ``cap``."""

    def __init__(self, stamps: list[int], cap: int) -> None:
        self.stamps = sorted(stamps)
        self.cap = cap
        self.asked: list[Window] = []

    def held(self, window: Window) -> int:
        first = int((window.start - BASE).total_seconds())
        last = int((window.end - BASE).total_seconds())
        return bisect.bisect_right(self.stamps, last) - bisect.bisect_left(self.stamps, first)

    def reply(self, window: Window) -> tuple[bool, int]:
        """(cut, rows in the reply) for one call."""
        self.asked.append(window)
        held = self.held(window)
        return held >= self.cap, min(held, self.cap)


def walk_sized(
    server: FakeServer, start: dt.datetime, stop: dt.datetime, span: dt.timedelta
) -> list[Window]:
    """Walk as the paginator does, passing each reply's row count; return the windows read whole."""
    walk = WindowWalk(start, stop, span, row_cap=server.cap)
    whole = []
    while walk.current is not None:
        window = walk.current
        assert window.seconds <= span.total_seconds()
        assert start <= window.start <= window.end <= stop
        assert walk.is_last(window) == (window.end == stop)
        cut, rows = server.reply(window)
        if not cut:
            whole.append(window)
        walk.advance(truncated=cut, rows=rows)
    assert walk.splits == len(server.asked) - len(whole)
    return whole


def at(seconds: int) -> dt.datetime:
    return BASE + dt.timedelta(seconds=seconds)


def random_stamps(rng: random.Random, length: int, cap: int) -> list[int]:
    """Row times over ``length`` seconds: quiet stretches, steady ones, bursts and gaps.

    No second holds ``cap`` rows (a one-second window at the cap is an error of its own), and
    there are at most 300 caps' worth of rows in all, to keep the walk short.
    """
    stamps: list[int] = []
    at_second: dict[int, int] = {}
    position = 0
    while position < length:
        stretch = min(length - position, rng.randint(1, max(1, length // rng.choice([1, 3, 10]))))
        rows = int(stretch * rng.choice([0, 0.001, 0.05, 1, 10, 200]) * rng.random())
        rows = min(rows, cap * 50, 300 * cap - len(stamps), 20_000)
        for _ in range(rows):
            second = position + rng.randrange(stretch)
            if at_second.get(second, 0) < cap - 1:
                at_second[second] = at_second.get(second, 0) + 1
                stamps.append(second)
        position += stretch
    return stamps


@pytest.mark.parametrize("seed", range(300))
def test_sized_windows_tile_the_range_and_read_every_row_under_the_cap(seed: int) -> None:
    rng = random.Random(seed)
    length = rng.choice([1, 2, 7, 3_600, DAY, 40 * DAY, 100 * DAY])
    cap = rng.choice([2, 3, 10, 100, 1_000, 6_000])
    span = dt.timedelta(seconds=rng.choice([1, 60, DAY, 7 * DAY, 31 * DAY]))
    stamps = random_stamps(rng, length, cap)
    first, last = sorted(rng.randrange(length) for _ in range(2))
    # (no more than 500 spans: a one-second span over 100 days is 8.6 million calls)
    start, stop = at(first), at(min(last, first + 500 * int(span.total_seconds())))
    server = FakeServer(stamps, cap)
    whole = walk_sized(server, start, stop, span)
    assert_tiles(whole, start, stop)
    assert all(server.held(window) < cap for window in whole)  # every reply read was complete
    assert sum(server.held(window) for window in whole) == server.held(Window(start, stop))


@pytest.mark.parametrize("seed", range(100))
def test_sized_windows_stay_contiguous_when_row_counts_come_only_sometimes(seed: int) -> None:
    # A caller that passes counts for some replies only (mixing both ways of walking).
    rng = random.Random(seed)
    cap = rng.choice([2, 10, 100])
    stamps = random_stamps(rng, 10 * DAY, cap)
    server = FakeServer(stamps, cap)
    start, stop = at(0), at(10 * DAY - 1)
    walk = WindowWalk(start, stop, dt.timedelta(days=rng.choice([1, 31])), row_cap=cap)
    whole = []
    while walk.current is not None:
        window = walk.current
        cut, rows = server.reply(window)
        whole += [] if cut else [window]
        walk.advance(truncated=cut, rows=rows if rng.random() < 0.5 else None)
    assert_tiles(whole, start, stop)
    assert sum(server.held(window) for window in whole) == len(stamps)


def test_a_one_second_window_at_the_cap_is_still_an_error_when_sizing() -> None:
    server = FakeServer([5] * 3 + list(range(100)), cap=3)
    with pytest.raises(WindowTooDenseError, match="one-second window 2025-01-01 00:00:05"):
        walk_sized(server, at(0), at(DAY - 1), dt.timedelta(days=1))


def test_the_issue_backfill_costs_at_most_one_and_a_half_times_the_ideal() -> None:
    # 90 days of 4,000 rows a day, cap 6,000: halving alone spends 189 calls, 93 of them cut.
    rng = random.Random(5)
    stamps = [rng.randrange(90 * DAY) for _ in range(90 * 4_000)]
    server = FakeServer(stamps, cap=6_000)
    walk_sized(server, at(0), at(90 * DAY - 1), dt.timedelta(days=31))
    ideal = math.ceil(len(stamps) / 6_000)
    assert len(server.asked) <= 1.5 * ideal
    assert len(server.asked) - ideal <= 0.5 * ideal


@pytest.mark.parametrize(("per_day", "cap"), [(4_000, 6_000), (20_000, 60_000), (300, 60_000)])
def test_steady_density_costs_little_more_than_full_windows(per_day: int, cap: int) -> None:
    rng = random.Random(per_day)
    stamps = [rng.randrange(90 * DAY) for _ in range(90 * per_day)]
    server = FakeServer(stamps, cap)
    walk_sized(server, at(0), at(90 * DAY - 1), dt.timedelta(days=31))
    ideal = math.ceil(len(stamps) / cap)
    halving = FakeServer(stamps, cap)
    plain = WindowWalk(at(0), at(90 * DAY - 1), dt.timedelta(days=31))
    while plain.current is not None:
        plain.advance(truncated=halving.reply(plain.current)[0])
    assert len(server.asked) <= max(1.5 * ideal, ideal + 2)
    assert len(server.asked) <= len(halving.asked)


def test_without_row_counts_the_walk_halves_as_before() -> None:
    # The same cut windows, with or without a row cap, when no row count is passed.
    start, stop = dt.datetime(2025, 1, 1), dt.datetime(2025, 3, 1)
    first = Window(start, dt.datetime(2025, 1, 31, 23, 59, 59))
    left = first.halves()[0]
    plain = walk_all(WindowWalk(start, stop, dt.timedelta(days=31)), {first, left})
    capped = walk_all(WindowWalk(start, stop, dt.timedelta(days=31), row_cap=10), {first, left})
    assert capped == plain


def test_a_dense_window_shortens_the_next_and_a_sparse_one_doubles_it() -> None:
    start = dt.datetime(2025, 1, 1)
    walk = WindowWalk(start, start + dt.timedelta(days=31), dt.timedelta(days=31), row_cap=1_000)
    walk.current = Window(start, start + dt.timedelta(seconds=999))  # 1,000 seconds
    dense = walk.advance(truncated=False, rows=900)  # 0.9 rows a second: 800 rows in ~889 s
    assert dense is not None
    assert dense.seconds == 888  # int(800 / 0.9)
    sparse = walk.advance(truncated=False, rows=1)
    assert sparse is not None
    assert sparse.seconds == 2 * 888  # at most twice the last window
    empty = walk.advance(truncated=False, rows=0)
    assert empty is not None
    assert empty.seconds == 4 * 888


def test_sized_windows_never_pass_the_span_or_the_stop() -> None:
    start = dt.datetime(2025, 1, 1)
    stop = start + dt.timedelta(days=3) - SECOND
    walk = WindowWalk(start, stop, dt.timedelta(days=1), row_cap=1_000)
    windows = []
    while walk.current is not None:
        windows.append(walk.current)
        walk.advance(truncated=False, rows=0)
    assert windows == day_windows(dt.date(2025, 1, 1), dt.date(2025, 1, 3))


def test_after_a_cut_the_rest_of_the_window_is_sized_from_the_rows_it_must_hold() -> None:
    # 100 s cut at a cap of 10; its first 50 s held nothing, so its last 50 s hold 10 or more:
    # 0.2 rows a second or more, so the next window is 8 rows' worth (40 s), not 100 s.
    start = dt.datetime(2025, 1, 1)
    walk = WindowWalk(start, start + dt.timedelta(days=1), dt.timedelta(days=31), row_cap=10)
    walk.current = Window(start, start + dt.timedelta(seconds=99))
    left = walk.advance(truncated=True, rows=10)
    assert left == Window(start, start + dt.timedelta(seconds=49))
    after = walk.advance(truncated=False, rows=0)
    assert after == Window(start + dt.timedelta(seconds=50), start + dt.timedelta(seconds=89))
    assert walk.splits == 1


@pytest.mark.parametrize(
    ("last_seconds", "density", "expected"),
    [
        (100, 0.0, 200),  # nothing seen: twice as long
        (100, 0.1, 200),  # target / density = 8,000 s, but growth stops at twice
        (100, 1.0, 80),  # 80 rows at a row a second
        (100, 1_000.0, 1),  # never under one second
    ],
)
def test_next_seconds(last_seconds: int, density: float, expected: int) -> None:
    assert next_seconds(last_seconds, density, target=80) == expected
