"""Running Meltano in the tests: where it is, a clean environment, one command.

Meltano lives in a venv of its own (``.venv-meltano``, built by ``make venv``) so that its
dependencies and the tap's never constrain each other; it installs the tap and the targets into
venvs of their own under ``.meltano/``. Only those installs are shared between tests: everything a
run writes (the system database, state, output) goes under the test's temporary directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import duckdb
import pytest

from tests.helpers import ROOT

MELTANO_BIN = ROOT / ".venv-meltano" / "bin"
MELTANO = MELTANO_BIN / "meltano"
# Settings that must not leak from the caller's shell into a test's plugins.
PLUGIN_PREFIXES = ("TAP_WOLKVOX", "TARGET_", "MELTANO_")


def meltano_env(workdir: Path, **settings: str) -> dict[str, str]:
    """The caller's environment without plugin settings, a system database in ``workdir``."""
    assert MELTANO.exists(), f"{MELTANO} is missing: `make venv` installs meltano"
    env = {k: v for k, v in os.environ.items() if not k.startswith(PLUGIN_PREFIXES)}
    env.update(
        # meltano's own helpers (uv) are beside it.
        PATH=f"{MELTANO_BIN}{os.pathsep}{env.get('PATH', '')}",
        MELTANO_DATABASE_URI=f"sqlite:///{workdir / 'meltano.db'}",
        MELTANO_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    env.update(settings)
    return env


def meltano(
    args: list[str], env: dict[str, str], *, cwd: Path = ROOT, timeout: float = 600
) -> tuple[str, str]:
    """Run meltano in the project and return its stdout and stderr; fail the test if it fails."""
    done = subprocess.run(
        [str(MELTANO), *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"meltano {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout, done.stderr


#: What a fresh clone has after `make venv` and a first `meltano run`, linked rather than
#: rebuilt (minutes of installs): the two venvs, and Meltano's plugin venvs. A `meltano run`
#: reuses a plugin venv whose install arguments are unchanged (tap-wolkvox's `-e .`), so these
#: links are only read.
INSTALLED = (".venv", ".venv-meltano", ".meltano/extractors", ".meltano/loaders")


def install_plugins() -> None:
    """Install meltano.yml's plugins in the project, once, so that a fresh clone can link them.

    A clone's own `meltano run` would otherwise install them through the links, with the tap
    installed editable from the clone, which is gone after the test.
    """
    missing = [
        name
        for name in INSTALLED
        if name.startswith(".meltano")
        and not all((venv / ".meltano_plugin_fingerprint").exists() for venv in plugin_venvs(name))
    ]
    if missing:
        with tempfile.TemporaryDirectory() as system_database:
            meltano(["install"], meltano_env(Path(system_database)))


def plugin_venvs(kind: str) -> list[Path]:
    """The venvs of meltano.yml's plugins of ``kind`` (``.meltano/extractors`` ...)."""
    names = {
        ".meltano/extractors": ["tap-wolkvox"],
        ".meltano/loaders": ["target-jsonl", "target-postgres", "target-duckdb"],
    }[kind]
    return [ROOT / kind / name / "venv" for name in names]


def fresh_clone(where: Path) -> Path:
    """A copy of the project's files at ``where`` as a fresh clone has them, set up.

        The files are the repository's tracked ones, as they are in the work tree now (so the copy
        holds the change under test), with their times kept: ``make venv`` then finds the venvs
        current, as it does after the set-up command (if they are not, `make venv` in the clone would
    rebuild the project's venvs through the links: check with ``make --question venv``). Nothing a
    run writes (``output/``,
        ``.meltano/meltano.db``) is shared with the project.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (where / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, where / name)
    install_plugins()
    for name in INSTALLED:
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        (where / name).symlink_to(ROOT / name, target_is_directory=True)
    return where


def clone_env(clone: Path, **settings: str) -> dict[str, str]:
    """The environment of a newcomer's shell in ``clone``: the README's PATH line, no settings.

    Meltano keeps its system database (and so the state) in the clone's .meltano/, as it does
    for a user.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(PLUGIN_PREFIXES)}
    env.update(
        PATH=f"{clone / '.venv' / 'bin'}{os.pathsep}{clone / '.venv-meltano' / 'bin'}"
        f"{os.pathsep}{env.get('PATH', '')}",
        MELTANO_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    env.update(settings)
    return env


#: The streams meltano.yml selects: what a `meltano run` of the project loads.
SELECTED = frozenset({"interaction_transfers", "chats", "call_detail_records"})


def run_script(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    """Run a documented script or command lines (``bash ...``); fail the test if it fails."""
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def loaded_tables(database: Path) -> dict[str, int]:
    """The rows of each table in the schema tap_wolkvox of a DuckDB file."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            """SELECT table_name, estimated_size FROM duckdb_tables()
               WHERE schema_name = 'tap_wolkvox'"""
        ).fetchall()
    return {str(name): int(size) for name, size in rows}
