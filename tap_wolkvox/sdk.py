"""Every place the tap relies on singer-sdk internals, in one module (written for 0.54.9).

The tap uses the SDK's public hooks wherever one exists. Where it needs behaviour the SDK only
offers through a private or undocumented name, that name appears here and nowhere else: the
tap's classes derive from :class:`SeamTap` and :class:`SeamStream` and override the public
hooks these call. Each seam below says why it exists, what SDK behaviour it assumes, and which
test fails loudly when an upgrade breaks the assumption (``tests/test_sdk_seams.py`` unless
said otherwise). Read this list before raising the singer-sdk pin.

Streams (:class:`SeamStream`):

S1. ``Stream._increment_stream_state`` is made a no-op. The bookmark moves once per completed
    window (:meth:`SeamStream.write_state_now`), never per record: a restart repeats at most
    the window it was in, and 60,000 records do not each pay for a state update. Assumes the
    SDK moves bookmarks only through this method. Guard: STATE never runs ahead of the records
    of its window; no SDK ``progress_markers`` left in the final state.
S2. ``Stream._generate_record_messages`` has a fast path: when every property is selected and
    no stream map or flattening applies (``type(map) is SameRecordTransform``), the record,
    already in its final shape and types, is sent as it is. Assumes the SDK's path would
    produce the same message. Guard: byte-identical RECORD lines from both paths; with a stream
    map or a deselected property the SDK's path is taken (tests/test_fast_path.py compares a
    run with one without the identity map ``{"*": {}}``, over every report).
S3. ``state_manager.is_flushed`` and ``Stream._write_state_message``: a STATE goes out as soon
    as a window's records are all out (the report stream writes it once the SDK has taken the
    window's last record). Guard: as S1.
S4. ``Stream._stream_version`` and ``Stream._write_activate_version_message``: dimension tables
    send ACTIVATE_VERSION after their last record, not before the first as the SDK does (a run
    failing half-way must not leave the target with the table emptied). Guard:
    ``tests/test_information.py`` (message after the records, with their version).
S5. (gone: streams get the run's context, never the tap.)
S6. (gone: the end-of-run checks run once, from the tap, see T8.)
S7. The retriable exceptions of ``RESTStream.request_decorator`` (:data:`RETRIABLE`): the tap
    wraps the request in its own back-off (one log line per retry, the request budget), and
    must retry exactly what the SDK would. Guard: the tuple matches the SDK's source.
S8. The SDK's log line "An unhandled error occurred while syncing '%s'" is dropped when the tap
    says the cause in one sentence (:data:`UNHANDLED_ERROR`). Guard: the text is the SDK's.
S9. Where a stream-map expression failed on a record (:func:`failed_map_expression`): the SDK's
    mapper lets most evaluation errors through as they are (``ZeroDivisionError``,
    ``KeyError``...) and names neither the stream nor the property; the frame of
    ``CustomStreamMap._eval`` in the traceback holds both (``self.stream_alias``,
    ``property_name``, None for ``__filter__``). Guard: a failing expression is located.

S10. ``Stream._tap`` (its ``message_writer``): the fast path writes a reply's RECORD lines as
    they are, in one write, through the tap's writer (:meth:`SeamStream.write_record_lines`),
    instead of the SDK's record loop; the SDK's path is kept for stream maps, deselected
    properties, flattening and ``--test`` (``ABORT_AT_RECORD_COUNT``). Assumes the SDK's record
    loop adds nothing to a plain record (S2) and that its writer is the tap's. Guard: the fast
    path's lines are the SDK path's, byte for byte (tests/test_fast_path.py).

Tap (:class:`SeamTap`):

T1. ``PluginBase._env_var_config``: ``--config ENV`` reading, with numbers read by the tap (the
    SDK ``int()``s integers with a traceback on ``abc`` and leaves numbers as text), and
    ``singer_sdk.configuration._dict_config.parse_environment_config`` for the rest (.env file,
    lists, objects, booleans). Guard: ``tests/test_settings.py`` (environment numbers).
T2. ``PluginBase._validate_config`` (and ``PluginBase._config``): the SDK's messages quote the
    offending value, a secret's too, so they are worded again; IDs given as numbers become text
    before the SDK hands the config to its mapper. Guard: ``tests/test_settings.py``,
    ``tests/test_start_up.py``.
T3. ``Tap._handle_termination``: SIGTERM/SIGINT stop the run at a whole line, flush the STATE
    and exit 143/130. Guard: ``tests/test_run_edges.py`` (signals mid-run).
T4. ``Tap._reset_state_progress_markers`` is the first thing ``Tap.sync_all`` (final) calls,
    before it writes anything: the tap refuses an empty selection and logs its plan there.
    Guard: the plan line comes before the first STATE.
T5. ``Tap.setup_mapper`` (public) registers deselected streams with their whole schema: the
    SDK's registers them with no property at all, and a ``"*"`` stream map then fails on their
    key properties. Guard: ``tests/test_start_up.py`` (a map for every stream).
T6. The SDK's log line "Skipping deselected stream '%s'." (:data:`DESELECTED`) goes to DEBUG.
    Guard: the text is the SDK's.
T7. The order streams sync in (:meth:`SeamTap.run_streams_in`): ``Tap.sync_all`` (final) syncs
    them in the order of the dict ``Tap.streams`` returns, which is the one it keeps (cached
    once), after T4's hook. Reordering that dict in place from T4 sets the run's order (the
    streams take turns at a small request budget, see budget.py). Guard: a run's SCHEMA
    messages follow the order set.

T8. ``Tap.sync_all`` is final in the SDK's typing; the tap overrides it all the same, to run
    the end-of-run checks once, after every stream has synced and logged its costs
    (:meth:`SeamTap.after_last_stream`: the run summary, the check that not every selected
    report was missing). Assumes the SDK's CLI runs a sync by calling ``sync_all``. Guard: the
    run summary comes after the last stream's log lines, from the command.
T9. Whether the SDK takes a catalog entry as selected, read from the entry's metadata alone
    (:func:`entry_selected`), so that a sync parses, builds and registers only the entries it
    reads (``run/inputs.py``, ``catalog_for_sync``). Assumes what ``Stream.selected`` reads:
    the stream's own breadcrumb resolved by ``MetadataMapping.resolve_selection``, which reads
    only that breadcrumb's metadata, and selected when there is none. Guard: the answer is the
    SDK's over a parsed catalog, for every kind of metadata (``tests/test_what_runs.py``).
T10. What importing singer-sdk imports but a tap run never uses: ``upath`` (``from upath import
    UPath`` in ``helpers/_batch.py``), ``joblib`` (``from joblib import Parallel, delayed,
    parallel_config`` in ``target_base.py``) and, through ``backoff``, ``asyncio`` (``import
    asyncio``). The command puts stand-ins in their place (``cli.py``), which hand out those
    names and import the real module when one is used. Assumes nothing else is taken from them
    at import. Guard: ``tests/test_what_runs.py`` (a sync through the command imports none of
    them; the SDK's and backoff's module-level imports from them take only those names).

Not the SDK's, but private all the same:

R1. (gone: bodies travel in an ``Exchange``, see replies/exchange.py.)
R2. ``urllib3.PoolManager.pool_classes_by_scheme`` (an attribute urllib3 does not document):
    the pools a manager creates, set to pools whose ``ConnectionCls`` reports the socket in use
    to the exchange's deadline (:func:`use_pool_classes`; ``request_timeout`` bounds the whole
    exchange, see ``replies/exchange.py``). Assumes a manager creates its pools from this mapping.
    Guard: a manager given pool classes creates its pools from them.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import typing as t
from functools import cached_property

import requests
import urllib3.poolmanager
from singer_sdk import Tap
from singer_sdk.configuration._dict_config import parse_environment_config
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.mapper import CustomStreamMap, SameRecordTransform
from singer_sdk.plugin_base import PluginBase
from singer_sdk.singerlib import Catalog, MetadataMapping, RecordMessage
from singer_sdk.streams import RESTStream
from typing_extensions import override

if t.TYPE_CHECKING:
    from collections.abc import Generator
    from types import FrameType

    from singer_sdk.helpers.types import Context

#: S7: what ``RESTStream.request_decorator`` retries, in the SDK's order.
RETRIABLE: tuple[type[Exception], ...] = (
    ConnectionResetError,
    RetriableAPIError,
    requests.exceptions.Timeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
#: S8: the SDK's ERROR line when a stream's sync raises.
UNHANDLED_ERROR = "An unhandled error occurred while syncing '%s'"
#: T6: the SDK's INFO line for each stream a run skips.
DESELECTED = "Skipping deselected stream '%s'."


def deselected_streams_at_debug(record: logging.LogRecord) -> bool:
    """T6: log the SDK's line per deselected stream at DEBUG, not INFO."""
    if record.msg != DESELECTED:
        return True
    record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
    return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


