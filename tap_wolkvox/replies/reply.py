"""One usable answer of Wolkvox: a window's rows, and what its envelope said of them.

The rows are in memory, or streamed from a large body spilled to a file (see bodies.py).
"""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass, field
from typing import Any

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

#: How many rows the envelope says it holds: "120 records were found", " 1 records were
#: found", with thousands separators if any ("1,172"). "x records were found" says no number.
_ANNOUNCED = re.compile(
    r"\s*(\d{1,3}(?:[,.]\d{3})+|\d+)\s+records?\s+were\s+found\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Reply:
    """A usable answer: the rows of one window (empty when the API said 404)."""

    rows: list[Any]
    empty_window: bool = False
    #: How many ``null`` entries of ``data`` were left out of ``rows``.
    skipped: int = 0
    #: Per index in ``rows``: the raw text (backslash-escaped) of each value whose invalid text
    #: was replaced by U+FFFD, by field name (``conversation[0].message`` when nested).
    repairs: dict[int, dict[str, str]] = field(default_factory=dict)
    #: A large body's rows, read one at a time from its spilled file (``rows`` is then empty).
    stream: Callable[[], Iterator[dict[str, Any]]] | None = None
    #: How many rows ``stream`` yields.
    streamed: int = 0
    #: The spilled body ``stream`` reads; closed (and so deleted) by :meth:`close`.
    body: t.IO[bytes] | None = None
    #: How many rows the envelope's ``msg`` says were found, when it says a number and
    #: ``data`` is a list (an object ``data``, cdr_4's buckets, is not compared).
    announced: int | None = None
    #: The rows are Structs of the stream's declaration (the fast path, rows/typed.py), not
    #: dicts.
    typed: bool = False

    def close(self) -> None:
        """Let go of the spilled body, if any: its temporary file is then gone."""
        if self.body is not None:
            self.body.close()

    @property
    def size(self) -> int:
        """How many rows the reply holds, streamed or not."""
        return self.streamed if self.stream is not None else len(self.rows)

    @property
    def entries(self) -> int:
        """How many entries ``data`` held: rows, and null ones too (what was sent)."""
        return self.size + self.skipped

    @property
    def held(self) -> int:
        """How many rows the window is known to hold: the entries, or more if announced."""
        return max(self.entries, self.announced or 0)

    def may_be_cut(self, row_cap: int) -> str | None:
        """Why this reply may hold fewer rows than its window has; None when it is whole.

        Wolkvox cuts a reply at the per-request cap without a word, and a reply holding fewer
        entries than its ``msg`` announced was cut too (a lower cap than assumed, the 256 MB
        size limit). Either way none of its rows is trusted: its window is read again in
        halves, or the run stops where it cannot be split.
        """
        entries = self.entries
        if entries >= row_cap:
            return f"returned {entries} rows, the per-request cap"
        if self.announced is not None and entries < self.announced:
            return f"returned {entries} of the {self.announced} rows its msg announced"
        return None

    def each_row(self) -> Iterable[dict[str, Any]]:
        """The rows, from memory or from the spilled body."""
        return self.rows if self.stream is None else self.stream()


def repaired(reply: Reply) -> str:
    """What a warning says of a reply whose bad text was replaced (the end of its sentence)."""
    count = sum(len(raw) for raw in reply.repairs.values())
    return (
        f"held values whose text is not valid UTF-8 or holds a NUL ({count}: invalid bytes, "
        "lone surrogate escapes or \\u0000); each bad character is emitted as U+FFFD, with the "
        "raw text (backslash-escaped) in unparsed_values"
    )


def announced_rows(msg: Any) -> int | None:
    """The row count an envelope's ``msg`` announces, or None when it says no number."""
    if not isinstance(msg, str):
        return None
    found = _ANNOUNCED.match(msg)
    return None if found is None else int(re.sub(r"[,.]", "", found.group(1)))
