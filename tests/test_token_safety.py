"""The token: invisible characters around it are dropped, and it never reaches a message.

A token pasted from a web page or a file saved by Windows' Notepad may start with a byte-order
mark or a zero-width space; surrounding whitespace is already dropped, and these are no more
part of a token. A token that still cannot travel in an HTTP header stops the run with one
sentence that does not quote it. A server's error text that echoes the token back (a 403 whose
message holds it, a 500 page quoting the request headers) is shown with the token redacted.
"""

from __future__ import annotations

import json

import pytest

from tap_wolkvox.sandbox.server import Fault, WolkvoxSimulator
from tests.helpers import TOKEN, TapRun, TapRunner, base_config, transfer

JANUARY = {"end_date": "2025-01-31T23:59:59"}


def leaks(run: TapRun, secret: str = TOKEN) -> bool:
    return secret in run.stdout + run.stderr


@pytest.mark.parametrize(
    "token",
    [
        f"\ufeff{TOKEN}",
        f"\u200b{TOKEN}",
        f"{TOKEN}\u200c",
        f"\u200d{TOKEN}\u2060",
        f"\ufeff \u200b{TOKEN} \u200b\r\n",
    ],
    ids=["bom", "zero-width-space", "zwnj-after", "zwj-and-word-joiner", "mixed-with-spaces"],
)
def test_invisible_characters_around_the_token_are_dropped(
    simulator: WolkvoxSimulator, run_tap: TapRunner, token: str
) -> None:
    simulator.set_rows("chat_9", [transfer("EM1", "2025-01-02 08:15:00")])
    run = run_tap(base_config(simulator, token=token, **JANUARY))
    assert run.returncode == 0, run.stderr
    assert [r["conn_id"] for r in run.records()] == ["EM1"]
    assert all(r.token_sent for r in simulator.requests)


@pytest.mark.parametrize(
    ("token", "secret_part"),
    [
        ("abc\u20acdef-secret-part", "def-secret-part"),  # outside Latin-1
        ("abc\u200bdef-secret-part", "def-secret-part"),  # invisible, but inside
        ("abc\x07def-secret-part", "def-secret-part"),  # a control character
        ("abc\ndef-secret-part", "def-secret-part"),
        ("\ufeff\u200b", ""),  # nothing left
    ],
    ids=["euro", "inner-zero-width", "bell", "line-break", "only-invisible"],
)
def test_a_token_that_cannot_be_a_header_stops_with_one_sentence_that_never_quotes_it(
    simulator: WolkvoxSimulator, run_tap: TapRunner, token: str, secret_part: str
) -> None:
    run = run_tap(base_config(simulator, token=token, **JANUARY))
    assert run.returncode == 1
    errors = [line for line in run.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, run.stderr
    assert "token" in errors[0]
    assert "Traceback" not in run.stderr
    if secret_part:
        assert not leaks(run, secret_part)
        assert not leaks(run, "abc")
    assert simulator.requests == []


def echo(status: int, text: str) -> Fault:
    return Fault.raw(status, json.dumps({"code": status, "error": "ERROR", "msg": text}).encode())


HEADERS_PAGE = (
    "<html><body><h1>500 Internal Server Error</h1><pre>GET /api/v2/reports_manager.php\n"
    f"wolkvox-token: {TOKEN}\nAccept: */*</pre></body></html>"
).encode()


@pytest.mark.parametrize(
    ("faults", "outcome"),
    [
        ([echo(400, f"SOME PARAMETERS ARE REQUIRED (token {TOKEN})")], "stops"),
        ([echo(403, f"Forbidden for {TOKEN}")], "retried"),
        ([Fault.raw(500, HEADERS_PAGE, {"Content-Type": "text/html"})] * 2, "gives up"),
        ([echo(404, f"No route for token {TOKEN}")], "stops"),
        ([Fault.raw(404, HEADERS_PAGE, {"Content-Type": "text/html"})], "stops"),
        ([echo(429, f"Too many requests for {TOKEN}")] * 2, "gives up"),
    ],
    ids=["400", "403-maintenance", "500-page", "404-json", "404-page", "429"],
)
def test_a_server_echoing_the_token_never_gets_it_printed(
    simulator: WolkvoxSimulator, run_tap: TapRunner, faults: list[Fault], outcome: str
) -> None:
    simulator.set_rows("chat_9", [transfer("EM1", "2025-01-02 08:15:00")])
    simulator.schedule(*faults)
    run = run_tap(base_config(simulator, max_attempts=2, **JANUARY))
    assert not leaks(run), run.stderr
    assert "Traceback" not in run.stderr
    if outcome == "retried":
        assert run.returncode == 0, run.stderr
        assert "attempt 1 of 2 failed (403 Forbidden for *** (server maintenance?))" in run.stderr
    elif outcome == "gives up":
        assert "kept failing after 2 attempts" in run.the_error()
        assert "***" in run.stderr
    else:
        run.the_error()
