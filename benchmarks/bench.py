"""Speed, memory and call counts of tap-wolkvox against the sandbox on loopback.

Measurements (each can be run alone with ``--only``; the tap always runs as a child process,
``python -m tap_wolkvox --config ... --catalog ...``, its byte-code compiled first, its stdout
to /dev/null unless counted; CPU time and peak RSS are that child's own, from ``wait4`` in a
small launcher process, see :data:`LAUNCHER`):

``rows``
    Instructions a row (``valgrind --tool=callgrind``: counts repeat exactly; hash seed fixed, a
    fresh seeded sandbox per run) on one interaction_transfers (chat_9) reply, for: the tap on a
    reply that fits its declaration (the typed fast path); the tap on the same reply with one
    undeclared key in one row (the whole reply takes the fallback, the dict and SDK path); the
    stdlib floor (``json.loads`` the body, ``json.dumps`` a RECORD line a row, write); the
    msgspec floor (decode the body, encode the same RECORD lines, write). Each is counted at
    55,000 and at 5,000 rows; the difference over 50,000 is a row's cost, start-up cancelling.
``startup``
    Instructions (callgrind) of an empty run: 115 streams discovered, 3 selected
    (interaction_transfers, agents, agent_daily_closed_interactions), the windows answering 404
    (Wolkvox's "no rows"), through the command.
``inflight``
    Wall time of a ten-stream run (five one-day windows each, 50 calls) against the sandbox
    answering after 300 ms: serial (the default) and with ``requests_in_flight: 2``, next to the
    limit calls x latency / 2, with the most requests the sandbox saw open at once. ``n/a``
    for a tap without that setting.
``rss``
    Peak resident memory of the tap for chat_2 (chat_conversations) replies of about 25 MB and
    250 MB: chats with long transcripts (hundreds of messages), generated here, deterministic.
``cpu``
    Per-row CPU of the tap against the stdlib floor on one 60,000-row chat_9 reply, in paired
    rounds (tap, tap on an empty window, floor; the order rotates), the median of the
    per-round ratios; and the tap's peak RSS for that window. Wall-clock CPU moves with the
    shared machine's load; ``rows`` is the steady figure.
``calls``
    Calls, truncated replies and the ideal for a dense backfill (90 days of 4,000 transfers a
    day, ``max_rows_per_request`` and the sandbox's row cap both 6,000); calls for a 365-day
    backfill at default settings (300 transfers a day; the same with one 70,000-row day in it);
    and for a five-minute incremental run.

Durations on a 2-CPU machine: rows ~4 minutes, startup ~15 s, inflight ~40 s, rss ~30 s, cpu
~15 s (7 rounds), calls ~20 s. A table of every result and its goal is printed at the end.
Benchmarks measure; the tests do not assert timings. The callgrind parts are skipped, and say
so, when valgrind is not installed (``apt-get install valgrind``).

The tap runs from a copy of ``tap_wolkvox/`` taken at start (``--no-snapshot``: the live tree),
so edits made during a run do not mix versions; the end of the output says if the tree changed.
``--tree DIR`` runs the tap from another source tree (with this venv's packages), e.g. an
earlier commit exported with ``git archive <commit> tap_wolkvox | tar -x -C DIR``, for
before/after figures; the sandbox and the floors are always this repository's.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/bench.py [--only rows,startup]
[--tree DIR]``; ``--help`` lists the options).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.sandbox.generated import generated_sources
from tap_wolkvox.sandbox.server import SortedRows, WolkvoxSimulator

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

TOKEN = "bench-token"  # noqa: S105 - the sandbox's token for this run
STAMP = "%Y-%m-%d %H:%M:%S"
NOW = "2030-01-01 00:00:00"  # the sandbox's clock: every benchmark window is in the past
REPO = Path(__file__).resolve().parent.parent

WINDOW_ROWS = 60_000  # rows of the chat_9 reply the per-row CPU is measured on
TRANSFERS = "interaction_transfers"  # chat_9
CONVERSATIONS = "chat_conversations"  # chat_2
CHAT_SIZES_MB = (25, 250)  # chat_2 reply sizes for peak RSS

# The dense backfill: 90 days of 4,000 transfers a day, with a per-request row cap of 6,000.
DENSE_DAYS = 90
DENSE_PER_DAY = 4_000
DENSE_CAP = 6_000
MAX_SPAN_DAYS = 31  # the API's longest span per request

SECTIONS = ("rows", "startup", "inflight", "rss", "cpu", "calls")

# Instructions a row: counted at ROWS_N and at ROWS_M rows of one chat_9 reply.
ROWS_N = 55_000
ROWS_M = 5_000
UNDECLARED_KEY = "wrap_up_note"  # a key chat_9 does not declare: the reply takes the fallback
ROWS_FLOOR_FACTOR = 1.3  # the tap's goal: at most 1.3 x the msgspec floor a row
# The fallback's goal: no worse than before issues 21-25: the highest of three runs of this
# benchmark with --tree at f1a2992 (69,296-70,540), on the machine and Python of
# docs/performance.md (instruction counts move with the Python build).
ROWS_FALLBACK_BEFORE = 70_540

# Start-up: an empty run, 3 of the 115 streams selected.
STARTUP_STREAMS = ("interaction_transfers", "agents", "agent_daily_closed_interactions")
STARTUP_GOAL = 1.3e9

# Requests in flight: ten event streams, one-day windows, the sandbox 300 ms slow.
INFLIGHT_STREAMS = (
    "interaction_transfers",
    "chats",
    "omnichannel_interactions",
    "bot_to_agent_chats",
    "chat_transfers",
    "call_detail_records",
    "unconnected_calls",
    "agent_login_sessions",
    "abandoned_calls",
    "answered_calls",
)
INFLIGHT_DAYS = 5
LATENCY = 0.3
INFLIGHT_GOAL = 0.6

# Goals (from the issues and docs/performance.md).
RATIO_GOAL = 2.0
# Memory no worse than before issues 21-25: this benchmark measured, at commit f1a2992, 113-122 MiB
# for the 60,000-row window (four runs; the highest is the goal) and 69 MiB for both chat_2
# replies (every run).
BEFORE = "f1a2992"
WINDOW_RSS_BEFORE_MIB = 122
CHAT_RSS_BEFORE_MIB = {25: 69, 250: 69}
CALLS_GOAL_FACTOR = 1.5

#: The floors, run as ``python -c FLOOR body.json stream json|msgspec|none`` in a fresh process.
#: ``json``: the standard library's ``json.loads`` of the body and one compact RECORD line per
#: row with ``json.dumps``, written one by one; ``msgspec``: the same lines (the same JSON;
#: ``json.dumps`` escapes non-ASCII, msgspec writes it as UTF-8, as the tap does) from
#: ``msgspec.json`` decode and encode, written one by one. It prints the CPU seconds of its work
#: (reading the file is not counted) and the rows it wrote; ``none`` does everything but the work.
FLOOR = """\
import os, sys, time
body = open(sys.argv[1], "rb").read()
stream = sys.argv[2]
kind = sys.argv[3]
started = time.process_time()
count = 0
if kind == "json":
    import json
    rows = json.loads(body)["data"]
    with open(os.devnull, "w") as out:
        write = out.write
        for row in rows:
            write(
                json.dumps(
                    {"type": "RECORD", "stream": stream, "record": row}, separators=(",", ":")
                )
                + "\\n"
            )
    count = len(rows)
