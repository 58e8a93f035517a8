"""Running Meltano in the tests: where it is, a clean environment, one command.

Meltano lives in a venv of its own (``.venv-meltano``, built by ``make venv``) so that its
dependencies and the tap's never constrain each other; it installs the tap and the targets into
venvs of their own under ``.meltano/``. Only those installs are shared between tests: everything a
run writes (the system database, state, output) goes under the test's temporary directory.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
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
