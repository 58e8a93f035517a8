"""The information.php streams end to end against the sandbox: dimensions, logs, token usage.

Runs go through the tap in this process (``run_in_process``) with one clock for the tap and the
sandbox, so nothing depends on the wall clock. The last part runs the SDK's built-in tap tests
over these streams, as tests/test_sdk_suite.py does over the reports.
"""

from __future__ import annotations

import datetime as dt
import itertools
import typing as t

import pytest

from tap_wolkvox.declarations.information import (
    DIMENSIONS,
    INFORMATION_PATH,
    INFORMATION_REPORTS,
    READ_AT,
)
from tap_wolkvox.sandbox.information import SampleInformation, agents_in_skill, skills_of
from tap_wolkvox.sandbox.operation import AGENTS, SKILLS, SampleOperation
from tap_wolkvox.sandbox.server import Fault, StaticRows, WolkvoxSimulator
from tap_wolkvox.tap import TapWolkvox
from tests.helpers import TOKEN, Clock, TapRun, base_config, run_in_process

if t.TYPE_CHECKING:
    from collections.abc import Iterator

# The SDK suite at the end warns about columns null in every row (unparsed_values).
pytestmark = pytest.mark.filterwarnings("ignore:No records were available to test:UserWarning")

TABLES = tuple(d.stream for d in DIMENSIONS if d.versioned)  # every dimension but token_usage
NOON = "2025-06-30 12:00:00"  # the clock's wall time (Bogotá): 17:00 UTC
NOON_UTC = "2025-06-30T17:00:00+00:00"
STAMP = "%Y-%m-%d %H:%M:%S"


@pytest.fixture
def sim() -> Iterator[WolkvoxSimulator]:
    clock = Clock(NOON)
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now) as simulator:
        yield simulator


def information(sim: WolkvoxSimulator) -> SampleInformation:
    served = sim.paths[INFORMATION_PATH]
    assert isinstance(served, SampleInformation)
    return served


def run(
    sim: WolkvoxSimulator,
    *streams: str,
    clock: Clock | None = None,
    state: dict[str, t.Any] | None = None,
    **config: t.Any,
) -> TapRun:
    return run_in_process(
        base_config(sim, **config), state, clock=clock or Clock(NOON), streams=streams
    )


def calls(sim: WolkvoxSimulator, api: str) -> list[dict[str, str]]:
    return [r.params for r in sim.requests if r.api == api]


def warnings(done: TapRun) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("WARNING")]


# -- dimensions --------------------------------------------------------------------------------


def test_each_table_is_read_whole_in_one_call_stamped_keyed_and_activated(
    sim: WolkvoxSimulator,
) -> None:
    done = run(sim, *TABLES)
    assert done.returncode == 0, done.stderr
    tables = {d.stream: d for d in DIMENSIONS}
    expected = {"agents": 36, "skills": 5, "campaigns": 3, "routing_points": 4, "services": 1}
    expected |= {"connectors": 5, "activity_codes": 9, "skill_agents": 48}
    for stream in TABLES:
        records = done.records(stream)
        assert len(records) == expected[stream], stream
        key = tables[stream].primary_key
        assert len({tuple(r[k] for k in key) for r in records}) == len(records), stream
        assert all(r[k] not in {None, ""} for r in records for k in key), stream
        assert {r[READ_AT] for r in records} == {NOON_UTC}, stream
        assert all("unparsed_values" not in r and "_extra_fields" not in r for r in records)
    # one call per table; skill_agents one per skill (skills read once, by the skills stream)
    apis = [str(r.api) for r in sim.requests]
    assert sorted(apis) == sorted(
        ["agents", "skills", "campaigns", "routing_points", "services", "connectors"]
        + ["activity_codes"]
        + ["agents_in_skill"] * len(SKILLS)
    )
    # ACTIVATE_VERSION once per table, after its last record, with the version its records carry
    version = int(dt.datetime.fromisoformat(NOON_UTC).timestamp())
    for stream in TABLES:
        mine = [m for m in done.messages if m.get("stream") == stream]
        assert [m["type"] for m in mine if m["type"] != "RECORD"] == ["SCHEMA", "ACTIVATE_VERSION"]
        assert mine[-1] == {"type": "ACTIVATE_VERSION", "stream": stream, "version": version}
        assert {m["version"] for m in mine if m["type"] == "RECORD"} == {version}


