"""The API's error vocabulary, classified without a server."""

from __future__ import annotations

import json
import typing as t

import pytest

from tap_wolkvox.replies.errors import (
    NotWolkvoxError,
    QuotaExhaustedError,
    RejectedRequestError,
    ReportUnavailableError,
    TokenMissingError,
    TokenRejectedError,
    WolkvoxRetriableError,
    interpret,
    url_without_query,
)


def body(code: t.Any, msg: str = "", data: t.Any = None, **extra: t.Any) -> bytes:
    payload = {"code": code, "error": None if str(code) == "200" else "ERROR", "msg": msg}
    if data is not None:
        payload["data"] = data
    payload.update(extra)
    return json.dumps(payload).encode()


ROW = {"conn_id": "1", "date": "2025-01-01 00:00:00"}


@pytest.mark.parametrize("code", [200, "200", " ", "0"])
def test_success_codes_as_int_or_string(code: t.Any) -> None:
    assert interpret(200, body(code, data=[ROW]), "chat_9").rows == [ROW]


def test_data_as_a_single_object_is_one_row() -> None:
    assert interpret(200, body("200", data=ROW), "chat_15").rows == [ROW]


def test_absent_data_is_no_rows() -> None:
    reply = interpret(200, json.dumps({"code": "200", "msg": "0 records"}).encode(), "chat_9")
    assert reply.rows == []


def test_404_is_an_empty_window() -> None:
    reply = interpret(404, body(404, "Validate dates entered"), "chat_9")
    assert reply.empty_window
    assert reply.rows == []


@pytest.mark.parametrize(
    "page",
    [
        b"<html><head><title>404 Not Found</title></head><body>nginx</body></html>",
        b"",
        b"Not Found",
        b'{"detail": "Not Found"}',
        b"[]",
    ],
    ids=["html", "empty", "text", "foreign-json", "list"],
)
def test_a_404_that_is_not_wolkvox_json_is_a_failure_naming_the_url(page: bytes) -> None:
    with pytest.raises(NotWolkvoxError) as failure:
        interpret(404, page, "chat_9", "https://proxy.example.com/api/v2/reports_manager.php")
    message = str(failure.value)
    assert "https://proxy.example.com/api/v2/reports_manager.php answered 404" in message
    assert "No bookmark was moved" in message


def test_a_404_envelope_is_an_empty_window_only_when_it_says_no_records() -> None:
    # Only Wolkvox's own answer is "no rows" (see tests/test_envelope.py for the whole rule).
    assert interpret(
        404, json.dumps({"code": "404", "msg": "Validate dates entered"}).encode(), "x"
    ).empty_window
    for other in ({"code": "404", "msg": "Sin datos"}, {"error": "NOT FOUND"}):
        with pytest.raises(NotWolkvoxError):
            interpret(404, json.dumps(other).encode(), "x")


def test_the_url_in_messages_drops_query_and_credentials() -> None:
    assert (
        url_without_query("https://user:pw@wv0048.wolkvox.com:8443/api/v2/r.php?api=chat_9&x=1")
        == "https://wv0048.wolkvox.com:8443/api/v2/r.php"
    )


def test_404_code_inside_a_200_is_an_empty_window() -> None:
    assert interpret(200, body("404", "Validate dates entered"), "chat_9").empty_window


@pytest.mark.parametrize(
    ("status", "payload"),
    [
        (500, body(500, "Internal")),
        (502, b"<html>Bad gateway</html>"),
        (503, b""),
        (429, body(429, "Too many requests")),
        (403, body(403, "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)")),
        (403, b"<html><body>403 Forbidden</body></html>"),  # maintenance
        (200, b'{"code":"200","data":[{"conn_id":'),  # truncated JSON
        (200, b"not json at all"),
        (200, b"\xff\xfe garbage"),
        (200, body("500", "INTERNAL ERROR")),  # error code inside a 200
        (200, body(500, "INTERNAL ERROR")),
        (200, json.dumps({"code": "200", "data": "oops"}).encode()),
        (200, json.dumps([1, 2]).encode()),
    ],
)
def test_transient_failures_are_retriable(status: int, payload: bytes) -> None:
    with pytest.raises(WolkvoxRetriableError):
        interpret(status, payload, "chat_9")


def test_401_means_no_token() -> None:
    with pytest.raises(TokenMissingError, match="no token"):
        interpret(401, body(401, "PLEASE ENTER THE WOLKVOX-TOKEN"), "chat_9")


def test_403_validate_token_means_rejected_token() -> None:
    with pytest.raises(TokenRejectedError, match="token was rejected"):
        interpret(403, body(403, "PLEASE VALIDATE TOKEN"), "chat_9")


def test_403_token_limit_means_daily_quota_and_names_the_resume_point() -> None:
    with pytest.raises(QuotaExhaustedError) as caught:
        interpret(403, body("403", "TOKEN LIMIT EXCEEDED"), "chat_9")
    message = str(caught.value)
    assert "daily quota" in message
    assert "STATE already emitted is a valid resume point" in message


def test_quota_code_inside_a_200_is_still_the_quota() -> None:
    with pytest.raises(QuotaExhaustedError):
        interpret(200, body("403", "TOKEN LIMIT EXCEEDED"), "chat_9")


def test_400_unknown_api_names_the_report() -> None:
    with pytest.raises(ReportUnavailableError, match="chat_7") as caught:
        interpret(400, body(400, "THE API YOU WANT TO CONSULT DOES NOT EXIST"), "chat_7")
    assert caught.value.report == "chat_7"


@pytest.mark.parametrize(
    ("status", "payload", "shown"),
    [
        (400, body(400, "SOME PARAMETERS ARE REQUIRED"), "SOME PARAMETERS ARE REQUIRED"),
        (416, body(416, "REQUESTED RANGE NOT SATISFIABLE"), "REQUESTED RANGE NOT SATISFIABLE"),
        (405, b"Method Not Allowed", "Method Not Allowed"),
    ],
)
def test_other_4xx_stop_with_the_server_message(status: int, payload: bytes, shown: str) -> None:
    with pytest.raises(RejectedRequestError, match=shown):
        interpret(status, payload, "chat_9")
