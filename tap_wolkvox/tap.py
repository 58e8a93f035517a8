"""tap-wolkvox: the Singer tap for the Wolkvox Reports Manager API.

The tap makes one :class:`~tap_wolkvox.run.context.RunContext` and hands it to every stream it
builds; it says what a run will cost before the first stream (the plan), orders the streams
(they take turns at a small request budget), and checks and sums the run up after the last.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import typing as t

import click
from singer_sdk import Tap
from singer_sdk.exceptions import ConfigValidationError, MapExpressionError, StreamMapConfigError
from singer_sdk.helpers.capabilities import CapabilitiesEnum, PluginCapabilities
from typing_extensions import override

from tap_wolkvox.declarations.information import TOKEN_USAGE
from tap_wolkvox.replies.errors import WolkvoxError
from tap_wolkvox.run.ahead import ahead_key
from tap_wolkvox.run.budget import NEXT_RUN_STARTS_WITH, BudgetSpent, Plan, run_order
from tap_wolkvox.run.budget import next_start as next_run_start
from tap_wolkvox.run.context import RunContext
from tap_wolkvox.run.inputs import (
    StateReader,
    catalog_for_sync,
    check_something_selected,
    check_state_text,
    not_a_state,
)
from tap_wolkvox.run.stops import LineWriter, RunInterrupted, RunStopped, said
from tap_wolkvox.run.summary import check_something_was_read, log_run_summary
from tap_wolkvox.sdk import SeamTap, deselected_streams_at_debug, entry_selected
from tap_wolkvox.settings import (
    CONFIG_SCHEMA,
    ENV_PREFIX,
    OperationSettings,
    SettingsError,
    config_errors,
    environment_settings,
    ids_as_text,
    read_settings,
    unknown_variables,
)
from tap_wolkvox.streams import NEEDS, every_stream, stream_names
from tap_wolkvox.streams.http import WolkvoxStream
from tap_wolkvox.streams.tables import TokenUsageStream

if t.TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

__all__ = ["TapWolkvox"]


class TapWolkvox(SeamTap):
    """Singer tap for the Wolkvox contact-center Reports Manager API."""

    name = "tap-wolkvox"
    config_jsonschema = CONFIG_SCHEMA
    # No BATCH: a STATE emitted per window must never run ahead of records still waiting in a
    # batch file, or a killed run would lose them.
    capabilities: t.ClassVar[list[CapabilitiesEnum]] = [
        capability for capability in Tap.capabilities if capability != PluginCapabilities.BATCH
    ]
    # msgspec writes Singer messages several times faster than the default JSON writer; this
    # one also stops at a whole line on a signal.
    message_writer_class = LineWriter
    #: The stop a signal asked for; set once, so a second signal does not stop the stopping.
    _stop: RunInterrupted | None = None

    def __init__(
        self, *args: t.Any, utc_now: Callable[[], dt.datetime] | None = None, **kwargs: t.Any
    ) -> None:
        """Create the tap; with ``validate_config`` the settings are also checked together.

        ``utc_now`` replaces the system clock (tests drive the tap's and the sandbox's clocks
        together with it).
        """
        self.run = RunContext(
            read_config=lambda: self.config,
            read_settings=lambda: read_settings(self.config, utc_now),
            budget_spent=self.budget_spent,
            warn=self.logger.warning,
        )
        # First, so that a misspelt variable is named even when the config then fails.
        for warning in unknown_variables(self.full_config_schema(), ENV_PREFIX, os.environ):
            self.logger.warning("%s", warning)
        #: The streams a sync builds: those of its catalog (None: every one, for discovery).
        self._building: set[str] | None = None
        catalog = kwargs.get("catalog")
        if isinstance(catalog, dict):
            kwargs["catalog"] = catalog = catalog_for_sync(catalog, entry_selected, NEEDS)
            entries = catalog.get("streams")
            if isinstance(entries, list):
                self._building = {
                    entry["tap_stream_id"]
                    for entry in entries
                    if isinstance(entry, dict) and isinstance(entry.get("tap_stream_id"), str)
                }
        self._config_errors: list[str] = []
        super().__init__(*args, **kwargs)
        # The SDK's METRIC lines and its line per deselected stream go to DEBUG: an unattended
        # run logs only what the tap says (TAP_WOLKVOX_LOGLEVEL=DEBUG brings both back).
        self.logger.addFilter(deselected_streams_at_debug)
        if not self.logger.isEnabledFor(logging.DEBUG):
            self.metrics_logger.setLevel(logging.WARNING)
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
    def full_config_schema(cls) -> dict[str, t.Any]:
        """The config schema with the SDK's built-in settings (stream_maps, flattening_...)."""
        schema = cls.config_jsonschema
        cls.append_builtin_config(schema)
        return schema

    @property
    def settings(self) -> OperationSettings:
        """The settings, read and checked against each other."""
        return self.run.settings

    @override
    def config_from_environment(self) -> dict[str, t.Any]:
        return environment_settings(self.full_config_schema(), os.environ, self.logger.info)

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

    @override
    def discover_streams(self) -> list[WolkvoxStream]:
        return every_stream(self.run, self, self._building)

    @property
    def selected(self) -> list[WolkvoxStream]:
        """The streams this run reads, in the order they run."""
        return [s for s in self.streams.values() if s.selected and isinstance(s, WolkvoxStream)]

    @override
    def load_state(self, state: dict[str, t.Any]) -> None:
        # The SDK reads bookmarks here first, and stops with a traceback on one it cannot
        # parse: what the tap cannot resume from is dropped (with a warning) beforehand.
        if not isinstance(state, dict):
            raise WolkvoxError(not_a_state(state))
        keys: dict[str, str | None] = {}
        if isinstance(state.get("bookmarks"), dict):
            keys = {name: stream.replication_key or None for name, stream in self.streams.items()}
        clock = self.run.state_clock()
        readable = StateReader(keys, self.logger.warning, clock).read(state)
        super().load_state(readable)
        starts_with = readable.get(NEXT_RUN_STARTS_WITH)
        if isinstance(starts_with, str):
            # The SDK keeps only the bookmarks; this goes on in every STATE of the run.
            self.state_entries[NEXT_RUN_STARTS_WITH] = starts_with

    @override
    def before_first_stream(self) -> None:
        check_something_selected(self.streams.values())
        self.run.begin()
        # Streams take turns at the request budget (see run/budget.py): this run starts where
        # the last one stopped. The plan is then logged in the order the streams run.
        starts_with = self.state_entries.get(NEXT_RUN_STARTS_WITH)
        built = self.streams
        self.run_streams_in([n for n in run_order(stream_names(), starts_with) if n in built])
        self.log_plan()
        # With requests_in_flight 2, the next streams may begin reading during a stream's turn.
        lineup: list[tuple[str, t.Callable[[], t.Any]]] = []
        for stream in self.selected:
            contexts: list[dict[str, t.Any] | None] = [None]
            if stream.partitions:
                contexts = [*stream.partitions]
            lineup += [
                (ahead_key(stream.name, c), functools.partial(stream.begin_ahead, c))
                for c in contexts
            ]
        self.run.ahead.line_up(lineup)

    @override
    def streams_done(self) -> None:
        self.run.ahead.close()

    def log_plan(self) -> None:
        """Log the plan before any stream runs, and what is worth a warning in it."""
        plan = Plan.of(self.selected)
        budget = self.run.budget
        plan.announce(
            self.logger, int(self.config.get("plan_warning_requests") or 1000), budget.limit
        )
        usage = self.streams.get(TOKEN_USAGE.stream)
        if isinstance(usage, TokenUsageStream) and usage.selected:
            usage.check_quota(plan)

    def budget_spent(self) -> BudgetSpent:
        """The stop that the request over ``max_requests_per_run`` raises instead of going out.

        The state then names the stream the next run starts with (see run/budget.py).
        """
        selected = self.selected
        budget = self.run.budget
        following = next_run_start(
            [s.name for s in selected], budget.turn, spent_in_turn=budget.spent_in_turn
        )
        self.state_entries[NEXT_RUN_STARTS_WITH] = following
        progress = {s.name: s.progress() for s in selected}

        def summed_up(stop: RunStopped) -> None:
            log_run_summary(self.logger, budget, selected, t.cast("BudgetSpent", stop))

        return BudgetSpent(self, budget.limit or 0, progress, following, summed_up)

    @override
    def after_last_stream(self) -> None:
        log_run_summary(self.logger, self.run.budget, self.selected)
        check_something_was_read(s for s in self.streams.values() if isinstance(s, WolkvoxStream))

    @override
    def on_termination_signal(self, signum: int) -> None:
        if self._stop is not None:
            return
        self._stop = RunInterrupted(self, signum)
        writer = self.message_writer
        if isinstance(writer, LineWriter) and writer.writing:
            writer.pending = self._stop
            return
        raise self._stop

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
        except (RunStopped, WolkvoxError, StreamMapConfigError, MapExpressionError) as stop:
            raise click.exceptions.Exit(said(cls.logger, stop)) from None


if __name__ == "__main__":
    TapWolkvox.cli()