def test_the_next_run_activates_a_later_version(sim: WolkvoxSimulator) -> None:
    clock = Clock(NOON)
    sim._now = clock.sandbox_now  # one clock for both
    first = run(sim, "agents", clock=clock)
    clock.advance(hours=1)
    second = run(sim, "agents", clock=clock, state=first.final_state)
    versions = [
        m["version"] for r in (first, second) for m in r.messages if m["type"] == "ACTIVATE_VERSION"
    ]
    assert versions[1] - versions[0] == 3600
    assert {r[READ_AT] for r in second.records("agents")} == {"2025-06-30T18:00:00+00:00"}


def test_none_of_the_new_streams_is_selected_by_default() -> None:
    # Not even agents and skills: the default selection is what a five-minute poll reads, and
    # two more calls a run (576 a day) do not fit one license's 1,000 beside the reports'.
    config = {"token": TOKEN, "api_url": "http://127.0.0.1:1", "start_date": "2025-01-01"}
    tap = TapWolkvox(config=config, setup_mapper=False)
    new = [d.stream for d in DIMENSIONS] + [r.stream for r in INFORMATION_REPORTS]
    chosen = {name for name in new if tap.streams[name].selected_by_default}
    assert chosen == set()
    for entry in tap.catalog_dict["streams"]:
        if entry["tap_stream_id"] in new:
            top = next(m for m in entry["metadata"] if m["breadcrumb"] == [])["metadata"]
            assert top["selected-by-default"] is (entry["tap_stream_id"] in chosen)


def test_the_sandbox_ids_match_the_transfers(sim: WolkvoxSimulator) -> None:
    sim.sources["chat_9"] = SampleOperation(
        seed=3, history_days=20, live_from=dt.datetime(2025, 3, 1)
    )
    done = run(
        sim,
        "interaction_transfers",
        "agents",
        "skills",
        "skill_agents",
        start_date="2025-02-15",
        end_date="2025-02-28T23:59:59",
    )
    assert done.returncode == 0, done.stderr
    agents = {r["agent_id"] for r in done.records("agents")}
    skills = {r["skill_id"] for r in done.records("skills")}
    transfers = done.records("interaction_transfers")
    assert transfers
    assert {r["transfer_agent_id"] for r in transfers} <= agents
    to_skill = [r for r in transfers if r["receiver_agent_name"] == "SKILL"]
    to_agent = [r for r in transfers if r["receiver_agent_name"] != "SKILL"]
    assert to_skill
    assert to_agent
    assert {r["receiver_agent_id"] for r in to_skill} <= skills
    assert {r["receiver_agent_id"] for r in to_agent} <= agents
    members = done.records("skill_agents")
    assert {r["skill_id"] for r in members} == skills
    assert {r["agent_id"] for r in members} == agents  # everyone is in some skill
    for index, (agent_id, _name) in enumerate(AGENTS):
        mine = {r["skill_id"] for r in members if r["agent_id"] == agent_id}
        assert mine == set(skills_of(index))


# -- skill_agents: one call per skill ----------------------------------------------------------


def test_skill_agents_alone_reads_the_skills_once_without_emitting_them(
    sim: WolkvoxSimulator,
) -> None:
    done = run(sim, "skill_agents")
    assert done.returncode == 0, done.stderr
    assert len(calls(sim, "skills")) == 1
    assert [c["skill_id"] for c in calls(sim, "agents_in_skill")] == [s for s, _ in SKILLS]
    assert done.records("skills") == []
    assert {m.get("stream") for m in done.messages} == {"skill_agents", None}
    assert len(done.records("skill_agents")) == sum(
        len(agents_in_skill(s, NOON)) for s, _ in SKILLS
    )


def test_skill_ids_set_to_ids_read_only_those_skills(sim: WolkvoxSimulator) -> None:
    done = run(sim, "skill_agents", "skills", skill_ids=["3002", 3005])
    assert done.returncode == 0, done.stderr
    assert [c["skill_id"] for c in calls(sim, "agents_in_skill")] == ["3002", "3005"]
    assert len(calls(sim, "skills")) == 1  # the skills stream itself, nothing more
    assert {r["skill_id"] for r in done.records("skill_agents")} == {"3002", "3005"}
    assert len(done.records("skills")) == len(SKILLS)


def test_an_empty_skill_ids_plans_no_call_and_sends_none(sim: WolkvoxSimulator) -> None:
    # One reading of the setting for the plan and the read: [] is no skill, not every skill.
    done = run(sim, "skill_agents", "agents", skill_ids=[])
    assert done.returncode == 0, done.stderr
    assert "skill_agents 0" in next(line for line in done.stderr.splitlines() if "Plan:" in line)
    assert calls(sim, "agents_in_skill") == calls(sim, "skills") == []
    assert done.records("skill_agents") == []


