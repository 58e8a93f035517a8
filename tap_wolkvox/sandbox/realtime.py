"""``real_time.php`` for the sandbox: what the sample operation is doing at the simulator's clock.

The operation is the reports' and information.php's: the agents 1200-1235, the skills
3001-3005, the campaigns 101, 202 and 303, the chat connectors and the activity codes (the first
three count as hits). Its day is :mod:`tap_wolkvox.sandbox.workday`'s: shifts, agent states and
one flow of calls, which the calls of the last 10 minutes, the hits of the last hour, the queues
(calls waiting now, today's counters and service levels), the campaigns' counters, the agents'
counters and the server's load all read. Chats and e-mails are attended for minutes by agents of
the chat and e-mail skills; recalls are scheduled during the day for the next hours and leave
the list when their time comes. Every reading is a function of the seed and the wall clock.

An empty answer (nobody logged in at night, no call in the last 10 minutes) is Wolkvox's usual
404 "Validate dates entered"; what real_time.php sends is unverified, so ``empty="list"`` answers
a 200 with an empty list instead. With ``shapes="sample"`` replies take the documented samples'
shape: recall spells ``id_campaing``, campaigns come as a bare list without the envelope.
``info_server`` always sends ``data`` as one object, as its sample shows.
"""

from __future__ import annotations

import datetime as dt
import itertools
import typing as t
from dataclasses import dataclass

from tap_wolkvox.sandbox.api import MSG_NO_SUCH_API, MSG_PARAMETERS, OneObject
from tap_wolkvox.sandbox.information import CAMPAIGNS, CONNECTORS, skills_of
from tap_wolkvox.sandbox.operation import AGENTS, CHANNELS, CUSTOMERS, SKILLS
from tap_wolkvox.sandbox.workday import (
    STAMP,
    CallFlow,
    Segment,
    campaigns_dial,
    customer,
    seeded,
    shift,
    traffic,
)

if t.TYPE_CHECKING:
    import random
    from collections.abc import Callable, Iterator

    from tap_wolkvox.sandbox.api import Answers, Empty, RequestRecord, Shapes
    from tap_wolkvox.sandbox.workday import Call


#: What each state adds to: an agent's time per state, as the agents reading reports it.
_BUCKETS = {"READY": "ready_time", "RING": "ring_time", "ACW": "acw_time"}


@dataclass(frozen=True)
class OnShift:
    """An agent logged in at a reading: the day's states so far, the one now last."""

    index: int
    login: dt.datetime
    states: tuple[Segment, ...]

    @property
    def now(self) -> Segment:
        """The state the agent is in."""
        return self.states[-1]


_CHAT_TEXTS = (
    "Hola, necesito ayuda con mi factura",
    "Con gusto, ¿me confirma su número de documento?",
    "Claro, ya se lo envío",
    "Gracias, estoy revisando su caso",
    "¿Cuánto tarda la solución?",
    "Queda registrado, ¿algo más en que pueda ayudarle?",
)
_SUBJECTS = ("Solicitud de factura", "Cambio de plan", "Reclamo por cobro", "Certificado")
_CHAT_CHANNELS = tuple(c for c in CHANNELS if c[0] != "email")
_CONNECTOR = {channel: connector_id for connector_id, _, _, channel in CONNECTORS}
#: The skills whose agents attend chats, and e-mails.
_CHAT_SKILLS, _EMAIL_SKILLS = {"3002", "3004"}, {"3004", "3005"}


#: The parameter a request cannot do without.
_REQUIRED = {"skills": "skill_id", "recall": "type"}


