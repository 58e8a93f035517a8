"""The documented examples, run as written. First the CLI one: ``examples/cli/run.sh`` with ``config.json``.

docs/operations.md includes both files verbatim (``scripts/readme.py``; tests/test_readme.py fails when
they drift apart). Here the script runs twice against a sandbox, with the example config
pointed at it (api_url, the sandbox's token, and end_date as where each run stops; the
sandbox's clock, which the tap follows, a day past it), the tap from
this venv and target-jsonl from a venv of its own (Meltano's install of it).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

from tap_wolkvox.sandbox.operation import SampleOperation
from tap_wolkvox.sandbox.server import WolkvoxSimulator
from tests.helpers import ROOT, SERVER_AFTER_END
from tests.meltano_project import SELECTED, loaded_tables, meltano, meltano_env, run_script
from tests.postgres import free_port

EXAMPLE = ROOT / "examples" / "cli"
TOKEN = "cli-example-token"  # noqa: S105 - the simulator's token in this test
STAMP = "%Y-%m-%d %H:%M:%S"
FIRST = dt.datetime(2026, 3, 4, 12, 0)
SECOND = dt.datetime(2026, 3, 4, 18, 0)


@pytest.fixture(scope="module")
def target_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = meltano_env(tmp_path_factory.mktemp("target-jsonl"))
    meltano(["install", "loader", "target-jsonl"], env)
    return ROOT / ".meltano" / "loaders" / "target-jsonl" / "venv" / "bin"


def run_example(workdir: Path, target_bin: Path, config: Path) -> subprocess.CompletedProcess[str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{target_bin}{os.pathsep}{os.environ['PATH']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_WOLKVOX")}
    return subprocess.run(
        ["bash", str(EXAMPLE / "run.sh"), str(config), "interaction_transfers"],
        cwd=workdir,
        env={**env, "PATH": path},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def output_keys(workdir: Path) -> set[tuple[str, str, str, str]]:
    rows = [
        json.loads(line)
        for path in (workdir / "output").glob("interaction_transfers*.jsonl")
        for line in path.read_text().splitlines()
    ]
    return {(r["conn_id"], r["date"], r["transfer_agent_id"], r["receiver_agent_id"]) for r in rows}


def test_the_cli_example_runs_and_resumes(tmp_path: Path, target_bin: Path) -> None:
    clock = {"now": (FIRST + SERVER_AFTER_END).strftime(STAMP)}
    operation = SampleOperation(
        seed=3, history_days=5, live_from=SECOND + dt.timedelta(days=1), live_per_minute=0
    )
    config: dict[str, t.Any] = json.loads((EXAMPLE / "config.json").read_text())
    with WolkvoxSimulator(token=TOKEN, now=lambda: clock["now"]) as sim:
        sim.sources["chat_9"] = operation
        config.update(api_url=sim.url, token=TOKEN, start_date="2026-03-02")
        path = tmp_path / "sandbox-config.json"
        sent: list[int] = []
        for end in (FIRST, SECOND):
            clock["now"] = (end + SERVER_AFTER_END).strftime(STAMP)
            path.write_text(json.dumps({**config, "end_date": end.isoformat()}))
            before = len(sim.requests)
            done = run_example(tmp_path, target_bin, path)
            assert done.returncode == 0, done.stderr
            sent.append(before)
        first_run = sim.requests[sent[0] : sent[1]]
        second_run = sim.requests[sent[1] :]
    # The first run had no state file and started at start_date; it left state.json.
    assert first_run[0].params["date_ini"] == "20260302000000"
    state = json.loads((tmp_path / "state.json").read_text())
    assert set(state["bookmarks"]) == {"interaction_transfers"}
    # The second resumed a second after the first one's end.
    assert [r.params["date_ini"] for r in second_run] == ["20260304120001"]
    # Both runs' rows are in the output, once each (the runs did not overlap).
    expected = {
        (r["conn_id"], r["date"], r["transfer_agent_id"], r["receiver_agent_id"])
        for r in operation.rows(
            "2026-03-02 00:00:00", SECOND.strftime(STAMP), SECOND.strftime(STAMP)
        )
    }
    loaded = output_keys(tmp_path)
    assert len(loaded) == len(expected) > 100
    assert {key[0] for key in loaded} == {key[0] for key in expected}


def test_the_sandbox_example_loads_duckdb(tmp_path: Path) -> None:
    # The example's start date is relative to today, as the sandbox's history is: the one place
    # a test follows the wall clock, through both, which move together.
    database = tmp_path / "wolkvox.duckdb"
    env = meltano_env(
        tmp_path,
        PORT=str(free_port()),
        TARGET_DUCKDB_FILEPATH=str(database),
    )
    # The README's PATH line: wolkvox-sandbox (the tap's venv) beside meltano.
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    meltano(["install", "extractor", "tap-wolkvox"], env)
    meltano(["install", "loader", "target-duckdb"], env)
    run_script(["bash", str(ROOT / "examples" / "sandbox" / "run.sh")], ROOT, env)
    counts = loaded_tables(database)
    assert set(counts) == SELECTED
    assert all(count > 0 for count in counts.values())
