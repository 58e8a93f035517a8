"""Fixtures: a Wolkvox simulator on loopback, a tap runner, a PostgreSQL server; test tiers.

The helpers they use, and that tests import, are in ``tests/helpers.py``.
"""

from __future__ import annotations

import os
import typing as t

import pytest

from tap_wolkvox.sandbox.server import WolkvoxSimulator
from tests.helpers import TOKEN, TapRunner
from tests.postgres import PostgresServer, PostgresUnavailableError

if t.TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def simulator() -> t.Iterator[WolkvoxSimulator]:
    with WolkvoxSimulator(token=TOKEN, row_cap=60_000, now=lambda: "2025-06-30 23:59:59") as sim:
        yield sim


@pytest.fixture
def run_tap(tmp_path: Path) -> TapRunner:
    return TapRunner(tmp_path)


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
