"""Reply bodies decoded: JSON read strictly where it can be, leniently where it must.

msgspec reads almost every body. What it refuses but is unambiguous is read all the same: a
byte-order mark, lone surrogate escapes, invalid UTF-8 inside strings. A character no target can
store (NUL, a lone surrogate) is replaced by U+FFFD, and the raw text of the value it was in is
kept, backslash-escaped, for the row's ``unparsed_values``.
"""

from __future__ import annotations

import json
import re
import typing as t
from typing import Any

import msgspec

if t.TYPE_CHECKING:
    from collections.abc import Iterator

_BOM = b"\xef\xbb\xbf"
#: A character no target can store, in a decoded string: NUL (``\u0000``; PostgreSQL refuses
#: it in text, so the whole batch fails), or a lone UTF-16 surrogate: a ``\ud83d`` escape cut
#: from its pair, or an invalid UTF-8 byte carried through decoding (``surrogateescape`` maps
#: byte 0xNN to U+DCNN).
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")
#: msgspec reads this escape as a NUL: only bodies holding it pay for the repairs.
_NUL_ESCAPE = re.compile(rb"\\u0000")
#: What :func:`decode` says of the strings it read: sound, or holding bad characters from
#: escapes only, or also from invalid bytes.
SOUND, ESCAPES, BYTES = 0, 1, 2


def decode(body: bytes) -> tuple[Any, int]:
    """The JSON value of ``body`` (None when unreadable), and whether it may hold bad text.

    Unless :data:`SOUND`, strings may hold lone surrogates: pass the value to :func:`clean`.
    """
    try:
        # msgspec decodes bytes straight to objects: faster than json, no interim str copy.
        payload = msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError):
        # Only replies msgspec refuses pay for the repairs.
        return _decode_leniently(body)
    return payload, nul_escapes(body)


def nul_escapes(body: bytes) -> int:
    """:data:`ESCAPES` when a body msgspec read may hold a NUL, else :data:`SOUND`."""
    # A body without any backslash (most are) is told apart by one memchr.
    return ESCAPES if b"\\" in body and _NUL_ESCAPE.search(body) else SOUND


def _decode_leniently(body: bytes) -> tuple[Any, int]:
    r"""Read what msgspec refuses but is unambiguous; anything else stays unreadable (None).

    Read: a UTF-8 byte-order mark before the JSON; lone surrogate escapes (``"\ud83d"``);
    bytes that are not UTF-8 inside strings; raw control characters (a NUL too) inside
    strings. Not read:
    malformed or cut-off JSON, which a retry may fix.
    """
    if body.startswith(_BOM):
        body = body[len(_BOM) :]
        try:
            return msgspec.json.decode(body), nul_escapes(body)
        except (msgspec.DecodeError, UnicodeDecodeError):
            pass
    try:
        text, how = body.decode("utf-8"), ESCAPES
    except UnicodeDecodeError:
        # surrogateescape keeps each invalid byte as one U+DC80..U+DCFF character: nothing is
        # lost and JSON's structure (all ASCII) is untouched.
        text, how = body.decode("utf-8", errors="surrogateescape"), BYTES
    try:
        return json.loads(text, strict=False, parse_constant=_not_json), how
    except (ValueError, RecursionError):
        return None, SOUND


def _not_json(constant: str) -> Any:
    """Python's json reads NaN and Infinity; JSON has neither."""
    msg = f"{constant} is not JSON"
    raise ValueError(msg)


def clean(value: Any, how: int, path: str = "", found: dict[str, str] | None = None) -> Any:
    r"""``value`` with each NUL and lone surrogate (in keys too) replaced by U+FFFD.

    ``how`` is what :func:`decode` said. The raw text of each repaired string goes to
    ``found`` under its path (``message``, ``conversation[0].message``), backslash-escaped
    (``Hola \u0000``: never the NUL itself).
    """
    if isinstance(value, str):
        if _BAD_CHARACTER.search(value) is None:
            return value
        if found is not None and path:
            found[path] = _BAD_CHARACTER.sub(_escape_byte if how == BYTES else _escape, value)
        return _BAD_CHARACTER.sub("\ufffd", value)
    if isinstance(value, list):
        return [clean(item, how, f"{path}[{at}]", found) for at, item in enumerate(value)]
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            name = clean(key, how)
            cleaned[name] = clean(item, how, f"{path}.{name}" if path else name, found)
        return cleaned
    return value


def _escape(match: re.Match[str]) -> str:
    r"""The raw form of a lone surrogate or NUL escape: ``\ud83d``, ``\u0000``."""
    return f"\\u{ord(match.group()):04x}"


def _escape_byte(match: re.Match[str]) -> str:
    r"""The raw form of a bad character where invalid bytes were read: ``\xe9`` for a byte.

    A ``\udc80``..``\udcff`` escape in the same reply is shown as a byte too: after decoding,
    the two cannot be told apart.
    """
    point = ord(match.group())
    if 0xDC80 <= point <= 0xDCFF:  # noqa: PLR2004 - where surrogateescape puts bytes
        return f"\\x{point - 0xDC00:02x}"
    return _escape(match)


def parse_body(body: bytes) -> Any:
    """The JSON value of ``body`` with any bad text replaced (None when unreadable)."""
    payload, how = decode(body)
    return payload if how == SOUND else clean(payload, how)


def rows_of(data: Any) -> tuple[list[dict[str, Any]], int] | None:
    """``data`` as a list of rows (a list, an object: a few reports send one, or nothing).

    With how many ``null`` entries were left out; None when ``data`` holds anything else.
    """
    if data is None:
        return [], 0
    if isinstance(data, dict):
        return [data], 0
    if isinstance(data, list):
        if all(isinstance(row, dict) for row in data):
            return data, 0
        rows = [row for row in data if row is not None]
        if all(isinstance(row, dict) for row in rows):
            return rows, len(data) - len(rows)
    return None


def cleaned(
    rows: Iterator[dict[str, Any]], how: int, repairs: dict[int, dict[str, str]]
) -> Iterator[dict[str, Any]]:
    """``rows`` with bad text replaced as they are read, each one's raw text in ``repairs``.

    ``repairs`` is the reply's: a row's entry is there by the time the row is yielded.
    """
    if how == SOUND:
        yield from rows
        return
    for index, row in enumerate(rows):
        found: dict[str, str] = {}
        cleaned = clean(row, how, "", found)
        if found:
            repairs[index] = found
        yield cleaned
