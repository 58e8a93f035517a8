"""What the tests share: running the tap, its clock, sample rows, filled vendor samples.

The fixtures that use these are in conftest.py; test modules import from here, never from one
another. Meltano and PostgreSQL have modules of their own (``meltano_project.py``,
``postgres.py``).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import json
import logging
import os
import random
import signal
import subprocess
import sys
import typing as t
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from tap_wolkvox.declarations.model import EXTRA, UNPARSED, Field, Kind

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from tap_wolkvox.sandbox.realtime import SampleRealtime
    from tap_wolkvox.sandbox.server import WolkvoxSimulator
    from tap_wolkvox.streams.report import ReportStream

#: The repository's root.
ROOT = Path(__file__).resolve().parents[1]

TOKEN = "s3cr3t-t0ken-value-0123456789"  # noqa: S105 - the simulator's token in tests

#: The warning a run logs when its host clock is off the server's (the Date header). The tap run
#: as a command keeps this machine's clock while a simulator's may be pinned to a test's date:
#: such runs follow the simulator's clock and say so once, which is not what most tests check.
HOST_CLOCK_OFF = "The host's clock is"


#: How far past a run's end_date the end-to-end tests set a simulator's clock (Meltano,
#: PostgreSQL, the examples). The tap follows the server's clock (its Date header): one still at
#: end_date would rightly hold the bookmark back by the late-row margin, and a day later every
#: day up to end_date is complete.
SERVER_AFTER_END = dt.timedelta(days=1)


def without_clock_warning(lines: list[str]) -> list[str]:
    """``lines`` less the warning that the host's clock is off the server's."""
    return [line for line in lines if HOST_CLOCK_OFF not in line]


@dataclass
class TapRun:
    """What one run of the tap printed."""

    returncode: int
    stdout: str
    stderr: str
    messages: list[dict[str, t.Any]] = field(default_factory=list)

    def records(self, stream: str | None = None) -> list[dict[str, t.Any]]:
        return [
            m["record"]
            for m in self.messages
            if m["type"] == "RECORD" and (stream is None or m["stream"] == stream)
        ]

    def states(self) -> list[dict[str, t.Any]]:
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    @property
    def final_state(self) -> dict[str, t.Any]:
        return self.states()[-1]

    def summary(self, stream: str | None = None) -> dict[str, t.Any]:
        """The run's counts: its "Run summary" (one JSON object), or one stream's entry in it.

        Tests of what a run did read these rather than the sentences of the log.
        """
        from tap_wolkvox.run.summary import read_run_summary

        found = read_run_summary(self.stderr)
        assert found is not None, f"no run summary in the log:\n{self.stderr}"
        return found if stream is None else t.cast("dict[str, t.Any]", found["streams"][stream])

    def the_error(self) -> str:
        """The one plain sentence a failed run ends with (no traceback, no token)."""
        assert self.returncode == 1, self.stderr
        errors = [line for line in self.stderr.splitlines() if "ERROR" in line]
        assert len(errors) == 1, self.stderr
        assert "Traceback" not in self.stderr
        assert TOKEN not in self.stderr + self.stdout
        return errors[0]


def parse_messages(stdout: str) -> list[dict[str, t.Any]]:
    # Lines end at "\n" alone: JSON writes U+2028 and other line breaks inside text as they are.
    return [json.loads(line) for line in stdout.split("\n") if line.strip()]


def tap_command(
    config_path: Path, state_path: Path | None = None, catalog_path: Path | None = None
) -> list[str]:
    command = [sys.executable, "-m", "tap_wolkvox", "--config", str(config_path)]
    if state_path is not None:
        command += ["--state", str(state_path)]
    if catalog_path is not None:
        command += ["--catalog", str(catalog_path)]
    return command


def catalog_selecting(*streams: str) -> dict[str, t.Any]:
    """The discovered catalog with exactly ``streams`` selected."""
    from tap_wolkvox.tap import TapWolkvox

    config = {"token": TOKEN, "api_url": "http://127.0.0.1:1", "start_date": "2025-01-01"}
    catalog = TapWolkvox(config=config, setup_mapper=False).catalog_dict
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return catalog


def tap_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_WOLKVOX")}
    env.update(extra)
    return env


class TapRunner:
    """Runs ``python -m tap_wolkvox`` with a config and optional state, as a user would."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.count = 0

    def write(self, name: str, content: dict[str, t.Any]) -> Path:
        path = self.workdir / name
        path.write_text(json.dumps(content))
        return path

    def catalog(self, streams: t.Sequence[str] | None) -> Path | None:
        """A catalog file selecting ``streams`` (None: no catalog, the tap's defaults)."""
        if streams is None:
            return None
        return self.write(f"catalog-{self.count}.json", catalog_selecting(*streams))

    def __call__(
        self,
        config: dict[str, t.Any],
        state: dict[str, t.Any] | None = None,
        *,
        streams: t.Sequence[str] | None = ("interaction_transfers",),
        env: dict[str, str] | None = None,
        timeout: float = 120,
    ) -> TapRun:
        self.count += 1
        config_path = self.write(f"config-{self.count}.json", config)
        state_path = self.write(f"state-{self.count}.json", state) if state is not None else None
        done = subprocess.run(
            tap_command(config_path, state_path, self.catalog(streams)),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=tap_env(**(env or {})),
            check=False,
        )
        messages = parse_messages(done.stdout) if done.returncode == 0 else []
        if done.returncode != 0:
            # Keep what was emitted before the failure: it is what a target would have loaded.
            messages = [json.loads(x) for x in done.stdout.split("\n") if x.startswith("{")]
        return TapRun(done.returncode, done.stdout, done.stderr, messages)


