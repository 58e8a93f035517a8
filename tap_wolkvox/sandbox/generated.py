"""Sample rows for every report of the catalogue, generated from its declaration.

Values come in the formats the real API uses: ``YYYY-MM-DD HH:MM:SS`` wall-clock timestamps,
``HH:MM:SS`` durations, ``"NN.NN %"`` percentages, counts as strings. Event reports get rows
at office hours on each day of the history; aggregate reports get a handful of total rows for
whatever day is asked (today's totals grow with the clock).
"""

from __future__ import annotations

import datetime as dt
import random
import typing as t
import zlib
from dataclasses import dataclass

from tap_wolkvox.reports import Field, Kind, Report
from tap_wolkvox.sandbox.operation import AGENTS, CHANNELS, SKILLS
from tap_wolkvox.sandbox.server import StaticRows

STAMP = "%Y-%m-%d %H:%M:%S"
_CUSTOMERS = ("Andrea Cifuentes", "Hernán Pineda", "Marcela Acosta", "Óscar Villamizar")


def _seed(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def _text(name: str, index: int, rng: random.Random) -> str:  # noqa: PLR0911
    """A plausible value for a text field, unique per ``index`` for identifying fields."""
    lower = name.lower()
    if "agent" in lower and "name" in lower:
        return AGENTS[index % len(AGENTS)][1]
    if "agent" in lower and "id" in lower:
        return AGENTS[index % len(AGENTS)][0]
    if lower == "skill_id":
        return SKILLS[index % len(SKILLS)][0]
    if lower == "skill_name":
        return SKILLS[index % len(SKILLS)][1]
    if lower == "channel":
        return CHANNELS[index % len(CHANNELS)][0]
    if "customer" in lower and "name" in lower:
        return _CUSTOMERS[index % len(_CUSTOMERS)]
    if "mail" in lower:
        return f"cliente{index}@example.com"
    if "phone" in lower or "telephone" in lower:
        return f"57300{rng.randint(1000000, 9999999)}"
    if lower in {"hour", "hora"}:
        return str(8 + index % 12)
    return f"{name}-{index}"


def _value(field: Field, index: int, at: dt.datetime, rng: random.Random) -> t.Any:  # noqa: PLR0911
    kind = field.kind
    if kind is Kind.INSTANT:
        return (at + dt.timedelta(seconds=rng.randint(0, 600))).strftime(STAMP)
    if kind is Kind.DAY:
        return at.strftime("%Y-%m-%d")
    if kind is Kind.DURATION:
        seconds = rng.randint(0, 5400)
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    if kind is Kind.INTEGER:
        return str(rng.randint(0, 80))
    if kind is Kind.NUMBER:
        return f"{rng.uniform(0, 50):.3f}"
    if kind is Kind.PERCENT:
        return "15,233.33 %" if rng.random() < 0.02 else f"{rng.uniform(0, 100):.2f} %"  # noqa: PLR2004
    if kind is Kind.OBJECTS:
        return [
            {
                item.name: _value(item, index, at + dt.timedelta(seconds=30 * n), rng)
                for item in field.items
            }
            for n in range(rng.randint(2, 4))
        ]
    return _text(field.name, index, rng)


def _row(report: Report, index: int, at: dt.datetime, rng: random.Random) -> dict[str, t.Any]:
    derived = report.timestamp if report.timestamp_source else None
    row = {f.name: _value(f, index, at, rng) for f in report.fields if f.name != derived}
    for name in report.primary_key:
        field = next((f for f in report.fields if f.name == name), None)
        if (
            field is not None
            and field.kind is Kind.TEXT
            and not name.endswith(("_name", "channel"))
        ):
            row[name] = (
                f"{_text(name, index, rng)}"
                if "agent" in name or "skill" in name
                else f"{report.api}-{at:%y%m%d}-{index:04d}"
            )
    if report.timestamp and not report.timestamp_source:
        row[report.timestamp] = at.strftime(STAMP)
    return row


@dataclass
class GeneratedEvents:
    """Event rows of one report: a few per day, at office hours, over the history."""

    report: Report
    first_day: dt.date
    last_day: dt.date
    per_day: int = 8

    def __post_init__(self) -> None:
        """Generate the history once."""
        rng = random.Random(_seed(self.report.api))  # noqa: S311 - sample data
        rows = []
        day = self.first_day
        while day <= self.last_day:
            for index in range(self.per_day):
                at = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(
                    seconds=index * 3600 + rng.randint(0, 3000)
                )
                rows.append(_row(self.report, index, at, rng))
            day += dt.timedelta(days=1)
        field = self.report.timestamp_source or self.report.timestamp or "date"
        self._rows = StaticRows(rows, field)

    def rows(self, start: str, end: str, now: str) -> list[dict[str, t.Any]]:
        """Rows whose timestamp lies in ``[start, min(end, now)]``."""
        return self._rows.rows(start, end, now)


@dataclass
class GeneratedTotals:
    """Aggregate rows of one report: a few total rows for any day up to today."""

    report: Report
    first_day: dt.date
    rows_per_day: int = 4

    def rows(self, start: str, end: str, now: str) -> list[dict[str, t.Any]]:  # noqa: ARG002
        """Totals for the day ``start`` falls on; none before the history or after today."""
        day = dt.date.fromisoformat(start[:10])
        today = now[:10]
        if day < self.first_day or start[:10] > today:
            return []
        rng = random.Random(_seed(self.report.api, day))  # noqa: S311 - sample data
        at = dt.datetime.combine(day, dt.time(9))
        dimensions = [k for k in self.report.primary_key if k != "report_date"]
        count = self.rows_per_day if dimensions else 1  # no dimension: one row of day totals
        rows = [_row(self.report, index, at, rng) for index in range(count)]
        if start[:10] == today:
            # Today's totals are still growing: mark them with the clock so re-reads differ.
            for row in rows:
                for field in self.report.fields:
                    if field.kind is Kind.INTEGER:
                        row[field.name] = str(int(now[11:13]) + int(now[14:16]))
        return rows


def generated_sources(
    reports: t.Iterable[Report], first_day: dt.date, last_day: dt.date
) -> dict[str, GeneratedEvents | GeneratedTotals]:
    """A source for every report, keyed by its ``api`` name."""
    return {
        report.api: (
            GeneratedTotals(report, first_day)
            if report.grain == "aggregate"
            else GeneratedEvents(report, first_day, last_day)
        )
        for report in reports
    }
