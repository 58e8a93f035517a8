"""``information.php`` for the sandbox: the sample operation's tables, logs and token use.

The IDs match what the sandbox's reports carry: the agents of ``interaction_transfers``
(:data:`~tap_wolkvox.sandbox.operation.AGENTS`, 1200-1235) are the ``agents`` rows, its skills
(3001-3005, the ``receiver_agent_id`` of a transfer whose ``receiver_agent_name`` is ``SKILL``)
the ``skills`` rows, and every agent is in one or two of those skills (``agents_in_skill``).
Activity codes are the ``cod_act-N`` values of the generated reports.

Requests pass the simulator's token, quota and concurrency checks and its faults first, like
the reports'. ``token_info`` reports the simulator's own count of calls today against its daily
quota (1,000, one license's, when it has none), this call included.
"""

from __future__ import annotations

import datetime as dt
import random
import typing as t
import zlib
from dataclasses import dataclass, field

from tap_wolkvox.declarations.information import SERVICES as SERVICE_DECLARATION
from tap_wolkvox.sandbox.api import MSG_NO_SUCH_API, MSG_PARAMETERS
from tap_wolkvox.sandbox.operation import AGENTS, SKILLS

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from tap_wolkvox.sandbox.api import Answers, ReportSource, RequestRecord

STAMP = "%Y-%m-%d %H:%M:%S"
#: The token limit token_info reports when the simulator has no daily quota: one license's.
DEFAULT_TOKEN_LIMIT = 1000

_SKILL_DESCRIPTIONS = {
    "3001": "Ventas de planes nuevos",
    "3002": "Soporte técnico de primer nivel",
    "3003": "Cobro de cartera vencida",
    "3004": "Atención general al cliente",
    "3005": "Retención de clientes que cancelan",
}
CAMPAIGNS: tuple[tuple[str, str, str, str], ...] = (
    ("101", "Ventas hogar", "predictive", "3001"),
    ("202", "Cobranza temprana", "preview", "3003"),
    ("303", "Encuesta de satisfacción", "progressive", "3004"),
)
ROUTING_POINTS: tuple[tuple[str, str, str, str], ...] = (
    # id, name, ivr_active, chat_active
    ("5001", "IVR principal", "1", "0"),
    ("5002", "Chat web", "0", "1"),
    ("5003", "WhatsApp", "0", "1"),
    ("5004", "Correo", "0", "0"),
)
CONNECTORS: tuple[tuple[str, str, str, str], ...] = (
    ("7001", "5003", "WhatsApp +57 601 555 0101", "whatsapp"),
    ("7002", "5002", "Chat del sitio web", "web"),
    ("7003", "5002", "Página de Facebook", "facebook"),
    ("7004", "5002", "Instagram @operacion", "instagram"),
    ("7005", "5004", "servicio@example.com", "email"),
)
#: The first codes count as hits (and right-party contacts).
_HITS = 3
ACTIVITY_CODES: tuple[tuple[str, str, str], ...] = (
    # the generated reports' cod_act values, and the code Wolkvox sets when coding times out
    *(
        (f"cod_act-{n}", description, "1" if n < _HITS else "0")
        for n, description in enumerate(
            (
                "Venta efectiva",
                "Promesa de pago",
                "Solución en primer contacto",
                "Volver a llamar",
                "No contesta",
                "Número equivocado",
                "Buzón de voz",
                "No interesado",
            )
        )
    ),
    ("TIMEOUTACW", "Tiempo de tipificación agotado", "0"),
)
#: Every service flag the tap declares (the table's and those only the sample sends).
SERVICES = tuple(f.name for f in SERVICE_DECLARATION.fields if f.name != "licenses")
_ON = frozenset({"pbx", "whatsapp", "chat_web", "facebook_page", "instagram_chat", "email", "crm"})


def skills_of(index: int) -> list[str]:
    """The skills the agent at ``index`` of AGENTS is in: one, and a second for every third."""
    first = SKILLS[index % len(SKILLS)][0]
    if index % 3:
        return [first]
    return [first, SKILLS[(index + 2) % len(SKILLS)][0]]


def agents_in_skill(skill_id: str, now: str) -> list[dict[str, str]]:
    """The ``agents_in_skill`` rows of one skill."""
    return [
        {
            "agent_id": agent_id,
            "agent_name": name,
            "last_use": _last_use(index, now),
            "expertise": str(1 + index * 7 % 10),
        }
        for index, (agent_id, name) in enumerate(AGENTS)
        if skill_id in skills_of(index)
    ]


def _last_use(index: int, now: str) -> str:
    """An instant earlier today (or yesterday) at which the thing at ``index`` was last used."""
    at = dt.datetime.strptime(now, STAMP) - dt.timedelta(minutes=7 + 37 * index)  # noqa: DTZ007
    return at.strftime(STAMP)


