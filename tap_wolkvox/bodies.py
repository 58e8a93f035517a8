"""Reply bodies: small ones in memory, large ones spilled to a temporary file and read as a stream.

A Wolkvox reply may reach 256 MB (chat transcripts). Held whole and decoded at once it costs
about three times its size in memory, so a body larger than :data:`SPILL_BYTES` is written to
an anonymous temporary file as it arrives and its rows are parsed incrementally from there with
ijson (its C backend, yajl2_c): the body, and all its rows, are never in memory at once.
Smaller bodies keep the fast path (msgspec on the bytes), which is quicker per row.
"""

from __future__ import annotations

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

    scalars: dict[str, t.Any]
    #: The JSON type of ``data``: ``start_array``, ``start_map``, ``null``, or absent (None).
    data: str | None
    #: Entries of a ``data`` array, how many of them were null, and how many objects.
    entries: int
    nulls: int
    objects: int


def scan(body: t.IO[bytes]) -> Envelope:
    """One pass over the body's JSON tokens: the envelope's scalars and the size of ``data``.

    Nothing is built but a counter, so the rows can be checked (error code, row cap) before
    the first one is emitted.

    Raises:
        ijson.JSONError: malformed or cut-off JSON (ijson.IncompleteJSONError is a subclass).
    """
    body.seek(0)
    scalars: dict[str, t.Any] = {}
    data: str | None = None
    entries = nulls = objects = 0
    for prefix, event, value in ijson.parse(body, use_float=True):
        if prefix == "data.item":
            if event in {"start_map", "start_array"} or event in _SCALAR_EVENTS:
                entries += 1
                nulls += event == "null"
                objects += event == "start_map"
        elif prefix == "data" and event in {"start_array", "start_map", "null"}:
            data = event
        elif prefix in _ENVELOPE_SCALARS and event in _SCALAR_EVENTS:
            scalars[prefix] = value
    return Envelope(scalars, data, entries, nulls, objects)


def rows(body: t.IO[bytes], envelope: Envelope) -> Iterator[dict[str, t.Any]]:
    """The rows of ``data``, one at a time (an object ``data`` is one row, as in memory)."""
    body.seek(0)
    if envelope.data == "start_map":
        yield from ijson.items(body, "data", use_float=True)
        return
    for row in ijson.items(body, "data.item", use_float=True):
        if row is not None:
            yield row
