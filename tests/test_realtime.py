"""The real-time snapshot streams end to end against the sandbox: every read kept as history.

Runs go through the tap in this process (``run_in_process``) with one clock for the tap and the
sandbox, moved between the runs as a schedule would, so nothing depends on the wall clock. The
sandbox's real_time.php (sandbox/realtime.py) answers for the same operation as its reports.
2025-06-30 is a Monday.
"""

from __future__ import annotations

import datetime as dt
import itertools
import typing as t
from zoneinfo import ZoneInfo

import pytest

from tap_wolkvox.declarations.information import DIMENSIONS, READ_AT, RUN_STARTED
from tap_wolkvox.declarations.realtime import REALTIME_PATH, SNAPSHOTS
from tap_wolkvox.run.budget import MINUTES_A_DAY, Plan
from tap_wolkvox.run.context import RunContext
from tap_wolkvox.sandbox.realtime import SampleRealtime
from tap_wolkvox.sandbox.server import Fault, WolkvoxSimulator
from tap_wolkvox.settings import CONFIG_SCHEMA, read_settings
from tap_wolkvox.tap import TapWolkvox
from tests.helpers import (
    TOKEN,
    Clock,
    TapRun,
    TapRunner,
    base_config,
    realtime_of,
    run_in_process,
)

if t.TYPE_CHECKING:
    from collections.abc import Iterator

MORNING = "2025-06-30 10:30:00"  # a Monday's peak
NIGHT = "2025-06-30 03:00:00"  # nobody on shift, no call
AGENTS, SKILLS = "realtime_agents", "realtime_skills"
STREAMS = tuple(snapshot.stream for snapshot in SNAPSHOTS)
BY_STREAM = {snapshot.stream: snapshot for snapshot in SNAPSHOTS}
ZONE = ZoneInfo("America/Bogota")


@pytest.fixture
def clock() -> Clock:
    return Clock(MORNING)


@pytest.fixture
def sim(clock: Clock) -> Iterator[WolkvoxSimulator]:
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now, seed=7) as simulator:
        yield simulator


def run(
    sim: WolkvoxSimulator,
    clock: Clock,
    *streams: str,
    state: dict[str, t.Any] | None = None,
    **config: t.Any,
) -> TapRun:
    # no end_date: a snapshot is read now, whatever the reports' range
    settings = {k: v for k, v in base_config(sim, **config).items() if k != "end_date"}
    return run_in_process(settings, state, clock=clock, streams=streams)


def key(stream: str, record: dict[str, t.Any]) -> tuple[t.Any, ...]:
    return tuple(record[k] for k in BY_STREAM[stream].primary_key)


def the_instant(clock: Clock) -> str:
    return clock.utc.isoformat()


def schema_of(done: TapRun, stream: str = SKILLS) -> dict[str, t.Any]:
    (schema,) = [
        m["schema"] for m in done.messages if m["type"] == "SCHEMA" and m["stream"] == stream
    ]
    return t.cast("dict[str, t.Any]", schema)


def plan_line(done: TapRun) -> str:
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("INFO | Plan:")]
    return line


