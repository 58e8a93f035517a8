"""tap-wolkvox: the Singer tap for the Wolkvox Reports Manager API."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import logging
import os
import re
import signal
import sys
import typing as t
from functools import cached_property

import click
from singer_sdk import Tap
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.exceptions import ConfigValidationError, MapExpressionError, StreamMapConfigError
from singer_sdk.helpers.capabilities import CapabilitiesEnum, PluginCapabilities
from singer_sdk.plugin_base import PluginBase
from singer_sdk.singerlib import Catalog
from typing_extensions import override

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.declarations.information import TOKEN_USAGE
from tap_wolkvox.replies.errors import WolkvoxError
from tap_wolkvox.run.budget import (
    NEXT_RUN_STARTS_WITH,
    BudgetSpent,
    Plan,
    RequestBudget,
    RunStopped,
    next_start,
    run_order,
)
from tap_wolkvox.sdk import DESELECTED, SeamTap, environment_config
from tap_wolkvox.settings import (
    CONFIG_SCHEMA,
    DEFAULT_TIMEZONE,
    OperationSettings,
    SettingsError,
    config_errors,
    ids_as_text,
    numbers_from_environment,
    numeric_settings,
    read_settings,
    unknown_variables,
)
from tap_wolkvox.streams.dimensions import TokenUsageStream, information_streams
from tap_wolkvox.streams.http import OneAtATimeSession, WolkvoxStream
from tap_wolkvox.streams.report import REPORT_DATE, stream_for
from tap_wolkvox.time.clocks import ServerTime
from tap_wolkvox.time.timestamps import OperationClock, date_in_range, load_timezone

if t.TYPE_CHECKING:
    from collections.abc import Callable

    import requests
    from singer_sdk.singerlib import Message

#: Settings read from the environment with ``--config ENV`` are named ``TAP_WOLKVOX_<NAME>``.
ENV_PREFIX = "TAP_WOLKVOX_"

#: A readable bookmark of an event stream: what the tap writes, 2025-04-01T05:00:00+00:00.
_INSTANT_BOOKMARK = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?)?"
)
#: A readable bookmark of a daily stream (replication key report_date): 2025-04-01.
_DAY_BOOKMARK = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Where a partition without a bookmark resumes: before any other.
_EARLIEST = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
#: How much of an unreadable value a warning quotes.
_SHOWN_CHARS = 80

#: The start of the log line holding the run's counts as one JSON object (see check_run).
RUN_SUMMARY = "Run summary: "


def read_run_summary(log: str) -> dict[str, t.Any] | None:
    """The counts of the last run whose log is ``log`` (its "Run summary" line), if any.

    Works on the tap's own stderr and on Meltano's output, which wraps each line.
    """
    at = log.rfind(RUN_SUMMARY)
    if at < 0:
        return None
    summary, _ = json.JSONDecoder().raw_decode(log, at + len(RUN_SUMMARY))
    return summary if isinstance(summary, dict) else None


#: The one sentence a sync with no stream selected ends with.
NOTHING_SELECTED = (
    "No stream is selected, so there is nothing to sync: select at least one, e.g. "
    "`meltano select tap-wolkvox interaction_transfers '*'` (`meltano select tap-wolkvox "
    '--list --all` lists the streams), or set "selected": true in a stream\'s metadata in the '
    "catalog."
)


def _deselected_streams_at_debug(record: logging.LogRecord) -> bool:
    """Log the SDK's line per deselected stream at DEBUG, not INFO (see README, "Logs")."""
    if record.msg != DESELECTED:
        return True
    record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
    return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def honour_replication_method(catalog: dict[str, t.Any]) -> dict[str, t.Any]:
    """The catalog with each stream's ``replication-method`` metadata made effective.

    Singer catalogs carry the user's choice as ``replication-method`` in the stream's metadata
    (Meltano's ``metadata:`` block writes it there, leaving the discovered top-level
    ``replication_method`` as it was); the SDK reads only that top-level field and
    ``forced-replication-method``, so a FULL_TABLE chosen in the metadata would otherwise be
    ignored and the stream resume from its bookmark.
    """
    catalog = copy.deepcopy(catalog)
    for entry in catalog.get("streams", []):
        for metadata in entry.get("metadata", []):
            chosen = metadata.get("metadata", {}).get("replication-method")
            if metadata.get("breadcrumb") == [] and chosen:
                entry["replication_method"] = chosen
    return catalog


