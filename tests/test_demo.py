"""`make demo` never touches the user's data: a user's load, the demo, the user's load again.

In a fresh clone (``tests/meltano_project.py``), a user loads ``chats`` from a Wolkvox (here a
simulator with a fixed clock) into DuckDB with the ordinary ``dev`` environment, as the README
says. Then the demo runs (its own sandbox, its own environment). Then the user loads again. The
user's database still holds every row of the first load, the user's state is as the first load
left it, and the second load resumes from it: it asks only for what came after, and the table
then holds both loads' rows, each once.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import typing as t

import duckdb
import pytest

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.sandbox.generated import GeneratedEvents
from tap_wolkvox.sandbox.server import WolkvoxSimulator
from tests.helpers import SERVER_AFTER_END
from tests.meltano_project import MELTANO, clone_env, fresh_clone

if t.TYPE_CHECKING:
    from pathlib import Path

    from tap_wolkvox.sandbox.api import RequestRecord

TOKEN = "users-own-token"  # noqa: S105 - the simulator's token in this test
STAMP = "%Y-%m-%d %H:%M:%S"
CHATS = next(report for report in REPORTS if report.stream == "chats")
STATE_ID = "dev:tap-wolkvox-to-target-duckdb"
START = dt.date(2026, 2, 1)
FIRST = dt.datetime(2026, 3, 1, 23, 59, 59)
SECOND = dt.datetime(2026, 3, 10, 23, 59, 59)


def run(clone: Path, args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        args, cwd=clone, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def chats_rows(clone: Path) -> set[tuple[str, str]]:
    with duckdb.connect(str(clone / "output" / "wolkvox.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT conn_id, agent_id FROM tap_wolkvox.chats").fetchall()
    keys = {(str(conn_id), str(agent_id)) for conn_id, agent_id in rows}
    assert len(keys) == len(rows)
    return keys


def user_state(clone: Path, env: dict[str, str]) -> dict[str, t.Any]:
    return t.cast(
        "dict[str, t.Any]", json.loads(run(clone, [str(MELTANO), "state", "get", STATE_ID], env))
    )


def test_the_demo_leaves_the_users_rows_and_state_alone(tmp_path: Path) -> None:
    clone = fresh_clone(tmp_path / "tap-wolkvox")
    clock = {"now": (FIRST + SERVER_AFTER_END).strftime(STAMP)}
    with WolkvoxSimulator(token=TOKEN, now=lambda: clock["now"]) as sim:
        source = GeneratedEvents(CHATS, START, SECOND.date())
        sim.sources["chat_1"] = source
        user = clone_env(
            clone,
            TAP_WOLKVOX_API_URL=sim.url,
            TAP_WOLKVOX_TOKEN=TOKEN,
            TAP_WOLKVOX_START_DATE=START.isoformat(),
            TAP_WOLKVOX__SELECT='["chats.*"]',
        )
        sent: list[list[RequestRecord]] = []

        def load(end: dt.datetime) -> None:
            clock["now"] = (end + SERVER_AFTER_END).strftime(STAMP)
            before = len(sim.requests)
            env = {**user, "TAP_WOLKVOX_END_DATE": end.isoformat()}
            run(clone, [str(MELTANO), "run", "tap-wolkvox", "target-duckdb"], env)
            sent.append(sim.requests[before:])

        load(FIRST)
        first_rows = chats_rows(clone)
        first_state = user_state(clone, user)
        assert (
            len(first_rows) == len(source.rows(f"{START} 00:00:00", FIRST.strftime(STAMP), "~")) > 0
        )

        # The demo, as `make demo` runs it (a short pause: the second run finds fewer rows anyway).
        demo = run(
            clone, [str(clone / ".venv/bin/python"), "scripts/demo.py", "--pause", "2"], user
        )
        assert "REPORT" in demo
        assert chats_rows(clone) == first_rows
        assert user_state(clone, user) == first_state
        assert (clone / "output" / "demo.duckdb").exists()
        load(SECOND)

    # The second load resumed where the first one stopped, a second after its end_date...
    resumed = [r.params["date_ini"] for r in sent[1] if r.params["api"] == "chat_1"]
    assert resumed == [(FIRST + dt.timedelta(seconds=1)).strftime("%Y%m%d%H%M%S")]
    # ... and the table holds both loads' rows, each once.
    expected = source.rows(f"{START} 00:00:00", SECOND.strftime(STAMP), "~")
    assert chats_rows(clone) > first_rows
    assert len(chats_rows(clone)) == len(expected)


@pytest.fixture(autouse=True)
def _no_sandbox_left(tmp_path: Path) -> t.Iterator[None]:
    yield
    # The demo stops its sandbox whatever happens; a leftover would hold a port.
    leftover = subprocess.run(
        ["pgrep", "-f", f"{tmp_path}/tap-wolkvox/.venv/bin/wolkvox-sandbox"],
        capture_output=True,
        check=False,
    )
    assert leftover.returncode == 1, "the demo left its sandbox running"
