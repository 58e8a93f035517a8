"""What a Wolkvox reply means: rows, an empty window, a retry, or a stop with a plain sentence.

The whole error vocabulary of the Reports Manager API is read here, so "what happens on a 403?"
has one answer, in :func:`interpret`.
"""

from __future__ import annotations

import json
import re
import typing as t
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import ijson
import msgspec
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from tap_wolkvox import bodies

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    import requests

#: Body ``code`` values that mean success (sent as int or string, some samples blank: see
#: :func:`_code_status`).
_SUCCESS_CODES = frozenset({200, 201, 202, 0})

_BOM = b"\xef\xbb\xbf"
#: A lone UTF-16 surrogate in a decoded string: a ``\ud83d`` escape cut from its pair, or an
#: invalid UTF-8 byte carried through decoding (``surrogateescape`` maps byte 0xNN to U+DCNN).
_SURROGATE = re.compile("[\ud800-\udfff]")
#: What :func:`_decode` says of the strings it read: sound, or holding lone surrogates from
#: escapes only, or also from invalid bytes.
_SOUND, _ESCAPES, _BYTES = 0, 1, 2

MSG_TOO_MANY_CONCURRENT = "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN"
MSG_QUOTA = "TOKEN LIMIT EXCEEDED"
MSG_BAD_TOKEN = "PLEASE VALIDATE TOKEN"  # noqa: S105 - an API message
MSG_NO_SUCH_API = "THE API YOU WANT TO CONSULT DOES NOT EXIST"


class WolkvoxError(FatalAPIError):
    """A failure that ends the run; its message is the one sentence the user sees."""


class TokenMissingError(WolkvoxError):
    """HTTP 401: the request carried no token."""


class TokenRejectedError(WolkvoxError):
    """403 PLEASE VALIDATE TOKEN."""


class QuotaExhaustedError(WolkvoxError):
    """403 TOKEN LIMIT EXCEEDED: the token's daily quota is spent."""


class ReportUnavailableError(WolkvoxError):
    """400 THE API YOU WANT TO CONSULT DOES NOT EXIST: the report is not enabled on the server."""

    def __init__(self, message: str, report: str) -> None:
        """Remember which report the server lacks."""
        super().__init__(message)
        self.report = report


class RejectedRequestError(WolkvoxError):
    """Any other 4xx: the server refused the request; its message says why."""


class NotWolkvoxError(WolkvoxError):
    """A 404 that is not Wolkvox's own (a wrong path, a proxy's page): not an empty window."""


class OddReplyError(WolkvoxError):
    """A 200 whose ``code`` is neither success nor a status (null, true, "OK")."""


class WolkvoxRetriableError(RetriableAPIError):
    """A transient failure worth another try after a pause."""


@dataclass(frozen=True)
class Reply:
    """A usable answer: the rows of one window (empty when the API said 404)."""

    rows: list[dict[str, Any]]
    empty_window: bool = False
    #: How many ``null`` entries of ``data`` were left out of ``rows``.
    skipped: int = 0
    #: Per index in ``rows``: the raw text (backslash-escaped) of each value whose invalid text
    #: was replaced by U+FFFD, by field name (``conversation[0].message`` when nested).
    repairs: dict[int, dict[str, str]] = field(default_factory=dict)
    #: A large body's rows, read one at a time from its spilled file (``rows`` is then empty).
    stream: Callable[[], Iterator[dict[str, Any]]] | None = None
    #: How many rows ``stream`` yields.
    streamed: int = 0
    #: The spilled body ``stream`` reads; closed (and so deleted) by :meth:`close`.
    body: t.IO[bytes] | None = None

    def close(self) -> None:
        """Let go of the spilled body, if any: its temporary file is then gone."""
        if self.body is not None:
            self.body.close()

    @property
    def size(self) -> int:
        """How many rows the reply holds, streamed or not."""
        return self.streamed if self.stream is not None else len(self.rows)

    def each_row(self) -> Iterable[dict[str, Any]]:
        """The rows, from memory or from the spilled body."""
        return self.rows if self.stream is None else self.stream()


def _server_message(payload: Any, text: str) -> str:
    """The human part of an error body: ``msg``, else ``error``, else the raw text (trimmed)."""
    if isinstance(payload, dict):
        for key in ("msg", "error", "message"):
            value = payload.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return " ".join(text.split())[:200] or "no message"


