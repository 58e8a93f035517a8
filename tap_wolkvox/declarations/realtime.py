"""The ``real_time.php`` family: what the operation is doing now, read as snapshots.

Wolkvox keeps no history of these: each read answers "now" (each agent's state, each queue,
the calls of the last 10 minutes...). A snapshot stream keeps every read: its rows carry the
instant their reply was read (``_read_at``, first part of every key), so each read appends and
a re-run never overwrites an earlier one (``versioned=False``: no ACTIVATE_VERSION, which would
have a target drop the earlier reads).

Field lists come from the research notes' ``shared/wolkvox-api/information.json`` (the field
tables and sample replies of the vendor's Postman collection, folder "Tiempo Real"). The
conventions are the reports' and information.php's (see :mod:`tap_wolkvox.declarations` and
:mod:`tap_wolkvox.declarations.information`), with these choices:

* Where the table and the sample disagree, the sample is what the API sends: ``recall`` sends
  ``id_campaing`` (an alias of the table's ``id_campaign``); its table also lists the envelope
  (``code``, ``error``, ``msg``, ``data``), which are no row fields. ``latency``, ``chats`` and
  ``interactions`` send nested lists (``by_agent[]``, ``active_chats[].conversation[]``...),
  declared as such. ``info_server`` sends ``data`` as one object (one row).
* The tables type every value ``String``; counts, durations and percentages are typed as the
  reports type them (the agents' counters and times as agent_1's, the queues' service levels as
  skill_1's); IDs stay text. Values whose format no source shows stay text.
* ``skills`` takes ``skill_id`` (the ``skill_ids`` setting, as the skill_* reports do) and an
  optional ``services_time`` (the setting of that name), which adds a level named after its
  value (``service_level_<N>seg``, the table's ``service_level_XXseg``): read into one column,
  ``service_level_services_time``, with the seconds beside it, so the schema stays fixed.

None is selected by default: a read costs one call of the token's daily quota (licenses x
1,000), so a one-minute schedule costs 1,440 calls a day per stream (each description says
so). The streams are information.php's tables with a snapshot's grain (streams/tables.py):
each record also carries ``_run_started_at``, when the run that read it began.
"""

from __future__ import annotations

from tap_wolkvox.declarations.agent import AGENT_ACTIVITY_FIELDS, CALLS
from tap_wolkvox.declarations.information import READ_AT, Dimension
from tap_wolkvox.declarations.model import Field, Kind, Param
from tap_wolkvox.declarations.shared import (
    AGENT_ID,
    AGENT_NAME,
    CALL_DATE,
    CONN_ID,
    CUSTOMER_ID,
    CUSTOMER_PHONE,
    SKILL_ID,
    SKILL_NAME,
    TELEPHONE,
    TYPE_INTERACTION,
)
from tap_wolkvox.declarations.skill import SERVICE_LEVEL_FIELDS, SKILL_ID_PARAM

#: Where every request of this family goes.
REALTIME_PATH = "/api/v2/real_time.php"

#: Fields the reports declare, by name: the agents' counters and times as agent_1's, the
#: service levels as skill_1's.
_REPORTED = {f.name: f for f in (*AGENT_ACTIVITY_FIELDS, *SERVICE_LEVEL_FIELDS)}


def _snapshot(  # noqa: PLR0913 - a declaration, keyword by keyword
    *,
    api: str,
    stream: str,
    title: str,
    description: str,
    fields: tuple[Field, ...],
    key: tuple[str, ...],
    params: tuple[Param, ...] = (),
    fixed_params: tuple[Param, ...] = (),
    constant_params: tuple[tuple[str, str], ...] = (),
    bare_list: bool = False,
) -> Dimension:
    """A real-time request as a snapshot table: keyed by when it was read, then by ``key``.

    ``params`` are read once per value of their list setting; ``fixed_params`` sent as their
    setting says, when set (no call more).
    """
    return Dimension(
        api=api,
        stream=stream,
        title=title,
        description=f"{description} {_cost(params)}",
        fields=fields,
        primary_key=(READ_AT, *key),
        versioned=False,
        path=REALTIME_PATH,
        params=(*params, *fixed_params),
        constant_params=constant_params,
        snapshot=True,
        bare_list=bare_list,
    )


def _cost(params: tuple[Param, ...]) -> str:
    """What reading a snapshot every minute costs a day, against the token's quota."""
    quota = "of the token's daily quota (licenses x 1,000)"
    if not params:
        return f"Each read costs one call: read every minute, 1,440 calls a day {quota}."
    listed = " and ".join(param.setting for param in params)
    return (
        f"Each read costs one call per value of {listed} (one with ['all']): read every "
        f"minute, 1,440 calls a day per value {quota}."
    )


