"""Report streams: one generic stream class, configured by a :class:`Report` declaration."""

from __future__ import annotations

import logging
import sys
import typing as t
from functools import cached_property

import requests
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.pagination import BaseAPIPaginator
from typing_extensions import override

from tap_wolkvox.client import WolkvoxStream, describe_failure
from tap_wolkvox.errors import ReportUnavailableError, WolkvoxError
from tap_wolkvox.reports import Report, RowShaper
from tap_wolkvox.timestamps import ONE_SECOND, format_instant
from tap_wolkvox.windows import Window, WindowTooDenseError, WindowWalk

if t.TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable

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


class ReportStream(WolkvoxStream):
    """An incremental stream over one Wolkvox event report, walked in time windows."""

    # Records are shaped to the schema's exact types in parse_response; re-checking every
    # field of every record in the SDK would only cost time.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: t.Any, report: Report) -> None:
        """Create the stream that reads ``report``."""
        self.report = report
        self.selected_by_default = report.selected_by_default
        super().__init__(tap=tap, name=report.stream, schema=report.json_schema())
        self.primary_keys = list(report.primary_key)
        self.replication_key = report.timestamp
        self.logger.addFilter(_quiet_about_explained_failures)
        self.windows = 0
        self.empty_windows = 0
        self.unavailable = False
        self.splits = 0
        self.rows = 0

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
        # A look-back deliberately re-reads rows older than the bookmark.
        return False

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
        keys = [k for k in self.report.primary_key if k != self.report.timestamp]
        return ", ".join(f"{k}={raw.get(k)!r}" for k in keys)

    def _extra_params(self) -> dict[str, str]:
        return {param.name: str(self.config.get(param.setting, "")) for param in self.report.params}

    @override
    def get_http_request(self, *, page: PageContext[Window]) -> HTTPRequest:
        window = page.next_page_token
        if window is None:  # pragma: no cover - the paginator always holds a window
            msg = "no window to request"
            raise RuntimeError(msg)
        request = super().get_http_request(page=page)
        request.params = {"api": self.report.api, **window.query(), **self._extra_params()}
        return request

    def _is_truncated(self, response: requests.Response) -> bool:
        return len(self.reply_for(response).rows) >= self._settings.row_cap

    @override
    def parse_response(self, response: requests.Response) -> Iterable[dict[str, t.Any]]:
        reply: Reply = self.reply_for(response)
        window = self._current_window
        if len(reply.rows) >= self._settings.row_cap:
            # The API cuts a reply at the cap without saying so: these rows are not trusted.
            self.log(
                "%s: window %s returned %d rows, the per-request cap; splitting it",
                self.name,
                window,
                len(reply.rows),
            )
            return
        shape = self._shaper.shape
        records = [shape(row) for row in reply.rows]
        key = self.report.timestamp
        if key:
            # Windows come back in no particular order; sorted rows make every STATE resumable.
            records.sort(key=lambda record: record[key] or "")
        self.logger.debug("%s: window %s: %d rows", self.name, window, len(records))
        yield from records

    @property
    def _current_window(self) -> Window | None:
        return self._walk.current if self._walk else None

    def _on_window_done(self, window: Window, response: requests.Response) -> None:
        self.windows += 1
        reply = self.reply_for(response)
        self.rows += len(reply.rows)
        if reply.empty_window:
            self.empty_windows += 1
        self._advance_bookmark(window.end + ONE_SECOND)

    def _advance_bookmark(self, resume_from: dt.datetime) -> None:
        """Record that everything before ``resume_from`` (wall clock) has been read; emit STATE."""
        bookmark = format_instant(self._settings.clock.instant(resume_from))
        state = self.stream_state
        current = state.get("replication_key_value")
        if (
            current is None
            or state.get("replication_key") != self.replication_key
            or (bookmark > current)
        ):
            state["replication_key"] = self.replication_key
            state["replication_key_value"] = bookmark
        self.state_manager.is_flushed = False
        self._write_state_message()

    def _start_instant(self) -> dt.datetime:
        """Where this run starts: the bookmark (less the look-back), never before start_date."""
        settings = self._settings
        state = self.stream_state
        bookmark = state.get("replication_key_value")
        if not bookmark or state.get("replication_key") != self.replication_key:
            return settings.start
        try:
            resume = settings.clock.parse_setting(str(bookmark)) - settings.lookback
        except ValueError:
            self.logger.warning(
                "%s: ignoring unreadable bookmark %r; starting from start_date",
                self.name,
                bookmark,
            )
            return settings.start
        return max(resume, settings.start)

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

    _walk: WindowWalk | None = None

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        settings = self._settings
        clock = settings.clock
        now = clock.now()
        stop = now if settings.end is None else min(clock.wall_clock(settings.end), now)
        start = clock.wall_clock(self._start_instant())
        self._walk = WindowWalk(start, stop, settings.window_span)
        if self._walk.current is None:
            self.log("%s: nothing new to read (start %s is after %s)", self.name, start, stop)
            return
        self.log("%s: reading %s .. %s (%s wall clock)", self.name, start, stop, clock.zone.key)
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
            self.splits = self._walk.splits
            self.log(
                "%s: %d windows (%d empty, %d split), %d requests, %d retries, %d rows",
                self.name,
                self.windows,
                self.empty_windows,
                self.splits,
                self.requests_sent,
                self.retries,
                self.rows,
                level=logging.INFO,
            )