#: S9: a property name standing for the stream map's ``__filter__`` expression.
FILTER = "__filter__"


def failed_map_expression(exc: BaseException) -> tuple[str, str] | None:
    """S9: the stream alias and the property whose map expression raised ``exc``, if one did.

    The property is :data:`FILTER` when the failing expression is the map's filter.
    """
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code is CustomStreamMap._eval.__code__:  # noqa: SLF001
            mapper = frame.f_locals.get("self")
            if isinstance(mapper, CustomStreamMap):
                return mapper.stream_alias, frame.f_locals.get("property_name") or FILTER
        tb = tb.tb_next
    return None


def entry_selected(metadata: list[t.Any]) -> bool:
    """T9: whether the SDK takes a catalog entry with this ``metadata`` list as selected.

    Metadata the SDK could not parse counts as selected: the entry stays for the SDK to refuse.
    """
    root = [m for m in metadata if isinstance(m, dict) and m.get("breadcrumb") == []]
    if not root:
        return True  # a stream without metadata of its own is selected
    try:
        mapping = MetadataMapping.from_iterable(root)
    except (KeyError, TypeError, AttributeError, ValueError):
        return True
    return mapping.resolve_selection().get((), True)


def use_pool_classes(
    manager: urllib3.PoolManager,
    *,
    http: type[urllib3.HTTPConnectionPool],
    https: type[urllib3.HTTPSConnectionPool],
) -> None:
    """R2: have ``manager`` create its pools from these classes.

    Only a manager with urllib3's own pools is changed (a SOCKS proxy's keeps its own).
    """
    if manager.pool_classes_by_scheme is urllib3.poolmanager.pool_classes_by_scheme:
        manager.pool_classes_by_scheme = {"http": http, "https": https}