def _ms(name: str, what: str) -> Field:
    return Field(name, Kind.NUMBER, f"{what}, in milliseconds.")


def _loss(name: str, what: str) -> Field:
    return Field(name, Kind.PERCENT, f"{what} (%).")


#: The extra service level: Wolkvox names its column after the seconds asked.
SERVICES_TIME_PARAM = Param(name="services_time", setting="services_time", placeholder="XX")

_JITTER_AND_LOSS = (
    _ms("tx_jitter", "Jitter of what the agent sends"),
    _ms("rx_jitter", "Jitter of what the agent receives"),
    _loss("tx_ploss", "Packet loss of what the agent sends"),
    _loss("rx_ploss", "Packet loss of what the agent receives"),
)
_REJECTION = Field(
    "network_rejection",
    Kind.PERCENT,
    "Network rejection (%): share of the network checks that failed.",
)
_AGENT_STATUS = Field(
    "agent_status",
    Kind.TEXT,
    "The agent's state now (built-ins such as READY, TALK, ACW, RING, plus the auxiliary "
    "states the operation defines).",
)

AGENTS = _snapshot(
    api="agents",
    stream="realtime_agents",
    title="Agents now",
    description="One row per agent per read: the agent's state now and for how long, and the "
    "agent's calls and time per state so far (the counters agent_1 reports for a range). "
    "Keyed by when it was read and agent_id.",
    fields=(
        AGENT_ID,
        AGENT_NAME,
        _AGENT_STATUS,
        CALLS,
        _REPORTED["inbound"],
        _REPORTED["outbound"],
        _REPORTED["internal"],
        Field("time_state_now", Kind.DURATION, "How long the agent has been in that state."),
        _REPORTED["ready_time"],
        _REPORTED["inbound_time"],
        _REPORTED["outbound_time"],
        _REPORTED["acw_time"],
        _REPORTED["ring_time"],
        _REPORTED["login_time"],
        Field("aht_time", Kind.DURATION, "Average handling time per call."),
        Field(
            "ocupation",
            Kind.PERCENT,
            "Occupancy: share of time busy on calls or wrap-up (key spelled as sent).",
        ),
        _REPORTED["aux_time"],
    ),
    key=("agent_id",),
)

CALLS_LAST_10_MINUTES = _snapshot(
    api="calls_last_10",
    stream="realtime_calls_last_10_minutes",
    title="Calls of the last 10 minutes",
    description="One row per call of the 10 minutes before each read. Keyed by when it was "
    "read and conn_id: a call stays in every read of those 10 minutes (read at least every 10 "
    "minutes, the reads hold every call; count distinct conn_id, not rows).",
    fields=(
        TYPE_INTERACTION,
        Field("result", Kind.TEXT, "How the call ended (answered, abandoned, busy...)."),
        CALL_DATE,
        TELEPHONE,
        CUSTOMER_ID,
        CONN_ID,
    ),
    key=("conn_id",),
)

HITS_LAST_HOUR = _snapshot(
    api="hits_last_hour",
    stream="realtime_hits_last_hour",
    title="Hits of the last hour",
    description="One row per hit of the hour before each read. Keyed by when it was read and "
    "conn_id: a hit stays in every read of that hour (count distinct conn_id, not rows).",
    fields=(
        CONN_ID,
        TYPE_INTERACTION,
        Field("date", Kind.INSTANT, "Date/time of the call or interaction."),
        TELEPHONE,
        CUSTOMER_ID,
        Field("hit", Kind.TEXT, "The hit, as sent (its format is undocumented)."),
    ),
    key=("conn_id",),
)

SERVER_LOAD = _snapshot(
    api="info_server",
    stream="realtime_server_load",
    title="Dedicated server load",
    description="One row per read: the load of the operation's dedicated server (CPU over the "
    "last 10 seconds, RAM, calls, connected agents); operations on shared servers lack this "
    "request. The reply has no ID (data is one object), so the key is when it was read.",
    fields=(
        Field("cpu_avg_10s", Kind.PERCENT, "Average CPU use over the last 10 seconds (%)."),
        Field("cpu_max_10s", Kind.PERCENT, "Highest CPU use over the last 10 seconds (%)."),
        Field("cpu_min_10s", Kind.PERCENT, "Lowest CPU use over the last 10 seconds (%)."),
        Field("ram", Kind.TEXT, "Memory use, as sent (its unit is undocumented)."),
        Field("calls", Kind.INTEGER, "Calls in progress on the server."),
        Field("connected_agents", Kind.INTEGER, "Agents connected to the server."),
    ),
    key=(),
)

