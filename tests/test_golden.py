"""Golden outputs: the exact Singer lines of a spread of runs, kept to guard restructurings.

Each scenario runs the tap in this process against the simulator, with one injected clock for
both, seeded data and seeded reply order, so that its output repeats byte for byte. What it
printed (every stdout line, then the exit code, the one-sentence error if any and the run
summary) is compared with ``tests/golden/<scenario>.txt``.

A golden file changes only in a commit whose message says which behaviour changed and why.
To rewrite them after such a change: ``GOLDEN_UPDATE=1 .venv/bin/python -m pytest
tests/test_golden.py``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import typing as t
from pathlib import Path

import pytest

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.replies import bodies
from tap_wolkvox.replies.errors import WolkvoxError
from tap_wolkvox.run.stops import RunStopped
from tap_wolkvox.run.summary import read_run_summary
from tap_wolkvox.sandbox.generated import generated_sources
from tap_wolkvox.sandbox.operation import SampleOperation
from tap_wolkvox.sandbox.server import Fault, WolkvoxSimulator
from tap_wolkvox.tap import TapWolkvox
from tests.helpers import TOKEN, Clock, catalog_selecting, in_process

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterator

GOLDEN = Path(__file__).parent / "golden"
NOW = "2025-06-30 12:00:00"  # the operation's wall clock (Bogotá) when a scenario starts
FIRST_DAY = dt.date(2025, 6, 26)
BY_API = {report.api: report for report in REPORTS}


@dataclasses.dataclass
class Scene:
    """One scenario: its simulator, clock and the runs it makes."""

    sim: WolkvoxSimulator
    clock: Clock
    lines: list[str] = dataclasses.field(default_factory=list)

    def config(self, **overrides: t.Any) -> dict[str, t.Any]:
        config: dict[str, t.Any] = {
            "token": TOKEN,
            "api_url": self.sim.url,
            "start_date": FIRST_DAY.isoformat(),
            "retry_wait_seconds": 0.001,
            "request_timeout": 5,
        }
        config.update(overrides)
        return config

    def run(
        self,
        streams: t.Sequence[str],
        state: dict[str, t.Any] | None = None,
        catalog: dict[str, t.Any] | None = None,
        **config: t.Any,
    ) -> dict[str, t.Any] | None:
        """Run the tap once; its output joins the scenario's. Returns its last STATE."""
        stdout, returncode, stderr = _sync(
            self.config(**config),
            state,
            catalog if catalog is not None else catalog_selecting(*streams),
            self.clock,
        )
        self.lines.append(f"# run {sum(1 for x in self.lines if x.startswith('# run')) + 1}")
        # The simulator's port changes from run to run.
        self.lines += stdout.replace(self.sim.url, "<sandbox>").splitlines()
        self.lines.append(f"# returncode {returncode}")
        errors = [line for line in stderr.splitlines() if line.startswith("ERROR | ")]
        self.lines += [
            f"# error {line.removeprefix('ERROR | ').replace(self.sim.url, '<sandbox>')}"
            for line in errors[-1:]
        ]
        summary = read_run_summary(stderr)
        if summary is not None:
            self.lines.append(f"# summary {json.dumps(summary, sort_keys=True)}")
        states = [json.loads(x) for x in stdout.splitlines() if x.startswith('{"type":"STATE"')]
        return states[-1]["value"] if states else state


def _sync(
    config: dict[str, t.Any],
    state: dict[str, t.Any] | None,
    catalog: dict[str, t.Any],
    clock: Clock,
) -> tuple[str, int, str]:
    """One sync in this process, ended the way the command ends it (exit code and sentence)."""
    returncode = 0
    with in_process() as capture:
        try:
            tap = TapWolkvox(config=config, state=state, catalog=catalog, utc_now=clock.utc_now)
            tap.sync_all()
        except RunStopped as stop:
            stop.flush_state()
            returncode = stop.exit_code
            capture.log.write(f"{'ERROR' if stop.exit_code else 'WARNING'} | {stop.message}\n")
        except WolkvoxError as exc:
            capture.log.write(f"ERROR | {exc}\n")
            returncode = 1
    return capture.stdout(), returncode, capture.log.getvalue()