elif kind == "msgspec":
    import msgspec
    rows = msgspec.json.decode(body)["data"]
    encode = msgspec.json.Encoder().encode
    with open(os.devnull, "wb") as out:
        write = out.write
        for row in rows:
            write(encode({"type": "RECORD", "stream": stream, "record": row}) + b"\\n")
    count = len(rows)
print(time.process_time() - started, count)
"""


# -- rows the sandbox serves --------------------------------------------------------------------


def transfers(count: int, start: dt.datetime, seconds: int, seed: int) -> list[dict[str, str]]:
    """``count`` transfer rows (chat_9) at random seconds of ``[start, start + seconds)``."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    rows = []
    for i in range(count):
        when = start + dt.timedelta(seconds=rng.randrange(seconds))
        receiver = rng.choice(("1202", "1217", "3001"))
        rows.append(
            {
                "conn_id": f"EM{seed:02d}{i:07d}",
                "transfer_agent_id": "1201",
                "transfer_agent_name": "Valentina Gómez",
                "receiver_agent_id": receiver,
                "receiver_agent_name": "SKILL" if receiver == "3001" else "Mateo García",
                "channel": "email",
                "date": when.strftime(STAMP),
            }
        )
    return rows


_TEXT = (
    "hola buenos días tardes gracias por favor su pedido número factura envío cliente señor "
    "señora cuenta pago tarjeta crédito débito devolución dirección confirmo revisamos sistema "
    "mañana teléfono correo electrónico le informo que el la los las de del con una un para "
    "en ya no sí estado solicitud radicado garantía producto entrega bodega ciudad Bogotá "
    "Medellín Cali transferencia asesor momento espera validación información datos documento "
    "identidad cédula quedo atento atenta excelente día muchas perfecto claro entiendo"
)
_WORDS = _TEXT.split()


class LongConversations(SortedRows):
    """chat_2 rows with long transcripts, about ``target_bytes`` of reply in all.

    Deterministic for a seed: chats start at random times of ``day`` and hold 60 to 600
    messages each, alternating customer and agent, a few of them attachment URLs. The size is
    that of the JSON the sandbox sends (UTF-8, ``json.dumps`` separators).
    """

    def __init__(self, target_bytes: int, day: dt.date, seed: int = 2) -> None:
        """Generate chats until their JSON reaches ``target_bytes``."""
        rng = random.Random(seed)  # noqa: S311 - benchmark data
        sentences = [
            " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 24))).capitalize() + "."
            for _ in range(4096)
        ]
        agents = ("Valentina Gómez", "Santiago Rodríguez", "Camila Martínez", "Mateo García")
        customers = ("Andrea Cifuentes", "Hernán Pineda", "Marcela Acosta", "Óscar Villamizar")
        opening = dt.datetime.combine(day, dt.time(6))
        rows: list[dict[str, t.Any]] = []
        size = len(
            '{"code": "200", "error": null, "msg": "0000000 records were found", "data": []}'
        )
        self.messages = 0
        while size < target_bytes:
            index = len(rows)
            conn_id = f"CH{seed:02d}{index:07d}"
            agent, customer_name = rng.choice(agents), rng.choice(customers)
            channel = rng.choice(("whatsapp", "webchat", "facebook", "instagram"))
            customer_id = f"{rng.randrange(10**9, 10**10)}"
            phone = f"57300{rng.randrange(10**6, 10**7)}"
            when = opening + dt.timedelta(seconds=rng.randrange(14 * 3600))
            conversation = []
            for number in range(rng.randint(60, 600)):
                from_agent = number % 2 == 1
                if rng.random() < 0.03:
                    text = f"https://wv0048.wolkvox.com/chat/attachments/{conn_id}/{number}.jpg"
                else:
                    text = " ".join(
                        sentences[rng.randrange(4096)] for _ in range(rng.randint(1, 3))
                    )
                conversation.append(
                    {
                        "channel": channel,
                        "from": "AGENT" if from_agent else "CUSTOMER",
                        "from_name": agent if from_agent else customer_name,
                        "to_name": customer_name
                        if from_agent
                        else ("chat bot" if number < 2 else agent),
                        "date": when.strftime(STAMP),
                        "message": text,
                        "customer_id": customer_id,
                        "customer_phone": phone,
                    }
                )
                when += dt.timedelta(seconds=rng.randint(2, 45))
            row = {
                "conn_id": conn_id,
                "agent_name": agent,
                "customer_name": customer_name,
                "conversation": conversation,
            }
            rows.append(row)
            self.messages += len(conversation)
            size += len(json.dumps(row, ensure_ascii=False).encode()) + 2  # and ", "
        self.size = size
        super().__init__(rows, lambda row: str(row["conversation"][0]["date"]))