def _tables(now: str) -> dict[str, list[dict[str, str]]]:
    """Every whole table, as of the wall-clock ``now``."""
    return {
        "agents": [
            {
                "agent_id": agent_id,
                "agent_name": name,
                "agent_dni": f"10{int(agent_id) * 7919:08d}",
                "agent_status": "active",
                "last_use": _last_use(index, now),
                "agent_sso": f"agent{agent_id}@example.com",
                "enabled": "1",
            }
            for index, (agent_id, name) in enumerate(AGENTS)
        ],
        "skills": [
            {
                "skill_id": skill_id,
                "skill_name": name,
                "skill_description": _SKILL_DESCRIPTIONS[skill_id],
                "last_use": _last_use(index, now),
            }
            for index, (skill_id, name) in enumerate(SKILLS)
        ],
        "campaigns": [
            {
                "campaign_id": campaign_id,
                "campaign_name": name,
                "campaign_description": f"Campaña {name.lower()}",
                "type_campaign": "outbound",
                "status": "active",
                "records": str(1500 * (index + 1)),
                "speed": "1.5",
                "dial_mode": mode,
                "last_use": _last_use(index, now),
                "recycled": "0",
                "turbo_dial": "0",
                "skill_id": skill_id,
            }
            for index, (campaign_id, name, mode, skill_id) in enumerate(CAMPAIGNS)
        ],
        "routing_points": [
            {
                "rp_id": rp_id,
                "rp_name": name,
                "ivr_active": ivr,
                "chat_active": chat,
                "interaction_active": "1" if rp_id == "5004" else "0",
                "crm_active": "0",
                "last_use": _last_use(index, now),
            }
            for index, (rp_id, name, ivr, chat) in enumerate(ROUTING_POINTS)
        ],
        "services": [
            {"licenses": str(len(AGENTS) + 4), **{s: "1" if s in _ON else "0" for s in SERVICES}}
        ],
        "connectors": [
            {"connector_id": connector_id, "rp_id": rp_id, "name": name, "channel": channel}
            for connector_id, rp_id, name, channel in CONNECTORS
        ],
        "activity_codes": [
            {
                "cod_act": code,
                "description_cod_act": description,
                "hit": hit,
                "rpc": hit,
                "chat": "1",
                "studio": "0",
                "voice": "1",
                "type_code": "system" if code == "TIMEOUTACW" else "agent",
                "interactions": "1",
            }
            for code, description, hit in ACTIVITY_CODES
        ],
    }


_ACTIONS = ("login", "logout", "update agent", "create campaign", "download report", "edit skill")
_USERS = ("admin", "supervisor.ventas", "supervisor.soporte", "calidad")
_NOTIFICATIONS = (
    "The daily backup finished",
    "Campaign 101 ran out of records",
    "A new version of wolkvox Agent is available",
    "Scheduled maintenance tonight from 23:00",
)


@dataclass
class DailyLog:
    """A log generated for any day (seeded by the day): ``per_day`` rows at office hours."""

    api: str
    make: Callable[[random.Random, int], dict[str, str]]
    per_day: int

    def rows(self, start: str, end: str, now: str) -> list[dict[str, t.Any]]:
        """Rows dated in ``[start, min(end, now)]`` (local ``YYYY-MM-DD HH:MM:SS``)."""
        last = min(end, now)
        day = dt.date.fromisoformat(start[:10])
        found: list[dict[str, t.Any]] = []
        while day.isoformat() <= last[:10]:
            rng = random.Random(zlib.crc32(f"{self.api}|{day}".encode()))  # noqa: S311
            for n in range(self.per_day):
                at = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(
                    seconds=n * 5400 + rng.randint(0, 5000)
                )
                row = {"date": at.strftime(STAMP), **self.make(rng, n)}
                if start <= row["date"] <= last:
                    found.append(row)
            day += dt.timedelta(days=1)
        return found


def _audit(rng: random.Random, n: int) -> dict[str, str]:
    return {
        "ip": f"10.20.{n}.{rng.randint(2, 250)}",
        "user": rng.choice(_USERS),
        "action": rng.choice(_ACTIONS),
        "workstation": f"WS-{rng.randint(1, 12):02d}",
    }


def _notification(rng: random.Random, n: int) -> dict[str, str]:
    return {"notification": f"{_NOTIFICATIONS[(n + rng.randint(0, 3)) % len(_NOTIFICATIONS)]}"}


@dataclass
class SampleInformation:
    """What ``/api/v2/information.php`` answers for the sample operation.

    ``logs`` (by ``api``: audit_log, get_notification) are read by date range like the
    reports, with the same 31-day limit, 404 for an empty window and row cap; replace one with
    a :class:`~tap_wolkvox.sandbox.server.StaticRows` to serve rows of your own.
    """

    logs: dict[str, ReportSource] = field(
        default_factory=lambda: {
            "audit_log": DailyLog("audit_log", _audit, per_day=6),
            "get_notification": DailyLog("get_notification", _notification, per_day=2),
        }
    )

    def answer(
        self, sim: Answers, params: dict[str, str], record: RequestRecord
    ) -> tuple[int, t.Any]:
        """The status and JSON body for one request that passed the token and quota checks."""
        api = params.get("api", "")
        log = self.logs.get(api)
        if log is not None:
            return sim.windowed(log, params, record)
        now = sim.wall_now()
        if api == "token_info":
            return sim.rows_reply([self.token_info(sim)], record)
        if api == "agents_in_skill":
            skill_id = params.get("skill_id", "")
            if not skill_id:
                return sim.error(400, "BAD REQUEST", MSG_PARAMETERS)
            return sim.rows_reply(agents_in_skill(skill_id, now), record)
        table = _tables(now).get(api)
        if table is None:
            return sim.error(400, "BAD REQUEST", MSG_NO_SUCH_API)
        return sim.rows_reply(table, record)

    @staticmethod
    def token_info(sim: Answers) -> dict[str, str]:
        """The simulator's calls today against its quota (this call is already counted)."""
        limit = sim.daily_quota if sim.daily_quota is not None else DEFAULT_TOKEN_LIMIT
        used = sim.calls_today
        return {
            "description": "sandbox token",
            "token_limit": str(limit),
            "token_use_today": str(used),
            "all_token_today": str(used),
            "available_consumption_options": str(max(limit - used, 0)),
        }