@contextlib.contextmanager
def scene(**simulator: t.Any) -> Iterator[Scene]:
    clock = Clock(NOW)
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now, seed=3, **simulator) as sim:
        yield Scene(sim, clock)


def _transfers(sim: WolkvoxSimulator, clock: Clock) -> None:
    sim.sources["chat_9"] = SampleOperation(
        seed=7, history_days=4, live_from=clock.wall, live_per_minute=2
    )


def _generated(sim: WolkvoxSimulator, *apis: str, shapes: t.Any = "declared") -> None:
    reports = [BY_API[api] for api in apis] if apis else list(REPORTS)
    sim.sources.update(generated_sources(reports, FIRST_DAY, dt.date(2025, 6, 30), shapes=shapes))


def _with_metadata(catalog: dict[str, t.Any], stream: str, **metadata: t.Any) -> dict[str, t.Any]:
    for entry in catalog["streams"]:
        if entry["tap_stream_id"] == stream:
            for item in entry["metadata"]:
                if item["breadcrumb"] == []:
                    item["metadata"].update(metadata)
    return catalog


def _deselect_property(catalog: dict[str, t.Any], stream: str, name: str) -> dict[str, t.Any]:
    for entry in catalog["streams"]:
        if entry["tap_stream_id"] == stream:
            for item in entry["metadata"]:
                if item["breadcrumb"] == ["properties", name]:
                    item["metadata"]["selected"] = False
    return catalog


# -- the scenarios -----------------------------------------------------------------------------


def event_backfill_and_polls(s: Scene) -> None:
    """Event grain: a backfill in windows, then polls five minutes apart, resuming from STATE."""
    _transfers(s.sim, s.clock)
    _generated(s.sim, "cdr_1", "chat_1")
    streams = ("interaction_transfers", "call_detail_records", "chats")
    state = s.run(streams, window_days=2)
    for _ in range(2):
        s.clock.advance(minutes=5)
        state = s.run(streams, state, window_days=2)


def event_cap_splits(s: Scene) -> None:
    """Replies at the row cap are split in halves and read again; windows sized from density."""
    s.sim.row_cap = 40
    _transfers(s.sim, s.clock)
    s.run(("interaction_transfers",), max_rows_per_request=40)


def daily_snapshots(s: Scene) -> None:
    """Daily grain: one day per request, partitions per skill, buckets; a next-day resume."""
    _generated(s.sim, "agent_1", "skill_1", "cdr_4", "act_5")
    streams = (
        "agent_daily_performance",
        "skill_daily_service_levels",
        "daily_calls_by_duration_bucket",
        "daily_calls_by_disposition",
    )
    state = s.run(streams, skill_ids=["3001", "3002"])
    s.clock.advance(hours=13)
    s.run(streams, state, skill_ids=["3001", "3002"])


def dimensions(s: Scene) -> None:
    """Whole-list grain: every information.php table, read whole, ACTIVATE_VERSION after."""
    s.run(
        (
            "agents",
            "skills",
            "skill_agents",
            "campaigns",
            "routing_points",
            "services",
            "connectors",
            "activity_codes",
            "token_usage",
        )
    )
    s.run(("skill_agents",), skill_ids=["3002"])


def information_logs(s: Scene) -> None:
    """The information.php event streams: the audit log and the manager's notifications."""
    state = s.run(("audit_log", "manager_notifications"))
    s.clock.advance(minutes=30)
    s.run(("audit_log", "manager_notifications"), state)


