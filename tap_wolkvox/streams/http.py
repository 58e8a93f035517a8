"""The HTTP client base: URL, token header, one request in flight, error mapping and retries."""

from __future__ import annotations

import contextlib
import logging
import os
import random
import re
import socket
import ssl
import threading
import time
import typing as t
import unicodedata
import weakref
from functools import cached_property
from urllib.parse import urlsplit

import backoff
import requests
import urllib3
import urllib3.connection
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from singer_sdk.authenticators import APIKeyAuthenticator
from singer_sdk.exceptions import MapperNotInitialized
from singer_sdk.mapper import RemoveRecordTransform
from typing_extensions import override

from tap_wolkvox.maps import map_failure
from tap_wolkvox.replies.bodies import read_body
from tap_wolkvox.replies.errors import (
    Reply,
    WolkvoxError,
    interpret_response,
    interpret_spilled,
    url_without_query,
    window_of,
)
from tap_wolkvox.sdk import RETRIABLE, SeamStream, set_body, use_pool_classes
from tap_wolkvox.stream_maps import hidden_fields

if t.TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from backoff.types import Details
    from singer_sdk.helpers.types import Context

REPORTS_PATH = "/api/v2/reports_manager.php"
TOKEN_HEADER = "wolkvox-token"  # noqa: S105 - a header name, not a secret
#: Characters that are no part of a token when they surround it, as whitespace is not: a
#: byte-order mark (a file saved by Notepad) and the zero-width characters a copy from a web
#: page may carry.
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
_AROUND_TOKEN = re.compile(f"^[\\s{_INVISIBLE}]+|[\\s{_INVISIBLE}]+$")


class Deadline:
    """The end of one exchange: past it, the socket in use is shut down.

    requests' timeout bounds each socket read, so a server trickling a header byte a second
    could hold a request for ever. At the deadline a timer thread shuts the connection's socket
    down, so the blocked read fails at once (the exchange then ends as a timeout).
    """

    #: How often the timer looks again for a socket still being connected at the deadline.
    _LOOK_AGAIN = 0.05

    def __init__(self, seconds: float) -> None:
        """Start the timer: the deadline is ``seconds`` from now."""
        self.seconds = seconds
        self._lock = threading.Lock()
        self._over = threading.Event()
        self._connection: urllib3.connection.HTTPConnection | None = None
        self._passed = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.name = "wolkvox-deadline"
        self._timer.daemon = True
        self._timer.start()

    def attach(self, connection: urllib3.connection.HTTPConnection) -> None:
        """``connection`` carries this exchange (shut at once if the deadline has passed)."""
        with self._lock:
            self._connection = connection
            if self._passed:
                _shut_down(connection.sock)

    def _expire(self) -> None:
        while True:
            with self._lock:
                if self._over.is_set():
                    return
                self._passed = True
                sock = None if self._connection is None else self._connection.sock
                if sock is not None:
                    _shut_down(sock)
                    return
            # Still connecting (the connect timeout ends that too) or not yet attached.
            self._over.wait(self._LOOK_AGAIN)

    def stop(self) -> bool:
        """End the exchange (its timer thread with it); True when the deadline had passed."""
        with self._lock:
            self._over.set()
            passed = self._passed
        self._timer.cancel()
        self._timer.join()
        return passed

    def timeout(self) -> requests.exceptions.ReadTimeout:
        """What a request abandoned at its deadline raises (retried like any timeout)."""
        return requests.exceptions.ReadTimeout(
            f"the whole exchange took longer than request_timeout ({self.seconds:g} s)"
        )


