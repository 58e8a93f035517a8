"""Hardening: redirects, secrets in headers, clocks that jump or change, replies that trickle.

The daylight-saving and time-zone tests drive the sandbox's and the tap's clocks together and
run the tap in this process (see ``Clock`` and ``run_in_process`` in conftest).
"""

from __future__ import annotations

import datetime as dt
import random
import time
import typing as t
from zoneinfo import ZoneInfo

import pytest

from tap_wolkvox.sandbox.server import Fault, StaticRows, WolkvoxSimulator
from tests.helpers import (
    TOKEN,
    Clock,
    TapRunner,
    base_config,
    keys,
    run_in_process,
    spread,
    transfer,
)

STAMP = "%Y-%m-%d %H:%M:%S"
Q1 = (dt.datetime(2025, 1, 1), dt.datetime(2025, 3, 31, 23, 59, 59))

# -- security -----------------------------------------------------------------------------------


def test_a_redirect_is_not_followed_and_the_token_stays_home(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", spread(50, *Q1))
    with WolkvoxSimulator(token=TOKEN) as elsewhere:
        port = elsewhere.url.rsplit(":", 1)[1]
        location = f"http://localhost:{port}/api/v2/reports_manager.php?api=chat_9"
        simulator.schedule(Fault.redirect(location), after=1)
        started = time.monotonic()
        run = run_tap(base_config(simulator), timeout=60)
        assert time.monotonic() - started < 30  # no hang
        assert elsewhere.requests == []  # the token never went to the other host
    error = run.the_error()
    assert "answered 302 redirecting to localhost" in error
    assert "does not follow redirects" in error
    # the first window's STATE stays a valid resume point
    assert run.final_state["bookmarks"]["interaction_transfers"]["replication_key_value"] == (
        "2025-02-01T05:00:00+00:00"
    )


def test_a_token_read_with_a_trailing_newline_works(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", [transfer("EM1", "2025-01-02 08:15:00")])
    run = run_tap(base_config(simulator, token=f"  {TOKEN}\n"))
    assert run.returncode == 0, run.stderr
    assert len(run.records()) == 1


def test_a_token_that_cannot_be_a_header_is_never_printed(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    secret = "abc\ndef-secret-part"  # noqa: S105
    run = run_tap(base_config(simulator, token=secret))
    assert run.returncode == 1
    assert "cannot be sent in the wolkvox-token header" in run.stderr
    assert "def-secret-part" not in run.stderr + run.stdout
    assert "Traceback" not in run.stderr
    assert simulator.requests == []


def test_a_reply_that_trickles_is_cut_at_the_request_timeout_and_retried(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    rows = spread(20, *Q1)
    simulator.set_rows("chat_9", rows)
    body = b'{"code": "200", "error": null, "msg": "1 records were found", "data": []}'
    # 10 bytes every 0.4 s: each read is quick, the whole reply would take ~3 s.
    simulator.schedule(Fault.raw(200, body, trickle=10, every=0.4))
    started = time.monotonic()
    # (the retry waits for the server to notice the hang-up, as Wolkvox counts a call in flight)
    run = run_tap(base_config(simulator, request_timeout=1, retry_wait_seconds=2))
    assert run.returncode == 0, run.stderr
    assert time.monotonic() - started < 15
    assert "the request timed out" in run.stderr
    assert keys(run.records()) == keys(rows)


# -- daylight saving ----------------------------------------------------------------------------


class WallStampedRows(StaticRows):
    """Rows stamped with the wall clock, visible once their true instant has passed.

    Filtering on "now" as a wall-clock string would serve, during the first pass of a
    repeated hour, rows of the second pass that have not happened yet.
    """

    def __init__(self, zone: str, instants: list[dt.datetime], clock: Clock) -> None:
        tz = ZoneInfo(zone)
        rows = [
            transfer(f"DST{i:04d}", instant.astimezone(tz).strftime(STAMP))
            for i, instant in enumerate(instants)
        ]
        super().__init__(rows)
        self.instants = instants
        self.clock = clock

    def rows(self, start: str, end: str, now: str) -> list[dict[str, t.Any]]:
        return [
            row
            for row, instant in zip(self.data, self.instants, strict=True)
            if start <= row["date"] <= end and instant <= self.clock.utc
        ]


def instants_around(transition_utc: dt.datetime, count: int) -> list[dt.datetime]:
    """``count`` random instants within 3 hours of a transition."""
    rng = random.Random(transition_utc.toordinal())
    return [
        transition_utc + dt.timedelta(seconds=rng.randint(-3 * 3600, 3 * 3600))
        for _ in range(count)
    ]


TRANSITIONS = {
    "new-york-fall-back": ("America/New_York", dt.datetime(2025, 11, 2, 6, tzinfo=dt.timezone.utc)),
    "new-york-spring-forward": (
        "America/New_York",
        dt.datetime(2025, 3, 9, 7, tzinfo=dt.timezone.utc),
    ),
    "santiago-fall-back": ("America/Santiago", dt.datetime(2025, 4, 6, 3, tzinfo=dt.timezone.utc)),
    "santiago-spring-forward": (
        "America/Santiago",
        dt.datetime(2025, 9, 7, 4, tzinfo=dt.timezone.utc),
    ),
}


@pytest.mark.e2e  # a day of five-minute polls per zone: about 10 s each
@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_polling_across_a_daylight_saving_change_loses_no_row(name: str) -> None:
    zone, transition = TRANSITIONS[name]
    clock = Clock("2000-01-01 00:00:00", zone)
    clock.utc = transition - dt.timedelta(hours=3, minutes=5)
    source = WallStampedRows(zone, instants_around(transition, 400), clock)
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now, timezone=zone) as sim:
        sim.sources["chat_9"] = source
        start = (transition - dt.timedelta(hours=3, minutes=10)).isoformat()
        config = base_config(sim, start_date=start, timezone=zone)
        del config["end_date"]
        state: dict[str, t.Any] | None = None
        emitted: set[str] = set()
        while clock.utc < transition + dt.timedelta(hours=3, minutes=30):
            clock.advance(minutes=5)
            run = run_in_process(config, state, clock=clock)
            assert run.returncode == 0, run.stderr
            emitted |= {r["conn_id"] for r in run.records()}
            state = run.final_state
            marks = [
                s["bookmarks"]["interaction_transfers"].get("replication_key_value")
                for s in run.states()
            ]
            assert [m for m in marks if m] == sorted(m for m in marks if m)
    assert emitted == {r["conn_id"] for r in source.data}


def test_the_repeated_hour_costs_no_extra_call() -> None:
    zone, transition = TRANSITIONS["new-york-fall-back"]
    clock = Clock("2000-01-01 00:00:00", zone)
    clock.utc = transition - dt.timedelta(minutes=30)
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now, timezone=zone) as sim:
        sim.sources["chat_9"] = WallStampedRows(zone, instants_around(transition, 100), clock)
        config = base_config(sim, start_date=clock.utc.isoformat(), timezone=zone)
        del config["end_date"]
        state = None
        for _ in range(18):
            clock.advance(minutes=5)
            before = len(sim.requests)
            run = run_in_process(config, state, clock=clock)
            state = run.final_state
            assert len(sim.requests) - before <= 1


# -- the timezone setting changes -----------------------------------------------------------------


def test_changing_the_timezone_between_runs_skips_no_hour() -> None:
    clock = Clock("2025-03-10 12:00:00")  # Bogotá
    rows = spread(300, dt.datetime(2025, 3, 10, 8), dt.datetime(2025, 3, 10, 16, 59, 59), seed=31)
    with WolkvoxSimulator(token=TOKEN, now=clock.sandbox_now) as sim:
        sim.set_rows("chat_9", rows)
        config = base_config(sim, start_date="2025-03-10T08:00:00")
        del config["end_date"]
        first = run_in_process(config, clock=clock)
        assert first.returncode == 0, first.stderr
        assert first.final_state["bookmarks"]["interaction_transfers"]["timezone"] == (
            "America/Bogota"
        )
        # The user "fixes" the zone to UTC; Wolkvox's clock is still Bogotá's.
        clock.advance(hours=5)
        second = run_in_process({**config, "timezone": "UTC"}, first.final_state, clock=clock)
        assert second.returncode == 0, second.stderr
        assert "the bookmark was written with timezone America/Bogota" in second.stderr
        # resumed from the earlier reading: the Bogotá wall clock of the bookmark
        assert sim.requests[-1].params["date_ini"] == "20250310114500"
    got = {r["conn_id"] for r in first.records() + second.records()}
    assert got == {r["conn_id"] for r in rows}
