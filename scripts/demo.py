"""One-command demo: the Wolkvox sandbox -> tap-wolkvox -> Meltano -> DuckDB -> a short report.

``make demo`` runs ``.venv/bin/python scripts/demo.py``. It

1. starts ``wolkvox-sandbox`` (a local stand-in for the Wolkvox API) on a free port,
2. runs ``meltano --environment=demo run tap-wolkvox target-duckdb`` twice (Meltano installs
   the plugins the first time): a first load of about two months of history, then, after a
   short pause, an incremental run that resumes from the bookmark the first one saved and only
   picks up the transfers made meanwhile; during the pause it runs the ``realtime`` job
   (real-time snapshots of the agents and queues) a few times, as a schedule would,
3. stops the sandbox and prints a report from output/demo.duckdb.

It never touches the user's data: the ``demo`` environment has a database file of its own
(output/demo.duckdb, not the ``dev`` loader's output/wolkvox.duckdb) and, being an environment
of its own, its own states (``demo:tap-wolkvox-to-target-duckdb``,
``demo:tap-wolkvox--realtime-to-target-duckdb``); it deletes only that file and its own logs
(output/demo-*.log) before it starts.

Exit status: 0 on success, 1 when a step fails, 130 on Ctrl-C. The sandbox is always stopped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import selectors
import signal
import subprocess
import sys
import time
import typing as t
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from tap_wolkvox.run.summary import read_run_summary
from tap_wolkvox.settings import DEFAULT_SETTLE_MINUTES as SETTLE_MINUTES

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# Meltano has a venv of its own (the Makefile builds it), apart from the tap's.
MELTANO_BIN = ROOT / ".venv-meltano" / "bin"
OUTPUT = ROOT / "output"
#: The demo environment's file (meltano.yml): never the dev loader's output/wolkvox.duckdb.
DATABASE = OUTPUT / "demo.duckdb"
TABLE = "tap_wolkvox.interaction_transfers"
SKILLS = "tap_wolkvox.skills"
STREAM = "interaction_transfers"
#: meltano.yml's job of real-time snapshots, and how many times the demo runs it.
SNAPSHOT_JOB = "realtime"
SNAPSHOT_READS = 3
AGENTS_NOW = "tap_wolkvox.realtime_agents"
QUEUES_NOW = "tap_wolkvox.realtime_skills"
ZONE = "America/Bogota"
HISTORY_DAYS = 60
# Only these reach the plugins from the caller's environment: a real token or another
# TAP_WOLKVOX_* / TARGET_* setting in the shell must not leak into the demo.
SETTING_PREFIXES = ("TAP_WOLKVOX", "TARGET_DUCKDB", "TARGET_JSONL", "MELTANO_")


class DemoError(RuntimeError):
    """A step failed; the message says which and why."""


@dataclass
class RunSummary:
    """What one ``meltano run`` did, read from the tap's run summary."""

    requests: int
    retries: int
    windows: int
    rows: int
    seconds: float
    first_second: str
    last_second: str


