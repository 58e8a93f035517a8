"""The late-row margin: how many rows Wolkvox published after a run had read their minute.

Wolkvox often publishes a row after the instant it carries (a call is stamped with its start
and appears when it ends; the report database lags). Bookmarks therefore never pass "now minus
the margin" (``settle_minutes``), and every run re-reads that margin. To tell the user how late
rows really arrive, each run leaves in STATE a small summary of what it saw in the margin: rows
per UTC minute, not keys. The next run counts the same minutes again; any minute that grew
holds rows that were published after the previous run asked for it.
"""

from __future__ import annotations

import datetime as dt
import typing as t
from collections import Counter
from dataclasses import dataclass

from tap_wolkvox.time.timestamps import ONE_MINUTE, UTC, floor_minute, format_instant

#: Key of the summary in a stream's (or partition's) STATE.
STATE_KEY = "late_row_margin"


def _minute_key(minute: dt.datetime) -> str:
    """``2025-03-10T16:50``: the first 16 characters of the canonical UTC form."""
    return format_instant(minute)[:16]


@dataclass(frozen=True)
class MarginSummary:
    """Rows seen per UTC minute of ``[start, until)`` by a run that asked at ``asked_at``."""

    start: dt.datetime
    until: dt.datetime
    asked_at: dt.datetime
    rows_per_minute: tuple[int, ...]

    def to_state(self) -> dict[str, t.Any]:
        """The JSON form kept in STATE."""
        return {
            "from": format_instant(self.start),
            "until": format_instant(self.until),
            "asked_at": format_instant(self.asked_at),
            "rows_per_minute": list(self.rows_per_minute),
        }

    @classmethod
    def from_state(cls, value: object) -> MarginSummary | None:
        """Read a summary back from STATE; None when absent or unreadable (it is only a gauge)."""
        if not isinstance(value, dict):
            return None
        try:
            counts = tuple(int(n) for n in value["rows_per_minute"])
            return cls(
                start=dt.datetime.fromisoformat(value["from"]).astimezone(UTC),
                until=dt.datetime.fromisoformat(value["until"]).astimezone(UTC),
                asked_at=dt.datetime.fromisoformat(value["asked_at"]).astimezone(UTC),
                rows_per_minute=counts,
            )
        except (KeyError, TypeError, ValueError):
            return None

    def minutes(self) -> t.Iterator[tuple[dt.datetime, int]]:
        """Each minute of the summary with its row count."""
        for index, rows in enumerate(self.rows_per_minute):
            yield self.start + index * ONE_MINUTE, rows


@dataclass(frozen=True)
class LateRows:
    """What a run found late in the margin the previous run had read."""

    rows: int
    #: The latest late row was published at least this long after its timestamp.
    latest_at_least: dt.timedelta | None
    #: Late rows were found in the oldest minute of the margin: later ones may have been missed.
    at_far_edge: bool


class MarginTally:
    """Counts the rows of one run (one partition) per UTC minute, from ``floor`` on."""

    def __init__(self, previous: MarginSummary | None, floor: dt.datetime) -> None:
        """Start counting; ``previous`` is the summary the last run left in STATE."""
        self.previous = previous
        self._rows: Counter[str] = Counter()
        self._count_from(floor)

    def _count_from(self, floor: dt.datetime) -> None:
        self._wanted = floor
        if self.previous is not None:
            floor = min(floor, self.previous.start)
        self._floor = format_instant(floor_minute(floor.astimezone(UTC)))

    def move_floor(self, moved: dt.timedelta) -> None:
        """Count from ``moved`` later: the clock the floor was read from has moved."""
        self._count_from(self._wanted + moved)

    def count(self, stamp: str) -> None:
        """Count one row by its canonical UTC timestamp."""
        if stamp >= self._floor:
            self._rows[stamp[:16]] += 1

    def summary(
        self, start: dt.datetime, until: dt.datetime, asked_at: dt.datetime
    ) -> MarginSummary | None:
        """The summary of ``[start, until)`` to keep in STATE (None when the range is empty)."""
        first = floor_minute(start.astimezone(UTC))
        if first >= until:
            return None
        minutes = int((until - first) / ONE_MINUTE) + (1 if (until - first) % ONE_MINUTE else 0)
        counts = tuple(self._rows[_minute_key(first + i * ONE_MINUTE)] for i in range(minutes))
        return MarginSummary(first, until, asked_at, counts)

    def late_rows(self, read_from: dt.datetime, read_until: dt.datetime) -> LateRows | None:
        """Rows that appeared in the previous margin since the previous run read it.

        Only minutes that both runs read whole are compared: ``read_from``..``read_until`` is
        what this run read. None when there was nothing to compare.
        """
        previous = self.previous
        if previous is None:
            return None
        late = 0
        latest: dt.timedelta | None = None
        far_edge = False
        compared = False
        for minute, seen_before in previous.minutes():
            end = minute + ONE_MINUTE
            if minute < read_from or end > previous.until or end > read_until:
                continue
            compared = True
            grown = self._rows[_minute_key(minute)] - seen_before
            if grown <= 0:
                continue
            late += grown
            # Not there when the previous run asked, so published at least this late.
            lateness = max(previous.asked_at - (end - dt.timedelta(seconds=1)), dt.timedelta())
            latest = lateness if latest is None else max(latest, lateness)
            far_edge = far_edge or minute == previous.start
        return LateRows(late, latest, far_edge) if compared else None