def _shut_down(sock: socket.socket | None) -> None:
    if sock is None:
        return
    with contextlib.suppress(OSError):
        # The plain socket's shutdown (for TLS too): it unblocks a read in another thread.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class InFlight:
    """The one request this process has in flight, and the deadline of its exchange.

    Wolkvox refuses concurrent calls on one token; every request of the process goes through
    :attr:`lock`, whatever stream sends it. The connections urllib3 opens are not handed
    anything by the tap, so they find the exchange they carry here.
    """

    def __init__(self) -> None:
        """Nothing in flight yet."""
        self.lock = threading.Lock()
        self._deadline: Deadline | None = None

    @contextlib.contextmanager
    def exchange(self, seconds: float | None) -> t.Iterator[Deadline | None]:
        """Hold the lock for one exchange, bounded by a :class:`Deadline` of ``seconds``."""
        with self.lock:
            deadline = None if seconds is None else Deadline(seconds)
            self._deadline = deadline
            try:
                yield deadline
            finally:
                self._deadline = None
                if deadline is not None:
                    deadline.stop()

    def attach(self, connection: urllib3.connection.HTTPConnection) -> None:
        """``connection`` carries the exchange in flight."""
        deadline = self._deadline
        if deadline is not None:
            deadline.attach(connection)


