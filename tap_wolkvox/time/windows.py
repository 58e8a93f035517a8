"""The time-window walk: which ``date_ini``/``date_end`` pairs a sync asks for, in which order.

Windows are in the operation's wall clock (the API filters on wall-clock strings), inclusive at
both ends, one second apart: contiguous, with no gap and no overlap. The API has no pagination
and silently cuts a response at its per-request row cap, so a window that comes back full is
not trusted: it is split in halves, down to one second. A cut reply is a call spent for nothing,
so the walk sizes each window from the row density of the last one read: long where rows are
sparse, short where they are dense, aiming at :data:`TARGET_FILL` of the cap.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from tap_wolkvox.time.timestamps import ONE_SECOND, format_query_stamp

#: The API refuses date spans longer than this.
MAX_SPAN_DAYS = 31
#: Share of the row cap a window is sized to hold. Density drifts from one window to the
#: next (hours of the day, weekdays, plain chance): 20% headroom absorbs a window 25% denser
#: than the last without a cut reply, while windows stay full enough that a steady backfill
#: costs about 1/0.8 = 1.25 times the calls of perfectly full ones (plus the few cut replies
#: that first find the density).
TARGET_FILL = 0.8
#: A window is at most this many times as long as the last one: where the last window was
#: sparse (a night, a weekend, a gap), the next may run into dense hours, and a cut reply
#: costs a call, while doubling reaches 31 days from an hour in ten calls.
MAX_GROWTH = 2


@dataclass(frozen=True, order=True)
class Window:
    """A closed range ``[start, end]`` of wall-clock seconds."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        """Reject an empty or reversed window."""
        if self.end < self.start:
            msg = f"window ends before it starts: {self}"
            raise ValueError(msg)

    @property
    def seconds(self) -> int:
        """How many whole seconds the window holds (a one-second window holds 1)."""
        return int((self.end - self.start).total_seconds()) + 1

    def halves(self) -> tuple[Window, Window]:
        """Split into two contiguous windows; the left one gets the smaller half."""
        if self.seconds < 2:  # noqa: PLR2004
            msg = f"a one-second window cannot be split: {self}"
            raise ValueError(msg)
        left_end = self.start + dt.timedelta(seconds=self.seconds // 2) - ONE_SECOND
        return Window(self.start, left_end), Window(left_end + ONE_SECOND, self.end)

    def query(self) -> dict[str, str]:
        """The ``date_ini``/``date_end`` query parameters for this window."""
        return {
            "date_ini": format_query_stamp(self.start),
            "date_end": format_query_stamp(self.end),
        }

    def __str__(self) -> str:
        """Human form used in log lines."""
        return f"{self.start:%Y-%m-%d %H:%M:%S}..{self.end:%Y-%m-%d %H:%M:%S}"


class WindowTooDenseError(RuntimeError):
    """A one-second window still came back at the row cap: rows would be lost."""


def day_windows(first: dt.date, last: dt.date) -> list[Window]:
    """One window per local day, 00:00:00 to 23:59:59, from ``first`` to ``last`` inclusive."""
    days = (last - first).days + 1
    midnight = dt.datetime(first.year, first.month, first.day)  # noqa: DTZ001 - wall clock
    return [
        Window(
            midnight + dt.timedelta(days=i),
            midnight + dt.timedelta(days=i + 1) - ONE_SECOND,
        )
        for i in range(max(days, 0))
    ]


def next_seconds(last_seconds: int, density: float, target: float) -> int:
    """How many seconds hold ``target`` rows at ``density`` rows a second.

    At most :data:`MAX_GROWTH` times ``last_seconds`` (the window just read), at least one.
    """
    longest = last_seconds * MAX_GROWTH
    if density <= 0:
        return longest
    return max(1, min(longest, int(target / density)))


class WindowWalk:
    """Walks ``[start, stop]`` in contiguous windows of at most ``span``; splits cut windows.

    ``current`` is the window to ask for next; after its reply, call :meth:`advance`. Given a
    ``row_cap`` and each reply's row count, the walk sizes every window from the density it has
    seen (see :func:`next_seconds`); without them, windows are ``span`` long and cut ones are
    read in halves.

    What the walk learns is not kept between runs: a five-minute poll is one window far under
    the cap, and a resumed backfill finds the density again in a few calls (one per halving),
    where a density from another day could be the wrong one.
    """

    def __init__(
        self,
        start: dt.datetime,
        stop: dt.datetime,
        span: dt.timedelta,
        *,
        row_cap: int | None = None,
    ) -> None:
        """Plan a walk from ``start`` to ``stop`` (both wall-clock, inclusive)."""
        if span < ONE_SECOND or span > dt.timedelta(days=MAX_SPAN_DAYS):
            msg = f"window span must be between 1 second and {MAX_SPAN_DAYS} days, not {span}"
            raise ValueError(msg)
        self.stop = stop
        self.span = span
        self.row_cap = row_cap
        # Ends of the windows cut while no row count came, innermost last: the rest of such a
        # window is read up to its end before windows of ``span`` resume (plain halving).
        self._ceilings: list[dt.datetime] = []
        # Windows cut while row counts came, not yet read to their end: (end, rows known to lie
        # between the next window's start and that end), as a cut window held at least the cap.
        self._owed: list[tuple[dt.datetime, int]] = []
        # How many seconds the next window should last (None: no density seen yet).
        self._sized: int | None = None
        self.current: Window | None = self._window_from(start) if start <= stop else None
        self.splits = 0

    def _window_from(self, start: dt.datetime) -> Window:
        length = self.span if self._sized is None else min(self.span, self._sized * ONE_SECOND)
        return Window(start, min(start + length - ONE_SECOND, self.stop, *self._ceilings[-1:]))

    def minimum_windows(self) -> int:
        """The fewest windows the walk can take from here (more when windows are split)."""
        if self.current is None:
            return 0
        seconds = (self.stop - self.current.start).total_seconds() + 1
        return math.ceil(seconds / self.span.total_seconds())

    def is_last(self, window: Window) -> bool:
        """True when ``window``, read whole, ends the walk."""
        return window.end >= self.stop

    def advance(
        self, *, truncated: bool, rows: int | None = None, why: str | None = None
    ) -> Window | None:
        """Move on after a reply for ``current``; return the new ``current`` (None when done).

        ``rows`` is how many rows the window is known to hold (the reply's entries, null ones
        too, or the count it announced when more); with a ``row_cap`` it sizes the next window.
        A cut window is halved either way: its reply says at most how many rows it holds, not
        where they lie. ``why`` says why the reply may be cut, for the error below.

        Raises:
            WindowTooDenseError: when a one-second window is truncated.
        """
        window = self.current
        if window is None:
            return None
        if truncated:
            held = None if rows is None or self.row_cap is None else rows
            self.current = self._split(window, held, why)
            return self.current
        while self._ceilings and self._ceilings[-1] <= window.end:
            self._ceilings.pop()
        if window.end >= self.stop:
            self.current = None
            return None
        if rows is not None and self.row_cap is not None:
            self._resize(window, rows, self.row_cap)
        self.current = self._window_from(window.end + ONE_SECOND)
        return self.current

    def _split(self, window: Window, held: int | None, why: str | None = None) -> Window:
        """The window to ask for after ``window`` came back cut: its left half.

        ``held`` is how many rows the cut window is known to hold (None: the walk is not told
        row counts, so it reads the rest of the window whole, in halves).
        """
        if window.seconds == 1:
            cut = why or "alone returned as many rows as the per-request cap"
            msg = f"the one-second window {window} {cut}, so some rows cannot be fetched"
            raise WindowTooDenseError(msg)
        if held is not None:
            # The rest of the cut window is then sized from the densities seen, not read whole.
            self._owed.append((window.end, held))
        else:
            self._ceilings.append(window.end)
        self.splits += 1
        return window.halves()[0]

    def _resize(self, window: Window, rows: int, row_cap: int) -> None:
        """Size the next window after ``window`` was read whole with ``rows`` rows."""
        self._owed = [(end, owed - rows) for end, owed in self._owed if end > window.end]
        start = window.end + ONE_SECOND
        # The densest of what was just read and of what cut windows left ahead.
        densities = [rows / window.seconds]
        densities += [owed / Window(start, end).seconds for end, owed in self._owed]
        self._sized = next_seconds(window.seconds, max(densities), TARGET_FILL * row_cap)
