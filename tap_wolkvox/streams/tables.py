"""The information.php tables and the real_time.php snapshots: read whole on every run.

Every row is stamped with the instant its reply was read (``_read_at``). Once every row of a
table is out, the stream sends ACTIVATE_VERSION, so that a target which supports it drops the
rows this run no longer saw; a read that returned no row activates nothing (an empty answer is
no proof the table is empty). The audit log and the manager's notifications are not tables:
they are report streams on another path (see streams/report.py).

A snapshot (``real_time.php``: agents' states, queues... now) is a table with another grain:
every read is kept (no ACTIVATE_VERSION; ``_read_at`` leads its key, so a read never replaces
an earlier one) and each row also says when the run that read it began (``_run_started_at``).
A reply that fails or holds no row leaves no record: a snapshot is never made up.

Requests go through the same HTTP part as the reports (streams/http.py): the same token header,
budget, retries and error vocabulary.
"""

from __future__ import annotations

import logging
import typing as t
from functools import cached_property

from singer_sdk.helpers.conform import TypeConformanceLevel
from typing_extensions import override

from tap_wolkvox.declarations.information import READ_AT, RUN_STARTED, Dimension
from tap_wolkvox.declarations.model import OCCURRENCE, spelt_with
from tap_wolkvox.replies.errors import NotWolkvoxError, ReportUnavailableError, WolkvoxError
from tap_wolkvox.rows.pipeline import Completion
from tap_wolkvox.settings import LIST_SETTINGS, fixed_values, listed_ids, partition_values
from tap_wolkvox.streams.http import GaveUpError, WolkvoxStream
from tap_wolkvox.time.timestamps import format_instant

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

    from tap_wolkvox.replies.reply import Reply
    from tap_wolkvox.rows.pipeline import RowPipeline
    from tap_wolkvox.run.budget import Plan
    from tap_wolkvox.run.context import RunContext


class TableGrain:
    """A table read whole: no window, no bookmark; a cut reply stops the run."""

    replication_key = None
    #: What one read holds, as messages name it.
    what = "table"

    def __init__(self, dimension: Dimension) -> None:
        """The grain of ``dimension``."""
        self.dimension = dimension

    def on_cut(self, stream: str, why: str, asked: Context | None) -> None:
        """A table cannot be split into smaller requests: the run stops.

        A cut table, once loaded, would also have the target drop the rows that were cut
        (ACTIVATE_VERSION); a cut snapshot would pass for the whole of its instant.

        Raises:
            WolkvoxError: naming the table.
        """
        context = f" for {dict(asked)}" if asked else ""
        msg = (
            f"Report {self.dimension.api} ({stream}) {why}{context}, so the {self.what} may "
            "be cut: the run stops rather than load it incomplete."
        )
        raise WolkvoxError(msg)

    def completion(self, read_at: str, ids: list[str] | None, id_field: str) -> Completion:
        """What a record read at ``read_at`` gets: that instant; its ID goes to ``ids``."""
        return Completion(values={READ_AT: read_at}, ids=ids, id_field=id_field)


class SnapshotGrain(TableGrain):
    """A real-time reading: read whole like a table, each record naming the run that read it."""

    what = "snapshot"

    def __init__(self, dimension: Dimension, run_started: Callable[[], str]) -> None:
        """The grain of ``dimension``; ``run_started`` says when the run began."""
        super().__init__(dimension)
        self.run_started = run_started

    @override
    def completion(self, read_at: str, ids: list[str] | None, id_field: str) -> Completion:
        values = {READ_AT: read_at, RUN_STARTED: self.run_started()}
        return Completion(values=values, ids=ids, id_field=id_field)


