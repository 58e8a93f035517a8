"""Regenerate the README's settings and streams tables from the tap itself.

``python scripts/readme.py`` rewrites the marked sections of README.md; ``--check`` exits 1
when they are stale (the test suite runs the check).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tap_wolkvox.catalog import REPORTS
from tap_wolkvox.settings import LIST_SETTINGS

if TYPE_CHECKING:
    from tap_wolkvox.reports import Report

README = Path(__file__).resolve().parents[1] / "README.md"


def settings_table() -> str:
    """The settings table exactly as ``tap-wolkvox --about --format=markdown`` prints it."""
    about = subprocess.run(
        [sys.executable, "-m", "tap_wolkvox", "--about", "--format=markdown"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = about.splitlines()
    start = lines.index("## Settings") + 2
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("|"))
    return "\n".join(lines[start:end])


def _key(report: Report) -> str:
    key = list(report.primary_key)
    key += [p.name for p in report.params if p.setting in LIST_SETTINGS and p.name not in key]
    return ", ".join(f"`{k}`" for k in key)


def streams_table() -> str:
    """One row per report: stream, report, what a row is, key, bookmark, default selection."""
    rows = [
        "| stream | report | one row is | primary key | bookmark | selected by default |",
        "|:--|:--|:--|:--|:--|:--:|",
    ]
    for report in sorted(REPORTS, key=lambda r: (r.grain, r.stream)):
        bookmark = f"`{report.timestamp}`" if report.grain == "event" else "`report_date` (daily)"
        params = ", ".join(p.setting for p in report.params)
        what = report.title + (f" (per {params})" if params else "")
        rows.append(
            f"| `{report.stream}` | `{report.api}` | {what} | {_key(report)} | {bookmark} | "
            f"{'yes' if report.selected_by_default else ''} |"
        )
    return "\n".join(rows)


def render(text: str) -> str:
    """``text`` with every generated section replaced."""
    for name, content in (("settings", settings_table()), ("streams", streams_table())):
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{start}\n{content}\n{end}{tail}"
    return text


def main() -> None:
    """Rewrite README.md, or check it with ``--check``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md is stale")
    args = parser.parse_args()
    current = README.read_text(encoding="utf-8")
    fresh = render(current)
    if args.check:
        if fresh != current:
            print("README.md is stale: run python scripts/readme.py")
            sys.exit(1)
        return
    README.write_text(fresh, encoding="utf-8")


if __name__ == "__main__":
    main()
