"""The sandbox's real_time.php: the same operation as its reports, moving with its clock.

Every request goes over HTTP to a simulator on loopback whose clock is a test's (``Clock``), so
nothing depends on the wall clock. 2025-06-30 is a Monday.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import typing as t
from zoneinfo import ZoneInfo

import pytest
import requests

from tap_wolkvox.declarations.realtime import REALTIME_PATH as DECLARED_PATH
from tap_wolkvox.replies.errors import interpret
from tap_wolkvox.sandbox import cli
from tap_wolkvox.sandbox.api import INFORMATION_PATH, REALTIME_PATH, REPORTS_PATH
from tap_wolkvox.sandbox.information import agents_in_skill
from tap_wolkvox.sandbox.realtime import SampleRealtime
from tap_wolkvox.sandbox.server import Fault, WolkvoxSimulator
from tap_wolkvox.sandbox.workday import traffic
from tests.helpers import TOKEN, Clock, realtime_of

if t.TYPE_CHECKING:
    from collections.abc import Iterator

APIS = (
    "agents",
    "calls_last_10",
    "hits_last_hour",
    "info_server",
    "latency",
    "skills",
    "campaigns",
    "chats",
    "interactions",
    "recall",
)
#: What each request needs besides ``api``.
PARAMS = {"skills": {"skill_id": "all"}, "recall": {"type": "all"}}
MORNING = "2025-06-30 10:30:00"  # a Monday's peak
NIGHT = "2025-06-30 03:00:00"
STAMP = "%Y-%m-%d %H:%M:%S"


@pytest.fixture
def clock() -> Clock:
    return Clock(MORNING)


@pytest.fixture
def sim(clock: Clock) -> Iterator[WolkvoxSimulator]:
    # Two: requests here go one after another, but a handler counts its request out only
    # after its reply is sent, so the next one may arrive first.
    with WolkvoxSimulator(
        token=TOKEN, now=clock.sandbox_now, seed=7, concurrency_limit=2
    ) as simulator:
        yield simulator


def ask(
    sim: WolkvoxSimulator,
    api: str,
    path: str = REALTIME_PATH,
    token: str | None = TOKEN,
    **params: str,
) -> tuple[int, t.Any]:
    headers = {} if token is None else {"wolkvox-token": token}
    query = {"api": api, **PARAMS.get(api, {}), **params}
    reply = requests.get(f"{sim.url}{path}", params=query, headers=headers, timeout=10)
    return reply.status_code, reply.json()


def rows(sim: WolkvoxSimulator, api: str, **params: str) -> list[dict[str, t.Any]]:
    """The rows of a reading (none for an empty answer)."""
    status, body = ask(sim, api, **params)
    if status == 404:
        assert body["msg"] == "Validate dates entered"
        return []
    assert status == 200, body
    data = body["data"]
    return [data] if isinstance(data, dict) else list(data)


def by(key: str, found: list[dict[str, t.Any]]) -> dict[str, dict[str, t.Any]]:
    return {row[key]: row for row in found}


def seconds(hms: str) -> int:
    hours, minutes, secs = map(int, hms.split(":"))
    return hours * 3600 + minutes * 60 + secs


# -- behind the same checks as every path -------------------------------------------------------


def test_the_path_is_the_one_the_declarations_ask() -> None:
    assert REALTIME_PATH == DECLARED_PATH


def test_real_time_requests_pass_the_token_quota_concurrency_and_fault_checks(
    sim: WolkvoxSimulator,
) -> None:
    assert ask(sim, "agents", token=None)[0] == 401
    wrong = ask(sim, "agents", token="wrong")  # noqa: S106 - a wrong token
    assert wrong[1]["msg"] == "PLEASE VALIDATE TOKEN"
    sim.schedule(Fault.http(500))
    assert ask(sim, "agents")[0] == 500
    sim.daily_quota = sim.calls_today + 1
    assert ask(sim, "agents")[0] == 200
    assert ask(sim, "agents")[1]["msg"] == "TOKEN LIMIT EXCEEDED"
    sim.concurrency_limit = 0  # any request is one too many
    assert "SIMULTANEOUS REQUESTS" in ask(sim, "agents")[1]["msg"]
    assert [r.api for r in sim.requests] == ["agents"] * 6


def test_what_a_request_lacks_is_refused_as_wolkvox_refuses_it(sim: WolkvoxSimulator) -> None:
    assert ask(sim, "weather")[1]["msg"] == "THE API YOU WANT TO CONSULT DOES NOT EXIST"
    assert ask(sim, "skills", skill_id="")[1]["msg"] == "SOME PARAMETERS ARE REQUIRED"
    assert ask(sim, "recall", type="")[1]["msg"] == "SOME PARAMETERS ARE REQUIRED"
    sim.unavailable["info_server"] = 400  # a shared server: no dedicated server to monitor
    assert ask(sim, "info_server")[0] == 400


# -- the same operation -----------------------------------------------------------------------


def test_agents_skills_and_campaigns_are_those_of_information_php(sim: WolkvoxSimulator) -> None:
    agents = by("agent_id", rows(sim, "agents"))
    directory = by("agent_id", ask(sim, "agents", INFORMATION_PATH)[1]["data"])
    assert 15 <= len(agents) < len(directory)  # the morning shifts, not everyone
    for agent_id, agent in agents.items():
        assert agent["agent_name"] == directory[agent_id]["agent_name"]
    skills = by("skill_id", rows(sim, "skills"))
    assert {k: v["skill_name"] for k, v in skills.items()} == {
        k: v["skill_name"]
        for k, v in by("skill_id", ask(sim, "skills", INFORMATION_PATH)[1]["data"]).items()
    }
    campaigns = by("campaign", rows(sim, "campaigns"))
    table = by("campaign_id", ask(sim, "campaigns", INFORMATION_PATH)[1]["data"])
    assert {k: (v["skill_id"], v["records"]) for k, v in campaigns.items()} == {
        k: (v["skill_id"], v["records"]) for k, v in table.items()
    }
    hit_codes = {
        c["cod_act"]
        for c in ask(sim, "activity_codes", INFORMATION_PATH)[1]["data"]
        if c["hit"] == "1"
    }
    hits = rows(sim, "hits_last_hour")
    assert hits
    assert {hit["hit"] for hit in hits} <= hit_codes
    connectors = {c["connector_id"] for c in ask(sim, "connectors", INFORMATION_PATH)[1]["data"]}
    chats = rows(sim, "chats")
    assert {chat["connector_id"] for row in chats for chat in row["active_chats"]} <= connectors
    assert {row["agent_id"] for row in chats + rows(sim, "interactions")} <= set(agents)
    for recall in rows(sim, "recall"):
        assert recall["id_campaign"] in table
        if recall["type_recall"] == "agent":
            skill_id = table[recall["id_campaign"]]["skill_id"]
            assert recall["id_agent"] in {a["agent_id"] for a in agents_in_skill(skill_id, MORNING)}


def test_one_instant_reads_alike_in_every_request(sim: WolkvoxSimulator) -> None:
    agents = by("agent_id", rows(sim, "agents"))
    (latency,) = rows(sim, "latency")
    assert {a["agent_id"]: a["agent_status"] for a in latency["by_agent"]} == {
        k: v["agent_status"] for k, v in agents.items()
    }
    assert sum(int(ip["total_agents"]) for ip in latency["by_ip"]) == len(agents)
    (server,) = rows(sim, "info_server")
    assert int(server["connected_agents"]) == len(agents)
    on_calls = sum(a["agent_status"] in {"RING", "TALK"} for a in agents.values())
    waiting = sum(int(s["calls_in_queue_now"]) for s in rows(sim, "skills"))
    assert int(server["calls"]) == on_calls + waiting
    for agent in agents.values():
        assert int(agent["calls"]) == int(agent["inbound"]) + int(agent["outbound"])
        parts = ("ready_time", "ring_time", "acw_time", "aux_time", "inbound_time", "outbound_time")
        assert sum(seconds(agent[part]) for part in parts) == seconds(agent["login_time"])


def test_the_calls_hits_queues_and_campaigns_read_one_flow_of_calls(
    sim: WolkvoxSimulator, clock: Clock
) -> None:
    before_skills, before_campaigns = rows(sim, "skills"), rows(sim, "campaigns")
    clock.advance(minutes=10)
    calls = rows(sim, "calls_last_10")
    now = clock.wall
    assert calls
    for call in calls:
        assert now - dt.timedelta(minutes=10) < dt.datetime.strptime(call["date"], STAMP) <= now
    assert len({call["conn_id"] for call in calls}) == len(calls)
    # the skills' and campaigns' counters grew by the calls of those 10 minutes
    inbound = [call for call in calls if call["type_interaction"] == "inbound"]
    grown = sum(int(s["stat_inbound"]) for s in rows(sim, "skills")) - sum(
        int(s["stat_inbound"]) for s in before_skills
    )
    assert grown == len(inbound)
    dialled = sum(int(c["dial"]) for c in rows(sim, "campaigns")) - sum(
        int(c["dial"]) for c in before_campaigns
    )
    assert dialled == len(calls) - len(inbound)
    # a hit of those 10 minutes is one of their calls, as they read it
    recent = by("conn_id", calls)
    for hit in rows(sim, "hits_last_hour"):
        if hit["conn_id"] in recent:
            call = recent[hit["conn_id"]]
            assert (hit["telephone"], hit["date"]) == (call["telephone"], call["date"])
            assert call["result"] == "answered"


def test_the_flow_of_calls_serves_cdr_1_as_well(sim: WolkvoxSimulator, clock: Clock) -> None:
    realtime = realtime_of(sim)
    sim.sources["cdr_1"] = realtime.calls
    calls = by("conn_id", rows(sim, "calls_last_10"))
    start = (clock.wall - dt.timedelta(minutes=10) + dt.timedelta(seconds=1)).strftime(
        "%Y%m%d%H%M%S"
    )
    end = clock.wall.strftime("%Y%m%d%H%M%S")
    status, body = ask(sim, "cdr_1", REPORTS_PATH, date_ini=start, date_end=end)
    assert status == 200
    detail = by("conn_id", body["data"])
    assert set(detail) == set(calls)
    zone = ZoneInfo("America/Bogota")
    for conn_id, row in detail.items():
        assert (row["date"], row["telephone"]) == (
            calls[conn_id]["date"],
            calls[conn_id]["telephone"],
        )
        # a voice ID: its epoch is the call's instant, up to a minute before its wall-clock date
        wall = dt.datetime.strptime(row["date"], STAMP).replace(tzinfo=zone)
        assert 0 <= wall.timestamp() - int(conn_id.split(".")[-2]) < 60


# -- moving with the clock --------------------------------------------------------------------


def test_agent_states_change_with_the_clock(sim: WolkvoxSimulator, clock: Clock) -> None:
    readings = []
    for _ in range(20):
        readings.append(by("agent_id", rows(sim, "agents")))
        clock.advance(minutes=1)
    changed = 0
    for earlier, later in itertools.pairwise(readings):
        for agent_id in earlier.keys() & later.keys():
            before, after = earlier[agent_id], later[agent_id]
            assert seconds(after["login_time"]) - seconds(before["login_time"]) == 60
            assert int(after["calls"]) >= int(before["calls"])
            in_state = seconds(after["time_state_now"])
            if in_state >= 60:  # in that state the whole minute: the same one, a minute on
                assert after["agent_status"] == before["agent_status"]
                assert in_state - seconds(before["time_state_now"]) == 60
            else:  # a state that began within the minute
                changed += 1
    assert changed >= 20
    statuses = {a["agent_status"] for reading in readings for a in reading.values()}
    assert {"READY", "RING", "TALK", "ACW"} <= statuses


def test_agents_log_in_and_out_with_their_shifts(sim: WolkvoxSimulator, clock: Clock) -> None:
    clock.wall = dt.datetime(2025, 6, 30, 7, 30)
    early = set(by("agent_id", rows(sim, "agents")))
    clock.wall = dt.datetime(2025, 6, 30, 14, 0)
    afternoon = set(by("agent_id", rows(sim, "agents")))
    clock.wall = dt.datetime(2025, 6, 30, 20, 30)
    late = set(by("agent_id", rows(sim, "agents")))
    assert 0 < len(early) < len(afternoon)
    assert 0 < len(late) < len(afternoon)
    assert not early & late  # the morning shift went home
    clock.wall = dt.datetime(2025, 6, 29, 10, 0)  # Sunday
    assert 0 < len(rows(sim, "agents")) < len(early)


def test_queues_follow_the_days_traffic(sim: WolkvoxSimulator, clock: Clock) -> None:
    def poll(start: dt.datetime, polls: int) -> list[dict[str, dict[str, t.Any]]]:
        readings = []
        for n in range(polls):
            clock.wall = start + dt.timedelta(minutes=3 * n)
            readings.append(by("skill_id", rows(sim, "skills")))
        return readings

    peak = poll(dt.datetime(2025, 6, 30, 10, 0), 20)
    night = poll(dt.datetime(2025, 6, 30, 2, 0), 5)
    waiting = [sum(int(s["calls_in_queue_now"]) for s in r.values()) for r in peak]
    assert sum(waiting) > 0
    assert {int(s["calls_in_queue_now"]) for r in night for s in r.values()} == {0}
    assert {int(s["stat_inbound"]) for r in night for s in r.values()} == {0}
    # today's counters grow with the day's calls
    inbound = [sum(int(s["stat_inbound"]) for s in r.values()) for r in peak]
    assert inbound == sorted(inbound)
    assert inbound[-1] > inbound[0]
    assert rows(sim, "calls_last_10") == []  # at night, no calls: Wolkvox's empty answer
    # the traffic curve itself: closed at night, busiest mid-morning, less at weekends
    monday = dt.datetime(2025, 6, 30)
    assert traffic(monday.replace(hour=3)) == traffic(monday.replace(hour=22)) == 0
    assert traffic(monday.replace(hour=10, minute=30)) == 1
    assert 0 < traffic(monday.replace(day=29, hour=10)) < traffic(monday.replace(day=28, hour=10))
    assert traffic(monday.replace(day=28, hour=10)) < traffic(monday.replace(hour=10))


def test_chats_and_recalls_come_and_go(sim: WolkvoxSimulator, clock: Clock) -> None:
    chats, recalls = [], []
    for _ in range(8):
        chats.append({c["conn_id"] for r in rows(sim, "chats") for c in r["active_chats"]})
        recalls.append({(r["phone_number"], r["date_recall"]) for r in rows(sim, "recall")})
        clock.advance(minutes=30)
    assert all(chats)
    assert len(set().union(*chats)) > max(len(c) for c in chats)  # chats end, others begin
    assert len(set().union(*recalls)) > max(len(r) for r in recalls)
    for reading in recalls:  # a recall is listed until its time comes
        assert all(
            dt.datetime.strptime(due, STAMP) > dt.datetime(2025, 6, 30, 10, 30)
            for _, due in reading
        )


# -- deterministic ----------------------------------------------------------------------------


def test_the_same_seed_and_clock_give_the_same_answers(clock: Clock) -> None:
    def everything(seed: int) -> dict[str, t.Any]:
        with WolkvoxSimulator(
            token=TOKEN, now=clock.sandbox_now, seed=seed, code_style="string", concurrency_limit=2
        ) as sim:
            return {api: ask(sim, api) for api in APIS}

    first = everything(7)
    assert everything(7) == first
    assert everything(8)["agents"] != first["agents"]


# -- what comes back ----------------------------------------------------------------------------


def test_empty_answers_come_as_wolkvox_sends_them(sim: WolkvoxSimulator, clock: Clock) -> None:
    clock.wall = dt.datetime.strptime(NIGHT, STAMP)
    status, body = ask(sim, "agents")
    assert (status, body["msg"], "data" in body) == (404, "Validate dates entered", False)
    assert interpret(status, json.dumps(body).encode(), "agents").empty_window
    # real_time.php's empty answer is unverified: the other possibility, a 200 with no rows
    sim.paths[REALTIME_PATH] = SampleRealtime(seed=7, empty="list")
    status, body = ask(sim, "agents")
    assert (status, body["msg"], body["data"]) == (200, "0 records were found", [])
    assert interpret(status, json.dumps(body).encode(), "agents").rows == []
    # what always has rows: the server's load, the queues, the campaigns, pending recalls
    for api in ("info_server", "skills", "campaigns", "recall"):
        assert rows(sim, api), api


def test_sample_shapes_send_what_the_documented_samples_show(sim: WolkvoxSimulator) -> None:
    declared = rows(sim, "recall")
    assert all("id_campaign" in row for row in declared)
    status, body = ask(sim, "info_server")
    assert isinstance(body["data"], dict)  # one object, as its sample shows
    sim.paths[REALTIME_PATH] = SampleRealtime(seed=7, shapes="sample")
    assert all("id_campaing" in row and "id_campaign" not in row for row in rows(sim, "recall"))
    status, body = ask(sim, "campaigns")
    assert status == 200
    assert isinstance(body, list)  # a bare list, without the envelope
    assert {row["campaign"] for row in body} == {"101", "202", "303"}


def test_a_skill_and_a_service_time_can_be_asked_for(sim: WolkvoxSimulator) -> None:
    (support,) = rows(sim, "skills", skill_id="3002", services_time="15")
    assert support["skill_name"] == "Soporte técnico"

    def level(name: str) -> float:
        return float(support[name].removesuffix(" %"))

    assert (
        level("service_level_10seg") <= level("service_level_15seg") <= level("service_level_20seg")
    )
    assert rows(sim, "skills", skill_id="9999") == []


def test_the_sandbox_command_serves_real_time_with_its_seed_clock_and_shapes() -> None:
    args = cli.build_parser().parse_args(
        [
            "--port",
            "0",
            "--seed",
            "11",
            "--timezone",
            "America/Lima",
            "--history-days",
            "1",
            "--sample-shapes",
        ]
    )
    with cli.simulator(args, dt.datetime(2025, 6, 30, 10, 30)) as sim:
        realtime = sim.paths[REALTIME_PATH]
    assert isinstance(realtime, SampleRealtime)
    assert (realtime.seed, realtime.timezone, realtime.shapes) == (11, "America/Lima", "sample")
