"""The documentation's generated parts are current, its links lead somewhere, CI runs its test.

The tables (settings from --about in README.md, streams from the catalog in docs/streams.md)
and the examples included verbatim are checked by ``scripts/readme.py --check``.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import typing as t

from tests.helpers import ROOT

if t.TYPE_CHECKING:
    from pathlib import Path

_SPEC = importlib.util.spec_from_file_location("readme_script", ROOT / "scripts" / "readme.py")
assert _SPEC is not None
assert _SPEC.loader is not None
readme_script = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(readme_script)
DOCUMENTS: tuple[Path, ...] = readme_script.DOCUMENTS
TABLES: dict[str, Path] = readme_script.TABLES

LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")
HEADING = re.compile(r"^#+ (?P<title>.+)$", re.MULTILINE)


def test_the_generated_parts_are_current() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "readme.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_each_table_is_in_the_one_file_that_holds_it() -> None:
    for name, holder in TABLES.items():
        holding = [doc for doc in DOCUMENTS if f"<!-- {name}:start -->" in doc.read_text()]
        assert holding == [holder], name


def anchor(title: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def test_every_relative_link_leads_to_a_file_and_heading() -> None:
    for doc in DOCUMENTS:
        text = doc.read_text(encoding="utf-8")
        for link in LINK.finditer(text):
            target = link["target"]
            if target.startswith(("http://", "https://")):
                continue
            path, _, fragment = target.partition("#")
            file = (doc.parent / path).resolve() if path else doc
            assert file.exists(), f"{doc.name}: {target}"
            if fragment:
                titles = HEADING.findall(file.read_text(encoding="utf-8"))
                assert fragment in {anchor(title) for title in titles}, f"{doc.name}: {target}"


def test_ci_runs_the_test_command_the_readme_gives() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (command,) = re.findall(r"^(make test)\s+#", readme, re.MULTILINE)
    ci = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert ci[-1] == command
