"""One raw row into one record: typed to its declaration, nothing dropped without a word.

A value that does not parse never stops the run and never vanishes: it becomes null, its raw
text goes to ``unparsed_values`` and the tap warns. Blank placeholders become null; a key part
is never null (warehouses refuse that) and gets a recognisable stand-in instead.
"""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass

import msgspec

from tap_wolkvox.declarations.model import EXTRA, UNPARSED, Field, Kind
from tap_wolkvox.rows.values import (
    json_text,
    parse_duration,
    parse_integer,
    parse_number,
    parse_percent,
    parse_seconds,
)
from tap_wolkvox.time.timestamps import parse_day

if t.TYPE_CHECKING:
    import logging
    from collections.abc import Callable

    from tap_wolkvox.time.timestamps import OperationClock

#: Raw values that mean "nothing here" in Wolkvox replies (whitespace-only values too).
PLACEHOLDERS = frozenset({"", "-"})

#: A key of PHP's keyed-object form of a list (``{"0": {...}, "2": {...}}``).
_NUMERIC_KEY = re.compile(r"-?[0-9]+")
#: How much of an odd value a warning shows.
_PREVIEW = 200


#: What a primary-key part that is missing or unreadable is emitted as: warehouses refuse a
#: null key (target-postgres fails the whole batch), so the row keeps a recognisable stand-in
#: and its raw text stays in ``unparsed_values``.
UNREADABLE_INSTANT = "1970-01-01T00:00:00+00:00"
KEY_STAND_IN_OF: dict[Kind, t.Any] = {
    Kind.TEXT: "",
    Kind.INSTANT: UNREADABLE_INSTANT,
    Kind.DAY: "1970-01-01",
    Kind.DURATION: -1,
    Kind.SECONDS: -1,
    Kind.INTEGER: -1,
    Kind.NUMBER: -1,
    Kind.PERCENT: -1,
}
#: The stand-in values themselves: a key part holding one of them was blank.
KEY_STAND_INS = frozenset(KEY_STAND_IN_OF.values())


def is_blank(value: t.Any) -> bool:
    """Whether a raw value says nothing: null, ``""``, ``"-"``, whitespace, an empty list."""
    if value.__class__ is str:
        return value in PLACEHOLDERS or value.isspace()
    return value is None or (value.__class__ in (list, dict) and not value)


def is_blank_row(row: dict[str, t.Any]) -> bool:
    """Whether every value ``row`` holds, declared or not, is blank: no row at all.

    Wolkvox's documented sample replies are such rows. A row with any value is a row, even
    when its key fields are blank (act_5's count of calls without a code).
    """
    # is_blank inlined: this runs once per row, and mostly stops at the row's first value.
    for value in row.values():
        if value.__class__ is str:
            if value not in PLACEHOLDERS and not value.isspace():
                return False
        elif value is not None and (value.__class__ not in (list, dict) or value):
            return False
    return True


@dataclass(frozen=True)
class TypedPlan:
    """What the shaper does to a row, for the fast path to do the same (rows/typed.py)."""

    #: The fields a row may send, in declaration order.
    fields: tuple[str, ...]
    #: The fields read into a type (not text), with their kind and conversion.
    typed: tuple[tuple[str, Kind, Callable[[str], t.Any]], ...]
    #: The typed fields that are key parts (a blank one is kept raw, with a warning).
    typed_key: frozenset[str]
    #: The key parts that get a stand-in when null, with it.
    stand_ins: tuple[tuple[str, t.Any], ...]
    clock: OperationClock


#: What a warning says instead of the value of a field that a stream map transforms or removes.
HIDDEN = "hidden: a stream map transforms this field"


