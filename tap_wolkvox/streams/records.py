"""How a report stream writes a record: each reply's rows shaped to the schema and completed.

:class:`Records` is shared by every report stream; :class:`EventRecords` and
:class:`DailySnapshotRecords` say how each grain completes a record.
"""

from __future__ import annotations

import typing as t
from functools import cached_property

from typing_extensions import override

from tap_wolkvox.declarations.model import (
    OCCURRENCE,
    UNREADABLE_INSTANT,
    Field,
    Kind,
    RowShaper,
    is_blank_row,
    occurrence_numbering,
)
from tap_wolkvox.replies.errors import repaired
from tap_wolkvox.streams.base import REPORT_DATE, ReportStreamBase
from tap_wolkvox.time.clocks import ZoneMismatchError, zone_mismatch

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    import requests

    from tap_wolkvox.replies.errors import Reply
    from tap_wolkvox.time.margin import MarginTally
    from tap_wolkvox.time.windows import Window


class Records(ReportStreamBase):
    """How the rows of a reply become records; the grains fill in the hooks."""

    rows: int

    def _leading_fields(self) -> tuple[Field, ...]:
        return ()

    def _finish(self, record: dict[str, t.Any], window: Window) -> None:
        """Complete one shaped record of ``window`` in place (derive, stamp, count)."""

    @cached_property
    def _shaper(self) -> RowShaper:
        return RowShaper(
            self.report.fields,
            self._settings.clock,
            self.logger,
            label=f"{self.report.stream} ({self.report.api})",
            timestamp=self.report.timestamp,
            key=self._identifying,
            hidden=self.hidden_fields,
        )

    @override
    def parse_response(self, response: requests.Response) -> Iterable[dict[str, t.Any]]:
        reply: Reply = self.reply_for(response)
        try:
            yield from self._parse(reply)
        finally:
            reply.close()  # a spilled body's temporary file goes as soon as its rows are out

    def _parse(self, reply: Reply) -> Iterator[dict[str, t.Any]]:
        window = self._walk.current if self._walk else None
        if window is None:  # pragma: no cover - a reply always belongs to a window
            return
        if self._may_be_cut(reply) is not None:
            # The API cuts a reply at the cap without saying so, and a reply holding fewer rows
            # than it announced was cut too: these rows are not trusted (the paginator then
            # splits the window, or the run stops; see ReportStream._cut).
            return
        self._check_zone(reply)
        if reply.skipped:
            self.logger.warning(
                "Report %s (%s): the reply for window %s held null entries in 'data' (%d); "
                "they were skipped",
                self.report.api,
                self.name,
                window,
                reply.skipped,
            )
        self.extracted_at = self._settings.clock.utc_now()
        yield from self._records(reply, window)
        # Said once the rows are out: a streamed reply's repairs are known only as it is read.
        if reply.repairs:
            self.logger.warning(
                "Report %s (%s): the reply for window %s %s",
                self.report.api,
                self.name,
                window,
                repaired(reply),
            )

    def _check_zone(self, reply: Reply) -> None:
        """Stop before any row of ``reply`` goes out if its voice IDs contradict ``timezone``.

        Read in the wrong zone, every instant is shifted and the bookmark runs ahead of (or
        behind) the operation's clock: rows would be skipped for good, without a word.

        Raises:
            ZoneMismatchError: naming the offset the data shows and zones that have it.
        """
        voice_ids = self.report.voice_ids
        if voice_ids is None:
            return
        clock = self._settings.clock
        rows = iter(reply.each_row())
        try:
            mismatch = zone_mismatch(rows, voice_ids.id_field, voice_ids.timestamp, clock)
        finally:
            close = getattr(rows, "close", None)
            if close is not None:  # a streamed reply's reader lets go of its file
                close()
        if mismatch is not None:
            report = f"{self.report.api} ({self.name})"
            raise ZoneMismatchError(mismatch.sentence(report, voice_ids.id_field, clock.zone.key))

    def _records(self, reply: Reply, window: Window) -> Iterator[dict[str, t.Any]]:
        """The records of a trusted reply, one at a time (a large reply is never all in memory)."""
        shape = self._shaper.shape
        keep_raw = self._shaper.keep_raw
        # A streamed reply notes each row's repairs as the row is read. (A bucketed reply is one
        # object: its repairs, at index 0, go to its first bucket's row.)
        repairs = reply.repairs
        partition = [(p.name, (self._context or {})[p.name]) for p in self.partition_params]
        finish = self._finish
        number = occurrence_numbering([k for k in self.primary_keys if k != OCCURRENCE])
        emitted = 0
        try:
            for index, row in enumerate(self.report.rows_of(reply.each_row())):
                if is_blank_row(row):
                    self.blank_rows += 1
                    continue
                record = shape(row)
                if repairs and repairs.get(index):
                    keep_raw(record, repairs[index])
                for name, value in partition:
                    # A row that does not say which campaign/skill/agent it is for gets the one
                    # asked.
                    if not record.get(name):
                        record[name] = value
                finish(record, window)
                number(record)
                emitted += 1
                yield record
        finally:
            # What the stream emitted: a bucketed object is several records.
            self.rows += emitted

    @cached_property
    def _identifying(self) -> tuple[str, ...]:
        """The key fields a row itself fills (not report_date, not a partition value)."""
        added = {REPORT_DATE, *(p.name for p in self.partition_params)}
        return tuple(name for name in self.report.primary_key if name not in added)


class EventRecords(Records):
    """An event report's record: its timestamp derived when need be, and counted for the margin."""

    _tally: MarginTally | None

    @override
    def _finish(self, record: dict[str, t.Any], window: Window) -> None:
        key = self.report.timestamp
        if key is None:
            return
        if self.report.timestamp_source:
            outer, inner = self.report.timestamp_source.split("[].", 1)
            stamps = [i[inner] for i in record.get(outer) or () if i.get(inner)]
            record[key] = min(stamps) if stamps else None
        stamp = record[key]
        if stamp and stamp != UNREADABLE_INSTANT and self._tally is not None:
            self._tally.count(stamp)


class DailySnapshotRecords(Records):
    """A daily snapshot's record: stamped with the day its totals cover."""

    @override
    def _leading_fields(self) -> tuple[Field, ...]:
        return (
            Field(
                REPORT_DATE,
                Kind.DAY,
                "The local day (operation's timezone) these totals cover, 00:00:00-23:59:59.",
            ),
        )

    @override
    def _finish(self, record: dict[str, t.Any], window: Window) -> None:
        record[REPORT_DATE] = window.start.date().isoformat()