def test_without_skills_skill_agents_is_skipped_and_not_activated(sim: WolkvoxSimulator) -> None:
    sim.unavailable["skills"] = 400
    done = run(sim, "skill_agents", "agents")
    assert done.returncode == 0, done.stderr
    assert calls(sim, "agents_in_skill") == []
    assert len(calls(sim, "skills")) == 1
    said = warnings(done)
    assert len(said) == 1
    assert "for report 'skills'" in said[0]
    assert said[0].endswith("Skipping stream skills.")
    stopped = [m for m in done.messages if m["type"] == "ACTIVATE_VERSION"]
    assert [m["stream"] for m in stopped] == ["agents"]  # the target keeps its skill_agents


def test_a_skill_without_agents_is_an_empty_reply(sim: WolkvoxSimulator) -> None:
    done = run(sim, "skill_agents", skill_ids=["3001", "9999"])
    assert done.returncode == 0, done.stderr
    assert {r["skill_id"] for r in done.records("skill_agents")} == {"3001"}
    assert [m["type"] for m in done.messages][-2:] == ["ACTIVATE_VERSION", "STATE"]


# -- audit_log and manager_notifications: windows, 404, state, resume ---------------------------


def audit(day: dt.datetime, n: int) -> dict[str, str]:
    return {
        "date": day.strftime(STAMP),
        "ip": f"10.0.0.{n % 250}",
        "user": f"user{n % 3}",
        "action": "login",
        "workstation": f"WS-{n}",
    }


def audit_rows(count: int, start: dt.datetime, step: dt.timedelta) -> list[dict[str, str]]:
    return [audit(start + n * step, n) for n in range(count)]


def spans(sim: WolkvoxSimulator, api: str) -> list[tuple[dt.datetime, dt.datetime]]:
    return [
        (
            dt.datetime.strptime(c["date_ini"], "%Y%m%d%H%M%S"),
            dt.datetime.strptime(c["date_end"], "%Y%m%d%H%M%S"),
        )
        for c in calls(sim, api)
    ]


def test_audit_log_walks_windows_of_31_days_with_404_for_an_empty_one(
    sim: WolkvoxSimulator,
) -> None:
    january = audit_rows(40, dt.datetime(2025, 1, 2, 9), dt.timedelta(hours=13))
    march = audit_rows(30, dt.datetime(2025, 3, 10, 9), dt.timedelta(hours=7))
    information(sim).logs["audit_log"] = StaticRows(january + march)
    done = run(sim, "audit_log")  # 2025-01-01 .. 2025-03-31: three windows, February empty
    assert done.returncode == 0, done.stderr
    walked = spans(sim, "audit_log")
    assert len(walked) == 3
    assert all(end - start <= dt.timedelta(days=31) for start, end in walked)
    assert [r.status for r in sim.requests] == [200, 404, 200]
    assert all(a[1] + dt.timedelta(seconds=1) == b[0] for a, b in itertools.pairwise(walked))
    records = done.records("audit_log")
    assert len(records) == 70
    assert (
        len({(r["date"], r["user"], r["action"], r["ip"], r["workstation"]) for r in records}) == 70
    )
    state = done.final_state["bookmarks"]["audit_log"]
    assert state["replication_key"] == "date"
    assert state["replication_key_value"] == "2025-04-01T05:00:00+00:00"  # end_date, in UTC
    assert state["rows_seen"] is True
    assert done.messages[0]["type"] == "SCHEMA"
    assert "ACTIVATE_VERSION" not in {m["type"] for m in done.messages}


