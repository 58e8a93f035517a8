"""The one row pipeline: what every reply's rows go through on their way to being records.

Reports, information.php tables and logs alike: the reply's clock checked against its voice
IDs, bucketed objects made rows, rows whose every value is blank skipped, each row shaped to
its declaration (typed, repaired text kept raw, key stand-ins), the values the request asked for
filled in, the grain's own completion, and rows that share a key numbered. What a reply had to
have repaired or skipped is said once per reply.
"""

from __future__ import annotations

import operator
import typing as t
from collections.abc import Callable
from dataclasses import dataclass, field

from tap_wolkvox.declarations.model import EXTRA, OCCURRENCE, UNPARSED, unbucket
from tap_wolkvox.replies.reply import repaired
from tap_wolkvox.rows.shaper import (
    UNREADABLE_INSTANT,
    RowShaper,
    is_blank,
    is_blank_row,
)
from tap_wolkvox.time.clocks import ZoneMismatchError, zone_mismatch

if t.TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

    from tap_wolkvox.declarations.model import Field, VoiceIds
    from tap_wolkvox.replies.reply import Reply
    from tap_wolkvox.rows.typed import Complete, TypedRows
    from tap_wolkvox.time.timestamps import OperationClock


@dataclass(frozen=True)
class Completion:
    """What a grain adds to each record of one reply, said as data (see streams/grains.py).

    ``derive`` fills fields the row does not send itself (a timestamp nested in a list); then
    every record gets ``values`` (its day, the instant it was read); ``count`` hears the
    record's ``timestamp`` (the late-row margin); ``ids`` collects the values of ``id_field``.
    """

    values: Mapping[str, t.Any] = field(default_factory=dict)
    timestamp: str | None = None
    count: Callable[[str], None] | None = None
    derive: Callable[[dict[str, t.Any]], None] | None = None
    ids: list[str] | None = None
    id_field: str | None = None

    def complete(self, record: dict[str, t.Any]) -> None:
        """Complete ``record`` in place."""
        if self.derive is not None:
            self.derive(record)
        if self.values:
            record.update(self.values)
        if self.count is not None and self.timestamp is not None:
            stamp = record[self.timestamp]
            if stamp and stamp != UNREADABLE_INSTANT:
                self.count(stamp)
        if self.ids is not None and self.id_field is not None:
            value = record[self.id_field]
            if not is_blank(value):
                # (a row kept without its ID names nothing to ask about: skills for skill_agents)
                self.ids.append(str(value))


#: A record of a reply that needs nothing added.
NOTHING_MORE = Completion()


def occurrence_numbering(key: Sequence[str]) -> Callable[[dict[str, t.Any]], None]:
    """What numbers the records of one reply: each gets its :data:`OCCURRENCE` by ``key``.

    One call per reply; the function it returns costs one dict lookup per record.
    """
    key_of = operator.itemgetter(*key)
    seen: dict[t.Any, int] = {}

    def number(record: dict[str, t.Any]) -> None:
        values = key_of(record)
        seen[values] = record[OCCURRENCE] = seen.get(values, 0) + 1

    return number


