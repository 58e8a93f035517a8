"""The time-window walk: which ``date_ini``/``date_end`` pairs a sync asks for, in which order.

Windows are in the operation's wall clock (the API filters on wall-clock strings), inclusive at
both ends, one second apart: contiguous, with no gap and no overlap. The API has no pagination
and silently cuts a response at its per-request row cap, so a window that comes back full is
not trusted: it is split in halves, down to one second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tap_wolkvox.timestamps import ONE_SECOND, format_query_stamp

#: The API refuses date spans longer than this.
MAX_SPAN_DAYS = 31


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


class WindowWalk:
    """Walks ``[start, stop]`` in windows of at most ``span``; splits windows that hit the cap.

    ``current`` is the window to ask for next; after its reply, call :meth:`advance`.
    """

    def __init__(self, start: dt.datetime, stop: dt.datetime, span: dt.timedelta) -> None:
        """Plan a walk from ``start`` to ``stop`` (both wall-clock, inclusive)."""
        if span < ONE_SECOND or span > dt.timedelta(days=MAX_SPAN_DAYS):
            msg = f"window span must be between 1 second and {MAX_SPAN_DAYS} days, not {span}"
            raise ValueError(msg)
        self.stop = stop
        self.span = span
        # Windows still to read, the next one last (a stack, so halves are read in order).
        self._pending: list[Window] = []
        self.current: Window | None = self._full_window(start) if start <= stop else None
        self.splits = 0

    def _full_window(self, start: dt.datetime) -> Window:
        return Window(start, min(start + self.span - ONE_SECOND, self.stop))

    def is_last(self, window: Window) -> bool:
        """True when ``window``, read whole, ends the walk."""
        return not self._pending and window.end >= self.stop

    def advance(self, *, truncated: bool) -> Window | None:
        """Move on after a reply for ``current``; return the new ``current`` (None when done).

        Raises:
            WindowTooDenseError: when a one-second window is truncated.
        """
        window = self.current
        if window is None:
            return None
        if truncated:
            if window.seconds == 1:
                msg = (
                    f"the one-second window {window} alone returned as many rows as the "
                    "per-request cap, so some rows cannot be fetched"
                )
                raise WindowTooDenseError(msg)
            left, right = window.halves()
            self._pending.append(right)
            self.current = left
            self.splits += 1
        elif self._pending:
            self.current = self._pending.pop()
        elif window.end < self.stop:
            self.current = self._full_window(window.end + ONE_SECOND)
        else:
            self.current = None
        return self.current
