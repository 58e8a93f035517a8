"""Stream maps: the one sentence for an expression that fails on a record.

The SDK's mapper checks a map's expressions when the run starts, but most of what can go wrong
only shows on a record (``1/0``, ``record['nope']``, ``int(conn_id)`` on a text ID), and then
raises the evaluator's own exception. The sentence names the stream and the property, and what
kind of failure it was, never the exception's text: that quotes the record's values (``invalid
literal for int() with base 10: '…'``), which the map may be there to hide.
"""

from __future__ import annotations

from singer_sdk.exceptions import MapExpressionError

from tap_wolkvox.replies.errors import WolkvoxError
from tap_wolkvox.sdk import FILTER

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
