"""Streams of the ``information.php`` family (declared in ``declarations/information.py``).

Tables (agents, skills, ...) are read whole on every run, one call each, every row stamped with
the instant its reply was read (``_read_at``); once every row of a table is out, the stream
sends ACTIVATE_VERSION, so that a target which supports it drops the rows this run no longer
saw. The audit log and the manager's notifications are event reports walked in windows exactly
like the Reports Manager's, only on another path.

Every request goes through :class:`~tap_wolkvox.streams.http.WolkvoxStream`'s request path: the
same token header, lock, retries and error vocabulary as the reports.
"""

from __future__ import annotations

import logging
import typing as t
from functools import cached_property

import requests
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from typing_extensions import override

from tap_wolkvox.declarations.information import (
    DIMENSIONS,
    INFORMATION_PATH,
    INFORMATION_REPORTS,
    READ_AT,
    SKILLS,
    TOKEN_USAGE,
    Dimension,
)
from tap_wolkvox.declarations.model import (
    OCCURRENCE,
    RowShaper,
    is_blank,
    is_blank_row,
    occurrence_numbering,
)
from tap_wolkvox.replies.errors import (
    NotWolkvoxError,
    ReportUnavailableError,
    WolkvoxError,
    repaired,
)
from tap_wolkvox.streams.http import GaveUpError, WolkvoxStream
from tap_wolkvox.streams.report import EventReportStream, _quiet_about_explained_failures
from tap_wolkvox.time.timestamps import format_instant

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from singer_sdk.helpers.types import Context
    from singer_sdk.streams.rest import HTTPRequest, PageContext

    from tap_wolkvox.replies.errors import Reply
    from tap_wolkvox.settings import OperationSettings


class InformationEventStream(EventReportStream):
    """An event report of ``information.php`` (audit_log, get_notification).

    The window walk, the cap split, 404 as an empty window, the late-row margin and STATE are
    the event reports'; only the path differs.
    """

    path = INFORMATION_PATH


