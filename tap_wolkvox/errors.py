"""What a Wolkvox reply means: rows, an empty window, a retry, or a stop with a plain sentence.

The whole error vocabulary of the Reports Manager API is read here, so "what happens on a 403?"
has one answer, in :func:`interpret`.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import msgspec
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

if TYPE_CHECKING:
    import requests

#: Body ``code`` values that mean success (the API sends them as int or string, some samples blank).
_SUCCESS_CODES = frozenset({"200", "201", "202", "0", ""})

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


class WolkvoxRetriableError(RetriableAPIError):
    """A transient failure worth another try after a pause."""


@dataclass(frozen=True)
class Reply:
    """A usable answer: the rows of one window (empty when the API said 404)."""

    rows: list[dict[str, Any]]
    empty_window: bool = False


def _server_message(payload: Any, text: str) -> str:
    """The human part of an error body: ``msg``, else ``error``, else the raw text (trimmed)."""
    if isinstance(payload, dict):
        for key in ("msg", "error", "message"):
            value = payload.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return " ".join(text.split())[:200] or "no message"


def _parse_body(body: bytes) -> Any:
    try:
        # msgspec decodes bytes straight to objects: faster than json, no interim str copy.
        return msgspec.json.decode(body)
    except msgspec.DecodeError:
        return None


def _rows_of(data: Any) -> list[dict[str, Any]] | None:
    """``data`` as a list of rows: a list, an object (a few reports send one), or nothing."""
    if data is None:
        return []
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list) and all(isinstance(row, dict) for row in data):
        return data
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


def interpret(status: int, body: bytes, report: str, url: str = "") -> Reply:
    """Read one HTTP reply of the Reports Manager (``url``: where it came from, no query).

    Raises:
        WolkvoxRetriableError: transient trouble (5xx, 429, concurrency or maintenance 403,
            malformed or truncated JSON, an error ``code`` inside a 200).
        WolkvoxError: a failure that must end the run.
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

    payload = _parse_body(body)
    if not isinstance(payload, dict):
        msg = "malformed or truncated JSON in a 200 reply"
        raise WolkvoxRetriableError(msg)
    code = str(payload.get("code", "200")).strip()
    if code not in _SUCCESS_CODES:
        body_status = int(code) if code.isdigit() else HTTPStatus.INTERNAL_SERVER_ERROR
        if body_status == HTTPStatus.NOT_FOUND:
            return Reply(rows=[], empty_window=True)
        message = _server_message(payload, "")
        raise classify_failure(body_status, message, report)
    rows = _rows_of(payload.get("data"))
    if rows is None:
        msg = "a 200 reply whose 'data' is neither a list of rows nor an object"
        raise WolkvoxRetriableError(msg)
    return Reply(rows=rows)


def interpret_response(response: requests.Response, report: str) -> Reply:
    """:func:`interpret` for a :class:`requests.Response`."""
    return interpret(
        response.status_code, response.content, report, url_without_query(response.url)
    )


def url_without_query(url: str) -> str:
    """``scheme://host[:port]/path`` of ``url``: what a message may show of a request."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path}"