def test_polls_find_one_snapshot_per_read_and_keep_every_one(
    sim: WolkvoxSimulator, clock: Clock
) -> None:
    """A five-minute schedule: each run one snapshot of each stream, none replacing another."""
    runs, state = [], None
    for _ in range(4):
        done = run(sim, clock, AGENTS, SKILLS, state=state)
        assert done.returncode == 0, done.stderr
        runs.append((the_instant(clock), clock.wall, done))
        state = done.final_state
        clock.advance(minutes=5)
    keys: set[tuple[t.Any, ...]] = set()
    statuses = []
    for instant, wall, done in runs:
        agents, skills = done.records(AGENTS), done.records(SKILLS)
        # one read each: every record stamped with that instant, and with the run's start
        assert {r[READ_AT] for r in agents + skills} == {instant}
        assert {r[RUN_STARTED] for r in agents + skills} == {instant}
        # the whole snapshot: every agent on shift then, every skill
        on_shift = realtime_of(sim).on_shift(wall)
        assert len(agents) == len(on_shift) > 10
        assert {r["skill_id"] for r in skills} == {"3001", "3002", "3003", "3004", "3005"}
        statuses.append({r["agent_id"]: r["agent_status"] for r in agents})
        for stream in (AGENTS, SKILLS):
            found = {key(stream, r) for r in done.records(stream)}
            assert len(found) == len(done.records(stream)), stream
            assert not found & keys, "a read shares a key with an earlier one"
            keys |= found
        # history: nothing tells a target to drop earlier rows, no bookmark to move
        assert not [m for m in done.messages if m["type"] == "ACTIVATE_VERSION"]
        assert done.final_state["bookmarks"] == {AGENTS: {}, SKILLS: {}}
        assert "realtime_agents 1, realtime_skills 1" in plan_line(done)
    assert len({r[READ_AT] for _, _, done in runs for r in done.records(AGENTS)}) == 4
    # what the history is for: agents change state between reads
    changed = sum(
        earlier[agent] != later[agent]
        for earlier, later in itertools.pairwise(statuses)
        for agent in earlier.keys() & later.keys()
    )
    assert changed > 5


def test_every_snapshot_stream_reads_the_sandbox_once(sim: WolkvoxSimulator, clock: Clock) -> None:
    done = run(sim, clock, *STREAMS)
    assert done.returncode == 0, done.stderr
    assert sorted(str(r.api) for r in sim.requests) == sorted(s.api for s in SNAPSHOTS)
    for snapshot in SNAPSHOTS:
        records = done.records(snapshot.stream)
        assert records, snapshot.stream  # a Monday's peak: something in every one
        assert {r[READ_AT] for r in records} == {the_instant(clock)}, snapshot.stream
        assert len({key(snapshot.stream, r) for r in records}) == len(records), snapshot.stream
        assert not any("_extra_fields" in r or "unparsed_values" in r for r in records)
    recall = next(r.params for r in sim.requests if r.api == "recall")
    assert recall == {"api": "recall", "type": "all"}  # its constant parameter
    (server,) = done.records("realtime_server_load")  # one object: one row per read
    assert server["connected_agents"] == len(done.records(AGENTS))


def test_the_plan_says_what_a_one_minute_schedule_costs(
    sim: WolkvoxSimulator, clock: Clock
) -> None:
    done = run(sim, clock, AGENTS, SKILLS, skill_ids=["3001", "3003", "3005"])
    line = plan_line(done)
    assert "realtime_skills 3 (3 partitions)" in line
    assert "The 2 snapshot streams cost 4 calls every run: run every minute, 5,760 calls" in line
    assert "of the token's daily quota (licenses x 1,000)" in line
    assert 4 * MINUTES_A_DAY == 5760
    # and nothing of the kind without a snapshot
    reports = Plan.of([])
    assert "snapshot" not in reports.line()


def test_each_listed_skill_is_one_call_and_all_is_one(sim: WolkvoxSimulator, clock: Clock) -> None:
    done = run(sim, clock, SKILLS, skill_ids=["3001", "3003"])
    asked = [r.params for r in sim.requests]
    assert asked == [{"api": "skills", "skill_id": "3001"}, {"api": "skills", "skill_id": "3003"}]
    records = done.records(SKILLS)
    assert [r["skill_id"] for r in records] == ["3001", "3003"]
    del sim.requests[:]
    run(sim, clock, SKILLS)
    assert [r.params for r in sim.requests] == [{"api": "skills", "skill_id": "all"}]
    del sim.requests[:]
    empty = run(sim, clock, SKILLS, skill_ids=[])
    assert empty.returncode == 0, empty.stderr
    assert sim.requests == []
    assert empty.records(SKILLS) == []
    assert "realtime_skills: skipped, setting skill_ids is empty" in empty.stderr
    assert "realtime_skills 0" in plan_line(empty)


