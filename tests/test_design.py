"""The rules the code's shape keeps (docs/design.md, "Rules the shape keeps").

Checked from the code itself, so that a change that breaks one fails here rather than in a
review: class chains, hooks, module state, SDK private names, the sandbox's boundary.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import inspect
import pkgutil
import re
import threading
import weakref
from pathlib import Path

import pytest

import tap_wolkvox

PACKAGE = Path(tap_wolkvox.__file__).parent
#: The SDK's private names the tap relies on; only sdk.py may use them (see its docstring).
SDK_PRIVATE = (
    "_tap",
    "_stream_version",
    "_write_state_message",
    "_write_activate_version_message",
    "_increment_stream_state",
    "_generate_record_messages",
    "_config",
    "_env_var_config",
    "_validate_config",
    "_handle_termination",
    "_reset_state_progress_markers",
    "_streams",
    "_request",
    "_prepare_request",
    "_content",
    "_log_metric",
    "_sync_records",
    "_initialized_at",
)


def modules(*, sandbox: bool = False) -> list[str]:
    names = [
        info.name
        for info in pkgutil.walk_packages([str(PACKAGE)], prefix="tap_wolkvox.")
        if (sandbox or ".sandbox" not in info.name) and not info.name.endswith("__main__")
    ]
    return sorted(names)


def source(module: str) -> str:
    path = PACKAGE.joinpath(*module.split(".")[1:])
    file = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return file.read_text()


def own_classes() -> list[type]:
    found = []
    for name in modules():
        module = importlib.import_module(name)
        found += [
            cls for _, cls in inspect.getmembers(module, inspect.isclass) if cls.__module__ == name
        ]
    return found


def test_no_class_chain_holds_more_than_four_of_the_projects_classes() -> None:
    for cls in own_classes():
        ours = [c for c in cls.__mro__ if c.__module__.startswith("tap_wolkvox.")]
        assert len(ours) <= 4, f"{cls.__qualname__}: {[c.__qualname__ for c in ours]}"


def test_no_hook_is_left_to_another_module_to_implement() -> None:
    for name in modules():
        assert "raise NotImplementedError" not in source(name), name


def _is_mutable_state(value: object) -> bool:
    """A lock, a weak cache, or an instance of one of the tap's classes that is not frozen."""
    if isinstance(value, (weakref.WeakKeyDictionary, weakref.WeakValueDictionary)):
        return True
    if isinstance(value, (type(threading.Lock()), threading.Semaphore, threading.local)):
        return True
    if isinstance(value, type) or not type(value).__module__.startswith("tap_wolkvox."):
        return False
    params = getattr(value, "__dataclass_params__", None)
    return not (dataclasses.is_dataclass(value) and params is not None and params.frozen)


def test_no_module_holds_mutable_state_that_carries_a_request() -> None:
    for name in modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if attr.startswith("__") or isinstance(value, enum.Enum):
                continue
            assert not _is_mutable_state(value), f"{name}.{attr}"


@pytest.mark.parametrize("name", [m for m in modules() if m != "tap_wolkvox.sdk"])
def test_sdk_private_names_are_used_only_in_sdk_py(name: str) -> None:
    tree = ast.parse(source(name))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("singer_sdk"):
            assert "._" not in f".{node.module}", f"{name}: imports {node.module}"
            assert not any(alias.name.startswith("_") for alias in node.names), name
        if isinstance(node, ast.Attribute):
            assert node.attr not in SDK_PRIVATE, f"{name}: uses {node.attr}"


def imports_of(name: str) -> set[str]:
    tree = ast.parse(source(name))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {m for m in found if m in set(modules(sandbox=True))}


def test_the_tap_never_crosses_into_the_sandbox() -> None:
    for name in modules():
        assert not any(m.startswith("tap_wolkvox.sandbox") for m in imports_of(name)), name


def test_no_import_circle() -> None:
    graph = {name: imports_of(name) - {name} for name in modules(sandbox=True)}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                if reaches(nxt, goal, seen):
                    return True
        return False

    for name, targets in graph.items():
        for target in targets:
            if target.startswith(f"{name}."):
                continue  # a package's __init__ naming its own module
            assert not reaches(target, name, {target}), f"{name} <-> {target}"


def test_streams_know_the_run_not_the_tap() -> None:
    for name in modules():
        if name.startswith("tap_wolkvox.streams"):
            assert not re.search(r"self\.tap\b(?!_)", source(name)), name