NETWORK_LATENCY = _snapshot(
    api="latency",
    stream="realtime_network_latency",
    title="Network latency of agents, IPs and PBX users",
    description="One row per read holding three nested lists: latency, jitter and packet loss "
    "by connected agent (by_agent), by public IP (by_ip) and by PBX user (by_pbx). The reply "
    "is one row with no ID, so the key is when it was read.",
    fields=(
        Field(
            "by_agent",
            Kind.OBJECTS,
            "One object per connected agent.",
            items=(
                AGENT_ID,
                _ms("latency_ms", "Network latency of the agent"),
                Field("ip", Kind.TEXT, "Public IP address the agent connects from."),
                Field("version", Kind.TEXT, "Version of wolkvox Agent."),
                _AGENT_STATUS,
                *_JITTER_AND_LOSS,
                _REJECTION,
                Field("connection_type", Kind.TEXT, "Kind of connection (Ethernet, Wi-Fi)."),
                Field("platform", Kind.TEXT, "Where wolkvox Agent runs (app, web)."),
                Field("last_date", Kind.INSTANT, "When the agent's network was last measured."),
            ),
        ),
        Field(
            "by_ip",
            Kind.OBJECTS,
            "One object per public IP address agents connect from.",
            items=(
                Field("ip", Kind.TEXT, "Public IP address."),
                Field("total_agents", Kind.INTEGER, "Agents connected from it."),
                _ms("average_latency", "Average latency of those agents"),
                _ms("maximum", "Highest latency of those agents"),
                _ms("minimum", "Lowest latency of those agents"),
                _REJECTION,
            ),
        ),
        Field(
            "by_pbx",
            Kind.OBJECTS,
            "One object per PBX (SIP) user.",
            items=(
                Field("user", Kind.TEXT, "PBX user (extension)."),
                Field("status", Kind.TEXT, "Registration status of the user."),
                *_JITTER_AND_LOSS,
            ),
        ),
    ),
    key=(),
)

SKILLS = _snapshot(
    api="skills",
    stream="realtime_skills",
    title="Skill queues now",
    description="One row per skill (queue) per read: calls waiting now, and today's inbound, "
    "answered and abandoned calls and service levels so far. Keyed by when it was read and "
    "skill_id.",
    fields=(
        SKILL_ID,
        SKILL_NAME,
        Field("calls_in_queue_now", Kind.INTEGER, "Calls waiting in the queue now."),
        Field("stat_inbound", Kind.INTEGER, "Inbound calls that entered the skill."),
        Field("stat_answer", Kind.INTEGER, "Inbound calls answered by an agent."),
        Field("stat_abandon", Kind.INTEGER, "Inbound calls abandoned before an agent answered."),
        _REPORTED["service_level_10seg"],
        _REPORTED["service_level_20seg"],
        _REPORTED["service_level_30seg"],
        Field(
            "service_level_services_time",
            Kind.PERCENT,
            "Service level (%) at the seconds in services_time (sent as service_level_<seconds>"
            "seg when the services_time setting asks for it); empty when it does not.",
            aliases=("service_level_XXseg",),
        ),
        Field(
            "services_time",
            Kind.INTEGER,
            "The seconds service_level_services_time is for (the services_time setting then).",
        ),
        Field(
            "by_abandon",
            Kind.PERCENT,
            "Share (%) of inbound calls abandoned (the table names it only).",
        ),
    ),
    key=("skill_id",),
    params=(SKILL_ID_PARAM,),
    fixed_params=(SERVICES_TIME_PARAM,),
)