def test_services_time_asks_another_service_level_into_a_column_of_its_own(
    sim: WolkvoxSimulator, clock: Clock
) -> None:
    # Wolkvox names the level after the seconds asked (service_level_15seg); the column
    # keeps one name whatever the setting, and the seconds it was read for beside it
    done = run(sim, clock, SKILLS, skill_ids=["3001", "3002"], services_time=15)
    assert done.returncode == 0, done.stderr
    assert [r.params for r in sim.requests] == [
        {"api": "skills", "skill_id": skill_id, "services_time": "15"}
        for skill_id in ("3001", "3002")
    ]
    sent = {
        row["skill_id"]: row["service_level_15seg"]
        for skill_id in ("3001", "3002")
        for row in realtime_of(sim).skills(
            clock.wall, {"skill_id": skill_id, "services_time": "15"}
        )
    }
    records = done.records(SKILLS)
    assert {r["skill_id"]: r["service_level_services_time"] for r in records} == {
        skill_id: float(level.removesuffix(" %")) for skill_id, level in sent.items()
    }
    assert {r["services_time"] for r in records} == {15}
    assert not any("_extra_fields" in r for r in records)
    schema = schema_of(done)["properties"]
    assert "service_level_services_time" in schema
    assert not [name for name in schema if name.startswith("service_level_15")]
    # unset: not asked, the columns stay empty (the schema is the same)
    del sim.requests[:]
    plain = run(sim, clock, SKILLS, skill_ids=["3001"])
    assert [r.params for r in sim.requests] == [{"api": "skills", "skill_id": "3001"}]
    assert [
        (r["service_level_services_time"], r["services_time"]) for r in plain.records(SKILLS)
    ] == [(None, None)]
    assert schema_of(plain) == schema_of(done)


@pytest.mark.parametrize("seconds", [10, 20, 30])
def test_services_time_of_a_level_always_read_is_refused(seconds: int) -> None:
    config = {"token": TOKEN, "api_url": "http://127.0.0.1:1", "start_date": "2025-06-01"}
    with pytest.raises(ValueError, match=f"Setting 'services_time': {seconds} seconds") as caught:
        read_settings({**config, "services_time": seconds})
    assert f"service_level_{seconds}seg" in str(caught.value)
    # the levels the skills always read: their declared columns
    assert f"service_level_{seconds}seg" in {f.name for f in BY_STREAM[SKILLS].fields}


@pytest.mark.parametrize("empty", ["404", "list"])
def test_an_empty_reading_leaves_no_record_and_no_bookmark(
    sim: WolkvoxSimulator, clock: Clock, empty: t.Any
) -> None:
    # at night nobody is on shift and no call came in: Wolkvox's 404 "Validate dates
    # entered", or a 200 with an empty list
    realtime_of(sim).empty = empty
    clock.wall = dt.datetime.fromisoformat(NIGHT)
    streams = (AGENTS, "realtime_calls_last_10_minutes", "realtime_network_latency")
    done = run(sim, clock, *streams)
    assert done.returncode == 0, done.stderr
    assert [m for m in done.messages if m["type"] == "RECORD"] == []
    assert done.final_state["bookmarks"] == {stream: {} for stream in streams}
    assert {r.status for r in sim.requests} == {404 if empty == "404" else 200}


def test_a_failing_reading_leaves_no_record(sim: WolkvoxSimulator, clock: Clock) -> None:
    sim.schedule(*[Fault.http(500, "Internal failure")] * 2)
    done = run(sim, clock, AGENTS, max_attempts=2)
    assert done.returncode == 1
    assert done.records(AGENTS) == []
    assert done.the_error() == (
        "ERROR | Report agents (realtime_agents) kept failing after 2 attempts: 500 Internal "
        "failure. The STATE already emitted is a valid resume point."
    )


