"""The fast path writes the bytes the SDK's path writes (issue 23; seam S10 of tap_wolkvox/sdk.py).

Each test runs the tap twice in this process against the same sandbox replies (a fresh sandbox
per run: it shuffles rows with its own seeded generator): once as a user runs it, when a reply
that fits its declaration is decoded into Structs and written in bulk (rows/typed.py), and once
with the identity stream map ``{"*": {}}``, which a user may give and which sends every stream
through the SDK's path: the dict pipeline (rows/pipeline.py), the SDK's conformance and mapper
and its RECORD writer (``Stream._write_record_message``). The RECORD and STATE lines must be the
same bytes, and the warnings the same lines. Which path wrote the rows is read from the run
summary (each report's ``fast_rows``), never from log wording.

Replies: every report as the sandbox generates it and in its vendor sample shape; every flat
report's replies at the edges (values the fast path types itself: bad timestamps and numbers,
blanks, nulls, duplicates, both spellings of a field; and rows that send their reply back to the
dict path: an undeclared key, a number, a boolean, an object or a list where text is declared,
a key with a trailing space, a NUL); envelopes as Wolkvox writes them (no code, null or empty
data, a duplicated key, a byte-order mark, PHP's escapes, a reply cut short). information.php's
tables have no fast path (their records go through the dict pipeline and seam S2 only), so
they are not compared here.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import typing as t
from dataclasses import dataclass, field

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.declarations.model import Kind, Report
from tap_wolkvox.rows.typed import CHUNK
from tap_wolkvox.sandbox.api import MSG_EMPTY
from tap_wolkvox.sandbox.generated import generated_sources, sample_shapes
from tap_wolkvox.sandbox.server import Fault, WolkvoxSimulator
from tests.helpers import (
    TOKEN,
    Clock,
    TapRun,
    base_config,
    by_spelling,
    run_in_process,
    skill_transfer,
    transfer,
)

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from tap_wolkvox.sandbox.api import ReportSource

#: A stream map that changes nothing but makes every stream take the SDK's per-record path.
SDK_PATH: dict[str, t.Any] = {"stream_maps": {"*": {}}}
NOW = "2025-02-28 23:59:59"
FIRST_DAY, LAST_DAY = dt.date(2025, 2, 1), dt.date(2025, 2, 28)
#: Every report's partition settings filled, so that no report is skipped.
READ = {
    "start_date": "2025-02-24",
    "end_date": "2025-02-25T23:59:59",
    "agent_ids": ["1201"],
    "campaign_ids": ["C1"],
    "skill_ids": ["3001"],
}
STREAMS = [r.stream for r in REPORTS]


def flat(report: Report) -> bool:
    """Whether ``report`` has a fast path at all (no nested list, no buckets: report.py)."""
    return report.buckets is None and all(f.kind is not Kind.OBJECTS for f in report.fields)


def fast_rows(run: TapRun) -> dict[str, tuple[int, int]]:
    """Each report stream's rows written on the fast path, and all its rows, in ``run``."""
    streams = run.summary()["streams"]
    return {
        r.stream: (streams[r.stream]["fast_rows"], streams[r.stream]["rows"])
        for r in REPORTS
        if r.stream in streams
    }


def lines(run: TapRun, *kinds: str) -> list[str]:
    """``run``'s Singer lines of these message types, exactly as written."""
    return [line for line in run.stdout.split("\n") if line and json.loads(line)["type"] in kinds]


def warnings(run: TapRun) -> list[str]:
    return [line for line in run.stderr.splitlines() if line.startswith("WARNING")]


def both_paths(
    serve: Callable[[WolkvoxSimulator], None], streams: list[str], **settings: t.Any
) -> dict[str, tuple[int, int]]:
    """Run ``streams`` on both paths, each against a fresh sandbox that ``serve`` sets up.

    Asserts that the RECORD and STATE lines are the same bytes, the warnings the same, and that
    the second run wrote no row on the fast path; returns the first run's :func:`fast_rows`.
    """
    runs = []
    for extra in ({}, SDK_PATH):
        with WolkvoxSimulator(token=TOKEN, now=lambda: NOW) as sim:
            serve(sim)
            config = base_config(sim, **{**READ, **settings, **extra})
            run = run_in_process(config, clock=Clock(NOW), streams=streams)
        assert run.returncode == 0, run.stderr[-3000:]
        runs.append(run)
    fast, sdk = runs
    assert lines(fast, "RECORD"), "no records: nothing compared"
    assert lines(fast, "RECORD", "STATE") == lines(sdk, "RECORD", "STATE")
    assert warnings(fast) == warnings(sdk)
    assert all(n == 0 for n, _ in fast_rows(sdk).values())  # the map: the SDK's path only
    return fast_rows(fast)


