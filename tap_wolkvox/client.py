"""The HTTP client base: URL, token header, one request in flight, error mapping and retries."""

from __future__ import annotations

import logging
import os
import random
import socket
import ssl
import threading
import time
import typing as t
import weakref
from functools import cached_property
from urllib.parse import urlsplit

import backoff
import requests
import urllib3.exceptions
from singer_sdk.authenticators import APIKeyAuthenticator
from typing_extensions import override

from tap_wolkvox.bodies import read_body
from tap_wolkvox.errors import (
    Reply,
    WolkvoxError,
    interpret_response,
    interpret_spilled,
    url_without_query,
    window_of,
)
from tap_wolkvox.sdk import RETRIABLE, SeamStream, set_body

if t.TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from backoff.types import Details
    from singer_sdk.helpers.types import Context

REPORTS_PATH = "/api/v2/reports_manager.php"
TOKEN_HEADER = "wolkvox-token"  # noqa: S105 - a header name, not a secret

# Wolkvox refuses concurrent calls on one token; every request of the process goes through
# this lock, whatever stream sends it.
_IN_FLIGHT = threading.Lock()
_CHUNK = 1 << 16


class OneAtATimeSession(requests.Session):
    """A session that never has two requests in flight."""

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

    @override
    def send(self, request: requests.PreparedRequest, **kwargs: t.Any) -> requests.Response:
        # Redirects are never followed: requests would call send() again under the lock (a
        # self-deadlock) and carry the wolkvox-token header to whatever host they name.
        kwargs["allow_redirects"] = False
        timeout = kwargs.get("timeout")
        with _IN_FLIGHT:
            if not isinstance(timeout, (int, float)):
                return super().send(request, **kwargs)
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
        # validate_response parses each body once; parse_response and the paginator reuse it.
        self._replies: weakref.WeakKeyDictionary[requests.Response, Reply] = (
            weakref.WeakKeyDictionary()
        )

    @property
    @override
    def url_base(self) -> str:
        return base_url(self.config)

    @cached_property
    @override
    def authenticator(self) -> APIKeyAuthenticator:
        # The token travels only in this header: never in the URL, never in a log line.
        # Surrounding whitespace (a secret file's trailing newline) is never part of a token.
        token = str(self.config["token"]).strip()
        return APIKeyAuthenticator(key=TOKEN_HEADER, value=token, location="header")

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
        # Raises RetriableAPIError / FatalAPIError subclasses; see tap_wolkvox.errors.
        spilled = SPILLED.pop(response, None)
        if spilled is None:
            self._replies[response] = interpret_response(response, self.report_api)
            return
        try:
            reply = interpret_spilled(
                response.status_code,
                spilled,
                self.report_api,
                url_without_query(response.url),
                window_of(response.url),
            )
        except BaseException:
            spilled.close()
            raise
        if reply.body is None:  # nothing left to stream
            spilled.close()
        self._replies[response] = reply

    def reply_for(self, response: requests.Response) -> Reply:
        """The interpreted reply of a response that passed :meth:`validate_response`."""
        return self._replies[response]

    @override
    def request_decorator(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        def counted(request: requests.PreparedRequest, *args: t.Any, **kwargs: t.Any) -> t.Any:
            # Every attempt counts against the run's budget, and is never sent beyond it.
            budget = getattr(self.tap, "request_budget", None)
            if budget is not None:
                if not budget.allows_another():
                    raise self.tap.budget_spent()
                budget.spend()
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
            except (ValueError, requests.exceptions.InvalidHeader) as exc:
                if "header" not in str(exc).lower():
                    raise
                # http.client's message quotes the header's value: the token. Never repeat it.
                msg = (
                    "The token cannot be sent in the wolkvox-token header: it contains a line "
                    "break or another control character inside it. Check the token setting."
                )
                raise WolkvoxError(msg) from None

        # Same retriable exceptions as the SDK; its own backoff log lines are replaced by
        # backoff_handler's single line per retry.
        return backoff.on_exception(
            self.backoff_wait_generator,
            RETRIABLE,
            max_tries=self.backoff_max_tries,
            on_backoff=self.backoff_handler,
            jitter=self.backoff_jitter,
            logger=None,
        )(counted)

    @override
    def generate_child_contexts(
        self, record: dict[str, t.Any], context: Context | None
    ) -> Iterable[Context | None]:
        # The tap's streams have no child streams.
        return ()

    def gave_up(self, exc: BaseException) -> GaveUpError:
        """The one sentence for a request that still failed after every attempt."""
        return GaveUpError(
            f"Report {self.report_api} ({self.name}) kept failing after "
            f"{self.backoff_max_tries()} attempts: {describe_failure(exc)}. The STATE "
            "already emitted is a valid resume point."
        )

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


class GaveUpError(WolkvoxError):
    """Retries were exhausted."""


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
