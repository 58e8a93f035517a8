"""Packaging habits: dev tools in a dependency group, locked; typed; described."""

from __future__ import annotations

import re
import sys

from tests.helpers import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # the dev tools need 3.11 (duckdb); mypy also checks this module as 3.10
    import tomli as tomllib

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = (ROOT / "requirements" / "dev.lock").read_text(encoding="utf-8")
PINNED = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)==(?P<version>\S+)", re.MULTILINE)


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_dev_tools_are_a_dependency_group_not_a_published_extra() -> None:
    project = PYPROJECT["project"]
    assert "dev" not in project.get("optional-dependencies", {})
    assert any(tool.startswith("pytest==") for tool in PYPROJECT["dependency-groups"]["dev"])


def test_the_lock_pins_every_tool_of_the_group_as_the_group_does_with_hashes() -> None:
    locked = {normalized(m["name"]): m["version"] for m in PINNED.finditer(LOCK)}
    for requirement in PYPROJECT["dependency-groups"]["dev"]:
        name, _, version = re.split(r"(==|>=)", requirement, maxsplit=1)
        assert normalized(name) in locked, f"{name} is not in requirements/dev.lock: make lock"
        if "==" in requirement:
            assert locked[normalized(name)] == version, f"{name}: make lock"
    # the tap's own dependencies are locked too: the venv installs with --no-deps
    assert "singer-sdk" in locked
    # every pinned package carries its hashes (pip --require-hashes refuses it otherwise)
    for block in re.split(r"\n(?=[A-Za-z])", LOCK.split("\n", 2)[2]):
        assert "--hash=sha256:" in block, block.splitlines()[0]


def test_the_package_says_it_is_typed_and_where_it_belongs() -> None:
    assert (ROOT / "tap_wolkvox" / "py.typed").exists()
    project = PYPROJECT["project"]
    assert "Typing :: Typed" in project["classifiers"]
    assert project["urls"]
