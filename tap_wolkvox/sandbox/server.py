"""A real HTTP server on loopback that answers like the Wolkvox Reports Manager API.

It reproduces what is documented and observed (see ``shared/wolkvox-api/README.md``): the
``wolkvox-token`` header checks, a daily call quota, 404 for a window with no rows, silent
truncation at the per-request row cap, the 31-day span limit, refusal of concurrent calls on one
token, rows in no particular order, ``code`` as string or int. Faults can be scheduled for the
next requests: 5xx, 429, hangs, connection resets, malformed or cut-off bodies, a trickled
status line and headers, and every 403.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import random
import socket
import ssl
import struct
import sys
import threading
import time
import typing as t
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

from typing_extensions import Self, override

from tap_wolkvox.sandbox.api import (
    INFORMATION_PATH,
    MAX_SPAN,
    MSG_BAD_TOKEN,
    MSG_CONCURRENT,
    MSG_EMPTY,
    MSG_NO_SUCH_API,
    MSG_NO_TOKEN,
    MSG_PARAMETERS,
    MSG_QUOTA,
    NOT_FOUND_PAGE,
    REALTIME_PATH,
    REPORTS_PATH,
    Empty,
    OneObject,
    PathApi,
    ReportSource,
    RequestRecord,
)
from tap_wolkvox.sandbox.information import SampleInformation
from tap_wolkvox.sandbox.realtime import SampleRealtime


@dataclass
class StaticRows:
    """A fixed list of rows, filtered on a timestamp field (``a[].b`` reads a nested one)."""

    data: list[dict[str, t.Any]]
    timestamp_field: str = "date"

    def _stamp(self, row: dict[str, t.Any]) -> str:
        if "[]." in self.timestamp_field:
            outer, inner = self.timestamp_field.split("[].", 1)
            stamps = [str(item.get(inner, "")) for item in row.get(outer) or []]
            return min(stamps) if stamps else ""
        return str(row.get(self.timestamp_field, ""))

    def rows(self, start: str, end: str, now: str) -> list[dict[str, t.Any]]:
        """Rows whose timestamp lies in ``[start, min(end, now)]``."""
        last = min(end, now)
        return [row for row in self.data if start <= self._stamp(row) <= last]


class SortedRows:
    """Fixed rows found by timestamp with a binary search, for large sources.

    A 90-day backfill holds 360,000 rows: scanning them all per call would cost more than the
    tap. ``offered`` notes how many rows each call had to offer before the row cap cut the reply.
    """

    def __init__(
        self,
        data: list[dict[str, t.Any]],
        stamp: t.Callable[[dict[str, t.Any]], str] = lambda row: str(row["date"]),
    ) -> None:
        """Serve ``data``; ``stamp`` gives a row's wall-clock timestamp (``YYYY-MM-DD ...``)."""
        self.data = sorted(data, key=stamp)
        self.stamps = [stamp(row) for row in self.data]
        #: Rows each call matched, in call order.
        self.offered: list[int] = []

    def rows(self, start: str, end: str, now: str) -> list[dict[str, t.Any]]:
        """Rows whose timestamp lies in ``[start, min(end, now)]``."""
        low = bisect.bisect_left(self.stamps, start)
        high = bisect.bisect_right(self.stamps, min(end, now))
        self.offered.append(max(high - low, 0))
        return self.data[low:high]


