"""What a run is given besides its settings: the STATE it starts from, and the catalog.

The SDK reads the state before the tap does and stops with a traceback on anything it cannot
parse; the tap reads it first (:func:`check_state_text`, :class:`StateReader`), so that a damaged
state ends in one sentence, and an unreadable bookmark costs only its stream (or partition) a
start from ``start_date``, with one warning. A sync's catalog is cut to the streams it reads, with
each one's ``replication-method`` metadata made effective (:func:`catalog_for_sync`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import typing as t

from tap_wolkvox.declarations.model import REPORT_DATE
from tap_wolkvox.replies.errors import WolkvoxError
from tap_wolkvox.run.budget import NEXT_RUN_STARTS_WITH
from tap_wolkvox.time.timestamps import date_in_range

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from singer_sdk.streams import Stream

    from tap_wolkvox.time.timestamps import OperationClock

#: A readable bookmark of an event stream: what the tap writes, 2025-04-01T05:00:00+00:00.
_INSTANT_BOOKMARK = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?)?"
)
#: A readable bookmark of a daily stream (replication key report_date): 2025-04-01.
_DAY_BOOKMARK = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Where a partition without a bookmark resumes: before any other.
_EARLIEST = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
#: How much of an unreadable value a warning quotes.
_SHOWN_CHARS = 80


def bookmark_is_readable(value: object, *, daily: bool) -> bool:
    """Whether ``value`` is a bookmark the tap can resume from.

    An ISO 8601 date for a daily stream (``2025-04-01``); an ISO 8601 date-time for an event
    stream (``2025-04-01T05:00:00+00:00``, as the tap writes them; a date or a date-time
    without an offset, as one may set by hand, is read in the operation's zone like
    ``start_date``). Either within the dates the settings accept (1970 to 9998).
    """
    if not isinstance(value, str):
        return False
    try:
        if daily:
            return bool(_DAY_BOOKMARK.fullmatch(value)) and date_in_range(
                dt.date.fromisoformat(value)
            )
        return bool(_INSTANT_BOOKMARK.fullmatch(value)) and date_in_range(
            dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        )
    except ValueError:  # 2025-13-45 has the right shape
        return False


def _shown(value: object) -> str:
    """``value`` as JSON, cut short: a warning names it without flooding the log."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _json_kind(value: object) -> str:
    kinds = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return next((k for cls, k in kinds.items() if isinstance(value, cls)), "a number")


def not_a_state(value: object) -> str:
    """The sentence that refuses a state that is not a JSON object at all."""
    return (
        f"The state is {_json_kind(value)}, not a JSON object such as "
        '{"bookmarks": {...}}: fix it, or run without a state to start every stream from '
        "start_date."
    )


def check_state_text(text: str) -> None:
    """Check that the ``--state`` file holds a JSON object.

    Raises:
        WolkvoxError: with one sentence, when the text is not a JSON object.
    """
    if not text.strip():
        msg = (
            "The state file is empty: a state is a JSON object such as "
            '{"bookmarks": {...}}. Fix it, or run without a state to start every stream from '
            "start_date."
        )
        raise WolkvoxError(msg)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = (
            f"The state file is not valid JSON ({exc.msg} at line {exc.lineno}, column "
            f"{exc.colno}): fix it, or run without a state to start every stream from "
            "start_date."
        )
        raise WolkvoxError(msg) from None
    if not isinstance(value, dict):
        raise WolkvoxError(not_a_state(value))


