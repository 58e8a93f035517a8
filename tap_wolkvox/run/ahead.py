"""Requests sent ahead (``requests_in_flight: 2``): windows read while rows are written.

Wolkvox answers two requests at once per token. With the setting at 2, a report's windows are
asked for by a thread of their own (a :class:`Reading`), one window ahead of the rows the run is
writing, and the walks next in the run's order (streams, and each partition of a stream: one per
listed ID) begin their reading while the current one is written, so that two requests are in
flight whenever two are planned. What stays as in a run
one request at a time, and why:

- **Records and STATE.** Only the run's main thread writes, in the run's order, and a window's
  STATE only after its records: a reply read ahead waits until its turn. The Singer messages are
  those of a run one request at a time (tests/test_in_flight.py compares them).
- **Windows that depend on a reply.** The next window of a walk is sized from the reply before
  it and a cut reply is read again in halves (time/windows.py), so a walk is read in order, one
  request at a time; what runs side by side are two walks (the current one, the next).
  A reply's size is known when it arrives, so sizing and splitting happen in the reading
  thread, before the rows are written; only the next window waits for them.
- **At most two in flight.** The run's session holds two slots (replies/exchange.py) and at
  most two readings ask at once; a third request waits for a slot.
- **Memory.** A reading holds at most one reply besides the one being written, and the readings
  ahead of the current one :data:`HELD_AHEAD` replies among them (a large reply is spilled to
  a temporary file, not held in memory: replies/bodies.py).
- **The request budget.** With ``max_requests_per_run`` set nothing is read ahead: the budget
  stops a run before the request that would exceed it, and where a run stops decides where the
  next one starts (run/budget.py), so budgeted runs send one request at a time, as a run with
  the setting at 1 does.
- **The server's clock.** No stream begins ahead before the run's first reply is in: its
  ``Date`` header may move the tap's clock (time/clocks.py), and a stream plans its walk by it.
- **Failures.** What a reading ahead meets (a failure, a stop) waits with its replies and is
  raised when its turn comes, after every record and STATE before it: the run ends where a run
  one request at a time would have.

A killed run loses nothing: what was read ahead and not written is asked for again by the next
run, which resumes from the last STATE written.
"""

from __future__ import annotations

import collections
import json
import threading
import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

#: Replies the readings ahead of the current stream may hold, among them, before asking more.
HELD_AHEAD = 4

#: What a reading hands on.
P = t.TypeVar("P")


def ahead_key(stream: str, context: Mapping[str, t.Any] | None) -> str:
    """What names one partition's reading among the run's (the stream, and its context)."""
    return stream if not context else f"{stream} {json.dumps(dict(context), sort_keys=True)}"


class Reading(t.Generic[P]):
    """One walk's pages, asked for by a thread of its own ahead of the run's writing.

    ``pages``: the walk's pages as a run one request at a time reads them (each ``next`` asks
    for one window, or several when a reply is cut); ``plan`` says what walk it is, so that its
    stream can tell it is still the one to read.
    """

    def __init__(
        self,
        ahead: Ahead,
        name: str,
        pages: Iterator[P],
        *,
        plan: object = None,
        close: Callable[[P], None] | None = None,
    ) -> None:
        """Read ``pages`` of stream ``name`` when ``ahead`` gives room.

        ``close`` lets go of a page never taken.
        """
        self.ahead = ahead
        self.name = name
        self.plan = plan
        self._close = close
        self._pages = pages
        #: Pages answered and not yet taken; an exception ends the queue.
        self.answered: collections.deque[P | BaseException] = collections.deque()
        #: Pages asked for (room granted) and not yet taken.
        self.held = 0
        self.finished = False
        self.cancelled = False
        self._thread = threading.Thread(target=self._read, name=f"wolkvox-{name}", daemon=True)

    def start(self) -> None:
        """Begin asking, in the reading's own thread."""
        self._thread.start()

    def _read(self) -> None:
        ahead = self.ahead
        while True:
            if not ahead.room_for(self):
                break
            try:
                page: P | BaseException = next(self._pages)
            except StopIteration:
                with ahead.changed:
                    self.held -= 1
                break
            except BaseException as exc:  # noqa: BLE001 - raised again when its turn comes
                page = exc
            with ahead.changed:
                dropped = self.cancelled
                if not dropped:
                    self.answered.append(page)
                    ahead.changed.notify_all()
            if dropped:  # (answered after the reading was dropped: nobody takes it)
                if self._close is not None and not isinstance(page, BaseException):
                    self._close(page)
                break
            if isinstance(page, BaseException):
                break
        ahead.finished(self)

    def __iter__(self) -> Iterator[P]:
        """The pages, in order, as they are answered (an exception met is raised here)."""
        try:
            while True:
                page = self.ahead.take(self)
                if page is None:
                    return
                if isinstance(page, BaseException):
                    raise page
                yield page
        finally:
            self.ahead.cancel(self)

    def drop(self) -> None:
        """Stop asking and let go of what was answered and not taken."""
        self.ahead.cancel(self)
        with self.ahead.changed:
            left = [p for p in self.answered if not isinstance(p, BaseException)]
            self.answered.clear()
        if self._close is not None:
            for page in left:
                self._close(page)


