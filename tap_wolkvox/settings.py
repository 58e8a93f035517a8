"""The tap's settings: their JSON Schema (what ``--about`` prints) and their meaning once read."""

from __future__ import annotations

import datetime as dt
import difflib
import ipaddress
import itertools
import json
import re
import typing as t
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.typing import DEFAULT_JSONSCHEMA_VALIDATOR

from tap_wolkvox.sdk import environment_config
from tap_wolkvox.time.timestamps import (
    DateOutOfRangeError,
    InvalidTimezoneError,
    OperationClock,
    load_timezone,
)
from tap_wolkvox.time.windows import MAX_SPAN_DAYS

if t.TYPE_CHECKING:
    from tap_wolkvox.declarations.model import Param

DEFAULT_TIMEZONE = "America/Bogota"
DEFAULT_ROW_CAP = 60_000
#: Rows Wolkvox publishes after the instant they carry (see docs/operations.md, "Late rows").
DEFAULT_SETTLE_MINUTES = 15
MAX_SETTLE_MINUTES = 60 * 24


#: One ID of a list setting: text, or a whole number (Meltano reads
#: ``TAP_WOLKVOX_SKILL_IDS=3001,3002`` as numbers); the tap uses it as text (see :func:`id_list`).
_ID = th.CustomType({"type": ["string", "integer"], "minLength": 1})


