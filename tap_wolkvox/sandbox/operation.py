"""A realistic sample operation for the sandbox: agents, skills, channels and their transfers.

Deterministic for a seed: a few months of history with office-hours traffic, and, from the
moment the sandbox starts, a steady flow of new transfers so that incremental runs find
something new.
"""

from __future__ import annotations

import datetime as dt
import random
import typing as t
from dataclasses import dataclass, field

if t.TYPE_CHECKING:
    from zoneinfo import ZoneInfo

AGENTS: tuple[tuple[str, str], ...] = tuple(
    (str(1200 + i), name)
    for i, name in enumerate(
        (
            "Valentina Gómez",
            "Santiago Rodríguez",
            "Camila Martínez",
            "Sebastián López",
            "Mariana Hernández",
            "Mateo García",
            "Daniela Pérez",
            "Nicolás Sánchez",
            "Isabella Ramírez",
            "Samuel Torres",
            "Laura Flórez",
            "Alejandro Díaz",
            "Sofía Vargas",
            "Juan Pablo Castro",
            "Gabriela Rojas",
            "Andrés Moreno",
            "Natalia Jiménez",
            "Felipe Ortiz",
            "Paula Restrepo",
            "David Muñoz",
            "Juliana Castaño",
            "Tomás Gutiérrez",
            "Carolina Ríos",
            "Esteban Londoño",
            "Manuela Ospina",
            "Daniel Cardona",
            "Luisa Fernanda Salazar",
            "Miguel Ángel Quintero",
            "Ana María Zapata",
            "Carlos Arango",
            "María José Mejía",
            "Jorge Iván Valencia",
            "Lina Marcela Cárdenas",
            "Diego Alejandro Suárez",
            "Angélica Patiño",
            "Julián Betancur",
        )
    )
)

SKILLS: tuple[tuple[str, str], ...] = (
    ("3001", "Ventas"),
    ("3002", "Soporte técnico"),
    ("3003", "Cobranzas"),
    ("3004", "Servicio al cliente"),
    ("3005", "Retención"),
)

#: Customers' names, where a row names one.
CUSTOMERS = ("Andrea Cifuentes", "Hernán Pineda", "Marcela Acosta", "Óscar Villamizar")

# The four chat channels and e-mail; e-mail is chat_9's main channel.
CHANNELS: tuple[tuple[str, str, int], ...] = (
    ("email", "EM", 40),
    ("whatsapp", "WA", 30),
    ("web", "WB", 12),
    ("facebook", "FB", 10),
    ("instagram", "IG", 8),
)

STAMP = "%Y-%m-%d %H:%M:%S"


def voice_id(wall: dt.datetime, zone: ZoneInfo, rng: random.Random) -> str:
    """A Wolkvox voice ID for a call whose row reads ``wall`` in ``zone``.

    Like ``6736.4628.1040.1768782812.1814``: the second-to-last part is the Unix time of the
    call, taken up to a minute before the row's wall-clock time (as in the vendor's samples).
    """
    epoch = int(wall.replace(tzinfo=zone).timestamp()) - rng.randint(0, 59)
    return (
        f"{rng.randint(1000, 13000)}.{rng.randint(0, 9999):04d}.{rng.randint(1000, 9999)}."
        f"{epoch}.{rng.randint(1, 60000)}"
    )


