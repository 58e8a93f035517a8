"""The README's quick start, run as written in a fresh clone, after its set-up command.

The blocks the README marks ``<!-- run: tests/test_readme_commands.py -->`` run in one bash, in
order, in a fresh clone (``tests/meltano_project.py``), from a shell whose PATH has neither
Meltano nor the tap: the README's own PATH line must make its commands work. Only values the
reader is told to replace are replaced: the PostgreSQL server's five settings (the test's own
server, whose default zone is Bogotá) and the sandbox's port (a free one).

Like the sandbox example, this follows the wall clock: the sandbox's history ends at the moment
it starts, and the README's start date is a week before today.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import typing as t
from pathlib import Path

from tests.helpers import ROOT
from tests.meltano_project import (
    PLUGIN_PREFIXES,
    SELECTED,
    fresh_clone,
    loaded_tables,
    run_script,
)
from tests.postgres import free_port

if t.TYPE_CHECKING:
    from tests.postgres import PostgresServer

MARK = "<!-- run: tests/test_readme_commands.py -->"
BLOCK = re.compile(re.escape(MARK) + r"\n```bash\n(?P<commands>.*?)```", re.DOTALL)
POSTGRES_SETTING = re.compile(r"TARGET_POSTGRES_(?P<name>[A-Z]+)=\S+")
#: What the README's PATH line puts on PATH.
COMMANDS = ("meltano", "tap-wolkvox", "wolkvox-sandbox")


def quick_start() -> list[str]:
    return BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def for_this_machine(commands: str, server: PostgresServer, database: str) -> str:
    """``commands`` with the reader's own values: this test's server, a free port."""
    names = set(POSTGRES_SETTING.findall(commands))
    assert names in (set(), {"HOST", "PORT", "USER", "PASSWORD", "DATABASE"}), names
    values = {
        "HOST": "127.0.0.1",
        "PORT": str(server.port),
        "USER": server.user,
        "PASSWORD": "''",
        "DATABASE": database,
    }
    commands = POSTGRES_SETTING.sub(
        lambda m: f"TARGET_POSTGRES_{m['name']}={values[m['name']]}", commands
    )
    return commands.replace("8765", str(free_port()))


def newcomers_shell() -> dict[str, str]:
    """This machine's environment, without the README's commands on PATH or plugin settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PLUGIN_PREFIXES)}
    env["PATH"] = os.pathsep.join(
        part
        for part in env.get("PATH", "").split(os.pathsep)
        if not any((Path(part) / command).exists() for command in COMMANDS)
    )
    env["MELTANO_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    return env


def test_the_quick_start_runs_as_written(tmp_path: Path, postgres: PostgresServer) -> None:
    blocks = quick_start()
    assert len(blocks) == 3, "the README marks the set-up, DuckDB and PostgreSQL blocks"
    assert blocks[0].splitlines()[0].startswith("make venv")
    clone = fresh_clone(tmp_path / "tap-wolkvox")
    env = newcomers_shell()
    # The venvs are the project's own, linked: its set-up command must find nothing to do.
    ready = subprocess.run(["make", "--question", "venv"], cwd=clone, env=env, check=False)
    assert ready.returncode == 0, "run `make venv` in the project first"
    bare = subprocess.run(["bash", "-c", "command -v meltano"], env=env, check=False)
    assert bare.returncode != 0, "meltano is on this shell's PATH already: nothing would be tested"

    postgres.create_database("readme")
    script = "\n".join(
        [
            "set -euo pipefail",
            "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT",  # the sandbox, if a step fails
            *(for_this_machine(block, postgres, "readme") for block in blocks),
        ]
    )
    run_script(["bash", "-c", script], clone, env)
    tables = loaded_tables(clone / "output" / "wolkvox.duckdb")
    assert set(tables) == SELECTED
    assert all(rows > 0 for rows in tables.values()), tables

    ((count, latest),) = postgres.query(
        "SELECT count(*), max(date)::text FROM tap_wolkvox.interaction_transfers", "readme"
    )
    assert int(count) > 0
    # Stored in UTC although the server's zone is Bogotá: the latest transfer is minutes old in
    # UTC (in Bogotá's wall clock it would read five hours earlier).
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    age = now - dt.datetime.fromisoformat(latest)
    assert dt.timedelta(0) <= age < dt.timedelta(hours=1), (latest, now)
