"""Report streams, configured by :class:`~tap_wolkvox.reports.Report` declarations.

Event reports (one row per interaction or event) are walked in windows of up to 31 days and
bookmarked on their timestamp. Aggregate reports (totals over whatever range is asked) are read
one local day at a time and stamped with ``report_date``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import logging
import sys
import typing as t
from functools import cached_property

import requests
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.mapper import SameRecordTransform
from singer_sdk.pagination import BaseAPIPaginator
from singer_sdk.singerlib import RecordMessage
from typing_extensions import override

from tap_wolkvox.client import WolkvoxStream, describe_failure
from tap_wolkvox.errors import ReportUnavailableError, WolkvoxError
from tap_wolkvox.reports import Field, Kind, Report, RowShaper
from tap_wolkvox.settings import LIST_SETTINGS
from tap_wolkvox.timestamps import ONE_SECOND, format_instant
from tap_wolkvox.windows import Window, WindowTooDenseError, WindowWalk

if t.TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable

    from singer_sdk.helpers.types import Context
    from singer_sdk.streams.rest import HTTPRequest, PageContext

    from tap_wolkvox.errors import Reply
    from tap_wolkvox.settings import OperationSettings


class GaveUpError(WolkvoxError):
    """Retries were exhausted."""


def _quiet_about_explained_failures(record: logging.LogRecord) -> bool:
    """Drop the SDK's generic "unhandled error" line when a WolkvoxError explains the failure.

    The tap then prints that error's one plain sentence instead (see TapWolkvox.invoke).
    """
    return not (
        record.msg == "An unhandled error occurred while syncing '%s'"
        and isinstance(sys.exc_info()[1], WolkvoxError)
    )


class WindowPaginator(BaseAPIPaginator[Window]):
    """Turns the window walk into SDK pages: one page per window."""

    def __init__(
        self,
        walk: WindowWalk,
        *,
        is_truncated: Callable[[requests.Response], bool],
        on_window_done: Callable[[Window, requests.Response], None],
    ) -> None:
        """Page through ``walk``; ``on_window_done`` runs once every row of a window is out."""
        if walk.current is None:
            msg = "nothing to walk"
            raise ValueError(msg)
        super().__init__(walk.current)
        self._walk = walk
        self._is_truncated = is_truncated
        self._on_window_done = on_window_done

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
        return self._walk.advance(truncated=truncated)


REPORT_DATE = "report_date"


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
        self.unavailable = False
        self.rows = 0
        self._walk: WindowWalk | None = None
        self._context: Context | None = None
        self._extracted_at = dt.datetime.now(dt.timezone.utc)

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

    def _start_from_bookmark(self, bookmark: str) -> dt.datetime:
        """Where a run resumes (wall clock) given a bookmark this stream wrote."""
        raise NotImplementedError

    def _finish(self, records: list[dict[str, t.Any]], window: Window) -> None:
        """Complete the shaped records of one window in place (sort, derive, stamp)."""

    # -- shared machinery -------------------------------------------------------------------

    @property
    def _settings(self) -> OperationSettings:
        return self._tap.settings  # type: ignore[attr-defined, no-any-return]

    @cached_property
    def _shaper(self) -> RowShaper:
        return RowShaper(
            self.report.fields,
            self._settings.clock,
            self.logger,
            label=f"{self.report.stream} ({self.report.api})",
            timestamp=self.report.timestamp,
            row_label=self._row_label,
        )

    @property
    @override
    def report_api(self) -> str:
        return self.report.api

    @property
    @override
    def is_sorted(self) -> bool:
        # Rows are sorted inside each window and windows run forward in time, so a STATE
        # written mid-window is a valid resume point.
        return True

    @property
    @override
    def check_sorted(self) -> bool:
        # A look-back (and an aggregate's re-read of today) deliberately goes back in time.
        return False

    @override
    def _increment_stream_state(
        self, latest_record: dict[str, t.Any], *, context: Context | None = None
    ) -> None:
        # The bookmark advances once per completed window (_set_bookmark), not per record:
        # a restart repeats at most the window it was in, and 60,000 records do not each pay
        # for a state update.
        return

    @override
    def generate_child_contexts(
        self, record: dict[str, t.Any], context: Context | None
    ) -> Iterable[Context | None]:
        # Report streams have no child streams.
        return ()

    @override
    def _generate_record_messages(
        self, record: dict[str, t.Any]
    ) -> Generator[RecordMessage, None, None]:
        if not self._plain_records:
            yield from super()._generate_record_messages(record)
            return
        # Every property selected, no stream map, no flattening: the record is already in its
        # final shape and type, so it is sent as is, stamped with when its reply arrived.
        yield RecordMessage(
            stream=self.name,
            record=record,
            version=self._stream_version,
            time_extracted=self._extracted_at,
        )

    @cached_property
    def _plain_records(self) -> bool:
        maps = self.stream_maps
        return (
            len(maps) == 1
            and type(maps[0]) is SameRecordTransform
            and not maps[0].flattening_enabled
            and maps[0].stream_alias == self.name
            and all(self.mask.values())
        )

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

    @property
    def all_windows_empty(self) -> bool:
        """True when this run read windows and every one answered 404."""
        return self.windows > 0 and self.empty_windows == self.windows

    @override
    def log_sync_costs(self) -> None:
        # Called once per stream at the very end of the run.
        super().log_sync_costs()
        if self.all_windows_empty:
            self.logger.warning(
                "Report %s (%s) answered 404 for every window of this run: either there was "
                "no activity, or the report is not enabled on this server.",
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
        return len(self.reply_for(response).rows) >= self._settings.row_cap

    @override
    def parse_response(self, response: requests.Response) -> Iterable[dict[str, t.Any]]:
        reply: Reply = self.reply_for(response)
        window = self._walk.current if self._walk else None
        if window is None:  # pragma: no cover - a reply always belongs to a window
            return
        if len(reply.rows) >= self._settings.row_cap:
            # The API cuts a reply at the cap without saying so: these rows are not trusted.
            self.log(
                "%s: window %s returned %d rows, the per-request cap; splitting it",
                self.name,
                window,
                len(reply.rows),
            )
            return
        self._extracted_at = dt.datetime.now(dt.timezone.utc)
        shape = self._shaper.shape
        records = [shape(row) for row in reply.rows]
        self._finish(records, window)
        yield from records

    def _on_window_done(self, window: Window, response: requests.Response) -> None:
        self.windows += 1
        reply = self.reply_for(response)
        self.rows += len(reply.rows)
        if reply.empty_window:
            self.empty_windows += 1
        self._set_bookmark(self._bookmark_after(window))

    def _set_bookmark(self, bookmark: str) -> None:
        """Record where the next run resumes (never moving back) and emit STATE."""
        state = self.get_context_state(self._context)
        current = state.get("replication_key_value")
        if (
            current is None
            or state.get("replication_key") != self.replication_key
            or bookmark > str(current)
        ):
            state["replication_key"] = self.replication_key
            state["replication_key_value"] = bookmark
        self.state_manager.is_flushed = False
        self._write_state_message()

    def _incoming_bookmark(self) -> str | None:
        state = self.get_context_state(self._context)
        bookmark = state.get("replication_key_value")
        if not bookmark or state.get("replication_key") != self.replication_key:
            return None
        return str(bookmark)

    def _start(self) -> dt.datetime:
        """Where this run starts (wall clock): the bookmark, never before start_date."""
        settings = self._settings
        start = settings.clock.wall_clock(settings.start)
        bookmark = self._incoming_bookmark()
        if bookmark is None:
            return start
        try:
            return max(self._start_from_bookmark(bookmark), start)
        except ValueError:
            self.logger.warning(
                "%s: ignoring unreadable bookmark %r; starting from start_date", self.name, bookmark
            )
            return start

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
        )

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        self._context = context
        if self.unavailable:  # the server lacks this report: said once, not per partition
            return
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
        start, stop = self._start(), self._stop()
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
        try:
            yield from self.request_records(context)
        except ReportUnavailableError as exc:
            others = [s for s in self._tap.streams.values() if s.selected and s is not self]
            if not others:
                raise
            # One report missing on this server must not cost the user every other stream.
            self.logger.warning("%s Skipping stream %s; the other streams go on.", exc, self.name)
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
            self.log(
                "%s: %d windows (%d empty, %d split), %d requests, %d retries, %d rows",
                label,
                self.windows,
                self.empty_windows,
                self._walk.splits,
                self.requests_sent,
                self.retries,
                self.rows,
                level=logging.INFO,
            )


class EventReportStream(ReportStream):
    """One row per interaction or event: windows of up to 31 days, bookmarked on its timestamp."""

    @override
    def _plan_walk(self, start: dt.datetime, stop: dt.datetime) -> WindowWalk:
        return WindowWalk(start, stop, self._settings.window_span)

    @override
    def _bookmark_after(self, window: Window) -> str:
        return format_instant(self._settings.clock.instant(window.end + ONE_SECOND))

    @override
    def _start_from_bookmark(self, bookmark: str) -> dt.datetime:
        clock = self._settings.clock
        return clock.wall_clock(clock.parse_setting(bookmark) - self._settings.lookback)

    @override
    def _finish(self, records: list[dict[str, t.Any]], window: Window) -> None:
        key = self.report.timestamp
        if key is None:
            return
        if self.report.timestamp_source:
            outer, inner = self.report.timestamp_source.split("[].", 1)
            for record in records:
                stamps = [i[inner] for i in record.get(outer) or () if i.get(inner)]
                record[key] = min(stamps) if stamps else None
        # Windows come back in no particular order; sorted rows make every STATE resumable.
        records.sort(key=lambda record: record[key] or "")


class DailySnapshotStream(ReportStream):
    """Totals over a range: read one local day per request, each row stamped ``report_date``.

    Today's figures still change, so today is read again on the next run; completed days are
    not fetched again.
    """

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
        day = window.start.date()
        today = self._settings.clock.now().date()
        return (day if day >= today else day + dt.timedelta(days=1)).isoformat()

    @override
    def _start_from_bookmark(self, bookmark: str) -> dt.datetime:
        return dt.datetime.combine(dt.date.fromisoformat(bookmark), dt.time())

    @override
    def _is_truncated(self, response: requests.Response) -> bool:
        if super()._is_truncated(response):
            # Totals cannot be split into smaller ranges and added up.
            msg = (
                f"Report {self.report.api} ({self.name}) returned the per-request cap of rows "
                "for a single day; the day's totals would be incomplete."
            )
            raise WolkvoxError(msg)
        return False

    @override
    def _finish(self, records: list[dict[str, t.Any]], window: Window) -> None:
        day = window.start.date().isoformat()
        for record in records:
            record[REPORT_DATE] = day


def stream_for(tap: t.Any, report: Report) -> ReportStream:
    """The stream that reads ``report``."""
    if report.grain == "aggregate":
        return DailySnapshotStream(tap, report)
    return EventReportStream(tap, report)
