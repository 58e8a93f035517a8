"""What a Wolkvox reply means: rows, an empty window, a retry, or a stop with a plain sentence.

The whole error vocabulary of the Reports Manager API is read here, so "what happens on a 403?"
has one answer, in :func:`interpret`.
"""

from __future__ import annotations

import re
import typing as t
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import ijson
import msgspec
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from tap_wolkvox.replies import bodies
from tap_wolkvox.replies.decode import (
    ESCAPES,
    SOUND,
    clean,
    cleaned,
    decode,
    nul_escapes,
    parse_body,
    rows_of,
)
from tap_wolkvox.replies.reply import Reply, announced_rows

if TYPE_CHECKING:
    from collections.abc import Callable

    from tap_wolkvox.replies.exchange import Exchange
    from tap_wolkvox.rows.typed import TypedRows


#: Body ``code`` values that mean success (sent as int or string, some samples blank: see
#: :func:`_code_status`).
_SUCCESS_CODES = frozenset({200, 201, 202, 0})

MSG_TOO_MANY_CONCURRENT = "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN"
MSG_QUOTA = "TOKEN LIMIT EXCEEDED"
MSG_BAD_TOKEN = "PLEASE VALIDATE TOKEN"  # noqa: S105 - an API message
MSG_NO_TOKEN = "PLEASE ENTER THE WOLKVOX-TOKEN"  # noqa: S105 - an API message
MSG_NO_SUCH_API = "THE API YOU WANT TO CONSULT DOES NOT EXIST"
#: The only answers that make a 404 an empty window, matched whole (case, spaces and a final
#: full stop aside). "Validate dates entered" is what the API says for a window without rows
#: (observed, see the shared API notes §4.2); "0 records were found" is its own "N records
#: were found" with none. A proxy or framework says neither, so its 404 ("Not Found", a route
#: error) is never mistaken for "no rows" and bookmarked past.
_NO_RECORDS = re.compile(
    r"\s*(?:validate dates entered|0 records were found)\s*\.?\s*", re.IGNORECASE
)


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
    """A 404 that is not Wolkvox's no-records answer: not an empty window.

    A wrong path, a proxy's page, a framework's JSON, an envelope with another message.
    """


class OddReplyError(WolkvoxError):
    """A 200 whose ``code`` is neither success nor a status (null, true, "OK")."""


class WolkvoxRetriableError(RetriableAPIError):
    """A transient failure worth another try after a pause."""


def _unchanged(text: str) -> str:
    return text


def _server_message(payload: Any, text: str, redact: Callable[[str], str] = _unchanged) -> str:
    """The human part of an error body: ``msg``, else ``error``, else the raw text.

    Redacted (``redact``: the client hides the token a server may echo), then trimmed: a cut
    never leaves part of a token behind.
    """
    return _said(payload, redact) or _shown(text, redact) or "no message"


def _said(payload: Any, redact: Callable[[str], str]) -> str:
    """What a JSON error body says in ``msg``, ``error`` or ``message`` ("" when nothing)."""
    if isinstance(payload, dict):
        for key in ("msg", "error", "message"):
            value = payload.get(key)
            if isinstance(value, str) and value.strip():
                return _shown(value, redact)
    return ""


def _shown(text: str, redact: Callable[[str], str], limit: int = 200) -> str:
    """Server text as a message may show it: redacted, on one line, at most ``limit`` long."""
    return " ".join(redact(text).split())[:limit]


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


#: The keys of Wolkvox's envelope: a JSON object with any other key did not come from it.
_ENVELOPE_KEYS = frozenset({"code", "error", "msg", "data"})


def _wolkvox_envelope(payload: Any) -> tuple[int | None, str] | None:
    """The status of its ``code`` and its ``msg``, when ``payload`` is Wolkvox's envelope.

    That is a JSON object whose keys are all among ``code``, ``error``, ``msg``, ``data``, and
    which has a ``code`` and a text ``msg``; None for anything else.
    """
    if not isinstance(payload, dict) or not payload.keys() <= _ENVELOPE_KEYS:
        return None
    message = payload.get("msg")
    if "code" not in payload or not isinstance(message, str):
        return None
    return _code_status(payload["code"]), message


