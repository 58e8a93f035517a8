"""``wolkvox-sandbox``: run the local Wolkvox simulator with a sample operation."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import typing as t
from zoneinfo import ZoneInfo

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.sandbox.api import REALTIME_PATH
from tap_wolkvox.sandbox.generated import generated_sources, sample_shaped
from tap_wolkvox.sandbox.operation import SampleOperation
from tap_wolkvox.sandbox.realtime import SampleRealtime
from tap_wolkvox.sandbox.server import WolkvoxSimulator

if t.TYPE_CHECKING:
    from tap_wolkvox.sandbox.api import Shapes


def build_parser() -> argparse.ArgumentParser:
    """The command's options."""
    parser = argparse.ArgumentParser(
        prog="wolkvox-sandbox",
        description="A local stand-in for the Wolkvox Reports Manager API, serving a sample "
        "contact-center operation. Point tap-wolkvox's api_url at it.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=8765, help="port (0 picks a free one) (default: %(default)s)"
    )
    parser.add_argument(
        "--token", default="sandbox-token", help="token the sandbox accepts (default: %(default)s)"
    )
    parser.add_argument(
        "--seed", type=int, default=7, help="seed of the sample data (default: %(default)s)"
    )
    parser.add_argument(
        "--history-days", type=int, default=60, help="days of history (default: %(default)s)"
    )
    parser.add_argument(
        "--live-per-minute",
        type=int,
        default=6,
        help="new interactions per minute from start-up on, so incremental runs find rows "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--timezone", default="America/Bogota", help="the operation's clock (default: %(default)s)"
    )
    parser.add_argument(
        "--daily-quota", type=int, default=None, help="calls allowed per day (default: unlimited)"
    )
    parser.add_argument(
        "--row-cap",
        type=int,
        default=60_000,
        help="rows after which replies are cut (default: %(default)s)",
    )
    parser.add_argument(
        "--sample-shapes",
        action="store_true",
        help="send rows as the vendor's documented sample replies spell and shape them "
        "(other spellings of some keys, such as chanel for channel; the fields a sample lacks "
        "left out; cdr_4 as one object keyed by bucket) instead of as the tap declares them",
    )
    return parser


def simulator(args: argparse.Namespace, now: dt.datetime) -> WolkvoxSimulator:
    """The simulator the options describe, its history up to the wall-clock ``now``."""
    operation = SampleOperation(
        seed=args.seed,
        history_days=args.history_days,
        live_from=now,
        live_per_minute=args.live_per_minute,
    )
    sim = WolkvoxSimulator(
        token=args.token,
        host=args.host,
        port=args.port,
        timezone=args.timezone,
        daily_quota=args.daily_quota,
        row_cap=args.row_cap,
    )
    first_day = now.date() - dt.timedelta(days=args.history_days)
    shapes: Shapes = "sample" if args.sample_shapes else "declared"
    sim.sources.update(
        generated_sources(REPORTS, first_day, now.date(), shapes=shapes, timezone=args.timezone)
    )
    transfers = next(report for report in REPORTS if report.api == "chat_9")
    sim.sources["chat_9"] = sample_shaped(operation, transfers) if args.sample_shapes else operation
    # What the operation is doing now, at the sandbox's clock: the same seed, zone and shapes.
    sim.paths[REALTIME_PATH] = SampleRealtime(seed=args.seed, timezone=args.timezone, shapes=shapes)
    return sim


def main(argv: t.Sequence[str] | None = None) -> None:
    """Run the sandbox until interrupted."""
    args = build_parser().parse_args(argv)
    now = dt.datetime.now(ZoneInfo(args.timezone)).replace(tzinfo=None, microsecond=0)
    sim = simulator(args, now)
    shapes = "sample" if args.sample_shapes else "declared"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(  # noqa: T201
        f"Wolkvox sandbox on {sim.url} (token {args.token!r}, clock {args.timezone}, "
        f"history from {now.date() - dt.timedelta(days=args.history_days)}, "
        f"{shapes} shapes)",
        flush=True,
    )
    try:
        sim.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
