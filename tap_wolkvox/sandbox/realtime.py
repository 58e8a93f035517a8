"""``real_time.php`` for the sandbox: what the sample operation is doing at the simulator's clock.

The operation is the reports' and information.php's: the agents 1200-1235, the skills
3001-3005 (an agent is in the skills ``agents_in_skill`` lists), the campaigns 101, 202 and 303,
the chat connectors and the activity codes (the first three count as hits). Every reading is a
function of the seed and the wall clock alone, so two reads at one instant agree:

* Traffic follows the day (:func:`traffic`): none at night, a peak mid-morning and another
  mid-afternoon on weekdays, less on Saturday, little on Sunday.
* Agents work shifts (:func:`shift`). Once logged in, each goes READY, then RING, TALK and ACW
  for a call, or an auxiliary state (BREAK, CAPACITACION, and ALMUERZO four hours in); calls
  come more often when traffic is high. A day's states are drawn once, from the seed.
* Calls are one flow (:class:`CallFlow`): the agents' calls, the calls the queues lose, the
  campaigns' unanswered attempts. The calls of the last 10 minutes, the hits of the last hour,
  the queues (calls waiting now, today's counters and service levels), the campaigns' counters
  and the server's load all read it; it is a report source too (cdr_1's rows), so a simulator
  that serves it for cdr_1 reports the calls the snapshots saw.
* Chats and e-mails are attended for minutes by agents of the chat and e-mail skills; recalls
  are scheduled during the day for the next hours and leave the list when their time comes.

An empty answer (nobody logged in at night, no call in the last 10 minutes) is Wolkvox's usual
404 "Validate dates entered"; what real_time.php sends is unverified, so ``empty="list"`` answers
a 200 with an empty list instead. With ``shapes="sample"`` replies take the documented samples'
shape: recall spells ``id_campaing``, campaigns come as a bare list without the envelope.
``info_server`` always sends ``data`` as one object, as its sample shows.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import random
import typing as t
import zlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from tap_wolkvox.sandbox.api import MSG_NO_SUCH_API, MSG_PARAMETERS, OneObject
from tap_wolkvox.sandbox.information import ACTIVITY_CODES, CAMPAIGNS, CONNECTORS, skills_of
from tap_wolkvox.sandbox.operation import AGENTS, CHANNELS, SKILLS, voice_id

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from tap_wolkvox.sandbox.api import Answers, Empty, RequestRecord, Shapes

STAMP = "%Y-%m-%d %H:%M:%S"
_MINUTE = dt.timedelta(minutes=1)

#: Traffic by hour of a weekday, 0 to 1 (read between hours by minute): none at night.
_WEEKDAY = (0.0,) * 7 + (0.2, 0.5, 0.8, 1.0, 1.0, 0.7, 0.6, 0.85, 0.9, 0.8, 0.6, 0.4, 0.25, 0.1)
#: Saturday and Sunday: a share of the weekday's, in the hours they open.
_WEEKEND = {5: (0.45, range(8, 14)), 6: (0.12, range(9, 13))}


def traffic(at: dt.datetime) -> float:
    """How busy the operation is at the wall-clock ``at``: 0 (closed) to 1 (the peak)."""
    weekday = at.weekday()
    share, hours = _WEEKEND.get(weekday, (1.0, range(24)))

    def hourly(hour: int) -> float:
        return share * _WEEKDAY[hour] if hour in hours and hour < len(_WEEKDAY) else 0.0

    now, later = hourly(at.hour), hourly(at.hour + 1)
    return now + (later - now) * at.minute / 60


def _rng(*parts: object) -> random.Random:
    """A generator seeded by ``parts``: the same draws for the same seed, agent, day..."""
    return random.Random(zlib.crc32("|".join(map(str, parts)).encode()))  # noqa: S311


def _count(rng: random.Random, expected: float) -> int:
    """A whole number of events averaging ``expected``."""
    whole = int(expected)
    return whole + (rng.random() < expected - whole)


#: Weekday shifts of eight hours, by agent: 07-15, 08-16, 09-17, 12-20, 13-21.
_SHIFT_STARTS = (7, 8, 9, 12, 13)


def shift(seed: int, index: int, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """When the agent at ``index`` of AGENTS logs in and out on ``day``; None on a day off.

    Every agent works weekdays, one in three Saturday mornings, one in nine Sunday mornings.
    """
    weekday = day.weekday()
    if weekday == 6:  # noqa: PLR2004 - Sunday
        works, start, hours = index % 9 == 0, 9, 4
    elif weekday == 5:  # noqa: PLR2004 - Saturday
        works, start, hours = index % 3 == 0, 8, 6
    else:
        works, start, hours = True, _SHIFT_STARTS[index % len(_SHIFT_STARTS)], 8
    if not works:
        return None
    rng = _rng(seed, "shift", index, day)
    login = dt.datetime.combine(day, dt.time(start)) + dt.timedelta(seconds=rng.randint(0, 900))
    logout = login + dt.timedelta(hours=hours, seconds=-rng.randint(0, 600))
    return login, logout


def campaigns_dial(at: dt.datetime) -> bool:
    """Whether the campaigns are dialling at ``at``: weekdays 08-18, Saturdays 08-13."""
    last = {5: 13, 6: 0}.get(at.weekday(), 18)
    return 8 <= at.hour < last  # noqa: PLR2004 - opening hour


@dataclass(frozen=True)
class Call:
    """One call of the flow (inbound, or a campaign's attempt)."""

    conn_id: str
    #: When it entered the queue (inbound) or was dialled (outbound).
    date: dt.datetime
    type_interaction: str
    skill_id: str
    campaign_id: str
    #: The agent (index in AGENTS) who took it; None when none did.
    agent: int | None
    #: How it ended: answered, abandoned, no answer, busy, answering machine.
    outcome: str
    #: Seconds in queue before an agent answered, or before the caller hung up.
    wait: int
    talk: int
    #: When it was over, wrap-up included: its code (and so a hit) is known from then on.
    ended: dt.datetime
    telephone: str
    customer_id: str
    cod_act: str

    @property
    def inbound(self) -> bool:
        """Whether the customer called (rather than a campaign)."""
        return not self.campaign_id

    def result(self, now: dt.datetime) -> str:
        """How the call stands at ``now``: still queued, or how it ended."""
        return "queued" if now < self.date + dt.timedelta(seconds=self.wait) else self.outcome

    def queued(self, now: dt.datetime) -> bool:
        """Whether the call is waiting in its queue at ``now``."""
        return self.date <= now < self.date + dt.timedelta(seconds=self.wait)

    @property
    def hit(self) -> bool:
        """Whether it was coded with an activity code that counts as a hit."""
        return self.cod_act in HIT_CODES


HIT_CODES = frozenset(code for code, _, hit in ACTIVITY_CODES if hit == "1")
_CODES = tuple(code for code, _, _ in ACTIVITY_CODES if code != "TIMEOUTACW")
_CODE_TEXT = {code: text for code, text, _ in ACTIVITY_CODES}
#: How a campaign's attempt that no agent took ends, and how often each happens.
_UNANSWERED, _UNANSWERED_WEIGHTS = ("no answer", "busy", "answering machine"), (50, 25, 25)
#: The type_interaction of a campaign's calls, by its dial mode.
_DIALLED = {"predictive": "out_pre", "progressive": "out_pre", "preview": "outbound_ma"}
#: Share of the inbound calls each skill takes.
_SKILL_SHARE = {"3001": 0.25, "3002": 0.25, "3003": 0.1, "3004": 0.3, "3005": 0.1}


def _customer(rng: random.Random) -> tuple[str, str]:
    """A customer's phone number and identification number."""
    phone = f"57{rng.choice(('300', '310', '315', '320'))}{rng.randint(1_000_000, 9_999_999)}"
    return phone, str(rng.randint(10_000_000, 1_099_999_999))


@dataclass(frozen=True)
class Segment:
    """A stretch of an agent's day in one state (``call``: the call of RING, TALK, ACW)."""

    state: str
    start: dt.datetime
    end: dt.datetime
    call: Call | None = None


#: What each state adds to: an agent's time per state, as the agents reading reports it.
_BUCKETS = {"READY": "ready_time", "RING": "ring_time", "ACW": "acw_time"}
_AUX = ("BREAK", "CAPACITACION")
_LUNCH = "ALMUERZO"


@dataclass
class _AgentDay:
    """Draws one agent's day: states one after another, from login to logout."""

    seed: int
    zone: ZoneInfo
    index: int
    login: dt.datetime
    logout: dt.datetime

    def segments(self) -> list[Segment]:
        rng = _rng(self.seed, "agent", self.index, self.login.date())
        skills = skills_of(self.index)
        campaigns = [c for c in CAMPAIGNS if c[3] in skills]
        lunch: dt.datetime | None = self.login + dt.timedelta(hours=4)
        if self.logout - self.login < dt.timedelta(hours=6):
            lunch = None
        segments: list[Segment] = []
        at = self.login
        while at < self.logout:
            busy = traffic(at)
            at = self._add(segments, "READY", at, rng.randint(10, 40 + int(600 * (1 - busy))))
            draw = rng.random()
            if lunch is not None and at >= lunch:
                at, lunch = self._add(segments, _LUNCH, at, rng.randint(2700, 3600)), None
            elif draw < 0.08:  # noqa: PLR2004 - an auxiliary state now and then
                at = self._add(segments, rng.choice(_AUX), at, rng.randint(180, 900))
            elif campaigns and campaigns_dial(at) and draw < 0.08 + 0.35 * (1 - busy / 2):
                at = self._call(segments, rng, at, rng.choice(campaigns)[0], skills)
            else:
                at = self._call(segments, rng, at, "", skills)
        return [s for s in segments if s.start < self.logout]

    def _add(
        self,
        segments: list[Segment],
        state: str,
        at: dt.datetime,
        seconds: int,
        call: Call | None = None,
    ) -> dt.datetime:
        end = min(at + dt.timedelta(seconds=seconds), self.logout)
        segments.append(Segment(state, at, end, call))
        return end

    def _call(
        self,
        segments: list[Segment],
        rng: random.Random,
        at: dt.datetime,
        campaign_id: str,
        skills: list[str],
    ) -> dt.datetime:
        """RING, TALK and ACW of one call the agent takes at ``at``."""
        busy = traffic(at)
        ring, talk, wrap = rng.randint(5, 20), rng.randint(60, 480), rng.randint(15, 90)
        if campaign_id:
            wait, kind = 0, _DIALLED[_campaign(campaign_id)[2]]
            skill_id = _campaign(campaign_id)[3]
        else:
            wait, kind = min(int(rng.expovariate(1 / (4 + 40 * busy**2))), 300), "inbound"
            skill_id = rng.choice(skills)
        entered = at - dt.timedelta(seconds=wait)
        phone, customer = _customer(rng)
        code = rng.choices(_CODES, weights=(14, 10, 12, 18, 16, 8, 12, 10))[0]
        call = Call(
            conn_id=voice_id(entered, self.zone, rng),
            date=entered,
            type_interaction=kind,
            skill_id=skill_id,
            campaign_id=campaign_id,
            agent=self.index,
            outcome="answered",
            wait=wait,
            talk=talk,
            ended=at + dt.timedelta(seconds=ring + talk + wrap),
            telephone=phone,
            customer_id=customer,
            cod_act=code,
        )
        at = self._add(segments, "RING", at, ring, call)
        at = self._add(segments, "TALK", at, talk, call)
        return self._add(segments, "ACW", at, wrap, call)


def _campaign(campaign_id: str) -> tuple[str, str, str, str]:
    return next(c for c in CAMPAIGNS if c[0] == campaign_id)


@dataclass(frozen=True)
class DayFlow:
    """One day of the operation: each agent's states, and every call, in date order."""

    #: Per agent (index in AGENTS): the day's states, none on a day off.
    segments: tuple[tuple[Segment, ...], ...]
    calls: tuple[Call, ...]


@functools.lru_cache(maxsize=8)
def day_flow(seed: int, timezone: str, day: dt.date) -> DayFlow:
    """The whole of ``day``, drawn once (its calls are then filtered by the clock)."""
    zone = ZoneInfo(timezone)
    segments = []
    for index in range(len(AGENTS)):
        hours = shift(seed, index, day)
        segments.append(tuple(_AgentDay(seed, zone, index, *hours).segments()) if hours else ())
    # (each call an agent took is in three of its states: RING, TALK, ACW)
    calls = list(dict.fromkeys(s.call for agent in segments for s in agent if s.call))
    minute = dt.datetime.combine(day, dt.time())
    while minute.date() == day:
        calls += _unanswered(seed, zone, minute)
        minute += _MINUTE
    calls.sort(key=lambda call: (call.date, call.conn_id))
    return DayFlow(tuple(segments), tuple(calls))


def _unanswered(seed: int, zone: ZoneInfo, minute: dt.datetime) -> list[Call]:
    """The calls of one minute no agent took: lost in a queue, or a campaign's attempts."""
    busy = traffic(minute)
    if not busy:
        return []
    rng = _rng(seed, "minute", minute)
    calls = []
    for _ in range(_count(rng, 0.3 * busy**2)):  # callers hang up more when queues are long
        skill_id = rng.choices(list(_SKILL_SHARE), weights=list(_SKILL_SHARE.values()))[0]
        calls.append(
            _lost(
                rng,
                zone,
                minute,
                skill_id=skill_id,
                campaign_id="",
                kind="inbound",
                outcome="abandoned",
            )
        )
    if campaigns_dial(minute):
        for campaign_id, _, mode, skill_id in CAMPAIGNS:
            for _ in range(_count(rng, 0.4 + busy)):
                outcome = rng.choices(_UNANSWERED, _UNANSWERED_WEIGHTS)[0]
                calls.append(
                    _lost(
                        rng,
                        zone,
                        minute,
                        skill_id=skill_id,
                        campaign_id=campaign_id,
                        kind=_DIALLED[mode],
                        outcome=outcome,
                    )
                )
    return calls


def _lost(  # noqa: PLR0913
    rng: random.Random,
    zone: ZoneInfo,
    minute: dt.datetime,
    *,
    skill_id: str,
    campaign_id: str,
    kind: str,
    outcome: str,
) -> Call:
    """A call no agent took, in ``minute``: abandoned in a queue, or a campaign's attempt."""
    date = minute + dt.timedelta(seconds=rng.randint(0, 59))
    wait = 0 if campaign_id else rng.randint(10, 120)  # how long the caller waited
    phone, customer = _customer(rng)
    return Call(
        conn_id=voice_id(date, zone, rng),
        date=date,
        type_interaction=kind,
        skill_id=skill_id,
        campaign_id=campaign_id,
        agent=None,
        outcome=outcome,
        wait=wait,
        talk=0,
        ended=date + dt.timedelta(seconds=wait),
        telephone=phone,
        customer_id=customer,
        cod_act="",
    )


@dataclass(frozen=True)
class CallFlow:
    """Every call of the sample operation, day by day (a report source for cdr_1 too)."""

    seed: int = 7
    timezone: str = "America/Bogota"

    def day(self, day: dt.date) -> DayFlow:
        """The states and calls of ``day``."""
        return day_flow(self.seed, self.timezone, day)

    def calls(self, after: dt.datetime, until: dt.datetime) -> list[Call]:
        """The calls dated in ``(after, until]``."""
        found: list[Call] = []
        day = after.date()
        while day <= until.date():
            found += (call for call in self.day(day).calls if after < call.date <= until)
            day += dt.timedelta(days=1)
        return found

    def rows(self, start: str, end: str, now: str) -> list[dict[str, t.Any]]:
        """cdr_1 rows of the calls dated in ``[start, min(end, now)]`` (local wall clock)."""
        first = dt.datetime.strptime(start, STAMP) - dt.timedelta(seconds=1)  # noqa: DTZ007
        last = dt.datetime.strptime(min(end, now), STAMP)  # noqa: DTZ007
        return [_call_detail(call) for call in self.calls(first, last)] if first < last else []


def _call_detail(call: Call) -> dict[str, str]:
    """``call`` as a cdr_1 row."""
    agent_id, agent_name = AGENTS[call.agent] if call.agent is not None else ("", "")
    return {
        "agent_name": agent_name,
        "date": call.date.strftime(STAMP),
        "destiny": "Colombia - Móvil",
        "telephone": call.telephone,
        "cost": f"{call.talk / 60 * 0.012:.3f}",
        "time_seg": str(call.talk),
        "time_min": f"{call.talk / 60:.2f}",
        "cod_act": call.cod_act,
        "cod_act_2": "",
        "description_cod_act": _CODE_TEXT.get(call.cod_act, ""),
        "description_cod_act_2": "",
        "type_interaction": call.type_interaction,
        "customer_id": call.customer_id,
        "hang_up": "customer" if call.talk % 3 else "agent",
        "campaign_id": call.campaign_id,
        "conn_id": call.conn_id,
        "skill_id": call.skill_id,
        "skill_name": dict(SKILLS)[call.skill_id],
        "agent_id": agent_id,
        "comment": "",
    }


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
_SENDERS = ("Andrea Cifuentes", "Hernán Pineda", "Marcela Acosta", "Óscar Villamizar")
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
        rng = _rng(self.seed, "server", now.replace(second=now.second // 10 * 10))
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
            rng = _rng(self.seed, "latency", agent.index, now.replace(second=0))
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
        rows = []
        for agent in self.on_shift(now):
            if not _CHAT_SKILLS & set(skills_of(agent.index)):
                continue
            active = [
                {
                    "conn_id": conn_id,
                    "channel": channel,
                    "connector_id": _CONNECTOR[channel],
                    "customer_phone": phone,
                    "conversation": [
                        {"from": who, "msg": text, "date": at.strftime(STAMP)}
                        for who, text, at in _messages(rng, start, now)
                    ],
                }
                for rng, start, conn_id, channel, phone in self._attended(agent, now, "chat")
            ]
            if active:
                rows.append({"agent_id": AGENTS[agent.index][0], "active_chats": active})
        return rows

    def interactions(self, now: dt.datetime, _: dict[str, str]) -> list[dict[str, t.Any]]:
        """Each agent attending e-mails now, with those e-mails."""
        rows = []
        for agent in self.on_shift(now):
            if not _EMAIL_SKILLS & set(skills_of(agent.index)):
                continue
            active = [
                {
                    "conn_id": conn_id,
                    "subject": rng.choice(_SUBJECTS),
                    "fromname": rng.choice(_SENDERS),
                    "date": (start - dt.timedelta(minutes=rng.randint(2, 90))).strftime(STAMP),
                }
                for rng, start, conn_id, _, _ in self._attended(agent, now, "email")
            ]
            if active:
                rows.append({"agent_id": AGENTS[agent.index][0], "active_interactions": active})
        return rows

    def _attended(
        self, agent: OnShift, now: dt.datetime, kind: str
    ) -> Iterable[tuple[random.Random, dt.datetime, str, str, str]]:
        """The chats (or e-mails) the agent is attending at ``now``, drawn for the whole shift.

        Each: a generator for its details, its start, conn_id, channel and customer phone.
        """
        day = now.date()
        hours = shift(self.seed, agent.index, day)
        if hours is None:
            return
        login, logout = hours
        rng = _rng(self.seed, kind, agent.index, day)
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
            phone, _ = _customer(rng)
            detail = _rng(self.seed, kind, conn_id)
            if start <= now < end:
                yield detail, start, conn_id, channel, phone

    def recall(self, now: dt.datetime, params: dict[str, str]) -> list[dict[str, t.Any]]:
        """The recalls scheduled by now and not yet due (``type``: ``all``, or one type)."""
        asked = params["type"]
        campaign_key = "id_campaing" if self.shapes == "sample" else "id_campaign"
        rows = []
        for back in (2, 1, 0):
            day = now.date() - dt.timedelta(days=back)
            rng = _rng(self.seed, "recall", day)
            for _ in range({5: 8, 6: 0}.get(day.weekday(), 25)):
                made = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(
                    seconds=rng.randint(0, 10 * 3600)
                )
                campaign_id, _, _, skill_id = rng.choice(CAMPAIGNS)
                due = made + dt.timedelta(minutes=5 * rng.randint(12, 48 * 12))
                phone, _ = _customer(rng)
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