def _about_the_token(status: int | None, message: str) -> int | None:
    """The status of an answer about the token (its quota, its concurrency), else None.

    401 and 403 are (403 also means maintenance); so is a token message under any code.
    """
    if status in {HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN}:
        return status
    upper = message.upper()
    if MSG_NO_TOKEN in upper:
        return HTTPStatus.UNAUTHORIZED
    if any(said in upper for said in (MSG_QUOTA, MSG_BAD_TOKEN, MSG_TOO_MANY_CONCURRENT)):
        return HTTPStatus.FORBIDDEN
    return None


def _not_found(  # noqa: PLR0913
    payload: Any,
    report: str,
    *,
    url: str,
    where: str,
    answered: str,
    redact: Callable[[str], str],
) -> Reply:
    """Read a 404, sent as the HTTP status or as the envelope's ``code`` (``answered`` says which).

    An empty window answers 404 ("Validate dates entered"), not an empty list; but only
    Wolkvox's own no-records answer says so. Anything else must not be read as "no rows" and
    bookmarked past.

    Raises:
        WolkvoxError, WolkvoxRetriableError: what the envelope says about the token, its
            quota, its concurrency or maintenance (see :func:`classify_failure`).
        NotWolkvoxError: any other 404.
    """
    envelope = _wolkvox_envelope(payload)
    said = _said(payload, redact)
    if envelope is None:
        quoted = f' ("{said}")' if said else ""
        msg = (
            f"Report '{report}': {url or 'the server'} answered {answered} with a page that is "
            f"not a Wolkvox reply{quoted}{where}, so the URL is wrong or something else "
            "answered: check api_url and wolkvox_server (and any proxy in between). No "
            "bookmark was moved."
        )
        raise NotWolkvoxError(msg)
    status, message = envelope
    if status == HTTPStatus.NOT_FOUND and _NO_RECORDS.fullmatch(message):
        return Reply(rows=[], empty_window=True)
    about_token = _about_the_token(status, message)
    if about_token is not None:
        raise classify_failure(about_token, said or "no message", report)
    msg = (
        f"Report '{report}': {url or 'the server'} answered {answered}{where} saying "
        f'"{said}", which is not the answer Wolkvox gives for a window without rows '
        '("Validate dates entered"), so the window cannot be taken as empty: check api_url and '
        "wolkvox_server (and any proxy in between). No bookmark was moved."
    )
    raise NotWolkvoxError(msg)


def _where(window: str) -> str:
    return f" for window {window}" if window else ""


def interpret(  # noqa: PLR0913
    status: int,
    body: bytes,
    report: str,
    url: str = "",
    window: str = "",
    *,
    redact: Callable[[str], str] = _unchanged,
    typed: TypedRows | None = None,
    bare_list: bool = False,
) -> Reply:
    """Read one HTTP reply of the Reports Manager.

    ``url`` is where it came from (no query), ``window`` the range it answers
    (``2025-01-01 00:00:00..2025-01-31 23:59:59``); both only name things in messages.
    ``redact`` is applied to whatever the server wrote before a message shows it. With
    ``typed``, a 200 whose rows fit their declaration comes back with its rows as Structs (the
    fast path, rows/typed.py; ``Reply.typed``). With ``bare_list``, a 200 whose body is a JSON
    list is that list of rows, without the envelope (as Wolkvox documents real-time campaigns).

    Raises:
        WolkvoxRetriableError: transient trouble (5xx, 429, concurrency or maintenance 403,
            malformed or truncated JSON, an error ``code`` inside a 200).
        WolkvoxError: a failure that must end the run (:class:`OddReplyError` for a 200 whose
            ``code`` is no status, :class:`NotWolkvoxError` for a 404 that is not Wolkvox's
            no-records answer).
    """
    if status == HTTPStatus.NOT_FOUND:
        return _not_found(
            parse_body(body), report, url=url, where=_where(window), answered="404", redact=redact
        )
    if status != HTTPStatus.OK:
        text = body.decode("utf-8", errors="replace")
        raise classify_failure(status, _server_message(parse_body(body), text, redact), report)
    if typed is not None:
        fast = _read_typed(body, report, window=window, url=url, redact=redact, typed=typed)
        if fast is not None:
            return fast
    return _read_ok(body, report, window, url, redact=redact, bare_list=bare_list)


