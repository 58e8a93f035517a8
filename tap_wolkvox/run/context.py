"""What every stream of one run shares, typed: settings and clock, session, budget, stops.

The tap builds one :class:`RunContext` and hands it to each stream it makes; a stream never
reaches into the tap. What only the tap can say (how far every stream got, when the budget
stops the run) comes as a function the tap gives.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import version

from tap_wolkvox.replies.exchange import OneAtATimeSession
from tap_wolkvox.run.ahead import Ahead
from tap_wolkvox.run.budget import RequestBudget
from tap_wolkvox.settings import DEFAULT_TIMEZONE, SettingsError
from tap_wolkvox.time.clocks import ServerTime
from tap_wolkvox.time.timestamps import OperationClock, format_instant, load_timezone

if t.TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from tap_wolkvox.run.budget import BudgetSpent
    from tap_wolkvox.settings import OperationSettings


@dataclass
class RunContext:
    """One run's shared parts (built with the tap, before its config is read: hence getters)."""

    #: The tap's config as validated (list settings as text).
    read_config: Callable[[], Mapping[str, t.Any]]
    #: Reads the settings once they are needed (a discovery with a bad config never needs them).
    read_settings: Callable[[], OperationSettings]
    #: The stop to raise when the request budget is spent (the tap knows every stream's progress).
    budget_spent: Callable[[], BudgetSpent]
    #: Where a warning of the run goes (the tap's logger).
    warn: Callable[[str], None]
    #: When the run began (UTC, the form of every instant the tap emits): what names the run in
    #: the records of the snapshot streams. Set by :meth:`begin`.
    started_at: str | None = None

    def begin(self) -> str:
        """The run begins now, unless it already has (the tap says so before its first stream).

        Returns when it began. A scheduled job never starts twice in one second (runs of one
        pipeline never overlap), so that instant tells its runs apart.
        """
        if self.started_at is None:
            self.started_at = format_instant(self.settings.clock.utc_now())
        return self.started_at

    @property
    def config(self) -> Mapping[str, t.Any]:
        """The tap's config as validated."""
        return self.read_config()

    @cached_property
    def budget(self) -> RequestBudget:
        """The run's requests against ``max_requests_per_run`` (unlimited when unset)."""
        return RequestBudget(self.config.get("max_requests_per_run"))

    @cached_property
    def settings(self) -> OperationSettings:
        """The settings, read and checked against each other (see settings.py)."""
        return self.read_settings()

    @cached_property
    def session(self) -> OneAtATimeSession:
        """One HTTP session for every stream: ``requests_in_flight`` exchanges at most at once."""
        return OneAtATimeSession(int(self.config.get("requests_in_flight") or 1))

    @cached_property
    def ahead(self) -> Ahead:
        """What is read ahead of the rows being written (run/ahead.py).

        Only with ``requests_in_flight: 2`` and no ``max_requests_per_run``.
        """
        budgeted = self.config.get("max_requests_per_run") is not None
        return Ahead(1 if budgeted else self.session.in_flight.slot_count)

    @cached_property
    def user_agent(self) -> str:
        """Every request's User-Agent: the SDK's, worked out once a run, not once a stream."""
        return str(self.config.get("user_agent", f"singer-sdk/{version('singer-sdk')}"))

    @cached_property
    def server_time(self) -> ServerTime:
        """Keeps the operation's clock on the Wolkvox server's time (said once when off)."""
        return ServerTime(self.settings.clock, self.warn)

    def state_clock(self) -> OperationClock:
        """The operation's clock, to read bookmarks without an offset (as the streams do).

        Settings that do not hold together are reported once the tap is built; until then the
        default zone reads the state.
        """
        try:
            return self.settings.clock
        except SettingsError:
            return OperationClock(load_timezone(DEFAULT_TIMEZONE))
