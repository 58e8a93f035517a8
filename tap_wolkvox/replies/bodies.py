"""Reply bodies: small ones in memory, large ones spilled to a temporary file and read as a stream.

A Wolkvox reply may reach 256 MB (chat transcripts). Held whole and decoded at once it costs
about three times its size in memory, so a body larger than :data:`SPILL_BYTES` is written to
an anonymous temporary file as it arrives and its rows are parsed incrementally from there with
ijson (its C backend, yajl2_c): the body, and all its rows, are never in memory at once.
Smaller bodies keep the fast path (msgspec on the bytes), which is quicker per row.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
import time
import typing as t
from dataclasses import dataclass

import ijson
import requests
import urllib3.exceptions

if t.TYPE_CHECKING:
    from collections.abc import Iterator

#: Bodies up to this size stay in memory (measured: the 13 MB of a 60,000-row transfers reply
#: decode fastest with msgspec; past a few tens of MB the memory of a decoded body dominates).
SPILL_BYTES = 16 << 20
_CHUNK = 1 << 16

#: Top-level scalars of the envelope that decide what a reply means.
_ENVELOPE_SCALARS = frozenset({"code", "msg", "error", "message"})
_SCALAR_EVENTS = frozenset({"string", "number", "boolean", "null"})
_VALUE_STARTS = _SCALAR_EVENTS | {"start_map", "start_array"}


def read_body(
    response: requests.Response, deadline: float, timeout: float, spill_at: int | None = None
) -> bytes | t.IO[bytes]:
    """Read the whole body before ``deadline``: bytes, or a temporary file past ``spill_at``.

    requests' timeout limits each socket read, so a server that trickles a few bytes every
    second could hold one reply for ever; this bounds the whole reply. The file is anonymous
    (no name on disk, gone when closed or when the process dies) and holds only the body.

    Raises:
        requests.exceptions.ReadTimeout: past the deadline (retried like any timeout).
        requests.exceptions.ChunkedEncodingError: the body was cut off.
    """
    spill_at = SPILL_BYTES if spill_at is None else spill_at
    chunks: list[bytes] = []
    size = 0
    spilled: t.IO[bytes] | None = None
    try:
        while chunk := _next_chunk(response, deadline, timeout):
            if spilled is not None:
                spilled.write(chunk)
                continue
            chunks.append(chunk)
            size += len(chunk)
            if size > spill_at:
                spilled = tempfile.TemporaryFile()  # noqa: SIM115 - lives with the reply
                spilled.writelines(chunks)
                chunks.clear()
    except BaseException:
        if spilled is not None:
            spilled.close()
        raise
    if spilled is None:
        return b"".join(chunks)
    spilled.seek(0)
    return spilled


def _next_chunk(response: requests.Response, deadline: float, timeout: float) -> bytes:
    """The next piece of the body (b"" at its end), within the whole reply's deadline."""
    if time.monotonic() > deadline:
        msg = f"the whole reply took longer than request_timeout ({timeout:g} s)"
        raise requests.exceptions.ReadTimeout(msg)
    try:
        # read1: at most one socket read, so the deadline is checked between reads.
        return bytes(response.raw.read1(_CHUNK, decode_content=True))
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ReadTimeout(str(exc)) from None
    except urllib3.exceptions.ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(str(exc)) from None


@dataclass(frozen=True)
class Envelope:
    """What a first pass over a spilled body found, before any row is read."""

    #: The top level is a JSON object (anything else is malformed for a 200).
    is_object: bool
    #: Its keys, and its scalars that decide what a reply means (the last of duplicates).
    keys: tuple[str, ...]
    scalars: dict[str, t.Any]
    #: The JSON type of (the last) ``data``: ``start_array``, ``start_map``, ``null``, a scalar
    #: event (``string``...), or absent (None).
    data: str | None
    #: Entries of that ``data`` array, how many of them were null, and how many objects.
    entries: int
    nulls: int
    objects: int
    #: How many times the key ``data`` appears: only the last one is read, as in memory.
    occurrences: int = 1
    #: Strings may hold NUL escapes, or lone surrogate escapes (read with ijson's Python
    #: backend, which keeps them, where yajl writes "?" or refuses the body).
    nul: bool = False
    lone_surrogates: bool = False


#: ijson's pure-Python backend: slower, but it reads a lone surrogate escape as Python's json
#: does, so the row can be repaired and flagged exactly as in memory.
_PYTHON_BACKEND = ijson.get_backend("python")