# -- the margin learns ------------------------------------------------------------------------

#: Key of the learned margin in a stream's (or partition's) STATE, beside :data:`STATE_KEY`.
LEARNED_KEY = "learned_margin"
#: The widest margin the tap learns by itself. Rows stamped at an interaction's start appear
#: when it ends: long calls and chats left open last a few hours, not more; a row later than
#: that is an outage or a wrong clock (which the tap checks otherwise), and each minute of
#: margin is re-read by every run (at a five-minute poll, a 4-hour margin emits each row about
#: 48 times). Beyond this, only a wider ``settle_minutes`` widens it.
LEARNED_MARGIN_CAP = dt.timedelta(hours=4)
#: A learned margin is halved once this long has passed with no late row past half of it:
#: narrowing can lose rows, so it waits for a full week (every weekday's traffic) of evidence.
QUIET_PERIOD = dt.timedelta(days=7)


@dataclass(frozen=True)
class LearnedMargin:
    """A margin wider than ``settle_minutes`` that late rows taught, kept in STATE."""

    minutes: int
    #: Since when no late row came later than half of ``minutes`` (or when it last changed).
    quiet_since: dt.datetime

    def to_state(self) -> dict[str, t.Any]:
        """The JSON form kept in STATE."""
        return {"minutes": self.minutes, "quiet_since": format_instant(self.quiet_since)}

    @classmethod
    def from_state(cls, value: object) -> LearnedMargin | None:
        """Read it back from STATE; None when absent or unreadable (the setting then rules)."""
        if not isinstance(value, dict):
            return None
        try:
            minutes = value["minutes"]
            since = dt.datetime.fromisoformat(value["quiet_since"]).astimezone(UTC)
        except (KeyError, TypeError, ValueError):
            return None
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
            return None
        return cls(minutes, since)


def effective_margin(settle: dt.timedelta, learned: LearnedMargin | None) -> dt.timedelta:
    """The margin a run uses: ``settle_minutes``, or the learned margin when wider."""
    if learned is None:
        return settle
    return max(settle, learned.minutes * ONE_MINUTE)


def reaches_far_edge(late: LateRows | None, margin: dt.timedelta) -> bool:
    """Late rows reached the far edge of ``margin``: some were about as late as all of it.

    Found in the oldest minute of the previous run's margin, a late row was published at least
    the margin less a minute after its timestamp. After a widening, rows found late in the
    re-read minutes behind the bookmark were only as late as the old margin: not this one.
    """
    return (
        late is not None
        and late.at_far_edge
        and late.latest_at_least is not None
        and late.latest_at_least >= margin - ONE_MINUTE
    )


def learn(
    learned: LearnedMargin | None, settle_minutes: int, late: LateRows | None, now: dt.datetime
) -> LearnedMargin | None:
    """The learned margin the following runs use, given what this run found late at ``now``.

    Late rows at the far edge of the margin double it (up to :data:`LEARNED_MARGIN_CAP`). A
    learned margin that saw no late row past half of it for :data:`QUIET_PERIOD` is halved,
    and dropped once it would be no wider than ``settle_minutes``: never below the setting.
    """
    margin = effective_margin(settle_minutes * ONE_MINUTE, learned)
    minutes = int(margin / ONE_MINUTE)
    if reaches_far_edge(late, margin):
        widened = min(2 * minutes, int(LEARNED_MARGIN_CAP / ONE_MINUTE))
        if widened > minutes:
            return LearnedMargin(widened, now)
    if learned is None or learned.minutes <= settle_minutes:
        return None
    half = learned.minutes // 2
    latest = late.latest_at_least if late is not None else None
    if latest is not None and latest >= half * ONE_MINUTE:
        return LearnedMargin(learned.minutes, now)
    if now - learned.quiet_since >= QUIET_PERIOD:
        return LearnedMargin(half, now) if half > settle_minutes else None
    return learned