class BenchError(RuntimeError):
    """A run the benchmark cannot measure (it failed, or read less than it should)."""


# -- running the tap and the floor --------------------------------------------------------------


@dataclass
class Run:
    """What one run of a child process cost."""

    cpu: float  # seconds, user + system
    peak: int  # peak resident set, bytes
    wall: float  # seconds
    log: str  # stderr
    stdout: Path | None = None  # where stdout went, when kept


class Tap:
    """Runs the tap as a child process (``python -m tap_wolkvox``), one stream selected."""

    def __init__(self, workdir: Path, source: Path | None) -> None:
        """Keep files in ``workdir``; import the tap from ``source`` when given."""
        self.workdir = workdir
        self.env = dict(os.environ)
        if source is not None:
            self.env["PYTHONPATH"] = os.pathsep.join(
                part for part in (str(source), os.environ.get("PYTHONPATH", "")) if part
            )
        self._catalogs: dict[str, Path] = {}
        self._discovered: dict[str, t.Any] | None = None
        self._runs = 0

    def discover(self) -> dict[str, t.Any]:
        """The tap's own catalog (``--discover``), once."""
        if self._discovered is None:
            config = self.workdir / "discover.json"
            config.write_text(
                json.dumps(
                    {"token": TOKEN, "api_url": "http://127.0.0.1:1", "start_date": "2025-01-01"}
                )
            )
            command = [sys.executable, "-m", "tap_wolkvox", "--config", str(config), "--discover"]
            found = subprocess.run(
                command, env=self.env, cwd=self.workdir, capture_output=True, check=True, text=True
            ).stdout
            self._discovered = json.loads(found)
        return self._discovered

    def catalog(self, streams: str | Iterable[str]) -> Path:
        """A catalog (from the tap's own discovery) selecting only ``streams``."""
        chosen = {streams} if isinstance(streams, str) else set(streams)
        name = "-".join(sorted(chosen)) if len(chosen) < 4 else f"{len(chosen)}-streams"
        if name not in self._catalogs:
            catalog = json.loads(json.dumps(self.discover()))
            missing = chosen - {entry["tap_stream_id"] for entry in catalog["streams"]}
            if missing:
                msg = f"the tap does not discover {', '.join(sorted(missing))}"
                raise BenchError(msg)
            for entry in catalog["streams"]:
                for metadata in entry["metadata"]:
                    if metadata["breadcrumb"] == []:
                        metadata["metadata"]["selected"] = entry["tap_stream_id"] in chosen
            path = self.workdir / f"catalog-{name}.json"
            path.write_text(json.dumps(catalog))
            self._catalogs[name] = path
        return self._catalogs[name]

    def command(
        self,
        streams: str | Iterable[str],
        config: dict[str, t.Any],
        state: dict[str, t.Any] | None = None,
    ) -> list[str]:
        """The command line of one run (config and state written to files)."""
        self._runs += 1
        config_path = self.workdir / f"config-{self._runs}.json"
        config_path.write_text(json.dumps(config))
        command = [sys.executable, "-m", "tap_wolkvox", "--config", str(config_path)]
        command += ["--catalog", str(self.catalog(streams))]
        if state is not None:
            state_path = self.workdir / f"state-{self._runs}.json"
            state_path.write_text(json.dumps(state))
            command += ["--state", str(state_path)]
        return command

    def run(  # noqa: PLR0913
        self,
        stream: str | Iterable[str],
        config: dict[str, t.Any],
        state: dict[str, t.Any] | None = None,
        *,
        keep_stdout: bool = False,
        prefix: Sequence[str] = (),
        env: dict[str, str] | None = None,
    ) -> Run:
        """Run the tap once; raise with its log when it fails."""
        command = [*prefix, *self.command(stream, config, state)]
        return run_child(
            command,
            {**self.env, **(env or {})},
            self.workdir,
            self.workdir / f"stdout-{self._runs}.txt" if keep_stdout else None,
        )


#: Starts a command and writes its CPU seconds and peak RSS (KiB) to the file ``argv[1]``. The
#: benchmark's own process cannot be the measured child's parent: Linux counts, in a child's
#: ``ru_maxrss``, the peak RSS of the image it was forked from (the parent's, up to exec) -- with
#: the benchmark holding 250 MB of rows, every child would "peak" at the benchmark's size. This
#: small launcher (a few MiB, below any tap run) is forked instead, and forks the command.
LAUNCHER = """\
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(f"{usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}")
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def run_child(
    command: list[str], env: dict[str, str], cwd: Path, stdout: Path | None = None
) -> Run:
    """Run ``command`` in ``cwd`` (through :data:`LAUNCHER`): its CPU time and peak RSS.

    Not in the repository's directory: Python puts the working directory first on the path,
    which would shadow the tap's copy on ``PYTHONPATH``.
    """
    usage = cwd / "usage.txt"
    usage.unlink(missing_ok=True)
    launcher = [sys.executable, "-I", "-S", "-c", LAUNCHER, str(usage)]
    with (
        tempfile.TemporaryFile() as stderr,
        (
            stdout.open("wb") if stdout is not None else open(os.devnull, "wb")  # noqa: PTH123
        ) as out,
    ):
        started = time.perf_counter()
        proc = subprocess.run(
            [*launcher, *command], stdout=out, stderr=stderr, env=env, cwd=cwd, check=False
        )
        wall = time.perf_counter() - started
        stderr.seek(0)
        log = stderr.read().decode(errors="replace")
    if proc.returncode != 0:
        msg = f"exit {proc.returncode}: {' '.join(command[:4])} ...\n{log[-3000:]}"
        raise BenchError(msg)
    cpu, peak = usage.read_text().split()
    return Run(float(cpu), int(peak) * 1024, wall, log, stdout)


def check_rows(run: Run, expected: int) -> None:
    """Fail unless the tap's log says it read ``expected`` rows (a failed run measures nothing)."""
    if re.search(rf"\b{expected} rows\b", run.log) is None:
        msg = f"the tap did not report {expected} rows read:\n{run.log[-2000:]}"
        raise BenchError(msg)