def faults_retried_then_stopped(s: Scene) -> None:
    """Transient faults are retried; a foreign 404 page stops the run, bookmarks kept."""
    _transfers(s.sim, s.clock)
    s.sim.schedule(
        Fault.http(500),
        Fault.http(429, "TOO MANY REQUESTS"),
        Fault.bad_json(),
        Fault.maintenance(),
        Fault.http(403, "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)"),
    )
    s.run(("interaction_transfers",), window_days=1)
    s.sim.schedule(Fault.page(404), after=1)
    s.run(("interaction_transfers",), window_days=1)


def fatal_answers(s: Scene) -> None:
    """Quota, a rejected token and a missing report end the run with one sentence."""
    _transfers(s.sim, s.clock)
    s.sim.schedule(Fault.http(403, "TOKEN LIMIT EXCEEDED"), after=2)
    s.run(("interaction_transfers",), window_days=1)
    s.sim.schedule(Fault.http(403, "PLEASE VALIDATE TOKEN"))
    s.run(("interaction_transfers",))
    s.sim.unavailable["chat_1"] = 400
    _generated(s.sim, "chat_1")
    s.run(("interaction_transfers", "chats"))


def odd_replies(s: Scene) -> None:
    """Replies that are almost right: BOM, null entries, bad UTF-8, keyed objects, drift."""
    wrap = '{{"code":"200","error":null,"msg":"{n} records were found","data":{data}}}'
    stamp = "2025-06-27 10:00:0{}"
    rows = [
        f'{{"conn_id":"A{i}","transfer_agent_id":"1201","transfer_agent_name":"Ana",'
        f'"receiver_agent_id":"3001","receiver_agent_name":"SKILL","channel":"email",'
        f'"date":"{stamp.format(i)}"}}'
        for i in range(3)
    ]
    bodies_sent = [
        b"\xef\xbb\xbf" + wrap.format(n=3, data=f"[{','.join(rows)}]").encode(),
        wrap.format(n=4, data=f"[{rows[0]},null,{rows[1]},{rows[2]}]").encode(),
        wrap.format(n=1, data=f"[{rows[0]}]").encode().replace(b"Ana", b"An\xe9"),
        wrap.format(
            n=1,
            data='[{"conn_id":"B1","date":"2025-06-27 11:00:00","channel":"chat",'
            '"brand_new":"x","transfer_agent_id":7,"receiver_agent_id":true}]',
        ).encode(),
        wrap.format(n=1, data='[{"conn_id":"C1","date":"yesterday","channel":"-"}]').encode(),
    ]
    s.sim.schedule(*(Fault.raw(200, body) for body in bodies_sent))
    s.run(("interaction_transfers",), window_days=1, start_date="2025-06-26")


def sample_shapes(s: Scene) -> None:
    """Replies spelled as the vendor's samples: aliases, extras, buckets, nested lists."""
    apis = ("chat_13", "cdr_4", "chat_2", "agent_1", "diagram_8", "chat_1", "agent_15")
    _generated(s.sim, *apis, shapes="sample")
    s.run(tuple(BY_API[api].stream for api in apis), start_date="2025-06-29")


def every_report(s: Scene) -> None:
    """All 104 reports over one day, as the tap declares them."""
    _generated(s.sim)
    s.run(tuple(report.stream for report in REPORTS), start_date="2025-06-30", agent_ids=["1201"])


def catalog_choices(s: Scene) -> None:
    """FULL_TABLE from the catalog's metadata, and a deselected property (the SDK's path)."""
    _transfers(s.sim, s.clock)
    state = s.run(("interaction_transfers",))
    s.clock.advance(minutes=5)
    catalog = _with_metadata(
        catalog_selecting("interaction_transfers"),
        "interaction_transfers",
        **{"replication-method": "FULL_TABLE"},
    )
    s.run((), state, catalog=catalog, start_date="2025-06-29")
    catalog = _deselect_property(
        catalog_selecting("interaction_transfers"), "interaction_transfers", "channel"
    )
    s.run((), state, catalog=catalog)