class Sandbox:
    """``wolkvox-sandbox`` as a subprocess on a free loopback port."""

    def __init__(self, live_per_minute: int, log_path: Path) -> None:
        """Prepare (not start) the sandbox."""
        self.live_per_minute = live_per_minute
        self.log_path = log_path
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self, timeout: float = 30) -> str:
        """Start it and return its base URL once it listens."""
        command = [
            str(BIN / "wolkvox-sandbox"),
            "--port",
            "0",
            "--history-days",
            str(HISTORY_DAYS),
            "--live-per-minute",
            str(self.live_per_minute),
            # Replies shaped like the vendor's documented samples, as the real API sends them.
            "--sample-shapes",
        ]
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT
            )
        assert self.process.stdout is not None  # noqa: S101 - stdout=PIPE above
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                msg = f"the sandbox did not start listening within {timeout:.0f} s"
                raise DemoError(msg)
        line = self.process.stdout.readline()
        found = re.search(r"(http://\S+)", line)
        if found is None:
            msg = f"the sandbox did not start: {line.strip() or self.log_path.read_text()}"
            raise DemoError(msg)
        self.url = found.group(1)
        return self.url

    def stop(self) -> None:
        """Stop it (idempotent)."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()


def plugin_env(api_url: str, start_date: str) -> dict[str, str]:
    """The environment for meltano: the caller's, minus plugin settings, plus the demo's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SETTING_PREFIXES)}
    env.update(
        TAP_WOLKVOX_API_URL=api_url,
        TAP_WOLKVOX_TOKEN="sandbox-token",  # noqa: S106 - the sandbox's well-known token
        TAP_WOLKVOX_START_DATE=start_date,
        # The demo's own file, whatever meltano.yml's demo environment says.
        TARGET_DUCKDB_FILEPATH=str(DATABASE),
        MELTANO_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    # The tap and the targets are in .meltano/; PATH must find meltano's own helpers (uv) too.
    env["PATH"] = f"{MELTANO_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def meltano(args: list[str], env: dict[str, str], log_path: Path) -> str:
    """Run ``meltano ARGS`` in the project; return its output (also kept in ``log_path``).

    On Ctrl-C meltano gets time to stop on its own (and record its run as ended), rather than
    being killed at once as ``subprocess.run`` would.
    """
    with log_path.open("w+") as log:
        process = subprocess.Popen(
            [str(MELTANO_BIN / "meltano"), *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            returncode = process.wait()
        except KeyboardInterrupt:
            process.send_signal(signal.SIGINT)  # a no-op if Ctrl-C already reached it
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            raise
        log.seek(0)
        output = log.read()
    if returncode != 0:
        tail = "\n".join(output.splitlines()[-25:])
        msg = f"`meltano {' '.join(args)}` failed (exit {returncode}); log {log_path}:\n{tail}"
        raise DemoError(msg)
    return output


def run_pipeline(number: int, env: dict[str, str], *, full_refresh: bool) -> RunSummary:
    """One ``meltano run tap-wolkvox target-duckdb``, summarised from the tap's log lines."""
    # --force: a run that was killed (not just interrupted) must not block the next demo.
    args = ["--environment=demo", "run", "--force"]
    if full_refresh:
        args.append("--full-refresh")
    args += ["tap-wolkvox", "target-duckdb"]
    began = time.monotonic()
    output = meltano(args, env, OUTPUT / f"demo-run-{number}.log")
    seconds = time.monotonic() - began
    # The tap's counts as one JSON object (its "Run summary" line), not its sentences.
    summary = read_run_summary(output)
    counts = summary["streams"].get(STREAM) if summary else None
    if counts is None or counts.get("read_from") is None:
        msg = f"run {number}: the tap's run summary is missing (see output/demo-run-{number}.log)"
        raise DemoError(msg)
    return RunSummary(
        requests=int(counts["requests"]),
        retries=int(counts["retries"]),
        windows=int(counts["windows"]),
        rows=int(counts["rows"]),
        seconds=seconds,
        first_second=str(counts["read_from"]),
        last_second=str(counts["read_until"]),
    )


def read_snapshots(env: dict[str, str], seconds: float, reads: int) -> list[tuple[float, int]]:
    """Run the snapshot job ``reads`` times, spread over ``seconds``: each run's time, requests.

    The time it takes is the pause's: the demo waits no longer than it did without it.
    """
    began = time.monotonic()
    runs = []
    for number in range(1, reads + 1):
        time.sleep(max(began + (number - 1) * seconds / reads - time.monotonic(), 0))
        start = time.monotonic()
        args = ["--environment=demo", "run", "--force", SNAPSHOT_JOB]
        summary = read_run_summary(meltano(args, env, OUTPUT / f"demo-snapshot-{number}.log"))
        if summary is None:
            msg = f"snapshot run {number}: the tap's run summary is missing"
            raise DemoError(msg)
        runs.append((time.monotonic() - start, int(summary["requests"])))
    time.sleep(max(began + seconds - time.monotonic(), 0))
    return runs


def table_rows() -> int:
    """Rows now in the DuckDB table."""
    with duckdb.connect(str(DATABASE), read_only=True) as con:
        row = con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()  # noqa: S608
    return int(row[0]) if row else 0


def print_run(number: int, what: str, run: RunSummary, total: int) -> None:
    """Tell what one run did."""
    print(f"  Run {number} ({what}): read {run.first_second} .. {run.last_second} Bogotá time")
    print(
        f"      {run.requests} API request(s) in {run.windows} window(s), {run.retries} retries, "
        f"{run.rows:,} rows, {run.seconds:.1f} s; the table now holds {total:,} rows"
    )


# -- the report --------------------------------------------------------------------------------


def heading(title: str, explanation: str) -> None:
    """A section title and a one-line explanation of it."""
    print()
    print(title)
    print("-" * len(title))
    print(explanation)


def table(headers: t.Sequence[str], rows: t.Sequence[t.Sequence[object]]) -> None:
    """Print a compact, aligned text table (numbers right-aligned)."""
    cells = [[f"{v:,}" if isinstance(v, int) else str(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    numeric = [
        bool(rows) and all(isinstance(row[i], int) for row in rows) for i in range(len(headers))
    ]

    def line(values: t.Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)
        ).rstrip()

    print("  " + line(list(headers)))
    print("  " + line(["-" * w for w in widths]))
    for row in cells:
        print("  " + line(row))


def report() -> None:
    """Answer four questions about transfers from the DuckDB file."""
    local = f"timezone('{ZONE}', timezone('UTC', date))"  # stored as UTC; shown in Bogotá time
    with duckdb.connect(str(DATABASE), read_only=True) as con:
        total, interactions, first, last = con.execute(
            f"SELECT count(*), count(DISTINCT conn_id), min({local}), max({local}) FROM {TABLE}"  # noqa: S608
        ).fetchone() or (0, 0, None, None)
        top = con.execute(
            f"""SELECT transfer_agent_name, transfer_agent_id, count(*) AS n
                FROM {TABLE} GROUP BY ALL ORDER BY n DESC, transfer_agent_name LIMIT 10"""  # noqa: S608
        ).fetchall()
        to_skill, to_person = con.execute(
            f"""SELECT count(*) FILTER (receiver_agent_name = 'SKILL'),
                       count(*) FILTER (receiver_agent_name IS DISTINCT FROM 'SKILL')
                FROM {TABLE}"""  # noqa: S608
        ).fetchone() or (0, 0)
        # The skills dimension (information.php?api=skills) names the queues the IDs point to.
        per_skill = con.execute(
            f"""SELECT t.receiver_agent_id, coalesce(s.skill_name, '?'), count(*) AS n
                FROM {TABLE} t LEFT JOIN {SKILLS} s ON s.skill_id = t.receiver_agent_id
                WHERE t.receiver_agent_name = 'SKILL'
                GROUP BY ALL ORDER BY n DESC"""  # noqa: S608
        ).fetchall()
        today = dt.datetime.now(ZoneInfo(ZONE)).date()
        per_day = con.execute(
            f"""SELECT CAST({local} AS DATE) AS day, channel, count(*)
                FROM {TABLE} WHERE CAST({local} AS DATE) >= ? GROUP BY ALL""",  # noqa: S608
            [today - dt.timedelta(days=6)],
        ).fetchall()
        multi, examples = _repeated(con, local)
        series = _snapshots(con)

    print()
    print("=" * 78)
    print("REPORT: who hands conversations over, and where they go")
    print("=" * 78)
    print(
        "Wolkvox runs contact centers. Its 'interaction transfers' report (chat_9) has one row\n"
        "each time an agent hands a chat, e-mail or social-media conversation (an interaction)\n"
        "over to another agent, or back to a queue of agents (a 'skill', e.g. Sales, Support)."
    )
    print(
        f"Loaded: {total:,} transfers of {interactions:,} interactions, "
        f"{first:%Y-%m-%d %H:%M} .. {last:%Y-%m-%d %H:%M} (Bogotá time)."
    )

    heading(
        "1. Agents who transfer the most (top 10)",
        "Many transfers can mean an agent is routing well, or lacks training for what comes in.",
    )
    table(
        ["agent", "id", "transfers", "share"],
        [(name, agent_id, n, f"{100 * n / total:.1f}%") for name, agent_id, n in top],
    )

    heading(
        "2. Transfers to a skill queue rather than to a person",
        "A transfer to a skill puts the customer back in a queue; to a person it goes straight on.",
    )
    table(
        ["receiver", "transfers", "share"],
        [
            (
                "skill queue (receiver_agent_name = 'SKILL')",
                to_skill,
                f"{100 * to_skill / total:.1f}%",
            ),
            ("a named agent", to_person, f"{100 * to_person / total:.1f}%"),
        ],
    )
    print("  Transfers to each skill, named from the skills table (joined on skill_id):")
    table(
        ["skill", "name", "transfers", "share of skill transfers"],
        [
            (skill_id, name, n, f"{100 * n / max(to_skill, 1):.1f}%")
            for skill_id, name, n in per_skill
        ],
    )

    heading(
        "3. Transfers per channel per day (last 7 days, Bogotá time)",
        "How the transfer load splits between e-mail and the chat channels, day by day.",
    )
    channels = sorted({channel or "?" for _, channel, _ in per_day})
    counts = {(day, channel or "?"): n for day, channel, n in per_day}
    days = [today - dt.timedelta(days=back) for back in range(6, -1, -1)]
    table(
        ["day", *channels, "total"],
        [
            (
                f"{day:%a %Y-%m-%d}" + ("*" if day == today else ""),
                *(counts.get((day, c), 0) for c in channels),
                sum(counts.get((day, c), 0) for c in channels),
            )
            for day in days
        ],
    )
    print("  * today, so far")

    heading(
        "4. Interactions transferred more than once",
        "A customer passed along two or three times waits longer and repeats the story.",
    )
    print(
        f"  {multi:,} of {interactions:,} interactions "
        f"({100 * multi / max(interactions, 1):.1f}%) were transferred more than once. Examples:"
    )
    for conn_id, channel, hops in examples:
        print(f"  {conn_id} ({channel}):")
        for hop in hops.split("; "):
            print(f"      {hop}")

    heading(
        "5. Agents by state, snapshot by snapshot (real-time)",
        "Wolkvox keeps no history of what is happening now; each run of the realtime job kept\n"
        "one reading (realtime_agents and realtime_skills, keyed by _read_at and the agent or\n"
        "skill), so the warehouse can say what the floor looked like at any read.",
    )
    states = sorted({state for _, by_state, _ in series for state in by_state})
    table(
        ["read at (Bogotá)", *states, "agents", "calls waiting"],
        [
            (
                f"{read:%H:%M:%S}",
                *(by_state.get(state, 0) for state in states),
                sum(by_state.values()),
                waiting,
            )
            for read, by_state, waiting in series
        ],
    )


def _snapshots(
    con: duckdb.DuckDBPyConnection,
) -> list[tuple[dt.datetime, dict[str, int], int]]:
    """Each read of the snapshot job: when (Bogotá), agents per state, calls waiting in queues."""
    local = f"timezone('{ZONE}', timezone('UTC', _read_at))"
    tables = {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables()"
        ).fetchall()
    }
    # At night nobody is on shift: no agent row was read, so target-duckdb made no table.
    agents = (
        con.execute(
            f"""SELECT _run_started_at, agent_status, count(*) FROM {AGENTS_NOW}
                GROUP BY ALL"""  # noqa: S608
        ).fetchall()
        if AGENTS_NOW in tables
        else []
    )
    queues = con.execute(
        f"""SELECT _run_started_at, min({local}), sum(calls_in_queue_now) FROM {QUEUES_NOW}
            GROUP BY ALL ORDER BY 1"""  # noqa: S608
    ).fetchall()
    by_run: dict[t.Any, dict[str, int]] = {}
    for run, state, count in agents:
        by_run.setdefault(run, {})[str(state)] = int(count)
    # one read per run: the streams of one run join on _run_started_at
    return [(read, by_run.get(run, {}), int(waiting or 0)) for run, read, waiting in queues]


def _repeated(con: duckdb.DuckDBPyConnection, local: str) -> tuple[int, list[tuple[str, str, str]]]:
    """How many interactions were transferred more than once, and a few of them as chains."""
    row = con.execute(
        f"""SELECT count(*) FROM (
                SELECT conn_id FROM {TABLE} GROUP BY conn_id HAVING count(*) > 1)"""  # noqa: S608
    ).fetchone()
    examples = con.execute(
        f"""WITH multi AS (
                SELECT conn_id FROM {TABLE} GROUP BY conn_id HAVING count(*) > 1
                ORDER BY count(*) DESC, max(date) DESC LIMIT 3)
            SELECT conn_id, any_value(channel),
                   string_agg(
                       strftime({local}, '%Y-%m-%d %H:%M') || '  ' || transfer_agent_name || ' -> '
                       || CASE WHEN receiver_agent_name = 'SKILL'
                               THEN 'skill queue ' || receiver_agent_id
                               ELSE receiver_agent_name END,
                       '; ' ORDER BY date)
            FROM {TABLE} JOIN multi USING (conn_id)
            GROUP BY conn_id ORDER BY conn_id"""  # noqa: S608
    ).fetchall()
    return (int(row[0]) if row else 0), [(str(a), str(b), str(c)) for a, b, c in examples]


# -- main --------------------------------------------------------------------------------------


def parse_args(argv: t.Sequence[str] | None) -> argparse.Namespace:
    """The demo's few knobs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--pause", type=float, default=20, help="seconds between the two runs (default 20)"
    )
    parser.add_argument(
        "--live-per-minute",
        type=int,
        default=30,
        help="new interactions per minute in the sandbox (default 30, so a short pause finds some)",
    )
    return parser.parse_args(argv)


def demo(args: argparse.Namespace) -> None:
    """All the steps; raises DemoError on the first failure."""
    for tool in (MELTANO_BIN / "meltano", BIN / "wolkvox-sandbox"):
        if not tool.exists():
            msg = f"{tool} is missing: run `make venv` first"
            raise DemoError(msg)
    OUTPUT.mkdir(exist_ok=True)
    for stale in (DATABASE, DATABASE.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)  # an earlier demo's: a fresh sandbox, a fresh database
    today = dt.datetime.now(ZoneInfo(ZONE)).date()
    start_date = (today - dt.timedelta(days=HISTORY_DAYS - 1)).isoformat()

    print("tap-wolkvox demo: Wolkvox sandbox -> Meltano (tap-wolkvox -> target-duckdb) -> DuckDB")
    sandbox = Sandbox(args.live_per_minute, OUTPUT / "demo-sandbox.log")
    try:
        url = sandbox.start()
        print(
            f"* Sandbox listening on {url} ({HISTORY_DAYS} days of history, "
            f"{args.live_per_minute} new interactions a minute from now on)"
        )
        env = plugin_env(url, start_date)
        print(f"* Loading the interaction_transfers stream into {DATABASE.relative_to(ROOT)}")
        first = run_pipeline(1, env, full_refresh=True)
        print_run(1, f"first load from start_date {start_date}", first, table_rows())
        print("      (the first run of a fresh clone includes Meltano installing the plugins)")
        print(
            f"  ... waiting {args.pause:.0f} s while agents keep transferring; meanwhile the "
            f"realtime job reads what they are doing {SNAPSHOT_READS} times ..."
        )
        snapshots = read_snapshots(env, args.pause, SNAPSHOT_READS)
        seconds = sum(took for took, _ in snapshots) / len(snapshots)
        requests = sum(sent for _, sent in snapshots)
        print(
            f"      {len(snapshots)} snapshot runs (tap-wolkvox--realtime, a state of its own): "
            f"{requests} API requests in all, {seconds:.1f} s a run"
        )
        rows_before = table_rows()
        second = run_pipeline(2, env, full_refresh=False)
        rows_after = table_rows()
        print_run(2, "incremental, from the bookmark run 1 saved", second, rows_after)
        if second.rows >= first.rows or second.requests > first.requests:
            msg = "the second run was not incremental: it read as much as the first"
            raise DemoError(msg)
        new = rows_after - rows_before
        print(
            f"  The second run read from the bookmark, {SETTLE_MINUTES} minutes (the late-row "
            f"margin) before where the first stopped: {second.rows:,} rows instead of "
            f"{first.rows:,}, {second.requests} request(s) instead of {first.requests}; {new:,} "
            f"new, the other {second.rows - new:,} read again in case Wolkvox published rows "
            "late (the target keeps one copy per key)."
        )
    finally:
        sandbox.stop()
    print("* Sandbox stopped")
    report()
    print()
    print(
        f"The data stays in {DATABASE.relative_to(ROOT)} (tables {TABLE}, {AGENTS_NOW}, "
        f"{QUEUES_NOW}) for further queries."
    )


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: t.Sequence[str] | None = None) -> int:
    """Run the demo; return the exit status."""
    args = parse_args(argv)
    # A SIGTERM (e.g. from CI) unwinds like Ctrl-C, so the sandbox is stopped either way.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        demo(args)
    except DemoError as error:
        print(f"\ndemo failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ndemo interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