class RowPipeline:
    """The rows of one stream's replies made records, the same way for every stream."""

    def __init__(  # noqa: PLR0913
        self,
        fields: tuple[Field, ...],
        clock: OperationClock,
        logger: logging.Logger,
        *,
        api: str,
        stream: str,
        order: Sequence[str],
        key: Sequence[str],
        identifying: tuple[str, ...],
        timestamp: str | None = None,
        hidden: frozenset[str] = frozenset(),
        buckets: str | None = None,
        voice_ids: VoiceIds | None = None,
    ) -> None:
        """Shape rows to ``fields`` for report ``api`` of ``stream``.

        ``order`` is the record's properties in the schema's order (every record comes out in
        it, whatever order the reply sent its keys in); ``key`` is the record's key without
        :data:`OCCURRENCE` (what rows that share it are numbered by); ``identifying`` the key
        parts a row fills itself (stand-ins, row labels); ``buckets`` the column of a bucketed
        reply's bucket names; ``voice_ids`` where the rows tell the operation's clock.
        """
        self.api = api
        self.stream = stream
        self.shaper = RowShaper(
            fields,
            clock,
            logger,
            label=f"{stream} ({api})",
            timestamp=timestamp,
            key=identifying,
            hidden=hidden,
        )
        self._clock = clock
        self._logger = logger
        #: A record's columns in the schema's order, but for the two a row carries only when
        #: they hold something (rows/shaper.py).
        self._empty_record = dict.fromkeys(n for n in order if n not in (UNPARSED, EXTRA))
        self._order = tuple(order)
        #: What a row may send itself (the rest are the tap's columns).
        self._sent = tuple(f.name for f in fields)
        self._key = tuple(key)
        #: The fast path's loops, by what they fill (see rows/typed.py).
        self._completers: dict[tuple[t.Any, ...], Complete] = {}
        self._buckets = buckets
        self._voice_ids = voice_ids
        #: Rows whose every value was blank, skipped (said once, at the end of the run).
        self.blank_rows = 0

    def records(
        self,
        reply: Reply,
        *,
        where: str = "",
        asked: Mapping[str, t.Any] | None = None,
        completion: Completion = NOTHING_MORE,
    ) -> Iterator[dict[str, t.Any]]:
        """The records of a trusted ``reply``, one at a time (a large one is never all in memory).

        ``where`` names the reply in warnings (`` for window …``); ``asked`` holds the values
        the request was made for (a campaign, a skill), filled in where a row leaves them blank;
        ``completion`` says what the grain adds to each record before it is numbered.

        Raises:
            ZoneMismatchError: the rows' voice IDs say the operation's clock is another one.
        """
        self._reply_begins(reply, where)
        shape = self.shaper.shape
        keep_raw = self.shaper.keep_raw
        # A streamed reply notes each row's repairs as the row is read. (A bucketed reply is one
        # object: its repairs, at index 0, go to its first bucket's row.)
        repairs = reply.repairs
        filled = list((asked or {}).items())
        number = occurrence_numbering(self._key)
        complete = completion.complete
        empty = self._empty_record
        for index, row in enumerate(self._rows(reply.each_row())):
            if is_blank_row(row):
                self.blank_rows += 1
                continue
            shaped = shape(row)
            if repairs and repairs.get(index):
                keep_raw(shaped, repairs[index])
            for name, value in filled:
                # A row that does not say which campaign/skill/agent it is for gets the one asked.
                if not shaped.get(name):
                    shaped[name] = value
            complete(shaped)
            number(shaped)
            # In the schema's order: the same bytes whatever order the reply's keys came in.
            record = empty.copy()
            record.update(shaped)
            if UNPARSED in shaped or EXTRA in shaped:  # (rare) each in its place in the schema
                record = {name: record[name] for name in self._order if name in record}
            yield record
        # Said once the rows are out: a streamed reply's repairs are known only as it is read.
        if reply.repairs:
            self._logger.warning(
                "Report %s (%s): the reply%s %s", self.api, self.stream, where, repaired(reply)
            )

    def lines(  # noqa: PLR0913
        self,
        reply: Reply,
        typed: TypedRows,
        prefix: bytes,
        suffix: bytes,
        *,
        where: str = "",
        asked: Mapping[str, t.Any] | None = None,
        completion: Completion = NOTHING_MORE,
    ) -> tuple[Iterator[bytes], int]:
        """:meth:`records` for a reply on the fast path: its RECORD lines, and how many.

        The rows of ``reply`` are ``typed``'s Structs; each is made the record :meth:`records`
        would make, then they are written between ``prefix`` and ``suffix`` in chunks.
        """
        self._reply_begins(reply, where, typed.getter)
        asked = asked or {}
        counts = completion.timestamp if completion.count is not None else None
        collects = completion.id_field if completion.ids is not None else None
        shape = (typed, tuple(asked), tuple(completion.values), counts, collects)
        complete = self._completers.get(shape)
        if complete is None:
            complete = typed.completer(
                self.shaper.typed_plan(),
                self.shaper,
                self._key,
                tuple(asked),
                tuple(completion.values),
                counts=counts,
                collects=collects,
            )
            self._completers[shape] = complete
        skipped = [0]
        kept = complete(
            reply.rows,
            tuple(asked.values()),
            tuple(completion.values.values()),
            completion.count,
            completion.ids,
            {},
            skipped,
        )
        self.blank_rows += skipped[0]
        return typed.lines(kept, prefix, suffix), len(kept)

    def _rows(self, data: Iterable[dict[str, t.Any]]) -> Iterable[dict[str, t.Any]]:
        """The rows of a reply's ``data``: bucketed objects become one row per bucket."""
        if self._buckets is None:
            return data
        return unbucket(data, self._buckets)

    def _reply_begins(
        self,
        reply: Reply,
        where: str,
        getter: Callable[..., Callable[[t.Any], t.Any]] | None = None,
    ) -> None:
        """Before a reply's first row: its zone checked, its skipped null entries said."""
        self._check_zone(reply, getter)
        if reply.skipped:
            self._logger.warning(
                "Report %s (%s): the reply%s held null entries in 'data' (%d); they were skipped",
                self.api,
                self.stream,
                where,
                reply.skipped,
            )

    def _check_zone(
        self, reply: Reply, getter: Callable[..., Callable[[t.Any], t.Any]] | None = None
    ) -> None:
        """Stop before any row of ``reply`` goes out if its voice IDs contradict ``timezone``.

        Read in the wrong zone, every instant is shifted and the bookmark runs ahead of (or
        behind) the operation's clock: rows would be skipped for good, without a word.
        ``getter`` reads a Struct's fields (the fast path); a dict row is read by key.
        """
        voice_ids = self._voice_ids
        if voice_ids is None:
            return
        rows = iter(reply.each_row())
        pairs: Iterable[tuple[object, object]]
        if getter is None:
            pairs = ((row.get(voice_ids.id_field), row.get(voice_ids.timestamp)) for row in rows)
        else:
            pairs = map(getter(voice_ids.id_field, voice_ids.timestamp), rows)
        try:
            mismatch = zone_mismatch(pairs, self._clock)
        finally:
            close = getattr(rows, "close", None)
            if close is not None:  # a streamed reply's reader lets go of its file
                close()
        if mismatch is not None:
            report = f"{self.api} ({self.stream})"
            raise ZoneMismatchError(
                mismatch.sentence(report, voice_ids.id_field, self._clock.zone.key)
            )