def _read_typed(  # noqa: PLR0913
    body: bytes,
    report: str,
    *,
    window: str,
    url: str,
    redact: Callable[[str], str],
    typed: TypedRows,
) -> Reply | None:
    """A 200 read on the fast path; None when it does not fit (the dict path reads it then).

    A body holding a NUL escape needs repairs, and one msgspec refuses (a byte-order mark, bad
    text, other keys or values) is not the declaration's: both go the dict path, with its
    warnings.
    """
    if nul_escapes(body) != SOUND:
        return None
    envelope = typed.decode(body)
    if envelope is None:
        return None
    payload = {
        key: value
        for key in ("code", "error", "msg")
        if (value := getattr(envelope, key)) is not msgspec.UNSET
    }
    empty = _read_code(payload, report, _where(window), url, redact)
    if empty is not None:
        return empty
    data = envelope.data
    if data is None:
        return Reply(rows=[], typed=True)
    rows = [row for row in data if row is not None]
    return Reply(
        rows=rows,
        skipped=len(data) - len(rows),
        announced=announced_rows(payload.get("msg")),
        typed=True,
    )


def _read_ok(  # noqa: PLR0913
    body: bytes,
    report: str,
    window: str,
    url: str = "",
    *,
    redact: Callable[[str], str] = _unchanged,
    bare_list: bool = False,
) -> Reply:
    """Read the body of a 200 (``window`` and ``url`` only name things in messages).

    With ``bare_list``, a JSON list is the rows themselves (see :func:`interpret`).
    """
    where = _where(window)
    payload, how = decode(body)
    if bare_list and isinstance(payload, list):
        # Documented without the envelope: no code, no msg, the list is its data.
        payload = {"data": payload}
    if not isinstance(payload, dict):
        # A body cut short looks like any other malformed one: worth another try.
        msg = f"malformed or truncated JSON in the 200 reply{where}"
        raise WolkvoxRetriableError(msg)
    if how != SOUND:
        # The rows are cleaned below, one by one, so that each keeps the raw text of its own.
        payload = {k: v if k == "data" else clean(v, how) for k, v in payload.items()}
    empty = _read_code(payload, report, where, url, redact)
    if empty is not None:
        return empty
    data = payload.get("data")
    read = rows_of(data)
    if read is None:
        msg = f"a 200 reply{where} whose 'data' is neither a list of rows nor an object"
        raise WolkvoxRetriableError(msg)
    rows, skipped = read
    repairs: dict[int, dict[str, str]] = {}
    if how != SOUND:
        for index, row in enumerate(rows):
            found: dict[str, str] = {}
            rows[index] = clean(row, how, "", found)
            if found:
                repairs[index] = found
    announced = announced_rows(payload.get("msg")) if isinstance(data, list) else None
    return Reply(rows=rows, skipped=skipped, repairs=repairs, announced=announced)


def _read_code(
    payload: dict[str, Any],
    report: str,
    where: str,
    url: str,
    redact: Callable[[str], str],
) -> Reply | None:
    """Check the envelope's ``code``: None on success, an empty window for 404, else raise."""
    if "code" not in payload:
        # No code is no error: success, as the README says (only a code says a reply failed).
        return None
    code = payload["code"]
    body_status = _code_status(code)
    if body_status is None:
        shown = _shown(msgspec.json.encode(code).decode(), redact, 60)
        msg = (
            f"Report '{report}': Wolkvox answered 200{where} with code {shown}, which is "
            "neither success nor an error status, so the reply cannot be trusted and the run "
            "stops here; the STATE already emitted is a valid resume point."
        )
        raise OddReplyError(msg)
    if body_status not in _SUCCESS_CODES:
        if body_status == HTTPStatus.NOT_FOUND:
            return _not_found(
                payload, report, url=url, where=where, answered="200 with code 404", redact=redact
            )
        raise classify_failure(body_status, _server_message(payload, "", redact), report)
    return None


