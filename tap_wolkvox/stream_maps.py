"""What a stream map hides: the fields whose values the tap's own warnings must not quote.

A user who hashes or drops a field with the SDK's ``stream_maps`` setting (personal data, say)
expects its values nowhere but where the map sends them, and the tap's warnings quote values (an
unreadable one, a row's key parts, a nested list it cannot read). A field counts as hidden when
a map that applies to the stream sets it to an expression other than itself, removes it (``null``
or ``"__NULL__"``), or leaves it out (``"__else__": null``), or when the map removes the whole
stream. Which maps apply to a stream is the SDK's own decision (:func:`_applies`).
"""

from __future__ import annotations

import logging
import typing as t

from singer_sdk.mapper import (
    MAPPER_ALIAS_OPTION,
    MAPPER_ELSE_OPTION,
    MAPPER_KEY_PROPERTIES_OPTION,
    MAPPER_SOURCE_OPTION,
    NULL_STRING,
    PluginMapper,
    SameRecordTransform,
)

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