class DimensionStream(WolkvoxStream):
    """An ``information.php`` table, read whole on every run (FULL_TABLE)."""

    # Records are shaped to the schema's exact types in parse_response, as the reports' are.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    path = INFORMATION_PATH
    #: Errors that mean "this server lacks the API": the stream is skipped with one warning.
    missing_api: tuple[type[WolkvoxError], ...] = (ReportUnavailableError,)

    def __init__(self, tap: t.Any, dimension: Dimension) -> None:
        """Create the stream that reads ``dimension``."""
        self.dimension = dimension
        self.selected_by_default = dimension.selected_by_default
        super().__init__(tap=tap, name=dimension.stream, schema=dimension.json_schema())
        self.primary_keys = [*dimension.primary_key, OCCURRENCE]
        self.replication_key = None
        self.logger.addFilter(_quiet_about_explained_failures)
        self.rows = 0
        #: The first key part of every row read in this run (skills: the skill IDs); None
        #: until the table has been read.
        self.ids: list[str] | None = None
        self._read_ahead: list[dict[str, t.Any]] | None = None
        #: Requests and retries the read ahead cost.
        self._ahead = (0, 0)
        #: Every row of the table was read in this run (ACTIVATE_VERSION may go out).
        self._whole = False
        self._context: Context | None = None

    @property
    def _settings(self) -> OperationSettings:
        return self.tap.settings  # type: ignore[no-any-return]

    @property
    @override
    def report_api(self) -> str:
        return self.dimension.api

    @property
    @override
    def emit_activate_version_messages(self) -> bool:
        # The SDK would send ACTIVATE_VERSION before the first record, so that a run failing
        # half-way leaves the target with the table emptied; this stream sends it once every
        # row is out (see get_records). The records still carry the version.
        return False

    @cached_property
    def _shaper(self) -> RowShaper:
        return RowShaper(
            self.dimension.all_fields,
            self._settings.clock,
            self.logger,
            label=f"{self.name} ({self.dimension.api})",
            key=self._identifying,
            hidden=self.hidden_fields,
        )

    @cached_property
    def _identifying(self) -> tuple[str, ...]:
        """The key parts a row fills itself (not _read_at, not the per-skill column)."""
        added = {READ_AT, self.dimension.per}
        return tuple(name for name in self.dimension.primary_key if name not in added)

    @override
    def get_http_request(self, *, page: PageContext[t.Any]) -> HTTPRequest:
        request = super().get_http_request(page=page)
        request.params = {"api": self.dimension.api, **(page.stream_context or {})}
        return request

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        self.begin_reading()
        if self.unavailable:  # the server lacks this API (found out by a dependent stream)
            return
        versioned = self.dimension.versioned
        if versioned:
            # What the target keeps once ACTIVATE_VERSION arrives: rows of this version.
            self.stream_version = int(self._settings.clock.utc_now().timestamp())
        requests_sent, retries = self.requests_sent, self.retries
        rows: Iterable[dict[str, t.Any]]
        if self._read_ahead is not None:
            rows, self._read_ahead = self._read_ahead, None
            requests_sent, retries = requests_sent - self._ahead[0], retries - self._ahead[1]
        else:
            rows = self._read()
        emitted = 0
        try:
            for record in rows:
                emitted += 1
                yield record
        except self.missing_api as exc:
            self._skip(exc)
            return
        finally:
            self.rows += emitted
            self.log(
                "%s: %d requests, %d retries, %d rows",
                self.name,
                self.requests_sent - requests_sent,
                self.retries - retries,
                emitted,
                level=logging.INFO,
            )
        if versioned and self._whole and self.stream_version is not None:
            if not emitted:
                # An empty answer (a 404, "data": [], blank rows) is no proof that the table
                # is empty: activating it would have the target drop every row it holds.
                self.logger.warning(
                    "%s: the read of %s returned no record, so the table was left as it was "
                    "(no ACTIVATE_VERSION: the target keeps the rows it holds).",
                    self.name,
                    self.dimension.api,
                )
                return
            # Every row of the table is out: targets that support it drop the rows of earlier
            # versions, the ones this run did not see. (Not after a skip: nothing was read.)
            self.write_activate_version(self.stream_version)

    @override
    def summary(self) -> dict[str, t.Any]:
        return {**super().summary(), "rows": self.rows}

    @override
    def progress(self) -> str:
        if self._read_ahead is not None:  # read for another stream, its rows not out yet
            return "read ahead, not emitted in this run"
        return "read whole" if self._whole else "not read in this run"

    def read_ahead(self) -> list[str] | None:
        """Read the table now, for a stream that needs its IDs first (skills for skill_agents).

        The rows are kept and emitted when this stream syncs, so the table costs one call per
        run either way. Returns the IDs, or None when this server lacks the API.
        """
        if self.ids is None and not self.unavailable:
            requests_sent, retries = self.requests_sent, self.retries
            try:
                self._read_ahead = list(self._read())
            except self.missing_api as exc:
                self._skip(exc)
            self._ahead = (self.requests_sent - requests_sent, self.retries - retries)
            self.log(
                "%s: read ahead of its sync, for the IDs (%d requests, %d rows)",
                self.name,
                self._ahead[0],
                len(self._read_ahead or ()),
            )
        return None if self.unavailable else self.ids

    def _skip(self, exc: WolkvoxError) -> None:
        self.logger.warning("%s Skipping stream %s.", exc, self.name)
        self.unavailable = True

    def _read(self) -> Iterator[dict[str, t.Any]]:
        """Every row of the table, one call (retries aside); sets ``_whole`` once all are out."""
        self.ids, self._whole = [], False
        yield from self._ask(None)
        self._whole = True

    def _ask(self, context: Context | None) -> Iterator[dict[str, t.Any]]:
        """The rows of one request (``context`` holds its extra query parameters)."""
        self._context = context
        try:
            yield from self.request_records(context)
        except (RetriableAPIError, requests.RequestException, ConnectionError) as exc:
            raise self.gave_up(exc) from None

    @override
    def parse_response(self, response: requests.Response) -> Iterable[dict[str, t.Any]]:
        reply: Reply = self.reply_for(response)
        try:
            yield from self._records(reply)
        finally:
            reply.close()

    def _records(self, reply: Reply) -> Iterator[dict[str, t.Any]]:
        why = reply.may_be_cut(self._settings.row_cap)
        if why is not None:
            # A table cannot be split into smaller requests; a cut one, once loaded, would
            # also have the target drop the rows that were cut (ACTIVATE_VERSION).
            context = f" for {dict(self._context)}" if self._context else ""
            msg = (
                f"Report {self.dimension.api} ({self.name}) {why}{context}, so the table may be "
                "cut: the run stops rather than load it incomplete."
            )
            raise WolkvoxError(msg)
        if reply.skipped:
            self.logger.warning(
                "Report %s (%s): the reply held null entries in 'data' (%d); they were skipped",
                self.dimension.api,
                self.name,
                reply.skipped,
            )
        self.extracted_at = self._settings.clock.utc_now()
        read_at = format_instant(self.extracted_at)
        asked = dict(self._context or {})
        shaper = self._shaper
        number = occurrence_numbering([k for k in self.primary_keys if k != OCCURRENCE])
        for index, row in enumerate(reply.each_row()):
            if is_blank_row(row):
                self.blank_rows += 1
                continue
            record = shaper.shape(row)
            if reply.repairs.get(index):
                shaper.keep_raw(record, reply.repairs[index])
            for name, value in asked.items():
                # A row that does not say which skill it is for gets the one asked.
                if not record.get(name):
                    record[name] = value
            record[READ_AT] = read_at
            number(record)
            if self.ids is not None and not is_blank(record[self.primary_keys[0]]):
                # (a row kept without its ID names nothing to ask about: skills for skill_agents)
                self.ids.append(str(record[self.primary_keys[0]]))
            yield record
        # Said once the rows are out: a streamed reply's repairs are known only as it is read.
        if reply.repairs:
            self.logger.warning(
                "Report %s (%s): the reply %s", self.dimension.api, self.name, repaired(reply)
            )


