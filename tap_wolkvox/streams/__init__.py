"""The tap's streams: an HTTP part shared by all; the reports, information.php, real_time.php."""

from __future__ import annotations

import typing as t

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.declarations.information import (
    DIMENSIONS,
    INFORMATION_PATH,
    INFORMATION_REPORTS,
    SKILL_AGENTS,
    SKILLS,
    TOKEN_USAGE,
)
from tap_wolkvox.declarations.realtime import SNAPSHOTS
from tap_wolkvox.streams.report import ReportStream
from tap_wolkvox.streams.tables import SkillAgentsStream, TableStream, TokenUsageStream

if t.TYPE_CHECKING:
    from collections.abc import Collection

    from singer_sdk import Tap

    from tap_wolkvox.run.context import RunContext
    from tap_wolkvox.streams.http import WolkvoxStream


#: A stream that reads another one first (the skills, for their IDs): a sync that reads the
#: first builds the second too, selected or not.
NEEDS: t.Final = {SKILL_AGENTS.stream: SKILLS.stream}


def every_stream(
    run: RunContext, tap: Tap, only: Collection[str] | None = None
) -> list[WolkvoxStream]:
    """The tap's streams: the 104 reports, information.php's logs and tables, the snapshots.

    ``only``: the names of the streams to build (a sync's), in the order above all the same;
    None for all of them (discovery). The snapshots (real_time.php) are tables with a
    snapshot's grain; realtime_skills asks for the skills of skill_ids itself (``all`` too), so
    it needs no other stream (no entry in :data:`NEEDS`).
    """

    def wanted(name: str) -> bool:
        return only is None or name in only

    reports = [ReportStream(run, report, tap=tap) for report in REPORTS if wanted(report.stream)]
    logs = [
        ReportStream(run, report, tap=tap, path=INFORMATION_PATH)
        for report in INFORMATION_REPORTS
        if wanted(report.stream)
    ]
    # skill_agents reads the skills table first, through this stream, selected or not.
    skills = TableStream(run, SKILLS, tap=tap) if wanted(SKILLS.stream) else None
    tables: list[WolkvoxStream] = []
    for table in filter(lambda table: wanted(table.stream), DIMENSIONS):
        if table is SKILLS and skills is not None:
            tables.append(skills)
        elif table is SKILL_AGENTS:
            skills = skills or TableStream(run, SKILLS, tap=tap)
            tables.append(SkillAgentsStream(run, table, tap=tap, skills=skills))
        elif table is TOKEN_USAGE:
            tables.append(TokenUsageStream(run, table, tap=tap))
        else:
            tables.append(TableStream(run, table, tap=tap))
    snapshots = [
        TableStream(run, snapshot, tap=tap) for snapshot in SNAPSHOTS if wanted(snapshot.stream)
    ]
    return [*reports, *tables, *logs, *snapshots]


def stream_names() -> list[str]:
    """The name of every stream, without building one, sorted (the order the SDK lists them)."""
    return sorted(
        [
            *(report.stream for report in REPORTS),
            *(table.stream for table in DIMENSIONS),
            *(report.stream for report in INFORMATION_REPORTS),
            *(snapshot.stream for snapshot in SNAPSHOTS),
        ]
    )
