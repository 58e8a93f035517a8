"""Speed, memory and call counts of tap-wolkvox against the sandbox on loopback.

Prints:
- per-row CPU cost of the tap for one 60,000-row window, and of a floor measured on the same
  reply body (stdlib json.loads, then one compact Singer RECORD line per row); their ratio.
  Startup is excluded: the tap's CPU time for an empty window is subtracted. Medians of runs.
- peak resident memory of the tap process for that window;
- calls for a 365-day backfill at default settings (300 transfers a day; and the same with one
  70,000-row day in it) and for a five-minute incremental run.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/bench.py [--runs N]``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t
from pathlib import Path

import requests

from tap_wolkvox.sandbox.server import WolkvoxSimulator
from tap_wolkvox.tap import TapWolkvox

TOKEN = "bench-token"  # noqa: S105 - the sandbox's token for this run
STAMP = "%Y-%m-%d %H:%M:%S"
WINDOW_ROWS = 60_000
STREAM = "interaction_transfers"


def transfers(count: int, start: dt.datetime, seconds: int, seed: int) -> list[dict[str, str]]:
    """``count`` transfer rows at random seconds of ``[start, start + seconds)``."""
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


def catalog_file(workdir: Path) -> Path:
    """A catalog selecting only the transfers stream."""
    config = {"token": TOKEN, "api_url": "http://127.0.0.1:1", "start_date": "2025-01-01"}
    catalog = TapWolkvox(config=config, setup_mapper=False).catalog_dict
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] == STREAM
    path = workdir / "catalog.json"
    path.write_text(json.dumps(catalog))
    return path


class TapProcess:
    """Runs the tap as a child process and reads its CPU time and peak memory."""

    def __init__(self, workdir: Path, catalog: Path) -> None:
        """Keep config and state files in ``workdir``."""
        self.workdir = workdir
        self.catalog = catalog

    def run(
        self, config: dict[str, t.Any], state: dict[str, t.Any] | None = None
    ) -> tuple[float, int, str]:
        """CPU seconds (user+sys), peak RSS in bytes, and stderr of one run."""
        config_path = self.workdir / "config.json"
        config_path.write_text(json.dumps(config))
        command = [sys.executable, "-m", "tap_wolkvox", "--config", str(config_path)]
        command += ["--catalog", str(self.catalog)]
        if state is not None:
            state_path = self.workdir / "state.json"
            state_path.write_text(json.dumps(state))
            command += ["--state", str(state_path)]
        with tempfile.TemporaryFile() as stderr:
            proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            stderr.seek(0)
            log = stderr.read().decode()
        if proc.returncode != 0:
            raise RuntimeError(log[-2000:])
        return usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, log


def floor_cpu(body: bytes) -> float:
    """CPU seconds to parse the reply and write one compact RECORD line per row."""
    started = time.process_time()
    rows = json.loads(body)["data"]
    with open(os.devnull, "w") as out:  # noqa: PTH123
        write = out.write
        for row in rows:
            write(
                json.dumps(
                    {"type": "RECORD", "stream": STREAM, "record": row}, separators=(",", ":")
                )
                + "\n"
            )
    return time.process_time() - started


def measure_per_row_cost(workdir: Path, runs: int) -> None:
    """Tap vs floor per-row CPU on one 60,000-row window, and the tap's peak memory."""
    start = dt.datetime(2025, 1, 6)
    rows = transfers(WINDOW_ROWS, start, 86_400, seed=1)
    tap = TapProcess(workdir, catalog_file(workdir))
    with WolkvoxSimulator(
        token=TOKEN, row_cap=WINDOW_ROWS + 1, now=lambda: "2030-01-01 00:00:00"
    ) as sim:
        sim.set_rows("chat_9", rows)
        full = {
            "token": TOKEN,
            "api_url": sim.url,
            "start_date": "2025-01-06",
            "end_date": "2025-01-06T23:59:59",
            # one reply of 60,000 rows, taken whole (the real cap would split it)
            "max_rows_per_request": WINDOW_ROWS + 1,
        }
        empty = {**full, "start_date": "2025-01-08", "end_date": "2025-01-08T23:59:59"}
        body = requests.get(
            f"{sim.url}/api/v2/reports_manager.php",
            params={"api": "chat_9", "date_ini": "20250106000000", "date_end": "20250106235959"},
            headers={"wolkvox-token": TOKEN},
            timeout=60,
        ).content
        tap_cpu, startup_cpu, peaks = [], [], []
        for _ in range(runs):
            cpu, peak, log = tap.run(full)
            assert f"{WINDOW_ROWS} rows" in log, log[-500:]  # noqa: S101 - sanity check
            tap_cpu.append(cpu)
            peaks.append(peak)
            startup_cpu.append(tap.run(empty)[0])
    floors = [floor_cpu(body) for _ in range(runs)]
    tap_row = (statistics.median(tap_cpu) - statistics.median(startup_cpu)) / WINDOW_ROWS
    floor_row = statistics.median(floors) / WINDOW_ROWS
    print(f"reply body: {len(body) / 1e6:.1f} MB, {WINDOW_ROWS:,} rows; median of {runs} runs")
    print(f"tap CPU per row (startup excluded): {tap_row * 1e6:.2f} us")
    print(f"floor CPU per row (json.loads + compact RECORD line): {floor_row * 1e6:.2f} us")
    print(f"ratio tap/floor: {tap_row / floor_row:.2f}  (target <= 2.0)")
    print(f"tap startup CPU (empty window): {statistics.median(startup_cpu):.2f} s")
    print(
        f"peak RSS of the tap for the 60,000-row window: {max(peaks) / 2**20:.0f} MiB"
        " (target < 150)"
    )


def count_calls(workdir: Path) -> None:
    """Calls for a 365-day backfill (300/day, then with a 70,000-row day) and a 5-minute run."""
    tap = TapProcess(workdir, catalog_file(workdir))
    first = dt.datetime(2024, 1, 1)
    year = [
        row
        for day in range(365)
        for row in transfers(300, first + dt.timedelta(days=day), 86_400, seed=day % 97)
    ]
    busy = transfers(70_000, first + dt.timedelta(days=200), 86_400, seed=98)
    config = {
        "token": TOKEN,
        "start_date": "2024-01-01",
        "end_date": "2024-12-30T23:59:59",  # 365 days
    }
    for label, rows in (
        ("300 transfers/day", year),
        ("300/day plus one 70,000-row day", year + busy),
    ):
        with WolkvoxSimulator(token=TOKEN, now=lambda: "2030-01-01 00:00:00") as sim:
            sim.set_rows("chat_9", rows)
            _, _, log = tap.run({**config, "api_url": sim.url})
            print(f"365-day backfill, {label}: {len(sim.requests)} calls ({len(rows):,} rows)")
            assert str(len(rows)) in log  # noqa: S101 - every row was read
    with WolkvoxSimulator(token=TOKEN, now=lambda: "2030-01-01 00:00:00") as sim:
        sim.set_rows("chat_9", year)
        end = dt.datetime(2024, 12, 30, 12, 0, 0)
        resume = (end - dt.timedelta(minutes=5) + dt.timedelta(hours=5)).isoformat() + "+00:00"
        state = {
            "bookmarks": {STREAM: {"replication_key": "date", "replication_key_value": resume}}
        }
        tap.run({**config, "api_url": sim.url, "end_date": end.isoformat()}, state)
        print(f"five-minute incremental run: {len(sim.requests)} call(s)")


def main() -> None:
    """Run every measurement and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    args = parser.parse_args()
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        measure_per_row_cost(workdir, args.runs)
        count_calls(workdir)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
