"""The paginator of a report: each window of a walk asked for, and handed on with its answer.

Wolkvox has no pagination: a "page" is a window of wall-clock time, and the walk
(time/windows.py) says which comes next. A reply that may be cut (at the row cap, or short of
the count its ``msg`` announced) is not handed on: its grain says so (a split is logged, or the
run stops where a window cannot be split), and the walk reads the window again in halves.
"""

from __future__ import annotations

import datetime as dt
import typing as t
from dataclasses import dataclass

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tap_wolkvox.streams.http import Answer
    from tap_wolkvox.time.windows import Window, WindowWalk


@dataclass(frozen=True)
class Page:
    """One window and the answer to it: rows that may all go out.

    ``last``: the window ends the walk. ``clock_moved``: how far the tap's clock moved to follow
    the server's while this window was asked for (with cut replies before it).
    """

    window: Window
    answer: Answer
    last: bool
    clock_moved: dt.timedelta = dt.timedelta(0)


class WindowPages:
    """The pages of ``walk``: ``fetch`` asks for a window; ``on_cut`` hears of a cut reply."""

    def __init__(
        self,
        walk: WindowWalk,
        fetch: Callable[[Window], Answer],
        on_cut: Callable[[Window, str], None],
        row_cap: int,
    ) -> None:
        """Page through ``walk``, taking replies of ``row_cap`` entries as cut."""
        self.walk = walk
        self._fetch = fetch
        self._on_cut = on_cut
        self._row_cap = row_cap

    def __iter__(self) -> Iterator[Page]:
        """Each window whose reply is whole, with it; cut ones are split and read again.

        The walk moves on as soon as a reply is in (the next window is sized from it), before
        its rows are written: a window's bookmark is set by whoever writes its rows.
        """
        walk = self.walk
        moved = dt.timedelta(0)
        while (window := walk.current) is not None:
            answer = self._fetch(window)
            moved += answer.clock_moved
            reply = answer.reply
            why = reply.may_be_cut(self._row_cap)
            if why is not None:
                reply.close()
                self._on_cut(window, why)
            walk.advance(truncated=why is not None, rows=reply.held, why=why)
            if why is None:
                yield Page(window, answer, walk.is_last(window), moved)
                moved = dt.timedelta(0)