class Clock:
    """One clock for the sandbox and the tap, moved by the test.

    It runs in UTC, so that it can pass through an hour that daylight saving repeats; the
    sandbox sees the operation's wall clock, the tap the instant.
    """

    def __init__(self, wall: str, zone: str = "America/Bogota") -> None:
        self.zone = ZoneInfo(zone)
        self.utc = (
            dt.datetime.fromisoformat(wall).replace(tzinfo=self.zone).astimezone(dt.timezone.utc)
        )

    @property
    def wall(self) -> dt.datetime:
        return self.utc.astimezone(self.zone).replace(tzinfo=None, fold=0)

    @wall.setter
    def wall(self, value: dt.datetime) -> None:
        self.utc = value.replace(tzinfo=self.zone).astimezone(dt.timezone.utc)

    def advance(self, **delta: float) -> None:
        self.utc += dt.timedelta(**delta)

    def sandbox_now(self) -> str:
        return self.wall.strftime("%Y-%m-%d %H:%M:%S")

    def utc_now(self) -> dt.datetime:
        return self.utc


@contextlib.contextmanager
def signal_handlers_kept() -> Iterator[None]:
    """Put back the SIGTERM and SIGINT handlers that a tap run in this process installs.

    Left installed, the tap's handler would outlive its run: a SIGTERM to pytest would then
    try to stop a tap that is long gone.
    """
    kept = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in kept.items():
            if handler is not None:  # None: not installed from Python, nothing to put back
                signal.signal(sig, handler)


@dataclass
class Capture:
    """What a tap run in this process writes: Singer lines on stdout, ``LEVEL | message`` log lines."""

    output: io.BytesIO = field(default_factory=io.BytesIO)
    log: io.StringIO = field(default_factory=io.StringIO)

    def stdout(self) -> str:
        return self.output.getvalue().decode()


