"""The HTTP part of every stream: URL, token header, budget, retries, what a reply means."""

from __future__ import annotations

import datetime as dt
import logging
import random
import re
import socket
import ssl
import sys
import threading
import time
import typing as t
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from http import HTTPStatus
from urllib.parse import urlsplit

import backoff
import requests
import urllib3.exceptions
from singer_sdk import metrics
from singer_sdk.authenticators import APIKeyAuthenticator
from singer_sdk.exceptions import MapExpressionError, MapperNotInitialized, RetriableAPIError
from singer_sdk.mapper import RemoveRecordTransform
from singer_sdk.streams.rest import PageContext
from typing_extensions import override

from tap_wolkvox.declarations.model import OCCURRENCE
from tap_wolkvox.replies.errors import WolkvoxError, interpret_exchange, url_without_query
from tap_wolkvox.rows.pipeline import RowPipeline
from tap_wolkvox.sdk import RETRIABLE, UNHANDLED_ERROR, SeamStream
from tap_wolkvox.stream_maps import hidden_fields, map_failure

if t.TYPE_CHECKING:
    from collections.abc import Iterable

    from backoff.types import Details
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

    from tap_wolkvox.declarations.model import Field
    from tap_wolkvox.replies.exchange import Exchange
    from tap_wolkvox.replies.reply import Reply
    from tap_wolkvox.rows.typed import TypedRows
    from tap_wolkvox.run.ahead import Reading
    from tap_wolkvox.run.context import RunContext

REPORTS_PATH = "/api/v2/reports_manager.php"
TOKEN_HEADER = "wolkvox-token"  # noqa: S105 - a header name, not a secret
#: Characters that are no part of a token when they surround it, as whitespace is not: a
#: byte-order mark (a file saved by Notepad) and the zero-width characters a copy from a web
#: page may carry.
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
_AROUND_TOKEN = re.compile(f"^[\\s{_INVISIBLE}]+|[\\s{_INVISIBLE}]+$")


def base_url(config: t.Mapping[str, t.Any]) -> str:
    """``api_url`` when set (proxies, the sandbox), else the operation's server URL."""
    if config.get("api_url"):
        return str(config["api_url"]).rstrip("/")
    return f"https://wv{config['wolkvox_server']}.wolkvox.com"


@dataclass(frozen=True)
class Answer:
    """What one request brought back: its reply, and when (by the server's clock) it was sent.

    ``clock_moved``: how far the tap's clock moved to follow the server's while the request was
    answered (its earlier attempts included): what was planned by the host's clock moves too.
    """

    reply: Reply
    sent_at: dt.datetime
    clock_moved: dt.timedelta


