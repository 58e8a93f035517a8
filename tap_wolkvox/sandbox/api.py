"""What the sandbox's API says, and what a path of it may ask the simulator: no behaviour.

The simulator (server.py) answers the reports itself and hands other paths (information.php,
real_time.php) to a :class:`PathApi`; such a path sees the simulator only as :class:`Answers`,
so that the modules below the server never import it.
"""

from __future__ import annotations

import datetime as dt
import time
import typing as t
from dataclasses import dataclass, field

REPORTS_PATH = "/api/v2/reports_manager.php"
INFORMATION_PATH = "/api/v2/information.php"
REALTIME_PATH = "/api/v2/real_time.php"
MAX_SPAN = dt.timedelta(days=31)

MSG_NO_TOKEN = "PLEASE ENTER THE WOLKVOX-TOKEN"  # noqa: S105 - an API message
MSG_BAD_TOKEN = "PLEASE VALIDATE TOKEN"  # noqa: S105 - an API message
MSG_QUOTA = "TOKEN LIMIT EXCEEDED"
MSG_CONCURRENT = "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)"
MSG_NO_SUCH_API = "THE API YOU WANT TO CONSULT DOES NOT EXIST"
MSG_PARAMETERS = "SOME PARAMETERS ARE REQUIRED"
MSG_EMPTY = "Validate dates entered"  # what a 404 for an empty window says (misleadingly)
NOT_FOUND_PAGE = b"<html><head><title>404 Not Found</title></head><body>Not Found</body></html>"

#: Which spelling replies come in: the declarations' or the vendor's sample replies'.
Shapes = t.Literal["declared", "sample"]
#: How an empty answer comes: Wolkvox's 404 "Validate dates entered", or a 200 with no rows.
Empty = t.Literal["404", "list"]


class ReportSource(t.Protocol):
    """Where the rows of one report come from."""

    def rows(self, start: str, end: str, now: str) -> list[dict[str, t.Any]]:
        """Rows for the wall-clock range ``[start, end]`` as of ``now`` (all local strings)."""
        ...


class Answers(t.Protocol):
    """What a path's answer may use of the simulator: its clock, quota count and replies."""

    daily_quota: int | None
    calls_today: int

    def wall_now(self) -> str:
        """The operation's wall clock now, ``YYYY-MM-DD HH:MM:SS``."""
        ...

    def windowed(
        self, source: ReportSource, params: dict[str, str], record: RequestRecord
    ) -> tuple[int, t.Any]:
        """The answer of a source read by date range: ``date_ini``..``date_end``."""
        ...

    def rows_reply(
        self, rows: list[dict[str, t.Any]], record: RequestRecord, *, empty: Empty = "404"
    ) -> tuple[int, t.Any]:
        """A 200 holding ``rows`` (as one object: a :class:`OneObject`); none, as ``empty`` says."""
        ...

    def error(self, status: int, error: str, message: str) -> tuple[int, t.Any]:
        """An error reply as Wolkvox sends it."""
        ...


class PathApi(t.Protocol):
    """Another path than the reports' (information.php, real_time.php), behind the same checks."""

    def answer(
        self, sim: Answers, params: dict[str, str], record: RequestRecord
    ) -> tuple[int, t.Any]:
        """The status and JSON body for one request that passed the token and quota checks."""
        ...


class OneObject(list[dict[str, t.Any]]):
    """What a source returns to have ``data`` sent as its single object, not as a list.

    cdr_4 sends one object keyed by duration bucket (``{"0_5_seg": {...}, ...}``); the reply
    then says one record was found, as the vendor's sample does.
    """


@dataclass
class RequestRecord:
    """What the simulator saw of one request (the token itself is never kept)."""

    api: str | None
    params: dict[str, str]
    token_sent: bool
    status: int = 0
    rows: int = 0
    fault: str | None = None
    started: float = field(default_factory=time.monotonic)
