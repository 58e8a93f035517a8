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
    from singer_sdk import Tap

    from tap_wolkvox.run.context import RunContext
    from tap_wolkvox.streams.http import WolkvoxStream


def every_stream(run: RunContext, tap: Tap) -> list[WolkvoxStream]:
    """Every stream the tap offers: reports, information.php's logs and tables, snapshots.

    The snapshots (real_time.php) are tables with a snapshot's grain.
    """
    reports = [ReportStream(run, report, tap=tap) for report in REPORTS]
    logs = [
        ReportStream(run, report, tap=tap, path=INFORMATION_PATH) for report in INFORMATION_REPORTS
    ]
    skills = TableStream(run, SKILLS, tap=tap)
    tables: list[WolkvoxStream] = []
    for table in DIMENSIONS:
        if table is SKILLS:
            tables.append(skills)
        elif table is SKILL_AGENTS:
            tables.append(SkillAgentsStream(run, table, tap=tap, skills=skills))
        elif table is TOKEN_USAGE:
            tables.append(TokenUsageStream(run, table, tap=tap))
        else:
            tables.append(TableStream(run, table, tap=tap))
    snapshots = [TableStream(run, snapshot, tap=tap) for snapshot in SNAPSHOTS]
    return [*reports, *tables, *logs, *snapshots]