class RowShaper:
    """Turns raw report rows into records that match :meth:`Report.json_schema`.

    A value that does not parse never stops the run and never vanishes: it becomes null and its
    raw text goes to :data:`UNPARSED`, with one warning per field (per row for the timestamp,
    which also drives the bookmark). A value that is not a string is read as its JSON text; a
    nested list that is no list of objects keeps what it cannot hold in :data:`UNPARSED` too.
    """

    def __init__(  # noqa: PLR0913
        self,
        fields: tuple[Field, ...],
        clock: OperationClock,
        logger: logging.Logger,
        *,
        label: str,
        timestamp: str | None = None,
        key: tuple[str, ...] = (),
        hidden: frozenset[str] = frozenset(),
    ) -> None:
        """Compile the conversions of ``fields`` once; ``label`` names the report in logs.

        A ``key`` field that comes out null gets a stand-in (see :data:`UNREADABLE_INSTANT`);
        when the stand-in is not what was sent (a typed key part that was blank), the raw text
        goes to :data:`UNPARSED` with a warning. Warnings name a row by its ``key`` values, and
        never quote the value of a ``hidden`` field (one a stream map transforms).
        """
        self._logger = logger
        self._label = label
        self._timestamp = timestamp
        self._hidden = hidden
        self._label_keys = tuple(name for name in key if name != timestamp)
        self._text = tuple(f.name for f in fields if f.kind is Kind.TEXT)
        self._known = frozenset(f.name for f in fields)
        #: The declared names in declaration order: a record's keys come out in one order.
        self._declared = tuple(f.name for f in fields)
        self._aliases = {alias: f.name for f in fields for alias in f.aliases}
        self._clock = clock
        self._kinds = {f.name: f.kind for f in fields}
        self._typed: list[tuple[str, Callable[[str], t.Any]]] = []
        self._nested: list[tuple[str, RowShaper]] = []
        for f in fields:
            if f.kind is Kind.OBJECTS:
                # A stream map names top-level fields: one it transforms hides its items too.
                items = frozenset(i.name for i in f.items) if f.name in hidden else frozenset()
                nested = RowShaper(f.items, clock, logger, label=f"{label}.{f.name}", hidden=items)
                self._nested.append((f.name, nested))
            elif f.kind is not Kind.TEXT:
                self._typed.append((f.name, _converter(f.kind, clock)))
        self._warned: set[str] = set()
        self._warned_blank: set[str] = set()
        self._key_stand_ins = tuple(
            (f.name, KEY_STAND_IN_OF[f.kind])
            for f in fields
            if f.name in key and f.kind in KEY_STAND_IN_OF
        )
        #: Typed key parts: their stand-in (1970-01-01, -1) is a value no one sent.
        self._typed_key = frozenset(f.name for f in fields if f.name in key) - {*self._text}

    def shape(self, row: dict[str, t.Any]) -> dict[str, t.Any]:  # noqa: C901, PLR0912 - hot path
        """Type one raw row in place (no copy: a 60,000-row reply stays one set of dicts)."""
        extra = self._fit_keys(row) if row.keys() != self._known else None
        unparsed: dict[str, str | None] | None = None
        for name in self._text:
            value = row[name]
            if value is not None and value.__class__ is not str:
                # What was sent, as JSON (``true``), not Python's repr of it (``True``).
                row[name] = json_text(value)
        for name, convert in self._typed:
            value = row[name]
            if value.__class__ is not str:
                if value is None:
                    if name in self._typed_key:
                        unparsed = self._blank_key(name, None, row, unparsed)
                    continue
                value = json_text(value)
            if value in PLACEHOLDERS or value.isspace():
                row[name] = None
                if name in self._typed_key:
                    unparsed = self._blank_key(name, value, row, unparsed)
                continue
            try:
                row[name] = convert(value)
            except (ValueError, TypeError):
                row[name] = None
                unparsed = unparsed or {}
                unparsed[name] = value
                self._warn_unparsed(name, value, row)
        if self._nested:
            unparsed = self._shape_nested(row, unparsed)
        for name, stand_in in self._key_stand_ins:
            if row[name] is None:
                row[name] = stand_in
        # Only when they hold something: a row without problems carries neither key.
        if unparsed is not None:
            row[UNPARSED] = unparsed
        if extra is not None:
            row[EXTRA] = extra
        return row

    def typed_plan(self) -> TypedPlan:
        """What the fast path (rows/typed.py) does to a row, said by this shaper's fields."""
        return TypedPlan(
            fields=self._declared,
            typed=tuple((name, self._kinds[name], convert) for name, convert in self._typed),
            typed_key=self._typed_key,
            stand_ins=self._key_stand_ins,
            clock=self._clock,
        )

    def blank_key_typed(
        self,
        name: str,
        value: str | None,
        row: t.Any,
        attribute: t.Mapping[str, str],
        unparsed: dict[str, str | None] | None,
    ) -> dict[str, str | None]:
        """:meth:`shape`'s blank key part, for a Struct row (the fast path's rare case)."""
        return self._blank_key(name, value, _Named(row, attribute), unparsed)

    def unreadable_typed(
        self,
        name: str,
        value: str,
        row: t.Any,
        attribute: t.Mapping[str, str],
        unparsed: dict[str, str | None] | None,
    ) -> dict[str, str | None]:
        """:meth:`shape`'s unreadable value, for a Struct row (the fast path's rare case)."""
        unparsed = unparsed or {}
        unparsed[name] = value
        self._warn_unparsed(name, value, _Named(row, attribute))
        return unparsed

    def beside_typed(
        self, sent: str, name: str, value: str, extra: dict[str, t.Any] | None
    ) -> dict[str, t.Any]:
        """:meth:`_fit_keys`' second spelling of ``name`` with a value, for a Struct row."""
        extra = extra or {}
        extra[sent] = value
        if sent not in self._warned:
            self._warned.add(sent)
            self._warn_extra([sent], {sent: name})
        return extra

    def keep_raw(self, row: dict[str, t.Any], raw: dict[str, str]) -> None:
        """Add ``raw`` (field name -> raw text) to the :data:`UNPARSED` of a shaped row."""
        row[UNPARSED] = {**row.get(UNPARSED, {}), **raw}

    def _blank_key(
        self,
        name: str,
        value: str | None,
        row: t.Mapping[str, t.Any],
        unparsed: dict[str, str | None] | None,
    ) -> dict[str, str | None]:
        """A typed key part was blank: keep what was sent (null too) and say so."""
        unparsed = unparsed or {}
        unparsed[name] = value
        self._warn_unparsed(name, value, row, blank=True)
        return unparsed

    def _shape_nested(
        self, row: dict[str, t.Any], unparsed: dict[str, str | None] | None
    ) -> dict[str, str | None] | None:
        """Shape the nested-list fields of ``row``; return ``unparsed`` with what was kept raw."""
        for name, shaper in self._nested:
            value = row[name]
            odd: str | None = None
            if value.__class__ is not list:
                if value is None:
                    continue
                value, odd = _as_list(value)
            if value is None:
                row[name] = None
            else:
                row[name] = [shaper.shape(item) for item in value if item.__class__ is dict]
                if len(row[name]) != len(value):
                    # Items that are not objects have no columns to go to: kept as JSON text.
                    odd = json_text([item for item in value if item.__class__ is not dict])
            if odd is not None:
                unparsed = unparsed or {}
                unparsed[name] = odd
                self._warn_nested(name, odd, whole=value is None)
        return unparsed

    def _fit_keys(self, row: dict[str, t.Any]) -> dict[str, t.Any] | None:
        """Fit ``row``'s keys to the declared fields; return the undeclared ones, with values.

        Keys are read without surrounding whitespace (chat_1 sends ``"agent_anwers "``); another
        spelling of a field (an alias) fills that field unless the row also sent it with a
        value, and then keeps its own value under the key it was sent with; declared fields the
        row lacks are null. Nothing but blanks is dropped: what the schema lacks is returned,
        for :data:`EXTRA`, and named once per run.
        """
        extra: dict[str, t.Any] = {}
        beside: dict[str, str] = {}
        for sent in [name for name in row if name not in self._known]:
            value = row.pop(sent)
            name = sent.strip()
            name = self._aliases.get(name, name)
            if name not in self._known:
                extra[sent] = value
            elif name not in row or is_blank(row[name]):
                row[name] = value
            elif not is_blank(value):
                # Two spellings of one field, both with a value: the declared one (or the
                # first) stays in the column, the other is kept as sent.
                extra[sent] = value
                beside[sent] = name
        for name in self._declared:
            row.setdefault(name, None)
        new = sorted(set(extra) - self._warned)
        if new:
            self._warned.update(new)
            self._warn_extra(new, beside)
        return extra or None

    def _warn_extra(self, new: list[str], beside: dict[str, str]) -> None:
        undeclared = [name for name in new if name not in beside]
        if undeclared:
            self._logger.warning(
                "%s: Wolkvox sent fields the schema does not declare: %s; they are kept in %s "
                "(said once per run)",
                self._label,
                ", ".join(repr(name) for name in undeclared),
                EXTRA,
            )
        for sent in (name for name in new if name in beside):
            self._logger.warning(
                "%s: Wolkvox sent %r as well as %s (two spellings of that field), each with a "
                "value: the column %s keeps one, the value of %r is kept in %s (said once per "
                "run)",
                self._label,
                sent,
                beside[sent],
                beside[sent],
                sent,
                EXTRA,
            )

    def _shown(self, name: str, value: object) -> str:
        """``value`` as a warning quotes it; never the value of a field a stream map touches."""
        if name in self._hidden:
            return f"({HIDDEN})"
        return "null" if value is None else repr(value)

    def _row_label(self, row: t.Mapping[str, t.Any]) -> str:
        """The row's key values (but the timestamp), as warnings name a row."""
        return ", ".join(
            f"{name}={self._shown(name, row[name])}" for name in self._label_keys if name in row
        )

    def _warn_nested(self, name: str, text: str, *, whole: bool) -> None:
        if name in self._warned:
            return
        self._warned.add(name)
        shown = text if len(text) <= _PREVIEW else f"{text[:_PREVIEW]}..."
        self._logger.warning(
            "%s: field %s holds %s (%s); %s, with the JSON text in %s (warned once per field)",
            self._label,
            name,
            "a value that is not a list of objects" if whole else "items that are not objects",
            HIDDEN if name in self._hidden else shown,
            "such values are emitted as null" if whole else "such items are left out of it",
            UNPARSED,
        )

    def _warn_unparsed(
        self, name: str, value: str | None, row: t.Mapping[str, t.Any], *, blank: bool = False
    ) -> None:
        if name == self._timestamp:
            stand_in = dict(self._key_stand_ins).get(name)
            self._logger.warning(
                "%s: row %s has %s %s %s; it is emitted with %s %s and the raw text in %s",
                self._label,
                self._row_label(row),
                "a blank" if blank else "an unreadable",
                name,
                self._shown(name, value),
                name,
                "null" if stand_in is None else f"{stand_in} (a key part is never null)",
                UNPARSED,
            )
        elif blank:
            if name in self._warned_blank:
                return
            self._warned_blank.add(name)
            self._logger.warning(
                "%s: key field %s holds a blank value (%s); a key part is never null, so such "
                "values are emitted as %s with the raw text in %s (warned once per field)",
                self._label,
                name,
                self._shown(name, value),
                dict(self._key_stand_ins)[name],
                UNPARSED,
            )
        elif name not in self._warned:
            self._warned.add(name)
            self._logger.warning(
                "%s: field %s holds a value that cannot be typed (%s); such values are emitted "
                "as null with the raw text in %s (warned once per field)",
                self._label,
                name,
                HIDDEN if name in self._hidden else repr(value),
                UNPARSED,
            )


