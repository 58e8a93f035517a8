"""The run's request budget and plan: how many calls a run may send, and how many it needs.

Every request, retries included, goes through :meth:`RequestBudget.spend` just before it is
sent (``WolkvoxStream.request_decorator``). With ``max_requests_per_run`` set, the request that
would exceed it is never sent: :class:`BudgetSpent` stops the run instead, quietly and with
exit code 0, its last STATE a valid resume point (bookmarks move only when a whole window is
out), so that the next run continues where this one stopped.
"""

from __future__ import annotations

import sys
import typing as t
from dataclasses import dataclass, field

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

#: More selected streams than this is worth a warning before the run starts.
MANY_STREAMS = 50
#: Streams named one by one in the plan line (the rest are counted).
SHOWN = 10


class RunStopped(SystemExit):
    """The run stops before reading everything; its last STATE stays a valid resume point.

    A ``SystemExit``, so no ``except Exception`` on the way (the SDK's, a stream's) stops it.
    ``tap`` is the running tap, whose state is flushed on the way out (:meth:`flush_state`).
    """

    def __init__(self, tap: t.Any, exit_code: int) -> None:
        """Stop ``tap`` with ``exit_code``."""
        self.exit_code = exit_code
        super().__init__(exit_code)
        self.tap = tap

    def flush_state(self) -> None:
        """Emit the state if it moved since the last STATE (a window done, its STATE not out).

        The bookmark advances only once a window's records are all out, so the state in memory
        is always a valid resume point; it is not emitted before the run has one (stopped
        while starting), lest an empty STATE replace the target's.
        """
        try:
            state, writer = self.tap.state, self.tap.state_writer
        except AttributeError:  # stopped before the SDK had set the state up
            return
        if state:
            writer.write_state(state)
        sys.stdout.flush()

    @property
    def message(self) -> str:
        """The one line the log gets."""
        raise NotImplementedError


class BudgetSpent(RunStopped):
    """``max_requests_per_run`` requests are out: the run ends here, successfully."""

    def __init__(self, tap: t.Any, limit: int, progress: str) -> None:
        """Stop ``tap`` at ``limit`` requests; ``progress`` says how far each stream got."""
        super().__init__(tap, 0)
        self.limit = limit
        self.progress = progress

    @property
    def message(self) -> str:
        """The one line the log gets."""
        return (
            f"Request budget spent (max_requests_per_run = {self.limit}): {self.progress}. "
            "The last STATE emitted is where the next run continues."
        )


@dataclass
class RequestBudget:
    """Requests sent so far by this run, against an optional limit."""

    limit: int | None = None
    spent: int = 0

    def allows_another(self) -> bool:
        """True when one more request stays within the limit."""
        return self.limit is None or self.spent < self.limit

    def spend(self) -> None:
        """Count one request about to be sent (call only after :meth:`allows_another`)."""
        self.spent += 1


@dataclass
class Plan:
    """The fewest requests each selected stream needs this run, by stream, in run order."""

    windows: dict[str, int] = field(default_factory=dict)
    partitions: dict[str, int] = field(default_factory=dict)

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
        )

    def warnings(self, threshold: int, budget: int | None) -> list[str]:
        """What is worth a warning before the run starts."""
        found = []
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


def progress(bookmarks: Mapping[str, t.Any], streams: Iterable[str]) -> str:
    """How far each stream got, from the state's bookmarks (the earliest partition's)."""
    said = []
    for name in streams:
        state = bookmarks.get(name) or {}
        entries = state.get("partitions") or [state]
        values = [str(v) for e in entries if (v := e.get("replication_key_value")) is not None]
        if not values:
            said.append(f"{name} not started")
        elif len(values) < len(entries):
            said.append(f"{name} {len(values)} of {len(entries)} partitions started")
        else:
            said.append(f"{name} read up to {min(values)}")
    return "; ".join(said)