def emitted_keys(run: Run, *fields: str) -> set[tuple[t.Any, ...]]:
    """Distinct values of ``fields`` over the RECORD messages of a run's stdout."""
    keys = set()
    assert run.stdout is not None  # noqa: S101 - the run kept its stdout
    with run.stdout.open("rb") as lines:
        for line in lines:
            if b'"RECORD"' in line:
                record = json.loads(line)["record"]
                keys.add(tuple(record[name] for name in fields))
    return keys


def run_floor(
    body: Path, mode: str, prefix: Sequence[str] = (), env: dict[str, str] | None = None
) -> tuple[float, int]:
    """The floor in a fresh process: CPU seconds of its work and rows written."""
    command = [*prefix, sys.executable, "-c", FLOOR, str(body), TRANSFERS, mode]
    done = subprocess.run(
        command, capture_output=True, text=True, check=True, env=env, cwd=body.parent
    )
    seconds, rows = done.stdout.split()
    return float(seconds), int(rows)


def save_body(sim: WolkvoxSimulator, path: Path) -> Path:
    """The full chat_9 window's reply body, fetched as the tap would, saved to ``path``."""
    reply = requests.get(
        f"{sim.url}/api/v2/reports_manager.php",
        params={"api": "chat_9", "date_ini": "20250106000000", "date_end": "20250106235959"},
        headers={"wolkvox-token": TOKEN},
        timeout=120,
    )
    reply.raise_for_status()
    path.write_bytes(reply.content)
    return path


def window_configs(url: str) -> tuple[dict[str, t.Any], dict[str, t.Any]]:
    """Configs for the 60,000-row chat_9 window and for an empty one (the tap's start-up)."""
    full = {
        "token": TOKEN,
        "api_url": url,
        "start_date": "2025-01-06",
        "end_date": "2025-01-06T23:59:59",
        # one reply of 60,000 rows, taken whole (the real cap would split it)
        "max_rows_per_request": WINDOW_ROWS + 1,
    }
    return full, {**full, "start_date": "2025-01-08", "end_date": "2025-01-08T23:59:59"}


def window_rows() -> list[dict[str, str]]:
    """The 60,000 transfers of the CPU window (2025-01-06)."""
    return transfers(WINDOW_ROWS, dt.datetime(2025, 1, 6), 86_400, seed=1)


# -- the measurements ---------------------------------------------------------------------------


@dataclass
class Line:
    """One line of the final table."""

    label: str
    result: str
    goal: str = ""
    verdict: str = ""


@dataclass
class Report:
    """Table lines, added by each measurement as it finishes."""

    lines: list[Line] = field(default_factory=list)

    def add(self, label: str, result: str, goal: str = "", *, met: bool | None = None) -> None:
        """Add a line; ``met`` (when there is a goal) gives its verdict."""
        verdict = "" if met is None else ("met" if met else "NOT met")
        self.lines.append(Line(label, result, goal, verdict))

    def print(self) -> None:
        """Print the table."""
        header = Line("measurement", "result", "goal", "verdict")
        widths = [
            max(len(getattr(line, name)) for line in [header, *self.lines])
            for name in ("label", "result", "goal")
        ]

        def row(line: Line) -> str:
            cells = (line.label, line.result, line.goal)
            text = " | ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True))
            return f"{text} | {line.verdict}".rstrip(" |")

        print(row(header))
        print("-+-".join("-" * w for w in widths) + "-+--------")
        for line in self.lines:
            print(row(line))


def measure_cpu(tap: Tap, rounds: int, report: Report) -> None:
    """Tap vs floor per-row CPU on one 60,000-row window, paired rounds; the window's peak RSS."""
    steps = ("tap", "startup", "floor")
    cpu: dict[str, list[float]] = {step: [] for step in steps}
    peaks: list[int] = []
    ratios: list[float] = []
    with WolkvoxSimulator(token=TOKEN, row_cap=WINDOW_ROWS + 1, now=lambda: NOW) as sim:
        sim.set_rows("chat_9", window_rows())
        body = save_body(sim, tap.workdir / "chat_9.json")
        full, empty = window_configs(sim.url)
        for number in range(rounds):
            this: dict[str, float] = {}
            for step in steps[number % 3 :] + steps[: number % 3]:  # the order rotates
                if step == "floor":
                    this[step], rows = run_floor(body, "json")
                    assert rows == WINDOW_ROWS, rows  # noqa: S101 - the floor read the body
                    continue
                run = tap.run(TRANSFERS, full if step == "tap" else empty)
                if step == "tap":
                    check_rows(run, WINDOW_ROWS)
                    peaks.append(run.peak)
                this[step] = run.cpu
            ratio = (this["tap"] - this["startup"]) / this["floor"]
            ratios.append(ratio)
            for step in steps:
                cpu[step].append(this[step])
            print(
                f"  round {number + 1}: tap {this['tap']:.2f} s, start-up {this['startup']:.2f} s,"
                f" floor {this['floor']:.2f} s -> ratio {ratio:.2f}",
                flush=True,
            )
    per_row = {step: [s / WINDOW_ROWS * 1e6 for s in cpu[step]] for step in ("floor",)}
    tap_row = [
        (run - startup) / WINDOW_ROWS * 1e6
        for run, startup in zip(cpu["tap"], cpu["startup"], strict=True)
    ]
    size = body.stat().st_size / 1e6
    name = f"chat_9, {WINDOW_ROWS:,} rows ({size:.1f} MB reply)"
    ratio = statistics.median(ratios)
    report.add(
        f"per-row CPU ratio tap/floor, median of {rounds} paired rounds",
        f"{ratio:.2f} (rounds {min(ratios):.2f}-{max(ratios):.2f})",
        f"<= {RATIO_GOAL}",
        met=ratio <= RATIO_GOAL,
    )
    report.add(
        f"  tap CPU per row, start-up excluded ({name})",
        f"{statistics.median(tap_row):.2f} us ({min(tap_row):.2f}-{max(tap_row):.2f})",
    )
    floor_row = per_row["floor"]
    report.add(
        "  floor CPU per row (json.loads + compact RECORD line)",
        f"{statistics.median(floor_row):.2f} us ({min(floor_row):.2f}-{max(floor_row):.2f})",
    )
    report.add(
        "  tap start-up CPU (empty window)",
        f"{statistics.median(cpu['startup']):.2f} s"
        f" ({min(cpu['startup']):.2f}-{max(cpu['startup']):.2f})",
    )
    peak = max(peaks) / 2**20
    report.add(
        f"peak RSS, chat_9 {WINDOW_ROWS:,}-row window (max of {rounds})",
        f"{peak:.0f} MiB",
        f"<= {WINDOW_RSS_BEFORE_MIB} MiB ({BEFORE})",
        met=round(peak) <= WINDOW_RSS_BEFORE_MIB,
    )


