"""Shared fixtures: a Wolkvox simulator on loopback and a way to run the real tap against it."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import logging
import os
import subprocess
import sys
import typing as t
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest

from tap_wolkvox.sandbox.server import WolkvoxSimulator
from tests.postgres import PostgresServer, PostgresUnavailableError

if t.TYPE_CHECKING:
    from pathlib import Path

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

    def the_error(self) -> str:
        """The one plain sentence a failed run ends with (no traceback, no token)."""
        assert self.returncode == 1, self.stderr
        errors = [line for line in self.stderr.splitlines() if "ERROR" in line]
        assert len(errors) == 1, self.stderr
        assert "Traceback" not in self.stderr
        assert TOKEN not in self.stderr + self.stdout
        return errors[0]


def parse_messages(stdout: str) -> list[dict[str, t.Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


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
            messages = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
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


def run_in_process(
    config: dict[str, t.Any],
    state: dict[str, t.Any] | None = None,
    *,
    clock: Clock,
    streams: t.Sequence[str] = ("interaction_transfers",),
) -> TapRun:
    """Run the tap in this process with its clock driven by ``clock`` (fast: for many polls).

    Log lines are collected in ``stderr``; a WolkvoxError ends the run with return code 1, as
    the command does.
    """
    from tap_wolkvox.replies.errors import WolkvoxError
    from tap_wolkvox.tap import TapWolkvox

    output = io.BytesIO()
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    handler.setFormatter(logging.Formatter("%(levelname)s | %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    returncode = 0
    try:
        tap = TapWolkvox(
            config=config,
            state=state,
            catalog=catalog_selecting(*streams),
            utc_now=clock.utc_now,
        )
        out = io.TextIOWrapper(output, encoding="utf-8")
        with contextlib.redirect_stdout(out):
            try:
                tap.sync_all()
            except WolkvoxError as exc:
                log.write(f"ERROR | {exc}\n")
                returncode = 1
        out.flush()
        out.detach()
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    stdout = output.getvalue().decode()
    return TapRun(returncode, stdout, log.getvalue(), parse_messages(stdout))


def killed_run(
    runner: TapRunner, config: dict[str, t.Any], after_lines: int
) -> list[dict[str, t.Any]]:
    """Start the tap on the transfers stream, kill it after ``after_lines`` lines of output,
    and return the messages it had written (what a target would have loaded)."""
    config_path = runner.write(f"kill-config-{runner.count}.json", config)
    runner.count += 1
    proc = subprocess.Popen(
        tap_command(config_path, None, runner.catalog(["interaction_transfers"])),
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


@pytest.fixture
def simulator() -> t.Iterator[WolkvoxSimulator]:
    with WolkvoxSimulator(token=TOKEN, row_cap=60_000, now=lambda: "2025-06-30 23:59:59") as sim:
        yield sim


@pytest.fixture
def run_tap(tmp_path: Path) -> TapRunner:
    return TapRunner(tmp_path)


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


@pytest.fixture(scope="session")
def postgres() -> t.Iterator[PostgresServer]:
    """A PostgreSQL server for the test run (default timezone Bogotá, as a local server's might be).

    Outside CI the tests that need it are skipped, with the reason, when none can be started; in
    CI (CI=true) they fail instead: ``.ci/run`` installs PostgreSQL.
    """
    server: PostgresServer | None = None
    try:
        server = PostgresServer(timezone="America/Bogota")
        server.start()
    except PostgresUnavailableError as why:
        if server is not None:
            server.stop()
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"no PostgreSQL server could be started: {why}")
        pytest.skip(f"no PostgreSQL server could be started: {why}")
    try:
        yield server
    finally:
        server.stop()
