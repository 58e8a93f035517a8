"""One exchange with Wolkvox: a request out, a whole body back, bounded, never two at once.

Wolkvox refuses concurrent calls on one token, so a run's requests go through one
:class:`OneAtATimeSession`, which lets one exchange at a time hold its slot. ``request_timeout``
bounds the whole exchange (connect, status line, headers, body): requests' own timeout bounds
each socket read, so a server trickling a header byte a second could hold a request for ever.
Redirects are never followed (the token would go along). The body comes back in memory, or,
when large, spilled to an anonymous temporary file (see bodies.py).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import typing as t
from dataclasses import dataclass

import requests
import urllib3
import urllib3.connection
from requests.adapters import HTTPAdapter
from typing_extensions import override

from tap_wolkvox.replies.bodies import read_body
from tap_wolkvox.sdk import use_pool_classes

if t.TYPE_CHECKING:
    from collections.abc import Iterator, Mapping


#: The statuses requests follows as redirects (when a Location comes with them).
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Exchange:
    """A reply as it came off the wire: its status, headers, URL and whole body."""

    status: int
    url: str
    headers: Mapping[str, str]
    #: The body in memory, or a large one in its spilled file (closed with :meth:`close`).
    body: bytes | t.IO[bytes]

    @property
    def is_redirect(self) -> bool:
        """A redirect (what requests would follow): never followed (see module docstring)."""
        return self.status in _REDIRECTS and "Location" in self.headers

    def close(self) -> None:
        """Let go of a spilled body's file (nothing to do for one in memory)."""
        if not isinstance(self.body, bytes):
            self.body.close()


class Deadline:
    """The end of one exchange: past it, the socket in use is shut down.

    At the deadline a timer thread shuts the connection's socket down, so the blocked read fails
    at once (the exchange then ends as a timeout).
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
    """The exchanges a session has in flight (at most ``slots``), each with its deadline.

    The connections urllib3 opens are not handed anything by the tap, so each finds the
    deadline of the exchange it carries here: the one of the thread that sends it.
    """

    def __init__(self, slots: int = 1) -> None:
        """At most ``slots`` exchanges at once."""
        self.slot_count = slots
        self.slots = threading.BoundedSemaphore(slots)
        self._deadline = threading.local()

    @contextlib.contextmanager
    def exchange(self, seconds: float | None) -> Iterator[Deadline | None]:
        """Hold a slot for one exchange, bounded by a :class:`Deadline` of ``seconds``."""
        with self.slots:
            deadline = None if seconds is None else Deadline(seconds)
            self._deadline.current = deadline
            try:
                yield deadline
            finally:
                self._deadline.current = None
                if deadline is not None:
                    deadline.stop()

    def attach(self, connection: urllib3.connection.HTTPConnection) -> None:
        """``connection`` carries this thread's exchange in flight."""
        deadline = getattr(self._deadline, "current", None)
        if deadline is not None:
            deadline.attach(connection)


def _watched_adapter(in_flight: InFlight) -> HTTPAdapter:
    """Requests' adapter, with connections that tell ``in_flight`` they carry its exchange."""

    class WatchedHTTPConnection(urllib3.connection.HTTPConnection):
        @override
        def connect(self) -> None:
            in_flight.attach(self)  # before: a TLS handshake can trickle too
            super().connect()

        @override
        def request(self, *args: t.Any, **kwargs: t.Any) -> None:
            in_flight.attach(self)  # a connection kept alive is not connected again
            super().request(*args, **kwargs)

    class WatchedHTTPSConnection(WatchedHTTPConnection, urllib3.connection.HTTPSConnection):
        pass

    class WatchedHTTPPool(urllib3.HTTPConnectionPool):
        ConnectionCls = WatchedHTTPConnection

    class WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
        ConnectionCls = WatchedHTTPSConnection

    class WatchedAdapter(HTTPAdapter):
        @override
        def init_poolmanager(self, *args: t.Any, **kwargs: t.Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            use_pool_classes(self.poolmanager, http=WatchedHTTPPool, https=WatchedHTTPSPool)

        @override
        def proxy_manager_for(self, proxy: str, **proxy_kwargs: t.Any) -> urllib3.PoolManager:
            manager: urllib3.PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
            use_pool_classes(manager, http=WatchedHTTPPool, https=WatchedHTTPSPool)
            return manager

    return WatchedAdapter()


class OneAtATimeSession(requests.Session):
    """The run's HTTP session: one exchange in flight (or ``slots``), each bounded as a whole."""

    def __init__(self, slots: int = 1) -> None:
        """Verify TLS against the standard CA bundle variables when set.

        Prepared requests go out through ``send``, which skips the environment lookup that
        ``requests.get`` does: without this a company CA bundle in ``REQUESTS_CA_BUNDLE`` would
        be ignored.
        """
        super().__init__()
        self.in_flight = InFlight(slots)
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            self.verify = bundle
        adapter = _watched_adapter(self.in_flight)
        for prefix in ("https://", "http://"):
            self.mount(prefix, adapter)

    @override
    def send(self, request: requests.PreparedRequest, **kwargs: t.Any) -> requests.Response:
        # Redirects are never followed: they would carry the wolkvox-token header to whatever
        # host they name.
        kwargs["allow_redirects"] = False
        return super().send(request, **kwargs)

    def exchange(self, request: requests.PreparedRequest, timeout: float) -> Exchange:
        """Send ``request`` and read its whole reply within ``timeout`` seconds.

        Raises:
            requests.exceptions.ReadTimeout: past the deadline (retried like any timeout).
            requests.RequestException: the connection failed, the body was cut off.
        """
        with self.in_flight.exchange(timeout) as deadline:
            if deadline is None:  # pragma: no cover - a number always gets one
                raise RuntimeError
            try:
                exchange = self._send_and_read(request, timeout)
            except Exception:
                # Whatever the shut-down socket made of the exchange, it ran out of time.
                if deadline.stop():
                    raise deadline.timeout() from None
                raise
            if deadline.stop():  # the body may have been cut where it stood
                exchange.close()
                raise deadline.timeout()
            return exchange

    def _send_and_read(self, request: requests.PreparedRequest, timeout: float) -> Exchange:
        deadline = time.monotonic() + timeout
        response = self.send(request, timeout=timeout, stream=True)
        try:
            body = read_body(response, deadline, timeout)
        finally:
            response.close()
        return Exchange(response.status_code, str(response.url), response.headers, body)
