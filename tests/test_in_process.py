"""An in-process run of the tap leaves the test process as it found it."""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

from tests.helpers import Clock, base_config, run_in_process, transfer

if TYPE_CHECKING:
    from tap_wolkvox.sandbox.server import WolkvoxSimulator


def test_an_in_process_run_restores_the_signal_handlers(simulator: WolkvoxSimulator) -> None:
    simulator.set_rows("chat_9", [transfer("EM1", "2025-01-02 08:15:00")])
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    run = run_in_process(base_config(simulator), clock=Clock("2025-06-30 23:59:59"))
    assert run.returncode == 0, run.stderr
    assert {sig: signal.getsignal(sig) for sig in before} == before
