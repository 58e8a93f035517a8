"""The fast path: a reply's rows decoded straight into a Struct, written as RECORD lines in bulk.

A reply that fits its declaration (every key declared, every value text or null, no text to
repair) is decoded by msgspec into one Struct per row, typed in place, and written as RECORD
lines in one go: the RECORD prefix and suffix are encoded once per reply, the rows in one
``encode_lines`` call. The lines are the same bytes the SDK's path writes for the same rows
(keys in the schema's order, the same encoder). Any other reply takes the dict path
(rows/pipeline.py), reply by reply, with the same warnings.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
import typing as t

import msgspec

from tap_wolkvox.declarations.model import EXTRA, OCCURRENCE, UNPARSED, Kind
from tap_wolkvox.rows.shaper import PLACEHOLDERS, UNREADABLE_INSTANT, is_blank
from tap_wolkvox.time.timestamps import VALID_TAILS

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from tap_wolkvox.declarations.model import Field
    from tap_wolkvox.rows.shaper import RowShaper, TypedPlan

#: The loop :meth:`TypedRows.completer` writes: it takes a reply's rows, the values asked for
#: and added, the margin's count and the IDs' list, the numbering's dict and a one-item
#: list counting skipped rows; it returns the rows kept, completed.
Complete = t.Callable[
    [list[t.Any], tuple[t.Any, ...], tuple[t.Any, ...], t.Any, t.Any, dict[t.Any, int], list[int]],
    list[t.Any],
]


_ENCODER = msgspec.json.Encoder()
#: Rows encoded and written at a time on the fast path (about 0.4 MB of RECORD lines).
CHUNK = 1000


def record_frame(stream: str, version: int | None, extracted: dt.datetime) -> tuple[bytes, bytes]:
    """What comes before and after a record in its RECORD line, as the SDK's writer writes it.

    The line is ``{"type":"RECORD","stream":…,"record":…[,"version":…],"time_extracted":…}``
    and a newline: the order and encoding of the SDK's ``RecordMessage.to_dict`` through its
    msgspec writer (the time in UTC, which msgspec writes with a ``Z``).
    """
    prefix = b'{"type":"RECORD","stream":' + _ENCODER.encode(stream) + b',"record":'
    version_part = b"" if version is None else b',"version":' + _ENCODER.encode(version)
    extracted_part = b',"time_extracted":' + _ENCODER.encode(extracted.astimezone(dt.timezone.utc))
    return prefix, version_part + extracted_part + b"}\n"


class TypedRows:
    """How one stream's rows are decoded and encoded on the fast path.

    The row's Struct has the stream's properties in the schema's order: the declared fields
    (text or null when decoded; a reply with any other key or value does not fit) and the
    tap's own columns, which a reply may not send (their type refuses any value;
    ``unparsed_values`` and ``_extra_fields`` stay unset, and so unwritten, when empty). After them
    come the fields' other spellings (aliases: ``yes/no`` of ``yes_no``), which the loop moves
    into their field and leaves unset, so that they are not written.
    """

    def __init__(self, stream: str, fields: tuple[Field, ...], order: Sequence[str]) -> None:
        """The Struct of ``stream``'s records: ``fields`` a reply may send, ``order`` all."""
        declared = {f.name for f in fields}
        #: Each property's attribute on the Struct (names such as ``from`` or ``yes/no`` are
        #: no Python identifiers; the JSON keys stay the properties' names).
        self.attribute = {name: f"f{index}" for index, name in enumerate(order)}
        members: list[tuple[str, t.Any, t.Any]] = [
            (self.attribute[name], str | None, None)
            if name in declared
            else (self.attribute[name], msgspec.UnsetType, msgspec.UNSET)
            for name in order
        ]
        aliases = {alias: f.name for f in fields for alias in f.aliases if alias not in declared}
        #: Each alias: its attribute, the key it is sent as, the field it fills.
        self.aliases = [(f"a{index}", *spelling) for index, spelling in enumerate(aliases.items())]
        spelling_type = str | None | msgspec.UnsetType
        members += [(attribute, spelling_type, msgspec.UNSET) for attribute, _, _ in self.aliases]
        self.row_type = msgspec.defstruct(
            f"{stream}_record",
            members,
            rename={
                **{attribute: name for name, attribute in self.attribute.items()},
                **{attribute: alias for attribute, alias, _ in self.aliases},
            },
            forbid_unknown_fields=True,
        )
        envelope = msgspec.defstruct(
            f"{stream}_reply",
            [
                ("code", t.Any, msgspec.UNSET),
                ("error", t.Any, msgspec.UNSET),
                ("msg", t.Any, msgspec.UNSET),
                ("data", list[self.row_type | None] | None, None),  # type: ignore[name-defined]
            ],
        )
        self._decoder = msgspec.json.Decoder(envelope)
        self.stream = stream
        self._encoder = msgspec.json.Encoder()

    def decode(self, body: bytes) -> t.Any | None:
        """The reply's envelope with its rows as Structs; None when the reply does not fit."""
        try:
            return self._decoder.decode(body)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None

    def getter(self, *names: str) -> Callable[[t.Any], t.Any]:
        """What reads ``names`` of a row (one value, or a tuple of several)."""
        return operator.attrgetter(*(self.attribute[name] for name in names))

    def completer(  # noqa: PLR0913
        self,
        plan: TypedPlan,
        shaper: RowShaper,
        key: Sequence[str],
        asked: Sequence[str],
        values: Sequence[str],
        *,
        counts: str | None,
        collects: str | None,
    ) -> Complete:
        """The loop that makes a reply's Structs records, written out for this stream.

        It does to each row what the dict path does (rows/pipeline.py: blank rows skipped,
        values typed, key stand-ins, the values asked for, the grain's completion, the
        numbering of rows sharing ``key``), as straight-line code over the Struct's attributes:
        a loop over a row's fields, repeated for 60,000 rows, costs more than the work itself.
        ``asked`` and ``values`` name the columns filled per reply; ``counts`` the timestamp the
        margin counts; ``collects`` the field whose values are collected (IDs). The rare cases
        (an unreadable or blank key value, two spellings of a field each with a value) call the
        shaper, for the same warnings.
        """
        at = self.attribute
        sent = [at[name] for name in plan.fields]
        set_by_loop = {at[UNPARSED], at[EXTRA], at[OCCURRENCE], *(at[n] for n in (*asked, *values))}
        own = [at[name] for name in at if name not in plan.fields and at[name] not in set_by_loop]
        code = [
            "def complete(rows, asked, values, count, ids, seen, skipped):",
            "    kept = []",
            "    append = kept.append",
            "    get = seen.get",
            *(f"    a{i} = asked[{i}]" for i in range(len(asked))),
            *(f"    v{i} = values[{i}]" for i in range(len(values))),
            "    for row in rows:",
            *self._spellings_moved(),
            f"        x = row.{sent[0]}",
            "        if x is None or x in PL or x.isspace():",
            "            if blank(row):",
            "                skipped[0] += 1",
            "                continue",
            "        unparsed = None",
        ]
        for index, (name, kind, _) in enumerate(plan.typed):
            code += _typed_field(at[name], name, kind, index, key_part=name in plan.typed_key)
        for index, (name, _) in enumerate(plan.stand_ins):
            code += [
                f"        if row.{at[name]} is None:",
                f"            row.{at[name]} = S{index}",
            ]
        # Left unset (not written) when empty, as the dict path leaves the keys out.
        code += ["        if unparsed is not None:", f"            row.{at[UNPARSED]} = unparsed"]
        if self.aliases:
            code += ["        if extra is not None:", f"            row.{at[EXTRA]} = extra"]
        code += [f"        row.{own_at} = None" for own_at in own]
        for index, name in enumerate(asked):
            # A row that does not say which campaign/skill/agent it is for gets the one asked.
            code += [f"        if not row.{at[name]}:", f"            row.{at[name]} = a{index}"]
        code += [f"        row.{at[name]} = v{index}" for index, name in enumerate(values)]
        if counts is not None:
            code += [
                f"        x = row.{at[counts]}",
                "        if x and x != UNREADABLE:",
                "            count(x)",
            ]
        if collects is not None:
            code += [
                f"        x = row.{at[collects]}",
                "        if not is_blank(x):",
                "            ids.append(str(x))",
            ]
        parts = ", ".join(f"row.{at[name]}" for name in key)
        code += [
            f"        k = ({parts},)",
            "        n = get(k, 0) + 1",
            "        seen[k] = n",
            f"        row.{at[OCCURRENCE]} = n",
            "        append(row)",
            "    return kept",
            "",
            "def blank(row):",
            "    return all(x is None or x in PL or x.isspace() for x in ("
            + "".join(f"row.{a}, " for a in sent)
            + "))",
        ]
        scope: dict[str, t.Any] = {
            "PL": PLACEHOLDERS,
            "TAILS": VALID_TAILS,
            "UNREADABLE": UNREADABLE_INSTANT,
            "is_blank": is_blank,
            "utc_hours": plan.clock.utc_hours,
            "to_utc": plan.clock.to_utc_string,
            "attribute": at,
            "blank_key": shaper.blank_key_typed,
            "beside": shaper.beside_typed,
            "UNSET": msgspec.UNSET,
            "unreadable": shaper.unreadable_typed,
            **{f"C{index}": convert for index, (_, _, convert) in enumerate(plan.typed)},
            **{f"S{index}": stand_in for index, (_, stand_in) in enumerate(plan.stand_ins)},
        }
        exec(compile("\n".join(code), f"<{self.stream} rows>", "exec"), scope)  # noqa: S102
        complete: Complete = scope["complete"]
        return complete

    def _spellings_moved(self) -> list[str]:
        """The loop's lines that move a row's aliases into their fields, as the dict path does.

        An alias fills its field when the field is blank; when both hold a value, the field
        keeps its own and the alias's goes to the extra fields (RowShaper._fit_keys).
        """
        if not self.aliases:
            return []
        code = ["        extra = None"]
        for attribute, alias, name in self.aliases:
            field = self.attribute[name]
            code += [
                f"        x = row.{attribute}",
                "        if x is not UNSET:",
                f"            row.{attribute} = UNSET",
                f"            y = row.{field}",
                "            if y is None or y in PL or y.isspace():",
                f"                row.{field} = x",
                "            elif not (x is None or x in PL or x.isspace()):",
                f"                extra = beside({alias!r}, {name!r}, x, extra)",
            ]
        return code

    def lines(self, rows: list[t.Any], prefix: bytes, suffix: bytes) -> Iterator[bytes]:
        """``rows`` as RECORD lines, each encoded row between ``prefix`` and ``suffix``.

        In chunks of :data:`CHUNK` rows: a reply's lines are never all held at once.
        """
        for at in range(0, len(rows), CHUNK):
            yield framed(self._encoder, rows[at : at + CHUNK], prefix, suffix)