def serving(sources: Callable[[], dict[str, ReportSource]]) -> Callable[[WolkvoxSimulator], None]:
    """What has a sandbox serve ``sources()`` (built anew for each run)."""
    return lambda sim: sim.sources.update(sources())


def test_every_report_as_the_sandbox_generates_it() -> None:
    # Two partitions a report where it has any: one loop serves both (rows/pipeline.py).
    counts = both_paths(
        serving(lambda: generated_sources(REPORTS, FIRST_DAY, LAST_DAY)),
        STREAMS,
        agent_ids=["1201", "1203"],
        campaign_ids=["C1", "C2"],
        skill_ids=["3001", "3002"],
    )
    assert all(rows > 0 for _, rows in counts.values()), counts
    # Every flat report's replies fit their declaration: all their rows took the fast path.
    assert counts == {
        r.stream: (counts[r.stream][1] if flat(r) else 0, counts[r.stream][1]) for r in REPORTS
    }


def test_every_report_in_its_vendor_sample_shape() -> None:
    counts = both_paths(
        serving(lambda: generated_sources(REPORTS, FIRST_DAY, LAST_DAY, shapes="sample")), STREAMS
    )
    assert all(rows > 0 for _, rows in counts.values()), counts
    # A sample's reply fits when it spells every key as a field or one of its aliases; others
    # (chat_1's "agent_anwers " with its trailing space) take the dict path, reply by reply.
    shapes = sample_shapes()

    def fits(report: Report) -> bool:
        shape = shapes.get(report.api)
        spellings = by_spelling(report.fields)
        return flat(report) and (shape is None or all(k in spellings for k in shape.keys))

    assert counts == {
        r.stream: (counts[r.stream][1] if fits(r) else 0, counts[r.stream][1]) for r in REPORTS
    }
    assert not fits(next(r for r in REPORTS if r.api == "chat_1"))  # the case the issue names


# -- replies at the edges --------------------------------------------------------------------


#: Values the fast path types itself (text or null): they leave a reply on the fast path.
def test_a_reply_of_several_chunks() -> None:
    # The fast path writes a reply's lines a chunk at a time (rows/typed.py: CHUNK rows): a
    # reply of two chunks and a part, in one window, gives the SDK path's lines all the same.
    rows = CHUNK * 2 + 345
    transfers: list[dict[str, t.Any]] = [
        transfer(f"T{i}", f"2025-02-24 10:{i // 60 % 60:02d}:{i % 60:02d}") for i in range(rows)
    ]
    counts = both_paths(
        lambda sim: sim.set_rows("chat_9", transfers), ["interaction_transfers"], window_days=31
    )
    assert counts == {"interaction_transfers": (rows, rows)}


BAD_INSTANTS = (
    "2025-02-30 10:00:00",  # no such day
    "2025-02-24 10:61:00",  # a known hour, an unknown minute
    "2025-02-24 24:00:00",
    "0000-00-00 00:00:00",
    "24/02/2025 10:00",
    "2025-02-24T10:00:00",
    "2025-02-24 10:00:00.5",
)
BAD_NUMBERS = ("abc", "1,5", "12.0", " 7 ", "NaN", "1e3", "-0", "١٢", "01:02", "99 %", "inf")
BLANKS = ("", " ", "-", None, "\t")
ODD_TEXT = 'é "quoted" back\\slash\nnew line\ttab \u2028 \U0001f600 </script>'

#: What sends a whole reply back to the dict path: a row that does not fit its declaration.
Trigger = t.Callable[[dict[str, t.Any], Report], None]


def _text_key(row: dict[str, t.Any], report: Report) -> str:
    """A key of ``row`` holding a text field (the first key when there is none)."""
    spellings = by_spelling(report.fields)
    texts = [k for k in row if k in spellings and spellings[k].kind is Kind.TEXT]
    return (texts or list(row))[0]