def test_audit_log_resumes_from_its_bookmark_and_splits_at_the_cap(sim: WolkvoxSimulator) -> None:
    clock = Clock("2025-03-01 12:00:00")
    sim._now = clock.sandbox_now  # one clock for both
    rows = audit_rows(30, dt.datetime(2025, 2, 26, 8), dt.timedelta(minutes=13))
    information(sim).logs["audit_log"] = StaticRows(rows)
    sim.row_cap = 20
    config: dict[str, t.Any] = {
        "start_date": "2025-02-20",
        "end_date": None,
        "max_rows_per_request": 20,
    }
    first = run(sim, "audit_log", clock=clock, **config)
    assert first.returncode == 0, first.stderr
    assert len(first.records("audit_log")) == 30  # a 30-row window came back cut: split
    assert len(calls(sim, "audit_log")) > 1
    assert first.summary("audit_log")["split"] > 0
    bookmark = first.final_state["bookmarks"]["audit_log"]["replication_key_value"]
    assert bookmark == "2025-03-01T16:45:00+00:00"  # asked at 17:00 UTC, minus the margin
    # later rows, then a run resumed from the state: the margin again, and what is new
    later = audit_rows(5, dt.datetime(2025, 3, 1, 12, 30), dt.timedelta(minutes=20))
    information(sim).logs["audit_log"] = StaticRows(rows + later)
    clock.advance(hours=2)
    before = len(sim.requests)
    second = run(sim, "audit_log", clock=clock, state=first.final_state, **config)
    assert second.returncode == 0, second.stderr
    resumed = spans(sim, "audit_log")[before:]
    assert len(resumed) == 1
    assert resumed[0][0] == dt.datetime(2025, 3, 1, 11, 45)  # the bookmark, in Bogotá
    assert {r["workstation"] for r in second.records("audit_log")} == {f"WS-{n}" for n in range(5)}


def test_manager_notifications_are_read_by_window(sim: WolkvoxSimulator) -> None:
    rows = [
        {"date": f"2025-02-{day:02d} 10:00:00", "notification": f"Backup {day} finished"}
        for day in range(1, 29)
    ]
    information(sim).logs["get_notification"] = StaticRows(rows)
    done = run(sim, "manager_notifications")
    assert done.returncode == 0, done.stderr
    records = done.records("manager_notifications")
    assert len(records) == 28
    assert records[0]["date"].endswith("T15:00:00+00:00")  # 10:00 in Bogotá
    assert [r.status for r in sim.requests] == [404, 200, 404]
    state = done.final_state["bookmarks"]["manager_notifications"]
    assert state["replication_key_value"] == "2025-04-01T05:00:00+00:00"


def test_an_audit_log_never_seen_is_warned_about_once(sim: WolkvoxSimulator) -> None:
    information(sim).logs["audit_log"] = StaticRows([])
    done = run(sim, "audit_log")
    assert done.returncode == 0, done.stderr
    said = warnings(done)
    assert len(said) == 1
    assert "audit_log (audit_log) has answered 404 for every window" in said[0]


# -- token_usage -------------------------------------------------------------------------------


def test_token_usage_is_one_row_of_integers_counting_the_sandbox_calls(
    sim: WolkvoxSimulator,
) -> None:
    sim.daily_quota = 50
    sim.calls_today = 7  # calls of other clients earlier today
    done = run(sim, "agents", "token_usage")
    assert done.returncode == 0, done.stderr
    (usage,) = done.records("token_usage")
    # token_info is read first (before the run's plan is weighed) and counts itself
    assert [r.api for r in sim.requests] == ["token_info", "agents"]
    assert usage == {
        "description": "sandbox token",
        "token_limit": 50,
        "token_use_today": 8,
        "all_token_today": 8,
        "available_consumption_options": 42,
        READ_AT: NOON_UTC,
        "_occurrence": 1,
    }
    schema = next(m for m in done.messages if m.get("stream") == "token_usage")
    assert schema["key_properties"] == [READ_AT, "_occurrence"]
    for name in ("token_limit", "token_use_today", "available_consumption_options"):
        assert schema["schema"]["properties"][name]["type"] == ["integer", "null"]
    # a reading is a log line, not a table: earlier readings must stay in the target
    assert "token_usage" not in {
        m["stream"] for m in done.messages if m["type"] == "ACTIVATE_VERSION"
    }


@pytest.mark.parametrize(
    "missing",
    [Fault.page(404), Fault.http(400, "THE API YOU WANT TO CONSULT DOES NOT EXIST")],
    ids=["404-page", "400-no-such-api"],
)
def test_a_server_without_token_info_skips_token_usage_with_one_warning(
    sim: WolkvoxSimulator, missing: Fault
) -> None:
    sim.schedule(missing)  # token_info is read first, before the plan is weighed
    done = run(sim, "agents", "token_usage")
    assert done.returncode == 0, done.stderr
    assert [r.api for r in sim.requests] == ["token_info", "agents"]
    assert len(done.records("agents")) == 36
    assert done.records("token_usage") == []
    said = warnings(done)
    assert len(said) == 1
    assert "token_usage: this Wolkvox server has no token_info API" in said[0]
    assert said[0].endswith("skipping stream token_usage.")


