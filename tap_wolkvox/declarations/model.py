"""How a Wolkvox report is declared: its fields and their kinds, its key, and its schema.

A report is data (:class:`Report`): its ``api=`` name, stream name, fields with their kinds,
primary key, timestamp field and extra request parameters. The declarations themselves live in
the family modules of :mod:`tap_wolkvox.declarations`; how a row is shaped to a declaration is
in :mod:`tap_wolkvox.rows`.
"""

from __future__ import annotations

import enum
import re
import typing as t
from dataclasses import dataclass, replace

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Iterator


def warehouse_name(key: str) -> str:
    """``key`` as a column name every warehouse takes unquoted: lower case, digits, underscores.

    Keys Wolkvox sends that a warehouse would need quoted (``ASA``) or would rename or refuse
    (``yes/no``) are declared under this name, with the key as an alias: whichever spelling a
    reply sends fills the one column.
    """
    return re.sub(r"[^a-z0-9_]", "_", key.strip().lower())


#: Property names some warehouse reserves, kept because they are Wolkvox's own names for these
#: columns, with the warehouses that reserve them: a target quotes them when it creates and
#: loads a table, and a query there quotes them too (``"from"``; in BigQuery ```no```).
#: tests/test_names.py checks that no other property name is reserved.
KEPT_RESERVED_WORDS: dict[str, tuple[str, ...]] = {
    "from": ("PostgreSQL", "DuckDB", "Snowflake", "BigQuery"),
    "to": ("PostgreSQL", "DuckDB", "Snowflake", "BigQuery"),
    "user": ("PostgreSQL",),
    "no": ("BigQuery",),
}

#: Column that keeps, per row, the raw text of any value that could not be typed.
UNPARSED = "unparsed_values"
#: Column that keeps, per row, the fields Wolkvox sent that the declaration lacks (schema
#: drift): their names and values, as sent.
EXTRA = "_extra_fields"

#: The two columns every row (and every nested item) carries besides its declared fields.
_BOOKKEEPING_SCHEMA: dict[str, dict[str, t.Any]] = {
    UNPARSED: {
        "type": ["object", "null"],
        "additionalProperties": {"type": ["string", "null"]},
        "description": "Raw text of any value in this row that could not be typed "
        "(left out of the record when every value was read).",
    },
    EXTRA: {
        "type": ["object", "null"],
        "description": "Fields Wolkvox sent that this stream does not declare, by name, with "
        "their values as sent (left out of the record when there were none).",
    },
}

#: The column every record of a daily report carries: the local day its totals cover.
REPORT_DATE = "report_date"

#: The key column that tells apart the rows of one reply sharing every other key value.
OCCURRENCE = "_occurrence"
_OCCURRENCE_SCHEMA: dict[str, t.Any] = {
    "type": "integer",
    "minimum": 1,
    "description": "Which of the rows sharing every other key value this one is: 1, or 2..N for "
    "rows the same reply held again (identical plays in one second, say), numbered in the "
    "order they arrived. Such rows always arrive in one reply, so a re-read numbers them alike "
    "and an upserting target keeps each of them once.",
}


class Kind(enum.Enum):
    """What a field holds, and so how it is typed."""

    TEXT = "text"  # kept as sent
    INSTANT = "instant"  # "YYYY-MM-DD HH:MM:SS" wall clock -> UTC ISO 8601 date-time
    DAY = "day"  # "YYYY-MM-DD" -> date
    DURATION = "duration"  # "HH:MM:SS" -> integer seconds
    SECONDS = "seconds"  # an average in seconds: "12.5" or "HH:MM:SS" -> number of seconds
    INTEGER = "integer"  # counts
    NUMBER = "number"  # decimals such as credits
    PERCENT = "percent"  # "34.64 %" -> 34.64
    OBJECTS = "objects"  # a nested array of objects (``items`` describes them)


_JSON_TYPES: dict[Kind, dict[str, t.Any]] = {
    Kind.TEXT: {"type": ["string", "null"]},
    Kind.INSTANT: {"type": ["string", "null"], "format": "date-time"},
    Kind.DAY: {"type": ["string", "null"], "format": "date"},
    Kind.DURATION: {"type": ["integer", "null"]},
    Kind.SECONDS: {"type": ["number", "null"]},
    Kind.INTEGER: {"type": ["integer", "null"]},
    Kind.NUMBER: {"type": ["number", "null"]},
    Kind.PERCENT: {"type": ["number", "null"]},
}


