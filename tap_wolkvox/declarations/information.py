"""The ``information.php`` family: the operation's dimensions, its logs and its token, as data.

Field lists come from the research notes' ``shared/wolkvox-api/information.json`` (the field
tables of the vendor's Postman collection and its sample replies). The conventions are the
reports' (see :mod:`tap_wolkvox.declarations`), with these choices:

* Where the table and the sample reply disagree, the sample wins: keys only the sample sends
  are declared (``agents`` sends ``enabled``, ``connectors`` ``name``, ``services`` ``crm``,
  ``email`` and ``cobrowsing``), and ``activity_codes`` sends ``cod_act`` where the table says
  ``code_act`` (declared as ``cod_act``, the name the reports use, with ``code_act`` as alias).
* IDs stay text even where the tables type them ``Int`` (agent, skill, campaign, routing point,
  connector): the reports carry the same IDs as text, so the two join without a cast.
* The tables type every other value ``String`` except ``licenses`` (``Int``, an integer here);
  flags such as ``ivr_active`` and ``last_use`` (whose format no source shows) stay text.
  token_info's counters are documented as strings and emitted as integers.

Tables (:class:`Dimension`) are read whole on every run (FULL_TABLE, one call each; skill_agents
one call per skill). The audit log and the manager's notifications are event reports
(:class:`~tap_wolkvox.declarations.model.Report`): walked in windows like the reports, on
another path.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from tap_wolkvox.declarations.model import Field, Kind, Param, Report

#: Where every request of this family goes (the reports go to ``reports_manager.php``).
INFORMATION_PATH = "/api/v2/information.php"

#: The column each dimension row gets: the instant its reply was read.
READ_AT = "_read_at"
READ_AT_FIELD = Field(
    READ_AT,
    Kind.INSTANT,
    "When the tap read this row (UTC ISO 8601): the instant of the reply it came in.",
)
#: The column each snapshot row gets besides: when the run that read it began.
RUN_STARTED = "_run_started_at"
RUN_STARTED_FIELD = Field(
    RUN_STARTED,
    Kind.INSTANT,
    "When the tap run that read this row began (UTC ISO 8601): the same in every snapshot "
    "stream of one run, so the readings of one poll join on it (each stream's _read_at is the "
    "instant of its own reply).",
)


@dataclass(frozen=True)
class Dimension:
    """A table read whole on every run: of ``information.php``, or a ``real_time.php`` snapshot."""

    api: str
    stream: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    selected_by_default: bool = False
    #: The query parameter this table is read once per value of (``skill_id``), if any: its
    #: values come from the ``skill_ids`` setting or from the ``skills`` reply of the run.
    per: str | None = None
    #: A dimension that vanished rows can be dropped from (ACTIVATE_VERSION); False for a log
    #: of readings (token_usage, the real-time snapshots), where every earlier row stays.
    versioned: bool = True
    #: Where its requests go.
    path: str = INFORMATION_PATH
    #: Query parameters filled from list settings, as a report's are (read once per value,
    #: ``all`` included): the real-time skills' ``skill_id``.
    params: tuple[Param, ...] = ()
    #: Query parameters sent as they are with every request: the real-time recalls' type=all.
    constant_params: tuple[tuple[str, str], ...] = ()
    #: A real-time reading: every read is kept (not ``versioned``) and each row also names the
    #: run that read it (``_run_started_at``).
    snapshot: bool = False
    #: Wolkvox documents the reply as a bare JSON list of rows, without the envelope
    #: (real-time campaigns): such a body is read as the envelope's ``data``.
    bare_list: bool = False

    @property
    def all_fields(self) -> tuple[Field, ...]:
        """The declared fields, the ``per`` column when the rows lack it, the tap's stamps.

        The stamps: ``_read_at``, and ``_run_started_at`` for a snapshot.
        """
        names = {f.name for f in self.fields}
        per = () if self.per is None or self.per in names else (PER_SKILL,)
        run = (RUN_STARTED_FIELD,) if self.snapshot else ()
        return (*self.fields, *per, READ_AT_FIELD, *run)

    def json_schema(self) -> dict[str, t.Any]:
        """The stream's JSON Schema, built as a report's is (with the bookkeeping columns)."""
        report = Report(self.api, self.stream, self.title, self.all_fields, self.primary_key)
        return report.json_schema()


PER_SKILL = Field("skill_id", Kind.TEXT, "The skill (queue) ID this row was requested for.")
LAST_USE = Field(
    "last_use",
    Kind.TEXT,
    "When it was last used, as Wolkvox sends it (the format is undocumented).",
)
AGENT_ID = Field("agent_id", Kind.TEXT, "Agent ID / extension (the reports' agent_id).")
AGENT_NAME = Field("agent_name", Kind.TEXT, "Agent display name.")
RP_ID = Field("rp_id", Kind.TEXT, "Routing point ID.")


def _flag(name: str, what: str) -> Field:
    return Field(name, Kind.TEXT, f"Whether {what} is active, as Wolkvox sends it.")


AGENTS = Dimension(
    api="agents",
    stream="agents",
    title="Agents",
    description="One row per agent of the operation, read whole on every run.",
    fields=(
        AGENT_ID,
        AGENT_NAME,
        Field("agent_dni", Kind.TEXT, "Agent's personal identity document number."),
        Field("agent_status", Kind.TEXT, "The agent's status in the operation."),
        LAST_USE,
        Field("agent_sso", Kind.TEXT, "The agent's single sign-on identity."),
        Field("enabled", Kind.TEXT, "Whether the agent is enabled (sent by the sample only)."),
    ),
    primary_key=("agent_id",),
)

SKILLS = Dimension(
    api="skills",
    stream="skills",
    title="Skills",
    description="One row per skill (queue) of the operation, read whole on every run.",
    fields=(
        Field("skill_id", Kind.TEXT, "Skill (queue) ID (the reports' skill_id)."),
        Field("skill_name", Kind.TEXT, "Skill name."),
        Field("skill_description", Kind.TEXT, "Skill description."),
        LAST_USE,
    ),
    primary_key=("skill_id",),
)

CAMPAIGNS = Dimension(
    api="campaigns",
    stream="campaigns",
    title="Campaigns",
    description="One row per campaign of the operation, read whole on every run.",
    fields=(
        Field("campaign_id", Kind.TEXT, "Campaign ID (the reports' campaign_id)."),
        Field("campaign_name", Kind.TEXT, "Campaign name."),
        Field("campaign_description", Kind.TEXT, "Campaign description."),
        Field("type_campaign", Kind.TEXT, "Campaign type."),
        Field("status", Kind.TEXT, "Campaign status."),
        Field("records", Kind.TEXT, "Records loaded in the campaign, as sent."),
        Field("speed", Kind.TEXT, "Dialling speed."),
        Field("dial_mode", Kind.TEXT, "Dialling mode."),
        LAST_USE,
        Field("recycled", Kind.TEXT, "Recycling setting, as sent."),
        Field("turbo_dial", Kind.TEXT, "Turbo dial setting, as sent."),
        Field("skill_id", Kind.TEXT, "The skill the campaign's calls go to."),
    ),
    primary_key=("campaign_id",),
)

ROUTING_POINTS = Dimension(
    api="routing_points",
    stream="routing_points",
    title="Routing points",
    description="One row per routing point (IVR / chat / interaction flow), read whole on every "
    "run.",
    fields=(
        RP_ID,
        Field("rp_name", Kind.TEXT, "Routing point name."),
        _flag("ivr_active", "its IVR"),
        _flag("chat_active", "its chat"),
        _flag("interaction_active", "its interactions"),
        _flag("crm_active", "its CRM"),
        LAST_USE,
    ),
    primary_key=("rp_id",),
)

_SERVICES = (
    ("pbx", "the PBX"),
    ("screen_recording", "screen recording"),
    ("video_call", "video calls"),
    ("stereo_recording", "stereo recording"),
    ("gamification", "gamification"),
    ("text_analytics", "text analytics"),
    ("speech_analytics", "speech analytics"),
    ("rsync", "rsync of recordings"),
    ("wolkvox_storage", "wolkvox storage"),
    ("blob_storage", "Azure blob storage"),
    ("aws_s3", "AWS S3 storage"),
    ("intelligentdial", "intelligent dialling"),
    ("bi", "BI"),
    ("customer_prot", "customer protection"),
    ("mr_wizard", "Mr. Wizard"),
    ("turbo_dial", "turbo dial"),
    ("sso", "single sign-on"),
    ("mailgun", "Mailgun e-mail"),
    ("whatsapp", "WhatsApp"),
    ("facebook_page", "Facebook pages"),
    ("facebook_messenger", "Facebook Messenger"),
    ("instagram_page", "Instagram pages"),
    ("instagram_chat", "Instagram chat"),
    ("sms_bidireccional", "two-way SMS"),
    ("chat_web", "web chat"),
    ("telegram", "Telegram"),
    # sent by the sample reply, not in the table:
    ("crm", "the CRM"),
    ("email", "e-mail"),
    ("cobrowsing", "co-browsing"),
)

SERVICES = Dimension(
    api="services",
    stream="services",
    title="Services",
    description="The services contracted by the operation and its licenses: one row per read. "
    "The reply has no ID, so the key is when it was read (_read_at): targets that honour "
    "ACTIVATE_VERSION keep the latest row, others keep one row per run.",
    fields=(
        Field("licenses", Kind.INTEGER, "Licenses of the operation."),
        *(_flag(name, what) for name, what in _SERVICES),
    ),
    primary_key=(READ_AT,),
)

CONNECTORS = Dimension(
    api="connectors",
    stream="connectors",
    title="Connectors",
    description="One row per channel connector (WhatsApp number, Facebook page...), read whole "
    "on every run.",
    fields=(
        Field("connector_id", Kind.TEXT, "Connector ID."),
        Field("rp_id", Kind.TEXT, "Routing point the connector delivers to."),
        Field("name", Kind.TEXT, "Connector name (sent by the sample only)."),
        Field("channel", Kind.TEXT, "Channel of the connector."),
    ),
    primary_key=("connector_id",),
)

ACTIVITY_CODES = Dimension(
    api="activity_codes",
    stream="activity_codes",
    title="Activity (disposition) codes",
    description="One row per activity (disposition) code: what the reports' cod_act holds. Read "
    "whole on every run.",
    fields=(
        Field(
            "cod_act",
            Kind.TEXT,
            "Activity (disposition) code, as in the reports' cod_act (the table says code_act).",
            aliases=("code_act",),
        ),
        Field("description_cod_act", Kind.TEXT, "Text description of the code."),
        Field("hit", Kind.TEXT, "Whether the code counts as a hit, as sent."),
        Field("rpc", Kind.TEXT, "Whether the code counts as a right-party contact, as sent."),
        Field("chat", Kind.TEXT, "Whether the code applies to chats, as sent."),
        Field("studio", Kind.TEXT, "Whether the code applies to studio flows, as sent."),
        Field("voice", Kind.TEXT, "Whether the code applies to calls, as sent."),
        Field("type_code", Kind.TEXT, "Type of the code."),
        Field("interactions", Kind.TEXT, "Whether the code applies to interactions, as sent."),
    ),
    primary_key=("cod_act",),
)

SKILL_AGENTS = Dimension(
    api="agents_in_skill",
    stream="skill_agents",
    title="Agents in each skill",
    description="One row per agent of a skill, read one call per skill: the skills of the "
    "skill_ids setting, or, when it is ['all'], those of the skills reply of the same run.",
    fields=(
        AGENT_ID,
        AGENT_NAME,
        LAST_USE,
        Field("expertise", Kind.TEXT, "The agent's expertise level in the skill."),
    ),
    primary_key=("skill_id", "agent_id"),
    per="skill_id",
)

TOKEN_USAGE = Dimension(
    api="token_info",
    stream="token_usage",
    title="Token usage",
    description="The token's daily quota and what is used of it, one row per run, keyed by when "
    "it was read. The reading itself costs one call, counted in token_use_today.",
    fields=(
        Field("description", Kind.TEXT, "The token's label."),
        Field("token_limit", Kind.INTEGER, "Calls this token may make per day."),
        Field("token_use_today", Kind.INTEGER, "Calls this token has made today."),
        Field("all_token_today", Kind.INTEGER, "Calls all tokens of the operation made today."),
        Field(
            "available_consumption_options",
            Kind.INTEGER,
            "Calls this token has left today (token_limit - token_use_today).",
        ),
    ),
    primary_key=(READ_AT,),
    versioned=False,
)

#: Every table, in the order a run reads them (skills before skill_agents: its IDs come first).
DIMENSIONS: tuple[Dimension, ...] = (
    AGENTS,
    SKILLS,
    SKILL_AGENTS,
    CAMPAIGNS,
    ROUTING_POINTS,
    SERVICES,
    CONNECTORS,
    ACTIVITY_CODES,
    TOKEN_USAGE,
)

AUDIT_LOG = Report(
    api="audit_log",
    stream="audit_log",
    title="Audit log",
    description="One row per action recorded in the operation's audit log (who did what, when, "
    "from where). The reply has no ID, so the key is every field it sends, with _occurrence "
    "numbering identical actions in one second (each is a row).",
    fields=(
        Field("date", Kind.INSTANT, "When the action happened (the table types it Int)."),
        Field("ip", Kind.TEXT, "IP address the action came from (the table types it Int)."),
        Field("user", Kind.TEXT, "User who acted."),
        Field("action", Kind.TEXT, "What was done (the table types it Int)."),
        Field("workstation", Kind.TEXT, "Workstation the action came from."),
    ),
    primary_key=("date", "user", "action", "ip", "workstation"),
    timestamp="date",
)

MANAGER_NOTIFICATIONS = Report(
    api="get_notification",
    stream="manager_notifications",
    title="Manager notifications",
    description="One row per notification shown in wolkvox Manager. The reply has no ID, so the "
    "key is when and what, with _occurrence numbering identical notifications in one second "
    "(each is a row).",
    fields=(
        Field("date", Kind.INSTANT, "When the notification was issued."),
        Field("notification", Kind.TEXT, "The notification's text."),
    ),
    primary_key=("date", "notification"),
    timestamp="date",
)

#: The event reports of this family: walked in windows like the Reports Manager's.
INFORMATION_REPORTS: tuple[Report, ...] = (AUDIT_LOG, MANAGER_NOTIFICATIONS)
