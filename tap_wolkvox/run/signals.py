"""How a run stops on SIGTERM or SIGINT: at a whole line, its last STATE a valid resume point.

A signal handler runs inside a write blocked on a slow target; stopping there would leave half a
line on stdout, and the SDK's own handler writes STATE wherever the signal lands and exits 0, so
a killed run looked like a finished one. Here the line goes out whole, then the run stops with
exit code 128 + the signal's number, as a shell reports a killed command.
"""

from __future__ import annotations

import signal
import sys
import typing as t

from singer_sdk.contrib.msgspec import MsgSpecWriter
from typing_extensions import override

from tap_wolkvox.run.budget import RunStopped

if t.TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.singerlib import Message


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
        line = self.format_message(message)
        self.writing = True
        try:
            written = sys.stdout.buffer.write(line)
            if written < len(line):  # cut short by a signal
                rest = memoryview(line)[written:]
                while rest:
                    rest = rest[sys.stdout.buffer.write(rest) :]
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