def interpret_spilled(  # noqa: PLR0913
    status: int,
    body: t.IO[bytes],
    report: str,
    url: str = "",
    window: str = "",
    *,
    redact: Callable[[str], str] = _unchanged,
    bare_list: bool = False,
) -> Reply:
    """:func:`interpret` for a large body spilled to a file: rows are read as a stream.

    The whole body is scanned once first (tokens only, nothing kept), so that an error code, a
    malformed body or a reply that may be cut is known before the first row is emitted: such a
    reply is then split like any other, and its rows are not emitted twice. Its rows come out
    exactly as an in-memory reply's would (the same repairs, the last of duplicated keys).
    """
    if status != HTTPStatus.OK:
        # Error pages are small; a large one is read for its message only.
        body.seek(0)
        return interpret(status, body.read(1 << 20), report, url, window, redact=redact)
    where = _where(window)
    try:
        envelope = bodies.scan(body)
    except (ijson.JSONError, UnicodeDecodeError, ValueError):
        # A byte-order mark, invalid bytes or malformed JSON: the in-memory path repairs what
        # can be repaired and says what cannot (this costs the memory streaming saves, but is
        # rare).
        body.seek(0)
        return _read_ok(body.read(), report, window, url, redact=redact, bare_list=bare_list)
    if not envelope.is_object:
        if bare_list:
            # A list without the envelope is read whole, in memory: only real-time campaigns
            # are documented so, one row per campaign (never near the spilling size).
            body.seek(0)
            return _read_ok(body.read(), report, window, url, redact=redact, bare_list=True)
        msg = f"malformed or truncated JSON in the 200 reply{where}"
        raise WolkvoxRetriableError(msg)
    how = ESCAPES if envelope.nul or envelope.lone_surrogates else SOUND
    # The envelope's keys (their values, but for the scalars, are not needed to judge it).
    payload = dict.fromkeys(envelope.keys) | envelope.scalars
    if how != SOUND:
        payload = clean(payload, how)
    empty = _read_code(payload, report, where, url, redact)
    if empty is not None:
        return empty
    if envelope.data in {"start_map", "null", None}:
        count = 1 if envelope.data == "start_map" else 0
        repairs: dict[int, dict[str, str]] = {}
        return Reply(
            rows=[],
            repairs=repairs,
            stream=lambda: cleaned(bodies.rows(body, envelope), how, repairs),
            streamed=count,
            body=body,
        )
    if envelope.data != "start_array" or envelope.objects + envelope.nulls != envelope.entries:
        msg = f"a 200 reply{where} whose 'data' is neither a list of rows nor an object"
        raise WolkvoxRetriableError(msg)
    repairs = {}
    return Reply(
        rows=[],
        skipped=envelope.nulls,
        repairs=repairs,
        stream=lambda: cleaned(bodies.rows(body, envelope), how, repairs),
        streamed=envelope.objects,
        body=body,
        announced=announced_rows(payload.get("msg")),
    )


def interpret_exchange(  # noqa: PLR0913
    exchange: Exchange,
    report: str,
    window: str = "",
    *,
    redact: Callable[[str], str] = _unchanged,
    typed: TypedRows | None = None,
    bare_list: bool = False,
) -> Reply:
    """:func:`interpret` (or :func:`interpret_spilled`) for what one exchange brought back.

    A spilled body's file stays open only while the reply still has rows to stream from it.
    """
    url = url_without_query(exchange.url)
    body = exchange.body
    if isinstance(body, bytes):
        return interpret(
            exchange.status,
            body,
            report,
            url,
            window,
            redact=redact,
            typed=typed,
            bare_list=bare_list,
        )
    try:
        reply = interpret_spilled(
            exchange.status, body, report, url, window, redact=redact, bare_list=bare_list
        )
    except BaseException:
        exchange.close()
        raise
    if reply.body is None:  # nothing left to stream
        exchange.close()
    return reply


def url_without_query(url: str) -> str:
    """``scheme://host[:port]/path`` of ``url``: what a message may show of a request."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path}"