class Ahead:
    """The run's readings ahead: which stream reads next, and room for their replies.

    ``slots``: requests in flight at most (1: nothing is read ahead, every request is sent by
    the stream writing its rows, as the SDK does).
    """

    def __init__(self, slots: int) -> None:
        """Read ahead when ``slots`` is 2."""
        self.on = slots > 1
        self.changed = threading.Condition()
        self._lineup: list[tuple[str, Callable[[], Reading[t.Any] | None]]] = []
        self._prepared: dict[str, Reading[t.Any]] = {}
        self._passed: set[str] = set()
        self._current: Reading[t.Any] | None = None
        self._active: set[Reading[t.Any]] = set()
        self._opened = False
        self._beginning = 0

    def line_up(self, streams: list[tuple[str, Callable[[], Reading[t.Any] | None]]]) -> None:
        """The streams that may begin reading ahead, in the run's order, each with its start."""
        self._lineup = list(streams)

    def reply_in(self) -> None:
        """A reply came in: the tap's clock follows the server's from now on."""
        if self.on and not self._opened:
            self._opened = True
            self._begin_more()

    def prepared(self, name: str) -> Reading[t.Any] | None:
        """The reading of ``name`` begun ahead, if any (it is now ``name``'s turn)."""
        with self.changed:
            self._passed.add(name)
            return self._prepared.pop(name, None)

    def read(self, reading: Reading[t.Any]) -> Reading[t.Any]:
        """``reading`` is the current stream's: it asks ahead of the rows being written."""
        with self.changed:
            self._current = reading
            if reading not in self._active and not reading.finished:
                self._active.add(reading)
                reading.start()
            self.changed.notify_all()
        self._begin_more()
        return reading

    def _begin_more(self) -> None:
        """Begin the next streams' readings while fewer than two are asking."""
        if not self._opened:
            return
        while True:
            with self.changed:
                # (a reading being begun counts: two threads may get here at once)
                if len(self._active) + self._beginning >= 2:  # noqa: PLR2004 - two per token
                    return
                following = next(((n, b) for n, b in self._lineup if n not in self._passed), None)
                if following is None:
                    return
                name, begin = following
                self._passed.add(name)
                self._beginning += 1
            try:
                reading = begin()
            finally:
                with self.changed:
                    self._beginning -= 1
            if reading is None:
                continue
            with self.changed:
                self._prepared[name] = reading
                self._active.add(reading)
            reading.start()

    def room_for(self, reading: Reading[t.Any]) -> bool:
        """Wait until ``reading`` may ask for one more page; False once it is cancelled."""
        with self.changed:
            self.changed.wait_for(lambda: reading.cancelled or self._has_room(reading))
            if reading.cancelled:
                return False
            reading.held += 1
            return True

    def _has_room(self, reading: Reading[t.Any]) -> bool:
        """The current reading asks one page ahead; the others :data:`HELD_AHEAD` among them."""
        if reading is self._current:
            return reading.held == 0
        return sum(r.held for r in self._prepared.values()) < HELD_AHEAD

    def take(self, reading: Reading[P]) -> P | BaseException | None:
        """The next page of ``reading`` (None when there is none), waiting for it."""
        with self.changed:
            self.changed.wait_for(lambda: bool(reading.answered) or reading.finished)
            if not reading.answered:
                return None
            page = reading.answered.popleft()
            reading.held -= 1
            self.changed.notify_all()
            return page

    def finished(self, reading: Reading[t.Any]) -> None:
        """``reading`` asks for nothing more: another may begin."""
        with self.changed:
            reading.finished = True
            self._active.discard(reading)
            self.changed.notify_all()
        self._begin_more()

    def cancel(self, reading: Reading[t.Any]) -> None:
        """``reading`` is no longer read: it asks for nothing more."""
        with self.changed:
            reading.cancelled = True
            if self._current is reading:
                self._current = None
            self.changed.notify_all()

    def close(self) -> None:
        """The run ends: readings begun ahead and never taken let go of their replies."""
        with self.changed:
            left = list(self._prepared.values())
            self._prepared.clear()
            self._lineup = []
            current = self._current
        for reading in left:
            reading.drop()
        if current is not None:
            self.cancel(current)
