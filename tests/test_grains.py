"""The grains on their own: how each plans a run, resumes, cuts, bookmarks and completes a record.

No stream, no server: a grain is given settings and windows and answers.
"""

from __future__ import annotations

import datetime as dt
import logging
import typing as t

import pytest

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.declarations.model import REPORT_DATE
from tap_wolkvox.replies.errors import WolkvoxError
from tap_wolkvox.settings import OperationSettings, read_settings
from tap_wolkvox.streams.grains import DailyGrain, EventGrain
from tap_wolkvox.time.margin import STATE_KEY
from tap_wolkvox.time.timestamps import OperationClock, load_timezone
from tap_wolkvox.time.windows import Window

NOW = dt.datetime(2025, 6, 30, 17, 0, tzinfo=dt.timezone.utc)  # 12:00 in Bogotá
BY_API = {report.api: report for report in REPORTS}
LOGGER = logging.getLogger("test_grains")


def settings(**config: t.Any) -> OperationSettings:
    base = {"token": "x", "api_url": "http://127.0.0.1:1", "start_date": "2025-06-01"}
    return read_settings({**base, **config}, lambda: NOW)


def event(api: str = "chat_9", **config: t.Any) -> EventGrain:
    read = settings(**config)
    return EventGrain(BY_API[api], lambda: read, LOGGER)


def daily(api: str = "agent_1", **config: t.Any) -> DailyGrain:
    read = settings(**config)
    return DailyGrain(BY_API[api], lambda: read)


def wall(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_an_event_walk_is_sized_by_window_days_and_ends_at_the_stop() -> None:
    walk = event(window_days=7).plan(wall("2025-06-01 00:00:00"), wall("2025-06-20 12:00:00"))
    assert walk.current == Window(wall("2025-06-01 00:00:00"), wall("2025-06-07 23:59:59"))
    assert walk.minimum_windows() == 3


def test_an_event_run_resumes_at_the_bookmark_less_the_look_back() -> None:
    grain = event(lookback_minutes=30)
    clock = settings().clock
    assert grain.resume_from("2025-06-30T15:00:00+00:00", clock) == wall("2025-06-30 09:30:00")


def test_after_a_timezone_change_the_earlier_wall_clock_reading_wins() -> None:
    utc = OperationClock(load_timezone("UTC"))
    # 15:00 UTC is 10:00 in Bogotá: from the zone it was written in, 15:00 reads later.
    assert event().resume_from("2025-06-30T15:00:00+00:00", utc) == wall("2025-06-30 10:00:00")


def test_an_event_bookmark_never_passes_the_settled_instant() -> None:
    grain = event()
    state: dict[str, t.Any] = {}
    grain.begin(state, wall("2025-06-30 00:00:00"))
    window = Window(wall("2025-06-30 00:00:00"), wall("2025-06-30 12:00:00"))
    # Asked at 16:59:30 UTC with the default 15-minute margin: settled at 16:44 UTC.
    sent_at = NOW - dt.timedelta(seconds=30)
    assert grain.window_read(window, sent_at, state, last=True) == "2025-06-30T16:44:00+00:00"
    # A window that ended long before is bookmarked at its end.
    early = Window(wall("2025-06-29 00:00:00"), wall("2025-06-29 23:59:59"))
    assert grain.window_read(early, sent_at, state, last=False) == "2025-06-30T05:00:00+00:00"


def test_an_event_grain_keeps_the_margins_summary_for_the_next_run() -> None:
    grain = event()
    state: dict[str, t.Any] = {}
    grain.begin(state, wall("2025-06-30 11:00:00"))
    window = Window(wall("2025-06-30 11:00:00"), wall("2025-06-30 12:00:00"))
    grain.completion_for(window).complete({"date": "2025-06-30T16:50:10+00:00"})
    state["replication_key_value"] = grain.window_read(window, NOW, state, last=True)
    grain.note_progress(state, NOW, last=True)
    summary = state[STATE_KEY]
    assert summary["from"] == "2025-06-30T16:45:00+00:00"
    assert sum(summary["rows_per_minute"]) == 1


def test_a_nested_timestamp_is_derived_as_the_earliest_of_the_nested_ones() -> None:
    grain = event("chat_2")
    record: dict[str, t.Any] = {
        "conversation": [
            {"date": "2025-06-30T16:05:00+00:00"},
            {"date": "2025-06-30T16:01:00+00:00"},
        ]
    }
    grain.completion_for(Window(wall("2025-06-30 00:00:00"), wall("2025-06-30 12:00:00"))).complete(
        record
    )
    assert record["date"] == "2025-06-30T16:01:00+00:00"


def test_a_cut_event_window_is_split_and_said() -> None:
    said: list[str] = []
    window = Window(wall("2025-06-30 00:00:00"), wall("2025-06-30 12:00:00"))
    event().on_cut(lambda msg, *args: said.append(msg % args), window, "returned 60000 rows")
    assert said == [f"interaction_transfers: window {window} returned 60000 rows; splitting it"]


def test_a_daily_walk_reads_one_local_day_per_request() -> None:
    walk = daily().plan(wall("2025-06-28 09:00:00"), wall("2025-06-30 12:00:00"))
    assert walk.current == Window(wall("2025-06-28 00:00:00"), wall("2025-06-28 23:59:59"))
    assert walk.minimum_windows() == 3


def test_a_daily_bookmark_stays_on_the_first_day_still_changing() -> None:
    grain = daily()
    grain.begin({}, wall("2025-06-29 00:00:00"))
    days = [wall("2025-06-29 00:00:00"), wall("2025-06-30 00:00:00")]
    bookmarks = [
        grain.window_read(Window(d, d + dt.timedelta(days=1, seconds=-1)), NOW, {}, last=False)
        for d in days
    ]
    # Yesterday is complete; today is not, and stays the bookmark.
    assert bookmarks == ["2025-06-30", "2025-06-30"]


def test_a_daily_run_resumes_at_its_bookmarks_day_or_earlier_with_a_look_back() -> None:
    clock = settings().clock
    assert daily().resume_from("2025-06-30", clock) == wall("2025-06-30 00:00:00")
    assert daily(lookback_minutes=60).resume_from("2025-06-30", clock) == wall(
        "2025-06-29 00:00:00"
    )


def test_a_daily_record_is_stamped_with_its_day() -> None:
    record: dict[str, t.Any] = {}
    daily().completion_for(
        Window(wall("2025-06-29 00:00:00"), wall("2025-06-29 23:59:59"))
    ).complete(record)
    assert record == {REPORT_DATE: "2025-06-29"}


def test_a_cut_day_stops_the_run() -> None:
    window = Window(wall("2025-06-29 00:00:00"), wall("2025-06-29 23:59:59"))
    with pytest.raises(WolkvoxError, match=r"for the single day 2025-06-29"):
        daily().on_cut(lambda *_: None, window, "returned 60000 rows, the per-request cap")