class TableStream(WolkvoxStream):
    """A table read whole on every run (FULL_TABLE): information.php's, or a snapshot."""

    # Records are shaped to the schema's exact types by the row pipeline, as the reports' are.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    #: Errors that mean "this server lacks the API": the stream is skipped with one warning.
    missing_api: tuple[type[WolkvoxError], ...] = (ReportUnavailableError,)

    def __init__(self, run: RunContext, dimension: Dimension, *, tap: Tap) -> None:
        """Create the stream that reads ``dimension``."""
        self.dimension = dimension
        self.grain = (
            SnapshotGrain(dimension, run.begin) if dimension.snapshot else TableGrain(dimension)
        )
        self.snapshot = dimension.snapshot
        self.bare_list = dimension.bare_list
        self.selected_by_default = dimension.selected_by_default
        super().__init__(
            run,
            tap=tap,
            name=dimension.stream,
            schema=dimension.json_schema(),
            api=dimension.api,
            path=dimension.path,
        )
        self.primary_keys = [*dimension.primary_key, OCCURRENCE]
        self.replication_key = None
        self.rows = 0
        #: The first key part of every row read in this run (skills: the skill IDs); None
        #: until the table has been read.
        self.ids: list[str] | None = None
        self._read_ahead: list[dict[str, t.Any]] | None = None
        #: Requests and retries the read ahead cost.
        self._ahead = (0, 0)
        #: Every row of the table was read in this run (ACTIVATE_VERSION may go out).
        self._whole = False

    @property
    @override
    def emit_activate_version_messages(self) -> bool:
        # The SDK would send ACTIVATE_VERSION before the first record, so that a run failing
        # half-way leaves the target with the table emptied; this stream sends it once every
        # row is out (see get_records). The records still carry the version.
        return False

    @cached_property
    def fixed(self) -> dict[str, str]:
        """The parameters sent as their setting says (realtime_skills' services_time, if set)."""
        return fixed_values(self.run.config, self.dimension.params)

    @cached_property
    def pipeline(self) -> RowPipeline:
        """How this table's rows become records (_read_at and the skill asked are the tap's).

        An alias naming a parameter's value (``service_level_XXseg``) is read as the reply
        spells it with the value sent (``service_level_15seg``).
        """
        placeholders = {
            p.placeholder: self.fixed[p.name]
            for p in self.dimension.params
            if p.placeholder is not None and p.name in self.fixed
        }
        return self.row_pipeline(
            spelt_with(self.dimension.all_fields, placeholders),
            self.dimension.primary_key,
            added={READ_AT, self.dimension.per},
        )

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        self.begin_reading()
        if self.unavailable:  # the server lacks this API (found out by a dependent stream)
            return
        versioned = self.dimension.versioned
        if versioned:
            # What the target keeps once ACTIVATE_VERSION arrives: rows of this version.
            self.stream_version = int(self.run.settings.clock.utc_now().timestamp())
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
        """Every row of the table, one call per request (retries aside); ``_whole`` once out."""
        self.ids, self._whole = [], False
        requests = self._requests()
        if not requests:
            empty = [
                p.setting
                for p in self.dimension.params
                if p.setting in LIST_SETTINGS and not listed_ids(self.run.config, p.setting)
            ]
            self.log("%s: skipped, setting %s is empty", self.name, ", ".join(empty))
            return
        for query, asked in requests:
            yield from self._ask(query, asked)
        self._whole = True

    def _requests(self) -> list[tuple[dict[str, str], dict[str, str]]]:
        """Each request of one read: its query parameters, and the values its rows are for.

        One per listed value of the declaration's parameters (realtime_skills: one per entry
        of skill_ids, one with ``all``), with its constant ones (type=all) and those set by a
        single-valued setting (services_time); one for a table without parameters. A row that
        does not say which skill it is of gets the one asked for (not ``all``); a declared
        column named as a parameter gets the setting's value (services_time's seconds).
        """
        config = self.run.config
        sent = {**dict(self.dimension.constant_params), **self.fixed}
        declared = {f.name for f in self.dimension.fields}
        stated = {
            p.name: config[p.setting]
            for p in self.dimension.params
            if p.name in self.fixed and p.name in declared
        }
        return [
            ({**sent, **values}, {**{k: v for k, v in values.items() if v != "all"}, **stated})
            for values in partition_values(config, self.dimension.params)
        ]

    @override
    def planned_requests(self) -> tuple[int, int]:
        count = len(self._requests())
        return count, count

    def _ask(self, query: dict[str, str], asked: Context | None) -> Iterator[dict[str, t.Any]]:
        """The records of one request with ``query``; its rows are for ``asked``."""
        reply = self.fetch(query, asked or None).reply
        try:
            why = reply.may_be_cut(self.run.settings.row_cap)
            if why is not None:
                self.grain.on_cut(self.name, why, asked)
            yield from self.records_of(reply, asked)
        finally:
            reply.close()

    def records_of(self, reply: Reply, asked: Context | None) -> Iterator[dict[str, t.Any]]:
        """The records of a whole ``reply``, asked for ``asked`` (a skill), stamped now."""
        self.extracted_at = self.run.settings.clock.utc_now()
        completion = self.grain.completion(
            format_instant(self.extracted_at), self.ids, self.primary_keys[0]
        )
        return self.pipeline.records(reply, asked=asked, completion=completion)

    @override
    def summary(self) -> dict[str, t.Any]:
        return {**super().summary(), "rows": self.rows}

    @override
    def progress(self) -> str:
        if self._read_ahead is not None:  # read for another stream, its rows not out yet
            return "read ahead, not emitted in this run"
        return "read whole" if self._whole else "not read in this run"

    @override
    def log_sync_costs(self) -> None:
        super().log_sync_costs()
        if "pipeline" in self.__dict__ and self.pipeline.blank_rows:
            self.logger.warning(
                "Report %s (%s): skipped %d rows whose every value was blank",
                self.dimension.api,
                self.name,
                self.pipeline.blank_rows,
            )


