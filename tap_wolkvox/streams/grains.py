"""How a report is read over time: its grain, a small strategy object per stream.

A grain says how to plan the walk of a run, what to do with a reply that may be cut, where a
run resumes from a bookmark, what the bookmark is once a window is out, and what to add to a
record. Two grains read reports by date range:

- :class:`EventGrain`: one row per interaction or event, walked in windows of up to 31 days
  sized from the density seen, bookmarked on the row's timestamp but never past the settled
  instant (asked-at minus the late-row margin), which it measures and widens when late rows
  reach its far edge (see time/margin.py).
- :class:`DailyGrain`: totals over whatever range is asked, read one local day per request and
  stamped with ``report_date``; the bookmark is the first day whose totals may still change.

(Tables of information.php are read whole: see :class:`~tap_wolkvox.streams.tables.TableGrain`.)

A grain keeps what one partition's read needs between its windows (:meth:`begin` resets it)
and what the run's log says at the end, over every partition.
"""

from __future__ import annotations

import datetime as dt
import typing as t

from tap_wolkvox.declarations.model import REPORT_DATE, Field, Kind
from tap_wolkvox.replies.errors import WolkvoxError
from tap_wolkvox.rows.pipeline import NOTHING_MORE, Completion
from tap_wolkvox.time.margin import (
    LEARNED_KEY,
    STATE_KEY,
    LateRows,
    LearnedMargin,
    MarginSummary,
    MarginTally,
    effective_margin,
    learn,
    reaches_far_edge,
)
from tap_wolkvox.time.timestamps import ONE_MINUTE, ONE_SECOND, floor_minute, format_instant
from tap_wolkvox.time.windows import WindowWalk

if t.TYPE_CHECKING:
    import logging
    from collections.abc import Callable

    from tap_wolkvox.declarations.model import Report
    from tap_wolkvox.settings import OperationSettings
    from tap_wolkvox.time.timestamps import OperationClock
    from tap_wolkvox.time.windows import Window

#: What a grain logs with: the stream's ``log`` (INFO unless told otherwise).
Log = t.Callable[..., None]