def stream_maps(s: Scene) -> None:
    """Stream maps: a column for every stream, a hashed and a removed property, an alias."""
    _transfers(s.sim, s.clock)
    _generated(s.sim, "agent_1")
    s.run(
        ("interaction_transfers", "agent_daily_performance"),
        start_date="2025-06-29",
        stream_map_config={"operation": "bogota"},
        stream_maps={
            "*": {"operation": "config['operation']"},
            "interaction_transfers": {
                "transfer_agent_name": "md5(transfer_agent_name)",
                "channel": None,
            },
            "agent_daily_performance": {"__alias__": "agent_days"},
        },
    )


def request_budget(s: Scene) -> None:
    """A budget per run stops cleanly; the next run continues from its STATE."""
    _transfers(s.sim, s.clock)
    _generated(s.sim, "agent_1")
    streams = ("interaction_transfers", "agent_daily_performance")
    state = s.run(streams, max_requests_per_run=3, window_days=1)
    s.run(streams, state, max_requests_per_run=3, window_days=1)


def spilled_replies(s: Scene) -> None:
    """Bodies past the spill threshold are read as a stream: same records."""
    _transfers(s.sim, s.clock)
    _generated(s.sim, "chat_2")
    with _spill_at(300):
        s.run(("interaction_transfers", "chat_conversations"), start_date="2025-06-29")


def state_edges(s: Scene) -> None:
    """Unreadable, foreign and zone-changed bookmarks in the incoming STATE."""
    _transfers(s.sim, s.clock)
    _generated(s.sim, "agent_1")
    state = {
        "bookmarks": {
            "interaction_transfers": {
                "replication_key": "date",
                "replication_key_value": "2025-06-29T05:00:00+00:00",
                "timezone": "UTC",
            },
            "agent_daily_performance": {
                "replication_key": "report_date",
                "replication_key_value": "not a day",
            },
            "some_other_stream": {"anything": 1},
        },
        "other": "kept",
    }
    s.run(("interaction_transfers", "agent_daily_performance"), state)


@contextlib.contextmanager
def _spill_at(size: int) -> Iterator[None]:
    before = bodies.SPILL_BYTES
    bodies.SPILL_BYTES = size
    try:
        yield
    finally:
        bodies.SPILL_BYTES = before


SCENARIOS: dict[str, Callable[[Scene], None]] = {
    f.__name__: f
    for f in (
        event_backfill_and_polls,
        event_cap_splits,
        daily_snapshots,
        dimensions,
        information_logs,
        faults_retried_then_stopped,
        fatal_answers,
        odd_replies,
        sample_shapes,
        every_report,
        catalog_choices,
        stream_maps,
        request_budget,
        spilled_replies,
        state_edges,
    )
}


def output_of(name: str) -> str:
    """What scenario ``name`` prints, as the golden file holds it."""
    with scene() as s:
        SCENARIOS[name](s)
    return "\n".join(s.lines) + "\n"


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_output_is_unchanged(name: str) -> None:
    path = GOLDEN / f"{name}.txt"
    got = output_of(name)
    if os.environ.get("GOLDEN_UPDATE") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(got)
    expected = path.read_text()
    if got != expected:
        got_lines, expected_lines = got.splitlines(), expected.splitlines()
        first = next(
            (
                i
                for i, pair in enumerate(zip(got_lines, expected_lines, strict=False))
                if pair[0] != pair[1]
            ),
            min(len(got_lines), len(expected_lines)),
        )
        pytest.fail(
            f"{name}: output differs from {path.name} at line {first + 1} "
            f"({len(got_lines)} lines, golden {len(expected_lines)}):\n"
            f"got:      {got_lines[first] if first < len(got_lines) else '<end>'}\n"
            f"expected: {expected_lines[first] if first < len(expected_lines) else '<end>'}"
        )
