"""Typing Wolkvox's string values."""

from __future__ import annotations

import pytest

from tap_wolkvox.rows.values import parse_duration, parse_integer, parse_number, parse_percent


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("00:00:00", 0),
        ("00:14:47", 887),
        ("02:02:47", 7367),
        ("125:00:01", 450001),
        ("90", 90),
        ("-00:00:05", -5),
    ],
)
def test_durations_become_seconds(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "number"),
    [("34.64 %", 34.64), ("15,233.33 %", 15233.33), ("0 %", 0.0), ("28.81%", 28.81)],
)
def test_percentages_become_numbers(text: str, number: float) -> None:
    assert parse_percent(text) == pytest.approx(number)


@pytest.mark.parametrize(("text", "value"), [("12", 12), ("1,234", 1234), ("7.0", 7)])
def test_counts_become_integers(text: str, value: int) -> None:
    assert parse_integer(text) == value


def test_decimals_become_numbers() -> None:
    assert parse_number("2.887") == pytest.approx(2.887)


@pytest.mark.parametrize(
    ("parser", "text"),
    [
        (parse_duration, "1h 2m"),
        (parse_integer, "7.5"),
        (parse_integer, "many"),
        (parse_percent, "n/a"),
        (parse_duration, "00:99:00"),
    ],
)
def test_unreadable_values_raise(parser: object, text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        parser(text)  # type: ignore[operator]


def test_an_average_in_seconds_keeps_its_decimals_and_reads_a_clock_too() -> None:
    from tap_wolkvox.rows.values import parse_seconds

    assert parse_seconds("12.5") == 12.5
    assert parse_seconds("12") == 12
    assert parse_seconds("00:01:05") == 65