class StateReader:
    """Keeps what the tap can resume from in an incoming state, and warns about the rest.

    The SDK reads the state before the tap does and stops with a traceback on a bookmark it
    cannot parse; what is unreadable here is dropped first, so that stream (or partition)
    starts from start_date, with one warning each. So is a bookmark written for another
    replication key (or for none), which the streams would otherwise pass over without a word.
    """

    def __init__(
        self,
        replication_keys: t.Mapping[str, str | None],
        warn: Callable[[str], None],
        clock: OperationClock,
    ) -> None:
        """``replication_keys``: each stream's replication key (``report_date``: a daily one).

        A stream without a replication key (None) or unknown to the tap keeps its state as it
        is, once its structure is sound: the SDK carries it along without reading it. A bookmark
        without an offset is read in ``clock``'s zone, as the streams read it.
        """
        self.replication_keys = replication_keys
        self.warn = warn
        self.clock = clock

    def read(self, state: dict[str, t.Any]) -> dict[str, t.Any]:
        """A copy of ``state`` holding only what can be resumed from."""
        starts_with = state.get(NEXT_RUN_STARTS_WITH)
        if starts_with is not None and not isinstance(starts_with, str):
            self.warn(
                f"Ignoring the state's {NEXT_RUN_STARTS_WITH}: it is {_json_kind(starts_with)} "
                f"({_shown(starts_with)}), not a stream name; this run starts with the first "
                "stream of the catalog."
            )
            state = {k: v for k, v in state.items() if k != NEXT_RUN_STARTS_WITH}
        if "bookmarks" not in state:
            return state
        kept = {key: value for key, value in state.items() if key != "bookmarks"}
        bookmarks = state["bookmarks"]
        if not isinstance(bookmarks, dict):
            self.warn(
                f"Ignoring the state's bookmarks: they are {_json_kind(bookmarks)} "
                f"({_shown(bookmarks)}), not a JSON object; every stream starts from start_date."
            )
            return kept
        kept["bookmarks"] = {}
        for stream, stream_state in bookmarks.items():
            if not isinstance(stream_state, dict):
                self.warn(
                    f"Stream {stream}: ignoring its state {_shown(stream_state)}, which is not "
                    "a JSON object; this stream starts from start_date."
                )
                continue
            kept["bookmarks"][stream] = self._stream(stream, stream_state)
        return kept

    def _stream(self, stream: str, state: dict[str, t.Any]) -> dict[str, t.Any]:
        state = dict(state)
        if not isinstance(state.get("progress_markers", {}), dict):
            # The SDK wipes progress markers when a run starts, and fails on one not an object.
            del state["progress_markers"]
        self._bookmark(f"Stream {stream}", "this stream", stream, state)
        if "partitions" in state:
            partitions = state["partitions"]
            if isinstance(partitions, list):
                state["partitions"] = self._partitions(stream, partitions)
            else:
                self.warn(
                    f"Stream {stream}: ignoring its partitions {_shown(partitions)}, which are "
                    "not a JSON array; every partition starts from start_date."
                )
                del state["partitions"]
        return state

    def _partitions(self, stream: str, partitions: list[t.Any]) -> list[dict[str, t.Any]]:
        kept: dict[str, dict[str, t.Any]] = {}
        for entry in partitions:
            if not isinstance(entry, dict) or not isinstance(entry.get("context"), dict):
                self.warn(
                    f"Stream {stream}: ignoring the partition state {_shown(entry)}, which has "
                    "no context object; that partition starts from start_date."
                )
                continue
            partition = dict(entry)
            where = f"Stream {stream}, partition {_shown(partition['context'])}"
            self._bookmark(where, "this partition", stream, partition)
            key = json.dumps(partition["context"], sort_keys=True, default=str)
            if key in kept:
                # The SDK stops on duplicates; the earlier bookmark loses no row.
                kept[key] = min(kept[key], partition, key=lambda p: self._resume_point(stream, p))
                self.warn(
                    f"{where}: the state holds it more than once; resuming from the earliest "
                    "of its bookmarks."
                )
                continue
            kept[key] = partition
        return list(kept.values())

    def _bookmark(self, where: str, starts: str, stream: str, state: dict[str, t.Any]) -> None:
        replication_key = self.replication_keys.get(stream)
        value = state.get("replication_key_value")
        if replication_key is None or value is None or value == "":
            return
        written_for = state.get("replication_key")
        if written_for != replication_key:
            # A stream resumes only from a bookmark of its own key.
            which = (
                "which names no replication_key"
                if written_for is None
                else f"written for replication key {_shown(written_for)}"
            )
            self.warn(
                f"{where}: ignoring bookmark {_shown(value)}, {which} (expected "
                f'"{replication_key}"); {starts} starts from start_date.'
            )
            del state["replication_key_value"]
            return
        daily = replication_key == REPORT_DATE
        if bookmark_is_readable(value, daily=daily):
            return
        expected = (
            "an ISO 8601 date such as 2025-04-01"
            if daily
            else "an ISO 8601 date-time such as 2025-04-01T05:00:00+00:00"
        )
        self.warn(
            f"{where}: ignoring unreadable bookmark {_shown(value)} (expected {expected}); "
            f"{starts} starts from start_date."
        )
        del state["replication_key_value"]

    def _resume_point(self, stream: str, partition: dict[str, t.Any]) -> dt.datetime:
        """Where a partition resumes, to compare duplicates: no (or an unknown) bookmark first.

        A bookmark without an offset is read in the operation's zone, as the streams read it,
        so that it compares with one that has an offset. (Bookmarks here are readable: see
        :meth:`_bookmark`.)
        """
        value = partition.get("replication_key_value")
        if self.replication_keys.get(stream) is None or not isinstance(value, str) or not value:
            return _EARLIEST
        return self.clock.parse_setting(value)