class _WatchedBody:
    r"""A spilled body as the first pass reads it, watched for escapes that need repairs.

    They are found in the bytes as they go by (one regex search per chunk), so a body without
    them costs nothing more: ``\u0000``, and a surrogate escape that is not half of a pair (a
    high one not followed by a low one, a low one not preceded by a high one). Text that only
    looks like one (``\\u0000``, an escaped backslash) costs a repair pass that finds nothing.
    """

    _ESCAPE = re.compile(
        rb"\\u(?:(?P<nul>0000)"
        rb"|[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"
        rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2}\\u)[dD][c-fC-F])"
    )
    #: Bytes a match needs after its start (its escape and the next one), and before it (the
    #: escape it would pair with): matches nearer a chunk's end are judged with the next one.
    _AHEAD, _BEHIND = 12, 6

    def __init__(self, body: t.IO[bytes]) -> None:
        self._body = body
        self._pending = b""
        self._from = 0
        self.nul = False
        self.lone_surrogates = False

    def read(self, size: int = -1) -> bytes:
        """Read like the body does, watching what goes by."""
        chunk = self._body.read(size)
        if chunk or size != 0:  # (ijson first reads 0 bytes to learn the type)
            self._watch(chunk)
        return chunk

    def read_to_end(self) -> None:
        """Watch the rest of the body (after the parser gave up on it)."""
        while self.read(_CHUNK):
            pass

    def _watch(self, chunk: bytes) -> None:
        if self.nul and self.lone_surrogates:
            return
        text = self._pending + chunk
        # At the end of the body every match can be judged; before, not those near the end.
        until = max(len(text) - self._AHEAD if chunk else len(text), self._from)
        for match in self._ESCAPE.finditer(text, self._from):
            if match.start() >= until:
                break
            if match.group("nul"):
                self.nul = True
            else:
                self.lone_surrogates = True
        keep = max(until - self._BEHIND, 0)
        self._pending, self._from = text[keep:], until - keep


def scan(body: t.IO[bytes]) -> Envelope:
    """One pass over the body's JSON tokens: the envelope's scalars and the size of ``data``.

    Nothing is built but a counter, so the rows can be checked (error code, row cap) before
    the first one is emitted. A body with lone surrogate escapes is scanned again with the
    Python backend, which reads them.

    Raises:
        ijson.JSONError: malformed or cut-off JSON (ijson.IncompleteJSONError is a subclass).
        UnicodeDecodeError: bytes that are not UTF-8.
    """
    body.seek(0)
    watched = _WatchedBody(body)
    try:
        envelope = _scan(ijson.parse(watched, use_float=True))
    except UnicodeDecodeError:
        # yajl refuses a lone low surrogate escape, as it does invalid bytes: which was it?
        watched.read_to_end()
        if not watched.lone_surrogates:
            raise
    else:
        if not watched.lone_surrogates:
            return dataclasses.replace(envelope, nul=watched.nul)
    body.seek(0)
    envelope = _scan(_PYTHON_BACKEND.parse(body, use_float=True))
    return dataclasses.replace(envelope, nul=watched.nul, lone_surrogates=True)


def _scan(events: t.Iterable[tuple[str, str, t.Any]]) -> Envelope:
    """Count the envelope's parts from the body's parse events."""
    read = iter(events)
    first = next(read, None)
    scalars: dict[str, t.Any] = {}
    keys: dict[str, None] = {}
    data: str | None = None
    entries = nulls = objects = occurrences = 0
    for prefix, event, value in read:
        if prefix == "data.item":
            if event in _VALUE_STARTS:
                entries += 1
                nulls += event == "null"
                objects += event == "start_map"
        elif prefix == "data":
            if event in _VALUE_STARTS:
                data = event
        elif prefix == "" and event == "map_key":
            keys[value] = None
            # A key given twice counts once, for its last value (as msgspec reads it).
            scalars.pop(value, None)
            if value == "data":
                occurrences += 1
                data, entries, nulls, objects = None, 0, 0, 0
        elif prefix in _ENVELOPE_SCALARS and event in _SCALAR_EVENTS:
            scalars[prefix] = value
    is_object = first is not None and first[1] == "start_map"
    return Envelope(is_object, tuple(keys), scalars, data, entries, nulls, objects, occurrences)


def rows(body: t.IO[bytes], envelope: Envelope) -> Iterator[dict[str, t.Any]]:
    """The rows of ``data``, one at a time (an object ``data`` is one row, as in memory)."""
    body.seek(0)
    backend = _PYTHON_BACKEND if envelope.lone_surrogates else ijson
    source: t.Any = body
    if envelope.occurrences > 1:
        # Only the last ``data`` is read: its events alone are handed on (slower, and rare).
        source = _last_data(backend.parse(body, use_float=True), envelope.occurrences)
    if envelope.data == "start_map":
        yield from backend.items(source, "data", use_float=True)
        return
    for row in backend.items(source, "data.item", use_float=True):
        if row is not None:
            yield row


def _last_data(
    events: t.Iterable[tuple[str, str, t.Any]], occurrences: int
) -> Iterator[tuple[str, str, t.Any]]:
    """The parse events of the last of ``occurrences`` values of the top-level ``data``."""
    seen = 0
    for prefix, event, value in events:
        if prefix == "" and event == "map_key" and value == "data":
            seen += 1
        elif seen == occurrences and (prefix == "data" or prefix.startswith("data.")):
            yield prefix, event, value