def _typed_key(row: dict[str, t.Any], report: Report) -> str:
    """A key of ``row`` holding a number (the first key when there is none)."""
    spellings = by_spelling(report.fields)
    numbers = [
        k
        for k in row
        if k in spellings and spellings[k].kind not in {Kind.TEXT, Kind.INSTANT, Kind.DAY}
    ]
    return (numbers or list(row))[0]


def _renamed(row: dict[str, t.Any], key: str, new: str) -> None:
    items = [(new if k == key else k, v) for k, v in row.items()]
    row.clear()
    row.update(items)


TRIGGERS: tuple[Trigger, ...] = (
    lambda row, _: row.update({"surprise": "drift"}),  # an undeclared key
    lambda row, r: row.update({_text_key(row, r): 123}),  # a number where text is declared
    lambda row, r: row.update({_typed_key(row, r): 7}),  # a JSON number for a count
    lambda row, r: row.update({_typed_key(row, r): 2.5}),
    lambda row, r: row.update({_text_key(row, r): True}),
    lambda row, r: row.update({_text_key(row, r): {"a": "b"}}),
    lambda row, r: row.update({_text_key(row, r): ["a", "b"]}),
    lambda row, r: _renamed(row, _text_key(row, r), _text_key(row, r) + " "),  # "agent_anwers "
    lambda row, r: row.update({_text_key(row, r): "a\x00b"}),  # a NUL escape: repaired
)


def odd_rows(row: dict[str, t.Any], report: Report) -> tuple[list[t.Any], int]:
    """Rows made from ``row`` that test the edges, and how many of them become records.

    All stay on the fast path: their values are text or null, their keys declared.
    """
    spellings = by_spelling(report.fields)
    kinds = {key: spellings[key].kind for key in row if key in spellings}
    instants = copy.deepcopy(row)
    numbers = copy.deepcopy(row)
    blanks = copy.deepcopy(row)
    for index, key in enumerate(row):
        if kinds.get(key) in {Kind.INSTANT, Kind.DAY}:
            instants[key] = BAD_INSTANTS[index % len(BAD_INSTANTS)]
        elif kinds.get(key) not in {None, Kind.TEXT}:
            numbers[key] = BAD_NUMBERS[index % len(BAD_NUMBERS)]
        if index:  # (the first key keeps its value: the row is not blank)
            blanks[key] = BLANKS[index % len(BLANKS)]
    # The first key blank alone, and every value blank (all-blank rows are skipped).
    first_blank = {**row, next(iter(row)): " "}
    all_null = dict.fromkeys(row)
    all_placeholders = {key: "-" if index % 2 else "" for index, key in enumerate(row)}
    # A declared key left out, and text that JSON escapes.
    missing = dict(list(row.items())[1:])
    missing[_text_key(missing, report)] = ODD_TEXT
    rows: list[t.Any] = [
        None,
        instants,
        numbers,
        blanks,
        first_blank,
        all_null,
        missing,
        all_placeholders,
        copy.deepcopy(row),  # the same row again: numbered 2
        None,
    ]
    # Both spellings of a field: with a value each (the alias's goes to _extra_fields), the
    # field blank (the alias's value fills it), both blank.
    for f in report.fields:
        other = next((a for a in (f.name, *f.aliases) if a != f.vendor_key), None)
        if other is not None and f.vendor_key in row:
            rows += [
                {**row, other: "other spelling"},
                {**row, f.vendor_key: "", other: "9"},
                {**row, f.vendor_key: None, other: " "},
                {**row, other: "-", f.vendor_key: None},
            ]
    kept = sum(1 for r in rows if r is not None) - 2  # less all_null and all_placeholders
    return rows, kept


@dataclass
class Edges:
    """A report's rows, its replies in turn: at the edges, then not fitting, then as generated.

    The first reply adds :func:`odd_rows` (the fast path); the second adds them and a row
    ``trigger`` makes unfit (the dict path); later replies are the generated rows. It tallies
    the records each kind of reply makes.
    """

    source: ReportSource
    report: Report
    trigger: Trigger
    replies: int = 0
    fast_records: int = 0
    records: int = 0
    fitting: list[bool] = field(default_factory=list)

    def rows(self, start: str, end: str, now: str) -> list[t.Any]:
        """The rows of the range as the sandbox sends them (see the class)."""
        rows = list(self.source.rows(start, end, now))
        if not rows:
            return rows
        self.replies += 1
        kept = len(rows)
        if self.replies <= 2:
            odd, more = odd_rows(rows[0], self.report)
            rows += odd
            kept += more
        if self.replies == 2:
            unfit = copy.deepcopy(rows[0])
            self.trigger(unfit, self.report)
            rows.append(unfit)
            kept += 1
        fits = self.replies != 2
        self.fitting.append(fits)
        self.records += kept
        self.fast_records += kept if fits else 0
        return rows