def catalog_for_sync(
    catalog: dict[str, t.Any],
    selected: Callable[[list[t.Any]], bool],
    needs: t.Mapping[str, str],
) -> dict[str, t.Any]:
    """The input catalog cut to the entries a sync reads, their replication method made effective.

    A sync builds, registers with the stream-map engine and parses the schema of these entries
    only: with every stream discovered and three selected, the others were most of the start-up.
    An entry is kept when ``selected`` (the SDK's reading of its metadata) says so, or when a
    kept one ``needs`` it (skill_agents reads the skills table first); one the tap cannot read
    (no object, no ``tap_stream_id``) stays, for the SDK to refuse as it does. A stream without
    an entry is deselected, as it was.

    Singer catalogs carry the user's choice of replication method as ``replication-method`` in
    the stream's metadata (Meltano's ``metadata:`` block writes it there, leaving the discovered
    top-level ``replication_method`` as it was); the SDK reads only that top-level field and
    ``forced-replication-method``, so a FULL_TABLE chosen in the metadata would otherwise be
    ignored and the stream resume from its bookmark. Entries are copied only where that changes
    them: the caller's catalog is left as it was.
    """
    entries = catalog.get("streams")
    if not isinstance(entries, list):
        return catalog

    def readable(entry: object) -> t.TypeGuard[dict[str, t.Any]]:
        return isinstance(entry, dict) and isinstance(entry.get("tap_stream_id"), str)

    def chosen(entry: object) -> bool:
        if not readable(entry):
            return True
        metadata = entry.get("metadata", [])
        return not isinstance(metadata, list) or selected(metadata)

    keep = [chosen(entry) for entry in entries]
    names = {e["tap_stream_id"] for e, k in zip(entries, keep, strict=True) if k and readable(e)}
    wanted = {needs[name] for name in names if name in needs}
    streams = [
        _method_chosen(entry)
        for entry, k in zip(entries, keep, strict=True)
        if k or (readable(entry) and entry["tap_stream_id"] in wanted)
    ]
    return {**catalog, "streams": streams}


def _method_chosen(entry: t.Any) -> t.Any:
    """``entry`` with its ``replication-method`` metadata as its replication method."""
    if not isinstance(entry, dict) or not isinstance(entry.get("metadata"), list):
        return entry
    method = entry.get("replication_method")
    for metadata in entry["metadata"]:
        if isinstance(metadata, dict) and metadata.get("breadcrumb") == []:
            method = (metadata.get("metadata") or {}).get("replication-method") or method
    if method == entry.get("replication_method"):
        return entry
    return {**entry, "replication_method": method}


#: The one sentence a sync with no stream selected ends with.
NOTHING_SELECTED = (
    "No stream is selected, so there is nothing to sync: select at least one, e.g. "
    "`meltano select tap-wolkvox interaction_transfers '*'` (`meltano select tap-wolkvox "
    '--list --all` lists the streams), or set "selected": true in a stream\'s metadata in the '
    "catalog."
)


def check_something_selected(streams: t.Iterable[Stream]) -> None:
    """A run with nothing selected would otherwise succeed, silently.

    Raises:
        WolkvoxError: with :data:`NOTHING_SELECTED`.
    """
    if not any(s.selected or s.has_selected_descendents for s in streams):
        raise WolkvoxError(NOTHING_SELECTED)
