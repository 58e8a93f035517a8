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


#: Modules whose every test is end to end (Meltano, PostgreSQL, the README's commands and
#: examples, the SDK's built-in suite over every stream) or a long simulation (days of polls).
E2E_MODULES = frozenset(
    {
        "test_demo",
        "test_examples",
        "test_meltano",
        "test_meltano_settings",
        "test_no_row_left_behind",
        "test_operations",
        "test_postgres",
        "test_readme_commands",
        "test_sdk_suite",
    }
)
#: Fixtures that make a test end to end: the tap run as a command, a PostgreSQL server.
E2E_FIXTURES = frozenset({"run_tap", "postgres"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the end-to-end tier (``e2e``): plain ``pytest`` leaves it out, ``make test`` runs it.

    A test is end to end by its module or by the fixtures it uses, so that a new test lands in
    the right tier without a marker of its own.
    """
    for item in items:
        module = item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")
        if module in E2E_MODULES or E2E_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


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
