"""Typing Wolkvox values for the warehouse: every value arrives as a string.

Each parser takes the API's string and returns the typed value, or raises ValueError. Blank
placeholders (``""``, ``"-"``) are handled by the caller and become null. A value that arrives as
something else (a number, ``true``, a list) is read as its JSON text (:func:`json_text`).
"""

from __future__ import annotations

import re
import typing as t

import msgspec

_DURATION = re.compile(r"(-?)(\d+):([0-5]?\d):([0-5]?\d)")


def json_text(value: t.Any) -> str:
    """A decoded JSON value written back as JSON text: ``true``, ``["SKILL"]``, ``1e16``.

    Python's ``str()`` would give ``True``, ``['SKILL']`` and ``1e+16``: text no one sent.
    """
    return msgspec.json.encode(value).decode()


def parse_duration(value: str) -> int:
    """``"HH:MM:SS"`` (hours may exceed 24) as whole seconds; a bare number is seconds."""
    text = value.strip()
    match = _DURATION.fullmatch(text)
    if match:
        sign, hours, minutes, seconds = match.groups()
        total = int(hours) * 3600 + int(minutes) * 60 + int(seconds)
        return -total if sign else total
    return parse_integer(text)


def parse_integer(value: str) -> int:
    """``"12"``, ``"1,234"`` or ``"12.0"`` as an int."""
    text = value.strip().replace(",", "")
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not number.is_integer():
            raise
        return int(number)


def parse_number(value: str) -> float:
    """``"2.887"`` or ``"1,234.5"`` as a float."""
    return float(value.strip().replace(",", ""))


def parse_percent(value: str) -> float:
    """``"34.64 %"`` or ``"15,233.33 %"`` as the number of percent (34.64, 15233.33)."""
    return parse_number(value.strip().removesuffix("%"))


def parse_seconds(value: str) -> int | float:
    """An average in seconds: ``"12.5"`` (decimals kept) or ``"00:00:12"`` (12)."""
    text = value.strip()
    if ":" in text:
        return parse_duration(text)
    number = parse_number(text)
    return int(number) if number.is_integer() else number
