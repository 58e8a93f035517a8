"""Stream maps (the SDK's ``stream_maps`` setting): what they hide, and when they fail.

What a stream map hides: the fields whose values the tap's own warnings must not quote.

A user who hashes or drops a field with the SDK's ``stream_maps`` setting (personal data, say)
expects its values nowhere but where the map sends them, and the tap's warnings quote values (an
unreadable one, a row's key parts, a nested list it cannot read). A field counts as hidden when
a map that applies to the stream sets it to an expression other than itself, removes it (``null``
or ``"__NULL__"``), or leaves it out (``"__else__": null``), or when the map removes the whole
stream. Which maps apply to a stream is the SDK's own decision (:func:`_applies`).

When a map fails: the SDK's mapper checks a map's expressions when the run starts, but most of
what can go wrong only shows on a record (``1/0``, ``record['nope']``, ``int(conn_id)`` on a
text ID), and then raises the evaluator's own exception. The one sentence (:func:`map_failure`)
names the stream and the property, and what kind of failure it was, never the exception's text:
that quotes the record's values (``invalid literal for int() with base 10: '…'``), which the map
may be there to hide.
"""

from __future__ import annotations

import logging
import typing as t

from singer_sdk.exceptions import MapExpressionError
from singer_sdk.mapper import (
    MAPPER_ALIAS_OPTION,
    MAPPER_ELSE_OPTION,
    MAPPER_KEY_PROPERTIES_OPTION,
    MAPPER_SOURCE_OPTION,
    NULL_STRING,
    PluginMapper,
    SameRecordTransform,
)

from tap_wolkvox.replies.errors import WolkvoxError
from tap_wolkvox.sdk import FILTER

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

#: A map's word for "remove": the property, the stream, or (``__else__``) all the others.
_REMOVED = (None, NULL_STRING)
_QUIET = logging.getLogger(__name__)


def hidden_fields(
    stream: str,
    properties: Iterable[str],
    key_properties: Sequence[str],
    stream_maps: Mapping[str, t.Any],
) -> frozenset[str]:
    """The ``properties`` of ``stream`` whose values ``stream_maps`` transforms or removes.

    ``key_properties`` are the stream's key: ``"__else__": null`` keeps them as they are.
    """
    every = frozenset(properties)
    hidden: set[str] = set()
    named = False
    for name, rule in stream_maps.items():
        if name.startswith("__") or not _applies(name, rule, stream):
            continue
        named = True
        hidden |= _touched(rule, every, key_properties)
    # (The SDK's mapper takes this "__else__" out of the setting when it is set up: the tap's
    # streams also ask their own maps whether they are removed, see WolkvoxStream.)
    if (
        not named
        and MAPPER_ELSE_OPTION in stream_maps
        and stream_maps[MAPPER_ELSE_OPTION] in _REMOVED
    ):
        return every
    return frozenset(hidden & every)


def _applies(name: str, rule: t.Any, stream: str) -> bool:
    """Whether the map ``name: rule`` applies to ``stream``, decided by the SDK's own mapper.

    Exact names, ``*`` and other glob patterns, ``__source__`` and ``__alias__`` are matched
    as the SDK matches them: the map is registered alone, without its expressions, on a mapper
    of its own, and ``stream`` is then registered on that mapper.
    """
    names = (MAPPER_SOURCE_OPTION, MAPPER_ALIAS_OPTION)
    probe = {k: v for k, v in rule.items() if k in names} if isinstance(rule, dict) else {}
    mapper = PluginMapper({"stream_maps": {name: probe}}, _QUIET)
    mapper.register_raw_stream_schema(stream, {"properties": {}}, None)
    maps = mapper.stream_maps[stream]
    return len(maps) > 1 or type(maps[0]) is not SameRecordTransform


def _touched(rule: t.Any, properties: frozenset[str], key: Sequence[str]) -> set[str]:
    """The properties ``rule`` (one stream's map) transforms or removes."""
    if rule in _REMOVED:
        return set(properties)  # the stream itself is removed
    if not isinstance(rule, dict):
        return set()  # the SDK refuses any other rule
    fields = {name: value for name, value in rule.items() if not name.startswith("__")}
    kept = {name for name, value in fields.items() if _passes_through(name, value)}
    touched = set(fields) - kept
    if MAPPER_ELSE_OPTION in rule and rule[MAPPER_ELSE_OPTION] in _REMOVED:
        # Every property not named is left out, but the key properties.
        kept |= set(rule.get(MAPPER_KEY_PROPERTIES_OPTION, key) or ())
        touched |= properties - kept
    return touched


def _passes_through(name: str, value: t.Any) -> bool:
    """Whether the expression ``value`` of property ``name`` is that property unchanged."""
    return isinstance(value, str) and value.strip() in {name, "self"}


#: The evaluator's own refusals (simpleeval's, which the SDK wraps in MapExpressionError), by
#: class name: simpleeval is the SDK's dependency, not the tap's.
_REFUSALS = {
    "NameNotDefined": "it uses a name that is not defined (no such property or function)",
    "FunctionNotDefined": "it calls a function that is not defined",
    "AttributeDoesNotExist": "it uses an attribute that the value does not have (wrong type?)",
    "OperatorNotDefined": "it uses an operator that stream maps do not allow",
    "FeatureNotAvailable": "it uses a feature that stream maps do not allow",
    "NumberTooHigh": "it makes a number larger than stream maps allow",
    "IterableTooLong": "it makes a list or text longer than stream maps allow",
}
#: Python's own exceptions, most specific first.
_FAILURES: tuple[tuple[type[BaseException], str], ...] = (
    (ZeroDivisionError, "it divides by zero"),
    (KeyError, "it looks up a missing key"),
    (IndexError, "it indexes past the end of a list or text"),
    (OverflowError, "a number overflows"),
    (ValueError, "it cannot convert a value, such as a text that is not a number"),
    (TypeError, "it applies an operation or function to a value of the wrong type"),
    (AttributeError, "it applies an operation or function to a value of the wrong type"),
)


class StreamMapError(WolkvoxError):
    """A stream-map expression raised on a record: the run cannot apply the user's map."""


def what_failed(exc: BaseException) -> str:
    """What kind of failure ``exc`` is, in words that quote none of its values."""
    if isinstance(exc, MapExpressionError) and exc.__cause__ is not None:
        cause = exc.__cause__
        return _REFUSALS.get(type(cause).__name__, "it is not an expression stream maps can run")
    for kind, words in _FAILURES:
        if isinstance(exc, kind):
            return words
    return f"it raised {type(exc).__name__}"


def map_failure(exc: BaseException, stream: str, alias: str, prop: str) -> StreamMapError:
    """The one sentence for the map expression of ``prop`` failing on a record of ``stream``."""
    where = f"the filter ({FILTER})" if prop == FILTER else f"property '{prop}'"
    mapped = "" if alias == stream else f" (mapped as {alias})"
    return StreamMapError(
        f"Setting 'stream_maps' cannot be applied: the expression for {where} of stream "
        f"{stream}{mapped} failed on a record ({what_failed(exc)}). Fix that expression; the "
        "STATE already emitted is a valid resume point."
    )
