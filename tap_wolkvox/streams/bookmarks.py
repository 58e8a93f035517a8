"""How a report stream's STATE moves: where a run starts, stops, and resumes next time.

:class:`Bookmarks` is shared by every report stream; :class:`EventBookmarks` and
:class:`DailySnapshotBookmarks` say how each grain bookmarks (an event's timestamp, a completed
day).
"""

from __future__ import annotations

import copy
import datetime as dt
import typing as t

from typing_extensions import override

from tap_wolkvox.run.budget import bookmark_progress
from tap_wolkvox.streams.base import REPORT_DATE, ReportStreamBase
from tap_wolkvox.time.margin import (
    LEARNED_KEY,
    STATE_KEY,
    LateRows,
    LearnedMargin,
    MarginSummary,
    MarginTally,
    effective_margin,
    learn,
)
from tap_wolkvox.time.timestamps import (
    ONE_MINUTE,
    ONE_SECOND,
    InvalidTimezoneError,
    OperationClock,
    floor_minute,
    format_instant,
    load_timezone,
)

if t.TYPE_CHECKING:
    import requests

    from tap_wolkvox.time.windows import Window

#: The Singer replication method that reads everything on every run.
FULL_TABLE = "FULL_TABLE"
#: STATE flag: this stream (partition) has returned at least one row since start_date.
ROWS_SEEN = "rows_seen"
#: STATE: the IANA zone the bookmark was written in.
BOOKMARK_ZONE = "timezone"