def callgrind_instructions(run: Callable[[list[str]], object], out: Path) -> int:
    """Instructions counted by callgrind over one child process (``run`` gets the prefix)."""
    prefix = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={out}",
        f"--log-file={out}.log",
    ]
    run(prefix)
    match = re.search(r"^(?:summary|totals):\s*(\d+)", out.read_text(), re.MULTILINE)
    if match is None:
        msg = f"no instruction count in {out}"
        raise BenchError(msg)
    return int(match.group(1))


def save_rows_body(rows: list[dict[str, str]], path: Path) -> Path:
    """The chat_9 reply body the sandbox sends for ``rows`` (one window), saved to ``path``."""
    with WolkvoxSimulator(token=TOKEN, row_cap=len(rows) + 1, now=lambda: NOW) as sim:
        sim.set_rows("chat_9", rows)
        return save_body(sim, path)


def measure_rows(tap: Tap, report: Report) -> None:
    """Instructions a row (callgrind) of the tap, its fallback, and the two floors.

    Each is counted over a whole process at ``ROWS_N`` and at ``ROWS_M`` rows of one
    interaction_transfers reply; the difference over ``ROWS_N - ROWS_M`` is the cost of a row,
    start-up and everything else done once cancelling out.
    """
    if shutil.which("valgrind") is None:
        print("  valgrind not found (apt-get install -y valgrind): skipped")
        report.add("instructions a row (callgrind)", "skipped: no valgrind")
        return
    # A fixed hash seed, and a fresh (seeded) sandbox per run: the same reply, the same work.
    env = {"PYTHONHASHSEED": "0"}
    floor_env = {**os.environ, **env}
    rows = transfers(ROWS_N, dt.datetime(2025, 1, 6), 86_400, seed=1)
    # One row with a key the declaration does not know: the whole reply takes the dict path.
    odd = [{**rows[0], UNDECLARED_KEY: "x"}, *rows[1:]]
    warnings: list[str] = []

    def tap_job(served: list[dict[str, str]]) -> Callable[[list[str]], object]:
        def job(prefix: list[str]) -> object:
            with WolkvoxSimulator(token=TOKEN, row_cap=len(served) + 1, now=lambda: NOW) as sim:
                sim.set_rows("chat_9", served)
                config = window_configs(sim.url)[0]
                run = tap.run(
                    TRANSFERS, {**config, "request_timeout": 3600}, prefix=prefix, env=env
                )
            check_rows(run, len(served))
            warnings.extend(line for line in run.log.splitlines() if UNDECLARED_KEY in line)
            return run

        return job

    def floor_job(body: Path, kind: str) -> Callable[[list[str]], object]:
        return lambda prefix: run_floor(body, kind, prefix, floor_env)

    names = {
        "tap": "tap, a reply that fits (the typed path, where the tap has one)",
        "fallback": f"tap, the reply with one {UNDECLARED_KEY!r} (the fallback)",
        "json": "stdlib floor (json.loads, json.dumps a RECORD a row, write)",
        "msgspec": "msgspec floor (decode, encode the same RECORD lines, write)",
    }
    counts: dict[tuple[str, int], int] = {}
    for count in (ROWS_N, ROWS_M):
        body = save_rows_body(rows[:count], tap.workdir / f"chat_9-{count}.json")
        jobs = {
            "tap": tap_job(rows[:count]),
            "fallback": tap_job(odd[:count]),
            "json": floor_job(body, "json"),
            "msgspec": floor_job(body, "msgspec"),
        }
        for name, job in jobs.items():
            started = time.perf_counter()
            out = tap.workdir / f"callgrind-{name}-{count}.out"
            counts[name, count] = callgrind_instructions(job, out)
            print(
                f"  {name}, {count:,} rows: {counts[name, count]:,} instructions"
                f" ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    if warnings:
        print(f"  the fallback's warning: {warnings[0].strip()}")
    report_rows(counts, names, report)


def report_rows(counts: dict[tuple[str, int], int], names: dict[str, str], report: Report) -> None:
    """The table's lines of :func:`measure_rows`: instructions a row, marginal."""
    per_row = {
        name: (counts[name, ROWS_N] - counts[name, ROWS_M]) / (ROWS_N - ROWS_M) for name in names
    }
    floor = per_row["msgspec"]
    report.add(
        f"instructions a row, {ROWS_N:,}-row {TRANSFERS} reply"
        f" ((at {ROWS_N:,} - at {ROWS_M:,} rows) / {ROWS_N - ROWS_M:,}; callgrind)",
        "",
    )
    for name, label in names.items():
        value = f"{per_row[name]:,.0f}"
        if name == "tap":
            ratio = per_row[name] / floor
            goal = ROWS_FLOOR_FACTOR * floor
            report.add(
                f"  {label}",
                f"{value} ({ratio:.2f} x msgspec floor)",
                f"<= {ROWS_FLOOR_FACTOR} x msgspec floor = {goal:,.0f}",
                met=per_row[name] <= goal,
            )
        elif name == "fallback":
            report.add(
                f"  {label}",
                f"{value} ({per_row[name] / floor:.2f} x msgspec floor)",
                f"<= {ROWS_FALLBACK_BEFORE:,} ({BEFORE})",
                met=per_row[name] <= ROWS_FALLBACK_BEFORE,
            )
        else:
            report.add(f"  {label}", value)


def measure_startup(tap: Tap, report: Report) -> None:
    """Instructions of an empty run (callgrind): 115 streams discovered, 3 selected."""
    if shutil.which("valgrind") is None:
        print("  valgrind not found (apt-get install -y valgrind): skipped")
        report.add("start-up instructions (callgrind)", "skipped: no valgrind")
        return
    discovered = len(tap.discover()["streams"])
    env = {"PYTHONHASHSEED": "0"}
    # The windows answer 404 (Wolkvox's "no rows"); agents reads the sandbox's sample tables.
    with WolkvoxSimulator(token=TOKEN, now=lambda: "2025-01-09 07:00:00") as sim:
        sim.set_rows("chat_9", [])
        sim.set_rows("chat_5", [])
        config = {
            "token": TOKEN,
            "api_url": sim.url,
            "start_date": "2025-01-08",
            "end_date": "2025-01-08T23:59:59",
        }

        def job(prefix: list[str]) -> object:
            return tap.run(STARTUP_STREAMS, config, prefix=prefix, env=env)

        started = time.perf_counter()
        count = callgrind_instructions(job, tap.workdir / "callgrind-startup.out")
        calls = len(sim.requests)
    print(
        f"  empty run, {discovered} streams discovered, {len(STARTUP_STREAMS)} selected,"
        f" {calls} calls: {count:,} instructions ({time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    report.add(
        f"start-up instructions, empty run ({discovered} streams discovered,"
        f" {len(STARTUP_STREAMS)} selected; callgrind)",
        f"{count / 1e9:.2f} G",
        f"<= {STARTUP_GOAL / 1e9} G",
        met=count <= STARTUP_GOAL,
    )


def knows_setting(tap: Tap, name: str) -> bool:
    """Whether the tap declares the setting ``name`` (its ``--about``)."""
    command = [sys.executable, "-m", "tap_wolkvox", "--about", "--format", "json"]
    about = subprocess.run(
        command, env=tap.env, cwd=tap.workdir, capture_output=True, check=True, text=True
    ).stdout
    return name in json.loads(about).get("settings", {}).get("properties", {})


def measure_inflight(tap: Tap, report: Report) -> None:
    """Wall time of a ten-stream run at 300 ms latency: serial, then two requests in flight."""
    first = dt.date(2025, 1, 6)
    last = first + dt.timedelta(days=INFLIGHT_DAYS - 1)
    reports = [report for report in REPORTS if report.stream in INFLIGHT_STREAMS]
    config = {
        "token": TOKEN,
        "start_date": first.isoformat(),
        "end_date": f"{last.isoformat()}T23:59:59",
        "window_days": 1,
    }
    label = (
        f"wall time, {len(INFLIGHT_STREAMS)}-stream run, {INFLIGHT_DAYS} one-day windows each,"
        f" {LATENCY * 1000:.0f} ms latency"
    )
    walls: dict[int, float] = {}
    records: dict[int, int] = {}
    for setting in (1, 2):
        if setting == 2 and not knows_setting(tap, "requests_in_flight"):
            print("  requests_in_flight: not a setting of this tap (n/a)")
            report.add(f"  requests_in_flight: {setting}", "n/a (no such setting)")
            report.add("  ratio two in flight / serial", "n/a", f"<= {INFLIGHT_GOAL}")
            return
        with WolkvoxSimulator(
            token=TOKEN, latency=LATENCY, concurrency_limit=2, now=lambda: NOW
        ) as sim:
            sim.sources.update(generated_sources(reports, first, last))
            extra = {} if setting == 1 else {"requests_in_flight": setting}
            run = tap.run(
                INFLIGHT_STREAMS, {**config, "api_url": sim.url, **extra}, keep_stdout=True
            )
            calls, most = len(sim.requests), sim.max_in_flight
        assert run.stdout is not None  # noqa: S101 - kept
        with run.stdout.open("rb") as lines:
            records[setting] = sum(1 for line in lines if line.startswith(b'{"type":"RECORD"'))
        run.stdout.unlink()
        walls[setting] = run.wall
        limit = calls * LATENCY / 2
        print(
            f"  requests_in_flight {setting}: wall {run.wall:.2f} s, CPU {run.cpu:.2f} s,"
            f" {calls} calls, max in flight {most}, {records[setting]:,} records;"
            f" limit {calls} x {LATENCY} s / 2 = {limit:.2f} s",
            flush=True,
        )
        if setting == 1:
            report.add(label, "")
        report.add(
            f"  requests_in_flight: {setting}" + (" (serial)" if setting == 1 else ""),
            f"{run.wall:.2f} s ({calls} calls, max in flight {most}, {records[setting]:,} records;"
            f" limit calls x latency / 2 = {limit:.2f} s)",
        )
    ratio = walls[2] / walls[1]
    report.add(
        "  ratio two in flight / serial",
        f"{ratio:.2f}" + ("" if records[1] == records[2] else "; RECORD COUNTS DIFFER"),
        f"<= {INFLIGHT_GOAL}",
        met=ratio <= INFLIGHT_GOAL and records[1] == records[2],
    )


def measure_rss(tap: Tap, sizes: Sequence[int], runs: int, report: Report) -> None:
    """Peak RSS of the tap reading one chat_2 reply of each size (MB), long transcripts."""
    for megabytes in sizes:
        started = time.perf_counter()
        source = LongConversations(megabytes * 10**6, dt.date(2025, 1, 6))
        chats = len(source.data)
        print(
            f"  chat_2 reply of {source.size / 1e6:.1f} MB: {chats:,} chats,"
            f" {source.messages:,} messages (generated in {time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        peaks = []
        with WolkvoxSimulator(token=TOKEN, now=lambda: NOW) as sim:
            sim.sources["chat_2"] = source
            config = {
                "token": TOKEN,
                "api_url": sim.url,
                "start_date": "2025-01-06",
                "end_date": "2025-01-06T23:59:59",
                "request_timeout": 900,
            }
            for _ in range(runs):
                run = tap.run(CONVERSATIONS, config)
                check_rows(run, chats)
                peaks.append(run.peak)
                print(
                    f"    peak RSS {run.peak / 2**20:.0f} MiB, CPU {run.cpu:.1f} s,"
                    f" wall {run.wall:.1f} s, {len(sim.requests)} call(s) so far",
                    flush=True,
                )
        del source
        peak = max(peaks) / 2**20
        label = f"peak RSS, chat_2 reply of {megabytes} MB ({chats:,} chats)"
        if runs > 1:
            label += f", max of {runs}"
        if megabytes in CHAT_RSS_BEFORE_MIB:
            before = CHAT_RSS_BEFORE_MIB[megabytes]
            report.add(
                label, f"{peak:.0f} MiB", f"<= {before} MiB ({BEFORE})", met=round(peak) <= before
            )
        else:
            report.add(label, f"{peak:.0f} MiB")


def backfill(
    tap: Tap, rows: list[dict[str, str]], config: dict[str, t.Any], cap: int
) -> tuple[int, int, bool]:
    """Calls, replies cut at the cap, and whether every row came out, for one backfill run."""
    source = SortedRows(rows, lambda row: row["date"])
    with WolkvoxSimulator(token=TOKEN, row_cap=cap, now=lambda: NOW) as sim:
        sim.sources["chat_9"] = source
        run = tap.run(TRANSFERS, {**config, "api_url": sim.url}, keep_stdout=True)
        calls = len(sim.requests)
    complete = len(emitted_keys(run, "conn_id", "date")) == len(
        {(row["conn_id"], row["date"]) for row in rows}
    )
    if run.stdout is not None:
        run.stdout.unlink()
    return calls, sum(1 for offered in source.offered if offered > cap), complete


def measure_calls(tap: Tap, report: Report) -> None:
    """Calls for a dense backfill (and its ideal), two 365-day backfills, an incremental run."""
    first = dt.datetime(2025, 1, 1)
    dense = [
        row
        for day in range(DENSE_DAYS)
        for row in transfers(DENSE_PER_DAY, first + dt.timedelta(days=day), 86_400, seed=day)
    ]
    last = first + dt.timedelta(days=DENSE_DAYS - 1)
    config = {
        "token": TOKEN,
        "start_date": first.date().isoformat(),
        "end_date": f"{last.date().isoformat()}T23:59:59",
        "max_rows_per_request": DENSE_CAP,
    }
    started = time.perf_counter()
    calls, cut, complete = backfill(tap, dense, config, DENSE_CAP)
    ideal = max(math.ceil(len(dense) / DENSE_CAP), math.ceil(DENSE_DAYS / MAX_SPAN_DAYS))
    print(
        f"  dense backfill: {calls} calls, {cut} cut at the cap, ideal {ideal}"
        f" = ceil({len(dense):,} rows / {DENSE_CAP:,}); every row emitted: {complete}"
        f" ({time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    report.add(
        f"calls, dense backfill ({DENSE_DAYS} days x {DENSE_PER_DAY:,}/day, cap {DENSE_CAP:,})",
        f"{calls} ({cut} cut at the cap; ideal {ideal}; {calls / ideal:.2f} x ideal)"
        + ("" if complete else "; ROWS MISSING"),
        f"<= {math.floor(CALLS_GOAL_FACTOR * ideal)} ({CALLS_GOAL_FACTOR} x ideal)",
        met=calls <= CALLS_GOAL_FACTOR * ideal and complete,
    )

    start = dt.datetime(2024, 1, 1)
    year = [
        row
        for day in range(365)
        for row in transfers(300, start + dt.timedelta(days=day), 86_400, seed=day % 97)
    ]
    busy = transfers(70_000, start + dt.timedelta(days=200), 86_400, seed=98)
    config = {"token": TOKEN, "start_date": "2024-01-01", "end_date": "2024-12-30T23:59:59"}
    for label, rows, goal in (
        ("300 transfers/day", year, 13),
        ("300/day plus one 70,000-row day", year + busy, None),
    ):
        calls, cut, complete = backfill(tap, rows, config, 60_000)
        print(f"  365-day backfill, {label}: {calls} calls, {cut} cut at the cap", flush=True)
        report.add(
            f"calls, 365-day backfill, {label} (defaults)",
            f"{calls} ({cut} cut)" + ("" if complete else "; ROWS MISSING"),
            "" if goal is None else f"<= {goal}",
            met=None if goal is None else calls <= goal and complete,
        )

    with WolkvoxSimulator(token=TOKEN, now=lambda: NOW) as sim:
        sim.sources["chat_9"] = SortedRows(year, lambda row: row["date"])
        end = dt.datetime(2024, 12, 30, 12, 0, 0)
        resume = (end - dt.timedelta(minutes=5) + dt.timedelta(hours=5)).isoformat() + "+00:00"
        state = {
            "bookmarks": {TRANSFERS: {"replication_key": "date", "replication_key_value": resume}}
        }
        tap.run(TRANSFERS, {**config, "api_url": sim.url, "end_date": end.isoformat()}, state)
        calls = len(sim.requests)
    print(f"  five-minute incremental run: {calls} call(s)", flush=True)
    report.add("calls, five-minute incremental run", str(calls), "1", met=calls == 1)


# -- the run ------------------------------------------------------------------------------------


def source_hashes(root: Path) -> dict[str, str]:
    """The hash of each file of the tap's package under ``root`` (caches left out)."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted((root / "tap_wolkvox").rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def fingerprint(hashes: dict[str, str]) -> str:
    """One short hash for all of ``hashes``."""
    return hashlib.sha256(json.dumps(sorted(hashes.items())).encode()).hexdigest()[:12]


def snapshot(root: Path, into: Path) -> Path:
    """A copy of the tap's package, so that edits during the run do not change what is measured."""
    shutil.copytree(
        root / "tap_wolkvox", into / "tap_wolkvox", ignore=shutil.ignore_patterns("__pycache__")
    )
    return into


def imported_from(env: dict[str, str], cwd: Path) -> str:
    """Where the tap's child processes import ``tap_wolkvox`` from."""
    command = [sys.executable, "-c", "import tap_wolkvox; print(tap_wolkvox.__file__)"]
    found = subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, check=True
    ).stdout
    return str(Path(found.strip()).parent.parent)


def describe_source(root: Path) -> str:
    """Where the tap comes from: the git commit and changed files, or just the directory."""
    git = shutil.which("git")
    if git is None or not (root / ".git").exists():
        return str(root)
    base = [git, "--no-optional-locks", "-C", str(root)]
    head = subprocess.run(
        [*base, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    changed = subprocess.run(
        [*base, "status", "--porcelain", "--", "tap_wolkvox"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    return f"{root} at {head}" + (
        f" + {len(changed)} changed file(s) in tap_wolkvox/" if changed else ""
    )


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), or the platform's word for it."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown CPU"
    match = re.search(r"^model name\s*:\s*(.+)$", info, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or "unknown CPU"


def machine() -> str:
    """The machine line: OS, CPUs (usable, as ``nproc`` says) and model, Python, memory, load."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"machine: {platform.platform()}, {len(os.sched_getaffinity(0))} CPUs ({cpu_model()}),"
        f" Python {platform.python_version()}, {memory:.0f} GiB RAM, load average {load}"
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated measurements to run, of: {', '.join(SECTIONS)}",
    )
    parser.add_argument(
        "--runs", type=int, default=7, help="paired rounds of the per-row CPU measurement"
    )
    parser.add_argument(
        "--rss-runs", type=int, default=1, help="runs per chat_2 reply size (max RSS reported)"
    )
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, CHAT_SIZES_MB)),
        help="chat_2 reply sizes in MB for the peak RSS measurement",
    )
    parser.add_argument(
        "--no-snapshot",
        action="store_true",
        help="run the tap from its source tree as it is at each run, not from a copy made at start",
    )
    parser.add_argument(
        "--tree",
        "--tap-source",
        dest="tree",
        type=Path,
        default=None,
        help="run the tap from this source tree (a directory holding tap_wolkvox/), e.g. an"
        " earlier commit exported with git archive; the default is this repository's",
    )
    args = parser.parse_args(argv)
    args.sections = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown measurement(s): {', '.join(sorted(unknown))}")
    args.size_list = [int(size) for size in args.sizes.split(",") if size.strip()]
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Run the chosen measurements and print the table."""
    args = parse_args(argv)
    root = (args.tree or REPO).resolve()
    live = source_hashes(root)
    print(machine())
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"tap: {describe_source(root)}, sources {fingerprint(live)}")
    print(f"measurements: {', '.join(args.sections)}", flush=True)
    report = Report()
    started_run = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        source = root if args.no_snapshot else snapshot(root, workdir / "src")
        measured = source_hashes(source)
        # Byte-code compiled first (the shell may set PYTHONDONTWRITEBYTECODE): otherwise every
        # run would compile the tap's modules again, about 0.35 G instructions.
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(source / "tap_wolkvox")], check=True
        )
        tap = Tap(workdir, source)
        print(
            f"the tap runs from {imported_from(tap.env, workdir)}"
            + ("" if args.no_snapshot else f" (a copy taken now, {fingerprint(measured)})"),
            flush=True,
        )
        steps: dict[str, tuple[str, Callable[[], None]]] = {
            "rows": (
                f"instructions a row at {ROWS_N:,} and {ROWS_M:,} rows, callgrind, ~4 minutes",
                lambda: measure_rows(tap, report),
            ),
            "startup": (
                "instructions of an empty run, callgrind",
                lambda: measure_startup(tap, report),
            ),
            "inflight": (
                f"wall time at {LATENCY * 1000:.0f} ms latency, serial and two in flight",
                lambda: measure_inflight(tap, report),
            ),
            "rss": (
                f"chat_2 replies of {', '.join(map(str, args.size_list))} MB",
                lambda: measure_rss(tap, args.size_list, args.rss_runs, report),
            ),
            "cpu": (f"{args.runs} paired rounds", lambda: measure_cpu(tap, args.runs, report)),
            "calls": ("backfills and an incremental run", lambda: measure_calls(tap, report)),
        }
        for name in SECTIONS:
            if name in args.sections:
                what, step = steps[name]
                print(f"== {name}: {what}", flush=True)
                started = time.perf_counter()
                step()
                print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
        if source_hashes(source) != measured:
            print("WARNING: the measured sources changed during the run (run with a snapshot)")
    print()
    print(f"{machine()}; the run took {time.perf_counter() - started_run:.0f} s")
    now = source_hashes(root)
    if now != live:
        changed = sorted(
            name for name in live.keys() | now.keys() if live.get(name) != now.get(name)
        )
        print(
            f"note: {len(changed)} file(s) of the tap changed in {root} during the run"
            f" ({', '.join(changed)}); "
            + (
                "measured as they changed"
                if args.no_snapshot
                else "measured the copy taken at start"
            )
        )
    print()
    report.print()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
