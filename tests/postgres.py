"""A throwaway PostgreSQL server for the warehouse tests.

The server runs from Debian's packages (``apt-get install postgresql``; ``.ci/run`` installs it
where missing), whose binaries are not on PATH: they are looked up under
``/usr/lib/postgresql/<version>/bin`` (or ``PG_BINDIR``). It gets a data directory of its own, a
free port on 127.0.0.1 only, trust authentication for the ``postgres`` role, and is stopped (and
its files removed) when the ``with`` block ends, whatever happens inside. PostgreSQL refuses to
run as root, so under root it runs as the ``postgres`` OS user.

Queries go through ``psql --csv`` from the same installation: the tests need no database driver
of their own.
"""

from __future__ import annotations

import csv
import io
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import typing as t
from pathlib import Path

if t.TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self


class PostgresUnavailableError(RuntimeError):
    """No server can be started here; the message says why."""


def find_bindir() -> Path:
    """The directory holding initdb, pg_ctl and psql of the newest installed PostgreSQL."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent  # /usr/local/bin/initdb may be a symlink
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if not candidates:
        msg = "no PostgreSQL server binaries (apt-get install -y postgresql, or set PG_BINDIR)"
        raise PostgresUnavailableError(msg)
    return Path(candidates[-1]).parent


def free_port() -> int:
    """A TCP port nothing listens on at the moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """A PostgreSQL server of the test run's own, on 127.0.0.1:<port>."""

    def __init__(self, timezone: str = "UTC") -> None:
        """Prepare (not start) a server whose default ``timezone`` is the one given."""
        self.bindir = find_bindir()
        self.timezone = timezone
        self.port = free_port()
        self.user = "postgres"
        # Not under pytest's tmp dirs: those are private to the current user, and under root
        # the server runs as another one.
        self.root = Path(tempfile.mkdtemp(prefix="tap-wolkvox-pg-"))
        self.data = self.root / "data"
        self._run_as: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError as missing:
                msg = "running as root and there is no 'postgres' OS user to run the server as"
                raise PostgresUnavailableError(msg) from missing
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._run_as = ["runuser", "-u", "postgres", "--"]

    def _server_command(self, *args: str) -> None:
        done = subprocess.run(
            [*self._run_as, *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            msg = f"{Path(args[0]).name} failed ({done.returncode}): {done.stdout}{done.stderr}"
            raise PostgresUnavailableError(msg)

    def start(self) -> Self:
        """initdb, then start the server and wait until it accepts connections."""
        self._server_command(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            self.user,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            f"-c timezone={self.timezone} -c fsync=off"
        )
        self._server_command(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-o",
            options,
            "start",
        )
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its files."""
        if (self.data / "postmaster.pid").exists():
            pg_ctl = str(self.bindir / "pg_ctl")
            subprocess.run(
                [*self._run_as, pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"],
                capture_output=True,
                check=False,
                timeout=120,
            )
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Self:
        """Start on entering a ``with`` block (and stop again if starting fails half-way)."""
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Stop whatever happened in the block."""
        self.stop()

    def query(self, sql: str, database: str = "postgres") -> list[list[str]]:
        """Run ``sql`` and return its rows as text (``psql --csv``; NULL is the empty string)."""
        done = subprocess.run(
            [
                str(self.bindir / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                database,
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "--csv",
                "-t",
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if done.returncode != 0:
            msg = f"psql failed: {done.stderr.strip()}\n{sql}"
            raise AssertionError(msg)
        return list(csv.reader(io.StringIO(done.stdout)))

    def create_database(self, name: str) -> None:
        """A new empty database."""
        self.query(f'CREATE DATABASE "{name}"')

    def target_config(self, database: str, schema: str) -> dict[str, str]:
        """target-postgres settings for ``database``/``schema``, as TARGET_POSTGRES_* variables."""
        return {
            "TARGET_POSTGRES_HOST": "127.0.0.1",
            "TARGET_POSTGRES_PORT": str(self.port),
            "TARGET_POSTGRES_USER": self.user,
            "TARGET_POSTGRES_PASSWORD": "",
            "TARGET_POSTGRES_DATABASE": database,
            "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema,
        }