class Bookmarks(ReportStreamBase):
    """How STATE moves, once per completed window; the grains fill in the hooks."""

    windows: int
    empty_windows: int
    rows: int
    ever_had_rows: bool
    _zone_change_said: bool
    _sent_at: dt.datetime

    def _bookmark_field(self) -> str | None:
        return self.report.timestamp

    def _bookmark_after(self, window: Window) -> str:
        """The bookmark once every row of ``window`` is out: where the next run resumes."""
        raise NotImplementedError

    def _start_from_bookmark(self, bookmark: str, written_in: OperationClock) -> dt.datetime:
        """Where a run resumes (wall clock, today's zone) given a bookmark this stream wrote.

        ``written_in`` is the clock of the zone the bookmark was written in; when the
        ``timezone`` setting changed since, the earlier of the two wall-clock readings wins.
        """
        raise NotImplementedError

    def _margin(self) -> dt.timedelta:
        """The late-row margin of this partition's run: ``settle_minutes``."""
        return self._settings.settle

    def _settled(self) -> dt.datetime:
        """The instant before which rows are taken as published: asked-at minus the margin."""
        return floor_minute(self._sent_at - self._margin())

    def planned_requests(self) -> tuple[int, int]:
        """The fewest requests this run needs, over every partition, and the partitions."""
        if any(not self._param_values(p.setting) for p in self.partition_params):
            return 0, 0
        partitions = self.partitions
        contexts: list[dict[str, t.Any] | None] = [*partitions] if partitions else [None]
        # Reading a context's state creates it: the state is put back as it was, lest an
        # empty stream entry go out in the run's first STATE.
        state = t.cast("dict[str, t.Any]", self.tap_state)
        before = copy.deepcopy(state)
        total = 0
        try:
            for context in contexts:
                self._context = context
                total += self._plan_walk(self._start(say=False), self._stop()).minimum_windows()
        finally:
            self._context = None
            state.clear()
            state.update(before)
        return total, len(contexts)

    @override
    def progress(self) -> str:
        # Read, not created: an entry for a stream not started would go out in the last STATE.
        return bookmark_progress(self.tap_state.get("bookmarks", {}).get(self.name) or {})

    def _on_window_done(self, window: Window, response: requests.Response) -> None:
        self.windows += 1
        reply = self.reply_for(response)
        state = self.get_context_state(self._context)
        if reply.empty_window:
            self.empty_windows += 1
        elif reply.size:
            self.ever_had_rows = True
            state[ROWS_SEEN] = True
        self._window_read(window)
        self._set_bookmark(self._bookmark_after(window))
        self._note_progress(state, window)
        self.write_state_now()

    def _window_read(self, window: Window) -> None:
        """Every record of ``window`` is out (before its STATE is written)."""

    def _note_progress(self, state: dict[str, t.Any], window: Window) -> None:
        """Add to the partition's STATE what the next run needs besides the bookmark."""

    def _set_bookmark(self, bookmark: str) -> None:
        """Record where the next run resumes (never moving back)."""
        state = self.get_context_state(self._context)
        current = state.get("replication_key_value")
        if (
            current is None
            or state.get("replication_key") != self.replication_key
            or bookmark > str(current)
        ):
            state["replication_key"] = self.replication_key
            state["replication_key_value"] = bookmark
        # The API filters on wall-clock strings: a later change of timezone must know the zone.
        state[BOOKMARK_ZONE] = self._settings.clock.zone.key

    def _incoming_bookmark(self) -> str | None:
        state = self.get_context_state(self._context)
        bookmark = state.get("replication_key_value")
        if not bookmark or state.get("replication_key") != self.replication_key:
            return None
        return str(bookmark)

    def _start(self, *, say: bool = True) -> dt.datetime:
        """Where this run starts (wall clock): the bookmark, never before start_date.

        A stream the catalog sets to FULL_TABLE (or that Meltano runs with --full-refresh)
        reads from start_date whatever the state says (and ``say``s so).
        """
        settings = self._settings
        start = settings.clock.wall_clock(settings.start)
        bookmark = self._incoming_bookmark()
        if bookmark is None:
            return start
        if self.replication_method == FULL_TABLE:
            if say:
                self.log(
                    "%s: FULL_TABLE: reading from start_date, not from the bookmark", self.name
                )
            return start
        written_in = self._bookmark_clock()
        try:
            return max(self._start_from_bookmark(bookmark, written_in), start)
        except ValueError:
            self.logger.warning(
                "%s: ignoring unreadable bookmark %r; starting from start_date", self.name, bookmark
            )
            return start

    def _bookmark_clock(self) -> OperationClock:
        """The clock of the zone the incoming bookmark was written in (said once if changed)."""
        clock = self._settings.clock
        zone = self.get_context_state(self._context).get(BOOKMARK_ZONE)
        if not zone or zone == clock.zone.key:
            return clock
        try:
            written_in = OperationClock(load_timezone(str(zone)))
        except InvalidTimezoneError:
            return clock
        if not self._zone_change_said:
            self._zone_change_said = True
            self.logger.warning(
                "%s: the bookmark was written with timezone %s and the setting is now %s: "
                "resuming from the earlier of the two wall-clock readings, so no hour is skipped",
                self.name,
                zone,
                clock.zone.key,
            )
        return written_in

    def _stop(self) -> dt.datetime:
        """The last wall-clock second this run reads: end_date, never later than now."""
        settings = self._settings
        now = settings.clock.now()
        return now if settings.end is None else min(settings.clock.wall_clock(settings.end), now)

    def _begin(self, start: dt.datetime) -> None:
        """A partition's walk is about to start at ``start`` (wall clock)."""


