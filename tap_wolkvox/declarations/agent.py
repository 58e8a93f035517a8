"""Agents: states, sessions, transfers, preview time (agent_*)."""

from __future__ import annotations

from tap_wolkvox.declarations.model import Field, Kind, Param, Report, VoiceIds
from tap_wolkvox.declarations.shared import (
    AGENT_DNI,
    AGENT_ID,
    AGENT_NAME,
    AHT,
    CALL_DATE,
    CALL_DURATION,
    CAMPAIGN_ID,
    CONN_ID,
    CUSTOMER_ID,
    DESTINY,
    SKILL_ID,
    SKILL_NAME,
    TELEPHONE,
    TYPE_INTERACTION,
    reports_in,
)

# Agent activity totals.
CALLS = Field("calls", Kind.INTEGER, "Calls (inbound + outbound + internal).")
LOGIN_TIME = Field("login_time", Kind.DURATION, "Time logged in to wolkvox Agent (HH:MM:SS).")

# Runs of fields several reports of this family share.
#: An agent's (or all agents') calls and time per state over a period; follows a calls field.
AGENT_ACTIVITY_FIELDS = (
    Field("inbound", Kind.INTEGER, "Inbound calls handled."),
    Field("outbound", Kind.INTEGER, "Outbound calls handled."),
    Field("internal", Kind.INTEGER, "Internal calls handled (within the operation)."),
    Field("ready_time", Kind.DURATION, "Time spent in the ready state."),
    Field("inbound_time", Kind.DURATION, "Time spent on inbound calls."),
    Field("outbound_time", Kind.DURATION, "Time spent on outbound calls."),
    Field(
        "acw_time",
        Kind.DURATION,
        "Total time spent in after-call work (wrap-up) in the period.",
    ),
    Field("ring_time", Kind.DURATION, "Ringing time (from dialling until answer)."),
    LOGIN_TIME,
    AHT,
    Field("occupancy", Kind.PERCENT, "Occupancy: share of time busy on calls or wrap-up."),
    Field("aux_time", Kind.DURATION, "Total time spent in auxiliary (pause) states."),
)
#: Times of a Preview-campaign call, or an agent's totals of them.
PREVIEW_TIME_FIELDS = (
    Field("time_preview", Kind.DURATION, "Time from receiving the record to dialling manually."),
    Field("ready", Kind.DURATION, "Time in ready state."),
    Field("talk", Kind.DURATION, "Talk time."),
    Field("not_ready_acw", Kind.DURATION, "Time in not-ready / ACW after the call."),
    Field("auxiliary_times", Kind.DURATION, "Time spent in auxiliary states."),
    Field("ring", Kind.DURATION, "Ringing time."),
    Field("total_duration", Kind.DURATION, "Total handling duration."),
    Field(
        "preview_percent",
        Kind.PERCENT,
        'Preview time as a percentage of total handling time (text such as "28.81 %").',
    ),
)

AGENT_DAILY_PERFORMANCE = Report(
    api="agent_1",
    stream="agent_daily_performance",
    title="Agent time by state",
    description=(
        "Per-agent totals for the range: calls by direction, time in ready/ACW/ring/aux, AHT, "
        "occupancy, hits, RPC and first login / last logout."
    ),
    fields=(
        AGENT_ID,
        AGENT_DNI,
        AGENT_NAME,
        Field("calls", Kind.INTEGER, "Calls handled in the range (inbound + outbound + internal)."),
        *AGENT_ACTIVITY_FIELDS,
        Field("hits", Kind.INTEGER, "Successful outcomes (hits / sales) credited to the agent."),
        Field("rpc", Kind.INTEGER, "Right-party / first-contact successes credited to the agent."),
        Field(
            "aht_outbund",
            Kind.DURATION,
            "Average handling time for outbound calls (key spelled as sent).",
        ),
        Field("aht_inbound", Kind.DURATION, "Average handling time for inbound calls."),
        Field(
            "login",
            Kind.INSTANT,
            'Login date/time of the agent in the queried range ("-" when none).',
        ),
        Field(
            "logout",
            Kind.INSTANT,
            'Logout date/time of the agent in the queried range ("-" when none).',
        ),
    ),
    primary_key=("report_date", "agent_id"),
    grain="aggregate",
)

