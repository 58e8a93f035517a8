"""The operation's clock: Wolkvox wall-clock strings in, unambiguous UTC instants out.

Wolkvox writes every timestamp as a local wall-clock string (``YYYY-MM-DD HH:MM:SS``) with no
offset, and reads ``date_ini``/``date_end`` the same way (``YYYYmmddHHMMSS``). The evidence says
the clock is UTC-5 (America/Bogota); the operation's IANA zone is a setting.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import typing as t
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if t.TYPE_CHECKING:
    from collections.abc import Callable

UTC = dt.timezone.utc
ONE_SECOND = dt.timedelta(seconds=1)
ONE_MINUTE = dt.timedelta(minutes=1)

#: Every valid ``:MM:SS`` tail of a wall-clock string: one set lookup checks a row's minutes
#: and seconds on the hot path.
VALID_TAILS = frozenset(map("".join, itertools.product(*[[f":{n:02d}" for n in range(60)]] * 2)))

_LOCAL_STAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?")
_DAY = re.compile(r"\d{4}-\d\d-\d\d")

#: The first and last dates a setting or bookmark may name. Nothing of Wolkvox's predates 1970
#: (its call IDs count Unix seconds); a year short of 9999 keeps every window, offset and
#: look-back inside what a date can hold, and four-digit years in every query.
FIRST_DAY = dt.date(1970, 1, 1)
LAST_DAY = dt.date(9998, 12, 31)
_END_OF_DAY = dt.time(23, 59, 59)


class InvalidTimezoneError(ValueError):
    """The configured time zone is not a known IANA name."""


class DateOutOfRangeError(ValueError):
    """A date outside :data:`FIRST_DAY` .. :data:`LAST_DAY`."""


def date_in_range(day: dt.date) -> bool:
    """Whether ``day`` lies in the dates the tap accepts (:data:`FIRST_DAY` .. :data:`LAST_DAY`)."""
    return FIRST_DAY <= day <= LAST_DAY


def load_timezone(name: str) -> ZoneInfo:
    """Return the IANA zone called ``name`` or raise a readable error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        msg = f"'{name}' is not a known IANA time zone name (for example America/Bogota)"
        raise InvalidTimezoneError(msg) from exc


def parse_wall_clock(value: str) -> dt.datetime | None:
    """Read a Wolkvox ``YYYY-MM-DD HH:MM:SS`` string as a naive wall-clock time.

    Also read: ``YYYY-MM-DDTHH:MM:SS`` and ``YYYY-MM-DD HH:MM`` (seconds 0): the docs call
    some of these fields "year-month-day-time" without more. Returns None for anything else
    (blank, ``-``, a day alone, garbage), so that callers can keep the row and report the value
    instead of failing.
    """
    if len(value) == 16 and _LOCAL_STAMP.fullmatch(value):  # noqa: PLR2004 - no seconds
        value += ":00"
    if len(value) != 19 or not _LOCAL_STAMP.fullmatch(value):  # noqa: PLR2004
        return None
    try:
        # Slicing is several times faster than strptime on this hot path.
        return dt.datetime(  # noqa: DTZ001 - a wall-clock time, zoned by the caller
            int(value[0:4]),
            int(value[5:7]),
            int(value[8:10]),
            int(value[11:13]),
            int(value[14:16]),
            int(value[17:19]),
        )
    except ValueError:
        return None


def parse_day(value: str) -> dt.date | None:
    """Read a ``YYYY-MM-DD`` (or ``YYYYMMDD``) day string, or return None."""
    text = value.strip()
    if len(text) == 8 and text.isdigit():  # noqa: PLR2004
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    if not _DAY.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def format_query_stamp(wall_clock: dt.datetime) -> str:
    """Format a wall-clock time the way ``date_ini``/``date_end`` expect: ``YYYYmmddHHMMSS``."""
    return wall_clock.strftime("%Y%m%d%H%M%S")


def format_instant(instant: dt.datetime) -> str:
    """The one canonical form the tap emits: ISO 8601 in UTC, ``2025-04-03T17:28:00+00:00``.

    Bookmarks are compared as strings, so every emitted instant must share this form.
    """
    return instant.astimezone(UTC).replace(microsecond=0).isoformat()


