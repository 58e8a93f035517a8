"""What every part of a report stream shares: the report, the settings, the partition read.

:class:`ReportStreamBase` is the common base of the parts a report stream combines (see
streams.py); it declares the state they all use, which ``ReportStream.__init__`` sets.
"""

from __future__ import annotations

import typing as t

from typing_extensions import override

from tap_wolkvox.streams.http import WolkvoxStream

if t.TYPE_CHECKING:
    import datetime as dt

    from singer_sdk.helpers.types import Context

    from tap_wolkvox.declarations.model import Param, Report
    from tap_wolkvox.replies.errors import Reply
    from tap_wolkvox.settings import OperationSettings
    from tap_wolkvox.time.windows import WindowWalk

REPORT_DATE = "report_date"


class ReportStreamBase(WolkvoxStream):
    """What the reading, the bookmarking and the record writing of a report stream share."""

    report: Report
    partition_params: tuple[Param, ...]
    _walk: WindowWalk | None
    _context: Context | None

    @property
    def _settings(self) -> OperationSettings:
        return self.tap.settings  # type: ignore[no-any-return]

    @override
    def get_replication_key_signpost(self, context: Context | None = None) -> None:
        # The SDK's signpost (its own wall clock) only caps bookmarks that it moves itself;
        # the tap moves them per window (see bookmarks.py), so STATE carries none.
        return None

    def _param_values(self, setting: str) -> list[str]:
        value = self.config.get(setting)
        if value is None:
            value = ["all"] if setting != "agent_ids" else []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    # -- how a window is read, which the other parts ask about (see streams.py) ----------------

    def _plan_walk(self, start: dt.datetime, stop: dt.datetime) -> WindowWalk:
        """How this grain walks ``start`` .. ``stop`` (wall clock), window by window."""
        raise NotImplementedError

    def _may_be_cut(self, reply: Reply) -> str | None:
        """Why ``reply`` may have been cut (its rows are then not trusted); None if whole."""
        raise NotImplementedError