def record_lines(
    records: Iterable[dict[str, t.Any]], prefix: bytes, suffix: bytes
) -> Iterator[tuple[bytes, int]]:
    """Records in their final shape and order as RECORD lines, :data:`CHUNK` at a time.

    Each chunk comes with how many records it holds; the lines are what the SDK's writer writes
    of each (seam S10).
    """
    records = iter(records)
    while chunk := list(itertools.islice(records, CHUNK)):
        yield framed(_ENCODER, chunk, prefix, suffix), len(chunk)


def framed(encoder: msgspec.json.Encoder, rows: list[t.Any], prefix: bytes, suffix: bytes) -> bytes:
    """``rows`` encoded, each between ``prefix`` and ``suffix``."""
    # One line per row: JSON escapes every newline inside a value, so the only ones in
    # ``encode_lines``' output end rows (the last one ends the output).
    encoded = encoder.encode_lines(rows)
    return prefix + encoded[:-1].replace(b"\n", suffix + prefix) + suffix


def _typed_field(attribute: str, name: str, kind: Kind, index: int, *, key_part: bool) -> list[str]:
    """The lines that type one field of a Struct row (``x`` holds its text, or None)."""
    blank = f"            unparsed = blank_key({name!r}, {{}}, row, attribute, unparsed)"
    lines = [f"        x = row.{attribute}", "        if x is None:"]
    lines += [blank.format("None")] if key_part else ["            pass"]
    lines += ["        elif x in PL or x.isspace():", f"            row.{attribute} = None"]
    lines += [blank.format("x")] if key_part else []
    lines += ["        else:"]
    unreadable = [
        f"                row.{attribute} = None",
        f"                unparsed = unreadable({name!r}, x, row, attribute, unparsed)",
    ]
    if kind is Kind.INSTANT:
        # The UTC hour of the row's wall-clock hour, and its minutes and seconds as they are:
        # operation offsets are whole hours (to_utc_string says it once per hour).
        return [
            *lines,
            "            h = utc_hours.get(x[:13])",
            "            if h is not None and x[13:] in TAILS:",
            f"                row.{attribute} = h + x[13:] + '+00:00'",
            "            else:",
            "                y = to_utc(x)",
            "                if y is None:",
            *(f"    {line}" for line in unreadable),
            "                else:",
            f"                    row.{attribute} = y",
        ]
    return [
        *lines,
        "            try:",
        f"                row.{attribute} = C{index}(x)",
        "            except (ValueError, TypeError):",
        *unreadable,
    ]