def _id_list(
    name: str, title: str, subject: str, column: str, also: str = ""
) -> th.Property[t.Any]:
    """A list of IDs a family of reports is read for, ``["all"]`` by default."""
    return th.Property(
        name,
        th.ArrayType(_ID),
        default=["all"],
        title=title,
        description=f"{subject} reports are read for: ['all'] (default) or a list of IDs "
        f"(text or whole numbers); each ID costs one call per window and is kept, as text, in "
        f"the {column} column.{also}",
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
        description="Where runs stop (default: now): an ISO 8601 date or date-time, read like "
        "start_date. A date alone includes that whole local day (up to 23:59:59 in the "
        "operation's timezone), for event and daily reports alike.",
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
        description=(
            "Seconds one request may take in all (connect, status line, headers and body) "
            "before it is abandoned and retried."
        ),
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
        "published up to this late is lost. Re-read rows are emitted again (same primary key). "
        "Late rows at its far edge widen it for the following runs (doubling, up to 4 hours, "
        "kept in STATE as learned_margin).",
    ),
    th.Property(
        "lookback_minutes",
        th.IntegerType(minimum=0, maximum=60 * 24 * 31),
        default=0,
        title="Extra look-back (minutes)",
        description="On incremental runs, also start this many minutes before the bookmark "
        "(on top of settle_minutes; daily reports: at the day holding that instant), e.g. once "
        "to recover rows published later than the margin. Re-read rows are emitted again (same "
        "primary key).",
    ),
    th.Property(
        "max_rows_per_request",
        th.IntegerType(minimum=2, maximum=1_000_000),
        default=DEFAULT_ROW_CAP,
        title="Per-request row cap",
        description="Rows at which the API cuts a reply (60,000). Windows are sized to hold "
        "about 80% of it; a reply this full is not trusted: its window is split in halves and "
        "read again.",
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
        "max_requests_per_run",
        th.IntegerType(minimum=1),
        title="Request budget per run",
        description="Most requests (retries included) one run may send; unset: no limit. "
        "The run stops cleanly before the request that would exceed it (exit code 0, its last "
        "STATE a valid resume point) and the next run continues; a request still being retried "
        "then fails the run instead. Streams take turns: each run starts with the stream after "
        "the one the budget last stopped in (kept in STATE), so every selected stream "
        "advances across runs.",
    ),
    th.Property(
        "requests_in_flight",
        th.IntegerType(minimum=1, maximum=2),
        default=1,
        title="Requests in flight",
        description="How many requests the run may have open at once on the token: 1 (the "
        "default, one at a time, as Wolkvox advises) or 2 (Wolkvox's limit per token): a "
        "report's next window, and the next streams' first, are asked for while the current "
        "rows are written; the output is the same. Not with max_requests_per_run (budgeted "
        "runs go one at a time). Only when nothing else uses the token meanwhile: Wolkvox "
        "refuses a third request at once (retried, at a cost).",
    ),
    th.Property(
        "plan_warning_requests",
        th.IntegerType(minimum=1),
        default=1000,
        title="Plan warning (requests)",
        description="Warn before starting when the run's plan needs more requests than this "
        "(or selects more than 50 streams): each request costs a unit of the token's daily "
        "quota (licenses x 1,000). A realtime_* snapshot stream costs one call every run "
        "(realtime_skills one per skill_ids entry): run every minute, 1,440 calls a day each.",
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
    _id_list(
        "skill_ids",
        "Skill IDs",
        "Skills (queues) the skill_*",
        "skill_id",
        " The realtime_skills snapshot is read for them too: one call per ID per read.",
    ),
    th.Property(
        "services_time",
        th.IntegerType(minimum=1, maximum=3600),
        title="Extra service level (seconds)",
        description="Seconds: the realtime_skills snapshots also read the service level at "
        "that many seconds (Wolkvox's services_time), into their service_level_services_time "
        "column, with the seconds in services_time (the column keeps its name whatever the "
        "value). Unset (default): not asked, both stay empty. 10, 20 and 30 are always read.",
    ),
    th.Property(
        "agent_ids",
        th.ArrayType(_ID),
        default=[],
        title="Agent IDs",
        description="Agents (IDs as text or whole numbers) whose state events the "
        "selected_agent_state_events stream (agent_2) reads, one call per agent per window; the "
        "stream is skipped when empty.",
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
#: The service levels realtime_skills always reads (service_level_10seg ...): no services_time.
SERVICE_LEVELS_READ = (10, 20, 30)
#: Settings read from the environment with ``--config ENV`` are named ``TAP_WOLKVOX_<NAME>``.
ENV_PREFIX = "TAP_WOLKVOX_"


def listed_ids(config: t.Mapping[str, t.Any], setting: str) -> list[str]:
    """The IDs list setting ``setting`` holds, as text: its default when unset.

    ``["all"]`` (every campaign, every skill) unless the setting says otherwise; ``agent_ids``
    has no such default (an empty list: the stream that needs it is skipped).
    """
    value = config.get(setting)
    if value is None:
        value = CONFIG_SCHEMA["properties"][setting].get("default", [])
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def partition_values(
    config: t.Mapping[str, t.Any], params: t.Iterable[Param]
) -> list[dict[str, str]]:
    """The values of ``params`` for each request they make: every combination of their IDs.

    Only parameters filled from a list setting make requests (one per listed ID, ``all``
    included); with none, one request. A list setting left empty makes none.
    """
    listed = [p for p in params if p.setting in LIST_SETTINGS]
    names = [p.name for p in listed]
    values = [listed_ids(config, p.setting) for p in listed]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]


def fixed_values(config: t.Mapping[str, t.Any], params: t.Iterable[Param]) -> dict[str, str]:
    """The values of ``params`` filled from a single-valued setting (cod_act, services_time).

    Sent with every request as they are, each only when its setting is set.
    """
    return {
        p.name: str(config[p.setting])
        for p in params
        if p.setting not in LIST_SETTINGS and config.get(p.setting) is not None
    }


#: ``<PREFIX>LOGLEVEL``: the SDK's own variable for the log level (no setting, yet no typo).
LOG_LEVEL_VARIABLE = "LOGLEVEL"


class SettingsError(ValueError):
    """A setting is missing, malformed or contradicts another."""


#: Checks that name the offending setting but never quote its value.
_NAMES_ONLY = frozenset({"required", "additionalProperties", "dependentRequired", "dependencies"})


def _is_secret(prop: t.Mapping[str, t.Any]) -> bool:
    return prop.get("secret") is True or prop.get("writeOnly") is True


def secret_paths(schema: t.Mapping[str, t.Any]) -> list[tuple[str, ...]]:
    """Where the schema marks a property secret (``secret`` or ``writeOnly``), nested ones too."""
    paths: list[tuple[str, ...]] = []
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        if _is_secret(prop):
            paths.append((name,))
        else:
            paths.extend((name, *inner) for inner in secret_paths(prop))
    return paths


def config_errors(schema: dict[str, t.Any], config: t.Mapping[str, t.Any]) -> list[str]:
    """The config's validation errors, one line each, never quoting a secret's value.

    Lines are worded as the SDK words them (``<message> in config['name']``), except where the
    message would repeat the value of a secret setting, or of an object holding one.
    """
    secrets = secret_paths(schema)
    validator = DEFAULT_JSONSCHEMA_VALIDATOR(schema)
    return [_describe(error, secrets) for error in validator.iter_errors(dict(config))]


def _describe(error: t.Any, secrets: list[tuple[str, ...]]) -> str:
    path = tuple(error.path)
    where = f"config[{']['.join(repr(part) for part in path)}]" if path else "the config"
    secret = next((s for s in secrets if path[: len(s)] == s), None)
    if secret is not None:
        return (
            f"{where} {_expected(error)}; the value is not shown because "
            f"'{'.'.join(secret)}' is a secret setting."
        )
    holds_secret = any(secret[: len(path)] == path for secret in secrets)
    if holds_secret and error.validator not in _NAMES_ONLY:
        return (
            f"{where} {_expected(error)}; its values are not shown because it holds a secret "
            "setting."
        )
    message = str(error.message)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        message += _did_you_mean(error.instance, error.schema.get("properties") or {})
    if isinstance(error.instance, Decimal):
        # A config file's decimals are read as Decimal: 3001.5, not Decimal('3001.5').
        message = message.replace(repr(error.instance), str(error.instance), 1)
    return f"{message} in {where}" if path else message


def closest_name(name: str, names: t.Iterable[str]) -> str | None:
    """The one of ``names`` that ``name`` most resembles, if one is close (a misspelling)."""
    close = difflib.get_close_matches(name, list(names), n=1)
    return close[0] if close else None


def _did_you_mean(config: t.Mapping[str, t.Any], known: t.Collection[str]) -> str:
    """``; did you mean 'window_days'?`` for a config's keys that resemble a known setting."""
    guesses = {key: closest_name(key, known) for key in sorted(config) if key not in known}
    found = [(key, close) for key, close in guesses.items() if close is not None]
    if not found:
        return ""
    if len(guesses) == 1:
        return f"; did you mean '{found[0][1]}'?"
    return "; did you mean " + ", ".join(f"'{close}' for '{key}'" for key, close in found) + "?"


def _expected(error: t.Any) -> str:
    """What a check asks for, said from the schema alone (never from the value)."""
    rule, wanted = error.validator, error.validator_value
    if rule == "type":
        kinds = [wanted] if isinstance(wanted, str) else list(wanted)
        return "must be of type " + " or ".join(repr(kind) for kind in kinds)
    if rule == "minLength" and wanted == 1:
        return "must not be empty"
    return f"does not satisfy {rule} {wanted!r}"


#: JSON Schema types read from an environment variable as a number.
_NUMERIC_TYPES = ("integer", "number")
_INTEGER_TEXT = re.compile(r"[+-]?\d+")
_DECIMAL_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def numeric_settings(schema: t.Mapping[str, t.Any]) -> dict[str, str]:
    """Settings whose type is a number, each with its type (``integer`` or ``number``).

    A setting that may also be a string (or anything else but null) is left out: its text is
    then a valid value as it is.
    """
    numeric: dict[str, str] = {}
    for name, prop in (schema.get("properties") or {}).items():
        kinds = prop.get("type") if isinstance(prop, dict) else None
        kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
        others = [kind for kind in kinds if kind != "null"]
        if others and all(kind in _NUMERIC_TYPES for kind in others):
            numeric[name] = "integer" if others == ["integer"] else "number"
    return numeric


def environment_settings(
    schema: dict[str, t.Any], environ: t.Mapping[str, str], say: t.Callable[[str], None]
) -> dict[str, t.Any]:
    """The settings ``TAP_WOLKVOX_*`` variables set (``--config ENV``), numbers read as numbers.

    The SDK's reading int()s integer settings (a traceback on 'abc') and leaves number settings
    as text, which validation then refuses ('5' is not of type 'number'); it still reads the
    rest: its .env file, JSON lists, objects and booleans. ``say`` hears of each number read.

    Raises:
        ConfigValidationError: a numeric setting's variable holds no number.
    """
    numeric = numeric_settings(schema)
    others = {k: v for k, v in schema["properties"].items() if k not in numeric}
    config = environment_config({**schema, "properties": others}, ENV_PREFIX)
    numbers, errors = numbers_from_environment(schema, ENV_PREFIX, environ)
    if errors:
        raise ConfigValidationError(errors[0], errors=errors, schema=schema)
    for name in numbers:
        variable = ENV_PREFIX + name.upper().replace("-", "_")
        say(f"Parsing '{name}' config from env variable '{variable}'.")
    return {**config, **numbers}


def numbers_from_environment(
    schema: t.Mapping[str, t.Any], prefix: str, environ: t.Mapping[str, str]
) -> tuple[dict[str, int | float], list[str]]:
    """The numeric settings set in the environment (``<prefix><NAME>``), read as numbers.

    Integers and decimals are read for both integer and number settings, so that range and
    type are then checked, and worded, as for a config file (``2.5 is not of type
    'integer'``); text that is no number at all is reported here, one line per setting.

    Returns:
        The values read, and one sentence per variable that holds no number.
    """
    properties = schema.get("properties") or {}
    values: dict[str, int | float] = {}
    errors: list[str] = []
    for name, kind in numeric_settings(schema).items():
        variable = prefix + name.upper().replace("-", "_")
        if variable not in environ:
            continue
        text = environ[variable].strip()
        if _INTEGER_TEXT.fullmatch(text):
            values[name] = int(text)
        elif _DECIMAL_TEXT.fullmatch(text):
            number = float(text)
            values[name] = int(number) if kind == "integer" and number.is_integer() else number
        else:
            expected = "a whole number" if kind == "integer" else "a number (e.g. 5 or 0.5)"
            default = properties[name].get("default")
            example = f" such as {default}" if kind == "integer" and default is not None else ""
            got = "" if _is_secret(properties[name]) else f", not {environ[variable]!r}"
            errors.append(
                f"Setting '{name}' (environment variable {variable}) must be "
                f"{expected}{example}{got}."
            )
    return values, errors


def _variable_name(setting: str) -> str:
    """What follows the prefix in a setting's variable: the SDK's and Meltano's spelling.

    ``lookback_minutes`` is ``LOOKBACK_MINUTES``; a nested ``faker_config.seed`` is
    ``FAKER_CONFIG_SEED``, as Meltano exports it.
    """
    return re.sub(r"[^A-Za-z0-9]", "_", setting).upper()


def _is_object(prop: t.Mapping[str, t.Any]) -> bool:
    kinds = prop.get("type")
    return "object" in ([kinds] if isinstance(kinds, str) else list(kinds or []))


def _variable_names(schema: t.Mapping[str, t.Any], parent: str = "") -> tuple[list[str], list[str]]:
    """The variable names (after the prefix) of every property, and those of object settings.

    Nested properties are included; an object setting's free-form keys are exported by Meltano
    one variable each (``stream_maps`` as ``..._STREAM_MAPS_<STREAM>_<FIELD>``).
    """
    names: list[str] = []
    objects: list[str] = []
    for key, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        path = f"{parent}.{key}" if parent else key
        names.append(_variable_name(path))
        if _is_object(prop):
            objects.append(_variable_name(path))
            inner_names, inner_objects = _variable_names(prop, path)
            names += inner_names
            objects += inner_objects
    return names, objects


def unknown_variables(
    schema: t.Mapping[str, t.Any], prefix: str, environ: t.Iterable[str]
) -> list[str]:
    """One warning per ``<prefix>*`` variable of ``environ`` that names no setting of ``schema``.

    Each names the closest setting's variable when there is one. Variables with a second
    underscore after the prefix (``TAP_WOLKVOX__SELECT``) are Meltano's own and are left alone,
    as is the SDK's ``<prefix>LOGLEVEL``. Only names are read: a value is never shown.
    """
    names, objects = _variable_names(schema)
    known = {*names, LOG_LEVEL_VARIABLE}
    # Suggestions: the top-level settings only (a nested path is rarely what was meant).
    suggestions = [
        *(_variable_name(name) for name in schema.get("properties") or {}),
        LOG_LEVEL_VARIABLE,
    ]
    warnings: list[str] = []
    for variable in sorted(environ):
        if not variable.startswith(prefix):
            continue
        rest = variable[len(prefix) :]
        if rest.startswith("_") or rest in known:
            continue
        if any(rest.startswith(f"{name}_") for name in objects):
            continue
        close = closest_name(rest.upper(), suggestions)
        hint = f" (did you mean {prefix}{close}?)" if close else ""
        warnings.append(f"{variable} names no setting{hint}; it is ignored.")
    return warnings


def ids_as_text(config: t.Mapping[str, t.Any]) -> dict[str, list[t.Any]]:
    """The list settings of ``config`` with their whole-number IDs as text (3001: "3001").

    Anything else is left as it is, for validation to refuse (see :func:`id_list`).
    """
    return {
        name: [
            str(item) if isinstance(item, int) and not isinstance(item, bool) else item
            for item in value
        ]
        for name in sorted(LIST_SETTINGS)
        if isinstance(value := config.get(name), list)
    }


def id_list(config: t.Mapping[str, t.Any], name: str) -> list[str] | None:
    """The IDs of list setting ``name`` as text (None when it is not a list).

    Meltano turns ``TAP_WOLKVOX_SKILL_IDS=3001,3002`` into numbers; the API, the rows and the
    state partitions take IDs as text, so ``3001`` is ``"3001"``.

    Raises:
        SettingsError: for an ID that is neither text nor a whole number (3001.0, true).
    """
    value = config.get(name)
    if not isinstance(value, list):
        return None
    ids: list[str] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            shown = str(item) if isinstance(item, (float, Decimal)) else json.dumps(item)
            msg = (
                f"Setting '{name}': {shown} is not an ID; give IDs as text or whole numbers, "
                'such as ["3001", "3002"] or [3001, 3002].'
            )
            raise SettingsError(msg)
        ids.append(str(item))
    return ids


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
    end = _read_date(clock, config, "end_date", whole_day=True) if config.get("end_date") else None
    if end is not None and start > end:
        msg = (
            f"Setting 'start_date' ({config['start_date']}) is after 'end_date' "
            f"({config['end_date']})."
        )
        raise SettingsError(msg)
    for name in sorted(LIST_SETTINGS):
        id_list(config, name)
    seconds = config.get("services_time")
    if seconds in SERVICE_LEVELS_READ:
        msg = (
            f"Setting 'services_time': {seconds} seconds is a level realtime_skills always reads "
            f"(service_level_{seconds}seg); give another number of seconds, or leave it unset."
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


def _read_date(
    clock: OperationClock, config: t.Mapping[str, t.Any], name: str, *, whole_day: bool = False
) -> dt.datetime:
    try:
        return clock.parse_setting(str(config[name]), whole_day=whole_day)
    except DateOutOfRangeError as exc:
        unset = " (leave end_date unset to read up to now)" if name == "end_date" else ""
        msg = f"Setting '{name}': {exc}{unset}."
        raise SettingsError(msg) from None
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
