"""What a reply's envelope means: only Wolkvox's own "no records" 404 is an empty window.

A 404 comes from Wolkvox when a window has no rows ("Validate dates entered"), but also from
any proxy or framework in front of it; read as "no rows", those would move bookmarks past
data for good. A 200 whose envelope has no ``code`` at all is a success (README).
"""

from __future__ import annotations

import io
import json
import typing as t

import pytest

from tap_wolkvox.replies.errors import (
    NotWolkvoxError,
    QuotaExhaustedError,
    TokenMissingError,
    TokenRejectedError,
    WolkvoxRetriableError,
    interpret,
    interpret_spilled,
)
from tap_wolkvox.sandbox.api import MSG_EMPTY
from tap_wolkvox.sandbox.server import Fault, WolkvoxSimulator
from tests.helpers import TapRunner, base_config, transfer

URL = "https://wv0048.wolkvox.com/api/v2/reports_manager.php"
JANUARY = {"end_date": "2025-01-31T23:59:59"}


def dumps(payload: t.Any) -> bytes:
    return json.dumps(payload).encode()


def interpret_both(status: int, body: bytes) -> list[t.Any]:
    """What the in-memory and the spilled path make of one reply (a reply, or the error)."""
    outcomes: list[t.Any] = []
    for spilled in (False, True):
        try:
            reply = (
                interpret_spilled(status, io.BytesIO(body), "chat_9", URL)
                if spilled
                else interpret(status, body, "chat_9", URL)
            )
        except Exception as exc:  # noqa: BLE001, PERF203 - the outcome is compared
            outcomes.append(type(exc))
        else:
            outcomes.append("empty" if reply.empty_window else list(reply.each_row()))
    return outcomes


# -- the rule, without a server ---------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {"code": 404, "error": "NOT FOUND", "msg": "Validate dates entered"},  # the sandbox's
        {"code": "404", "error": "NOT FOUND", "msg": "Validate dates entered"},
        {"code": 404.0, "msg": " validate dates entered. "},
        {"code": "404", "error": None, "msg": "Validate dates entered", "data": []},
        {"code": 404, "error": "NOT FOUND", "msg": "0 records were found"},
    ],
    ids=["int", "text", "float-spaced", "with-data", "zero-records"],
)
def test_wolkvox_no_records_answer_is_an_empty_window(payload: dict[str, t.Any]) -> None:
    assert interpret_both(404, dumps(payload)) == ["empty", "empty"]
    # the same envelope inside a 200
    assert interpret_both(200, dumps(payload)) == ["empty", "empty"]


@pytest.mark.parametrize(
    "body",
    [
        dumps(
            {
                "timestamp": "2025-01-02T08:00:00Z",
                "status": 404,
                "error": "Not Found",
                "path": "/api",
            }
        ),
        dumps({"error": "Not Found"}),
        dumps({"code": 5, "message": "Not Found"}),
        dumps({"code": 404, "msg": "Not Found"}),  # an envelope, but not the no-records answer
        dumps({"code": 404, "error": "NOT FOUND"}),  # no msg
        dumps({"msg": "Validate dates entered"}),  # no code
        dumps({"code": 404, "msg": "Validate dates entered", "path": "/api"}),  # a foreign key
        dumps({"code": 200, "msg": "Validate dates entered"}),  # not a 404 code
        dumps({"code": 404, "msg": ["Validate dates entered"]}),
        b"<html><body><h1>404 Not Found</h1></body></html>",
        b"",
    ],
    ids=[
        "spring",
        "error-only",
        "grpc-style",
        "not-found-msg",
        "no-msg",
        "no-code",
        "foreign-key",
        "code-200",
        "msg-list",
        "html",
        "empty",
    ],
)
def test_any_other_404_stops_the_run(body: bytes) -> None:
    assert interpret_both(404, body) == [NotWolkvoxError, NotWolkvoxError]


@pytest.mark.parametrize(
    "body",
    [
        dumps({"code": 404, "msg": "Not Found"}),
        dumps({"code": "404", "error": "NOT FOUND", "msg": "Sin datos"}),
    ],
)
def test_an_inner_404_code_that_is_not_the_no_records_answer_stops_the_run(body: bytes) -> None:
    assert interpret_both(200, body) == [NotWolkvoxError, NotWolkvoxError]


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"code": 403, "msg": "TOKEN LIMIT EXCEEDED"}, QuotaExhaustedError),
        ({"code": "403", "error": "FORBIDDEN", "msg": "PLEASE VALIDATE TOKEN"}, TokenRejectedError),
        ({"code": 401, "msg": "PLEASE ENTER THE WOLKVOX-TOKEN"}, TokenMissingError),
        (
            {"code": 403, "msg": "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)"},
            WolkvoxRetriableError,
        ),
        ({"code": 403, "error": "FORBIDDEN", "msg": "Forbidden"}, WolkvoxRetriableError),
        ({"code": 404, "msg": "TOKEN LIMIT EXCEEDED"}, QuotaExhaustedError),
    ],
    ids=["quota", "bad-token", "no-token", "concurrency", "maintenance", "quota-message"],
)
def test_a_404_whose_envelope_means_token_or_quota_takes_that_path(
    payload: dict[str, t.Any], error: type[Exception]
) -> None:
    assert interpret_both(404, dumps(payload)) == [error, error]
    assert interpret_both(200, dumps(payload)) == [error, error]