class SkillAgentsStream(DimensionStream):
    """agents_in_skill: one call per skill, the skill ID added to every row and to the key.

    The skills are those of the ``skill_ids`` setting when it lists IDs; with ``["all"]`` (the
    default), those of the ``skills`` reply of the same run (read once, whether or not the
    ``skills`` stream is selected).
    """

    @override
    def _read(self) -> Iterator[dict[str, t.Any]]:
        self._whole = False
        skill_ids = self._skill_ids()
        if skill_ids is None:
            return
        self.ids = []
        for skill_id in skill_ids:
            yield from self._ask({"skill_id": skill_id})
        self._whole = True

    def planned_requests(self) -> tuple[int, int]:
        """One call per skill listed in ``skill_ids``; with ["all"], at least one."""
        configured = self.config.get("skill_ids") or ["all"]
        values = [str(v) for v in configured] if isinstance(configured, list) else ["all"]
        return (1, 1) if "all" in values else (len(values), len(values))

    def _skill_ids(self) -> list[str] | None:
        configured = self.config.get("skill_ids")
        if configured is None:
            configured = ["all"]
        values = [str(v) for v in configured] if isinstance(configured, list) else [configured]
        if not values:
            self.log("%s: skipped, setting skill_ids is empty", self.name)
            return None
        if "all" not in values:
            return values
        skills = self.tap.streams[SKILLS.stream]
        found = skills.read_ahead() if isinstance(skills, DimensionStream) else None
        if found is None:
            self.log("%s: skipped, the skills of this operation could not be read", self.name)
        return found


class TokenUsageStream(DimensionStream):
    """token_info: one row per run, skipped with one warning on a server without it."""

    missing_api: tuple[type[WolkvoxError], ...] = (ReportUnavailableError, NotWolkvoxError)

    def __init__(self, tap: t.Any, dimension: Dimension) -> None:
        """Create the stream."""
        super().__init__(tap, dimension)
        #: The quota check before the run kept failing: this run reads token_info no more.
        self.check_failed = False

    def calls_left(self) -> int | None:
        """Read token_info now (its row goes out when the stream syncs): calls left today.

        The check is best effort: when token_info keeps failing (5xx, timeouts), one warning,
        and the run goes on without it; a rejected token or a spent quota still stops the run,
        as no other request could succeed either.
        """
        try:
            self.read_ahead()
        except GaveUpError as exc:
            self.check_failed = True
            self.logger.warning(
                "%s: token_info kept failing after %d attempts (%s): the run goes on without "
                "the quota check, and %s emits no row this run.",
                self.name,
                exc.attempts,
                exc.reason,
                self.name,
            )
            return None
        rows = self._read_ahead or []
        left = rows[0].get("available_consumption_options") if rows else None
        return left if isinstance(left, int) else None

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        if self.check_failed:  # said when the check failed; no second try in this run
            return ()
        return super().get_records(context)

    @override
    def _skip(self, exc: WolkvoxError) -> None:
        why = (
            "400 THE API YOU WANT TO CONSULT DOES NOT EXIST"
            if isinstance(exc, ReportUnavailableError)
            else "404 with a page that is not a Wolkvox reply"
        )
        self.logger.warning(
            "%s: this Wolkvox server has no token_info API (information.php?api=token_info "
            "answered %s); skipping stream %s.",
            self.name,
            why,
            self.name,
        )
        self.unavailable = True


def dimension_stream(tap: t.Any, dimension: Dimension) -> DimensionStream:
    """The stream that reads ``dimension``."""
    if dimension.per is not None:
        return SkillAgentsStream(tap, dimension)
    if dimension is TOKEN_USAGE:
        return TokenUsageStream(tap, dimension)
    return DimensionStream(tap, dimension)


def information_streams(tap: t.Any) -> list[WolkvoxStream]:
    """Every stream of the ``information.php`` family."""
    streams: list[WolkvoxStream] = [dimension_stream(tap, d) for d in DIMENSIONS]
    streams += [InformationEventStream(tap, report) for report in INFORMATION_REPORTS]
    return streams