class WolkvoxStream(SeamStream):
    """The HTTP part every Wolkvox stream shares: a request out, an interpreted :class:`Reply` back.

    The URL, the token header, the run's budget, retries with back-off, the error vocabulary
    (replies/errors.py) and the server's clock all live here, so every stream, whatever its
    grain, asks Wolkvox the same way.
    """

    #: A snapshot: read anew on every run, its every read kept (the plan says what it costs).
    snapshot = False
    #: Its replies may be a bare JSON list of rows, as documented (see replies/errors.py).
    bare_list = False

    def __init__(  # noqa: PLR0913
        self,
        run: RunContext,
        *,
        tap: Tap,
        name: str,
        schema: dict[str, t.Any],
        api: str,
        path: str = REPORTS_PATH,
    ) -> None:
        """A stream ``name`` reading ``api=`` ``api`` on ``path``, for ``run``."""
        self.run = run
        self.api = api
        self.path = path
        super().__init__(tap=tap, name=name, schema=schema)
        self.retries = 0
        self.requests_sent = 0
        self._counting = threading.Lock()
        #: The stream tried to read (it was selected and its settings did not skip it).
        self.tried = False
        #: The server lacks this stream's API (400 "does not exist"): skipped, said once.
        self.unavailable = False
        self.logger.addFilter(_quiet_about_explained_failures)

    @property
    @override
    def user_agent(self) -> str:
        return self.run.user_agent

    @property
    @override
    def url_base(self) -> str:
        return base_url(self.run.config)

    @property
    def report_api(self) -> str:
        """The ``api=`` name of the report this stream reads (messages name it)."""
        return self.api

    @cached_property
    def sent_token(self) -> str:
        """The token as the wolkvox-token header carries it (see :func:`header_token`)."""
        return header_token(self.run.config["token"])

    @cached_property
    @override
    def authenticator(self) -> APIKeyAuthenticator:
        # The token travels only in this header: never in the URL, never in a log line.
        return APIKeyAuthenticator(key=TOKEN_HEADER, value=self.sent_token, location="header")

    def redact(self, text: str) -> str:
        """Server text with the token hidden: a server may echo it back in an error."""
        return text.replace(self.sent_token, "***")

    @property
    @override
    def requests_session(self) -> requests.Session:
        return self.run.session

    @property
    @override
    def timeout(self) -> int:
        return int(self.run.config.get("request_timeout", 120))

    @cached_property
    def hidden_fields(self) -> frozenset[str]:
        """The fields whose values a stream map transforms or removes: no warning quotes them."""
        properties = self.schema["properties"]
        try:
            if isinstance(self.stream_maps[0], RemoveRecordTransform):
                return frozenset(properties)  # the whole stream is removed
        except MapperNotInitialized:  # a tap made without its mapper (discovery, tests)
            pass
        maps = self.run.config.get("stream_maps") or {}
        return hidden_fields(self.name, properties, self.primary_keys, maps)

    def row_pipeline(
        self,
        fields: tuple[Field, ...],
        declared_key: tuple[str, ...],
        *,
        added: set[str | None],
        **reading: t.Any,
    ) -> RowPipeline:
        """The row pipeline of this stream's replies.

        The key fields a row itself fills are ``declared_key`` less ``added`` (columns the tap
        fills: a day, a partition value, a read instant); ``reading`` passes on what the
        declaration says of its rows (timestamp, buckets, voice IDs).
        """
        return RowPipeline(
            fields,
            self.run.settings.clock,
            self.logger,
            api=self.api,
            stream=self.name,
            order=list(self.schema["properties"]),
            key=[k for k in self.primary_keys if k != OCCURRENCE],
            identifying=tuple(k for k in declared_key if k not in added),
            hidden=self.hidden_fields,
            **reading,
        )

    def fetch(
        self,
        params: dict[str, str],
        context: Context | None = None,
        *,
        window: str = "",
        typed: TypedRows | None = None,
    ) -> Answer:
        """Ask for ``api=`` with ``params`` and read the answer, retrying transient failures.

        ``window`` names the range asked for in messages; with ``typed``, rows that fit their
        declaration come back as its Structs (the fast path). Every attempt counts against the
        run's budget; each is sent only within it.

        Raises:
            GaveUpError: the request still failed after its last attempt.
            WolkvoxError: an answer that ends the run (see replies/errors.py).
        """
        request = self.get_http_request(
            page=PageContext(stream_context=context, next_page_token=None)
        )
        prepared = self.build_prepared_request(
            method=request.method,
            url=request.url,
            params={"api": self.api, **params},
            headers=request.headers,
        )
        # The failed attempts of this one request, so far, and how far the clock moved.
        failures: list[BaseException] = []
        moved = dt.timedelta(0)

        def attempt() -> Answer:
            nonlocal moved
            self.spend_budget(failures)
            with self._counting:  # (partitions read ahead count from their own threads)
                self.requests_sent += 1
            # What a reply holds is decided when it was asked for, not when it arrived.
            sent_at = self.run.settings.clock.utc_now()
            try:
                began = time.monotonic()
                exchange = self._exchange(prepared)
                self._measure(exchange, time.monotonic() - began, context)
                # Every reply, an error's too, says the server's time. The first reply of a
                # run shows the host's clock off: the request went out at the server's time.
                moved_now = self.run.server_time.follow(exchange.headers.get("Date"))
                moved += moved_now
                self.run.ahead.reply_in()
                reply = self._interpret(exchange, window, typed)
            except RETRIABLE as exc:
                failures.append(exc)
                raise
            return Answer(reply, sent_at + moved_now, moved)

        try:
            # Same retriable exceptions as the SDK; one log line per retry (backoff_handler).
            return backoff.on_exception(
                self.backoff_wait_generator,
                RETRIABLE,
                max_tries=self.backoff_max_tries,
                on_backoff=self.backoff_handler,
                jitter=self.backoff_jitter,
                logger=None,
            )(attempt)()
        except (RetriableAPIError, requests.RequestException, ConnectionError) as exc:
            raise self.gave_up(exc) from None

    def _exchange(self, prepared: requests.PreparedRequest) -> Exchange:
        """One attempt on the wire (see replies/exchange.py)."""
        try:
            return self.run.session.exchange(prepared, self.timeout)
        except requests.exceptions.ConnectionError as exc:
            # A typo in the host or an untrusted certificate: retrying cannot help.
            permanent = permanent_failure(exc, str(prepared.url))
            if permanent is None:
                raise
            raise permanent from None

    def _measure(self, exchange: Exchange, seconds: float, context: Context | None) -> None:
        """The SDK's METRIC line for one request (logged at DEBUG level, see tap.py)."""
        tags: dict[str, t.Any] = {
            metrics.Tag.STREAM: self.name,
            metrics.Tag.ENDPOINT: self.path,
            metrics.Tag.HTTP_STATUS_CODE: exchange.status,
            metrics.Tag.STATUS: (
                metrics.Status.SUCCEEDED
                if exchange.status < HTTPStatus.BAD_REQUEST
                else metrics.Status.FAILED
            ),
        }
        if context:
            tags[metrics.Tag.CONTEXT] = context
        point = metrics.Point(
            "timer", metric=metrics.Metric.HTTP_REQUEST_DURATION, value=seconds, tags=tags
        )
        metrics.log(self.metrics_logger, point)

    def _interpret(self, exchange: Exchange, window: str, typed: TypedRows | None) -> Reply:
        """What the server answered means: a reply, a retry, or a stop (replies/errors.py)."""
        if exchange.is_redirect:
            exchange.close()
            target = urlsplit(exchange.headers.get("Location", "")).hostname or "the same host"
            msg = (
                f"Report {self.api}: {url_without_query(exchange.url)} answered "
                f"{exchange.status} redirecting to {target}; the tap does not follow "
                "redirects (the token would go along). Check api_url and wolkvox_server."
            )
            raise RedirectError(msg)
        # Every message, and so every retry line, shows the server's text through redact: the
        # one place the token is taken out of what a server wrote.
        return interpret_exchange(
            exchange, self.api, window, redact=self.redact, typed=typed, bare_list=self.bare_list
        )

    def spend_budget(self, failures: t.Sequence[BaseException]) -> None:
        """Count the attempt about to go out against the run's budget, or stop the run.

        ``failures``: the earlier attempts of the same request. When the budget is spent, a
        request that has failed so far ends the run with its failure (a server failing every
        request must fail the run, not end it as "budget spent"); a fresh one stops the run
        cleanly (:class:`~tap_wolkvox.run.budget.BudgetSpent`).
        """
        budget = self.run.budget
        if budget.allows_another():
            budget.spend()
            return
        if failures:
            raise self.gave_up(failures[-1], attempts=len(failures))
        raise self.run.budget_spent()

    def begin_reading(self) -> None:
        """This stream starts reading in this run (per partition): its turn of the budget."""
        self.tried = True
        self.run.budget.begin_turn(self.name)

    def progress(self) -> str:
        """How far this stream got in this run (the "Request budget spent" line)."""
        return "read in this run" if self.tried else "not read in this run"

    def planned_requests(self) -> tuple[int, int]:
        """The fewest requests this run needs, and over how many partitions: one, here."""
        return 1, 1

    def begin_ahead(self, context: Context | None) -> Reading[t.Any] | None:  # noqa: ARG002
        """A partition's reading, begun before its turn (run/ahead.py): none, here."""
        return None

    @override
    def generate_child_contexts(
        self, record: dict[str, t.Any], context: Context | None
    ) -> Iterable[Context | None]:
        # The tap's streams have no child streams.
        return ()

    def gave_up(self, exc: BaseException, attempts: int | None = None) -> GaveUpError:
        """The one sentence for a request that still failed after its last attempt.

        ``attempts``: how many were sent, when fewer than ``max_attempts`` (the budget ran out).
        """
        return GaveUpError(self, attempts or self.backoff_max_tries(), describe_failure(exc))

    @override
    def map_failed(self, exc: Exception, alias: str, prop: str) -> Exception:
        return map_failure(exc, self.name, alias, prop)

    def count_records(self, count: int, context: Context | None) -> None:
        """The SDK's METRIC for records the stream wrote itself (the fast path; at DEBUG)."""
        tags: dict[str, t.Any] = {metrics.Tag.STREAM: self.name}
        if context:
            tags[metrics.Tag.CONTEXT] = context
        point = metrics.Point("counter", metric=metrics.Metric.RECORD_COUNT, value=count, tags=tags)
        metrics.log(self.metrics_logger, point)

    def summary(self) -> dict[str, t.Any]:
        """What this stream did in the run: its entry in the "Run summary" line."""
        return {"requests": self.requests_sent, "retries": self.retries}

    @override
    def backoff_wait_generator(self) -> t.Generator[float, None, None]:
        factor = float(self.run.config.get("retry_wait_seconds", 5))
        return backoff.expo(factor=factor, max_value=300)

    @override
    def backoff_max_tries(self) -> int:
        return int(self.run.config.get("max_attempts", 6))

    @override
    def backoff_jitter(self, value: float) -> float:
        return value * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not cryptography

    @override
    def backoff_handler(self, details: Details) -> None:
        with self._counting:
            self.retries += 1
        reason = details.get("exception")
        self.log(
            "Report %s: attempt %d of %d failed (%s); retrying in %.1f s",
            self.api,
            details.get("tries", 0),
            self.backoff_max_tries(),
            describe_failure(reason),
            details.get("wait", 0.0),
            level=logging.WARNING,
        )