def test_the_documented_sample_shapes_are_read(clock: Clock) -> None:
    # campaigns as a bare list without the envelope, recall spelling id_campaing
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now, seed=7) as sim:
        sim.paths[REALTIME_PATH] = SampleRealtime(seed=7, shapes="sample")
        done = run(sim, clock, "realtime_campaigns", "realtime_scheduled_recalls")
    assert done.returncode == 0, done.stderr
    campaigns = done.records("realtime_campaigns")
    assert [r["campaign"] for r in campaigns] == ["101", "202", "303"]
    assert all(r["records"] and "_extra_fields" not in r for r in campaigns)
    recalls = done.records("realtime_scheduled_recalls")
    assert recalls
    assert all(r["id_campaign"] in {"101", "202", "303"} for r in recalls)
    assert not any("_extra_fields" in r for r in recalls)


def test_a_shared_server_without_info_server_skips_it_with_one_warning(
    sim: WolkvoxSimulator, clock: Clock
) -> None:
    sim.unavailable["info_server"] = 400
    done = run(sim, clock, AGENTS, "realtime_server_load")
    assert done.returncode == 0, done.stderr
    assert done.records(AGENTS)
    assert done.records("realtime_server_load") == []
    (warning,) = [x for x in done.stderr.splitlines() if x.startswith("WARNING")]
    assert "'info_server': it is not enabled on this server" in warning
    assert warning.endswith("Skipping stream realtime_server_load.")


def test_the_run_is_named_by_when_it_began() -> None:
    clock = Clock(MORNING)
    config = {"token": TOKEN, "api_url": "http://127.0.0.1:1", "start_date": "2025-06-01"}
    context = RunContext(
        read_config=lambda: config,
        read_settings=lambda: read_settings(config, clock.utc_now),
        budget_spent=lambda: pytest.fail("no budget here"),
        warn=lambda _: None,
    )
    began = context.begin()
    clock.advance(minutes=3)  # streams read later in the run: the same run
    assert context.begin() == began == context.started_at == "2025-06-30T15:30:00+00:00"


def test_snapshots_are_offered_none_selected_and_each_says_its_cost() -> None:
    config = {"token": TOKEN, "api_url": "http://127.0.0.1:1", "start_date": "2025-01-01"}
    tap = TapWolkvox(config=config, setup_mapper=False)
    for snapshot in SNAPSHOTS:
        stream = tap.streams[snapshot.stream]
        assert not stream.selected_by_default, snapshot.stream
        assert stream.primary_keys == [*snapshot.primary_key, "_occurrence"]
        assert list(stream.schema["properties"])[-5:] == [
            READ_AT,
            RUN_STARTED,
            "unparsed_values",
            "_extra_fields",
            "_occurrence",
        ]
        assert "1,440 calls a day" in snapshot.description, snapshot.stream
    # the information.php tables keep their columns: the run column is a snapshot's
    assert not any(RUN_STARTED in d.json_schema()["properties"] for d in DIMENSIONS)
    # --about says it too, in the settings it concerns
    settings = CONFIG_SCHEMA["properties"]
    assert "1,440 calls a day" in settings["plan_warning_requests"]["description"]
    assert "realtime_skills" in settings["skill_ids"]["description"]


def test_the_documented_info_server_reply_is_refused_in_one_sentence(
    run_tap: TapRunner, clock: Clock
) -> None:
    """What the user sees, the tap run as a command: exit code 1 and one plain sentence."""
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now, seed=7) as sim:
        sample = b'{\r\n    "code": "",\r\n    "error": ,\r\n    "msg": "",\r\n    "data": {}\r\n}'
        sim.schedule(*[Fault.raw(200, sample)] * 2)
        config = {k: v for k, v in base_config(sim, max_attempts=2).items() if k != "end_date"}
        done = run_tap(config, streams=["realtime_server_load"])
    assert done.returncode == 1
    assert done.the_error().endswith(
        "Report info_server (realtime_server_load) kept failing after 2 attempts: malformed or "
        "truncated JSON in the 200 reply. The STATE already emitted is a valid resume point."
    )
    assert done.records() == []
