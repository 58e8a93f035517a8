"""A day of the sandbox's operation: its traffic, its agents' shifts and states, its calls.

What ``real_time.php`` reads (sandbox/realtime.py), drawn from a seed alone, so that a reading
depends on the seed and the wall clock only:

* Traffic follows the day (:func:`traffic`): none at night, a peak mid-morning and another
  mid-afternoon on weekdays, less on Saturday, little on Sunday.
* The agents (1200-1235) work shifts (:func:`shift`). Once logged in, each goes READY, then
  RING, TALK and ACW for a call, or an auxiliary state (BREAK, CAPACITACION, and ALMUERZO four
  hours in); calls come more often when traffic is high. A day is drawn once (:func:`day_flow`).
* Calls are one flow (:class:`CallFlow`): the calls the agents take (inbound, in the skills
  ``agents_in_skill`` lists them in, or a campaign's), the calls the queues lose, the
  campaigns' unanswered attempts. It is a report source too (cdr_1's rows), so a simulator
  that serves it for cdr_1 reports the calls a real-time reading saw.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import typing as t
import zlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

if t.TYPE_CHECKING:
    from collections.abc import Iterator

from tap_wolkvox.sandbox.information import ACTIVITY_CODES, CAMPAIGNS, skills_of
from tap_wolkvox.sandbox.operation import AGENTS, SKILLS, voice_id

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


def seeded(*parts: object) -> random.Random:
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
    rng = seeded(seed, "shift", index, day)
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
#: How often an agent sets each code: the first three, hits, on about a third of the calls.
_CODE_WEIGHTS = (14, 10, 12, 18, 16, 8, 12, 10)
_CODE_TEXT = {code: text for code, text, _ in ACTIVITY_CODES}
#: How a campaign's attempt that no agent took ends, and how often each happens.
_UNANSWERED, _UNANSWERED_WEIGHTS = ("no answer", "busy", "answering machine"), (50, 25, 25)
#: The type_interaction of a campaign's calls, by its dial mode.
_DIALLED = {"predictive": "out_pre", "progressive": "out_pre", "preview": "outbound_ma"}
#: Share of the inbound calls each skill takes.
_SKILL_SHARE = {"3001": 0.25, "3002": 0.25, "3003": 0.1, "3004": 0.3, "3005": 0.1}


def customer(rng: random.Random) -> tuple[str, str]:
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
        """The day's states: READY, then a call, an auxiliary state or lunch; and again."""
        rng = seeded(self.seed, "agent", self.index, self.login.date())
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
                at = self._call(segments, rng, at, rng.choice(campaigns), skills)
            else:
                at = self._call(segments, rng, at, None, skills)
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
        campaign: tuple[str, str, str, str] | None,
        skills: list[str],
    ) -> dt.datetime:
        """RING, TALK and ACW of one call the agent takes at ``at``: a campaign's, or inbound."""
        busy = traffic(at)
        ring, talk, wrap = rng.randint(5, 20), rng.randint(60, 480), rng.randint(15, 90)
        if campaign is not None:
            campaign_id, _, mode, skill_id = campaign
            wait, kind = 0, _DIALLED[mode]
        else:  # callers wait longer when queues are busy
            campaign_id, kind, skill_id = "", "inbound", rng.choice(skills)
            wait = min(int(rng.expovariate(1 / (4 + 40 * busy**2))), 300)
        entered = at - dt.timedelta(seconds=wait)
        phone, customer_id = customer(rng)
        code = rng.choices(_CODES, weights=_CODE_WEIGHTS)[0]
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
            customer_id=customer_id,
            cod_act=code,
        )
        at = self._add(segments, "RING", at, ring, call)
        at = self._add(segments, "TALK", at, talk, call)
        return self._add(segments, "ACW", at, wrap, call)


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
    rng = seeded(seed, "minute", minute)

    def lost() -> Iterator[tuple[str, str, str, str]]:
        """Each call's skill, campaign, type and outcome."""
        for _ in range(_count(rng, 0.3 * busy**2)):  # callers hang up more when queues are long
            skill_id = rng.choices(list(_SKILL_SHARE), weights=list(_SKILL_SHARE.values()))[0]
            yield skill_id, "", "inbound", "abandoned"
        if campaigns_dial(minute):
            for campaign_id, _, mode, skill_id in CAMPAIGNS:
                for _ in range(_count(rng, 0.4 + busy)):
                    outcome = rng.choices(_UNANSWERED, _UNANSWERED_WEIGHTS)[0]
                    yield skill_id, campaign_id, _DIALLED[mode], outcome

    return [_lost(rng, zone, minute, call) for call in lost()]


def _lost(
    rng: random.Random, zone: ZoneInfo, minute: dt.datetime, call: tuple[str, str, str, str]
) -> Call:
    """A call no agent took, in ``minute``: abandoned in a queue, or a campaign's attempt.

    ``call``: its skill, campaign (blank for an inbound call), type and outcome.
    """
    skill_id, campaign_id, kind, outcome = call
    date = minute + dt.timedelta(seconds=rng.randint(0, 59))
    wait = 0 if campaign_id else rng.randint(10, 120)  # how long the caller waited
    phone, customer_id = customer(rng)
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
        customer_id=customer_id,
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