def test_token_info_failing_is_one_warning_and_the_reports_still_run(
    sim: WolkvoxSimulator,
) -> None:
    # The quota check is best effort: a token_info that keeps failing must not cost the run.
    sim.schedule(*[Fault.http(503, "Service Unavailable")] * 3)
    done = run(sim, "agents", "audit_log", "token_usage", max_attempts=3)
    assert done.returncode == 0, done.stderr
    apis = [r.api for r in sim.requests]
    assert apis[:3] == ["token_info"] * 3
    assert apis.count("token_info") == 3  # no further call when token_usage syncs
    assert len(done.records("agents")) == 36
    assert "audit_log" in apis
    assert done.records("token_usage") == []
    said = [w for w in warnings(done) if "attempt " not in w]
    assert len(said) == 1, said
    assert "token_info kept failing after 3 attempts" in said[0]
    assert "the run goes on without the quota check" in said[0]
    assert "token_usage emits no row this run" in said[0]


@pytest.mark.parametrize(
    ("fault", "sentence"),
    [
        (Fault.http(403, "PLEASE VALIDATE TOKEN"), "Wolkvox answered 403 PLEASE VALIDATE TOKEN"),
        (Fault.http(403, "TOKEN LIMIT EXCEEDED"), "Wolkvox answered 403 TOKEN LIMIT EXCEEDED"),
    ],
    ids=["403-token", "403-quota"],
)
def test_the_quota_check_still_stops_on_a_rejected_or_spent_token(
    sim: WolkvoxSimulator, fault: Fault, sentence: str
) -> None:
    sim.schedule(fault)
    done = run(sim, "agents", "token_usage")
    assert sentence in done.the_error()
    assert [r.api for r in sim.requests] == ["token_info"]


def test_a_run_whose_every_stream_is_missing_fails(sim: WolkvoxSimulator) -> None:
    # Skipping one missing API keeps the others going; a run that read nothing must not
    # look like a success.
    sim.unavailable.update(agents=400, skills=400)
    done = run(sim, "agents", "skills")
    assert done.returncode == 1
    assert "None of the selected reports exists on this Wolkvox server" in done.stderr
    assert "agents (agents)" in done.stderr
    assert done.records() == []


# -- failures: one sentence, like the reports --------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "sentence"),
    [
        (Fault.http(401, "PLEASE ENTER THE WOLKVOX-TOKEN"), "Wolkvox answered 401"),
        (Fault.http(403, "PLEASE VALIDATE TOKEN"), "Wolkvox answered 403 PLEASE VALIDATE TOKEN"),
        (Fault.http(403, "TOKEN LIMIT EXCEEDED"), "Wolkvox answered 403 TOKEN LIMIT EXCEEDED"),
    ],
    ids=["401", "403-token", "403-quota"],
)
@pytest.mark.parametrize("stream", ["agents", "skill_agents", "token_usage", "audit_log"])
def test_401_and_403_stop_the_run_with_one_sentence(
    sim: WolkvoxSimulator, fault: Fault, sentence: str, stream: str
) -> None:
    sim.schedule(fault)
    done = run(sim, stream)
    assert sentence in done.the_error()
    assert len(sim.requests) == 1  # never retried
    assert "ACTIVATE_VERSION" not in {m["type"] for m in done.messages}


def test_transient_failures_are_retried_then_stop_with_one_sentence(sim: WolkvoxSimulator) -> None:
    sim.schedule(Fault.http(500), Fault.maintenance())
    done = run(sim, "skills", max_attempts=3)
    assert done.returncode == 0, done.stderr
    assert len(done.records("skills")) == len(SKILLS)
    assert len(sim.requests) == 3
    sim.schedule(Fault.http(503, "Service Unavailable"), Fault.http(503, "Service Unavailable"))
    failed = run(sim, "skills", max_attempts=2)
    assert "Report skills (skills) kept failing after 2 attempts" in failed.the_error()
    assert "ACTIVATE_VERSION" not in {m["type"] for m in failed.messages}


def test_a_table_at_the_row_cap_stops_rather_than_load_it_cut(sim: WolkvoxSimulator) -> None:
    sim.row_cap = 36
    done = run(sim, "agents", max_rows_per_request=36)
    assert "returned 36 rows, the per-request cap, so the table may be cut" in done.the_error()
    assert done.records("agents") == []
    assert "ACTIVATE_VERSION" not in {m["type"] for m in done.messages}


def test_a_wrong_path_is_not_an_empty_table(sim: WolkvoxSimulator) -> None:
    done = run(sim, "agents", api_url=f"{sim.url}/proxy")
    assert "answered 404 with a page that is not a Wolkvox reply" in done.the_error()