def environment_config(schema: dict[str, t.Any], prefix: str) -> dict[str, t.Any]:
    """T1: the SDK's own reading of ``TAP_WOLKVOX_*`` variables for the settings of ``schema``."""
    return parse_environment_config(schema, prefix)


class SeamStream(RESTStream[t.Any]):
    """The stream base: the SDK internals the tap's streams rely on (S1-S4, S7-S9)."""

    #: When the reply being read arrived (the RECORDs' ``time_extracted``); the streams set it
    #: as each reply's rows start going out.
    extracted_at: dt.datetime = dt.datetime.min.replace(tzinfo=dt.timezone.utc)

    @override
    def _increment_stream_state(
        self, latest_record: dict[str, t.Any], *, context: Context | None = None
    ) -> None:
        # S1: the bookmark moves per completed window (write_state_now), never per record.
        return

    @override
    def _generate_record_messages(
        self, record: dict[str, t.Any]
    ) -> Generator[RecordMessage, None, None]:
        # S2: a record already in its final shape and types goes out as it is.
        if not self.records_are_plain:
            try:
                for message in super()._generate_record_messages(record):
                    # The SDK stamps its own wall clock; both paths stamp when the reply was
                    # read.
                    message.time_extracted = self.extracted_at
                    yield message
            except Exception as exc:
                # S9: a stream-map expression that failed on this record.
                failed = failed_map_expression(exc)
                if failed is None:
                    raise
                raise self.map_failed(exc, *failed) from None
            return
        yield RecordMessage(
            stream=self.name,
            record=record,
            version=self._stream_version,
            time_extracted=self.extracted_at,
        )

    @cached_property
    def records_are_plain(self) -> bool:
        """S2: every property selected, no stream map, no flattening."""
        maps = self.stream_maps
        return (
            len(maps) == 1
            and type(maps[0]) is SameRecordTransform
            and not maps[0].flattening_enabled
            and maps[0].stream_alias == self.name
            and all(self.mask.values())
        )

    def map_failed(self, exc: Exception, alias: str, prop: str) -> Exception:  # noqa: ARG002
        """S9: what to raise when the map expression of ``prop`` (stream ``alias``) raised.

        By default the evaluator's own exception; the tap's streams say it in one sentence.
        """
        return exc

    @property
    def writes_plain_records(self) -> bool:
        """S10: records may go out as RECORD lines written by the stream itself."""
        return self.records_are_plain and self.ABORT_AT_RECORD_COUNT is None

    def write_record_lines(self, lines: bytes) -> None:
        """S10: write whole RECORD lines through the tap's message writer (no flush)."""
        writer = self._tap.message_writer
        write = getattr(writer, "write_lines", None)
        if write is None:
            sys.stdout.buffer.write(lines)
        else:
            write(lines)

    def write_state_now(self) -> None:
        """S3: emit this stream's state now (a window's records are all out)."""
        self.state_manager.is_flushed = False
        self._write_state_message()

    @property
    def stream_version(self) -> int | None:
        """S4: the version the records carry (for ACTIVATE_VERSION)."""
        return self._stream_version

    @stream_version.setter
    def stream_version(self, version: int) -> None:
        self._stream_version = version

    def write_activate_version(self, version: int) -> None:
        """S4: send ACTIVATE_VERSION for ``version`` now."""
        self._write_activate_version_message(version)