class LateRows(StaticRows):
    """Rows that Wolkvox publishes some time after the instant they carry.

    Each row becomes visible ``lag`` after its timestamp, where ``lag`` is drawn once per row
    (seeded) between zero and ``max_lag``: a call stamped with its start appears when it ends,
    the report database lags. A row not yet published is not in any reply.
    """

    def __init__(
        self,
        data: list[dict[str, t.Any]],
        max_lag: dt.timedelta,
        *,
        seed: int = 0,
        timestamp_field: str = "date",
    ) -> None:
        """Serve ``data`` with a publication lag of up to ``max_lag`` per row."""
        super().__init__(data, timestamp_field)
        rng = random.Random(seed)  # noqa: S311 - test data
        span = int(max_lag.total_seconds())
        self.published: list[str] = [
            _stamp(
                dt.datetime.strptime(self._stamp(row), "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007
                + dt.timedelta(seconds=rng.randint(0, span))
            )
            for row in data
        ]

    @override
    def rows(self, start: str, end: str, now: str) -> list[dict[str, t.Any]]:
        """Rows dated in ``[start, min(end, now)]`` and already published at ``now``."""
        last = min(end, now)
        return [
            row
            for row, published in zip(self.data, self.published, strict=True)
            if start <= self._stamp(row) <= last and published <= now
        ]


@dataclass(frozen=True)
class Fault:
    """A misbehaviour applied to one request instead of the normal answer."""

    kind: t.Literal[
        "status", "hang", "reset", "bad_json", "cut_body", "body_code", "page", "raw", "slow_head"
    ]
    status: int = 500
    message: str = "Internal Server Error"
    seconds: float = 0.0
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    #: For ``raw``: send the body this many bytes at a time, ``seconds`` apart (0: at once).
    trickle: int = 0

    @classmethod
    def http(cls, status: int, message: str = "ERROR") -> Fault:
        """Answer ``status`` with a Wolkvox-style JSON error body."""
        return cls("status", status=status, message=message)

    @classmethod
    def hang(cls, seconds: float) -> Fault:
        """Wait ``seconds`` before answering normally (the client should time out)."""
        return cls("hang", seconds=seconds)

    @classmethod
    def reset(cls) -> Fault:
        """Drop the connection without answering."""
        return cls("reset")

    @classmethod
    def bad_json(cls) -> Fault:
        """A 200 whose body is not valid JSON."""
        return cls("bad_json", status=200)

    @classmethod
    def cut_body(cls) -> Fault:
        """A 200 that announces more bytes than it sends, then closes."""
        return cls("cut_body", status=200)

    @classmethod
    def body_code(cls, code: int, message: str = "INTERNAL ERROR") -> Fault:
        """A 200 whose body carries an error ``code``."""
        return cls("body_code", status=code, message=message)

    @classmethod
    def maintenance(cls) -> Fault:
        """A bare 403 with an HTML page, as during backups and maintenance."""
        return cls.page(403)

    @classmethod
    def raw(
        cls,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        *,
        trickle: int = 0,
        every: float = 0.0,
    ) -> Fault:
        """Exactly this status, body and headers (a BOM, odd JSON, a redirect, a slow reply)."""
        return cls(
            "raw",
            status=status,
            body=body,
            headers=tuple((headers or {}).items()),
            trickle=trickle,
            seconds=every,
        )

    @classmethod
    def slow_head(cls, every: float, body: bytes = b"") -> Fault:
        """A 200 whose status line and headers arrive one byte every ``every`` seconds.

        Each read gets a byte well within any read timeout, so only a bound on the whole
        exchange ends it.
        """
        return cls("slow_head", status=200, body=body, seconds=every)

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Fault:
        """A redirect to ``location``."""
        return cls.raw(status, b"", {"Location": location})

    @classmethod
    def page(cls, status: int) -> Fault:
        """An HTML page with ``status``, as a web server or proxy in front of the API sends."""
        return cls("page", status=status)


class WolkvoxSimulator:
    """The Wolkvox Reports Manager on ``http://127.0.0.1:<port>``."""

    def __init__(  # noqa: PLR0913
        self,
        *,
        token: str = "sandbox-token",  # noqa: S107 - the sandbox's well-known token
        row_cap: int = 60_000,
        daily_quota: int | None = None,
        concurrency_limit: int = 1,
        code_style: t.Literal["string", "int", "mixed"] = "mixed",
        seed: int = 0,
        timezone: str = "America/Bogota",
        now: t.Callable[[], str] | None = None,
        latency: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: tuple[str, str] | None = None,
    ) -> None:
        """Configure the simulated operation; call :meth:`start` (or use ``with``)."""
        self.token = token
        self.row_cap = row_cap
        self.daily_quota = daily_quota
        self.concurrency_limit = concurrency_limit
        self.code_style = code_style
        self.latency = latency
        self.sources: dict[str, ReportSource] = {}
        #: Reports that exist but are not enabled on this server: api -> status (400 or 404).
        self.unavailable: dict[str, int] = {}
        self.requests: list[RequestRecord] = []
        self.max_in_flight = 0
        #: A reply's rows come in no order, as Wolkvox's do; False: in the source's order (so
        #: that two runs whose requests arrive in another order get the same replies).
        self.shuffle = True
        self.span_violations: list[dict[str, str]] = []
        self.calls_today = 0
        zone = ZoneInfo(timezone)
        self.zone = zone
        self._now = now or (lambda: dt.datetime.now(zone).strftime("%Y-%m-%d %H:%M:%S"))
        # The last instant a Date header said: the server's clock never runs back.
        self._last_date = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
        #: API paths besides the reports', answered after the same token, quota, concurrency
        #: and fault handling: information.php serves the sample operation's tables and logs,
        #: real_time.php what it is doing at this clock.
        self.paths: dict[str, PathApi] = {
            INFORMATION_PATH: SampleInformation(),
            REALTIME_PATH: SampleRealtime(seed=seed, timezone=timezone),
        }
        self._faults: list[Fault | None] = []
        self._lock = threading.Lock()
        self._in_flight = 0
        self._random = random.Random(seed)  # noqa: S311 - shuffling test data
        self._server = _QuietServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._scheme = "http"
        if tls is not None:
            # HTTPS with the given certificate and key files (tests of certificate checks).
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self._scheme = "https"
        self._thread: threading.Thread | None = None

    # -- set-up -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL to give the tap as ``api_url``."""
        host, port = self._server.server_address[:2]
        return f"{self._scheme}://{host!s}:{port}"

    def set_rows(
        self, api: str, rows: list[dict[str, t.Any]], timestamp_field: str = "date"
    ) -> None:
        """Serve ``rows`` for report ``api``, filtered on ``timestamp_field``."""
        self.sources[api] = StaticRows(rows, timestamp_field)

    def schedule(self, *faults: Fault, after: int = 0) -> None:
        """Apply ``faults`` to the next requests, one each, in order, after ``after`` good ones."""
        with self._lock:
            self._faults.extend([None] * after)
            self._faults.extend(faults)

    @property
    def pending_faults(self) -> int:
        """Faults scheduled but not yet applied."""
        with self._lock:
            return sum(1 for fault in self._faults if fault is not None)

    def start(self) -> Self:
        """Serve in a background thread."""
        # A short poll: stop() waits for the loop to notice, up to one interval (the default,
        # 0.5 s, was a quarter of a second per test on average).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        """Start on entering a ``with`` block."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop on leaving the ``with`` block."""
        self.stop()

    def serve_forever(self) -> None:
        """Serve in the calling thread (the ``wolkvox-sandbox`` command)."""
        self._server.serve_forever()

    # -- answering ---------------------------------------------------------------------------

    def _code(self, status: int) -> int | str:
        style = self.code_style
        if style == "mixed":
            style = "int" if self._random.random() < 0.5 else "string"  # noqa: PLR2004
        return status if style == "int" else str(status)

    def record(self, query: str, *, token_sent: bool) -> RequestRecord:
        """Log one incoming request (never its token) and return its record."""
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        record = RequestRecord(api=params.get("api"), params=params, token_sent=token_sent)
        with self._lock:
            self.requests.append(record)
        return record

    def answer(self, path: str, token: str | None, record: RequestRecord) -> tuple[int, t.Any]:
        """The status and JSON body for one well-behaved request."""
        status, body = self._answer(path, record.params, token, record)
        record.status = status
        return status, body

    def _answer(  # noqa: PLR0911
        self,
        path: str,
        params: dict[str, str],
        token: str | None,
        record: RequestRecord,
    ) -> tuple[int, t.Any]:
        if path != REPORTS_PATH and path not in self.paths:
            # Not Wolkvox's API: the web server's own page, as a wrong path or proxy gives.
            return 404, NOT_FOUND_PAGE
        if token is None:
            return self._error(401, "UNAUTHORIZED", MSG_NO_TOKEN)
        if token != self.token:
            return self._error(403, "FORBIDDEN", MSG_BAD_TOKEN)
        with self._lock:
            self.calls_today += 1
            over_quota = self.daily_quota is not None and self.calls_today > self.daily_quota
        if over_quota:
            return self._error(403, "FORBIDDEN", MSG_QUOTA)
        api = params.get("api", "")
        if api in self.unavailable:
            status = self.unavailable[api]
            if status == 404:  # noqa: PLR2004
                return self._error(404, "NOT FOUND", MSG_EMPTY)
            return self._error(status, "BAD REQUEST", MSG_NO_SUCH_API)
        other = self.paths.get(path)
        if other is not None:
            return other.answer(self, params, record)
        source = self.sources.get(api)
        if source is None:
            return self._error(400, "BAD REQUEST", MSG_NO_SUCH_API)
        return self.windowed(source, params, record)

    def windowed(
        self, source: ReportSource, params: dict[str, str], record: RequestRecord
    ) -> tuple[int, t.Any]:
        """The answer of a report (or log) read by date range: ``date_ini``..``date_end``."""
        span = _read_span(params)
        if span is None:
            return self._error(400, "BAD REQUEST", MSG_PARAMETERS)
        start, end = span
        if end - start > MAX_SPAN:
            self.span_violations.append(params)
            return self._error(400, "BAD REQUEST", "THE DATE RANGE MAY NOT EXCEED 31 DAYS")
        rows = source.rows(_stamp(start), _stamp(end), self._now())
        if not rows:
            # Wolkvox answers an empty window with 404, not an empty list.
            return self._error(404, "NOT FOUND", MSG_EMPTY)
        if isinstance(rows, OneObject):
            return self.rows_reply(rows, record)
        rows = list(rows)
        if self.shuffle:
            self._random.shuffle(rows)
        return self.rows_reply(rows[: self.row_cap], record)  # cut silently, as the API does

    def wall_now(self) -> str:
        """The operation's wall clock now, ``YYYY-MM-DD HH:MM:SS``."""
        return self._now()

    def utc_now(self) -> dt.datetime:
        """The instant of the operation's wall clock now: what each reply's Date header says.

        An hour that daylight saving repeats reads the same twice: the later reading is taken
        once the earlier one has been said, as a clock runs on.
        """
        try:
            wall = dt.datetime.strptime(self._now(), "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007
        except ValueError:  # a test's clock that is no wall-clock string
            return dt.datetime.now(dt.timezone.utc)
        readings = sorted(
            {
                wall.replace(tzinfo=self.zone, fold=fold).astimezone(dt.timezone.utc)
                for fold in (0, 1)
            }
        )
        with self._lock:
            instant = next((at for at in readings if at >= self._last_date), readings[-1])
            self._last_date = max(self._last_date, instant)
        return instant

    def rows_reply(
        self, rows: list[dict[str, t.Any]], record: RequestRecord, *, empty: Empty = "404"
    ) -> tuple[int, t.Any]:
        """A 200 holding ``rows``: ``data`` is their list, or the one object of a OneObject.

        Without rows: 404 as for an empty window, or (``empty="list"``) a 200 with no rows.
        """
        if not rows and empty == "404":
            return self._error(404, "NOT FOUND", MSG_EMPTY)
        record.rows = len(rows)
        return 200, {
            "code": self._code(200),
            "error": None,
            "msg": f"{len(rows)} records were found",
            "data": rows[0] if isinstance(rows, OneObject) else rows,
        }

    def error(self, status: int, error: str, message: str) -> tuple[int, t.Any]:
        """An error reply as Wolkvox sends it."""
        return self._error(status, error, message)

    def _error(self, status: int, error: str, message: str) -> tuple[int, t.Any]:
        return status, {"code": self._code(status), "error": error, "msg": message}

    def next_fault(self) -> Fault | None:
        """Pop the next scheduled fault, if any."""
        with self._lock:
            return self._faults.pop(0) if self._faults else None

    def enter(self) -> bool:
        """Count a request in; False when it exceeds the concurrency limit."""
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            return self._in_flight <= self.concurrency_limit

    def leave(self) -> None:
        """Count a request out."""
        with self._lock:
            self._in_flight -= 1


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: t.Any, client_address: t.Any) -> None:
        """Clients that hang up (a killed tap, a timeout) are normal here, not errors."""
        error = sys.exc_info()[1]
        if not isinstance(error, (BrokenPipeError, ConnectionResetError, ssl.SSLError)):
            super().handle_error(request, client_address)


def _read_span(params: dict[str, str]) -> tuple[dt.datetime, dt.datetime] | None:
    try:
        start = dt.datetime.strptime(params["date_ini"], "%Y%m%d%H%M%S")  # noqa: DTZ007
        end = dt.datetime.strptime(params["date_end"], "%Y%m%d%H%M%S")  # noqa: DTZ007
    except (KeyError, ValueError):
        return None
    return (start, end) if start <= end else None


def _stamp(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _handler_for(sim: WolkvoxSimulator) -> type[BaseHTTPRequestHandler]:  # noqa: C901
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # The head and the body go out as two writes: with Nagle's algorithm the body waits
        # for the client's delayed ACK of the head (about 40 ms a reply on Linux loopback).
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            url = urlparse(self.path)
            token = self.headers.get("wolkvox-token")
            record = sim.record(url.query, token_sent=token is not None)
            fault = sim.next_fault()
            admitted = sim.enter()
            try:
                if sim.latency:
                    time.sleep(sim.latency)
                if not admitted:
                    record.status, record.fault = 403, "concurrent"
                    self._send(403, {"code": "403", "error": "FORBIDDEN", "msg": MSG_CONCURRENT})
                    return
                if fault is not None:
                    record.fault, record.status = fault.kind, fault.status
                    if self._apply(fault):
                        return
                status, body = sim.answer(url.path, token, record)
                self._send(status, body)
            finally:
                sim.leave()

        def _apply(self, fault: Fault) -> bool:
            """Play ``fault``; True when it replaced the normal answer."""
            if fault.kind == "hang":
                time.sleep(fault.seconds)
                return False
            if fault.kind == "reset":
                # SO_LINGER 0 turns close() into a TCP reset.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
                return True
            if fault.kind == "raw":
                self._play_raw(fault)
                return True
            if fault.kind == "slow_head":
                self._play_slow_head(fault)
                return True
            if fault.kind == "status":
                self._send(
                    fault.status, {"code": fault.status, "error": "ERROR", "msg": fault.message}
                )
            elif fault.kind == "body_code":
                self._send(200, {"code": str(fault.status), "error": "ERROR", "msg": fault.message})
            elif fault.kind == "bad_json":
                self._raw(
                    200,
                    b'{"code":"200","error":null,"msg":"2 records were found","data":[{"conn_id":',
                )
            elif fault.kind == "page":
                page = f"<html><body><h1>{fault.status} {HTTPStatus(fault.status).phrase}</h1>"
                self._raw(fault.status, f"{page}</body></html>".encode(), "text/html")
            elif fault.kind == "cut_body":
                body = b'{"code":"200","error":null,"msg":"1 records were found","data":[]}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body) + 500))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                self.close_connection = True
            return True

        def _play_raw(self, fault: Fault) -> None:
            self.send_response(fault.status)
            headers = dict(fault.headers)
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(fault.body)))
            self.end_headers()
            if not fault.trickle:
                self.wfile.write(fault.body)
                return
            for at in range(0, len(fault.body), fault.trickle):
                self.wfile.write(fault.body[at : at + fault.trickle])
                self.wfile.flush()
                time.sleep(fault.seconds)

        def _play_slow_head(self, fault: Fault) -> None:
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                f"Content-Length: {len(fault.body)}\r\n\r\n"
            ).encode()
            self.close_connection = True
            try:
                for at in range(len(head)):
                    self.wfile.write(head[at : at + 1])
                    self.wfile.flush()
                    time.sleep(fault.seconds)
                self.wfile.write(fault.body)
            except OSError:
                return  # the client hung up: what a bound on the exchange does

        def _send(self, status: int, body: t.Any) -> None:
            if isinstance(body, bytes):
                self._raw(status, body, "text/html")
                return
            self._raw(status, json.dumps(body, ensure_ascii=False).encode())

        def _raw(self, status: int, payload: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def date_time_string(self, timestamp: float | None = None) -> str:
            """The Date header: the operation's clock, injected in tests, not this machine's."""
            if timestamp is not None:
                return super().date_time_string(timestamp)
            return formatdate(sim.utc_now().timestamp(), usegmt=True)

        def log_message(self, format: str, *args: t.Any) -> None:  # noqa: A002
            """Stay quiet: tests and demos read their own output."""

    return Handler