SELECTED_AGENT_STATE_EVENTS = Report(
    api="agent_2",
    stream="selected_agent_state_events",
    title="Agent by event (single agent)",
    description=(
        "Chronological list of the states one agent went through, each with start, end, duration "
        "and the linked call."
    ),
    fields=(
        Field("agent_id", Kind.TEXT, "Agent ID (the one requested)."),
        Field(
            "agent_status",
            Kind.TEXT,
            "State the agent was in (built-ins such as READY, TALK, ACW, RING, plus the "
            "auxiliary states defined by the operation).",
        ),
        Field("time", Kind.DURATION, "Time spent in that state (HH:MM:SS)."),
        Field("date_ini", Kind.INSTANT, "When the state started."),
        Field("date_end", Kind.INSTANT, "When the state ended."),
        Field("conn_id", Kind.TEXT, "Call ID linked to the event, if any."),
        TYPE_INTERACTION,
        DESTINY,
        Field("telephone", Kind.TEXT, "Phone number or address involved (depends on channel)."),
        Field("campaign_id", Kind.TEXT, "Campaign of the call, if any."),
    ),
    primary_key=("agent_id", "date_ini", "agent_status"),
    timestamp="date_ini",
    params=(Param(name="agent_id", setting="agent_ids"),),
)

AGENT_DAILY_AUX_TIMES = Report(
    api="agent_3",
    stream="agent_daily_aux_times",
    title="Auxiliary time per agent",
    description="Time each agent spent in each configured auxiliary (pause) state over the range.",
    fields=(
        AGENT_ID,
        AGENT_DNI,
        AGENT_NAME,
        Field(
            "aux_state",
            Kind.TEXT,
            "Name of the auxiliary (pause) state configured by the operation.",
        ),
        Field(
            "time",
            Kind.DURATION,
            "Total time the agent spent in that auxiliary state over the range (HH:MM:SS).",
        ),
    ),
    primary_key=("report_date", "agent_id", "aux_state"),
    grain="aggregate",
)

AGENT_DAILY_PERFORMANCE_BY_CAMPAIGN = Report(
    api="agent_4",
    stream="agent_daily_performance_by_campaign",
    title="Agent states per campaign",
    description=(
        "Per-agent and per-campaign totals of calls and of time in each state (ready, ACW, ring, "
        "login, AHT, occupancy, aux)."
    ),
    fields=(
        AGENT_ID,
        AGENT_NAME,
        CALLS,
        *AGENT_ACTIVITY_FIELDS,
        Field("campaign_id", Kind.TEXT, "Campaign the totals belong to."),
    ),
    primary_key=("report_date", "agent_id", "campaign_id"),
    grain="aggregate",
)

AGENT_DAILY_STATES_BY_HOUR = Report(
    api="agent_5",
    stream="agent_daily_states_by_hour",
    title="States per hour and agent",
    description=(
        "For each agent, a nested list (status_x_hour) with hour-by-hour call counts and state "
        "times."
    ),
    fields=(
        AGENT_NAME,
        AGENT_ID,
        Field(
            "status_x_hour",
            Kind.OBJECTS,
            "Nested list with one object per hour for the agent.",
            items=(
                Field("hour", Kind.TEXT, "Hour of the day (24 h clock)."),
                CALLS,
                *AGENT_ACTIVITY_FIELDS,
            ),
        ),
    ),
    primary_key=("report_date", "agent_id"),
    grain="aggregate",
)

ALL_AGENTS_HOURLY_STATES = Report(
    api="agent_6",
    stream="all_agents_hourly_states",
    title="States per hour (all agents)",
    description="Operation-wide hour-by-hour totals of calls and of agent state times.",
    fields=(
        Field("hour", Kind.TEXT, "Hour of the day (24 h clock; may read like 9 or 09:00)."),
        CALLS,
        *AGENT_ACTIVITY_FIELDS,
    ),
    primary_key=("report_date", "hour"),
    grain="aggregate",
)

AGENT_LOGIN_SESSIONS = Report(
    api="agent_7",
    stream="agent_login_sessions",
    title="Login time (login - logout)",
    description="Login and logout times of each agent per day with the total connected time.",
    fields=(
        AGENT_NAME,
        AGENT_ID,
        AGENT_DNI,
        Field("date", Kind.DAY, "Day of the session (year-month-day)."),
        Field("login", Kind.INSTANT, "Login date/time."),
        Field("logout", Kind.INSTANT, "Logout date/time."),
        LOGIN_TIME,
    ),
    primary_key=("agent_id", "login"),
    timestamp="login",
)

AGENT_HOURLY_STATES = Report(
    api="agent_8",
    stream="agent_hourly_states",
    title="Agent states hour by hour",
    description="Per agent, per day and per hour: calls and time spent in each state.",
    fields=(
        AGENT_NAME,
        AGENT_DNI,
        AGENT_ID,
        Field("date", Kind.DAY, "Day (year-month-day)."),
        Field("hour", Kind.TEXT, "Hour of the day the totals refer to."),
        CALLS,
        *AGENT_ACTIVITY_FIELDS,
    ),
    primary_key=("report_date", "agent_id", "hour"),
    grain="aggregate",
)