class SkillAgentsStream(TableStream):
    """agents_in_skill: one call per skill, the skill ID added to every row and to the key.

    The skills are those of the ``skill_ids`` setting when it lists IDs; with ``["all"]`` (the
    default), those of the ``skills`` reply of the same run, read once whether or not the
    ``skills`` stream is selected. (The SDK's parent/child streams would read the agents while
    the skills are written, one sync per skill, each with its own SCHEMA, STATE and version,
    and would read the skills even when ``skill_ids`` lists them.)
    """

    def __init__(
        self, run: RunContext, dimension: Dimension, *, tap: Tap, skills: TableStream
    ) -> None:
        """Create the stream; ``skills`` is the stream whose rows list the skills."""
        super().__init__(run, dimension, tap=tap)
        self._skills = skills

    @override
    def _read(self) -> Iterator[dict[str, t.Any]]:
        self._whole = False
        skill_ids = self._skill_ids()
        if skill_ids is None:
            return
        self.ids = []
        for skill_id in skill_ids:
            yield from self._ask({"skill_id": skill_id}, {"skill_id": skill_id})
        self._whole = True

    def planned_requests(self) -> tuple[int, int]:
        """One call per skill listed in ``skill_ids``; with ["all"], at least one."""
        values = listed_ids(self.run.config, "skill_ids")
        return (1, 1) if "all" in values else (len(values), len(values))

    def _skill_ids(self) -> list[str] | None:
        values = listed_ids(self.run.config, "skill_ids")
        if not values:
            self.log("%s: skipped, setting skill_ids is empty", self.name)
            return None
        if "all" not in values:
            return values
        found = self._skills.read_ahead()
        if found is None:
            self.log("%s: skipped, the skills of this operation could not be read", self.name)
        return found


class TokenUsageStream(TableStream):
    """token_info: one row per run, skipped with one warning on a server without it."""

    missing_api: tuple[type[WolkvoxError], ...] = (ReportUnavailableError, NotWolkvoxError)

    def __init__(self, run: RunContext, dimension: Dimension, *, tap: Tap) -> None:
        """Create the stream."""
        super().__init__(run, dimension, tap=tap)
        #: The quota check before the run kept failing: this run reads token_info no more.
        self.check_failed = False

    def check_quota(self, plan: Plan) -> None:
        """Before the first stream: warn when the token has fewer calls left than ``plan`` needs.

        Only beside other streams (its one call, not a second one later: its row goes out when
        it syncs); alone, it is read when it syncs, and a failure fails the run. Its retries
        never take a budget's last call: the streams' turns need one.
        """
        budget = self.run.budget
        if len(plan.windows) < 2 or (budget.limit is not None and budget.limit <= 1):  # noqa: PLR2004
            return
        with budget.keeping(1):
            left = self.calls_left()
        if left is not None and left < plan.total:
            self.logger.warning(
                "The token has %d calls left today (token_info) and this run needs at least %d: "
                "it will stop at 403 TOKEN LIMIT EXCEEDED unless it reads less "
                "(max_requests_per_run, fewer streams) or waits for the daily reset.",
                left,
                plan.total,
            )

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