class EventGrain:
    """One row per interaction or event: windows, bookmarked on the row's timestamp."""

    def __init__(
        self, report: Report, settings: Callable[[], OperationSettings], logger: logging.Logger
    ) -> None:
        """The grain of ``report``; ``settings`` reads the run's settings when needed."""
        self.report = report
        self.replication_key = report.timestamp
        self.leading_fields: tuple[Field, ...] = ()
        self._settings = settings
        self._logger = logger
        self._tally: MarginTally | None = None
        self._read_from = dt.datetime.now(dt.timezone.utc)
        self._read_until: dt.datetime | None = None
        #: The margin late rows taught this partition (None: ``settle_minutes`` rules).
        self._learned: LearnedMargin | None = None
        #: What this partition's run found late in the previous run's margin.
        self._late_now: LateRows | None = None
        #: Over the run's partitions: what was late, the widest margin used, and learned.
        self.late: list[LateRows] = []
        self.margin_used = dt.timedelta(0)
        self.widened_to: dt.timedelta | None = None
        self.narrowed_to: dt.timedelta | None = None

    # -- planning ------------------------------------------------------------------------------

    def plan(self, start: dt.datetime, stop: dt.datetime) -> WindowWalk:
        """The walk from ``start`` to ``stop`` (wall clock), windows sized to hold under the cap."""
        settings = self._settings()
        return WindowWalk(start, stop, settings.window_span, row_cap=settings.row_cap)

    def resume_from(self, bookmark: str, written_in: OperationClock) -> dt.datetime:
        """Where a run resumes (wall clock) from ``bookmark``, written in ``written_in``'s zone.

        The bookmark minus ``lookback_minutes``; when the zone changed since, the earlier of
        the two wall-clock readings, and the start of an hour daylight saving repeats.
        """
        settings = self._settings()
        clock = settings.clock
        instant = clock.parse_setting(bookmark) - settings.lookback
        return min(clock.resume_wall_clock(instant), written_in.resume_wall_clock(instant))

    # -- one partition's read ------------------------------------------------------------------

    def begin(self, state: dict[str, t.Any], start: dt.datetime) -> None:
        """A partition's walk starts at ``start``: what it compares late rows with, its margin."""
        clock = self._settings().clock
        previous = MarginSummary.from_state(state.get(STATE_KEY))
        self._learned = LearnedMargin.from_state(state.get(LEARNED_KEY))
        self._late_now = None
        self.margin_used = max(self.margin_used, self.margin())
        self._read_from = clock.instant(start)
        self._read_until = None
        self._tally = MarginTally(previous, clock.utc_now() - self.margin())

    def margin(self) -> dt.timedelta:
        """This partition's late-row margin: ``settle_minutes``, or wider where rows taught it."""
        return effective_margin(self._settings().settle, self._learned)

    def clock_moved(self, moved: dt.timedelta) -> None:
        """The tap's clock moved to follow the server's: so does what was planned by it."""
        if self._tally is not None:
            self._tally.move_floor(moved)

    def on_cut(self, log: Log, window: Window, why: str) -> None:
        """A reply that may be cut: its window is split in halves and read again."""
        log("%s: window %s %s; splitting it", self.report.stream, window, why)

    def completion_for(self, window: Window) -> Completion:  # noqa: ARG002
        """What a record gets: its timestamp derived where it is nested, counted for the margin."""
        key = self.report.timestamp
        if key is None:
            return NOTHING_MORE
        return Completion(
            timestamp=key,
            count=None if self._tally is None else self._tally.count,
            derive=self._derive if self.report.timestamp_source else None,
        )

    def _derive(self, record: dict[str, t.Any]) -> None:
        """The timestamp of a row that has none of its own: the earliest of its nested ones."""
        key, source = self.report.timestamp, self.report.timestamp_source
        if key is None or source is None:
            return
        outer, inner = source.split("[].", 1)
        stamps = [i[inner] for i in record.get(outer) or () if i.get(inner)]
        record[key] = min(stamps) if stamps else None

    def window_read(
        self,
        window: Window,
        sent_at: dt.datetime,
        state: dict[str, t.Any],  # noqa: ARG002
        *,
        last: bool,
    ) -> str:
        """Every record of ``window`` (asked for at ``sent_at``) is out: the new bookmark.

        The end of the window, never past the settled instant: rows published late are read
        by the next run. The late-row margin's summary (and, after the last window, what it
        taught) go to the partition's ``state``.
        """
        clock = self._settings().clock
        read = clock.instant(window.end + ONE_SECOND)
        if self.report.timestamp is not None and self._tally is not None:
            # What a window planned by a host clock running ahead reads stops at the server's.
            self._read_until = min(read, sent_at + ONE_SECOND)
            if last:
                late = self._tally.late_rows(self._read_from, self._read_until)
                if late is not None:
                    self.late.append(late)
                    self._late_now = late
        return format_instant(min(read, floor_minute(sent_at - self.margin())))

    def note_progress(self, state: dict[str, t.Any], sent_at: dt.datetime, *, last: bool) -> None:
        """Keep in ``state`` what the next run needs besides the bookmark (the margin's)."""
        if self._tally is None or self._read_until is None:
            return
        bookmark = dt.datetime.fromisoformat(str(state["replication_key_value"]))
        summary = self._tally.summary(bookmark, self._read_until, sent_at)
        if summary is None:
            state.pop(STATE_KEY, None)
        else:
            state[STATE_KEY] = summary.to_state()
        if last:
            self._learn(state, sent_at)

    def _learn(self, state: dict[str, t.Any], sent_at: dt.datetime) -> None:
        """Keep in STATE the margin the following runs of this partition use."""
        settle = self._settings().settle
        before = self.margin()
        learned = learn(self._learned, int(settle / ONE_MINUTE), self._late_now, sent_at)
        after = effective_margin(settle, learned)
        if after > before:
            self.widened_to = max(after, self.widened_to or after)
        elif after < before:
            self.narrowed_to = max(after, self.narrowed_to or after)
        if learned is None:
            state.pop(LEARNED_KEY, None)
        else:
            state[LEARNED_KEY] = learned.to_state()

    # -- the end of the run --------------------------------------------------------------------

    def log_run(self, log: Log) -> None:
        """What the run saw of late rows, over every partition (said once, at the end)."""
        stream = self.report.stream
        margin = int(self.margin_used / ONE_MINUTE)
        if self.narrowed_to is not None:
            log(
                "%s: no row came later than half the learned late-row margin for a week: the "
                "following runs use a %d-minute margin",
                stream,
                int(self.narrowed_to / ONE_MINUTE),
            )
        if not self.late:
            return
        rows = sum(late.rows for late in self.late)
        latest = max(
            (late.latest_at_least for late in self.late if late.latest_at_least), default=None
        )
        if rows == 0:
            log("%s: no late rows in the re-read margin (%d min)", stream, margin)
            return
        log(
            "%s: %d rows arrived late (published after the previous run had read their "
            "minute); the latest at least %d min after its timestamp (margin %d min)",
            stream,
            rows,
            int(latest.total_seconds() // 60) if latest else 0,
            margin,
        )
        if self.widened_to is not None:
            self._logger.warning(
                "%s: late rows reached the far edge of the %d-minute margin, so rows published "
                "later than that may have been missed: the following runs use a %d-minute "
                "margin (learned_margin in STATE). Set lookback_minutes once to re-read what is "
                "past.",
                stream,
                margin,
                int(self.widened_to / ONE_MINUTE),
            )
        elif any(reaches_far_edge(late, self.margin_used) for late in self.late):
            self._logger.warning(
                "%s: late rows reached the far edge of the %d-minute margin, so rows published "
                "later than that may have been missed: raise settle_minutes (and set "
                "lookback_minutes once to re-read what is past).",
                stream,
                margin,
            )


class DailyGrain:
    """Totals over a range: one local day per request, each row stamped ``report_date``.

    Today's figures still change, so today is read again on the next run, and so is a past day
    that the late-row margin still reaches into; completed days are not fetched again.
    """

    replication_key = REPORT_DATE
    leading_fields = (
        Field(
            REPORT_DATE,
            Kind.DAY,
            "The local day (operation's timezone) these totals cover, 00:00:00-23:59:59.",
        ),
    )

    def __init__(self, report: Report, settings: Callable[[], OperationSettings]) -> None:
        """The grain of ``report``; ``settings`` reads the run's settings when needed."""
        self.report = report
        self._settings = settings
        self._first_incomplete_day: dt.date | None = None

    def plan(self, start: dt.datetime, stop: dt.datetime) -> WindowWalk:
        """One window per local day, from the day of ``start`` to the day of ``stop``."""
        first = dt.datetime.combine(start.date(), dt.time())
        last = dt.datetime.combine(stop.date(), dt.time(23, 59, 59))
        return WindowWalk(first, last, dt.timedelta(days=1))

    def resume_from(self, bookmark: str, written_in: OperationClock) -> dt.datetime:
        """The start of the bookmark's day (the earlier reading if the zone changed).

        ``lookback_minutes`` reach back into the days before.
        """
        settings = self._settings()
        midnight = dt.datetime.combine(dt.date.fromisoformat(bookmark), dt.time())
        # The day began at this instant in the zone the bookmark was written in.
        began = settings.clock.wall_clock(written_in.instant(midnight))
        earliest = min(midnight, began) - settings.lookback
        return dt.datetime.combine(earliest.date(), dt.time())

    def begin(self, state: dict[str, t.Any], start: dt.datetime) -> None:  # noqa: ARG002
        """A partition's walk starts: no day of it is known incomplete yet."""
        self._first_incomplete_day = None

    def margin(self) -> dt.timedelta:
        """The late-row margin: ``settle_minutes``."""
        return self._settings().settle

    def clock_moved(self, moved: dt.timedelta) -> None:
        """Nothing was planned by the host's clock that the server's time changes."""

    def on_cut(self, log: Log, window: Window, why: str) -> None:  # noqa: ARG002
        """Totals cannot be split into smaller ranges and added up: the run stops.

        Raises:
            WolkvoxError: naming the report and the day.
        """
        report = f"{self.report.api} ({self.report.stream})"
        msg = (
            f"Report {report} {why} for the single day {window.start.date()}, "
            "and a day's totals cannot be split: the run stops rather than load incomplete "
            "totals. Narrow the report with campaign_ids or skill_ids."
        )
        raise WolkvoxError(msg)

    def window_read(
        self,
        window: Window,
        sent_at: dt.datetime,
        state: dict[str, t.Any],  # noqa: ARG002
        *,
        last: bool,  # noqa: ARG002
    ) -> str:
        """A day is out: the first day not yet complete, where the next run resumes.

        A day is complete once it ended before the settled instant of the request that read it
        (asked-at minus the margin): a run at 00:05 reads yesterday again, so late rows of its
        last minutes still correct its totals.
        """
        day = window.start.date()
        settings = self._settings()
        settled = floor_minute(sent_at - self.margin())
        settled_day = settings.clock.wall_clock(settled).date()
        if day >= settled_day and self._first_incomplete_day is None:
            # The next run resumes at the first day still changing, even after later days.
            self._first_incomplete_day = day
        return (self._first_incomplete_day or day + dt.timedelta(days=1)).isoformat()

    def note_progress(self, state: dict[str, t.Any], sent_at: dt.datetime, *, last: bool) -> None:
        """Nothing but the bookmark: a day's totals are read whole."""

    def completion_for(self, window: Window) -> Completion:
        """What a record of ``window`` gets: the day it covers."""
        return Completion(values={REPORT_DATE: window.start.date().isoformat()})

    def log_run(self, log: Log) -> None:
        """Nothing more to say at the end of the run."""


#: The grains a report's ``grain`` names.
Grain = EventGrain | DailyGrain
