"""A report stream: a declared report read through its grain, window by window.

Every Reports Manager report, and the information.php logs (audit_log, get_notification), is
a :class:`ReportStream`: its HTTP part (streams/http.py) asks for each window its paginator
(streams/pages.py) plans, the one row pipeline (rows/pipeline.py) makes the reply's rows
records, and its grain (streams/grains.py) says where the bookmark goes once a window is out.
STATE moves only then: a run stopped at any moment resumes from its last STATE, repeating at
most the window it was in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import typing as t
from functools import cached_property

from singer_sdk.helpers.conform import TypeConformanceLevel
from typing_extensions import override

from tap_wolkvox.declarations.model import OCCURRENCE, REPORT_DATE, Field, Kind
from tap_wolkvox.replies.errors import ReportUnavailableError, WolkvoxError
from tap_wolkvox.rows.typed import TypedRows, record_frame, record_lines
from tap_wolkvox.run.ahead import Reading, ahead_key
from tap_wolkvox.run.budget import bookmark_progress
from tap_wolkvox.settings import LIST_SETTINGS, fixed_values, listed_ids, partition_values
from tap_wolkvox.streams.grains import DailyGrain, EventGrain
from tap_wolkvox.streams.http import REPORTS_PATH, WolkvoxStream
from tap_wolkvox.streams.pages import WindowPages
from tap_wolkvox.time.timestamps import InvalidTimezoneError, OperationClock, load_timezone
from tap_wolkvox.time.windows import WindowTooDenseError

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

    from tap_wolkvox.declarations.model import Param, Report
    from tap_wolkvox.replies.reply import Reply
    from tap_wolkvox.rows.pipeline import RowPipeline
    from tap_wolkvox.run.context import RunContext
    from tap_wolkvox.streams.http import Answer
    from tap_wolkvox.streams.pages import Page
    from tap_wolkvox.time.windows import Window, WindowWalk

__all__ = ["REPORT_DATE", "ReportStream"]

#: The Singer replication method that reads everything on every run.
FULL_TABLE = "FULL_TABLE"
#: STATE flag: this stream (partition) has returned at least one row since start_date.
ROWS_SEEN = "rows_seen"
#: STATE: the IANA zone the bookmark was written in.
BOOKMARK_ZONE = "timezone"


@dataclasses.dataclass
class AheadPlan:
    """A walk begun before its stream's turn: where it starts and stops, its reading."""

    start: dt.datetime
    stop: dt.datetime
    walk: WindowWalk
    #: The stream's counters when it began (its log line counts from them).
    before: tuple[int, int, int, int, int]
    reading: Reading[Page] | None = None


def close_page(page: Page) -> None:
    """Let go of a page's reply (a spilled body's file)."""
    page.answer.reply.close()


