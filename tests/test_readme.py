"""The README's generated tables match the tap."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_tables_are_current() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "readme.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_readme_settings_table_is_what_about_prints() -> None:
    about = subprocess.run(
        [sys.executable, "-m", "tap_wolkvox", "--about", "--format=markdown"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in about.splitlines():
        if line.startswith("| ") and "|" in line[2:]:
            assert line in readme, line
