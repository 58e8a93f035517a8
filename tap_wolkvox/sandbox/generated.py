"""Sample rows for every report of the catalogue, generated from its declaration.

Values come in the formats the real API uses: ``YYYY-MM-DD HH:MM:SS`` wall-clock timestamps,
``HH:MM:SS`` durations, ``"NN.NN %"`` percentages, counts as strings. Event reports get rows
at office hours on each day of the history; aggregate reports get a handful of total rows for
whatever day is asked (today's totals grow with the clock).

With ``shapes="sample"`` the same rows are re-spelled as the vendor's documented sample reply of
each report sends them (``sample_shapes.json``, written by ``scripts/sample_shapes.py``):
misspelled and undeclared keys, declared fields the sample lacks left out, and cdr_4's ``data``
as one object keyed by bucket. The tap then reads the replies the real API will send.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import random
import typing as t
import zlib
from dataclasses import dataclass
from importlib import resources
from zoneinfo import ZoneInfo

from tap_wolkvox.declarations.model import Field, Kind, Report
from tap_wolkvox.sandbox.api import OneObject, Shapes
from tap_wolkvox.sandbox.operation import AGENTS, CHANNELS, CUSTOMERS, SKILLS, voice_id
from tap_wolkvox.sandbox.server import StaticRows

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from tap_wolkvox.sandbox.api import ReportSource

STAMP = "%Y-%m-%d %H:%M:%S"
DEFAULT_TIMEZONE = "America/Bogota"


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
        return CUSTOMERS[index % len(CUSTOMERS)]
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
    if kind is Kind.SECONDS:
        return f"{rng.uniform(0, 90):.1f}"
    if kind is Kind.PERCENT:
        return "15,233.33 %" if rng.random() < 0.02 else f"{rng.uniform(0, 100):.2f} %"  # noqa: PLR2004
    if kind is Kind.OBJECTS:
        return [
            {
                item.vendor_key: _value(item, index, at + dt.timedelta(seconds=30 * n), rng)
                for item in field.items
            }
            for n in range(rng.randint(2, 4))
        ]
    return _text(field.vendor_key, index, rng)


def _row(
    report: Report, index: int, at: dt.datetime, rng: random.Random, zone: ZoneInfo
) -> dict[str, t.Any]:
    derived = report.timestamp if report.timestamp_source else None
    # Keys as Wolkvox spells them (``ASA``, ``yes/no``), which the tap reads as their columns.
    row = {f.vendor_key: _value(f, index, at, rng) for f in report.fields if f.name != derived}
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
    if report.voice_ids is not None:
        # Its own generator, so that the row's other values stay as they were.
        row[report.voice_ids.id_field] = voice_id(
            at,
            zone,
            random.Random(_seed(report.api, at, index)),  # noqa: S311 - sample data
        )
    return row


@dataclass
class GeneratedEvents:
    """Event rows of one report: a few per day, at office hours, over the history.

    Their wall-clock times are the operation's in ``timezone`` (voice IDs hold the instant).
    """

    report: Report
    first_day: dt.date
    last_day: dt.date
    per_day: int = 8
    timezone: str = DEFAULT_TIMEZONE

    def __post_init__(self) -> None:
        """Generate the history once."""
        rng = random.Random(_seed(self.report.api))  # noqa: S311 - sample data
        zone = ZoneInfo(self.timezone)
        rows = []
        day = self.first_day
        while day <= self.last_day:
            for index in range(self.per_day):
                at = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(
                    seconds=index * 3600 + rng.randint(0, 3000)
                )
                rows.append(_row(self.report, index, at, rng, zone))
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
    zone: ZoneInfo = dataclasses.field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))

    def rows(self, start: str, end: str, now: str) -> list[dict[str, t.Any]]:  # noqa: ARG002
        """Totals for the day ``start`` falls on; none before the history or after today."""
        day = dt.date.fromisoformat(start[:10])
        today = now[:10]
        if day < self.first_day or start[:10] > today:
            return []
        rng = random.Random(_seed(self.report.api, day))  # noqa: S311 - sample data
        at = dt.datetime.combine(day, dt.time(9))
        # A key part holding the day itself (chat_6's ``date``) tells no rows of one day apart.
        days = {f.name for f in self.report.fields if f.kind is Kind.DAY}
        dimensions = [k for k in self.report.primary_key if k != "report_date" and k not in days]
        count = self.rows_per_day if dimensions else 1  # no dimension: one row of day totals
        rows = [_row(self.report, index, at, rng, self.zone) for index in range(count)]
        if start[:10] == today:
            # Today's totals are still growing: mark them with the clock so re-reads differ.
            for row in rows:
                for field in self.report.fields:
                    if field.kind is Kind.INTEGER:
                        row[field.vendor_key] = str(int(now[11:13]) + int(now[14:16]))
        return rows


@dataclass(frozen=True)
class SampleShape:
    """How the vendor's documented sample reply of one report spells and shapes its rows."""

    #: The keys of a row, in order, exactly as sent (``"agent_anwers "``, ``chanel``).
    keys: tuple[str, ...]
    #: For ``data`` sent as one object keyed by bucket: the buckets, in order.
    buckets: tuple[str, ...] = ()
    #: Per key holding nested objects, the keys of those objects.
    items: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


@functools.cache
def sample_shapes() -> Mapping[str, SampleShape]:
    """The documented sample shape of each report, by ``api`` (those whose text was readable)."""
    text = resources.files("tap_wolkvox.sandbox").joinpath("sample_shapes.json").read_text("utf-8")
    return {
        api: SampleShape(
            keys=tuple(shape["keys"]),
            buckets=tuple(shape.get("buckets", ())),
            items={key: tuple(keys) for key, keys in shape.get("items", {}).items()},
        )
        for api, shape in json.loads(text)["reports"].items()
    }