class ReportStream(WolkvoxStream):
    """A stream over one Wolkvox report, read by date range through its grain."""

    # Records are shaped to the schema's exact types by the row pipeline; re-checking every
    # field of every record in the SDK would only cost time.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(
        self, run: RunContext, report: Report, *, tap: Tap, path: str = REPORTS_PATH
    ) -> None:
        """Create the stream that reads ``report`` (on ``path``: information.php's logs)."""
        self.report = report
        self.selected_by_default = report.selected_by_default
        self.grain: EventGrain | DailyGrain = (
            DailyGrain(report, lambda: run.settings)
            if report.grain == "aggregate"
            else EventGrain(report, lambda: run.settings, logging.getLogger(tap.name))
        )
        # A list-valued parameter (campaign_ids, ...) is read once per value; when the rows do
        # not say which value they belong to, the value is added as a column and to the key.
        self.partition_params: tuple[Param, ...] = tuple(
            p for p in report.params if p.setting in LIST_SETTINGS
        )
        declared = {f.name for f in report.fields}
        fields = (
            self.grain.leading_fields
            + report.fields
            + tuple(
                Field(p.name, description=f"The {p.name} this row was requested for ({p.setting}).")
                for p in self.partition_params
                if p.name not in declared
            )
        )
        schema = dataclasses.replace(report, fields=fields).json_schema()
        super().__init__(run, tap=tap, name=report.stream, schema=schema, api=report.api, path=path)
        key = list(report.primary_key)
        key += [p.name for p in self.partition_params if p.name not in key]
        self.primary_keys = [*key, OCCURRENCE]
        self.replication_key = self.grain.replication_key
        self.windows = 0
        self.empty_windows = 0
        self.splits = 0
        #: The wall-clock range this run read (its first partition's start, the last stop).
        self.read_span: tuple[str, str] | None = None
        self.rows = 0
        #: Of :attr:`rows`, those written on the fast path (replies that fit their declaration).
        self.fast_rows = 0
        #: Some partition of this stream has returned rows, in this run or an earlier one.
        self.ever_had_rows = False
        self._zone_change_said = False
        #: When the reply being read arrived (the RECORDs' ``time_extracted``).
        self.extracted_at = dt.datetime.now(dt.timezone.utc)

    @cached_property
    def pipeline(self) -> RowPipeline:
        """How this report's rows become records (report_date and partitions are the tap's)."""
        return self.row_pipeline(
            self.report.fields,
            self.report.primary_key,
            added={REPORT_DATE, *(p.name for p in self.partition_params)},
            timestamp=self.report.timestamp,
            buckets=self.report.buckets,
            voice_ids=self.report.voice_ids,
        )

    @cached_property
    def typed_rows(self) -> TypedRows | None:
        """The fast path's Structs, for flat rows (no nested list, no buckets)."""
        report = self.report
        if report.buckets is not None or any(f.kind is Kind.OBJECTS for f in report.fields):
            return None
        return TypedRows(self.name, report.fields, list(self.schema["properties"]))

    @property
    @override
    def is_sorted(self) -> bool:
        # Rows go out in the order Wolkvox sends them (large replies are streamed, not held to
        # be sorted); the bookmark moves only once a whole window is out, so any STATE is a
        # valid resume point without sorting.
        return False

    @override
    def get_replication_key_signpost(self, context: Context | None = None) -> None:
        # The SDK's signpost (its own wall clock) only caps bookmarks that it moves itself;
        # the tap moves them per window, so STATE carries none.
        return None

    @property
    @override
    def partitions(self) -> list[dict[str, t.Any]] | None:
        if not self.partition_params:
            return None
        return partition_values(self.run.config, self.partition_params)

    def _empty_setting(self) -> Param | None:
        """The partition parameter whose setting lists nothing (the report is skipped), if any."""
        return next(
            (p for p in self.partition_params if not listed_ids(self.run.config, p.setting)), None
        )

    # -- reading -------------------------------------------------------------------------------

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        if self.unavailable:  # the server lacks this report: said once, not per partition
            return
        state = self.get_context_state(context)
        if state.get(ROWS_SEEN):
            self.ever_had_rows = True
        unset = self._empty_setting()
        if unset is not None:
            self.log(
                "%s: skipped, setting %s is empty (report %s needs %s)",
                self.name,
                unset.setting,
                self.report.api,
                unset.name,
            )
            return
        self.begin_reading()
        start = self._start(state)
        plan = self._begun_ahead(context, start)
        stop = self._stop() if plan is None else plan.stop
        self.grain.begin(state, start)
        before = self._counters() if plan is None else plan.before
        walk = self.grain.plan(start, stop) if plan is None else plan.walk
        label = f"{self.name}{'' if not context else ' ' + str(dict(context))}"
        if plan is None and walk.current is None:  # (a walk begun ahead may be read through)
            self.log("%s: nothing new to read (from %s, until %s)", label, start, stop)
            return
        self.log(
            "%s: reading %s .. %s (%s wall clock)",
            label,
            start,
            stop,
            self.run.settings.clock.zone.key,
        )
        first = self.read_span[0] if self.read_span else str(start)
        self.read_span = (first, str(stop))
        try:
            pages = self._pages(walk, context) if plan is None else plan.reading or ()
            yield from self._read(pages, context, state)
        except ReportUnavailableError as exc:
            # One report missing on this server must not cost the user every other stream;
            # a run where every stream is missing fails at the end (see run/summary.py).
            self.logger.warning("%s Skipping stream %s.", exc, self.name)
            self.unavailable = True
        except WindowTooDenseError as exc:
            msg = f"Report {self.report.api} ({self.name}): {exc}."
            raise WolkvoxError(msg) from None
        finally:
            windows, empty, requests_sent, retries, rows = (
                after - then for after, then in zip(self._counters(), before, strict=True)
            )
            self.splits += walk.splits
            self.log(
                "%s: %d windows (%d empty, %d split), %d requests, %d retries, %d rows",
                label,
                windows,
                empty,
                walk.splits,
                requests_sent,
                retries,
                rows,
                level=logging.INFO,
            )

    def _pages(self, walk: WindowWalk, context: Context | None) -> Iterable[Page]:
        """The pages of ``walk`` for partition ``context``, asked for as rows are written.

        With ``requests_in_flight: 2``, a reading asks one window ahead (run/ahead.py).
        """
        pages = self._window_pages(walk, context)
        ahead = self.run.ahead
        if not ahead.on:
            return pages
        key = ahead_key(self.name, context)
        return ahead.read(Reading(ahead, key, iter(pages), close=close_page))

    def _window_pages(self, walk: WindowWalk, context: Context | None) -> WindowPages:
        asked = {p.name: (context or {})[p.name] for p in self.partition_params}
        typed = self.typed_rows if self.writes_plain_records else None
        return WindowPages(
            walk,
            fetch=lambda window: self._fetch(window, asked, context, typed),
            on_cut=lambda window, why: self.grain.on_cut(self.log, window, why),
            row_cap=self.run.settings.row_cap,
        )

    def begin_ahead(self, context: Context | None) -> Reading[Page] | None:
        """This partition's reading, begun before its turn (``requests_in_flight: 2``), if any.

        Its walk is planned from its incoming bookmark, read without creating its state.
        """
        if self.unavailable or self._empty_setting() is not None:
            return None
        start, stop = self._start(self.peek_state(context), say=False), self._stop()
        walk = self.grain.plan(start, stop)
        if walk.current is None:
            return None
        plan = AheadPlan(start, stop, walk, self._counters())
        pages = self._window_pages(walk, context)
        plan.reading = Reading(
            self.run.ahead, ahead_key(self.name, context), iter(pages), plan=plan, close=close_page
        )
        return plan.reading

    def _begun_ahead(self, context: Context | None, start: dt.datetime) -> AheadPlan | None:
        """The walk begun ahead for this turn, if it starts where this turn does."""
        reading = self.run.ahead.prepared(ahead_key(self.name, context))
        if reading is None:
            return None
        plan = t.cast("AheadPlan", reading.plan)
        if plan.start != start:  # pragma: no cover - the bookmark moved under it
            reading.drop()
            return None
        self.run.ahead.read(reading)
        return plan

    def _read(
        self, pages: Iterable[Page], context: Context | None, state: dict[str, t.Any]
    ) -> Iterator[dict[str, t.Any]]:
        """The records of every page, each window's STATE once its rows are out."""
        asked = {p.name: (context or {})[p.name] for p in self.partition_params}
        typed = self.typed_rows if self.writes_plain_records else None
        for page in pages:
            if page.clock_moved:
                self.grain.clock_moved(page.clock_moved)
            reply = page.answer.reply
            try:
                if typed is not None and reply.typed:
                    self._write_lines(page.window, reply, typed, asked, context)
                elif typed is not None:  # records go out as they are, a flat report's
                    self._write_records(page.window, reply, asked, context)
                else:  # the SDK's path: stream maps, --test, nested or bucketed rows
                    for record in self.records_of(page.window, reply, asked):
                        self.rows += 1
                        yield record
            finally:
                reply.close()  # a spilled body's temporary file goes once its rows are out
            self._window_done(page, state)

    def _write_lines(
        self,
        window: Window,
        reply: Reply,
        typed: TypedRows,
        asked: t.Mapping[str, str],
        context: Context | None,
    ) -> None:
        """The fast path: a reply whose rows fit their declaration, written in chunks."""
        self.extracted_at = self.run.settings.clock.utc_now()
        lines, count = self.pipeline.lines(
            reply,
            typed,
            *record_frame(self.name, None, self.extracted_at),
            where=f" for window {window}",
            asked=asked,
            completion=self.grain.completion_for(window),
        )
        for chunk in lines:
            self.write_record_lines(chunk)
        self.rows += count
        self.fast_rows += count
        self.count_records(count, context)

    def _write_records(
        self, window: Window, reply: Reply, asked: t.Mapping[str, str], context: Context | None
    ) -> None:
        """A reply that does not fit its declaration, its records going out as they are.

        The dict pipeline's records, written a chunk at a time: what the SDK's writer writes.
        """
        records = self.records_of(window, reply, asked)
        frame = record_frame(self.name, None, self.extracted_at)
        for chunk, count in record_lines(records, *frame):
            self.write_record_lines(chunk)
            self.rows += count
            self.count_records(count, context)

    def records_of(
        self, window: Window, reply: Reply, asked: t.Mapping[str, str]
    ) -> Iterator[dict[str, t.Any]]:
        """The records of a whole ``reply`` for ``window``, asked for ``asked`` (partitions)."""
        self.extracted_at = self.run.settings.clock.utc_now()
        return self.pipeline.records(
            reply,
            where=f" for window {window}",
            asked=asked,
            completion=self.grain.completion_for(window),
        )

    def _fetch(
        self,
        window: Window,
        asked: dict[str, str],
        context: Context | None,
        typed: TypedRows | None,
    ) -> Answer:
        """The answer for ``window``, with the report's other parameters."""
        return self.fetch(
            {**window.query(), **asked, **self._fixed_params()},
            context,
            window=str(window),
            typed=typed,
        )

    def _fixed_params(self) -> dict[str, str]:
        """The report's parameters that come from a single-valued setting (cod_act, ...)."""
        return fixed_values(self.run.config, self.report.params)

    def _window_done(self, page: Page, state: dict[str, t.Any]) -> None:
        """Every record of ``page`` is out: its STATE (bookmark, margin) goes out now."""
        self.windows += 1
        reply = page.answer.reply
        if reply.empty_window:
            self.empty_windows += 1
        elif reply.size:
            self.ever_had_rows = True
            state[ROWS_SEEN] = True
        sent_at = page.answer.sent_at
        last = page.last
        self._set_bookmark(state, self.grain.window_read(page.window, sent_at, state, last=last))
        self.grain.note_progress(state, sent_at, last=last)
        self.write_state_now()

    # -- where a run starts, stops and resumes -------------------------------------------------

    def _set_bookmark(self, state: dict[str, t.Any], bookmark: str) -> None:
        """Record where the next run resumes (never moving back)."""
        current = state.get("replication_key_value")
        if (
            current is None
            or state.get("replication_key") != self.replication_key
            or bookmark > str(current)
        ):
            state["replication_key"] = self.replication_key
            state["replication_key_value"] = bookmark
        # The API filters on wall-clock strings: a later change of timezone must know the zone.
        state[BOOKMARK_ZONE] = self.run.settings.clock.zone.key

    def _start(self, state: t.Mapping[str, t.Any], *, say: bool = True) -> dt.datetime:
        """Where this run starts (wall clock): the bookmark, never before start_date.

        A stream the catalog sets to FULL_TABLE (or that Meltano runs with --full-refresh)
        reads from start_date whatever the state says (and ``say``s so).
        """
        settings = self.run.settings
        start = settings.clock.wall_clock(settings.start)
        bookmark = state.get("replication_key_value")
        if not bookmark or state.get("replication_key") != self.replication_key:
            return start
        if self.replication_method == FULL_TABLE:
            if say:
                self.log(
                    "%s: FULL_TABLE: reading from start_date, not from the bookmark", self.name
                )
            return start
        written_in = self._bookmark_clock(state)
        try:
            return max(self.grain.resume_from(str(bookmark), written_in), start)
        except ValueError:
            self.logger.warning(
                "%s: ignoring unreadable bookmark %r; starting from start_date", self.name, bookmark
            )
            return start

    def _bookmark_clock(self, state: t.Mapping[str, t.Any]) -> OperationClock:
        """The clock of the zone the incoming bookmark was written in (said once if changed)."""
        clock = self.run.settings.clock
        zone = state.get(BOOKMARK_ZONE)
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
        settings = self.run.settings
        now = settings.clock.now()
        return now if settings.end is None else min(settings.clock.wall_clock(settings.end), now)

    def planned_requests(self) -> tuple[int, int]:
        """The fewest requests this run needs, over every partition, and the partitions."""
        if self._empty_setting() is not None:
            return 0, 0
        contexts: list[dict[str, t.Any] | None] = [*self.partitions] if self.partitions else [None]
        total = sum(
            self.grain.plan(
                self._start(self.peek_state(c), say=False), self._stop()
            ).minimum_windows()
            for c in contexts
        )
        return total, len(contexts)

    def peek_state(self, context: Context | None) -> t.Mapping[str, t.Any]:
        """A partition's incoming state, read without creating it.

        (The SDK's accessor creates it, and an empty entry would then go out in the run's first
        STATE.)
        """
        stream_state = self.tap_state.get("bookmarks", {}).get(self.name) or {}
        if not context:
            return stream_state
        partitions = stream_state.get("partitions") or []
        return next((p for p in partitions if p.get("context") == dict(context)), {})

    # -- what the run says ---------------------------------------------------------------------

    @override
    def progress(self) -> str:
        # Read, not created: an entry for a stream not started would go out in the last STATE.
        return bookmark_progress(self.peek_state(None))

    @override
    def summary(self) -> dict[str, t.Any]:
        read_from, read_until = self.read_span or (None, None)
        return {
            **super().summary(),
            "windows": self.windows,
            "empty": self.empty_windows,
            "split": self.splits,
            "rows": self.rows,
            "fast_rows": self.fast_rows,
            "read_from": read_from,
            "read_until": read_until,
        }

    @override
    def log_sync_costs(self) -> None:
        # Called once per stream at the very end of the run, after every stream has synced.
        super().log_sync_costs()
        if self.windows > 0 and self.empty_windows == self.windows and not self.ever_had_rows:
            # Quiet windows are normal on a five-minute poll; a report that has never returned
            # a row since start_date is worth a look.
            self.logger.warning(
                "Report %s (%s) has answered 404 for every window since start_date: either "
                "there was no activity, or the report is not enabled on this server.",
                self.report.api,
                self.name,
            )
        self.grain.log_run(self.log)
        if "pipeline" in self.__dict__ and self.pipeline.blank_rows:
            self.logger.warning(
                "Report %s (%s): skipped %d rows whose every value was blank",
                self.report.api,
                self.name,
                self.pipeline.blank_rows,
            )

    def _counters(self) -> tuple[int, int, int, int, int]:
        return (self.windows, self.empty_windows, self.requests_sent, self.retries, self.rows)