def _decode(body: bytes) -> tuple[Any, int]:
    """The JSON value of ``body`` (None when unreadable), and whether it may hold bad text.

    Unless :data:`_SOUND`, strings may hold lone surrogates: pass the value to :func:`_clean`.
    """
    try:
        # msgspec decodes bytes straight to objects: faster than json, no interim str copy.
        return msgspec.json.decode(body), _SOUND
    except (msgspec.DecodeError, UnicodeDecodeError):
        # Only replies msgspec refuses pay for the repairs.
        return _decode_leniently(body)


def _decode_leniently(body: bytes) -> tuple[Any, int]:
    r"""Read what msgspec refuses but is unambiguous; anything else stays unreadable (None).

    Read: a UTF-8 byte-order mark before the JSON; lone surrogate escapes (``"\ud83d"``);
    bytes that are not UTF-8 inside strings; raw control characters inside strings. Not read:
    malformed or cut-off JSON, which a retry may fix.
    """
    if body.startswith(_BOM):
        body = body[len(_BOM) :]
        try:
            return msgspec.json.decode(body), _SOUND
        except (msgspec.DecodeError, UnicodeDecodeError):
            pass
    try:
        text, how = body.decode("utf-8"), _ESCAPES
    except UnicodeDecodeError:
        # surrogateescape keeps each invalid byte as one U+DC80..U+DCFF character: nothing is
        # lost and JSON's structure (all ASCII) is untouched.
        text, how = body.decode("utf-8", errors="surrogateescape"), _BYTES
    try:
        return json.loads(text, strict=False, parse_constant=_not_json), how
    except (ValueError, RecursionError):
        return None, _SOUND


def _not_json(constant: str) -> Any:
    """Python's json reads NaN and Infinity; JSON has neither."""
    msg = f"{constant} is not JSON"
    raise ValueError(msg)


def _clean(value: Any, how: int, path: str = "", found: dict[str, str] | None = None) -> Any:
    """``value`` with each lone surrogate (in keys too) replaced by U+FFFD.

    ``how`` is what :func:`_decode` said. The raw text of each repaired string goes to
    ``found`` under its path (``message``, ``conversation[0].message``).
    """
    if isinstance(value, str):
        if _SURROGATE.search(value) is None:
            return value
        if found is not None and path:
            found[path] = _SURROGATE.sub(_escape_byte if how == _BYTES else _escape, value)
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_clean(item, how, f"{path}[{at}]", found) for at, item in enumerate(value)]
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            name = _clean(key, how)
            cleaned[name] = _clean(item, how, f"{path}.{name}" if path else name, found)
        return cleaned
    return value


def _escape(match: re.Match[str]) -> str:
    r"""The raw form of a lone surrogate escape: ``\ud83d``."""
    return f"\\u{ord(match.group()):04x}"


def _escape_byte(match: re.Match[str]) -> str:
    r"""The raw form of a lone surrogate where invalid bytes were read: ``\xe9`` for a byte.

    A ``\udc80``..``\udcff`` escape in the same reply is shown as a byte too: after decoding,
    the two cannot be told apart.
    """
    point = ord(match.group())
    if 0xDC80 <= point <= 0xDCFF:  # noqa: PLR2004 - where surrogateescape puts bytes
        return f"\\x{point - 0xDC00:02x}"
    return _escape(match)


def _parse_body(body: bytes) -> Any:
    """The JSON value of ``body`` with any bad text replaced (None when unreadable)."""
    payload, how = _decode(body)
    return payload if how == _SOUND else _clean(payload, how)


def _rows_of(data: Any) -> tuple[list[dict[str, Any]], int] | None:
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


def _code_status(code: Any) -> int | None:
    """The status a body ``code`` stands for (200, "200", 200.0, " "), or None when none.

    A blank code is one of Wolkvox's placeholders, read as success.
    """
    if code.__class__ is int:  # not ``isinstance``: true is no status
        return int(code)
    if isinstance(code, str):
        text = code.strip()
        if not text:
            return HTTPStatus.OK
        try:
            return int(text)
        except ValueError:
            pass
        try:
            code = float(text)
        except ValueError:
            return None
    if isinstance(code, float) and code.is_integer():
        return int(code)
    return None


