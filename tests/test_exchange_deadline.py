"""``request_timeout`` bounds the whole exchange: connect, status line, headers and body.

requests' timeout bounds each socket read, so a server trickling one header byte a second
would hold a request for ever. The sandbox's ``Fault.slow_head`` does exactly that; the tap
must abandon the request about ``request_timeout`` after sending it, retry it like any
timeout, and stop with the "kept failing" sentence once ``max_attempts`` are spent.
"""

from __future__ import annotations

import itertools
import threading
import time
import typing as t
from pathlib import Path

import pytest
import requests

from tap_wolkvox.replies.exchange import OneAtATimeSession
from tap_wolkvox.sandbox.server import Fault, WolkvoxSimulator
from tests.helpers import TOKEN, Clock, TapRun, base_config, keys, run_in_process, transfer

if t.TYPE_CHECKING:
    from collections.abc import Iterator

JANUARY = {"end_date": "2025-01-31T23:59:59"}
DATA = Path(__file__).parent / "data"
ROWS = [transfer("EM1", "2025-01-02 08:15:00"), transfer("EM2", "2025-01-20 10:00:00")]
#: One header byte every 0.25 s: the head (~90 bytes) would take over 20 s.
SLOW = Fault.slow_head(0.25)


@pytest.fixture
def sim() -> Iterator[WolkvoxSimulator]:
    # A trickling handler keeps writing until it notices the hang-up; the retry must not be
    # refused as a concurrent call meanwhile (that is another test's subject).
    with WolkvoxSimulator(
        token=TOKEN, concurrency_limit=10, now=lambda: "2025-06-30 23:59:59"
    ) as simulator:
        simulator.set_rows("chat_9", ROWS)
        yield simulator


def run(sim: WolkvoxSimulator, **settings: t.Any) -> TapRun:
    config = base_config(sim, request_timeout=1, retry_wait_seconds=0.01, **JANUARY, **settings)
    return run_in_process(config, clock=Clock("2025-06-30 23:59:59"))


def gaps(sim: WolkvoxSimulator) -> list[float]:
    """Seconds between one request's arrival and the next's."""
    starts = [r.started for r in sim.requests]
    return [b - a for a, b in itertools.pairwise(starts)]


def watchdogs() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("wolkvox-deadline")]


def test_a_trickling_head_is_abandoned_at_the_request_timeout_and_retried(
    sim: WolkvoxSimulator,
) -> None:
    sim.schedule(SLOW)
    started = time.monotonic()
    done = run(sim)
    assert time.monotonic() - started < 8
    assert done.returncode == 0, done.stderr
    assert keys(done.records()) == keys(ROWS)
    assert done.summary("interaction_transfers")["retries"] == 1
    [gap] = gaps(sim)
    assert 0.9 < gap < 4  # abandoned about request_timeout after it was sent


def test_a_head_that_always_trickles_ends_the_run_with_the_kept_failing_sentence(
    sim: WolkvoxSimulator,
) -> None:
    sim.schedule(SLOW, SLOW, SLOW)
    started = time.monotonic()
    done = run(sim, max_attempts=3)
    assert time.monotonic() - started < 10
    error = done.the_error()
    assert "Report chat_9 (interaction_transfers) kept failing after 3 attempts" in error
    assert "the request timed out" in error
    assert len(sim.requests) == 3
    assert all(0.9 < gap < 4 for gap in gaps(sim))
    assert done.records() == []


def test_no_watchdog_outlives_its_exchange_and_the_slot_is_free(sim: WolkvoxSimulator) -> None:
    sim.schedule(SLOW)
    done = run(sim)
    assert done.returncode == 0, done.stderr
    assert watchdogs() == []
    # the session itself: an abandoned exchange gives its slot back, and so does a normal one
    session = OneAtATimeSession()
    url = f"{sim.url}/api/v2/reports_manager.php?api=chat_9&date_ini=20250101000000&date_end=20250131235959"
    prepared = requests.Request("GET", url, headers={"wolkvox-token": TOKEN}).prepare()
    sim.schedule(SLOW)
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.exchange(prepared, 1)
    assert watchdogs() == []
    assert session.exchange(prepared, 5).status == 200
    assert watchdogs() == []
    assert session.in_flight.slots.acquire(blocking=False)


def test_a_trickling_head_over_tls_is_abandoned_too(monkeypatch: pytest.MonkeyPatch) -> None:
    tls = (str(DATA / "sandbox-tls.crt"), str(DATA / "sandbox-tls.key"))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", tls[0])
    with WolkvoxSimulator(
        token=TOKEN, tls=tls, concurrency_limit=10, now=lambda: "2025-06-30 23:59:59"
    ) as simulator:
        simulator.set_rows("chat_9", ROWS)
        simulator.schedule(SLOW)
        done = run(simulator)
    assert done.returncode == 0, done.stderr
    assert keys(done.records()) == keys(ROWS)
    [gap] = gaps(simulator)
    assert 0.9 < gap < 4
    assert watchdogs() == []


def test_a_body_that_trickles_is_still_bounded(sim: WolkvoxSimulator) -> None:
    body = b'{"code": "200", "error": null, "msg": "1 records were found", "data": []}'
    sim.schedule(Fault.raw(200, body, trickle=5, every=0.25))
    done = run(sim)
    assert done.returncode == 0, done.stderr
    assert keys(done.records()) == keys(ROWS)
    [gap] = gaps(sim)
    assert 0.9 < gap < 4