def _as_list(value: t.Any) -> tuple[list[t.Any] | None, str | None]:
    """A nested-list field that came as something else, as a list; else the JSON text of it.

    Accepted: PHP's keyed-object form of a list (``{"0": {...}, "2": {...}}``, read in key order,
    numeric keys numerically) and a single object. A blank placeholder is null.
    """
    if value.__class__ is dict:
        keyed = all(_NUMERIC_KEY.fullmatch(key) for key in value) or all(
            item.__class__ is dict for item in value.values()
        )
        if keyed:
            return [item for _, item in sorted(value.items(), key=_key_order)], None
        return [value], None
    if value.__class__ is str and value in PLACEHOLDERS:
        return None, None
    return None, json_text(value)


def _key_order(item: tuple[str, t.Any]) -> tuple[int, int, str]:
    """Numeric keys first, in numeric order (``"10"`` after ``"2"``); then the others."""
    key = item[0]
    if _NUMERIC_KEY.fullmatch(key):
        return (0, int(key), "")
    return (1, 0, key)


def _converter(kind: Kind, clock: OperationClock) -> Callable[[str], t.Any]:
    if kind is Kind.INSTANT:
        to_utc = clock.to_utc_string

        def instant(value: str) -> str:
            converted = to_utc(value)
            if converted is None:
                raise ValueError(value)
            return converted

        return instant
    if kind is Kind.DAY:

        def day(value: str) -> str:
            parsed = parse_day(value)
            if parsed is None:
                raise ValueError(value)
            return parsed.isoformat()

        return day
    return {
        Kind.DURATION: parse_duration,
        Kind.SECONDS: parse_seconds,
        Kind.INTEGER: parse_integer,
        Kind.NUMBER: parse_number,
        Kind.PERCENT: parse_percent,
    }[kind]


class _Named(t.Mapping[str, t.Any]):
    """A Struct row read by field name, for the few warnings that name a row's key values."""

    def __init__(self, row: t.Any, attribute: t.Mapping[str, str]) -> None:
        self._row = row
        self._attribute = attribute

    def __getitem__(self, name: str) -> t.Any:
        value = getattr(self._row, self._attribute[name])
        return None if value is msgspec.UNSET else value

    def __iter__(self) -> t.Iterator[str]:
        return iter(self._attribute)

    def __len__(self) -> int:
        return len(self._attribute)