def _transfer_chain(
    rng: random.Random, conn_id: str, channel: str, first: dt.datetime
) -> list[dict[str, str]]:
    """One interaction's transfers: one to three hops, to agents or to a skill queue."""
    hops = rng.choices((1, 2, 3), weights=(70, 22, 8))[0]
    holder = rng.choice(AGENTS)
    at = first
    rows = []
    for _ in range(hops):
        if rng.random() < 0.35:  # noqa: PLR2004 - a third of transfers go to a queue
            skill_id, _skill = rng.choice(SKILLS)
            receiver = (skill_id, "SKILL")
            next_holder = rng.choice(AGENTS)  # whoever the queue hands it to
        else:
            receiver = rng.choice([a for a in AGENTS if a != holder])
            next_holder = receiver
        rows.append(
            {
                "conn_id": conn_id,
                "transfer_agent_id": holder[0],
                "transfer_agent_name": holder[1],
                "receiver_agent_id": receiver[0],
                "receiver_agent_name": receiver[1],
                "channel": channel,
                "date": at.strftime(STAMP),
            }
        )
        holder = next_holder
        at += dt.timedelta(seconds=rng.randint(60, 1800))
    return rows


def _interactions_per_day(rng: random.Random, day: dt.date) -> int:
    weekday = day.weekday()
    if weekday == 6:  # noqa: PLR2004 - Sunday
        return rng.randint(10, 25)
    if weekday == 5:  # noqa: PLR2004 - Saturday
        return rng.randint(60, 90)
    return rng.randint(150, 220)


@dataclass
class SampleOperation:
    """Transfers of a mid-sized operation, as the sandbox serves them for ``chat_9``."""

    seed: int = 7
    history_days: int = 60
    live_from: dt.datetime = field(
        default_factory=lambda: dt.datetime.now().replace(microsecond=0)  # noqa: DTZ005 - wall clock
    )
    live_per_minute: int = 6
    _history: list[dict[str, str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Generate the history once."""
        rng = random.Random(self.seed)  # noqa: S311 - sample data
        first_day = self.live_from.date() - dt.timedelta(days=self.history_days)
        rows: list[dict[str, str]] = []
        for offset in range(self.history_days + 1):  # today up to live_from too
            day = first_day + dt.timedelta(days=offset)
            for seq in range(_interactions_per_day(rng, day)):
                channel, prefix, _ = rng.choices(CHANNELS, weights=[c[2] for c in CHANNELS])[0]
                start = dt.datetime(day.year, day.month, day.day, 7)  # noqa: DTZ001
                first = start + dt.timedelta(seconds=rng.randint(0, 14 * 3600))
                conn_id = f"{prefix}{day:%y%m%d}{seq:05d}"
                rows.extend(_transfer_chain(rng, conn_id, channel, first))
        self._history = [r for r in rows if r["date"] < self.live_from.strftime(STAMP)]

    def _live(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, str]]:
        """Transfers of the live flow whose first hop falls in minutes ``[start, end]``."""
        rows: list[dict[str, str]] = []
        first_minute = max(start, self.live_from).replace(second=0) - dt.timedelta(hours=1)
        minute = first_minute
        while minute <= end:
            index = int((minute - self.live_from).total_seconds() // 60)
            rng = random.Random(self.seed * 1_000_003 + index)  # noqa: S311 - sample data
            for seq in range(self.live_per_minute):
                channel, prefix, _ = rng.choices(CHANNELS, weights=[c[2] for c in CHANNELS])[0]
                first = minute + dt.timedelta(seconds=rng.randint(0, 59))
                if first < self.live_from:
                    continue
                conn_id = f"{prefix}{minute:%y%m%d%H%M}{seq:02d}"
                rows.extend(_transfer_chain(rng, conn_id, channel, first))
            minute += dt.timedelta(minutes=1)
        return rows

    def rows(self, start: str, end: str, now: str) -> list[dict[str, t.Any]]:
        """Transfers dated in ``[start, min(end, now)]`` (local ``YYYY-MM-DD HH:MM:SS``)."""
        last = min(end, now)
        found = [r for r in self._history if start <= r["date"] <= last]
        live_end = dt.datetime.strptime(last, STAMP)  # noqa: DTZ007 - wall clock
        if live_end >= self.live_from:
            window_start = dt.datetime.strptime(start, STAMP)  # noqa: DTZ007 - wall clock
            found += [r for r in self._live(window_start, live_end) if start <= r["date"] <= last]
        return found
