"""The run's request budget and plan: how many calls a run may send, and how many it needs.

Every request, retries included, goes through :meth:`RequestBudget.spend` just before it is
sent (``WolkvoxStream.request_decorator``). With ``max_requests_per_run`` set, the request that
would exceed it is never sent: :class:`BudgetSpent` stops the run instead, quietly and with
exit code 0, its last STATE a valid resume point (bookmarks move only when a whole window is
out), so that the next run continues where this one stopped. A request whose previous attempt
failed is not a place to stop quietly: the run ends with that request's failure instead, so a
server that fails everything fails the run whatever the budget.

Streams take turns (:func:`run_order`, :func:`next_start`). Streams spend the budget one after
another, so with a budget below what one poll needs, a fixed order would give it to the same
first streams on every run and never read the others. Each run starts instead with the stream
after the one whose turn the budget ran out in (that stream had its share: a long backfill
reads a budget's worth and goes to the back), or with that stream itself when the budget ran
out before its first request. The name is kept in STATE (:data:`NEXT_RUN_STARTS_WITH`), which
Meltano stores whole. Rotating rather than splitting the budget keeps each run's requests where
they do most (a stream with little to read leaves the rest to the next), spends no call on
turns (every request still moves some stream on), and needs no per-stream arithmetic that a
budget of one or two could not honour. Every run moves the start at least one stream on, so
each selected stream gets the first requests of a run at least once every N runs (N selected
streams), and advances whenever its next window fits in a budget.
"""

from __future__ import annotations

import math
import threading
import typing as t
from contextlib import contextmanager
from dataclasses import dataclass, field

from tap_wolkvox.run.stops import RunStopped

if t.TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

    from singer_sdk import Tap


class Planned(t.Protocol):
    """A stream, as the plan sees it."""

    name: str
    #: Read anew on every run (a real-time snapshot): its cost repeats with each run.
    snapshot: bool

    def planned_requests(self) -> tuple[int, int]:
        """The fewest requests it needs this run, and over how many partitions."""
        ...


#: STATE (top level, beside ``bookmarks``): the stream the next run starts with.
NEXT_RUN_STARTS_WITH = "next_run_starts_with"

#: More selected streams than this is worth a warning before the run starts.
MANY_STREAMS = 50
#: Streams named one by one in the plan line (the rest are counted).
SHOWN = 10
#: Runs a day on a one-minute schedule: what a snapshot's calls a run are multiplied by.
MINUTES_A_DAY = 24 * 60


class BudgetSpent(RunStopped):
    """``max_requests_per_run`` requests are out: the run ends here, successfully."""

    def __init__(
        self,
        tap: Tap,
        limit: int,
        progress: dict[str, str],
        next_stream: str | None,
        on_stop: Callable[[RunStopped], None] | None = None,
    ) -> None:
        """Stop ``tap`` at ``limit`` requests.

        ``progress`` says how far each stream got; ``next_stream`` is where the next run starts.
        """
        said = "; ".join(f"{name} {how}" for name, how in progress.items())
        starts = f", starting with stream {next_stream}" if next_stream else ""
        super().__init__(
            tap,
            0,
            f"Request budget spent (max_requests_per_run = {limit}): {said}. "
            f"The last STATE emitted is where the next run continues{starts}.",
            on_stop,
        )
        self.limit = limit
        self.progress = progress
        self.next_stream = next_stream

    def summary(self) -> dict[str, t.Any]:
        """The stop in the run summary (``budget_spent``): what the message says, as data."""
        return {
            "limit": self.limit,
            "next_run_starts_with": self.next_stream,
            "progress": self.progress,
        }


@dataclass
class RequestBudget:
    """Requests sent so far by this run, against an optional limit, and whose turn it is."""

    limit: int | None = None
    spent: int = 0
    #: The stream whose turn it is (its sync has begun), and what was spent before it began.
    turn: str | None = None
    turn_began_at: int = 0
    #: Requests held back for the streams (see :meth:`keeping`).
    reserved: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def allows_another(self) -> bool:
        """True when one more request stays within the limit."""
        return self.limit is None or self.spent < self.limit - self.reserved

    def spend(self) -> None:
        """Count one request about to be sent (call only after :meth:`allows_another`).

        Readings ahead (run/ahead.py) send from threads of their own: counted under a lock.
        """
        with self._lock:
            self.spent += 1

    def begin_turn(self, stream: str) -> None:
        """``stream`` starts syncing: what is spent from now on is spent in its turn."""
        if stream != self.turn:
            self.turn, self.turn_began_at = stream, self.spent

    @property
    def spent_in_turn(self) -> int:
        """Requests sent since the current turn began (read-aheads on its behalf included)."""
        return self.spent - self.turn_began_at

    @contextmanager
    def keeping(self, requests: int) -> Iterator[None]:
        """Within this block, leave ``requests`` of the limit unspent (for the streams)."""
        self.reserved = requests
        try:
            yield
        finally:
            self.reserved = 0


