"""A sync builds only what it reads, and the command imports only what a tap run uses (issue 23).

A sync's catalog is cut to its selected entries before the SDK parses it (run/inputs.py,
``catalog_for_sync``), so only those streams are built and registered with the stream-map
engine; the command leaves singer-sdk's target and BATCH imports for later (cli.py, seam T10).
"""

from __future__ import annotations

import ast
import copy
import subprocess
import sys
import typing as t
from pathlib import Path

import backoff
import pytest
import singer_sdk
from singer_sdk.singerlib import Catalog

from tap_wolkvox.cli import UNUSED
from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.declarations.information import DIMENSIONS, INFORMATION_REPORTS
from tap_wolkvox.declarations.realtime import SNAPSHOTS
from tap_wolkvox.run.budget import NEXT_RUN_STARTS_WITH
from tap_wolkvox.run.inputs import catalog_for_sync
from tap_wolkvox.sdk import entry_selected
from tap_wolkvox.streams import NEEDS, stream_names
from tap_wolkvox.tap import TapWolkvox
from tests.helpers import (
    Q1,
    TOKEN,
    Clock,
    TapRunner,
    base_config,
    catalog_selecting,
    run_in_process,
    spread,
)

if t.TYPE_CHECKING:
    from tap_wolkvox.sandbox.server import WolkvoxSimulator

TRANSFERS = "interaction_transfers"
CHATS = "chats"
CDR = "call_detail_records"
WALL = "2025-04-01 08:00:00"
DISCOVERY = {"token": TOKEN, "api_url": "http://127.0.0.1:1", "start_date": "2025-01-01"}


def root(**metadata: t.Any) -> dict[str, t.Any]:
    return {"breadcrumb": [], "metadata": metadata}


def prop(name: str, **metadata: t.Any) -> dict[str, t.Any]:
    return {"breadcrumb": ["properties", name], "metadata": metadata}


def entry(name: str, *metadata: dict[str, t.Any], **more: t.Any) -> dict[str, t.Any]:
    schema = {"type": "object", "properties": {"a": {"type": ["string", "null"]}}}
    return {
        "tap_stream_id": name,
        "stream": name,
        "schema": schema,
        "metadata": [*metadata],
        **more,
    }


# -- the SDK's selection rule, read from metadata alone (T9) -----------------------------------

METADATA_KINDS: dict[str, list[dict[str, t.Any]]] = {
    "selected": [root(selected=True)],
    "deselected": [root(selected=False)],
    "selected by default": [root(**{"selected-by-default": True})],
    "deselected by default": [root(**{"selected-by-default": False})],
    "selected over its default": [root(selected=True, **{"selected-by-default": False})],
    "deselected over its default": [root(selected=False, **{"selected-by-default": True})],
    "automatic": [root(inclusion="automatic", selected=False)],
    "unsupported": [root(inclusion="unsupported", selected=True)],
    "no selection said": [root(inclusion="available")],
    "no metadata": [],
    "only a property's": [prop("a", selected=True)],
    "a property deselected": [root(selected=True), prop("a", selected=False)],
    "the stream's after a property's": [prop("a", selected=True), root(selected=True)],
}


@pytest.mark.parametrize("kind", METADATA_KINDS)
def test_an_entry_is_selected_as_the_sdk_reads_it(kind: str) -> None:
    metadata = METADATA_KINDS[kind]
    parsed = Catalog.from_dict({"streams": [entry("s", *copy.deepcopy(metadata))]})
    assert entry_selected(metadata) is parsed["s"].metadata.resolve_selection()[()]


# -- the catalog a sync reads ------------------------------------------------------------------


def test_the_catalog_is_cut_to_what_the_sync_reads() -> None:
    catalog = {
        "streams": [
            entry(TRANSFERS, root(selected=True)),
            entry(CHATS, root(selected=False)),
            entry("skill_agents", root(selected=True)),
            entry("skills", root(selected=False)),
            entry("agents", root(selected=False)),
            entry("no_metadata"),  # the SDK selects a stream without metadata
            "not an entry",  # left for the SDK to refuse
            {"stream": "no id"},
        ]
    }
    cut = catalog_for_sync(catalog, entry_selected, NEEDS)
    names = [e.get("tap_stream_id") if isinstance(e, dict) else e for e in cut["streams"]]
    assert names == [TRANSFERS, "skill_agents", "skills", "no_metadata", "not an entry", None]