def bookmark_is_readable(value: object, *, daily: bool) -> bool:
    """Whether ``value`` is a bookmark the tap can resume from.

    An ISO 8601 date for a daily stream (``2025-04-01``); an ISO 8601 date-time for an event
    stream (``2025-04-01T05:00:00+00:00``, as the tap writes them; a date or a date-time
    without an offset, as one may set by hand, is read in the operation's zone like
    ``start_date``). Either within the dates the settings accept (1970 to 9998).
    """
    if not isinstance(value, str):
        return False
    try:
        if daily:
            return bool(_DAY_BOOKMARK.fullmatch(value)) and date_in_range(
                dt.date.fromisoformat(value)
            )
        return bool(_INSTANT_BOOKMARK.fullmatch(value)) and date_in_range(
            dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        )
    except ValueError:  # 2025-13-45 has the right shape
        return False


def _shown(value: object) -> str:
    """``value`` as JSON, cut short: a warning names it without flooding the log."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _json_kind(value: object) -> str:
    kinds = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return next((k for cls, k in kinds.items() if isinstance(value, cls)), "a number")


def not_a_state(value: object) -> str:
    """The sentence that refuses a state that is not a JSON object at all."""
    return (
        f"The state is {_json_kind(value)}, not a JSON object such as "
        '{"bookmarks": {...}}: fix it, or run without a state to start every stream from '
        "start_date."
    )


def check_state_text(text: str) -> None:
    """Check that the ``--state`` file holds a JSON object.

    Raises:
        WolkvoxError: with one sentence, when the text is not a JSON object.
    """
    if not text.strip():
        msg = (
            "The state file is empty: a state is a JSON object such as "
            '{"bookmarks": {...}}. Fix it, or run without a state to start every stream from '
            "start_date."
        )
        raise WolkvoxError(msg)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = (
            f"The state file is not valid JSON ({exc.msg} at line {exc.lineno}, column "
            f"{exc.colno}): fix it, or run without a state to start every stream from "
            "start_date."
        )
        raise WolkvoxError(msg) from None
    if not isinstance(value, dict):
        raise WolkvoxError(not_a_state(value))


class StateReader:
    """Keeps what the tap can resume from in an incoming state, and warns about the rest.

    The SDK reads the state before the tap does and stops with a traceback on a bookmark it
    cannot parse; what is unreadable here is dropped first, so that stream (or partition)
    starts from start_date, with one warning each. So is a bookmark written for another
    replication key (or for none), which the streams would otherwise pass over without a word.
    """

    def __init__(
        self,
        replication_keys: t.Mapping[str, str | None],
        warn: Callable[[str], None],
        clock: OperationClock,
    ) -> None:
        """``replication_keys``: each stream's replication key (``report_date``: a daily one).

        A stream without a replication key (None) or unknown to the tap keeps its state as it
        is, once its structure is sound: the SDK carries it along without reading it. A bookmark
        without an offset is read in ``clock``'s zone, as the streams read it.
        """
        self.replication_keys = replication_keys
        self.warn = warn
        self.clock = clock

    def read(self, state: dict[str, t.Any]) -> dict[str, t.Any]:
        """A copy of ``state`` holding only what can be resumed from."""
        starts_with = state.get(NEXT_RUN_STARTS_WITH)
        if starts_with is not None and not isinstance(starts_with, str):
            self.warn(
                f"Ignoring the state's {NEXT_RUN_STARTS_WITH}: it is {_json_kind(starts_with)} "
                f"({_shown(starts_with)}), not a stream name; this run starts with the first "
                "stream of the catalog."
            )
            state = {k: v for k, v in state.items() if k != NEXT_RUN_STARTS_WITH}
        if "bookmarks" not in state:
            return state
        kept = {key: value for key, value in state.items() if key != "bookmarks"}
        bookmarks = state["bookmarks"]
        if not isinstance(bookmarks, dict):
            self.warn(
                f"Ignoring the state's bookmarks: they are {_json_kind(bookmarks)} "
                f"({_shown(bookmarks)}), not a JSON object; every stream starts from start_date."
            )
            return kept
        kept["bookmarks"] = {}
        for stream, stream_state in bookmarks.items():
            if not isinstance(stream_state, dict):
                self.warn(
                    f"Stream {stream}: ignoring its state {_shown(stream_state)}, which is not "
                    "a JSON object; this stream starts from start_date."
                )
                continue
            kept["bookmarks"][stream] = self._stream(stream, stream_state)
        return kept

    def _stream(self, stream: str, state: dict[str, t.Any]) -> dict[str, t.Any]:
        state = dict(state)
        if not isinstance(state.get("progress_markers", {}), dict):
            # The SDK wipes progress markers when a run starts, and fails on one not an object.
            del state["progress_markers"]
        self._bookmark(f"Stream {stream}", "this stream", stream, state)
        if "partitions" in state:
            partitions = state["partitions"]
            if isinstance(partitions, list):
                state["partitions"] = self._partitions(stream, partitions)
            else:
                self.warn(
                    f"Stream {stream}: ignoring its partitions {_shown(partitions)}, which are "
                    "not a JSON array; every partition starts from start_date."
                )
                del state["partitions"]
        return state

    def _partitions(self, stream: str, partitions: list[t.Any]) -> list[dict[str, t.Any]]:
        kept: dict[str, dict[str, t.Any]] = {}
        for entry in partitions:
            if not isinstance(entry, dict) or not isinstance(entry.get("context"), dict):
                self.warn(
                    f"Stream {stream}: ignoring the partition state {_shown(entry)}, which has "
                    "no context object; that partition starts from start_date."
                )
                continue
            partition = dict(entry)
            where = f"Stream {stream}, partition {_shown(partition['context'])}"
            self._bookmark(where, "this partition", stream, partition)
            key = json.dumps(partition["context"], sort_keys=True, default=str)
            if key in kept:
                # The SDK stops on duplicates; the earlier bookmark loses no row.
                kept[key] = min(kept[key], partition, key=lambda p: self._resume_point(stream, p))
                self.warn(
                    f"{where}: the state holds it more than once; resuming from the earliest "
                    "of its bookmarks."
                )
                continue
            kept[key] = partition
        return list(kept.values())

    def _bookmark(self, where: str, starts: str, stream: str, state: dict[str, t.Any]) -> None:
        replication_key = self.replication_keys.get(stream)
        value = state.get("replication_key_value")
        if replication_key is None or value is None or value == "":
            return
        written_for = state.get("replication_key")
        if written_for != replication_key:
            # A stream resumes only from a bookmark of its own key.
            which = (
                "which names no replication_key"
                if written_for is None
                else f"written for replication key {_shown(written_for)}"
            )
            self.warn(
                f"{where}: ignoring bookmark {_shown(value)}, {which} (expected "
                f'"{replication_key}"); {starts} starts from start_date.'
            )
            del state["replication_key_value"]
            return
        daily = replication_key == REPORT_DATE
        if bookmark_is_readable(value, daily=daily):
            return
        expected = (
            "an ISO 8601 date such as 2025-04-01"
            if daily
            else "an ISO 8601 date-time such as 2025-04-01T05:00:00+00:00"
        )
        self.warn(
            f"{where}: ignoring unreadable bookmark {_shown(value)} (expected {expected}); "
            f"{starts} starts from start_date."
        )
        del state["replication_key_value"]

    def _resume_point(self, stream: str, partition: dict[str, t.Any]) -> dt.datetime:
        """Where a partition resumes, to compare duplicates: no (or an unknown) bookmark first.

        A bookmark without an offset is read in the operation's zone, as the streams read it,
        so that it compares with one that has an offset. (Bookmarks here are readable: see
        :meth:`_bookmark`.)
        """
        value = partition.get("replication_key_value")
        if self.replication_keys.get(stream) is None or not isinstance(value, str) or not value:
            return _EARLIEST
        return self.clock.parse_setting(value)


class LineWriter(MsgSpecWriter):
    """The msgspec writer, safe to stop: every line goes out whole, a stop signal waits for it.

    A signal handler runs inside a write blocked on a slow target; stopping there would leave
    half a line on stdout. A signal also cuts such a write short, and the SDK's writer drops the
    rest of the line: here it is written too.
    """

    writing: bool = False
    #: The stop a signal asked for while a line was being written: raised once it is out.
    pending: BaseException | None = None

    @override
    def write_message(self, message: Message) -> None:
        line = self.format_message(message)
        self.writing = True
        try:
            written = sys.stdout.buffer.write(line)
            if written < len(line):  # cut short by a signal
                rest = memoryview(line)[written:]
                while rest:
                    rest = rest[sys.stdout.buffer.write(rest) :]
            sys.stdout.flush()
        finally:
            self.writing = False
        if self.pending is not None:
            stop, self.pending = self.pending, None
            raise stop


class RunInterrupted(RunStopped):
    """SIGTERM or SIGINT mid-run: the run stops, its last STATE still a valid resume point.

    Exit code 128 + the signal's number, as a shell reports a killed command.
    """

    def __init__(self, tap: TapWolkvox, signum: int) -> None:
        """Stop ``tap`` because of signal ``signum``."""
        super().__init__(tap, 128 + signum)
        self.signal_name = signal.Signals(signum).name

    @property
    def message(self) -> str:
        """The one line the log gets."""
        return (
            f"Run interrupted by {self.signal_name}: it stopped before reading everything. The "
            "last STATE emitted is a valid resume point: the next run continues from it."
        )


class TapWolkvox(SeamTap):
    """Singer tap for the Wolkvox contact-center Reports Manager API."""

    name = "tap-wolkvox"
    config_jsonschema = CONFIG_SCHEMA
    # No BATCH: a STATE emitted per window must never run ahead of records still waiting in a
    # batch file, or a killed run would lose them.
    capabilities: t.ClassVar[list[CapabilitiesEnum]] = [
        capability for capability in Tap.capabilities if capability != PluginCapabilities.BATCH
    ]
    # msgspec writes Singer messages several times faster than the default JSON writer.
    message_writer_class = LineWriter
    #: The stop a signal asked for; set once, so a second signal does not stop the stopping.
    _stop: RunInterrupted | None = None

    def __init__(
        self,
        *args: t.Any,
        utc_now: Callable[[], dt.datetime] | None = None,
        **kwargs: t.Any,
    ) -> None:
        """Create the tap; with ``validate_config`` the settings are also checked together.

        ``utc_now`` replaces the system clock (tests drive the tap's and the sandbox's clocks
        together with it).
        """
        self._utc_now = utc_now
        #: What validating the config against the schema found (see check_config).
        self._config_errors: list[str] = []
        # First, so that a misspelt variable is named even when the config then fails.
        for warning in unknown_variables(self._full_config_schema(), ENV_PREFIX, os.environ):
            self.logger.warning("%s", warning)
        if isinstance(kwargs.get("catalog"), dict):
            kwargs["catalog"] = honour_replication_method(kwargs["catalog"])
        super().__init__(*args, **kwargs)
        self.request_budget = RequestBudget(self.config.get("max_requests_per_run"))
        self._quiet_sdk_logs()
        self._run_checked = False
        validate = kwargs.get("validate_config", True)
        if validate or not self._config_errors:
            try:
                _ = self.settings
            except SettingsError as exc:
                if validate:
                    raise ConfigValidationError(str(exc), errors=[str(exc)]) from None
                # Discovery goes on without a valid config; a sync would stop here.
                self.logger.warning("Config validation failed: %s", exc)

    @classmethod
    def _full_config_schema(cls) -> dict[str, t.Any]:
        """The config schema with the SDK's built-in settings (stream_maps, flattening_...)."""
        schema = cls.config_jsonschema
        cls.append_builtin_config(schema)
        return schema

    def _quiet_sdk_logs(self) -> None:
        """Leave the SDK's METRIC lines and its line per deselected stream to DEBUG.

        An unattended run logs only what the tap says (plans, summaries, warnings, errors);
        ``TAP_WOLKVOX_LOGLEVEL=DEBUG`` (or ``LOGLEVEL``) brings both back.
        """
        self.logger.addFilter(_deselected_streams_at_debug)  # added once: same function
        if not self.logger.isEnabledFor(logging.DEBUG):
            # PluginBase.__init__ has just set this logger to the plugin's log level.
            self.metrics_logger.setLevel(logging.WARNING)

    @override
    def config_from_environment(self) -> dict[str, t.Any]:
        # The SDK's reading int()s integer settings (a traceback on 'abc') and leaves number
        # settings as text, which validation then refuses ('5' is not of type 'number').
        schema = self._full_config_schema()
        numeric = numeric_settings(schema)
        others = {k: v for k, v in schema["properties"].items() if k not in numeric}
        # The SDK still reads the rest: its .env file, JSON lists, objects and booleans.
        config = environment_config({**schema, "properties": others}, ENV_PREFIX)
        numbers, errors = numbers_from_environment(schema, ENV_PREFIX, os.environ)
        if errors:
            raise ConfigValidationError(errors[0], errors=errors, schema=schema)
        for name in numbers:
            variable = ENV_PREFIX + name.upper().replace("-", "_")
            self.logger.info("Parsing '%s' config from env variable '%s'.", name, variable)
        return {**config, **numbers}

    @override
    def check_config(self, *, raise_errors: bool) -> list[str]:
        # The SDK's messages quote the offending value, a secret's too, so they are worded
        # again; its check still runs, as it also fills in the defaults. Without raise_errors
        # (discovery) the SDK would log a bare "Config validation failed": the reasons are
        # logged with it.
        try:
            self.sdk_check_config(raise_errors=True)
        except ConfigValidationError as exc:
            errors = config_errors(self.config_jsonschema, self.config)
            self._config_errors = errors
            if raise_errors:
                raise ConfigValidationError(str(exc), errors=errors, schema=exc.schema) from None
            self.logger.warning("%s: %s", exc, "; ".join(errors))
            return errors
        # IDs as text: Meltano reads TAP_WOLKVOX_SKILL_IDS=3001,3002 as numbers. A new dict,
        # set before the SDK hands the config to its mapper.
        self.replace_config({**self.config, **ids_as_text(self.config)})
        return []

    @property
    def state_entries(self) -> dict[str, t.Any]:
        """The state, with its top-level entries besides ``bookmarks`` (the SDK types only it)."""
        return t.cast("dict[str, t.Any]", self.state)

    def budget_spent(self) -> BudgetSpent:
        """The stop that the request over ``max_requests_per_run`` raises instead of going out.

        The state then names the stream the next run starts with (see budget.py).
        """
        selected = [s for s in self.streams.values() if s.selected and isinstance(s, WolkvoxStream)]
        budget = self.request_budget
        following = next_start(
            [s.name for s in selected], budget.turn, spent_in_turn=budget.spent_in_turn
        )
        self.state_entries[NEXT_RUN_STARTS_WITH] = following
        progress = {s.name: s.progress() for s in selected}
        return BudgetSpent(self, budget.limit or 0, progress, following)

    def plan(self) -> Plan:
        """The fewest requests each selected stream needs this run, in the order they run."""
        plan = Plan()
        for stream in self.streams.values():
            if not stream.selected:
                continue
            planned = getattr(stream, "planned_requests", None)
            windows, partitions = planned() if planned is not None else (1, 1)
            plan.windows[stream.name] = windows
            plan.partitions[stream.name] = partitions
        return plan

    def log_plan(self) -> None:
        """Log the plan before any stream runs, and what is worth a warning in it."""
        plan = self.plan()
        self.logger.info("%s", plan.line())
        threshold = int(self.config.get("plan_warning_requests") or 1000)
        for warning in plan.warnings(threshold, self.request_budget.limit):
            self.logger.warning("%s", warning)
        usage = self.streams.get(TOKEN_USAGE.stream)
        budget = self.request_budget
        if (
            isinstance(usage, TokenUsageStream)
            and usage.selected
            and len(plan.windows) > 1
            and (budget.limit is None or budget.limit > 1)
        ):
            # token_usage is selected with other streams: read it first (its one call, not a
            # second one later). Alone, it is read when it syncs, and a failure fails the run.
            # Its retries never take a budget's last call: the streams' turns need one.
            with budget.keeping(1):
                left = usage.calls_left()
            if left is not None and left < plan.total:
                self.logger.warning(
                    "The token has %d calls left today (token_info) and this run needs at "
                    "least %d: it will stop at 403 TOKEN LIMIT EXCEEDED unless it reads less "
                    "(max_requests_per_run, fewer streams) or waits for the daily reset.",
                    left,
                    plan.total,
                )

    @override
    def setup_mapper(self) -> None:
        # SDK seam: Tap.setup_mapper registers every catalog stream with the stream-map engine
        # with only its selected properties. A deselected stream then has none, and a map
        # that matches it too (``"*"``, say, to add an operation column) stops the run on its
        # key properties ("Property 'conn_id' was not detected in schema"). Deselected streams
        # are registered with their whole schema instead: they are never synced.
        PluginBase.setup_mapper(self)
        selected = Catalog()
        for entry in self.catalog.streams:
            if entry.metadata.resolve_selection()[()]:
                selected[entry.tap_stream_id] = entry
            else:
                self.mapper.register_raw_stream_schema(
                    entry.stream or entry.tap_stream_id,
                    entry.schema.to_dict(),
                    entry.key_properties,
                )
        self.mapper.register_raw_streams_from_catalog(selected)

    @override
    def load_state(self, state: dict[str, t.Any]) -> None:
        # The SDK reads bookmarks here first, and stops with a traceback on one it cannot
        # parse: what the tap cannot resume from is dropped (with a warning) beforehand.
        if not isinstance(state, dict):
            raise WolkvoxError(not_a_state(state))
        keys: dict[str, str | None] = {}
        if isinstance(state.get("bookmarks"), dict):
            keys = {name: stream.replication_key or None for name, stream in self.streams.items()}
        readable = StateReader(keys, self.logger.warning, self._state_clock()).read(state)
        super().load_state(readable)
        starts_with = readable.get(NEXT_RUN_STARTS_WITH)
        if isinstance(starts_with, str):
            # The SDK keeps only the bookmarks; this goes on in every STATE of the run.
            self.state_entries[NEXT_RUN_STARTS_WITH] = starts_with

    def _state_clock(self) -> OperationClock:
        """The operation's clock, to read bookmarks without an offset (as the streams do).

        Settings that do not hold together are reported once the tap is built; until then the
        default zone reads the state.
        """
        try:
            return self.settings.clock
        except SettingsError:
            return OperationClock(load_timezone(DEFAULT_TIMEZONE))

    @override
    def on_termination_signal(self, signum: int) -> None:
        # The SDK's own handler writes STATE wherever the signal lands (half a record line,
        # perhaps) and exits 0, so a killed run looked like a finished one.
        if self._stop is not None:
            return
        self._stop = RunInterrupted(self, signum)
        writer = self.message_writer
        if isinstance(writer, LineWriter) and writer.writing:
            writer.pending = self._stop
            return
        raise self._stop

    @override
    def before_first_stream(self) -> None:
        # A run with nothing selected would otherwise succeed, silently.
        if not any(s.selected or s.has_selected_descendents for s in self.streams.values()):
            raise WolkvoxError(NOTHING_SELECTED)
        # Streams take turns at the request budget (see budget.py): this run starts where the
        # last one stopped. The plan is then logged in the order the streams run.
        starts_with = self.state_entries.get(NEXT_RUN_STARTS_WITH)
        self.run_streams_in(run_order(list(self.streams), starts_with))
        self.log_plan()

    @cached_property
    def settings(self) -> OperationSettings:
        """The settings, read and checked against each other."""
        return read_settings(self.config, self._utc_now)

    @cached_property
    def server_time(self) -> ServerTime:
        """Keeps the operation's clock on the Wolkvox server's time (said once when off)."""
        return ServerTime(self.settings.clock, self.logger.warning)

    @cached_property
    def http_session(self) -> requests.Session:
        """One HTTP session for every stream: connections are reused, one request at a time."""
        return OneAtATimeSession()

    @override
    def discover_streams(self) -> list[WolkvoxStream]:
        return [*(stream_for(self, report) for report in REPORTS), *information_streams(self)]

    def check_run(self) -> None:
        """Once every stream has run: fail a run that could read none of its reports.

        A report missing on the server is skipped so that the other streams go on; when every
        stream that tried to read was missing, the run read nothing and must not look fine.

        Raises:
            WolkvoxError: naming the missing reports.
        """
        if self._run_checked:
            return
        self._run_checked = True
        self.log_run_summary()
        # Every stream of the tap (reports and information.php alike) counts here.
        tried = [s for s in self.streams.values() if isinstance(s, WolkvoxStream) and s.tried]
        missing = [s for s in tried if s.unavailable]
        if missing and len(missing) == len(tried):
            names = ", ".join(f"{s.report_api} ({s.name})" for s in missing)
            msg = (
                f"None of the selected reports exists on this Wolkvox server (400 THE API YOU "
                f"WANT TO CONSULT DOES NOT EXIST): {names}. Check wolkvox_server and the "
                "selected streams."
            )
            raise WolkvoxError(msg)

    def log_run_summary(self, stop: BudgetSpent | None = None) -> None:
        """Log what the run sent, and the run summary; ``stop``: the budget ended the run."""
        budget = self.request_budget
        self.logger.info(
            "Run done: %d requests sent (retries included)%s",
            budget.spent,
            "" if budget.limit is None else f" of max_requests_per_run = {budget.limit}",
        )
        # The same counts for programs (the demo, the tests, a user's monitoring): one JSON
        # object, so that nobody parses the sentences above.
        streams = {
            stream.name: stream.summary()
            for stream in self.streams.values()
            if stream.selected and isinstance(stream, WolkvoxStream)
        }
        summary: dict[str, t.Any] = {"requests": budget.spent, "streams": streams}
        if stop is not None:
            summary["budget_spent"] = stop.summary()
        self.logger.info("%s%s", RUN_SUMMARY, json.dumps(summary))

    @classmethod
    @override
    def invoke(cls, *args: t.Any, **kwargs: t.Any) -> None:
        try:
            state = kwargs.get("state")
            if state is not None:
                # Read before the SDK does: its reading of a state that is no JSON object ends
                # in a traceback. The SDK then parses the same text.
                text = state.read()
                check_state_text(text)
                kwargs["state"] = io.StringIO(text)
            super().invoke(*args, **kwargs)
        except RunStopped as stop:
            stop.flush_state()
            if stop.exit_code:
                cls.logger.error("%s", stop.message)  # noqa: TRY400
            else:
                cls.logger.warning("%s", stop.message)
            if isinstance(stop, BudgetSpent):
                stop.tap.log_run_summary(stop)
            raise click.exceptions.Exit(stop.exit_code) from None
        except (WolkvoxError, StreamMapConfigError, MapExpressionError) as exc:
            # One plain sentence, no stack trace; the STATE emitted so far stays valid.
            if isinstance(exc, WolkvoxError):
                cls.logger.error("%s", exc)  # noqa: TRY400
            else:
                cls.logger.error("Setting 'stream_maps' cannot be applied: %s", exc)  # noqa: TRY400
            sys.stdout.flush()
            raise click.exceptions.Exit(1) from None


if __name__ == "__main__":
    TapWolkvox.cli()