def _quiet_about_explained_failures(record: logging.LogRecord) -> bool:
    """Drop the SDK's generic "unhandled error" line when the tap explains the failure.

    The tap then prints one plain sentence instead (see TapWolkvox.invoke): for its own errors
    and for a stream map that cannot be evaluated.
    """
    return not (
        record.msg == UNHANDLED_ERROR
        and isinstance(sys.exc_info()[1], (WolkvoxError, MapExpressionError))
    )


def header_token(configured: object) -> str:
    """The token as the wolkvox-token header carries it: nothing around it.

    Whitespace (a secret file's trailing newline) and invisible characters (a byte-order
    mark, zero-width spaces) around a token are no part of it.

    Raises:
        TokenNotSendableError: nothing is left, or what is left holds a character an HTTP
            header cannot carry (the message never quotes the token).
    """
    token = _AROUND_TOKEN.sub("", str(configured))
    if not token:
        msg = (
            "The token setting holds only whitespace or invisible characters: set it to a "
            "token from wolkvox Manager > Configuration > Integrations > Tokens."
        )
        raise TokenNotSendableError(msg)
    if any(ord(c) > _LATIN_1 or unicodedata.category(c) == "Cc" for c in token):
        # http.client's own message would quote the header's value: the token.
        msg = (
            "The token cannot be sent in the wolkvox-token header: it holds a character an "
            "HTTP header cannot carry (a line break or another control character, or one "
            "outside Latin-1 such as a zero-width space) inside it, so copy the token again "
            "into the token setting."
        )
        raise TokenNotSendableError(msg)
    return token