def test_the_replication_method_chosen_in_metadata_is_made_effective_on_a_copy() -> None:
    chosen = entry(TRANSFERS, root(selected=True, **{"replication-method": "FULL_TABLE"}))
    chosen["replication_method"] = "INCREMENTAL"
    same = entry(CHATS, root(selected=True, **{"replication-method": "INCREMENTAL"}))
    same["replication_method"] = "INCREMENTAL"
    catalog = {"streams": [chosen, same]}
    before = copy.deepcopy(catalog)
    cut = catalog_for_sync(catalog, entry_selected, NEEDS)
    assert [e["replication_method"] for e in cut["streams"]] == ["FULL_TABLE", "INCREMENTAL"]
    assert catalog == before  # the caller's catalog is left as it was
    assert cut["streams"][1] is same  # an entry the method does not change is not copied


def test_a_sync_builds_and_registers_only_the_selected_streams(
    simulator: WolkvoxSimulator,
) -> None:
    catalog = catalog_selecting(TRANSFERS, "agents")
    before = copy.deepcopy(catalog)
    tap = TapWolkvox(config=base_config(simulator), catalog=catalog)
    assert list(tap.streams) == ["agents", TRANSFERS]
    assert all(stream.selected for stream in tap.streams.values())
    assert set(tap.mapper.stream_maps) == {"agents", TRANSFERS}
    assert catalog == before


def test_skill_agents_brings_the_skills_it_reads_unselected(simulator: WolkvoxSimulator) -> None:
    tap = TapWolkvox(config=base_config(simulator), catalog=catalog_selecting("skill_agents"))
    assert {name: s.selected for name, s in tap.streams.items()} == {
        "skill_agents": True,
        "skills": False,
    }


def test_the_snapshots_are_built_alone(simulator: WolkvoxSimulator) -> None:
    # realtime_skills asks for skill_ids' skills itself: neither skills nor skill_agents comes
    config = base_config(simulator, skill_ids=["3001", "3002"])
    tap = TapWolkvox(config=config, catalog=catalog_selecting("realtime_skills", "realtime_agents"))
    assert {name: s.selected for name, s in tap.streams.items()} == {
        "realtime_agents": True,
        "realtime_skills": True,
    }
    assert not {s.stream for s in SNAPSHOTS} & {*NEEDS, *NEEDS.values()}
    run = run_in_process(config, clock=Clock(WALL), streams=["realtime_skills"])
    assert run.returncode == 0, run.stderr
    assert [r.params for r in simulator.requests] == [
        {"api": "skills", "skill_id": skill_id} for skill_id in ("3001", "3002")
    ]
    assert {m["stream"] for m in run.messages if m["type"] == "SCHEMA"} == {"realtime_skills"}


def test_discovery_builds_every_stream() -> None:
    tap = TapWolkvox(config=DISCOVERY, setup_mapper=False)
    count = len(REPORTS) + len(DIMENSIONS) + len(INFORMATION_REPORTS) + len(SNAPSHOTS)
    assert len(tap.catalog_dict["streams"]) == len(tap.streams) == count
    assert list(tap.streams) == stream_names()


def test_a_stream_the_run_does_not_read_keeps_its_state_unread(
    simulator: WolkvoxSimulator,
) -> None:
    simulator.set_rows("chat_9", spread(20, *Q1))
    # A bookmark the tap could not resume from: the stream would drop it, with a warning.
    kept = {"replication_key": "date", "replication_key_value": "last tuesday"}
    state = {"bookmarks": {CHATS: kept}}
    run = run_in_process(base_config(simulator), state, clock=Clock(WALL), streams=[TRANSFERS])
    assert run.returncode == 0, run.stderr
    assert run.final_state["bookmarks"][CHATS] == kept
    assert "last tuesday" not in run.stderr