def classify_failure(status: int, message: str, report: str) -> Exception:  # noqa: PLR0911
    """Map a failed status (HTTP, or the body's ``code``) and the server's message to an error.

    Returns the exception to raise: a :class:`WolkvoxRetriableError` for transient trouble, a
    :class:`WolkvoxError` subclass (one plain sentence) for everything that must stop the run.
    """
    upper = message.upper()
    if status == HTTPStatus.UNAUTHORIZED:
        return TokenMissingError(
            "Wolkvox answered 401: the request carried no token. Set the 'token' setting "
            "(TAP_WOLKVOX_TOKEN) to a token from wolkvox Manager > Configuration > "
            "Integrations > Tokens."
        )
    if status == HTTPStatus.FORBIDDEN:
        # One status, four meanings: concurrency, daily quota, bad token, or maintenance.
        if MSG_TOO_MANY_CONCURRENT in upper:
            return WolkvoxRetriableError(f"403 {message} (another client is using this token)")
        if MSG_QUOTA in upper:
            return QuotaExhaustedError(
                "Wolkvox answered 403 TOKEN LIMIT EXCEEDED: this token's daily quota of calls "
                "is spent. The STATE already emitted is a valid resume point; run again after "
                "the quota resets (or with another token)."
            )
        if MSG_BAD_TOKEN in upper:
            return TokenRejectedError(
                "Wolkvox answered 403 PLEASE VALIDATE TOKEN: the token was rejected (wrong, "
                "expired or from another operation). Check the 'token' setting and the server."
            )
        # Backups and maintenance switch the API off for a while with a bare 403.
        return WolkvoxRetriableError(f"403 {message} (server maintenance?)")
    if status == HTTPStatus.TOO_MANY_REQUESTS or status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return WolkvoxRetriableError(f"{status} {message}")
    if status == HTTPStatus.BAD_REQUEST and MSG_NO_SUCH_API in upper:
        return ReportUnavailableError(
            f"Wolkvox answered 400 THE API YOU WANT TO CONSULT DOES NOT EXIST for report "
            f"'{report}': it is not enabled on this server. Deselect its stream or ask Wolkvox "
            "to enable it.",
            report=report,
        )
    if HTTPStatus.BAD_REQUEST <= status < HTTPStatus.INTERNAL_SERVER_ERROR:
        return RejectedRequestError(
            f"Wolkvox refused the request for report '{report}' with {status}: {message}."
        )
    return WolkvoxRetriableError(f"unexpected status {status}: {message}")


#: Keys of Wolkvox's JSON reply; a 404 carrying none of them did not come from Wolkvox.
_ENVELOPE_KEYS = frozenset({"code", "msg", "error", "data"})


def _is_wolkvox_envelope(payload: Any) -> bool:
    return isinstance(payload, dict) and not _ENVELOPE_KEYS.isdisjoint(payload)


def interpret(status: int, body: bytes, report: str, url: str = "", window: str = "") -> Reply:
    """Read one HTTP reply of the Reports Manager.

    ``url`` is where it came from (no query), ``window`` the range it answers
    (``2025-01-01 00:00:00..2025-01-31 23:59:59``); both only name things in messages.

    Raises:
        WolkvoxRetriableError: transient trouble (5xx, 429, concurrency or maintenance 403,
            malformed or truncated JSON, an error ``code`` inside a 200).
        WolkvoxError: a failure that must end the run (:class:`OddReplyError` for a 200 whose
            ``code`` is no status).
    """
    text = body.decode("utf-8", errors="replace") if status != HTTPStatus.OK else ""
    if status == HTTPStatus.NOT_FOUND:
        # An empty window answers 404 ("Validate dates entered"), not an empty list; but only
        # Wolkvox's own JSON reply says so: a wrong path or a proxy's page must not be read as
        # "no rows" and bookmarked past.
        if _is_wolkvox_envelope(_parse_body(body)):
            return Reply(rows=[], empty_window=True)
        msg = (
            f"Report '{report}': {url or 'the server'} answered 404 with a page that is not a "
            "Wolkvox reply, so the URL is wrong or something else answered: check api_url and "
            "wolkvox_server (and any proxy in between). No bookmark was moved."
        )
        raise NotWolkvoxError(msg)
    if status != HTTPStatus.OK:
        raise classify_failure(status, _server_message(_parse_body(body), text), report)
    return _read_ok(body, report, window)


