"""The tap's settings: their JSON Schema (what ``--about`` prints) and their meaning once read."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import typing as t
from dataclasses import dataclass
from urllib.parse import urlsplit

from singer_sdk import typing as th

from tap_wolkvox.timestamps import InvalidTimezoneError, OperationClock, load_timezone
from tap_wolkvox.windows import MAX_SPAN_DAYS

DEFAULT_TIMEZONE = "America/Bogota"
DEFAULT_ROW_CAP = 60_000
#: Rows Wolkvox publishes after the instant they carry (see README, "Late rows").
DEFAULT_SETTLE_MINUTES = 15
MAX_SETTLE_MINUTES = 60 * 24


def _id_list(name: str, title: str, subject: str, column: str) -> th.Property[t.Any]:
    """A list of IDs a family of reports is read for, ``["all"]`` by default."""
    return th.Property(
        name,
        th.ArrayType(th.StringType(min_length=1)),
        default=["all"],
        title=title,
        description=f"{subject} reports are read for: ['all'] (default) or a list of IDs; "
        f"each ID costs one call per window and is kept in the {column} column.",
    )


CONFIG_SCHEMA = th.PropertiesList(
    th.Property(
        "token",
        th.StringType(min_length=1),
        required=True,
        secret=True,
        title="Token",
        description="Reports Manager API token, sent only in the wolkvox-token header "
        "(wolkvox Manager > Configuration > Integrations > Tokens).",
    ),
    th.Property(
        "wolkvox_server",
        th.StringType(pattern=r"^[0-9A-Za-z]+$"),
        title="Wolkvox server",
        description="The operation's server code, e.g. 0048 for https://wv0048.wolkvox.com. "
        "This or api_url is required.",
    ),
    th.Property(
        "api_url",
        th.URIType(),
        title="API base URL",
        description="Base URL that replaces the one built from wolkvox_server (a proxy, or the "
        "local sandbox such as http://127.0.0.1:8765).",
    ),
    th.Property(
        "start_date",
        th.StringType(min_length=1),
        required=True,
        title="Start date",
        description="Where the first run starts: an ISO 8601 date or date-time. Without an "
        "offset it is read in the operation's timezone.",
    ),
    th.Property(
        "end_date",
        th.StringType(min_length=1),
        title="End date",
        description="Where runs stop (default: now). Same format as start_date.",
    ),
    th.Property(
        "timezone",
        th.StringType(min_length=1),
        default=DEFAULT_TIMEZONE,
        title="Operation timezone",
        description="IANA name of the clock Wolkvox reports in (evidence says UTC-5, "
        "America/Bogota). Query dates are sent, and row timestamps read, in this zone.",
    ),
    th.Property(
        "request_timeout",
        th.IntegerType(minimum=1, maximum=3600),
        default=120,
        title="Request timeout",
        description="Seconds to wait for one HTTP reply before retrying.",
    ),
    th.Property(
        "window_days",
        th.IntegerType(minimum=1, maximum=MAX_SPAN_DAYS),
        default=MAX_SPAN_DAYS,
        title="Window span (days)",
        description="Longest date span asked for in one request. Every request costs quota, "
        "so the default is the API's maximum, 31.",
    ),
    th.Property(
        "settle_minutes",
        th.IntegerType(minimum=0, maximum=MAX_SETTLE_MINUTES),
        default=DEFAULT_SETTLE_MINUTES,
        title="Late-row margin (minutes)",
        description="How long after its timestamp Wolkvox may publish a row. Bookmarks never "
        "pass now minus this margin, so each run re-reads it in the same call and no row "
        "published up to this late is lost. Re-read rows are emitted again (same primary key).",
    ),
    th.Property(
        "lookback_minutes",
        th.IntegerType(minimum=0, maximum=60 * 24 * 31),
        default=0,
        title="Extra look-back (minutes)",
        description="On incremental runs, also start this many minutes before the bookmark "
        "(on top of settle_minutes), e.g. once to recover rows published later than the "
        "margin. Re-read rows are emitted again (same primary key).",
    ),
    th.Property(
        "max_rows_per_request",
        th.IntegerType(minimum=2, maximum=1_000_000),
        default=DEFAULT_ROW_CAP,
        title="Per-request row cap",
        description="Rows at which the API cuts a reply (60,000). A reply this full is not "
        "trusted: its window is split in halves and read again.",
    ),
    th.Property(
        "max_attempts",
        th.IntegerType(minimum=1, maximum=20),
        default=6,
        title="Attempts per request",
        description="Tries per request on transient failures (5xx, 429, timeouts, resets, "
        "malformed replies, concurrency or maintenance 403) before the run stops.",
    ),
    th.Property(
        "retry_wait_seconds",
        th.NumberType(minimum=0, maximum=300),
        default=5,
        title="First retry wait (seconds)",
        description="Wait before the first retry; it doubles on each further retry "
        "(with jitter, capped at 300 s).",
    ),
    _id_list("campaign_ids", "Campaign IDs", "Campaigns the campaign_*", "campaign_id"),
    _id_list("skill_ids", "Skill IDs", "Skills (queues) the skill_*", "skill_id"),
    th.Property(
        "agent_ids",
        th.ArrayType(th.StringType(min_length=1)),
        default=[],
        title="Agent IDs",
        description="Agents whose state events the selected_agent_state_events stream "
        "(agent_2) reads, one call per agent per window; the stream is skipped when empty.",
    ),
    th.Property(
        "disposition_code_variant",
        th.StringType(allowed_values=["cod_act1", "cod_act2"]),
        default="cod_act1",
        title="Disposition code variant",
        description="Which disposition code the act_* reports group by: cod_act1 (first "
        "level, default) or cod_act2 (second level).",
    ),
).to_dict()
# A misspelt setting name is an error, not a silently ignored key.
CONFIG_SCHEMA["additionalProperties"] = False


#: Settings that hold a list: a report parameter filled from one is read once per value, and
#: the value is kept in the row (its own state partition).
LIST_SETTINGS = frozenset({"campaign_ids", "skill_ids", "agent_ids"})


class SettingsError(ValueError):
    """A setting is missing, malformed or contradicts another."""


@dataclass(frozen=True)
class OperationSettings:
    """The settings that shape the walk, read and checked once."""

    clock: OperationClock
    start: dt.datetime
    end: dt.datetime | None
    window_span: dt.timedelta
    lookback: dt.timedelta
    settle: dt.timedelta
    row_cap: int


def read_settings(
    config: t.Mapping[str, t.Any], utc_now: t.Callable[[], dt.datetime] | None = None
) -> OperationSettings:
    """Check the settings against each other and read them (``utc_now``: a test clock).

    Raises:
        SettingsError: with one plain sentence naming the bad setting.
    """
    if not config.get("token"):
        msg = "Setting 'token' is required: the Reports Manager API token (TAP_WOLKVOX_TOKEN)."
        raise SettingsError(msg)
    if not config.get("wolkvox_server") and not config.get("api_url"):
        msg = (
            "Set either 'wolkvox_server' (e.g. 0048 for https://wv0048.wolkvox.com) or "
            "'api_url'; neither is set."
        )
        raise SettingsError(msg)
    if config.get("wolkvox_server") and not re.fullmatch(
        r"[0-9A-Za-z]+", str(config["wolkvox_server"])
    ):
        msg = (
            "Setting 'wolkvox_server' must be the server code, like 0048, not "
            f"{config['wolkvox_server']!r}."
        )
        raise SettingsError(msg)
    if config.get("api_url"):
        _check_api_url(str(config["api_url"]))
    try:
        clock = OperationClock(
            load_timezone(str(config.get("timezone") or DEFAULT_TIMEZONE)), utc_now
        )
    except InvalidTimezoneError as exc:
        msg = f"Setting 'timezone': {exc}."
        raise SettingsError(msg) from None
    if not config.get("start_date"):
        msg = "Setting 'start_date' is required: where the first run starts (e.g. 2025-01-01)."
        raise SettingsError(msg)
    start = _read_date(clock, config, "start_date")
    end = _read_date(clock, config, "end_date") if config.get("end_date") else None
    if end is not None and start > end:
        msg = (
            f"Setting 'start_date' ({config['start_date']}) is after 'end_date' "
            f"({config['end_date']})."
        )
        raise SettingsError(msg)
    return OperationSettings(
        clock=clock,
        start=start,
        end=end,
        window_span=dt.timedelta(days=int(config.get("window_days", MAX_SPAN_DAYS))),
        lookback=dt.timedelta(minutes=int(config.get("lookback_minutes", 0))),
        settle=dt.timedelta(minutes=int(config.get("settle_minutes", DEFAULT_SETTLE_MINUTES))),
        row_cap=int(config.get("max_rows_per_request", DEFAULT_ROW_CAP)),
    )


def _read_date(clock: OperationClock, config: t.Mapping[str, t.Any], name: str) -> dt.datetime:
    try:
        return clock.parse_setting(str(config[name]))
    except ValueError as exc:
        msg = f"Setting '{name}': {exc}."
        raise SettingsError(msg) from None


def _check_api_url(url: str) -> None:
    """The token must never travel in clear text: ``http://`` only to this machine."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        msg = (
            "Setting 'api_url' must be an https:// URL such as https://wv0048.wolkvox.com, "
            f"not {url!r}."
        )
        raise SettingsError(msg)
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        msg = (
            f"Setting 'api_url' uses http:// for {parts.hostname}: the token would travel "
            "unencrypted. Use https:// (http:// is accepted only for this machine, such as the "
            "sandbox on 127.0.0.1)."
        )
        raise SettingsError(msg)


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