class SeamTap(Tap):
    """The tap base: the SDK internals the tap relies on (T1-T8)."""

    @property
    def state_entries(self) -> dict[str, t.Any]:
        """The state, with its top-level entries besides ``bookmarks`` (the SDK types only it)."""
        return t.cast("dict[str, t.Any]", self.state)

    def sync_all(self) -> None:  # type: ignore[misc]  # T8: final in the SDK's typing only
        """Sync every selected stream, then run the checks of the run's end once."""
        try:
            super().sync_all()
        finally:
            self.streams_done()
        self.after_last_stream()

    def streams_done(self) -> None:
        """Called once the streams stopped syncing, whether they all synced or one failed."""

    def after_last_stream(self) -> None:
        """Called once every stream has synced and logged its costs."""

    @override
    def setup_mapper(self) -> None:
        # T5: Tap.setup_mapper registers every catalog stream with the stream-map engine with
        # only its selected properties. A deselected stream then has none, and a map that
        # matches it too (``"*"``, say, to add an operation column) stops the run on its key
        # properties ("Property 'conn_id' was not detected in schema"). Deselected streams are
        # registered with their whole schema instead: they are never synced.
        PluginBase.setup_mapper(self)
        selected = Catalog()
        for entry in self.catalog.streams:
            if entry.metadata.resolve_selection()[()]:
                selected[entry.tap_stream_id] = entry
            else:
                self.mapper.register_raw_stream_schema(
                    entry.stream or entry.tap_stream_id,
                    entry.schema.to_dict(),
                    entry.key_properties,
                )
        self.mapper.register_raw_streams_from_catalog(selected)

    @property
    def _env_var_config(self) -> dict[str, t.Any]:
        # T1: PluginBase.__init__ reads this once and merges it over the config files.
        return self.config_from_environment()

    def config_from_environment(self) -> dict[str, t.Any]:
        """Settings from ``TAP_WOLKVOX_*`` variables (with ``--config ENV``)."""
        config: dict[str, t.Any] = super()._env_var_config
        return config

    @override
    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        # T2: PluginBase.__init__ validates the merged config by calling this method.
        return self.check_config(raise_errors=raise_errors)

    def check_config(self, *, raise_errors: bool) -> list[str]:
        """Validate the config (see T2); the SDK's check is :meth:`sdk_check_config`."""
        return self.sdk_check_config(raise_errors=raise_errors)

    def sdk_check_config(self, *, raise_errors: bool) -> list[str]:
        """The SDK's validation of the config against the schema (it fills in defaults)."""
        return super()._validate_config(raise_errors=raise_errors)

    def replace_config(self, config: dict[str, t.Any]) -> None:
        """T2: the config the SDK and its mapper use from now on."""
        self._config = config

    @override
    def _handle_termination(self, signum: int, frame: FrameType | None) -> None:
        # T3: the SDK installs this for SIGTERM and SIGINT.
        self.on_termination_signal(signum)

    def on_termination_signal(self, signum: int) -> None:
        """SIGTERM or SIGINT arrived."""

    @override
    def _reset_state_progress_markers(self) -> None:
        # T4: the first call of Tap.sync_all (final), before it writes anything.
        self.before_first_stream()
        super()._reset_state_progress_markers()

    def before_first_stream(self) -> None:
        """Called once when a sync starts, before any stream runs or any STATE goes out."""

    def run_streams_in(self, names: list[str]) -> None:
        """T7: sync the streams in the order of ``names`` (call from before_first_stream)."""
        streams = self.streams
        ordered = {name: streams[name] for name in names}
        streams.clear()
        streams.update(ordered)
