"""Report streams, configured by :class:`~tap_wolkvox.reports.Report` declarations.

Event reports (one row per interaction or event) are walked in windows of up to 31 days and
bookmarked on their timestamp. Aggregate reports (totals over whatever range is asked) are read
one local day at a time and stamped with ``report_date``.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import itertools
import logging
import sys
import typing as t
from functools import cached_property

import requests
from singer_sdk.exceptions import MapExpressionError, RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.pagination import BaseAPIPaginator
from typing_extensions import override

from tap_wolkvox.client import WolkvoxStream, describe_failure
from tap_wolkvox.errors import ReportUnavailableError, WolkvoxError
from tap_wolkvox.margin import STATE_KEY, LateRows, MarginSummary, MarginTally
from tap_wolkvox.reports import (
    KEY_STAND_INS,
    UNPARSED,
    UNREADABLE_INSTANT,
    Field,
    Kind,
    Report,
    RowShaper,
)
from tap_wolkvox.sdk import UNHANDLED_ERROR
from tap_wolkvox.settings import LIST_SETTINGS
from tap_wolkvox.timestamps import (
    ONE_SECOND,
    InvalidTimezoneError,
    OperationClock,
    floor_minute,
    format_instant,
    load_timezone,
)
from tap_wolkvox.windows import Window, WindowTooDenseError, WindowWalk

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from singer_sdk.helpers.types import Context
    from singer_sdk.streams.rest import HTTPRequest, PageContext

    from tap_wolkvox.errors import Reply
    from tap_wolkvox.settings import OperationSettings


class GaveUpError(WolkvoxError):
    """Retries were exhausted."""


def _quiet_about_explained_failures(record: logging.LogRecord) -> bool:
    """Drop the SDK's generic "unhandled error" line when the tap explains the failure.

    The tap then prints one plain sentence instead (see TapWolkvox.invoke): for its own errors
    and for a stream map that cannot be evaluated.
    """
    return not (
        record.msg == UNHANDLED_ERROR
        and isinstance(sys.exc_info()[1], (WolkvoxError, MapExpressionError))
    )


class WindowPaginator(BaseAPIPaginator[Window]):
    """Turns the window walk into SDK pages: one page per window."""

    def __init__(
        self,
        walk: WindowWalk,
        *,
        is_truncated: Callable[[requests.Response], bool],
        on_window_done: Callable[[Window, requests.Response], None],
        entries: Callable[[requests.Response], int],
    ) -> None:
        """Page through ``walk``; ``on_window_done`` runs once every row of a window is out.

        ``entries`` counts a reply's entries (null ones too): the walk sizes the next window
        from it.
        """
        if walk.current is None:
            msg = "nothing to walk"
            raise ValueError(msg)
        super().__init__(walk.current)
        self._walk = walk
        self._is_truncated = is_truncated
        self._on_window_done = on_window_done
        self._entries = entries

    @override
    def continue_if_empty(self, response: requests.Response) -> bool:
        # An empty (404) or truncated window must not end the walk.
        return True

    @override
    def get_next(self, response: requests.Response) -> Window | None:
        truncated = self._is_truncated(response)
        if not truncated:
            # The SDK advances only after every row of this page was processed.
            self._on_window_done(self.current_value, response)
        return self._walk.advance(truncated=truncated, rows=self._entries(response))


REPORT_DATE = "report_date"
#: The Singer replication method that reads everything on every run.
FULL_TABLE = "FULL_TABLE"
#: STATE flag: this stream (partition) has returned at least one row since start_date.
ROWS_SEEN = "rows_seen"
#: STATE: the IANA zone the bookmark was written in.
BOOKMARK_ZONE = "timezone"


class ReportStream(WolkvoxStream):
    """A stream over one Wolkvox report; subclasses decide how time is walked and bookmarked."""

    # Records are shaped to the schema's exact types in parse_response; re-checking every
    # field of every record in the SDK would only cost time.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: t.Any, report: Report) -> None:
        """Create the stream that reads ``report``."""
        self.report = report
        self.selected_by_default = report.selected_by_default
        # A list-valued parameter (campaign_ids, ...) is read once per value; when the rows do
        # not say which value they belong to, the value is added as a column and to the key.
        self.partition_params = tuple(p for p in report.params if p.setting in LIST_SETTINGS)
        declared = {f.name for f in report.fields}
        self.declared_fields = (
            self._leading_fields()
            + report.fields
            + tuple(
                Field(p.name, description=f"The {p.name} this row was requested for ({p.setting}).")
                for p in self.partition_params
                if p.name not in declared
            )
        )
        schema = dataclasses.replace(report, fields=self.declared_fields).json_schema()
        super().__init__(tap=tap, name=report.stream, schema=schema)
        key = list(report.primary_key)
        key += [p.name for p in self.partition_params if p.name not in key]
        self.primary_keys = key
        self.replication_key = self._bookmark_field()
        self.logger.addFilter(_quiet_about_explained_failures)
        self.windows = 0
        self.empty_windows = 0
        self.splits = 0
        #: The wall-clock range this run read (its first partition's start, the last stop).
        self.read_span: tuple[str, str] | None = None
        self.blank_rows = 0
        self._zone_change_said = False
        self.unavailable = False
        #: The stream tried to read (it was selected and its settings did not skip it).
        self.tried = False
        self.rows = 0
        #: Some partition of this stream has returned rows, in this run or an earlier one.
        self.ever_had_rows = False
        self._walk: WindowWalk | None = None
        self._context: Context | None = None
        self.extracted_at = dt.datetime.now(dt.timezone.utc)
        self._sent_at = self.extracted_at

    # -- what differs between event and aggregate reports -------------------------------------

    def _leading_fields(self) -> tuple[Field, ...]:
        return ()

    def _bookmark_field(self) -> str | None:
        return self.report.timestamp

    def _plan_walk(self, start: dt.datetime, stop: dt.datetime) -> WindowWalk:
        raise NotImplementedError

    def _bookmark_after(self, window: Window) -> str:
        """The bookmark once every row of ``window`` is out: where the next run resumes."""
        raise NotImplementedError

    def _start_from_bookmark(self, bookmark: str, written_in: OperationClock) -> dt.datetime:
        """Where a run resumes (wall clock, today's zone) given a bookmark this stream wrote.

        ``written_in`` is the clock of the zone the bookmark was written in; when the
        ``timezone`` setting changed since, the earlier of the two wall-clock readings wins.
        """
        raise NotImplementedError

    def _finish(self, record: dict[str, t.Any], window: Window) -> None:
        """Complete one shaped record of ``window`` in place (derive, stamp, count)."""

    # -- shared machinery -------------------------------------------------------------------

    @property
    def _settings(self) -> OperationSettings:
        return self.tap.settings  # type: ignore[no-any-return]

    @cached_property
    def _shaper(self) -> RowShaper:
        return RowShaper(
            self.report.fields,
            self._settings.clock,
            self.logger,
            label=f"{self.report.stream} ({self.report.api})",
            timestamp=self.report.timestamp,
            row_label=self._row_label,
            key=self.report.primary_key,
        )

    @property
    @override
    def report_api(self) -> str:
        return self.report.api

    @override
    def on_request_sent(self) -> None:
        # What a reply holds is decided when it was asked for, not when it arrived.
        self._sent_at = self._settings.clock.utc_now()

    def _settled(self) -> dt.datetime:
        """The instant before which rows are taken as published: asked-at minus the margin."""
        return floor_minute(self._sent_at - self._settings.settle)

    @property
    @override
    def is_sorted(self) -> bool:
        # Rows go out in the order Wolkvox sends them (large replies are streamed, not held to
        # be sorted); the bookmark moves only once a whole window is out, so any STATE is a
        # valid resume point without sorting.
        return False

    @override
    def generate_child_contexts(
        self, record: dict[str, t.Any], context: Context | None
    ) -> Iterable[Context | None]:
        # Report streams have no child streams.
        return ()

    @property
    @override
    def partitions(self) -> list[dict[str, t.Any]] | None:
        if not self.partition_params:
            return None
        values = [self._param_values(p.setting) for p in self.partition_params]
        names = [p.name for p in self.partition_params]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]

    def _param_values(self, setting: str) -> list[str]:
        value = self.config.get(setting)
        if value is None:
            value = ["all"] if setting != "agent_ids" else []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

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

    @property
    def all_windows_empty(self) -> bool:
        """True when this run read windows and every one answered 404."""
        return self.windows > 0 and self.empty_windows == self.windows

    @override
    def log_sync_costs(self) -> None:
        # Called once per stream at the very end of the run, after every stream has synced.
        super().log_sync_costs()
        if self.blank_rows:
            self.logger.warning(
                "Report %s (%s): skipped %d rows whose key fields (%s) were all blank",
                self.report.api,
                self.name,
                self.blank_rows,
                ", ".join(self._identifying),
            )
        if self.all_windows_empty and not self.ever_had_rows:
            # Quiet windows are normal on a five-minute poll; a report that has never returned
            # a row since start_date is worth a look.
            self.logger.warning(
                "Report %s (%s) has answered 404 for every window since start_date: either "
                "there was no activity, or the report is not enabled on this server.",
                self.report.api,
                self.name,
            )

    def _row_label(self, raw: dict[str, t.Any]) -> str:
        keys = [k for k in self.report.primary_key if k != self.replication_key]
        return ", ".join(f"{k}={raw.get(k)!r}" for k in keys if k in raw)

    def _query_params(self) -> dict[str, str]:
        params: dict[str, str] = {}
        for param in self.report.params:
            if param.setting in LIST_SETTINGS:
                params[param.name] = str((self._context or {})[param.name])
            elif self.config.get(param.setting) is not None:
                params[param.name] = str(self.config[param.setting])
        return params

    @override
    def get_http_request(self, *, page: PageContext[Window]) -> HTTPRequest:
        window = page.next_page_token
        if window is None:  # pragma: no cover - the paginator always holds a window
            msg = "no window to request"
            raise RuntimeError(msg)
        request = super().get_http_request(page=page)
        request.params = {"api": self.report.api, **window.query(), **self._query_params()}
        return request

    def _is_truncated(self, response: requests.Response) -> bool:
        return self._at_cap(self.reply_for(response))

    def _at_cap(self, reply: Reply) -> bool:
        """The reply holds as many entries as the cap (null ones count): it may be cut."""
        return self._entries(reply) >= self._settings.row_cap

    @staticmethod
    def _entries(reply: Reply) -> int:
        """What counts towards the row cap: rows, and null entries too."""
        return reply.size + reply.skipped

    @override
    def parse_response(self, response: requests.Response) -> Iterable[dict[str, t.Any]]:
        reply: Reply = self.reply_for(response)
        try:
            yield from self._parse(reply)
        finally:
            reply.close()  # a spilled body's temporary file goes as soon as its rows are out

    def _parse(self, reply: Reply) -> Iterator[dict[str, t.Any]]:
        window = self._walk.current if self._walk else None
        if window is None:  # pragma: no cover - a reply always belongs to a window
            return
        if self._at_cap(reply):
            # The API cuts a reply at the cap without saying so: these rows are not trusted
            # (the paginator then splits the window, or the run stops; see _is_truncated).
            return
        if reply.skipped:
            self.logger.warning(
                "Report %s (%s): the reply for window %s held null entries in 'data' (%d); "
                "they were skipped",
                self.report.api,
                self.name,
                window,
                reply.skipped,
            )
        self.extracted_at = self._settings.clock.utc_now()
        if reply.repairs:
            self.logger.warning(
                "Report %s (%s): the reply for window %s held values whose text is not valid "
                "UTF-8 (%d: invalid bytes or lone surrogate escapes); each bad character is "
                "emitted as U+FFFD, with the raw text (backslash-escaped) in unparsed_values",
                self.report.api,
                self.name,
                window,
                sum(len(raw) for raw in reply.repairs.values()),
            )
        yield from self._records(reply, window)

    def _records(self, reply: Reply, window: Window) -> Iterator[dict[str, t.Any]]:
        """The records of a trusted reply, one at a time (a large reply is never all in memory)."""
        shape = self._shaper.shape
        keep_raw = self._shaper.keep_raw
        # (a bucketed reply is one object: its repairs go to its first bucket's row)
        repairs = reply.repairs if self.report.buckets is None else {0: reply.repairs.get(0, {})}
        partition = [(p.name, (self._context or {})[p.name]) for p in self.partition_params]
        identifying = self._identifying
        finish = self._finish
        for index, row in enumerate(self.report.rows_of(reply.each_row())):
            record = shape(row)
            if repairs and repairs.get(index):
                keep_raw(record, repairs[index])
            if identifying and self._all_blank(record):
                self.blank_rows += 1
                continue
            for name, value in partition:
                # A row that does not say which campaign/skill/agent it is for gets the one asked.
                if not record.get(name):
                    record[name] = value
            finish(record, window)
            yield record

    @cached_property
    def _identifying(self) -> tuple[str, ...]:
        """The key fields a row itself must fill (not report_date, not a partition value)."""
        added = {REPORT_DATE, *(p.name for p in self.partition_params)}
        return tuple(name for name in self.report.primary_key if name not in added)

    def _all_blank(self, record: dict[str, t.Any]) -> bool:
        """True when every identifying key field of ``record`` is blank: no row at all.

        Wolkvox's documented sample replies are such rows (every value ``""``).
        """
        unparsed = record[UNPARSED] or {}
        for name in self._identifying:
            value = record[name]
            if name in unparsed or (value not in KEY_STAND_INS and str(value).strip()):
                return False
        return True

    def _on_window_done(self, window: Window, response: requests.Response) -> None:
        self.windows += 1
        reply = self.reply_for(response)
        self.rows += reply.size
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

    @override
    def get_new_paginator(self) -> WindowPaginator:
        if self._walk is None:  # pragma: no cover - get_records plans the walk first
            msg = "get_records plans the walk before paginating"
            raise RuntimeError(msg)
        return WindowPaginator(
            self._walk,
            is_truncated=self._is_truncated,
            on_window_done=self._on_window_done,
            entries=lambda response: self._entries(self.reply_for(response)),
        )

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        self._context = context
        if self.unavailable:  # the server lacks this report: said once, not per partition
            return
        if self.get_context_state(context).get(ROWS_SEEN):
            self.ever_had_rows = True
        for param in self.partition_params:
            if not self._param_values(param.setting):
                self.log(
                    "%s: skipped, setting %s is empty (report %s needs %s)",
                    self.name,
                    param.setting,
                    self.report.api,
                    param.name,
                )
                return
        self.tried = True
        start, stop = self._start(), self._stop()
        self._begin(start)
        before = self._counters()
        self._walk = self._plan_walk(start, stop)
        label = f"{self.name}{'' if not context else ' ' + str(dict(context))}"
        if self._walk.current is None:
            self.log("%s: nothing new to read (from %s, until %s)", label, start, stop)
            return
        self.log(
            "%s: reading %s .. %s (%s wall clock)",
            label,
            start,
            stop,
            self._settings.clock.zone.key,
        )
        first = self.read_span[0] if self.read_span else str(start)
        self.read_span = (first, str(stop))
        try:
            yield from self.request_records(context)
        except ReportUnavailableError as exc:
            # One report missing on this server must not cost the user every other stream;
            # a run where every stream is missing fails at the end (TapWolkvox.check_run).
            self.logger.warning("%s Skipping stream %s.", exc, self.name)
            self.unavailable = True
        except WindowTooDenseError as exc:
            msg = f"Report {self.report.api} ({self.name}): {exc}."
            raise WolkvoxError(msg) from None
        except (RetriableAPIError, requests.RequestException, ConnectionError) as exc:
            msg = (
                f"Report {self.report.api} ({self.name}) kept failing after "
                f"{self.backoff_max_tries()} attempts: {describe_failure(exc)}. The STATE "
                "already emitted is a valid resume point."
            )
            raise GaveUpError(msg) from None
        finally:
            windows, empty, requests_sent, retries, rows = (
                after - then for after, then in zip(self._counters(), before, strict=True)
            )
            self.splits += self._walk.splits
            self.log(
                "%s: %d windows (%d empty, %d split), %d requests, %d retries, %d rows",
                label,
                windows,
                empty,
                self._walk.splits,
                requests_sent,
                retries,
                rows,
                level=logging.INFO,
            )

    @override
    def summary(self) -> dict[str, t.Any]:
        read_from, read_until = self.read_span or (None, None)
        return {
            **super().summary(),
            "windows": self.windows,
            "empty": self.empty_windows,
            "split": self.splits,
            "rows": self.rows,
            "read_from": read_from,
            "read_until": read_until,
        }

    def _counters(self) -> tuple[int, int, int, int, int]:
        return (self.windows, self.empty_windows, self.requests_sent, self.retries, self.rows)

    def _begin(self, start: dt.datetime) -> None:
        """A partition's walk is about to start at ``start`` (wall clock)."""


class EventReportStream(ReportStream):
    """One row per interaction or event: windows of up to 31 days, bookmarked on its timestamp.

    The bookmark never passes the instant a window was asked for minus ``settle_minutes``: rows
    Wolkvox publishes late are read by the next run, in the same call as the new ones.
    """

    def __init__(self, tap: t.Any, report: Report) -> None:
        """Create the stream; it also measures how late rows arrive (see margin.py)."""
        super().__init__(tap, report)
        self._tally: MarginTally | None = None
        self._read_from = self.extracted_at
        self._read_until: dt.datetime | None = None
        self.late: list[LateRows] = []

    @override
    def _plan_walk(self, start: dt.datetime, stop: dt.datetime) -> WindowWalk:
        # Knowing the cap, the walk sizes windows to hold well under it (see windows.py).
        settings = self._settings
        return WindowWalk(start, stop, settings.window_span, row_cap=settings.row_cap)

    @override
    def _bookmark_after(self, window: Window) -> str:
        read = self._settings.clock.instant(window.end + ONE_SECOND)
        return format_instant(min(read, self._settled()))

    @override
    def _is_truncated(self, response: requests.Response) -> bool:
        truncated = super()._is_truncated(response)
        if truncated and self._walk is not None and self._walk.current is not None:
            self.log(
                "%s: window %s returned %d rows, the per-request cap; splitting it",
                self.name,
                self._walk.current,
                len(self.reply_for(response).rows) + self.reply_for(response).skipped,
            )
        return truncated

    @override
    def _begin(self, start: dt.datetime) -> None:
        clock = self._settings.clock
        previous = MarginSummary.from_state(self.get_context_state(self._context).get(STATE_KEY))
        self._read_from = clock.instant(start)
        self._read_until = None
        self._tally = MarginTally(previous, clock.utc_now() - self._settings.settle)

    @override
    def _window_read(self, window: Window) -> None:
        tally = self._tally
        if self.report.timestamp is None or tally is None:
            return
        self._read_until = self._settings.clock.instant(window.end + ONE_SECOND)
        if self._walk is not None and self._walk.is_last(window):
            late = tally.late_rows(self._read_from, self._read_until)
            if late is not None:
                self.late.append(late)

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

    @override
    def log_sync_costs(self) -> None:
        super().log_sync_costs()
        if not self.late:
            return
        rows = sum(late.rows for late in self.late)
        latest = max(
            (late.latest_at_least for late in self.late if late.latest_at_least), default=None
        )
        margin = int(self._settings.settle.total_seconds() // 60)
        if rows == 0:
            self.log("%s: no late rows in the re-read margin (%d min)", self.name, margin)
            return
        self.log(
            "%s: %d rows arrived late (published after the previous run had read their "
            "minute); the latest at least %d min after its timestamp (margin %d min)",
            self.name,
            rows,
            int(latest.total_seconds() // 60) if latest else 0,
            margin,
        )
        if any(late.at_far_edge for late in self.late):
            self.logger.warning(
                "%s: late rows reached the far edge of the %d-minute margin, so rows published "
                "later than that may have been missed: raise settle_minutes (and set "
                "lookback_minutes once to re-read what is past).",
                self.name,
                margin,
            )

    @override
    def _start_from_bookmark(self, bookmark: str, written_in: OperationClock) -> dt.datetime:
        clock = self._settings.clock
        instant = clock.parse_setting(bookmark) - self._settings.lookback
        return min(clock.resume_wall_clock(instant), written_in.resume_wall_clock(instant))

    @override
    def _finish(self, record: dict[str, t.Any], window: Window) -> None:
        key = self.report.timestamp
        if key is None:
            return
        if self.report.timestamp_source:
            outer, inner = self.report.timestamp_source.split("[].", 1)
            stamps = [i[inner] for i in record.get(outer) or () if i.get(inner)]
            record[key] = min(stamps) if stamps else None
        stamp = record[key]
        if stamp and stamp != UNREADABLE_INSTANT and self._tally is not None:
            self._tally.count(stamp)


class DailySnapshotStream(ReportStream):
    """Totals over a range: read one local day per request, each row stamped ``report_date``.

    Today's figures still change, so today is read again on the next run, and so is a past day
    that the late-row margin still reaches into; completed days are not fetched again.
    """

    def __init__(self, tap: t.Any, report: Report) -> None:
        """Create the stream."""
        super().__init__(tap, report)
        self._first_incomplete_day: dt.date | None = None

    @override
    def _leading_fields(self) -> tuple[Field, ...]:
        return (
            Field(
                REPORT_DATE,
                Kind.DAY,
                "The local day (operation's timezone) these totals cover, 00:00:00-23:59:59.",
            ),
        )

    @override
    def _bookmark_field(self) -> str:
        return REPORT_DATE

    @override
    def _plan_walk(self, start: dt.datetime, stop: dt.datetime) -> WindowWalk:
        first = dt.datetime.combine(start.date(), dt.time())
        last = dt.datetime.combine(stop.date(), dt.time(23, 59, 59))
        return WindowWalk(first, last, dt.timedelta(days=1))

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
        return min(midnight, dt.datetime.combine(began.date(), dt.time()))

    @override
    def _is_truncated(self, response: requests.Response) -> bool:
        if super()._is_truncated(response):
            # Totals cannot be split into smaller ranges and added up.
            day = self._walk.current.start.date() if self._walk and self._walk.current else ""
            msg = (
                f"Report {self.report.api} ({self.name}) returned the per-request cap of "
                f"{self._settings.row_cap} rows for the single day {day}, and a day's totals "
                "cannot be split: the run stops rather than load incomplete totals. Narrow the "
                "report with campaign_ids or skill_ids."
            )
            raise WolkvoxError(msg)
        return False

    @override
    def _finish(self, record: dict[str, t.Any], window: Window) -> None:
        record[REPORT_DATE] = window.start.date().isoformat()


def stream_for(tap: t.Any, report: Report) -> ReportStream:
    """The stream that reads ``report``."""
    if report.grain == "aggregate":
        return DailySnapshotStream(tap, report)
    return EventReportStream(tap, report)
