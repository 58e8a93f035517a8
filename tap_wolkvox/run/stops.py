"""How a run stops before reading everything: one sentence, the right exit code, a valid STATE.

A run stops on a failure (one plain sentence, exit code 1), when its request budget is spent
(exit code 0, see budget.py), or on SIGTERM or SIGINT. A signal handler runs inside a write
blocked on a slow target; stopping there would leave half a line on stdout, and the SDK's own
handler writes STATE wherever the signal lands and exits 0, so a killed run looked like a
finished one. Here the line goes out whole, then the run stops with exit code 128 + the
signal's number, as a shell reports a killed command. In every case the last STATE emitted is a
valid resume point (bookmarks move only once a window's records are all out).
"""

from __future__ import annotations

import signal
import sys
import typing as t

from singer_sdk.contrib.msgspec import MsgSpecWriter
from typing_extensions import override

from tap_wolkvox.replies.errors import WolkvoxError

if t.TYPE_CHECKING:
    import logging
    from collections.abc import Callable

    from singer_sdk import Tap
    from singer_sdk.singerlib import Message


class RunStopped(SystemExit):
    """The run stops before reading everything; its last STATE stays a valid resume point.

    A ``SystemExit``, so no ``except Exception`` on the way (the SDK's, a stream's) stops it.
    ``tap`` is the running tap, whose state is flushed on the way out (:meth:`flush_state`).
    """

    def __init__(
        self,
        tap: Tap,
        exit_code: int,
        message: str,
        on_stop: Callable[[RunStopped], None] | None = None,
    ) -> None:
        """Stop ``tap`` with ``exit_code``; ``message`` is the one line the log gets.

        ``on_stop`` runs once the stop is said (the budget's: the run summary).
        """
        self.exit_code = exit_code
        super().__init__(exit_code)
        self.tap = tap
        self.message = message
        self._on_stop = on_stop

    def on_stop(self) -> None:
        """What comes once the stop is said."""
        if self._on_stop is not None:
            self._on_stop(self)

    def flush_state(self) -> None:
        """Emit the state if it moved since the last STATE (a window done, its STATE not out).

        The bookmark advances only once a window's records are all out, so the state in memory
        is always a valid resume point; it is not emitted before the run has one (stopped
        while starting), lest an empty STATE replace the target's.
        """
        try:
            state, writer = self.tap.state, self.tap.state_writer
        except AttributeError:  # stopped before the SDK had set the state up
            return
        if state:
            writer.write_state(state)
        sys.stdout.flush()


class LineWriter(MsgSpecWriter):
    """The msgspec writer, safe to stop: every line goes out whole, a stop signal waits for it.

    A signal handler runs inside a write blocked on a slow target; stopping there would leave
    half a line on stdout. A signal also cuts such a write short, and the SDK's writer drops the
    rest of the line: here it is written too.
    """

    writing: bool = False
    #: The stop a signal asked for while a line was being written: raised once it is out.
    pending: BaseException | None = None

    @override
    def write_message(self, message: Message) -> None:
        # Every message but the bulk RECORD lines goes out at once (the lines before it too).
        self._write(self.format_message(message), flush=True)

    def write_lines(self, lines: bytes) -> None:
        """Write whole RECORD lines (the fast path), left for the next message to flush."""
        self._write(lines, flush=False)

    def _write(self, data: bytes | bytearray, *, flush: bool) -> None:
        self.writing = True
        try:
            written = sys.stdout.buffer.write(data)
            if written < len(data):  # cut short by a signal
                rest = memoryview(data)[written:]
                while rest:
                    rest = rest[sys.stdout.buffer.write(rest) :]
            if flush:
                sys.stdout.flush()
        finally:
            self.writing = False
        if self.pending is not None:
            stop, self.pending = self.pending, None
            raise stop


class RunInterrupted(RunStopped):
    """SIGTERM or SIGINT mid-run: the run stops, its last STATE still a valid resume point.

    Exit code 128 + the signal's number, as a shell reports a killed command.
    """

    def __init__(self, tap: Tap, signum: int) -> None:
        """Stop ``tap`` because of signal ``signum``."""
        self.signal_name = signal.Signals(signum).name
        super().__init__(
            tap,
            128 + signum,
            f"Run interrupted by {self.signal_name}: it stopped before reading everything. The "
            "last STATE emitted is a valid resume point: the next run continues from it.",
        )


def said(logger: logging.Logger, stop: BaseException) -> int:
    """Say why the run stopped in one line (never a traceback); return its exit code."""
    if isinstance(stop, RunStopped):
        stop.flush_state()
        if stop.exit_code:
            logger.error("%s", stop.message)
        else:
            logger.warning("%s", stop.message)
        stop.on_stop()
        return stop.exit_code
    # One plain sentence; the STATE emitted so far stays valid.
    if isinstance(stop, WolkvoxError):
        logger.error("%s", stop)
    else:
        logger.error("Setting 'stream_maps' cannot be applied: %s", stop)
    sys.stdout.flush()
    return 1