_LATIN_1 = 0xFF


class TokenNotSendableError(WolkvoxError):
    """The token holds a character no HTTP header can carry."""


class GaveUpError(WolkvoxError):
    """Retries were exhausted (or the request budget ran out while retrying)."""

    def __init__(self, stream: WolkvoxStream, attempts: int, reason: str) -> None:
        """``stream``'s request failed ``attempts`` times, the last time for ``reason``."""
        self.attempts = attempts
        self.reason = reason
        more = ""
        if attempts < stream.backoff_max_tries():
            more = " (the request budget allowed no more)"
        super().__init__(
            f"Report {stream.report_api} ({stream.name}) kept failing after {attempts} "
            f"attempts{more}: {reason}. The STATE already emitted is a valid resume point."
        )


class RedirectError(WolkvoxError):
    """A 3xx: Wolkvox's API has no reason to redirect, and following would leak the token."""


class HostNotFoundError(WolkvoxError):
    """The configured host does not resolve: a typo, not a transient failure."""


class CertificateError(WolkvoxError):
    """The server's TLS certificate could not be verified."""


def _causes(exc: BaseException) -> t.Iterator[object]:
    """``exc`` and everything it wraps (requests and urllib3 nest their reasons)."""
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        item = pending.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        pending.append(getattr(item, "reason", None))
        pending.append(getattr(item, "__cause__", None))
        pending.append(getattr(item, "__context__", None))
        pending.extend(a for a in getattr(item, "args", ()) if isinstance(a, BaseException))


def permanent_failure(exc: BaseException, url: str) -> WolkvoxError | None:
    """The one-sentence error for a connection failure that no retry can fix, else None."""
    host = urlsplit(url).hostname or url
    for cause in _causes(exc):
        if isinstance(cause, (urllib3.exceptions.NameResolutionError, socket.gaierror)):
            return HostNotFoundError(
                f"The Wolkvox host {host} does not resolve (DNS): check wolkvox_server (the "
                "server code, e.g. 0048 for wv0048.wolkvox.com) or api_url."
            )
        if isinstance(cause, ssl.SSLCertVerificationError):
            return CertificateError(
                f"The TLS certificate of {host} could not be verified "
                f"({cause.verify_message or 'untrusted'}) at {url_without_query(url)}. Behind a "
                "company proxy that re-signs TLS, point REQUESTS_CA_BUNDLE at its CA bundle."
            )
    return None


def describe_failure(exc: object) -> str:
    """A short, token-free description of why a request failed."""
    if isinstance(exc, requests.exceptions.Timeout):
        return "the request timed out"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the reply was cut off"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "the connection failed or was reset"
    if isinstance(exc, ConnectionResetError):
        return "the connection was reset"
    if isinstance(exc, Exception) and exc.args:
        return str(exc.args[0])
    return type(exc).__name__
