"""What a run says when it ends: its requests, each stream's counts, whether it read anything.

The counts go out twice: as a sentence for people, and as one JSON object (the "Run summary"
line) for programs (the demo, the tests, a user's monitoring), so that nobody parses sentences.
"""

from __future__ import annotations

import json
import typing as t

from tap_wolkvox.replies.errors import WolkvoxError

if t.TYPE_CHECKING:
    import logging
    from collections.abc import Iterable

    from tap_wolkvox.run.budget import BudgetSpent, RequestBudget


class Reading(t.Protocol):
    """A stream, as the end of the run sees it."""

    @property
    def name(self) -> str:
        """The stream's name."""
        ...

    @property
    def report_api(self) -> str:
        """The ``api=`` name it reads."""
        ...

    @property
    def tried(self) -> bool:
        """It tried to read (it was selected and its settings did not skip it)."""
        ...

    @property
    def unavailable(self) -> bool:
        """The server lacks its API."""
        ...

    def summary(self) -> dict[str, t.Any]:
        """What it did in the run: its entry in the run summary."""
        ...


#: The start of the log line holding the run's counts as one JSON object.
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


def log_run_summary(
    logger: logging.Logger,
    budget: RequestBudget,
    selected: Iterable[Reading],
    stop: BudgetSpent | None = None,
) -> None:
    """Log what the run sent, and the run summary; ``stop``: the budget ended the run."""
    logger.info(
        "Run done: %d requests sent (retries included)%s",
        budget.spent,
        "" if budget.limit is None else f" of max_requests_per_run = {budget.limit}",
    )
    summary: dict[str, t.Any] = {
        "requests": budget.spent,
        "streams": {stream.name: stream.summary() for stream in selected},
    }
    if stop is not None:
        summary["budget_spent"] = stop.summary()
    logger.info("%s%s", RUN_SUMMARY, json.dumps(summary))


def check_something_was_read(streams: Iterable[Reading]) -> None:
    """Fail a run that could read none of its reports.

    A report missing on the server is skipped so that the other streams go on; when every
    stream that tried to read was missing, the run read nothing and must not look fine. Every
    stream of the tap (reports and information.php alike) counts here.

    Raises:
        WolkvoxError: naming the missing reports.
    """
    tried = [s for s in streams if s.tried]
    missing = [s for s in tried if s.unavailable]
    if missing and len(missing) == len(tried):
        names = ", ".join(f"{s.report_api} ({s.name})" for s in missing)
        msg = (
            f"None of the selected reports exists on this Wolkvox server (400 THE API YOU "
            f"WANT TO CONSULT DOES NOT EXIST): {names}. Check wolkvox_server and the "
            "selected streams."
        )
        raise WolkvoxError(msg)
