"""What tells the tap that a clock it relies on is wrong: the operation's zone, the host's time.

Wolkvox sends wall-clock strings without an offset, and the tap reads them in the ``timezone``
setting; a wrong setting shifts every instant and moves bookmarks past unread rows. Two
witnesses say otherwise:

* Voice IDs (``6736.4628.1040.1768782812.1814``) embed the Unix time of the call, the
  second-to-last part; the wall-clock timestamp of the same row trails or leads it by up to
  about a minute. Their difference is the operation's UTC offset, whatever the setting says.
* Every HTTP reply's ``Date`` header says the server's time: a host clock running ahead would
  otherwise put bookmarks in Wolkvox's future.
"""

from __future__ import annotations

import datetime as dt
import re
import typing as t
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from itertools import islice
from zoneinfo import ZoneInfo

from tap_wolkvox.replies.errors import WolkvoxError
from tap_wolkvox.time.timestamps import UTC, format_instant, parse_wall_clock

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from tap_wolkvox.time.timestamps import OperationClock

#: A voice ID: dot-separated numbers, the second-to-last a 10-digit Unix time (``12462.0277.
#: 1782402643.44005``, ``6736.4628.1040.1768782812.1814``).
_VOICE_ID = re.compile(r"[0-9]+(?:\.[0-9]+)+\.([0-9]{10})\.[0-9]+")
#: Unix times a voice ID may hold: the first 10-digit one (2001-09-09) to 2100-01-01.
_FIRST_EPOCH = 1_000_000_000
_LAST_EPOCH = 4_102_444_800
#: UTC offsets come in quarter hours (Asia/Kathmandu is +05:45).
_OFFSET_STEP = dt.timedelta(minutes=15)
#: A witness this far from the configured zone's offset is no rounding: the zone is wrong.
ZONE_MISMATCH = dt.timedelta(minutes=30)
#: Rows of a reply read to find the offset: a median over a sample is as good as over all.
SAMPLE_ROWS = 200
#: Zones a mismatch names, in this order of preference (the operations Wolkvox serves, then
#: other well-known ones): the first few that have the offset the data shows.
_WELL_KNOWN_ZONES = (
    "America/Bogota",
    "America/Lima",
    "America/Mexico_City",
    "America/Guatemala",
    "America/Costa_Rica",
    "America/El_Salvador",
    "America/Panama",
    "America/Guayaquil",
    "America/Caracas",
    "America/Santo_Domingo",
    "America/La_Paz",
    "America/Santiago",
    "America/Argentina/Buenos_Aires",
    "America/Sao_Paulo",
    "America/Montevideo",
    "America/Asuncion",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Halifax",
    "America/St_Johns",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Madrid",
    "Europe/Berlin",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Europe/Istanbul",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)
_ZONES_NAMED = 3


def voice_id_epoch(value: object) -> int | None:
    """The Unix time a Wolkvox voice ID embeds, or None for anything that is not one."""
    if not isinstance(value, str):
        return None
    match = _VOICE_ID.fullmatch(value.strip())
    if match is None:
        return None
    epoch = int(match.group(1))
    return epoch if _FIRST_EPOCH <= epoch <= _LAST_EPOCH else None


@dataclass(frozen=True)
class ZoneMismatch:
    """Voice IDs show another UTC offset than the configured zone has at that instant."""

    #: The offset the rows show (wall clock minus the IDs' UTC time), in quarter hours.
    observed: dt.timedelta
    #: The configured zone's offset at ``at``.
    configured: dt.timedelta
    #: A call's instant (UTC), from its ID.
    at: dt.datetime

    def zones(self) -> list[str]:
        """A few IANA zones that have the observed offset at that instant."""
        fitting = [
            name
            for name in _WELL_KNOWN_ZONES
            if self.at.astimezone(ZoneInfo(name)).utcoffset() == self.observed
        ]
        hours, rest = divmod(self.observed, dt.timedelta(hours=1))
        if not fitting and not rest:
            # Etc/GMT+6 is UTC-06:00 (POSIX signs).
            fitting = [f"Etc/GMT{-hours:+d}" if hours else "UTC"]
        return fitting[:_ZONES_NAMED]

    def sentence(self, report: str, id_field: str, zone: str) -> str:
        """The one sentence that stops the run: both offsets, and zones that fit the data."""
        observed = utc_offset_text(self.observed)
        zones = self.zones()
        such = ""
        if zones:
            such = ", such as " + (
                zones[0] if len(zones) == 1 else f"{', '.join(zones[:-1])} or {zones[-1]}"
            )
        return (
            f"Report {report}: its voice IDs ({id_field}, each holding the call's Unix time) "
            f"show the operation's clock at {observed} on {self.at:%Y-%m-%d}, but the timezone "
            f"setting {zone} is {utc_offset_text(self.configured)} then, so every timestamp "
            f"would be read {duration_text(self.observed - self.configured)} off and rows would "
            f"be skipped for good; set timezone to a zone at {observed}{such} (the run stopped "
            "before this reply's rows or its bookmark went out)."
        )


class ZoneMismatchError(WolkvoxError):
    """The rows' voice IDs show that the ``timezone`` setting is not the operation's clock."""


def zone_mismatch(
    pairs: Iterable[tuple[object, object]], clock: OperationClock
) -> ZoneMismatch | None:
    """What the voice IDs of the rows say against ``clock``'s zone: None when they agree.

    ``pairs`` holds each row's voice ID and the wall-clock timestamp it pairs with. Rows whose
    ID is no voice ID or whose timestamp is no wall-clock time are passed over; of the others,
    the first :data:`SAMPLE_ROWS` are read (among the reply's first five times as many rows: a
    large reply is never read twice). The median row decides (a few odd IDs cannot), and only a
    difference of :data:`ZONE_MISMATCH` or more counts.
    """
    witnesses: list[tuple[dt.timedelta, dt.timedelta, dt.datetime]] = []
    for voice_id, stamp in islice(pairs, SAMPLE_ROWS * 5):
        epoch = voice_id_epoch(voice_id)
        wall = parse_wall_clock(stamp) if isinstance(stamp, str) else None
        if epoch is None or wall is None:
            continue
        at = dt.datetime.fromtimestamp(epoch, UTC)
        configured = at.astimezone(clock.zone).utcoffset() or dt.timedelta(0)
        witnesses.append((wall - at.replace(tzinfo=None) - configured, configured, at))
        if len(witnesses) == SAMPLE_ROWS:
            break
    if not witnesses:
        return None
    difference, configured, at = sorted(witnesses)[len(witnesses) // 2]
    observed = _quarter_hours(configured + difference)
    if abs(observed - configured) < ZONE_MISMATCH:
        return None
    return ZoneMismatch(observed, configured, at)


def _quarter_hours(offset: dt.timedelta) -> dt.timedelta:
    return round(offset / _OFFSET_STEP) * _OFFSET_STEP


def utc_offset_text(offset: dt.timedelta) -> str:
    """``UTC-06:00``, ``UTC+05:45``, ``UTC+00:00``."""
    sign = "-" if offset < dt.timedelta(0) else "+"
    minutes = abs(int(offset / dt.timedelta(minutes=1)))
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def server_date(value: str | None) -> dt.datetime | None:
    """The instant an HTTP ``Date`` header states (None when absent or unreadable)."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:  # "-0000": UTC, as HTTP dates are
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


#: A host clock this close to the server's is left alone: NTP keeps clocks closer, and the
#: Date header counts whole seconds.
SKEW_TOLERANCE = dt.timedelta(minutes=1)


def clock_correction(server: dt.datetime, host: dt.datetime) -> dt.timedelta:
    """What to add to the host's time to read the server's: zero within a minute."""
    skew = dt.timedelta(seconds=round((server - host).total_seconds()))
    return skew if abs(skew) > SKEW_TOLERANCE else dt.timedelta(0)


class ServerTime:
    """Keeps ``clock`` on the Wolkvox server's time, read from each reply's Date header.

    A host clock running ahead would put window ends and bookmarks in Wolkvox's future, past
    rows it has not published yet: they would be skipped for good. Within a minute the host's
    clock is kept as it is.
    """

    def __init__(self, clock: OperationClock, warn: Callable[[str], None]) -> None:
        """Correct ``clock``; ``warn`` says so, once."""
        self.clock = clock
        self._warn = warn
        self._said = False

    def follow(self, date_header: str | None) -> dt.timedelta:
        """Follow the server's time one reply states; return how much ``clock`` moved."""
        server = server_date(date_header)
        if server is None:
            return dt.timedelta(0)
        correction = clock_correction(server, self.clock.host_now())
        moved = correction - self.clock.correction
        self.clock.correction = correction
        if correction and not self._said:
            self._said = True
            self._warn(
                f"The host's clock is {duration_text(correction)} "
                f"{'behind' if correction > dt.timedelta(0) else 'ahead of'} the Wolkvox "
                f"server's (its Date header said {format_instant(server)}): window ends and "
                "bookmarks follow the server's time; set the host's clock right (NTP)."
            )
        return moved


def duration_text(span: dt.timedelta) -> str:
    """``1 h 2 min``, ``3 min 5 s``, ``271 days 4 h``: the two largest units that count."""
    seconds = abs(int(span.total_seconds()))
    parts = [
        (seconds // 86400, "days" if seconds // 86400 != 1 else "day"),
        (seconds // 3600 % 24, "h"),
        (seconds // 60 % 60, "min"),
        (seconds % 60, "s"),
    ]
    first = next((i for i, (amount, _) in enumerate(parts) if amount), None)
    if first is None:
        return "0 s"
    return " ".join(f"{amount} {unit}" for amount, unit in parts[first : first + 2] if amount)