def test_a_foreign_404_names_the_url_and_what_it_said_in_one_sentence() -> None:
    with pytest.raises(NotWolkvoxError) as failure:
        interpret(404, dumps({"code": 5, "message": "Route not found"}), "chat_9", URL)
    message = str(failure.value)
    assert f"{URL} answered 404" in message
    assert "Route not found" in message
    assert "No bookmark was moved" in message
    assert "\n" not in message


def test_a_200_data_list_that_is_empty_stays_an_empty_reply() -> None:
    # agent_13_1's documentation: data is [] when nothing matches.
    body = dumps({"code": "200", "error": None, "msg": "0 records were found", "data": []})
    assert interpret_both(200, body) == [[], []]


@pytest.mark.parametrize(
    "payload",
    [
        {"msg": "1 records were found", "data": [{"conn_id": "EM1"}]},
        {"error": None, "msg": "1 records were found", "data": [{"conn_id": "EM1"}]},
        {"data": [{"conn_id": "EM1"}]},
    ],
    ids=["msg-data", "error-msg-data", "data-only"],
)
def test_a_200_without_code_is_a_success(payload: dict[str, t.Any]) -> None:
    assert interpret_both(200, dumps(payload)) == [[{"conn_id": "EM1"}]] * 2


def test_the_sandbox_empty_window_is_wolkvox_no_records_answer(
    simulator: WolkvoxSimulator,
) -> None:
    status, body = simulator.error(404, "NOT FOUND", MSG_EMPTY)
    assert interpret(status, dumps(body), "chat_9").empty_window


# -- end to end --------------------------------------------------------------------------------


def bookmarks(run: t.Any) -> list[str]:
    return [
        s["bookmarks"]["interaction_transfers"]["replication_key_value"]
        for s in run.states()
        if "replication_key_value" in s.get("bookmarks", {}).get("interaction_transfers", {})
    ]


@pytest.mark.parametrize(
    "body",
    [
        dumps(
            {"timestamp": "2025-02-01T08:00:00Z", "status": 404, "error": "Not Found", "path": "/x"}
        ),
        dumps({"error": "Not Found"}),
        dumps({"code": 5, "message": "Not Found"}),
    ],
    ids=["spring", "error-only", "grpc-style"],
)
def test_a_foreign_json_404_mid_run_stops_and_moves_no_bookmark_past_it(
    simulator: WolkvoxSimulator, run_tap: TapRunner, body: bytes
) -> None:
    simulator.set_rows(
        "chat_9",
        [transfer("EM1", "2025-01-02 08:15:00"), transfer("EM2", "2025-02-10 08:15:00")],
    )
    simulator.schedule(Fault.raw(404, body), after=1)  # the second window
    run = run_tap(base_config(simulator))
    error = run.the_error()
    assert "answered 404" in error
    assert [r["conn_id"] for r in run.records()] == ["EM1"]
    assert bookmarks(run)[-1] == "2025-02-01T05:00:00+00:00"  # the first window only


def test_a_quota_answer_sent_as_404_stops_as_quota_exhausted(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    simulator.set_rows("chat_9", [transfer("EM1", "2025-01-02 08:15:00")])
    simulator.schedule(Fault.raw(404, dumps({"code": 403, "msg": "TOKEN LIMIT EXCEEDED"})))
    run = run_tap(base_config(simulator, **JANUARY))
    assert "TOKEN LIMIT EXCEEDED: this token's daily quota" in run.the_error()
    assert len(simulator.requests) == 1
    assert bookmarks(run) == []


def test_a_200_without_code_is_read_end_to_end(
    simulator: WolkvoxSimulator, run_tap: TapRunner
) -> None:
    rows = [transfer("EM1", "2025-01-02 08:15:00")]
    simulator.schedule(Fault.raw(200, dumps({"msg": "1 records were found", "data": rows})))
    run = run_tap(base_config(simulator, **JANUARY))
    assert run.returncode == 0, run.stderr
    assert [r["conn_id"] for r in run.records()] == ["EM1"]
    assert len(simulator.requests) == 1