def test_the_next_run_starts_where_it_would_with_every_stream_built(
    simulator: WolkvoxSimulator,
) -> None:
    # The streams run in name order, rotated to start with the state's next_run_starts_with;
    # one no longer selected (chats) is passed over to the next selected one in that order.
    for report in ("chat_9", "cdr_1"):
        simulator.set_rows(report, [])
    state = {NEXT_RUN_STARTS_WITH: CHATS, "bookmarks": {}}
    run = run_in_process(base_config(simulator), state, clock=Clock(WALL), streams=[TRANSFERS, CDR])
    assert run.returncode == 0, run.stderr
    schemas = [m["stream"] for m in run.messages if m["type"] == "SCHEMA"]
    assert schemas == [TRANSFERS, CDR]
    assert sorted([CDR, CHATS, TRANSFERS]) == [CDR, CHATS, TRANSFERS]


# -- what the command imports (T10) ------------------------------------------------------------


def test_a_sync_through_the_command_imports_nothing_a_tap_never_uses(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", spread(200, *Q1))
    run = run_tap(base_config(simulator), env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert run.returncode == 0, run.stderr
    assert sum(m["type"] == "RECORD" for m in run.messages) == 200
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in run.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert {"singer_sdk", "requests", "msgspec"} <= imported  # the measure works
    top_level = {name.split(".")[0] for name in imported}
    assert not top_level & {*UNUSED, "fsspec"}


STAND_INS = """
import sys
from tap_wolkvox.cli import Deferred, defer_unused_imports

defer_unused_imports()
import asyncio
import singer_sdk.helpers._batch as batch
import singer_sdk.target_base as target

assert all(isinstance(sys.modules[name], Deferred) for name in ("upath", "joblib", "asyncio"))
# A name handed out at import is the real one once used.
path = batch.UPath("/tmp")
import upath

assert not isinstance(sys.modules["upath"], Deferred)
assert isinstance(path, upath.UPath), type(path)
assert target.delayed(len)([1, 2])[0] is len
import joblib

assert joblib.Parallel(n_jobs=1)(joblib.delayed(abs)(n) for n in (-1, -2)) == [1, 2]
# A submodule of a stand-in, imported by the real package or not.
import asyncio.events
import joblib.externals.loky.backend.context

assert asyncio.events.get_event_loop_policy() is not None
assert asyncio.run(asyncio.sleep(0, "slept")) == "slept"
assert asyncio.events.__spec__.name == "asyncio.events"
print("ok")
"""


def test_a_stand_in_becomes_the_real_module_when_used() -> None:
    done = subprocess.run(
        [sys.executable, "-c", STAND_INS], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (0, "ok\n"), done.stderr


def module_level_imports(path: Path, modules: set[str]) -> set[tuple[str, str]]:
    """(module, name) of every module-level ``import``/``from ... import`` of ``modules``."""
    taken: set[tuple[str, str]] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            top = node.module.split(".")[0]
            if top in modules:
                taken |= {(node.module, alias.name) for alias in node.names}
        elif isinstance(node, ast.Import):
            taken |= {(a.name, "") for a in node.names if a.name.split(".")[0] in modules}
    return taken


def test_the_sdk_takes_only_the_handed_out_names_from_the_deferred_modules() -> None:
    sources = [
        *Path(singer_sdk.__file__).parent.rglob("*.py"),
        *Path(backoff.__file__).parent.rglob("*.py"),
    ]
    taken: set[tuple[str, str]] = set()
    for source in sources:
        if {"testing", "contrib", "sql"} & set(source.parts):
            continue  # not imported by a tap run (the first test above shows it)
        taken |= module_level_imports(source, set(UNUSED))
    allowed = {(module, name) for module, names in UNUSED.items() for name in names}
    allowed |= {(module, "") for module in UNUSED}  # a plain `import module` takes nothing
    assert taken <= allowed
    assert taken  # the scan sees them
