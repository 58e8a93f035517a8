"""Report streams, configured by :class:`~tap_wolkvox.declarations.model.Report` declarations.

Event reports (one row per interaction or event) are walked in windows of up to 31 days and
bookmarked on their timestamp. Aggregate reports (totals over whatever range is asked) are read
one local day at a time and stamped with ``report_date``.

This module says how a window is read; how STATE moves is in bookmarks.py, how a record is
written in records.py, and the stream classes here combine the three.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import logging
import sys
import typing as t

import requests
from singer_sdk.exceptions import MapExpressionError, RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.pagination import BaseAPIPaginator
from typing_extensions import override

from tap_wolkvox.declarations.model import OCCURRENCE, Field, Report
from tap_wolkvox.replies.errors import ReportUnavailableError, WolkvoxError
from tap_wolkvox.sdk import UNHANDLED_ERROR
from tap_wolkvox.settings import LIST_SETTINGS
from tap_wolkvox.streams.base import REPORT_DATE
from tap_wolkvox.streams.bookmarks import (
    ROWS_SEEN,
    Bookmarks,
    DailySnapshotBookmarks,
    EventBookmarks,
)
from tap_wolkvox.streams.http import GaveUpError
from tap_wolkvox.streams.records import DailySnapshotRecords, EventRecords, Records
from tap_wolkvox.time.margin import reaches_far_edge
from tap_wolkvox.time.timestamps import ONE_MINUTE
from tap_wolkvox.time.windows import Window, WindowTooDenseError, WindowWalk

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from singer_sdk.helpers.types import Context
    from singer_sdk.streams.rest import HTTPRequest, PageContext

    from tap_wolkvox.replies.errors import Reply
    from tap_wolkvox.time.margin import LateRows, LearnedMargin, MarginTally

__all__ = [
    "REPORT_DATE",
    "DailySnapshotStream",
    "EventReportStream",
    "GaveUpError",
    "ReportStream",
    "WindowPaginator",
    "stream_for",
]


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
        may_be_cut: Callable[[requests.Response], str | None],
        on_window_done: Callable[[Window, requests.Response], None],
        held: Callable[[requests.Response], int],
    ) -> None:
        """Page through ``walk``; ``on_window_done`` runs once every row of a window is out.

        ``may_be_cut`` says why a reply may be cut (None: it is whole); ``held`` how many rows
        its window is known to hold (null entries too): the walk sizes the next window from it.
        """
        if walk.current is None:
            msg = "nothing to walk"
            raise ValueError(msg)
        super().__init__(walk.current)
        self._walk = walk
        self._may_be_cut = may_be_cut
        self._on_window_done = on_window_done
        self._held = held

    @override
    def continue_if_empty(self, response: requests.Response) -> bool:
        # An empty (404) or truncated window must not end the walk.
        return True

    @override
    def get_next(self, response: requests.Response) -> Window | None:
        why = self._may_be_cut(response)
        if why is None:
            # The SDK advances only after every row of this page was processed.
            self._on_window_done(self.current_value, response)
        return self._walk.advance(truncated=why is not None, rows=self._held(response), why=why)


class ReportStream(Records, Bookmarks):
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
        self.primary_keys = [*key, OCCURRENCE]
        self.replication_key = self._bookmark_field()
        self.logger.addFilter(_quiet_about_explained_failures)
        self.windows = 0
        self.empty_windows = 0
        self.splits = 0
        #: The wall-clock range this run read (its first partition's start, the last stop).
        self.read_span: tuple[str, str] | None = None
        self._zone_change_said = False
        self.rows = 0
        #: Some partition of this stream has returned rows, in this run or an earlier one.
        self.ever_had_rows = False
        self._walk: WindowWalk | None = None
        self._context: Context | None = None
        self.extracted_at = dt.datetime.now(dt.timezone.utc)
        self._sent_at = self.extracted_at

    @property
    @override
    def report_api(self) -> str:
        return self.report.api

    @override
    def on_request_sent(self) -> None:
        # What a reply holds is decided when it was asked for, not when it arrived.
        self._sent_at = self._settings.clock.utc_now()

    @override
    def on_clock_moved(self, moved: dt.timedelta) -> None:
        # The first reply of a run shows the host's clock off: the request went out at the
        # server's time, and that caps the bookmark of the window already planned.
        self._sent_at += moved

    @property
    @override
    def is_sorted(self) -> bool:
        # Rows go out in the order Wolkvox sends them (large replies are streamed, not held to
        # be sorted); the bookmark moves only once a whole window is out, so any STATE is a
        # valid resume point without sorting.
        return False

    @property
    @override
    def partitions(self) -> list[dict[str, t.Any]] | None:
        if not self.partition_params:
            return None
        values = [self._param_values(p.setting) for p in self.partition_params]
        names = [p.name for p in self.partition_params]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]

    @property
    def all_windows_empty(self) -> bool:
        """True when this run read windows and every one answered 404."""
        return self.windows > 0 and self.empty_windows == self.windows

    @override
    def log_sync_costs(self) -> None:
        # Called once per stream at the very end of the run, after every stream has synced.
        super().log_sync_costs()
        if self.all_windows_empty and not self.ever_had_rows:
            # Quiet windows are normal on a five-minute poll; a report that has never returned
            # a row since start_date is worth a look.
            self.logger.warning(
                "Report %s (%s) has answered 404 for every window since start_date: either "
                "there was no activity, or the report is not enabled on this server.",
                self.report.api,
                self.name,
            )

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

    def _cut(self, response: requests.Response) -> str | None:
        """Why the reply for the current window may be cut (None: it is whole)."""
        return self._may_be_cut(self.reply_for(response))

    @override
    def _may_be_cut(self, reply: Reply) -> str | None:
        return reply.may_be_cut(self._settings.row_cap)

    @override
    def get_new_paginator(self) -> WindowPaginator:
        if self._walk is None:  # pragma: no cover - get_records plans the walk first
            msg = "get_records plans the walk before paginating"
            raise RuntimeError(msg)
        return WindowPaginator(
            self._walk,
            may_be_cut=self._cut,
            on_window_done=self._on_window_done,
            held=lambda response: self.reply_for(response).held,
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
        self.begin_reading()
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
            raise self.gave_up(exc) from None
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


class EventReportStream(EventRecords, EventBookmarks, ReportStream):
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
        self._learned: LearnedMargin | None = None
        self._late_now: LateRows | None = None
        self.margin_used = dt.timedelta(0)
        self.widened_to: dt.timedelta | None = None
        self.narrowed_to: dt.timedelta | None = None

    @override
    def _plan_walk(self, start: dt.datetime, stop: dt.datetime) -> WindowWalk:
        # Knowing the cap, the walk sizes windows to hold well under it (see windows.py).
        settings = self._settings
        return WindowWalk(start, stop, settings.window_span, row_cap=settings.row_cap)

    @override
    def _cut(self, response: requests.Response) -> str | None:
        why = super()._cut(response)
        if why is not None and self._walk is not None and self._walk.current is not None:
            self.log("%s: window %s %s; splitting it", self.name, self._walk.current, why)
        return why

    @override
    def log_sync_costs(self) -> None:
        super().log_sync_costs()
        margin = int(self.margin_used / ONE_MINUTE)
        if self.narrowed_to is not None:
            self.log(
                "%s: no row came later than half the learned late-row margin for a week: the "
                "following runs use a %d-minute margin",
                self.name,
                int(self.narrowed_to / ONE_MINUTE),
            )
        if not self.late:
            return
        rows = sum(late.rows for late in self.late)
        latest = max(
            (late.latest_at_least for late in self.late if late.latest_at_least), default=None
        )
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
        if self.widened_to is not None:
            self.logger.warning(
                "%s: late rows reached the far edge of the %d-minute margin, so rows published "
                "later than that may have been missed: the following runs use a %d-minute "
                "margin (learned_margin in STATE). Set lookback_minutes once to re-read what is "
                "past.",
                self.name,
                margin,
                int(self.widened_to / ONE_MINUTE),
            )
        elif any(reaches_far_edge(late, self.margin_used) for late in self.late):
            self.logger.warning(
                "%s: late rows reached the far edge of the %d-minute margin, so rows published "
                "later than that may have been missed: raise settle_minutes (and set "
                "lookback_minutes once to re-read what is past).",
                self.name,
                margin,
            )


class DailySnapshotStream(DailySnapshotRecords, DailySnapshotBookmarks, ReportStream):
    """Totals over a range: read one local day per request, each row stamped ``report_date``.

    Today's figures still change, so today is read again on the next run, and so is a past day
    that the late-row margin still reaches into; completed days are not fetched again.
    """

    def __init__(self, tap: t.Any, report: Report) -> None:
        """Create the stream."""
        super().__init__(tap, report)
        self._first_incomplete_day: dt.date | None = None

    @override
    def _plan_walk(self, start: dt.datetime, stop: dt.datetime) -> WindowWalk:
        first = dt.datetime.combine(start.date(), dt.time())
        last = dt.datetime.combine(stop.date(), dt.time(23, 59, 59))
        return WindowWalk(first, last, dt.timedelta(days=1))

    @override
    def _cut(self, response: requests.Response) -> str | None:
        why = super()._cut(response)
        if why is not None:
            # Totals cannot be split into smaller ranges and added up.
            day = self._walk.current.start.date() if self._walk and self._walk.current else ""
            msg = (
                f"Report {self.report.api} ({self.name}) {why} for the single day {day}, and a "
                "day's totals cannot be split: the run stops rather than load incomplete "
                "totals. Narrow the report with campaign_ids or skill_ids."
            )
            raise WolkvoxError(msg)
        return None


def stream_for(tap: t.Any, report: Report) -> ReportStream:
    """The stream that reads ``report``."""
    if report.grain == "aggregate":
        return DailySnapshotStream(tap, report)
    return EventReportStream(tap, report)