def _read_ok(body: bytes, report: str, window: str) -> Reply:
    """Read the body of a 200 (``window`` only names the window in messages)."""
    where = f" for window {window}" if window else ""
    payload, how = _decode(body)
    if not isinstance(payload, dict):
        # A body cut short looks like any other malformed one: worth another try.
        msg = f"malformed or truncated JSON in the 200 reply{where}"
        raise WolkvoxRetriableError(msg)
    if how != _SOUND:
        # The rows are cleaned below, one by one, so that each keeps the raw text of its own.
        payload = {k: v if k == "data" else _clean(v, how) for k, v in payload.items()}
    empty = _read_code(payload, report, where)
    if empty is not None:
        return empty
    read = _rows_of(payload.get("data"))
    if read is None:
        msg = f"a 200 reply{where} whose 'data' is neither a list of rows nor an object"
        raise WolkvoxRetriableError(msg)
    rows, skipped = read
    repairs: dict[int, dict[str, str]] = {}
    if how != _SOUND:
        for index, row in enumerate(rows):
            found: dict[str, str] = {}
            rows[index] = _clean(row, how, "", found)
            if found:
                repairs[index] = found
    return Reply(rows=rows, skipped=skipped, repairs=repairs)


def _read_code(payload: dict[str, Any], report: str, where: str) -> Reply | None:
    """Check the envelope's ``code``: None on success, an empty window for 404, else raise."""
    code = payload.get("code", HTTPStatus.OK)
    body_status = _code_status(code)
    if body_status is None:
        shown = msgspec.json.encode(code).decode()
        msg = (
            f"Report '{report}': Wolkvox answered 200{where} with code {shown[:60]}, which is "
            "neither success nor an error status, so the reply cannot be trusted and the run "
            "stops here; the STATE already emitted is a valid resume point."
        )
        raise OddReplyError(msg)
    if body_status not in _SUCCESS_CODES:
        if body_status == HTTPStatus.NOT_FOUND:
            return Reply(rows=[], empty_window=True)
        message = _server_message(payload, "")
        raise classify_failure(body_status, message, report)
    return None


def interpret_spilled(
    status: int, body: t.IO[bytes], report: str, url: str = "", window: str = ""
) -> Reply:
    """:func:`interpret` for a large body spilled to a file: rows are read as a stream.

    The whole body is scanned once first (tokens only, nothing kept), so that an error code, a
    malformed body or a reply at the row cap is known before the first row is emitted: a reply
    at the cap is then split like any other, and its rows are not emitted twice.
    """
    if status != HTTPStatus.OK:
        # Error pages are small; a large one is read for its message only.
        body.seek(0)
        return interpret(status, body.read(1 << 20), report, url, window)
    where = f" for window {window}" if window else ""
    try:
        envelope = bodies.scan(body)
    except (ijson.JSONError, UnicodeDecodeError, ValueError):
        # A byte-order mark, bad text or malformed JSON: the in-memory path repairs what can be
        # repaired and says what cannot (this costs the memory streaming saves, but is rare).
        body.seek(0)
        return _read_ok(body.read(), report, window)
    empty = _read_code(envelope.scalars, report, where)
    if empty is not None:
        return empty
    if envelope.data == "start_map" or envelope.data is None or envelope.data == "null":
        count = 1 if envelope.data == "start_map" else 0
        return Reply(rows=[], stream=lambda: bodies.rows(body, envelope), streamed=count, body=body)
    if envelope.objects + envelope.nulls != envelope.entries:
        msg = f"a 200 reply{where} whose 'data' is neither a list of rows nor an object"
        raise WolkvoxRetriableError(msg)
    return Reply(
        rows=[],
        skipped=envelope.nulls,
        stream=lambda: bodies.rows(body, envelope),
        streamed=envelope.objects,
        body=body,
    )


def interpret_response(response: requests.Response, report: str) -> Reply:
    """:func:`interpret` for a :class:`requests.Response`."""
    return interpret(
        response.status_code,
        response.content,
        report,
        url_without_query(response.url),
        window_of(response.url),
    )


def window_of(url: str) -> str:
    """The range a request URL asks for, as ``YYYY-MM-DD HH:MM:SS..YYYY-MM-DD HH:MM:SS``.

    Empty when the URL does not carry both ``date_ini`` and ``date_end``.
    """
    query = parse_qs(urlsplit(url).query)
    ends = [query.get(name, [""])[-1] for name in ("date_ini", "date_end")]
    if not all(ends):
        return ""
    return "..".join(_stamp(end) for end in ends)


def _stamp(value: str) -> str:
    """``20250131235959`` as ``2025-01-31 23:59:59`` (anything else as sent)."""
    if len(value) != 14 or not value.isdigit():  # noqa: PLR2004 - YYYYMMDDHHMMSS
        return value
    return f"{value[:4]}-{value[4:6]}-{value[6:8]} {value[8:10]}:{value[10:12]}:{value[12:]}"


def url_without_query(url: str) -> str:
    """``scheme://host[:port]/path`` of ``url``: what a message may show of a request."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path}"