@dataclass(frozen=True)
class Field:
    """One field of a report row."""

    name: str
    kind: Kind = Kind.TEXT
    description: str = ""
    items: tuple[Field, ...] = ()
    #: Other spellings Wolkvox sends for this field (``chanel`` for ``channel``, ``ASA`` for
    #: ``asa``); their values go to this one column.
    aliases: tuple[str, ...] = ()

    @property
    def vendor_key(self) -> str:
        """The key Wolkvox sends this field under: its name, or the alias it was made from.

        A field named :func:`warehouse_name` of one of its aliases (``asa`` of ``ASA``) is
        that key renamed for warehouses; the sandbox sends it as Wolkvox does.
        """
        return next((a for a in self.aliases if warehouse_name(a) == self.name), self.name)

    def json_schema(self) -> dict[str, t.Any]:
        """The JSON Schema of this field."""
        if self.kind is Kind.OBJECTS:
            properties = {item.name: item.json_schema() for item in self.items}
            properties.update(_BOOKKEEPING_SCHEMA)
            schema: dict[str, t.Any] = {
                "type": ["array", "null"],
                "items": {"type": "object", "properties": properties},
            }
        else:
            schema = dict(_JSON_TYPES[self.kind])
        if self.description:
            schema["description"] = self.description
        return schema


@dataclass(frozen=True)
class Param:
    """An extra query parameter of a report, filled from a tap setting."""

    name: str
    setting: str
    #: Where the reply names a column after this parameter's value: what stands for the value
    #: in that field's alias (``XX`` of the real-time skills' ``service_level_XXseg``).
    placeholder: str | None = None


def spelt_with(fields: tuple[Field, ...], values: t.Mapping[str, str]) -> tuple[Field, ...]:
    """``fields`` with each alias that names a parameter's value spelt with the value sent.

    ``values``: the value sent, by placeholder (``{"XX": "15"}``: ``service_level_XXseg`` is
    read from ``service_level_15seg``). The column keeps its one name whatever the value.
    """
    if not values:
        return fields

    def spelt(alias: str) -> str:
        for placeholder, value in values.items():
            alias = alias.replace(placeholder, value)
        return alias

    return tuple(
        replace(
            f,
            aliases=tuple(spelt(alias) for alias in f.aliases),
            items=spelt_with(f.items, values),
        )
        for f in fields
    )


@dataclass(frozen=True)
class VoiceIds:
    """Where a report's rows carry Wolkvox voice IDs, which embed the Unix time of the call.

    ``id_field`` holds the ID (``6736.4628.1040.1768782812.1814``), ``timestamp`` the row's
    wall-clock time it pairs with (the two agree within about a minute): together they tell the
    operation's UTC offset, whatever the ``timezone`` setting says (see clocks.py).
    """

    id_field: str
    timestamp: str


@dataclass(frozen=True)
class Report:
    """A Reports Manager report, declared once."""

    api: str
    stream: str
    title: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    timestamp: str | None = None
    #: Where a nested timestamp is the only one (``conversation[].date``): ``timestamp`` is then
    #: a top-level field derived as the earliest of those nested values.
    timestamp_source: str | None = None
    grain: t.Literal["event", "aggregate"] = "event"
    params: tuple[Param, ...] = ()
    selected_by_default: bool = False
    description: str = ""
    #: When ``data`` is one object keyed by bucket (``{"0_5_seg": {...}, ...}``, cdr_4), the
    #: column that receives each bucket's name: one row per bucket.
    buckets: str | None = None
    #: The rows' voice IDs, when they carry some: each reply is checked against ``timezone``.
    voice_ids: VoiceIds | None = None

    def rows_of(self, data: Iterable[dict[str, t.Any]]) -> Iterable[dict[str, t.Any]]:
        """The rows of a reply's ``data``: bucketed objects become one row per bucket."""
        if self.buckets is None:
            return data
        return unbucket(data, self.buckets)

    def json_schema(self) -> dict[str, t.Any]:
        """The stream's JSON Schema: the declared fields, the bookkeeping and key columns."""
        properties = {f.name: f.json_schema() for f in self.fields}
        properties.update(_BOOKKEEPING_SCHEMA)
        properties[OCCURRENCE] = dict(_OCCURRENCE_SCHEMA)
        return {"type": "object", "properties": properties}


def unbucket(data: Iterable[dict[str, t.Any]], column: str) -> Iterator[dict[str, t.Any]]:
    """cdr_4's one object keyed by bucket (``{"0_5_seg": {...}, ...}``): one row per bucket.

    Each bucket's name goes to ``column``.
    """
    for row in data:
        if row and all(value.__class__ is dict for value in row.values()):
            yield from ({column: bucket, **values} for bucket, values in row.items())
        else:  # already one row per bucket
            yield row