CAMPAIGNS = _snapshot(
    api="campaigns",
    stream="realtime_campaigns",
    title="Campaigns now",
    description="One row per outbound campaign per read: its status and speed now, and its "
    "records, dialling results, penetration and hits so far. Keyed by when it was read and "
    "campaign (the field the reply names it by).",
    fields=(
        Field("campaign", Kind.TEXT, "The campaign (its ID or name: the table does not say)."),
        Field("speed", Kind.TEXT, "Dialling speed, as sent (as in the campaigns table)."),
        Field("status", Kind.TEXT, "Campaign status now."),
        Field("skill_id", Kind.TEXT, "The skill the campaign's calls go to."),
        Field("records", Kind.INTEGER, "Records loaded in the campaign."),
        Field("clean", Kind.INTEGER, "Records not yet dialled."),
        Field("dial", Kind.INTEGER, "Dialling attempts."),
        Field("answer", Kind.INTEGER, "Attempts answered by a person."),
        Field("no_answer", Kind.INTEGER, "Attempts nobody answered."),
        Field(
            "busy_congestion_failed",
            Kind.INTEGER,
            "Attempts busy, congested or failed.",
            aliases=("busy/congestion/failed",),
        ),
        Field("answer_machine", Kind.INTEGER, "Attempts answered by a machine."),
        Field("penetration_day", Kind.PERCENT, "Share (%) of the records dialled today."),
        Field("penetration_now", Kind.PERCENT, "Penetration (%) now."),
        Field("hits", Kind.INTEGER, "Successful outcomes (hits) of the campaign."),
        Field("calls_x_min", Kind.NUMBER, "Calls per minute."),
        Field("recycled", Kind.TEXT, "Recycling, as sent (as in the campaigns table)."),
    ),
    key=("campaign",),
    # The documented reply is a bare list of rows, without the envelope the others have.
    bare_list=True,
)

CHATS = _snapshot(
    api="chats",
    stream="realtime_chats",
    title="Active chats by agent",
    description="One row per agent with chats in progress, per read, holding those chats "
    "(active_chats) and each chat's messages so far (conversation). Keyed by when it was read "
    "and agent_id.",
    fields=(
        AGENT_ID,
        Field(
            "active_chats",
            Kind.OBJECTS,
            "One object per chat the agent is attending now.",
            items=(
                CONN_ID,
                Field("channel", Kind.TEXT, "Channel of the chat (whatsapp, web, facebook...)."),
                Field("connector_id", Kind.TEXT, "Connector the chat came through."),
                CUSTOMER_PHONE,
                Field(
                    "conversation",
                    Kind.OBJECTS,
                    "One object per message of the chat so far.",
                    items=(
                        Field("from", Kind.TEXT, "Who wrote it (AGENT or CUSTOMER)."),
                        Field("msg", Kind.TEXT, "The message's text."),
                        Field("date", Kind.INSTANT, "Date/time of the message."),
                    ),
                ),
            ),
        ),
    ),
    key=("agent_id",),
)

INTERACTIONS = _snapshot(
    api="interactions",
    stream="realtime_interactions",
    title="Active interactions by agent",
    description="One row per agent with omnichannel interactions (e-mail, social posts) in "
    "progress, per read, holding those interactions (active_interactions). Keyed by when it was "
    "read and agent_id.",
    fields=(
        AGENT_ID,
        Field(
            "active_interactions",
            Kind.OBJECTS,
            "One object per interaction the agent is attending now.",
            items=(
                CONN_ID,
                Field("subject", Kind.TEXT, "Subject of the interaction."),
                Field("fromname", Kind.TEXT, "Name of who sent it."),
                Field("date", Kind.INSTANT, "Date/time of the interaction."),
            ),
        ),
    ),
    key=("agent_id",),
)

SCHEDULED_RECALLS = _snapshot(
    api="recall",
    stream="realtime_scheduled_recalls",
    title="Scheduled recalls",
    description="One row per recall scheduled in the campaigns, per read (type=all: every "
    "type). The reply has no ID, so the key is when it was read and every field it sends, with "
    "_occurrence numbering identical recalls.",
    fields=(
        Field("type_recall", Kind.TEXT, "Type of recall (for an agent, or for the campaign)."),
        Field("date_recall", Kind.INSTANT, "When the recall is scheduled."),
        Field("phone_number", Kind.TEXT, "Number to call back."),
        Field(
            "id_campaign",
            Kind.TEXT,
            "Campaign of the recall (the sample sends id_campaing).",
            aliases=("id_campaing",),
        ),
        Field("id_agent", Kind.TEXT, "Agent the recall is for."),
    ),
    key=("type_recall", "date_recall", "phone_number", "id_campaign", "id_agent"),
    constant_params=(("type", "all"),),
)

#: Every real-time request, in the collection's order.
SNAPSHOTS: tuple[Dimension, ...] = (
    AGENTS,
    CALLS_LAST_10_MINUTES,
    HITS_LAST_HOUR,
    SERVER_LOAD,
    NETWORK_LATENCY,
    SKILLS,
    CAMPAIGNS,
    CHATS,
    INTERACTIONS,
    SCHEDULED_RECALLS,
)