@contextlib.contextmanager
def in_process() -> Iterator[Capture]:
    """Capture a tap run in this process; put back the logging and signal handlers after it."""
    capture = Capture()
    handler = logging.StreamHandler(capture.log)
    handler.setFormatter(logging.Formatter("%(levelname)s | %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        with signal_handlers_kept():
            out = io.TextIOWrapper(capture.output, encoding="utf-8")
            try:
                with contextlib.redirect_stdout(out):
                    yield capture
            finally:
                out.flush()
                out.detach()
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def run_in_process(
    config: dict[str, t.Any],
    state: dict[str, t.Any] | None = None,
    *,
    clock: Clock,
    streams: t.Sequence[str] = ("interaction_transfers",),
) -> TapRun:
    """Run the tap in this process with its clock driven by ``clock`` (fast: for many polls).

    Log lines are collected in ``stderr``; a WolkvoxError ends the run with return code 1, and a
    stop (the request budget) with its own, as the command does.
    """
    from tap_wolkvox.replies.errors import WolkvoxError
    from tap_wolkvox.run.stops import RunStopped, said
    from tap_wolkvox.tap import TapWolkvox

    returncode = 0
    with in_process() as capture:
        tap = TapWolkvox(
            config=config, state=state, catalog=catalog_selecting(*streams), utc_now=clock.utc_now
        )
        try:
            tap.sync_all()
        except WolkvoxError as exc:
            capture.log.write(f"ERROR | {exc}\n")
            returncode = 1
        except RunStopped as stop:  # the budget, a signal: as the command says it
            returncode = said(tap.logger, stop)
    stdout = capture.stdout()
    return TapRun(returncode, stdout, capture.log.getvalue(), parse_messages(stdout))


def report_stream(stream: str) -> ReportStream:
    """``stream`` in a tap of its own, no server behind it (warnings are said once per run)."""
    from tap_wolkvox.streams.report import ReportStream
    from tap_wolkvox.tap import TapWolkvox

    tap = TapWolkvox(
        config={"token": "t", "api_url": "http://127.0.0.1:1", "start_date": "2025-02-27"},
        setup_mapper=False,
    )
    found = tap.streams[stream]
    assert isinstance(found, ReportStream)
    return found


def killed_run(
    runner: TapRunner,
    config: dict[str, t.Any],
    after_lines: int,
    streams: t.Sequence[str] = ("interaction_transfers",),
) -> list[dict[str, t.Any]]:
    """Start the tap on ``streams``, kill it after ``after_lines`` lines of output, and return
    the messages it had written (what a target would have loaded)."""
    config_path = runner.write(f"kill-config-{runner.count}.json", config)
    runner.count += 1
    proc = subprocess.Popen(
        tap_command(config_path, None, runner.catalog(streams)),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=tap_env(),
    )
    assert proc.stdout is not None
    lines = [proc.stdout.readline() for _ in range(after_lines)]
    proc.kill()
    proc.wait()
    proc.stdout.close()
    return parse_messages("".join(lines))


def realtime_of(sim: WolkvoxSimulator) -> SampleRealtime:
    """What ``sim`` answers on real_time.php (the sample operation now), for a test to compare."""
    from tap_wolkvox.sandbox.api import REALTIME_PATH
    from tap_wolkvox.sandbox.realtime import SampleRealtime

    served = sim.paths[REALTIME_PATH]
    assert isinstance(served, SampleRealtime)
    return served


def base_config(sim: WolkvoxSimulator, **overrides: t.Any) -> dict[str, t.Any]:
    config: dict[str, t.Any] = {
        "token": TOKEN,
        "api_url": sim.url,
        "start_date": "2025-01-01",
        "end_date": "2025-03-31T23:59:59",
        "retry_wait_seconds": 0.01,
        "request_timeout": 5,
    }
    config.update(overrides)
    return config


# -- rows of the sandbox -----------------------------------------------------------------------


STAMP = "%Y-%m-%d %H:%M:%S"


def transfer(
    conn_id: str, date: str, sender: str = "1201", receiver: str = "1202"
) -> dict[str, str]:
    return {
        "conn_id": conn_id,
        "transfer_agent_id": sender,
        "transfer_agent_name": f"Agent {sender}",
        "receiver_agent_id": receiver,
        "receiver_agent_name": "SKILL" if receiver.startswith("30") else f"Agent {receiver}",
        "channel": "email",
        "date": date,
    }


def spread(
    count: int, start: dt.datetime, end: dt.datetime, seed: int = 1, prefix: str = "EM"
) -> list[dict[str, str]]:
    """``count`` transfers at random seconds of ``[start, end]``, two hops for some."""
    rng = random.Random(seed)
    seconds = int((end - start).total_seconds())
    rows = []
    for i in range(count):
        when = start + dt.timedelta(seconds=rng.randint(0, seconds))
        receiver = rng.choice(["1202", "1203", "3001"])
        rows.append(transfer(f"{prefix}{i:06d}", when.strftime(STAMP), receiver=receiver))
    return rows


def keys(records: list[dict[str, t.Any]]) -> set[tuple[t.Any, ...]]:
    """Primary keys of emitted records, or of source rows (their Bogota dates made UTC)."""
    return {
        (r["conn_id"], utc(r["date"]), r["transfer_agent_id"], r["receiver_agent_id"])
        for r in records
    }


def utc(date: str) -> str:
    if date.endswith("+00:00"):
        return date
    local = dt.datetime.strptime(date, STAMP)
    return (local + dt.timedelta(hours=5)).isoformat() + "+00:00"


def state_at(value: str) -> dict[str, t.Any]:
    """A STATE whose transfers bookmark is ``value``."""
    return {
        "bookmarks": {
            "interaction_transfers": {"replication_key": "date", "replication_key_value": value}
        }
    }


def bookmark(state: dict[str, t.Any]) -> str:
    return str(state["bookmarks"]["interaction_transfers"]["replication_key_value"])


Q1 = (dt.datetime(2025, 1, 1), dt.datetime(2025, 3, 31, 23, 59, 59))


class Always:
    """A report source that answers every window with the same rows, whatever their shape."""

    def __init__(self, rows: list[t.Any]) -> None:
        self.data = rows

    def rows(self, start: str, end: str, now: str) -> list[t.Any]:
        return [dict(row) if isinstance(row, dict) else row for row in self.data]


def skill_transfer(
    conn_id: str, name: str = "Agent 1201", date: str = "2025-01-02 08:15:00"
) -> dict[str, t.Any]:
    return {
        "conn_id": conn_id,
        "transfer_agent_id": "1201",
        "transfer_agent_name": name,
        "receiver_agent_id": "3001",
        "receiver_agent_name": "SKILL",
        "channel": "email",
        "date": date,
    }


def message(date: str, text: str = "Hola") -> dict[str, str]:
    return {
        "channel": "whatsapp",
        "from": "CUSTOMER",
        "from_name": "Luis",
        "to_name": "Ana",
        "date": date,
        "message": text,
        "customer_id": "77",
        "customer_phone": "573001234567",
    }


def chat(conn_id: str, conversation: t.Any) -> dict[str, t.Any]:
    # A copy: shaping works in place, and the messages are shared between tests.
    return {
        "conn_id": conn_id,
        "agent_name": "Ana",
        "customer_name": "Luis",
        "conversation": copy.deepcopy(conversation),
    }


# -- vendor samples, filled -------------------------------------------------------------------


#: The first instant a filled sample row holds (rows an hour apart).
FILLED_FROM = dt.datetime(2025, 3, 3, 8)
#: Sample values that say nothing: filled in.
PLACEHOLDER = {"", "-"}


def by_spelling(fields: tuple[Field, ...]) -> dict[str, Field]:
    """Each field under its name and under each alias."""
    found = {f.name: f for f in fields}
    found.update({alias: f for f in fields for alias in f.aliases})
    return found


def well_formed(kind: Kind, key: str, row: int, ordinal: int) -> str:
    """A value of ``kind`` as Wolkvox writes it, distinct per row (and per key for text)."""
    at = FILLED_FROM + dt.timedelta(hours=row, seconds=61 * ordinal)
    values = {
        Kind.INSTANT: at.strftime("%Y-%m-%d %H:%M:%S"),
        Kind.DAY: (FILLED_FROM.date() + dt.timedelta(days=row)).isoformat(),
        Kind.DURATION: f"{row + 1:02d}:{ordinal % 60:02d}:23",
        Kind.INTEGER: str((row + 1) * 100 + ordinal),
        Kind.NUMBER: f"{row + 1}.{ordinal}5",
        Kind.SECONDS: f"{row + 1}.{ordinal}5",
        Kind.PERCENT: f"{row % 90 + 1}.{ordinal}5 %",
    }
    return values.get(kind, f"v-{key.strip()}-{row}")


def fill_row(
    row: dict[str, t.Any], fields: tuple[Field, ...], number: int, *, fresh: bool
) -> dict[str, t.Any]:
    """``row`` with every blank filled; ``fresh`` fills the values that were not blank too."""
    spellings = by_spelling(fields)
    filled: dict[str, t.Any] = {}
    for ordinal, (key, value) in enumerate(row.items()):
        field = spellings.get(key.strip())
        nested = field.items if field is not None and field.kind is Kind.OBJECTS else None
        if isinstance(value, dict):
            # A nested object, or one bucket of a bucketed reply (it holds a row's fields).
            inner = nested or fields
            filled[key] = fill_row(value, inner, number * 10 + ordinal, fresh=fresh)
        elif isinstance(value, list):
            filled[key] = fill_rows(value, nested or fields, number)
        elif fresh or not isinstance(value, str) or value.strip() in PLACEHOLDER:
            kind = Kind.TEXT if field is None or nested is not None else field.kind
            filled[key] = well_formed(kind, key, number, ordinal)
        else:  # a value the vendor wrote out: kept, so that its format is checked too
            filled[key] = value
    return filled


def fill_rows(rows: list[t.Any], fields: tuple[Field, ...], number: int) -> list[t.Any]:
    """The filled rows, at least two: a one-row list gets a copy with other values."""
    base = (number + 1) * 100 if number >= 0 else 0
    filled = [fill_row(row, fields, base + n, fresh=False) for n, row in enumerate(rows)]
    if len(filled) == 1:
        filled.append(fill_row(rows[0], fields, base + 1, fresh=True))
    return filled


def check_row(
    fields: tuple[Field, ...], raw: dict[str, t.Any], record: dict[str, t.Any], where: str
) -> set[str]:
    """Every key of ``raw`` reached its column in ``record``; returns the columns it filled."""
    spellings = by_spelling(fields)
    # (d) every filled value was read, (a) and no key of the reply went undeclared
    assert UNPARSED not in record, f"{where}: unread values {record[UNPARSED]}"
    assert EXTRA not in record, f"{where}: undeclared keys {sorted(record[EXTRA])}"
    filled: set[str] = set()
    for key, value in raw.items():
        field = spellings.get(key.strip())
        assert field is not None, f"{where}: {key!r} is sent but not declared"
        name = field.name
        filled.add(name)
        got = record[name]
        assert got is not None, f"{where}: {key!r} was sent ({value!r}) but {name} is null"
        if field.kind is Kind.TEXT:
            assert got == value, f"{where}: {key!r} was sent as {value!r}, {name} is {got!r}"
        elif field.kind is Kind.OBJECTS:
            assert len(got) == len(value), f"{where}.{name}"
            for n, (raw_item, item) in enumerate(zip(value, got, strict=True)):
                check_row(field.items, raw_item, item, f"{where}.{name}[{n}]")
    return filled