AGENT_HALF_HOURLY_STATES = Report(
    api="agent_8_1",
    stream="agent_half_hourly_states",
    title="Agent states per 30 minutes",
    description="Same as agent_8 but in 30-minute slots.",
    fields=(
        AGENT_NAME,
        AGENT_ID,
        AGENT_DNI,
        Field("date", Kind.DAY, "Day (year-month-day)."),
        Field("hour", Kind.TEXT, "Start of the 30-minute slot."),
        CALLS,
        *AGENT_ACTIVITY_FIELDS,
    ),
    primary_key=("report_date", "agent_id", "hour"),
    grain="aggregate",
)

AGENT_DAILY_HOLD_AND_MUTE_TIMES = Report(
    api="agent_9",
    stream="agent_daily_hold_and_mute_times",
    title="Hold and mute time per agent",
    description="Per-agent count of hold/mute actions and the time spent on hold and on mute.",
    fields=(
        AGENT_NAME,
        Field("count", Kind.INTEGER, "Number of hold/mute actions."),
        Field("hold_time", Kind.DURATION, "Time the agent kept customers on hold."),
        Field("mute_time", Kind.DURATION, "Time the agent was muted."),
        Field("total_time", Kind.DURATION, "Hold time plus mute time."),
    ),
    primary_key=("report_date", "agent_name"),
    grain="aggregate",
)

HOLD_AND_MUTE_ACTIONS = Report(
    api="agent_10",
    stream="hold_and_mute_actions",
    title="Hold and mute detail",
    description=(
        "One row per hold or mute action with the call, skill, customer and when it happened."
    ),
    fields=(
        AGENT_NAME,
        AGENT_ID,
        Field("type_action", Kind.TEXT, "Kind of action: hold or mute."),
        CONN_ID,
        TYPE_INTERACTION,
        Field("time", Kind.DURATION, "Duration of the hold/mute action."),
        SKILL_ID,
        Field("date", Kind.INSTANT, "When the hold/mute action happened."),
        Field("telephone", Kind.TEXT, "Customer phone number."),
        CUSTOMER_ID,
    ),
    primary_key=("conn_id", "date", "agent_id", "type_action"),
    timestamp="date",
)

SKILL_DAILY_AGENT_PERFORMANCE = Report(
    api="agent_11",
    stream="skill_daily_agent_performance",
    title="Agent time by state grouped by skill",
    description="Per skill, a nested list of agents (agents) with the same totals as agent_1.",
    fields=(
        SKILL_NAME,
        Field(
            "agents",
            Kind.OBJECTS,
            "Nested list with one object per agent belonging to the skill.",
            items=(
                AGENT_NAME,
                AGENT_DNI,
                AGENT_ID,
                CALLS,
                *AGENT_ACTIVITY_FIELDS,
                Field(
                    "hits",
                    Kind.INTEGER,
                    "Successful outcomes (hits / sales) credited to the agent.",
                ),
                Field(
                    "rpc",
                    Kind.INTEGER,
                    "Right-party contacts (docs also describe it as first-contact resolution).",
                ),
                Field("aht_outbound", Kind.DURATION, "Average handling time for outbound calls."),
                Field("aht_inbound", Kind.DURATION, "Average handling time for inbound calls."),
            ),
        ),
    ),
    primary_key=("report_date", "skill_name"),
    grain="aggregate",
)

AGENT_DAILY_TRANSFERS_AND_CONFERENCES = Report(
    api="agent_12",
    stream="agent_daily_transfers_and_conferences",
    title="Agent conferences and transfers",
    description=(
        "Per agent, how many calls were transferred or turned into conferences and the time "
        "involved. The field table lists skill_name (per skill and agent), but the vendor's "
        "sample reply sends agent_name and agent_id and no skill_name, so the key is the agent: "
        "report_date and agent_id."
    ),
    fields=(
        Field(
            "skill_name", Kind.TEXT, "Skill (queue) name (in the field table, not in the sample)."
        ),
        AGENT_ID,
        Field(
            "agent_name", Kind.TEXT, "Agent display name (in the sample, not in the field table)."
        ),
        Field("transfer_calls", Kind.INTEGER, "Calls transferred."),
        Field("conference_calls", Kind.INTEGER, "Calls that became conferences."),
        Field("total_time", Kind.DURATION, "Time in conferences plus duration of transfers."),
    ),
    primary_key=("report_date", "agent_id"),
    grain="aggregate",
)

