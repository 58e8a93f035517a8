"""Regenerate the documentation's generated parts: settings and streams tables, included examples.

``python scripts/readme.py`` rewrites the marked sections of README.md and docs/*.md; ``--check``
exits 1 when any is stale (the test suite runs the check). The settings table is in README.md,
the streams table in docs/streams.md (``TABLES``). Every ``<!-- include:PATH:start -->`` ...
``<!-- include:PATH:end -->`` section, in any of those files, holds the file PATH (from the
repository's root) verbatim in a code block: the examples live in files that the tests run, and
the documentation shows exactly those files.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.declarations.information import DIMENSIONS, INFORMATION_REPORTS
from tap_wolkvox.declarations.model import KEPT_RESERVED_WORDS
from tap_wolkvox.declarations.realtime import SNAPSHOTS
from tap_wolkvox.settings import LIST_SETTINGS
from tap_wolkvox.streams.report import ReportStream
from tap_wolkvox.streams.tables import TableStream
from tap_wolkvox.tap import TapWolkvox

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tap_wolkvox.declarations.model import Field, Report

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
#: The files whose generated parts are kept current.
DOCUMENTS = (README, DOCS / "operations.md", DOCS / "streams.md", DOCS / "performance.md")
#: Which file holds each generated table.
TABLES = {"settings": README, "streams": DOCS / "streams.md", "names": DOCS / "streams.md"}
INCLUDE = re.compile(r"<!-- include:(?P<path>[^ ]+?):start -->")
LANGUAGES = {".sh": "bash", ".json": "json", ".yml": "yaml", ".yaml": "yaml"}


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
    """One row per stream: stream, request, what a row is, key, bookmark, default selection."""
    columns = (
        "stream",
        "report",
        "one row is",
        "primary key (then `_occurrence`)",
        "bookmark",
        "selected by default",
    )
    rows = [f"| {' | '.join(columns)} |", "|:--|:--|:--|:--|:--|:--:|"]
    for report in sorted(REPORTS, key=lambda r: (r.grain, r.stream)):
        bookmark = f"`{report.timestamp}`" if report.grain == "event" else "`report_date` (daily)"
        params = ", ".join(p.setting for p in report.params)
        what = report.title + (f" (per {params})" if params else "")
        rows.append(
            f"| `{report.stream}` | `{report.api}` | {what} | {_key(report)} | {bookmark} | "
            f"{'yes' if report.selected_by_default else ''} |"
        )
    rows.extend(
        f"| `{report.stream}` | `information.php: {report.api}` | {report.title} | "
        f"{_key(report)} | `{report.timestamp}` | |"
        for report in sorted(INFORMATION_REPORTS, key=lambda r: r.stream)
    )
    for dimension in sorted(DIMENSIONS, key=lambda d: d.stream):
        key = ", ".join(f"`{k}`" for k in dimension.primary_key)
        read = "whole table every run" if dimension.versioned else "one row per run, all kept"
        rows.append(
            f"| `{dimension.stream}` | `information.php: {dimension.api}` | {dimension.title} | "
            f"{key} | {read} | |"
        )
    for snapshot in sorted(SNAPSHOTS, key=lambda d: d.stream):
        key = ", ".join(f"`{k}`" for k in snapshot.primary_key)
        params = ", ".join(p.setting for p in snapshot.params)
        what = snapshot.title + (f" (per {params})" if params else "")
        rows.append(
            f"| `{snapshot.stream}` | `real_time.php: {snapshot.api}` | {what} | {key} | "
            "every read kept (a snapshot) | |"
        )
    return "\n".join(rows)


def _fields(fields: tuple[Field, ...], at: str = "") -> Iterator[tuple[str, Field]]:
    """Each field of ``fields`` and of their nested items, with where it is (``a[].b``)."""
    for f in fields:
        yield f"{at}{f.name}", f
        yield from _fields(f.items, f"{at}{f.name}[].")


def names_tables() -> str:
    """The vendor keys renamed to column names, and the reserved words kept, by stream."""
    tap = TapWolkvox(
        config={"token": "-", "api_url": "http://127.0.0.1:1", "start_date": "2025-01-01"},
        setup_mapper=False,
    )
    renamed: list[str] = []
    reserved: dict[str, list[str]] = {word: [] for word in KEPT_RESERVED_WORDS}
    for name, stream in sorted(tap.streams.items()):
        if isinstance(stream, ReportStream):
            fields = stream.report.fields
        elif isinstance(stream, TableStream):
            fields = stream.dimension.all_fields
        else:  # every stream is one or the other
            continue
        for where, f in _fields(fields):
            if f.vendor_key != f.name:
                renamed.append(f"| `{name}` | `{f.vendor_key}` | `{where}` |")
            if f.name in reserved:
                reserved[f.name].append(f"`{name}`" if where == f.name else f"`{name}.{where}`")
    lines = ["| stream | Wolkvox sends | column |", "|:--|:--|:--|", *renamed, ""]
    lines += ["| column | reserved in | streams |", "|:--|:--|:--|"]
    lines += [
        f"| `{word}` | {', '.join(KEPT_RESERVED_WORDS[word])} | {', '.join(streams)} |"
        for word, streams in reserved.items()
    ]
    return "\n".join(lines)


def included(path: str) -> str:
    """The file at ``path`` (relative to the repository) as a fenced code block."""
    file = ROOT / path
    return f"```{LANGUAGES.get(file.suffix, '')}\n{file.read_text(encoding='utf-8')}```"


def render(path: Path, text: str) -> str:
    """``text``, the content of ``path``, with every generated section replaced."""
    generators = {"settings": settings_table, "streams": streams_table, "names": names_tables}
    sections = [(name, generators[name]()) for name, where in TABLES.items() if where == path]
    sections += [(f"include:{file}", included(file)) for file in INCLUDE.findall(text)]
    for name, content in sections:
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        if start not in text or end not in text:
            msg = f"{path.relative_to(ROOT)} lacks the markers {start} ... {end}"
            raise SystemExit(msg)
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{start}\n{content}\n{end}{tail}"
    return text


def main() -> None:
    """Rewrite the documents, or check them with ``--check``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if a document is stale")
    args = parser.parse_args()
    stale = []
    for path in DOCUMENTS:
        current = path.read_text(encoding="utf-8")
        fresh = render(path, current)
        if fresh == current:
            continue
        stale.append(str(path.relative_to(ROOT)))
        if not args.check:
            path.write_text(fresh, encoding="utf-8")
    if args.check and stale:
        print(f"{', '.join(stale)} stale: run python scripts/readme.py")
        sys.exit(1)


if __name__ == "__main__":
    main()
