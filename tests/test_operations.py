"""Two Wolkvox operations in one Meltano project, one ``meltano run``, one PostgreSQL.

The project is this repository's meltano.yml plus ``examples/several-operations/
operations.meltano.yml`` included as its README says, in a temporary directory (the plugin
installs are this repository's: MELTANO_SYS_DIR_ROOT). Each operation has a sandbox of its own
with its own token and its own rows; the run loads both, and the test checks that rows, tables
and states stay apart. Clocks are fixed: the sandboxes' by injection (a day past end_date, the
tap following them through the Date header), the tap's reading by end_date.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import typing as t
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.sandbox.generated import generated_sources
from tap_wolkvox.sandbox.operation import SampleOperation
from tap_wolkvox.sandbox.server import WolkvoxSimulator
from tests.helpers import ROOT, SERVER_AFTER_END
from tests.meltano_project import meltano, meltano_env

if t.TYPE_CHECKING:
    from pathlib import Path

    from tests.postgres import PostgresServer

EXAMPLE = ROOT / "examples" / "several-operations" / "operations.meltano.yml"
OPERATIONS = ("bogota", "medellin")
STAMP = "%Y-%m-%d %H:%M:%S"
START = dt.datetime(2026, 3, 1)
END = dt.datetime(2026, 3, 5, 18, 0)
#: The sandboxes' clock (Bogotá wall clock).
SERVER_NOW = (END + SERVER_AFTER_END).strftime("%Y-%m-%d %H:%M:%S")
ZONE = ZoneInfo("America/Bogota")
DATABASE = "operations"


@dataclass
class Operation:
    """One operation's sandbox, its rows and what its pipeline left."""

    name: str
    sim: WolkvoxSimulator
    transfers: SampleOperation
    state: dict[str, t.Any]


def project(tmp: Path) -> Path:
    """A copy of this repository's project that includes the example, as its comment says."""
    directory = tmp / "project"
    directory.mkdir()
    text = (ROOT / "meltano.yml").read_text()
    (directory / "meltano.yml").write_text(text + "\ninclude_paths:\n- ./operations.meltano.yml\n")
    shutil.copy(EXAMPLE, directory / "operations.meltano.yml")
    return directory


@pytest.fixture(scope="module")
def operations(
    postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Operation]:
    tmp = tmp_path_factory.mktemp("operations")
    postgres.create_database(DATABASE)
    postgres.query(f"ALTER DATABASE {DATABASE} SET timezone TO 'UTC'")
    env = meltano_env(tmp, **postgres.target_config(DATABASE, ""))
    # The schema comes from each extractor's load_schema (meltano.yml's default), not from here.
    del env["TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA"]
    meltano(["install", "extractor", "tap-wolkvox"], env)
    meltano(["install", "loader", "target-postgres"], env)
    env.update(
        MELTANO_SYS_DIR_ROOT=str(ROOT / ".meltano"),
        # Shared by both operations: plain TAP_WOLKVOX_* variables.
        TAP_WOLKVOX_START_DATE=START.date().isoformat(),
        TAP_WOLKVOX_END_DATE=END.isoformat(),
    )
    sims: dict[str, Operation] = {}
    for seed, name in enumerate(OPERATIONS, start=1):
        transfers = SampleOperation(
            seed=seed, history_days=10, live_from=END + dt.timedelta(days=1), live_per_minute=0
        )
        sim = WolkvoxSimulator(token=f"token-of-{name}", now=lambda: SERVER_NOW)
        sim.sources.update(generated_sources(REPORTS, START.date(), END.date()))
        sim.sources["chat_9"] = transfers
        sims[name] = Operation(name, sim.start(), transfers, {})
        env[f"WOLKVOX_TOKEN_{name.upper()}"] = sim.token
        # Only because the sandboxes are local: each operation's own URL.
        env[f"TAP_WOLKVOX__{name.upper()}_API_URL"] = sim.url
    try:
        directory = project(tmp)
        bogota, medellin = (f"tap-wolkvox--{name}" for name in OPERATIONS)
        meltano(["run", bogota, "target-postgres", medellin, "target-postgres"], env, cwd=directory)
        state_ids = meltano(["state", "list"], env, cwd=directory)[0].split()
        for name, operation in sims.items():
            state_id = f"dev:tap-wolkvox--{name}-to-target-postgres"
            stored = meltano(["state", "get", state_id], env, cwd=directory)[0]
            operation.state = json.loads(stored)["singer_state"]
    finally:
        for operation in sims.values():
            operation.sim.stop()
    assert sorted(state_ids) == [
        "dev:tap-wolkvox--bogota-to-target-postgres",
        "dev:tap-wolkvox--medellin-to-target-postgres",
    ]
    return sims


def utc(wall: str) -> str:
    local = dt.datetime.strptime(wall, STAMP).replace(tzinfo=ZONE)
    return local.astimezone(dt.timezone.utc).strftime(STAMP)


def test_each_operation_read_with_its_own_token(operations: dict[str, Operation]) -> None:
    for operation in operations.values():
        sent = operation.sim.requests
        assert {r.params["api"] for r in sent} >= {"chat_9"}
        # A token sent to the wrong sandbox would be answered 403.
        assert all(r.status in (200, 404) for r in sent), [r.status for r in sent]


def test_rows_land_apart(operations: dict[str, Operation], postgres: PostgresServer) -> None:
    for name, operation in operations.items():
        rows = postgres.query(
            f"""SELECT conn_id, date::text, transfer_agent_id, receiver_agent_id, operation
                FROM wolkvox_{name}.interaction_transfers""",  # noqa: S608
            DATABASE,
        )
        source = operation.transfers.rows(
            START.strftime(STAMP), END.strftime(STAMP), END.strftime(STAMP)
        )
        expected = {
            (r["conn_id"], utc(r["date"]), r["transfer_agent_id"], r["receiver_agent_id"])
            for r in source
        }
        loaded = [tuple(row[:4]) for row in rows]
        assert len(loaded) == len(set(loaded))
        assert set(loaded) == expected
        # The stream map's column names the operation on every row.
        assert {row[4] for row in rows} == {name}
    (tables,) = postgres.query(
        """SELECT count(DISTINCT table_schema) FROM information_schema.tables
           WHERE table_schema LIKE 'wolkvox_%'""",
        DATABASE,
    )
    assert tables == ["2"]


def test_states_stay_apart(operations: dict[str, Operation]) -> None:
    # One state per operation (the fixture checked `meltano state list`), each complete.
    for operation in operations.values():
        bookmarks = operation.state["bookmarks"]
        assert set(bookmarks) == {"interaction_transfers", "chats", "call_detail_records"}
        resume = dt.datetime.fromisoformat(
            bookmarks["interaction_transfers"]["replication_key_value"]
        )
        assert resume == (END + dt.timedelta(seconds=1)).replace(tzinfo=ZONE)