def run_order(streams: Sequence[str], starts_with: object) -> list[str]:
    """``streams`` (the catalog's order) rotated to start with ``starts_with``, if it is one."""
    if starts_with not in streams:
        return list(streams)
    at = streams.index(t.cast("str", starts_with))
    return [*streams[at:], *streams[:at]]


def next_start(selected: Sequence[str], stopped_in: str | None, *, spent_in_turn: int) -> str:
    """The stream the next run starts with, when the budget ran out in ``stopped_in``'s turn.

    ``selected``: the selected streams in this run's order. A stream that had requests in its
    turn had its share: the next one starts. One that had none yet starts the next run itself.
    """
    if stopped_in not in selected:
        return selected[0]
    if spent_in_turn == 0:
        return t.cast("str", stopped_in)
    return selected[(selected.index(t.cast("str", stopped_in)) + 1) % len(selected)]


@dataclass
class Plan:
    """The fewest requests each selected stream needs this run, by stream, in run order."""

    windows: dict[str, int] = field(default_factory=dict)
    partitions: dict[str, int] = field(default_factory=dict)
    #: The snapshot streams among them: calls each costs on every run.
    snapshots: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, streams: Iterable[Planned]) -> Plan:
        """The plan of ``streams`` (the selected ones, in the order they run)."""
        plan = cls()
        for stream in streams:
            plan.windows[stream.name], plan.partitions[stream.name] = stream.planned_requests()
            if stream.snapshot:
                plan.snapshots[stream.name] = plan.windows[stream.name]
        return plan

    @property
    def total(self) -> int:
        """Requests the whole run needs at least."""
        return sum(self.windows.values())

    def line(self) -> str:
        """The plan as one log line."""
        parts = []
        for name, count in list(self.windows.items())[:SHOWN]:
            partitions = self.partitions.get(name, 1)
            parts.append(
                f"{name} {count}" + (f" ({partitions} partitions)" if partitions > 1 else "")
            )
        if len(self.windows) > SHOWN:
            parts.append(f"and {len(self.windows) - SHOWN} more")
        return (
            f"Plan: at least {self.total} requests for {len(self.windows)} streams "
            f"({', '.join(parts) or 'none'}); more if windows are split at the row cap or retried"
            + self.snapshot_cost()
        )

    def snapshot_cost(self) -> str:
        """What the snapshot streams cost a day on a one-minute schedule ("" without any)."""
        if not self.snapshots:
            return ""
        calls = sum(self.snapshots.values())
        count = len(self.snapshots)
        streams = "snapshot stream costs" if count == 1 else f"{count} snapshot streams cost"
        return (
            f". The {streams} {calls} call{'' if calls == 1 else 's'} every run: run every "
            f"minute, {calls * MINUTES_A_DAY:,} calls a day of the token's daily quota "
            "(licenses x 1,000)"
        )

    def announce(self, logger: logging.Logger, threshold: int, budget: int | None) -> None:
        """Log the plan, and what is worth a warning in it, before any stream runs."""
        logger.info("%s", self.line())
        for warning in self.warnings(threshold, budget):
            logger.warning("%s", warning)

    def warnings(self, threshold: int, budget: int | None) -> list[str]:
        """What is worth a warning before the run starts."""
        found = []
        if budget is not None and budget < self.total:
            below = (
                f"max_requests_per_run = {budget} is below the {self.total} requests this run "
                "needs at least"
            )
            runs = f"catching up takes about {math.ceil(self.total / budget)} runs"
            count, first = len(self.windows), next(iter(self.windows), "")
            found.append(
                f"{below}: {runs}."
                if count < 2  # noqa: PLR2004 - turns need two streams
                else f"{below}, so streams take turns: each run starts with the stream after "
                f"the one the budget last stopped in (this run starts with {first}), so each "
                f"of the {count} streams starts a run at least once every {count} runs; {runs}."
            )
        if len(self.windows) > MANY_STREAMS:
            found.append(
                f"{len(self.windows)} streams are selected: each costs calls every run. Select "
                "only the streams you use (meltano.yml's select: block)."
            )
        if self.total > threshold:
            found.append(
                f"This run needs at least {self.total} requests (plan_warning_requests is "
                f"{threshold}); a token's daily quota is licenses x 1,000 calls."
                + (
                    ""
                    if budget is not None
                    else " Set max_requests_per_run to spread a backfill over several runs."
                )
            )
        return found


def bookmark_progress(state: Mapping[str, t.Any]) -> str:
    """How far a stream got, from its state's bookmarks (the earliest partition's)."""
    entries = state.get("partitions") or [state]
    values = [str(v) for e in entries if (v := e.get("replication_key_value")) is not None]
    if not values:
        return "not started"
    if len(values) < len(entries):
        return f"{len(values)} of {len(entries)} partitions started"
    return f"read up to {min(values)}"