AGENT_TRANSFERS_AND_CONFERENCES = Report(
    api="agent_13",
    stream="agent_transfers_and_conferences",
    title="Transfers and conferences, detailed",
    description="One row per transfer or conference an agent made, with call, phone and duration.",
    fields=(
        AGENT_NAME,
        AGENT_ID,
        CONN_ID,
        Field("date", Kind.INSTANT, "Date/time of the transfer or conference."),
        TELEPHONE,
        Field("type_interaction", Kind.TEXT, "transfer or conference."),
        Field("time", Kind.DURATION, "Duration of the transfer/conference."),
    ),
    primary_key=("conn_id", "date", "agent_id", "type_interaction"),
    timestamp="date",
)

TRANSFERRED_AND_CONFERENCED_CALLS = Report(
    api="agent_13_1",
    stream="transferred_and_conferenced_calls",
    title="Specific detail of transfers and conferences",
    description=(
        "One row per transferred/conferenced call with origin and destination agents, skill, "
        "ANI/DNIS and duration."
    ),
    fields=(
        Field("conn_id_transfer", Kind.TEXT, "ID of the transferred or conferenced call."),
        SKILL_ID,
        CALL_DATE,
        Field("ani", Kind.TEXT, "Originating number."),
        Field("origin_agent_id", Kind.TEXT, "Agent who made the transfer/conference."),
        Field("origin_agent_name", Kind.TEXT, "Name of that agent."),
        Field("destiny_agent_id", Kind.TEXT, 'Receiving agent ID ("-" when there is none).'),
        Field("destiny_agent_name", Kind.TEXT, "Receiving agent name (may be empty)."),
        Field("dnis", Kind.TEXT, "Number the call was directed to."),
        CALL_DURATION,
        Field(
            "type_call",
            Kind.TEXT,
            "Call type (inbound, outbound_ma, out_pre, transfer, conference, internal call, ...).",
        ),
        Field("id_call_origin", Kind.TEXT, "ID of the original call before transfer/conference."),
    ),
    primary_key=("conn_id_transfer", "date", "origin_agent_id", "destiny_agent_id"),
    timestamp="date",
)

AGENT_STATE_EVENTS = Report(
    api="agent_14",
    stream="agent_state_events",
    title="Event by agent (all agents)",
    description=(
        "Chronological state events of all agents with start/end, duration and linked call."
    ),
    fields=(
        AGENT_ID,
        Field(
            "agent_status",
            Kind.TEXT,
            "State the agent was in (Ready, Talk, ACW or custom auxiliary states).",
        ),
        Field("time", Kind.DURATION, "Time spent in the state."),
        Field("date_ini", Kind.INSTANT, "When the state started."),
        Field("date_end", Kind.INSTANT, "When the state ended."),
        Field("conn_id", Kind.TEXT, "Call ID linked to the event, if any."),
        TYPE_INTERACTION,
        Field("destinity", Kind.TEXT, "Call destination (key spelled as sent)."),
        TELEPHONE,
        CAMPAIGN_ID,
        AGENT_DNI,
        AGENT_NAME,
    ),
    primary_key=("agent_id", "date_ini", "agent_status"),
    timestamp="date_ini",
)

AGENT_PREVIEW_CALLS = Report(
    api="agent_15",
    stream="agent_preview_calls",
    title="Preview time, detailed",
    description=(
        "One row per Preview-campaign call showing how long the agent took from receiving the "
        "record to dialling, plus talk/ACW/ring times."
    ),
    fields=(
        Field("id_call", Kind.TEXT, "Call/interaction ID."),
        Field("id_agent", Kind.TEXT, "Agent ID."),
        AGENT_NAME,
        Field("type_call", Kind.TEXT, "Call type (e.g. outbound_ma)."),
        Field(
            "date_preview",
            Kind.INSTANT,
            "When the agent received the record in the Preview campaign.",
        ),
        *PREVIEW_TIME_FIELDS,
    ),
    primary_key=("id_call", "date_preview", "id_agent"),
    timestamp="date_preview",
    voice_ids=VoiceIds("id_call", "date_preview"),
)

AGENT_DAILY_PREVIEW_TIMES = Report(
    api="agent_16",
    stream="agent_daily_preview_times",
    title="Preview time grouped by agent",
    description="Per-agent totals of Preview-campaign preparation time and related state times.",
    fields=(
        Field("id_agent", Kind.TEXT, "Agent ID."),
        AGENT_NAME,
        Field("calls", Kind.INTEGER, "Calls handled by the agent in the range."),
        *PREVIEW_TIME_FIELDS,
    ),
    primary_key=("report_date", "id_agent"),
    grain="aggregate",
)

#: The reports above, in the order they are declared.
REPORTS = reports_in(globals())