@dataclass
class SampleRealtime:
    """What ``/api/v2/real_time.php`` answers for the sample operation (see the module)."""

    seed: int = 7
    timezone: str = "America/Bogota"
    shapes: Shapes = "declared"
    empty: Empty = "404"

    def __post_init__(self) -> None:
        """Name each request's reading."""
        self.calls = CallFlow(self.seed, self.timezone)
        self._readings: dict[str, Callable[[dt.datetime, dict[str, str]], list[dict[str, t.Any]]]]
        self._readings = {
            "agents": self.agents,
            "calls_last_10": self.calls_last_10,
            "hits_last_hour": self.hits_last_hour,
            "info_server": self.info_server,
            "latency": self.latency,
            "skills": self.skills,
            "campaigns": self.campaigns,
            "chats": self.chats,
            "interactions": self.interactions,
            "recall": self.recall,
        }

    def answer(
        self, sim: Answers, params: dict[str, str], record: RequestRecord
    ) -> tuple[int, t.Any]:
        """The status and JSON body for one request that passed the token and quota checks."""
        api = params.get("api", "")
        reading = self._readings.get(api)
        if reading is None:
            return sim.error(400, "BAD REQUEST", MSG_NO_SUCH_API)
        required = _REQUIRED.get(api)
        if required is not None and not params.get(required):
            return sim.error(400, "BAD REQUEST", MSG_PARAMETERS)
        rows = reading(dt.datetime.strptime(sim.wall_now(), STAMP), params)  # noqa: DTZ007
        if api == "campaigns" and self.shapes == "sample":
            record.rows = len(rows)
            return 200, rows  # the documented sample: a bare list, no envelope
        return sim.rows_reply(rows, record, empty=self.empty)

    # -- who is working -----------------------------------------------------------------------

    def on_shift(self, now: dt.datetime) -> list[OnShift]:
        """The agents logged in at ``now``, with their states so far."""
        working = []
        for index, states in enumerate(self.calls.day(now.date()).segments):
            if states and states[0].start <= now < states[-1].end:
                so_far = tuple(s for s in states if s.start <= now)
                working.append(OnShift(index, states[0].start, so_far))
        return working

    def agents(self, now: dt.datetime, _: dict[str, str]) -> list[dict[str, t.Any]]:
        """Each logged-in agent's state now and counters so far today."""
        return [self._agent(agent, now) for agent in self.on_shift(now)]

    def _agent(self, agent: OnShift, now: dt.datetime) -> dict[str, str]:
        seconds = dict.fromkeys(("ready_time", "ring_time", "acw_time", "aux_time"), 0)
        seconds |= {"inbound_time": 0, "outbound_time": 0}
        calls = {"inbound": 0, "outbound": 0}
        for state in agent.states:
            spent = int((min(state.end, now) - state.start).total_seconds())
            if state.call is not None and state.state == "TALK":
                direction = "inbound" if state.call.inbound else "outbound"
                calls[direction] += 1
                seconds[f"{direction}_time"] += spent
            else:
                seconds[_BUCKETS.get(state.state, "aux_time")] += spent
        logged = int((now - agent.login).total_seconds())
        handled = sum(calls.values())
        busy = seconds["inbound_time"] + seconds["outbound_time"] + seconds["acw_time"]
        available = logged - seconds["aux_time"]
        agent_id, name = AGENTS[agent.index]
        return {
            "agent_id": agent_id,
            "agent_name": name,
            "agent_status": agent.now.state,
            "calls": str(handled),
            "inbound": str(calls["inbound"]),
            "outbound": str(calls["outbound"]),
            "internal": "0",
            "time_state_now": _hms((now - agent.now.start).total_seconds()),
            **{bucket: _hms(spent) for bucket, spent in seconds.items()},
            "login_time": _hms(logged),
            "aht_time": _hms(busy / handled if handled else 0),
            "ocupation": _percent(busy + seconds["ring_time"], available),
        }

    # -- the call flow ------------------------------------------------------------------------

    def calls_last_10(self, now: dt.datetime, _: dict[str, str]) -> list[dict[str, t.Any]]:
        """The calls that came in or were dialled in the last 10 minutes."""
        return [
            {
                "type_interaction": call.type_interaction,
                "result": call.result(now),
                "date": call.date.strftime(STAMP),
                "telephone": call.telephone,
                "customer_id": call.customer_id,
                "conn_id": call.conn_id,
            }
            for call in self.calls.calls(now - dt.timedelta(minutes=10), now)
        ]

    def hits_last_hour(self, now: dt.datetime, _: dict[str, str]) -> list[dict[str, t.Any]]:
        """The calls of the last hour coded, by now, with a code that counts as a hit."""
        return [
            {
                "conn_id": call.conn_id,
                "type_interaction": call.type_interaction,
                "date": call.date.strftime(STAMP),
                "telephone": call.telephone,
                "customer_id": call.customer_id,
                "hit": call.cod_act,
            }
            for call in self.calls.calls(now - dt.timedelta(hours=1), now)
            if call.hit and call.ended <= now
        ]

    def _today(self, now: dt.datetime) -> list[Call]:
        """The calls of today so far."""
        return [call for call in self.calls.day(now.date()).calls if call.date <= now]

    def skills(self, now: dt.datetime, params: dict[str, str]) -> list[dict[str, t.Any]]:
        """Each skill's queue now and its counters today (``skill_id``: one, or ``all``)."""
        asked = params["skill_id"]
        # services_time adds a level for that many seconds, in a column named after it
        thresholds = [10, 20, 30]
        thresholds += (
            [int(params["services_time"])] if params.get("services_time", "").isdigit() else []
        )
        today = [call for call in self._today(now) if call.inbound]
        rows = []
        for skill_id, name in SKILLS:
            if asked not in {"all", skill_id}:
                continue
            calls = [call for call in today if call.skill_id == skill_id]
            over = [call for call in calls if not call.queued(now)]
            answered = [call.wait for call in over if call.outcome == "answered"]
            rows.append(
                {
                    "skill_id": skill_id,
                    "skill_name": name,
                    "calls_in_queue_now": str(len(calls) - len(over)),
                    "stat_inbound": str(len(calls)),
                    "stat_answer": str(len(answered)),
                    "stat_abandon": str(len(over) - len(answered)),
                    **{
                        f"service_level_{seconds}seg": _percent(
                            sum(wait <= seconds for wait in answered), len(over)
                        )
                        for seconds in thresholds
                    },
                    "by_abandon": _percent(len(over) - len(answered), len(over)),
                }
            )
        return rows

    def campaigns(self, now: dt.datetime, _: dict[str, str]) -> list[dict[str, t.Any]]:
        """Each campaign's status now and its dialling today."""
        today = [call for call in self._today(now) if not call.inbound]
        rows = []
        for index, (campaign_id, _name, _mode, skill_id) in enumerate(CAMPAIGNS):
            dialled = [call for call in today if call.campaign_id == campaign_id]
            outcomes = [call.outcome for call in dialled]
            records = 1500 * (index + 1)  # as information.php's campaigns table says
            last_hour = [c for c in dialled if c.date > now - dt.timedelta(hours=1)]
            last_10 = [c for c in last_hour if c.date > now - dt.timedelta(minutes=10)]
            rows.append(
                {
                    "campaign": campaign_id,
                    "speed": "1.5",
                    "status": "running" if campaigns_dial(now) else "paused",
                    "skill_id": skill_id,
                    "records": str(records),
                    "clean": str(max(records - len(dialled), 0)),
                    "dial": str(len(dialled)),
                    "answer": str(outcomes.count("answered")),
                    "no_answer": str(outcomes.count("no answer")),
                    "busy/congestion/failed": str(outcomes.count("busy")),
                    "answer_machine": str(outcomes.count("answering machine")),
                    "penetration_day": _percent(len(dialled), records),
                    "penetration_now": _percent(len(last_hour), records),
                    "hits": str(sum(call.hit and call.ended <= now for call in dialled)),
                    "calls_x_min": f"{len(last_10) / 10:.1f}",
                    "recycled": "0",
                }
            )
        return rows

    def info_server(self, now: dt.datetime, _: dict[str, str]) -> list[dict[str, t.Any]]:
        """The dedicated server's load: ``data`` is one object."""
        working = self.on_shift(now)
        talking = sum(agent.now.state in {"RING", "TALK"} for agent in working)
        waiting = sum(call.queued(now) for call in self._today(now) if call.inbound)
        rng = seeded(self.seed, "server", now.replace(second=now.second // 10 * 10))
        average = 6 + 1.2 * talking + 0.5 * len(working) + rng.uniform(0, 4)
        return OneObject(
            [
                {
                    "cpu_avg_10s": f"{average:.1f}",
                    "cpu_max_10s": f"{average + rng.uniform(2, 15):.1f}",
                    "cpu_min_10s": f"{max(average - rng.uniform(1, 5), 0.5):.1f}",
                    "ram": f"{48 + 0.6 * len(working) + rng.uniform(0, 3):.1f}",
                    "calls": str(talking + waiting),
                    "connected_agents": str(len(working)),
                }
            ]
        )

    def latency(self, now: dt.datetime, _: dict[str, str]) -> list[dict[str, t.Any]]:
        """The network of each connected agent, grouped by IP and by PBX user too."""
        by_agent, by_pbx = [], []
        for agent in self.on_shift(now):
            rng = seeded(self.seed, "latency", agent.index, now.replace(second=0))
            office = agent.index % 3 == 0
            ip = "190.85.12.10" if office else f"181.{51 + agent.index % 7}.{agent.index * 7}.10"
            latency = rng.randint(20, 45) if office else rng.randint(35, 180)
            jitter_and_loss = {
                "tx_jitter": str(rng.randint(1, 30)),
                "rx_jitter": str(rng.randint(1, 30)),
                "tx_ploss": f"{rng.uniform(0, 2):.1f}",
                "rx_ploss": f"{rng.uniform(0, 2):.1f}",
            }
            at = now - dt.timedelta(seconds=rng.randint(0, 59))
            by_agent.append(
                {
                    "agent_id": AGENTS[agent.index][0],
                    "latency_ms": str(latency),
                    "ip": ip,
                    "version": "5.4.1" if agent.index % 4 == 0 else "5.4.2",
                    "agent_status": agent.now.state,
                    **jitter_and_loss,
                    "network_rejection": str(rng.choice((10, 25, 40)) if latency > 150 else 0),  # noqa: PLR2004
                    "connection_type": "Ethernet" if office else "Wi-Fi",
                    "platform": "web" if agent.index % 5 == 0 else "app",
                    "last_date": max(at, agent.login).strftime(STAMP),
                }
            )
            by_pbx.append(
                {"user": AGENTS[agent.index][0], "status": "REGISTERED", **jitter_and_loss}
            )
        if not by_agent:
            return []
        return [{"by_agent": by_agent, "by_ip": _by_ip(by_agent), "by_pbx": by_pbx}]

    # -- chats, e-mails, recalls ----------------------------------------------------------------

    def chats(self, now: dt.datetime, _: dict[str, str]) -> list[dict[str, t.Any]]:
        """Each agent attending chats now, with those chats and their messages so far."""
        return self._attending(now, "chat", "active_chats", _chat)

    def interactions(self, now: dt.datetime, _: dict[str, str]) -> list[dict[str, t.Any]]:
        """Each agent attending e-mails now, with those e-mails."""
        return self._attending(now, "email", "active_interactions", _email)

    def _attending(
        self,
        now: dt.datetime,
        kind: t.Literal["chat", "email"],
        column: str,
        item: Callable[[Attended, dt.datetime], dict[str, t.Any]],
    ) -> list[dict[str, t.Any]]:
        """A row per agent attending chats (or e-mails) now: ``column`` lists them."""
        skills = _CHAT_SKILLS if kind == "chat" else _EMAIL_SKILLS
        rows = []
        for agent in self.on_shift(now):
            if skills & set(skills_of(agent.index)):
                active = [item(attended, now) for attended in self._attended(agent, now, kind)]
                if active:
                    rows.append({"agent_id": AGENTS[agent.index][0], column: active})
        return rows

    def _attended(self, agent: OnShift, now: dt.datetime, kind: str) -> Iterator[Attended]:
        """The chats (or e-mails) the agent is attending at ``now``, drawn for the whole shift."""
        day = now.date()
        hours = shift(self.seed, agent.index, day)
        if hours is None:
            return
        login, logout = hours
        rng = seeded(self.seed, kind, agent.index, day)
        span = (logout - login).total_seconds()
        for seq in range(int(span / 3600 * rng.uniform(1.5, 3))):
            start = login
            for _ in range(20):  # more of them when traffic is high
                start = login + dt.timedelta(seconds=rng.uniform(0, span - 300))
                if rng.random() < traffic(start):
                    break
            end = start + dt.timedelta(minutes=rng.randint(4, 25))
            channel, prefix, _ = (
                rng.choices(_CHAT_CHANNELS, weights=[c[2] for c in _CHAT_CHANNELS])[0]
                if kind == "chat"
                else CHANNELS[0]
            )
            conn_id = f"{prefix}{start:%y%m%d%H%M}{agent.index:02d}{seq:02d}"
            phone, _ = customer(rng)
            if start <= now < end:
                yield Attended(seeded(self.seed, kind, conn_id), start, conn_id, channel, phone)

    def recall(self, now: dt.datetime, params: dict[str, str]) -> list[dict[str, t.Any]]:
        """The recalls scheduled by now and not yet due (``type``: ``all``, or one type)."""
        asked = params["type"]
        campaign_key = "id_campaing" if self.shapes == "sample" else "id_campaign"
        rows = []
        for back in (2, 1, 0):
            day = now.date() - dt.timedelta(days=back)
            rng = seeded(self.seed, "recall", day)
            for _ in range({5: 8, 6: 0}.get(day.weekday(), 25)):
                made = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(
                    seconds=rng.randint(0, 10 * 3600)
                )
                campaign_id, _, _, skill_id = rng.choice(CAMPAIGNS)
                due = made + dt.timedelta(minutes=5 * rng.randint(12, 48 * 12))
                phone, _ = customer(rng)
                agents = [a for i, a in enumerate(AGENTS) if skill_id in skills_of(i)]
                for_agent = rng.random() < 0.7  # noqa: PLR2004 - most recalls are an agent's
                agent_id = rng.choice(agents)[0] if for_agent else ""
                kind = "agent" if for_agent else "campaign"
                if made <= now < due and asked in {"all", kind}:
                    rows.append(
                        {
                            "type_recall": kind,
                            "date_recall": due.strftime(STAMP),
                            "phone_number": phone,
                            campaign_key: campaign_id,
                            "id_agent": agent_id,
                        }
                    )
        return rows


class Attended(t.NamedTuple):
    """A chat or e-mail an agent is attending: ``rng`` draws its details."""

    rng: random.Random
    start: dt.datetime
    conn_id: str
    channel: str
    phone: str


def _chat(chat: Attended, now: dt.datetime) -> dict[str, t.Any]:
    return {
        "conn_id": chat.conn_id,
        "channel": chat.channel,
        "connector_id": _CONNECTOR[chat.channel],
        "customer_phone": chat.phone,
        "conversation": [
            {"from": who, "msg": text, "date": at.strftime(STAMP)}
            for who, text, at in _messages(chat.rng, chat.start, now)
        ],
    }


def _email(email: Attended, _: dt.datetime) -> dict[str, t.Any]:
    received = email.start - dt.timedelta(minutes=email.rng.randint(2, 90))
    return {
        "conn_id": email.conn_id,
        "subject": email.rng.choice(_SUBJECTS),
        "fromname": email.rng.choice(CUSTOMERS),
        "date": received.strftime(STAMP),
    }


def _messages(
    rng: random.Random, start: dt.datetime, now: dt.datetime
) -> list[tuple[str, str, dt.datetime]]:
    """A chat's messages up to ``now``: the customer first, then in turns."""
    messages, at = [], start
    for turn in itertools.count():
        if at > now:
            break
        who = "CUSTOMER" if turn % 2 == 0 else "AGENT"
        messages.append((who, rng.choice(_CHAT_TEXTS), at))
        at += dt.timedelta(seconds=rng.randint(20, 150))
    return messages


def _by_ip(by_agent: list[dict[str, str]]) -> list[dict[str, str]]:
    """The agents' latency grouped by the public IP they connect from."""
    rows = []
    for ip, group in itertools.groupby(sorted(by_agent, key=lambda a: a["ip"]), lambda a: a["ip"]):
        agents = list(group)
        latencies = [int(agent["latency_ms"]) for agent in agents]
        rejections = [int(agent["network_rejection"]) for agent in agents]
        rows.append(
            {
                "ip": ip,
                "total_agents": str(len(agents)),
                "average_latency": f"{sum(latencies) / len(latencies):.1f}",
                "maximum": str(max(latencies)),
                "minimum": str(min(latencies)),
                "network_rejection": f"{sum(rejections) / len(rejections):.1f}",
            }
        )
    return rows


def _hms(seconds: float) -> str:
    """Whole seconds as Wolkvox writes durations: ``HH:MM:SS``."""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _percent(part: float, whole: float) -> str:
    """``part`` of ``whole`` as Wolkvox writes percentages: ``"34.64 %"`` (0 of nothing)."""
    return f"{100 * part / whole if whole else 0:.2f} %"