IN_FLIGHT = InFlight()


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    """A connection that tells the exchange in flight it carries it (see :class:`Deadline`)."""

    @override
    def connect(self) -> None:
        IN_FLIGHT.attach(self)  # before: a TLS handshake can trickle too
        super().connect()

    @override
    def request(self, *args: t.Any, **kwargs: t.Any) -> None:
        IN_FLIGHT.attach(self)  # a connection kept alive is not connected again
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(_WatchedHTTPConnection, urllib3.connection.HTTPSConnection):
    """:class:`_WatchedHTTPConnection` over TLS."""


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter, with connections the exchange's deadline can shut down."""

    @override
    def init_poolmanager(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        use_pool_classes(self.poolmanager, http=_WatchedHTTPPool, https=_WatchedHTTPSPool)

    @override
    def proxy_manager_for(self, proxy: str, **proxy_kwargs: t.Any) -> urllib3.PoolManager:
        manager: urllib3.PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        use_pool_classes(manager, http=_WatchedHTTPPool, https=_WatchedHTTPSPool)
        return manager


class OneAtATimeSession(requests.Session):
    """A session that never has two requests in flight, each bounded as a whole."""

    def __init__(self) -> None:
        """Verify TLS against the standard CA bundle variables when set.

        The SDK sends prepared requests with ``send``, which skips the environment lookup that
        ``requests.get`` does: without this a company CA bundle in ``REQUESTS_CA_BUNDLE`` would
        be ignored.
        """
        super().__init__()
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            self.verify = bundle
        for prefix in ("https://", "http://"):
            self.mount(prefix, _WatchedAdapter())

    @override
    def send(self, request: requests.PreparedRequest, **kwargs: t.Any) -> requests.Response:
        # Redirects are never followed: requests would call send() again under the lock (a
        # self-deadlock) and carry the wolkvox-token header to whatever host they name.
        kwargs["allow_redirects"] = False
        timeout = kwargs.get("timeout")
        if not isinstance(timeout, (int, float)):
            with IN_FLIGHT.exchange(None):
                return super().send(request, **kwargs)
        with IN_FLIGHT.exchange(timeout) as deadline:
            if deadline is None:  # pragma: no cover - a number always gets one
                raise RuntimeError
            try:
                response = self._send_and_read(request, timeout, kwargs)
            except Exception:
                # Whatever the shut-down socket made of the exchange, it ran out of time.
                if deadline.stop():
                    raise deadline.timeout() from None
                raise
            if deadline.stop():  # the body may have been cut where it stood
                raise deadline.timeout()
            return response

    def _send_and_read(
        self, request: requests.PreparedRequest, timeout: float, kwargs: dict[str, t.Any]
    ) -> requests.Response:
        deadline = time.monotonic() + timeout
        response = super().send(request, **{**kwargs, "stream": True})
        try:
            body = read_body(response, deadline, timeout)
        finally:
            response.close()
        if isinstance(body, bytes):
            # requests keeps a read body here; setting it is how its own Response.content
            # caches it.
            set_body(response, body)
        else:
            # A large body stays in its file, read as a stream (see bodies.py).
            set_body(response, b"")
            SPILLED[response] = body
        return response


#: Large bodies spilled to a temporary file, by response (closed and gone with the response).
SPILLED: weakref.WeakKeyDictionary[requests.Response, t.IO[bytes]] = weakref.WeakKeyDictionary()


def base_url(config: t.Mapping[str, t.Any]) -> str:
    """``api_url`` when set (proxies, the sandbox), else the operation's server URL."""
    if config.get("api_url"):
        return str(config["api_url"]).rstrip("/")
    return f"https://wv{config['wolkvox_server']}.wolkvox.com"


class WolkvoxStream(SeamStream):
    """Base class of every Wolkvox Reports Manager stream."""

    path = REPORTS_PATH

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        """Initialise the per-stream counters and the reply cache."""
        super().__init__(*args, **kwargs)
        self.retries = 0
        self.requests_sent = 0
        #: The stream tried to read (it was selected and its settings did not skip it).
        self.tried = False
        #: The server lacks this stream's API (400 "does not exist"): skipped, said once.
        self.unavailable = False
        #: Rows whose every value was blank, skipped (see reports.is_blank_row).
        self.blank_rows = 0
        # validate_response parses each body once; parse_response and the paginator reuse it.
        self._replies: weakref.WeakKeyDictionary[requests.Response, Reply] = (
            weakref.WeakKeyDictionary()
        )

    @property
    @override
    def url_base(self) -> str:
        return base_url(self.config)

    @cached_property
    def sent_token(self) -> str:
        """The token as the wolkvox-token header carries it (see :func:`header_token`)."""
        return header_token(self.config["token"])

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
        return self.tap.http_session  # type: ignore[no-any-return]

    @property
    @override
    def timeout(self) -> int:
        return int(self.config.get("request_timeout", 120))

    @property
    def report_api(self) -> str:
        """The ``api=`` name of the report this stream reads."""
        raise NotImplementedError

    @override
    def validate_response(self, response: requests.Response) -> None:
        # Every reply, an error's too, says the server's time.
        server_time = getattr(self.tap, "server_time", None)
        if server_time is not None:
            moved = server_time.follow(response.headers.get("Date"))
            if moved:
                self.on_clock_moved(moved)
        if response.is_redirect or response.is_permanent_redirect:
            target = urlsplit(response.headers.get("Location", "")).hostname or "the same host"
            msg = (
                f"Report {self.report_api}: {url_without_query(response.url)} answered "
                f"{response.status_code} redirecting to {target}; the tap does not follow "
                "redirects (the token would go along). Check api_url and wolkvox_server."
            )
            raise RedirectError(msg)
        # Raises RetriableAPIError / FatalAPIError subclasses; see tap_wolkvox.errors. Every
        # message, and so every retry line, shows the server's text through redact: the one
        # place the token is taken out of what a server wrote.
        spilled = SPILLED.pop(response, None)
        if spilled is None:
            self._replies[response] = interpret_response(
                response, self.report_api, redact=self.redact
            )
            return
        try:
            reply = interpret_spilled(
                response.status_code,
                spilled,
                self.report_api,
                url_without_query(response.url),
                window_of(response.url),
                redact=self.redact,
            )
        except BaseException:
            spilled.close()
            raise
        if reply.body is None:  # nothing left to stream
            spilled.close()
        self._replies[response] = reply

    @cached_property
    def hidden_fields(self) -> frozenset[str]:
        """The fields whose values a stream map transforms or removes: no warning quotes them."""
        properties = self.schema["properties"]
        try:
            if isinstance(self.stream_maps[0], RemoveRecordTransform):
                return frozenset(properties)  # the whole stream is removed
        except MapperNotInitialized:  # a tap made without its mapper (discovery, tests)
            pass
        maps = self.config.get("stream_maps") or {}
        return hidden_fields(self.name, properties, self.primary_keys, maps)

    def reply_for(self, response: requests.Response) -> Reply:
        """The interpreted reply of a response that passed :meth:`validate_response`."""
        return self._replies[response]

    @override
    def request_decorator(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        def request(prepared: requests.PreparedRequest, *args: t.Any, **kwargs: t.Any) -> t.Any:
            # The failed attempts of this one request, so far.
            failures: list[BaseException] = []

            def attempt() -> t.Any:
                self.spend_budget(failures)
                try:
                    return counted(prepared, *args, **kwargs)
                except RETRIABLE as exc:
                    failures.append(exc)
                    raise

            # Same retriable exceptions as the SDK; its own backoff log lines are replaced by
            # backoff_handler's single line per retry.
            return backoff.on_exception(
                self.backoff_wait_generator,
                RETRIABLE,
                max_tries=self.backoff_max_tries,
                on_backoff=self.backoff_handler,
                jitter=self.backoff_jitter,
                logger=None,
            )(attempt)()

        def counted(request: requests.PreparedRequest, *args: t.Any, **kwargs: t.Any) -> t.Any:
            self.requests_sent += 1
            self.on_request_sent()
            try:
                return func(request, *args, **kwargs)
            except requests.exceptions.ConnectionError as exc:
                # A typo in the host or an untrusted certificate: retrying cannot help.
                permanent = permanent_failure(exc, str(request.url))
                if permanent is None:
                    raise
                raise permanent from None

        return request

    def spend_budget(self, failures: t.Sequence[BaseException]) -> None:
        """Count the attempt about to go out against the run's budget, or stop the run.

        ``failures``: the earlier attempts of the same request. When the budget is spent, a
        request that has failed so far ends the run with its failure (a server failing every
        request must fail the run, not end it as "budget spent"); a fresh one stops the run
        cleanly (:class:`~tap_wolkvox.run.budget.BudgetSpent`).
        """
        budget = self.tap.request_budget
        if budget.allows_another():
            budget.spend()
            return
        if failures:
            raise self.gave_up(failures[-1], attempts=len(failures))
        raise self.tap.budget_spent()

    def begin_reading(self) -> None:
        """This stream starts reading in this run (per partition): its turn of the budget."""
        self.tried = True
        self.tap.request_budget.begin_turn(self.name)

    def progress(self) -> str:
        """How far this stream got in this run (the "Request budget spent" line)."""
        raise NotImplementedError

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

    def summary(self) -> dict[str, t.Any]:
        """What this stream did in the run: its entry in the "Run summary" line."""
        return {"requests": self.requests_sent, "retries": self.retries}

    def on_request_sent(self) -> None:
        """Called just before each attempt of a request goes out."""

    def on_clock_moved(self, moved: dt.timedelta) -> None:
        """The tap's clock moved by ``moved`` to follow the server's, after the last request."""

    @override
    def after_run(self) -> None:
        # Once every stream has synced: the run's checks and its request total (said once).
        self.tap.check_run()
        if self.blank_rows:
            self.logger.warning(
                "Report %s (%s): skipped %d rows whose every value was blank",
                self.report_api,
                self.name,
                self.blank_rows,
            )

    @override
    def backoff_wait_generator(self) -> t.Generator[float, None, None]:
        return backoff.expo(factor=float(self.config.get("retry_wait_seconds", 5)), max_value=300)

    @override
    def backoff_max_tries(self) -> int:
        return int(self.config.get("max_attempts", 6))

    @override
    def backoff_jitter(self, value: float) -> float:
        return value * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not cryptography

    @override
    def backoff_handler(self, details: Details) -> None:
        self.retries += 1
        reason = details.get("exception")
        self.log(
            "Report %s: attempt %d of %d failed (%s); retrying in %.1f s",
            self.report_api,
            details.get("tries", 0),
            self.backoff_max_tries(),
            describe_failure(reason),
            details.get("wait", 0.0),
            level=logging.WARNING,
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
