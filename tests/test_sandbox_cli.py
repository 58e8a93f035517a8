"""``wolkvox-sandbox --help`` says what each option does when it is not given."""

from __future__ import annotations

from tap_wolkvox.sandbox.cli import build_parser


def test_the_help_shows_every_default() -> None:
    shown = " ".join(build_parser().format_help().split())
    for default in (
        "port (0 picks a free one) (default: 8765)",
        "token the sandbox accepts (default: sandbox-token)",
        "(default: 6)",  # new interactions a minute
        "days of history (default: 60)",
        "(default: America/Bogota)",
        "(default: 60000)",  # the row cap
        "(default: unlimited)",  # the daily quota
    ):
        assert default in shown, default