def test_replies_at_the_edges_and_replies_that_fall_back() -> None:
    reports = [r for r in REPORTS if flat(r)]
    runs: list[dict[str, Edges]] = []

    def sources() -> dict[str, ReportSource]:
        generated = generated_sources(reports, FIRST_DAY, LAST_DAY)
        runs.append(
            {
                r.api: Edges(generated[r.api], r, TRIGGERS[index % len(TRIGGERS)])
                for index, r in enumerate(reports)
            }
        )
        return dict(runs[-1])

    # One window a day over three days: at the edges, unfit, as generated.
    counts = both_paths(
        serving(sources),
        [r.stream for r in reports],
        end_date="2025-02-26T23:59:59",
        window_days=1,
    )
    edges = runs[0]  # (the fast run's sandbox)
    assert all(e.fitting[:3] == [True, False, True] for e in edges.values()), {
        api: e.fitting for api, e in edges.items()
    }
    expected = {r.stream: (edges[r.api].fast_records, edges[r.api].records) for r in reports}
    assert counts == expected


# -- envelopes as Wolkvox writes them ----------------------------------------------------------


#: One reply per daily window, in turn from 2025-02-15; ``{rows}`` holds rows of that day,
#: ``{day}`` the day. (The sandbox answers the windows after these itself.)
ENVELOPES = (
    '{{"code": 200, "error": null, "msg": "2 records were found", "data": {rows}}}',
    '{{"code": "200", "msg": "no number", "data": null}}',
    '{{"code": "200", "data": []}}',
    '{{"data": {rows}}}',  # no code: success
    '{{"code": "200", "total": 1, "data": {rows}, "extra": {{"a": [1]}}}}',
    '{{"code": "404", "error": "NOT FOUND", "msg": "' + MSG_EMPTY + '"}}',
    '{{"code": "200", "data": [{{"conn_id": "OLD"}}], "data": {rows}}}',  # the last one counts
    '{{"code": "200", "data": [{{"conn_id": "A", "conn_id": "B", "date": "{day} 08:00:00"}}]}}',
    '\ufeff{{"code": "200", "data": {rows}}}',  # a byte-order mark: the dict path
    # PHP's escapes (\u00e9, \/), and spaces and newlines between tokens
    (
        '{{ "code" : "200" ,\n "data" : [ {{ "conn_id" : "EM\\u00e9" , "date" : "{day} 08:00:00" ,'
        ' "transfer_agent_name" : "Jos\\u00e9 \\/ Ana" }} ] }}\n'
    ),
    '{{"code": "200", "msg": "3 records were found", "data": {rows}}}',  # cut short: split
)


def envelope(template: str, day: dt.date) -> Fault:
    """``template`` filled with two rows of interaction_transfers on ``day``."""
    rows = [skill_transfer(f"EM{day:%d}{n}", date=f"{day} 08:1{n}:00") for n in range(2)]
    return Fault.raw(200, template.format(rows=json.dumps(rows), day=day).encode())


def test_envelopes_as_wolkvox_writes_them() -> None:
    first = dt.date(2025, 2, 15)
    replies = [envelope(e, first + dt.timedelta(days=n)) for n, e in enumerate(ENVELOPES)]
    transfers = [r for r in REPORTS if r.stream == "interaction_transfers"]

    def serve(sim: WolkvoxSimulator) -> None:
        sim.sources.update(generated_sources(transfers, FIRST_DAY, LAST_DAY))
        sim.schedule(*replies)

    counts = both_paths(
        serve,
        ["interaction_transfers"],
        start_date=f"{first}",
        end_date="2025-02-28T23:59:59",
        window_days=1,
    )
    fast, rows = counts["interaction_transfers"]
    assert 0 < fast < rows, counts  # the byte-order mark's reply took the dict path