class EventBookmarks(Bookmarks):
    """An event report's bookmark: its timestamp, never past the settled instant.

    It also keeps the late-row margin's summary in STATE, and the wider margin late rows have
    taught (see margin.py).
    """

    _tally: MarginTally | None
    _read_from: dt.datetime
    _read_until: dt.datetime | None
    late: list[LateRows]
    #: The margin late rows taught this partition (None: ``settle_minutes`` rules).
    _learned: LearnedMargin | None
    #: What this partition's run found late in the previous run's margin.
    _late_now: LateRows | None
    #: The widest margin this run used, and the widest it learned, over its partitions.
    margin_used: dt.timedelta
    widened_to: dt.timedelta | None
    narrowed_to: dt.timedelta | None

    @override
    def _margin(self) -> dt.timedelta:
        return effective_margin(self._settings.settle, self._learned)

    @override
    def _bookmark_after(self, window: Window) -> str:
        read = self._settings.clock.instant(window.end + ONE_SECOND)
        return format_instant(min(read, self._settled()))

    @override
    def _begin(self, start: dt.datetime) -> None:
        clock = self._settings.clock
        state = self.get_context_state(self._context)
        previous = MarginSummary.from_state(state.get(STATE_KEY))
        self._learned = LearnedMargin.from_state(state.get(LEARNED_KEY))
        self._late_now = None
        self.margin_used = max(self.margin_used, self._margin())
        self._read_from = clock.instant(start)
        self._read_until = None
        self._tally = MarginTally(previous, clock.utc_now() - self._margin())

    @override
    def on_clock_moved(self, moved: dt.timedelta) -> None:
        super().on_clock_moved(moved)
        if self._tally is not None:
            self._tally.move_floor(moved)

    @override
    def _window_read(self, window: Window) -> None:
        tally = self._tally
        if self.report.timestamp is None or tally is None:
            return
        # What a window planned by a host clock running ahead reads stops at the server's time.
        read = self._settings.clock.instant(window.end + ONE_SECOND)
        self._read_until = min(read, self._sent_at + ONE_SECOND)
        if self._walk is not None and self._walk.is_last(window):
            late = tally.late_rows(self._read_from, self._read_until)
            if late is not None:
                self.late.append(late)
                self._late_now = late

    @override
    def _note_progress(self, state: dict[str, t.Any], window: Window) -> None:
        if self._tally is None or self._read_until is None:
            return
        bookmark = dt.datetime.fromisoformat(str(state["replication_key_value"]))
        summary = self._tally.summary(bookmark, self._read_until, self._sent_at)
        if summary is None:
            state.pop(STATE_KEY, None)
        else:
            state[STATE_KEY] = summary.to_state()
        if self._walk is not None and self._walk.is_last(window):
            self._learn(state)

    def _learn(self, state: dict[str, t.Any]) -> None:
        """Keep in STATE the margin the following runs of this partition use."""
        settle = self._settings.settle
        before = self._margin()
        learned = learn(self._learned, int(settle / ONE_MINUTE), self._late_now, self._sent_at)
        after = effective_margin(settle, learned)
        if after > before:
            self.widened_to = max(after, self.widened_to or after)
        elif after < before:
            self.narrowed_to = max(after, self.narrowed_to or after)
        if learned is None:
            state.pop(LEARNED_KEY, None)
        else:
            state[LEARNED_KEY] = learned.to_state()

    @override
    def _start_from_bookmark(self, bookmark: str, written_in: OperationClock) -> dt.datetime:
        clock = self._settings.clock
        instant = clock.parse_setting(bookmark) - self._settings.lookback
        return min(clock.resume_wall_clock(instant), written_in.resume_wall_clock(instant))


class DailySnapshotBookmarks(Bookmarks):
    """A daily snapshot's bookmark: the first day whose totals may still change."""

    _first_incomplete_day: dt.date | None

    @override
    def _bookmark_field(self) -> str:
        return REPORT_DATE

    @override
    def _bookmark_after(self, window: Window) -> str:
        # A day is complete once it ended before the settled instant of the request that read
        # it (asked-at minus the margin): a run at 00:05 reads yesterday again, so late rows of
        # its last minutes still correct its totals.
        day = window.start.date()
        settled_day = self._settings.clock.wall_clock(self._settled()).date()
        if day >= settled_day and self._first_incomplete_day is None:
            # The next run resumes at the first day still changing, even after later days.
            self._first_incomplete_day = day
        return (self._first_incomplete_day or day + dt.timedelta(days=1)).isoformat()

    @override
    def _begin(self, start: dt.datetime) -> None:
        self._first_incomplete_day = None

    @override
    def _start_from_bookmark(self, bookmark: str, written_in: OperationClock) -> dt.datetime:
        midnight = dt.datetime.combine(dt.date.fromisoformat(bookmark), dt.time())
        # The day began at this instant in the zone the bookmark was written in.
        began = self._settings.clock.wall_clock(written_in.instant(midnight))
        # lookback_minutes reach back into the days before: the run starts at the day holding
        # the bookmark's midnight minus the look-back.
        earliest = min(midnight, began) - self._settings.lookback
        return dt.datetime.combine(earliest.date(), dt.time())