_SAME_FIELD: tuple[Callable[[str, Field], bool], ...] = (
    lambda key, f: key == f.name,
    lambda key, f: key.strip() == f.name,
    lambda key, f: key.strip() in {alias.strip() for alias in f.aliases},
)


def sample_spelling(fields: Iterable[Field], keys: Iterable[str]) -> list[tuple[str, str | None]]:
    """For each key a sample sends, the declared field whose value it carries (None: none).

    A key is the field of the same name, else of the same name without surrounding whitespace,
    else the field it is an alias of; each field goes to one key, the exact spelling first
    (a sample sending both ``channel`` and ``chanel`` fills ``channel`` from ``channel``).
    """
    free = {f.name: f for f in fields}
    keys = list(keys)
    chosen: dict[str, str] = {}
    for same in _SAME_FIELD:
        for key in keys:
            if key not in chosen:
                name = next((name for name, f in free.items() if same(key, f)), None)
                if name is not None:
                    chosen[key] = name
                    del free[name]
    return [(key, chosen.get(key)) for key in keys]


@dataclass
class SampleShaped:
    """The rows of ``source`` as the vendor's sample reply of ``report`` spells and shapes them.

    Keys are renamed to the sample's spelling; keys of the sample that no declared field
    carries get a generated text value (schema drift: the tap keeps them in ``_extra_fields``);
    declared fields the sample lacks are left out. A bucketed report (``report.buckets``, or a
    sample keyed by bucket) answers with one object holding the day's rows, keyed by bucket.
    """

    source: ReportSource
    report: Report
    shape: SampleShape

    def __post_init__(self) -> None:
        """Work out the spelling of rows and of their nested objects once.

        Each spelling pairs a key of the sample with the key ``source`` holds that field under
        (its :attr:`~Field.vendor_key`), or None for a key no declared field carries.
        """
        spelling = sample_spelling(self.report.fields, self.shape.keys)
        self._spelling = _from_source(spelling, self.report.fields)
        declared = {f.name: f for f in self.report.fields}
        self._nested = {
            declared[name].vendor_key: _from_source(
                sample_spelling(declared[name].items, self.shape.items[key]), declared[name].items
            )
            for key, name in spelling
            if name is not None and declared[name].items and key in self.shape.items
        }

    @property
    def bucketed(self) -> bool:
        """Whether replies are one object keyed by bucket rather than a list of rows."""
        return bool(self.shape.buckets) or self.report.buckets is not None

    def rows(self, start: str, end: str, now: str) -> list[dict[str, t.Any]]:
        """The rows of ``source`` for the range, as the sample sends them."""
        rows = self.source.rows(start, end, now)
        # Seeded by the window, so that a re-read gets the same drift values.
        rng = random.Random(_seed(self.report.api, start))  # noqa: S311 - sample data
        sent = [self._respell(row, index, rng) for index, row in enumerate(rows)]
        if not self.bucketed or not sent:
            return sent
        names = self.shape.buckets or tuple(str(row.get(self.report.buckets or "")) for row in rows)
        return OneObject([dict(zip(names, sent, strict=False))])

    def _respell(self, row: dict[str, t.Any], index: int, rng: random.Random) -> dict[str, t.Any]:
        sent = _respelled(row, self._spelling, index, rng)
        for key, name in self._spelling:
            spelling = self._nested.get(name or "")
            if spelling is not None and isinstance(sent.get(key), list):
                sent[key] = [_respelled(item, spelling, index, rng) for item in sent[key]]
        return sent


def _from_source(
    spelling: list[tuple[str, str | None]], fields: Iterable[Field]
) -> list[tuple[str, str | None]]:
    """``spelling`` with each field's name replaced by the key a generated row holds it under."""
    sent_as = {f.name: f.vendor_key for f in fields}
    return [(key, None if name is None else sent_as[name]) for key, name in spelling]


def _respelled(
    row: dict[str, t.Any],
    spelling: list[tuple[str, str | None]],
    index: int,
    rng: random.Random,
) -> dict[str, t.Any]:
    """``row`` with the keys of ``spelling`` (see :func:`sample_spelling`), in its order."""
    sent: dict[str, t.Any] = {}
    for key, name in spelling:
        if name is None:
            sent[key] = _text(key.strip(), index, rng)
        elif name in row:  # (a timestamp derived from nested ones is not in the row)
            sent[key] = row[name]
    return sent


def sample_shaped(source: ReportSource, report: Report) -> ReportSource:
    """``source`` in the documented sample shape of ``report``; as it is if none is known."""
    shape = sample_shapes().get(report.api)
    return source if shape is None else SampleShaped(source, report, shape)


def generated_sources(
    reports: Iterable[Report],
    first_day: dt.date,
    last_day: dt.date,
    *,
    shapes: Shapes = "declared",
    timezone: str = DEFAULT_TIMEZONE,
) -> dict[str, ReportSource]:
    """A source for every report, keyed by its ``api`` name, in the spelling ``shapes`` says.

    ``timezone`` is the operation's clock (the simulator's): voice IDs agree with it.
    """
    sources: dict[str, ReportSource] = {}
    for report in reports:
        shape = sample_shapes().get(report.api) if shapes == "sample" else None
        source: ReportSource
        if report.grain == "aggregate":
            # A bucketed sample shows every bucket each day: one generated row per bucket.
            per_day = len(shape.buckets) if shape is not None and shape.buckets else 4
            source = GeneratedTotals(report, first_day, rows_per_day=per_day)
        else:
            source = GeneratedEvents(report, first_day, last_day, timezone=timezone)
        sources[report.api] = source if shape is None else SampleShaped(source, report, shape)
    return sources