class OperationClock:
    """Converts between the operation's wall clock and UTC instants."""

    def __init__(self, zone: ZoneInfo, utc_now: Callable[[], dt.datetime] | None = None) -> None:
        """Create a clock for ``zone``; ``utc_now`` replaces the system clock (tests)."""
        self.zone = zone
        self._utc_now = utc_now or _system_utc_now
        #: Added to the host's clock: the Wolkvox server's time differs from it by this much,
        #: once more than a minute (see clocks.ServerTime); zero otherwise.
        self.correction = dt.timedelta(0)
        # Offsets only change on the hour in practice, so one lookup per wall-clock hour
        # keeps per-row conversion cheap; the cache is bounded by the hours in the data.
        self._hour_offsets: dict[dt.datetime, dt.timedelta] = {}
        self._utc_hours: dict[str, str] = {}  # "2025-04-03 12" -> "2025-04-03T17"

    def instant(self, wall_clock: dt.datetime) -> dt.datetime:
        """The UTC instant of a wall-clock time.

        Where daylight-saving makes a wall-clock time ambiguous (it happens twice) or
        impossible (it is skipped), the earliest candidate instant is taken: a bookmark is then
        never later than the data it stands for, so nothing is skipped on resume.
        """
        first = wall_clock.replace(tzinfo=self.zone, fold=0).astimezone(UTC)
        second = wall_clock.replace(tzinfo=self.zone, fold=1).astimezone(UTC)
        return min(first, second)

    def wall_clock(self, instant: dt.datetime) -> dt.datetime:
        """The naive wall-clock time in the operation's zone of an aware instant."""
        return instant.astimezone(self.zone).replace(tzinfo=None, fold=0)

    def resume_wall_clock(self, instant: dt.datetime) -> dt.datetime:
        """Where a walk that has read everything before ``instant`` resumes, in wall-clock time.

        Usually the wall-clock time of ``instant``. But when daylight saving turns the clock
        back, an hour of wall-clock time happens twice, and the API filters on wall-clock
        strings: a bookmark in the first pass of that hour must resume at the start of the
        repeated hour, or the second pass's rows before the bookmark's wall time (01:00 to
        01:40 when the bookmark says 01:40) would never be asked for.
        """
        local = instant.astimezone(self.zone)
        wall = local.replace(tzinfo=None, fold=0)
        if local.fold == 1 or not self._repeated(wall):
            return wall
        start = wall.replace(second=0, microsecond=0)
        while self._repeated(start - ONE_MINUTE):
            start -= ONE_MINUTE
        return start

    def _repeated(self, wall: dt.datetime) -> bool:
        """True when ``wall`` happens twice (the hour a daylight-saving change repeats)."""
        first = wall.replace(tzinfo=self.zone, fold=0)
        second = wall.replace(tzinfo=self.zone, fold=1)
        return first.utcoffset() != second.utcoffset() and (
            first.astimezone(UTC) < second.astimezone(UTC)
        )

    def utc_now(self) -> dt.datetime:
        """The current instant (aware, UTC), to the second: the server's when the host is off."""
        return (self.host_now() + self.correction).replace(microsecond=0)

    def host_now(self) -> dt.datetime:
        """The host's clock as it is (aware, UTC)."""
        return self._utc_now().astimezone(UTC)

    def now(self) -> dt.datetime:
        """The operation's current wall-clock time, to the second."""
        return self.wall_clock(self.utc_now())

    @property
    def utc_hours(self) -> t.Mapping[str, str]:
        """The UTC hour of each wall-clock hour seen so far, where the offset is whole hours.

        ``"2025-04-03 12"`` -> ``"2025-04-03T17"``; :meth:`to_utc_string` fills it.
        """
        return self._utc_hours

    def to_utc_string(self, value: str) -> str | None:
        """Convert a Wolkvox timestamp string to the canonical UTC string, or None."""
        # Hot path (once per row): the UTC form of each wall-clock hour is computed once; the
        # minutes and seconds are copied, since operation offsets are whole hours.
        utc_hour = self._utc_hours.get(value[:13])
        if utc_hour is not None:
            tail = value[13:]
            if tail in VALID_TAILS:
                return f"{utc_hour}{tail}+00:00"
        wall_clock = parse_wall_clock(value)
        if wall_clock is None:
            return None
        hour = wall_clock.replace(minute=0, second=0)
        offset = self._hour_offsets.get(hour)
        if offset is None:
            offset = self.instant(hour).replace(tzinfo=None) - hour
            self._hour_offsets[hour] = offset
            if offset % dt.timedelta(hours=1) == dt.timedelta(0):
                self._utc_hours[value[:13]] = (hour + offset).isoformat()[:13]
        return (wall_clock + offset).isoformat() + "+00:00"

    def parse_setting(self, value: str, *, whole_day: bool = False) -> dt.datetime:
        """Read a date or date-time setting as an aware instant.

        A value without an offset (``2025-01-01``, ``2025-01-01T08:00:00``) is read in the
        operation's zone; one with an offset or ``Z`` is taken as written. A date alone is its
        first second, or with ``whole_day`` its last (23:59:59): an end date includes its day.

        Raises:
            DateOutOfRangeError: when the date written is outside the accepted range.
            ValueError: when the value is not an ISO 8601 date or date-time.
        """
        text = value.strip()
        day = parse_day(text) if len(text) <= 10 else None  # noqa: PLR2004
        if day is not None:
            _check_range(day, value)
            return self.instant(dt.datetime.combine(day, _END_OF_DAY if whole_day else dt.time()))
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            msg = f"'{value}' is not an ISO 8601 date or date-time"
            raise ValueError(msg) from None
        _check_range(parsed.date(), value)
        if parsed.tzinfo is None:
            return self.instant(parsed.replace(microsecond=0))
        return parsed.astimezone(UTC)


def _check_range(day: dt.date, value: str) -> None:
    if not date_in_range(day):
        msg = f"'{value}' is outside the dates the tap accepts, {FIRST_DAY} to {LAST_DAY}"
        raise DateOutOfRangeError(msg)


def _system_utc_now() -> dt.datetime:
    return dt.datetime.now(UTC)


def floor_minute(value: dt.datetime) -> dt.datetime:
    """``value`` with its seconds (and microseconds) dropped."""
    return value.replace(second=0, microsecond=0)
