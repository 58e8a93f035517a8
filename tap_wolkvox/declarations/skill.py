"""Skills (queues) and service levels (skill_*); every one needs skill_id."""

from __future__ import annotations

from tap_wolkvox.declarations.model import Field, Kind, Param, Report
from tap_wolkvox.declarations.shared import (
    AGENT_ID,
    AHT,
    ANI,
    ASA,
    CONN_ID,
    CUSTOMER_ID,
    SKILL_ID,
    SKILL_NAME,
    reports_in,
)

# The extra query parameter every report of this family takes.
SKILL_ID_PARAM = Param(name="skill_id", setting="skill_ids")

# Call handling averages and service levels.
HOUR = Field("hour", Kind.TEXT, "Hour of the day.")
INBOUND_CALLS = Field(
    "inbound_calls", Kind.INTEGER, "Inbound calls that entered the skill/operation."
)
ANSWER_CALLS = Field("answer_calls", Kind.INTEGER, "Count of inbound calls answered by an agent.")
ABANDON_CALLS = Field(
    "abandon_calls",
    Kind.INTEGER,
    "Count of inbound calls abandoned by the caller before being answered.",
)
ABANDON = Field(
    "abandon",
    Kind.PERCENT,
    "Share (%) of inbound calls the caller hung up before reaching an agent.",
)
# Documented as mean seconds, as ASA is: read as a number of seconds (see shared.ASA).
ATA = Field(
    "ata",
    Kind.SECONDS,
    "Average time to abandon: mean seconds callers waited before hanging up.",
)
ATT = Field("att", Kind.DURATION, "Average talk time per call.")
ACW = Field("acw", Kind.DURATION, "Average after-call-work time (wrap-up/coding after hanging up).")

# Runs of fields several reports of this family share.
#: Inbound call counts and service levels of a skill, DNIS or interaction type.
SERVICE_LEVEL_FIELDS = (
    INBOUND_CALLS,
    ANSWER_CALLS,
    ABANDON_CALLS,
    Field("service_level_10seg", Kind.PERCENT, "Percent of calls answered within 10 s."),
    Field("service_level_20seg", Kind.PERCENT, "Percent of calls answered within 20 s."),
    Field("service_level_30seg", Kind.PERCENT, "Percent of calls answered within 30 s."),
)

SKILL_DAILY_SERVICE_LEVELS = Report(
    api="skill_1",
    stream="skill_daily_service_levels",
    title="Calls and service level by skill",
    description=(
        "Per skill: inbound/answered/abandoned calls, service level at 10/20/30 s (plus an "
        "optional custom threshold), abandon rate, ASA and ATA."
    ),
    fields=(
        SKILL_NAME,
        SKILL_ID,
        *SERVICE_LEVEL_FIELDS,
        ABANDON,
        Field("asa", Kind.SECONDS, "Average seconds waited before answer."),
        ATA,
    ),
    primary_key=("report_date", "skill_id"),
    grain="aggregate",
    # The optional services_time parameter adds a column named after its value
    # (service_level_<N>seg); it is not sent, so the schema stays fixed.
    params=(SKILL_ID_PARAM,),
)

ABANDONED_CALLS = Report(
    api="skill_2",
    stream="abandoned_calls",
    title="Abandoned calls detail",
    description=(
        "One row per inbound interaction the customer abandoned before being served, with wait "
        "time and origin number."
    ),
    fields=(
        SKILL_NAME,
        SKILL_ID,
        CONN_ID,
        Field("date", Kind.INSTANT, "Date/time of the abandoned call."),
        Field("result", Kind.TEXT, "Call result (abandoned/answered)."),
        ANI,
        Field("abandon_time", Kind.DURATION, "How long the caller waited before hanging up."),
        Field(
            "type_interaction",
            Kind.TEXT,
            "Interaction type (inbound, chat-whatsapp, chat-web, omni-email, out_pre, ...).",
        ),
        CUSTOMER_ID,
    ),
    primary_key=("conn_id", "date", "skill_id"),
    timestamp="date",
    params=(SKILL_ID_PARAM,),
)

SKILL_DAILY_SERVICE_LEVELS_BY_DATE = Report(
    api="skill_3",
    stream="skill_daily_service_levels_by_date",
    title="Calls and service level per day",
    description=(
        "Per skill and day: inbound/answered/abandoned calls, service levels, wait time, abandon "
        "rate, ASA, ATA and AHT."
    ),
    fields=(
        SKILL_NAME,
        Field(
            "date",
            Kind.DAY,
            "Day the totals refer to (a public client reads the key as day).",
            aliases=("day",),
        ),
        *SERVICE_LEVEL_FIELDS,
        Field("wait_time", Kind.DURATION, "Waiting time in queue."),
        ABANDON,
        ASA,
        ATA,
        AHT,
    ),
    primary_key=("report_date", "skill_name"),
    grain="aggregate",
    params=(SKILL_ID_PARAM,),
)

SKILL_HOURLY_SERVICE_LEVELS = Report(
    api="skill_4",
    stream="skill_hourly_service_levels",
    title="Calls and service level per hour",
    description=(
        "Per skill and hour: call volumes, service levels, abandon rate, ASA, AHT, ATA, ATT and "
        "ACW."
    ),
    fields=(SKILL_ID, HOUR, *SERVICE_LEVEL_FIELDS, ASA, ABANDON, AHT, ATA, ATT, ACW),
    primary_key=("report_date", "skill_id", "hour"),
    grain="aggregate",
    params=(SKILL_ID_PARAM,),
)

SKILL_HALF_HOURLY_SERVICE_LEVELS = Report(
    api="skill_4_1",
    stream="skill_half_hourly_service_levels",
    title="Calls and service level per 30 minutes",
    description="Same as skill_4 in 30-minute slots.",
    fields=(
        SKILL_ID,
        Field("hour", Kind.TEXT, "Start of the 30-minute slot."),
        *SERVICE_LEVEL_FIELDS,
        ASA,
        ABANDON,
        ATA,
        AHT,
        ATT,
        ACW,
    ),
    primary_key=("report_date", "skill_id", "hour"),
    grain="aggregate",
    params=(SKILL_ID_PARAM,),
)

SKILL_TEN_MINUTE_SERVICE_LEVELS = Report(
    api="skill_4_2",
    stream="skill_ten_minute_service_levels",
    title="Calls and service level per 10 minutes",
    description="Same as skill_4 in 10-minute slots.",
    fields=(
        SKILL_ID,
        Field("hour", Kind.TEXT, "Start of the 10-minute slot."),
        *SERVICE_LEVEL_FIELDS,
        ASA,
        ABANDON,
        ATA,
        AHT,
        ACW,
        ATT,
    ),
    primary_key=("report_date", "skill_id", "hour"),
    grain="aggregate",
    params=(SKILL_ID_PARAM,),
)

SKILL_HOURLY_WORKFORCE = Report(
    api="skill_5",
    stream="skill_hourly_workforce",
    title="Workforce per hour",
    description=(
        "Per skill and hour: inbound calls, unique callers, AHT and the estimated number of "
        "agents needed."
    ),
    fields=(
        SKILL_ID,
        HOUR,
        INBOUND_CALLS,
        Field(
            "inbound_calls_unique_customers",
            Kind.INTEGER,
            "Inbound calls counted once per distinct customer.",
        ),
        Field("aht", Kind.DURATION, "Average handling time used for the staffing estimate."),
        Field("agents_needed", Kind.NUMBER, "Estimated number of agents required for that hour."),
    ),
    primary_key=("report_date", "skill_id", "hour"),
    grain="aggregate",
    params=(SKILL_ID_PARAM,),
)

DNIS_DAILY_SERVICE_LEVELS = Report(
    api="skill_6",
    stream="dnis_daily_service_levels",
    title="Calls and service level by DNIS",
    description=(
        "Service-level and abandonment figures grouped by the number the customers dialled."
    ),
    fields=(
        Field("dnis", Kind.TEXT, "Number dialled by the customers (groups the row)."),
        *SERVICE_LEVEL_FIELDS,
        ABANDON,
        ASA,
        ATA,
    ),
    primary_key=("report_date", "dnis"),
    grain="aggregate",
    params=(SKILL_ID_PARAM,),
)

SKILL_HOURLY_SERVICE_LEVELS_BY_DATE = Report(
    api="skill_7",
    stream="skill_hourly_service_levels_by_date",
    title="Calls and service level per hour for all skills, per day",
    description=(
        "Per day, skill and hour: call volumes, service levels, wait time, abandon rate, AHT, "
        "ASA and ATA."
    ),
    fields=(
        Field("date", Kind.DAY, "Day of the totals."),
        SKILL_ID,
        SKILL_NAME,
        HOUR,
        *SERVICE_LEVEL_FIELDS,
        Field("wait_time", Kind.DURATION, "Waiting time in queue."),
        ABANDON,
        AHT,
        ASA,
        ATA,
    ),
    primary_key=("report_date", "skill_id", "hour"),
    grain="aggregate",
    params=(SKILL_ID_PARAM,),
)

SKILL_DAILY_ANSWERED_CALL_BUCKETS = Report(
    api="skill_8",
    stream="skill_daily_answered_call_buckets",
    title="Calls answered by time interval",
    description="Per skill, answered calls split into 10-second waiting buckets.",
    fields=(
        SKILL_ID,
        SKILL_NAME,
        ANSWER_CALLS,
        Field(
            "answer_0seg_10seg", Kind.INTEGER, "Inbound calls answered within 0-10 s of waiting."
        ),
        Field(
            "answer_11seg_20seg", Kind.INTEGER, "Inbound calls answered after 11-20 s of waiting."
        ),
        Field(
            "answer_21seg_30seg", Kind.INTEGER, "Inbound calls answered after 21-30 s of waiting."
        ),
        Field(
            "answer_31seg_40seg", Kind.INTEGER, "Inbound calls answered after 31-40 s of waiting."
        ),
        Field(
            "answer_41seg_50seg", Kind.INTEGER, "Inbound calls answered after 41-50 s of waiting."
        ),
        Field(
            "anwers_greater_than_51seg",
            Kind.INTEGER,
            "Answered calls that waited more than 51 s (key spelled as sent).",
        ),
    ),
    primary_key=("report_date", "skill_id"),
    grain="aggregate",
    params=(SKILL_ID_PARAM,),
)

SKILL_DAILY_ABANDONED_CALL_BUCKETS = Report(
    api="skill_9",
    stream="skill_daily_abandoned_call_buckets",
    title="Abandoned calls by time interval",
    description=(
        "Per skill, abandoned calls split into 10-second waiting buckets. Bucket keys are "
        "spelled differently by the English field table (abandon_*), the Spanish one (answer_*, "
        "anwers_greater_than_51seg) and the vendor's sample reply (abandon_11seg_20_seg, "
        "abandon_greater_than_51seg): each bucket is one column that any of its spellings fills."
    ),
    fields=(
        SKILL_ID,
        SKILL_NAME,
        ABANDON_CALLS,
        Field(
            "abandon_0seg_10seg",
            Kind.INTEGER,
            "Abandoned calls whose wait before hanging up was 0-10 s.",
            aliases=("answer_0seg_10seg",),
        ),
        Field(
            "abandon_11seg_20seg",
            Kind.INTEGER,
            "Abandoned calls whose wait before hanging up was 11-20 s.",
            aliases=("abandon_11seg_20_seg", "answer_11seg_20seg"),
        ),
        Field(
            "abandon_21seg_30seg",
            Kind.INTEGER,
            "Abandoned calls whose wait before hanging up was 21-30 s.",
            aliases=("answer_21seg_30seg",),
        ),
        Field(
            "abandon_31seg_40seg",
            Kind.INTEGER,
            "Abandoned calls whose wait before hanging up was 31-40 s.",
            aliases=("answer_31seg_40seg",),
        ),
        Field(
            "abandon_41seg_50seg",
            Kind.INTEGER,
            "Abandoned calls whose wait before hanging up was 41-50 s.",
            aliases=("answer_41seg_50seg",),
        ),
        Field(
            "abandon_greater_than_51seg",
            Kind.INTEGER,
            "Abandoned calls that waited more than 51 s (named as the sample sends it; the "
            "Spanish field table says anwers_greater_than_51seg).",
            aliases=("anwers_greater_than_51seg",),
        ),
    ),
    primary_key=("report_date", "skill_id"),
    grain="aggregate",
    params=(SKILL_ID_PARAM,),
)

ANSWERED_CALLS = Report(
    api="skill_10",
    stream="answered_calls",
    title="Answered calls detail",
    description=(
        "One row per answered inbound interaction with skill, ANI, answering agent and time to "
        "answer."
    ),
    fields=(
        CONN_ID,
        SKILL_ID,
        SKILL_NAME,
        Field("date", Kind.INSTANT, "Date/time of the answered call."),
        Field("result", Kind.TEXT, "Call result."),
        ANI,
        Field(
            "answer_time",
            Kind.DURATION,
            "Time from the call entering the skill until the agent answered.",
        ),
        AGENT_ID,
        Field(
            "type_interaction",
            Kind.TEXT,
            "Interaction type (inbound, chat-whatsapp, chat-web, omni-email, out_pre, ...).",
        ),
    ),
    primary_key=("conn_id", "date", "skill_id"),
    timestamp="date",
    params=(SKILL_ID_PARAM,),
)

INTERACTION_TYPE_DAILY_SERVICE_LEVELS = Report(
    api="skill_11",
    stream="interaction_type_daily_service_levels",
    title="Calls and service level by interaction type",
    description=(
        "Service-level and abandonment figures grouped by interaction type (voice and digital "
        "channels)."
    ),
    fields=(
        Field(
            "type_interaction",
            Kind.TEXT,
            "Interaction type the row aggregates (inbound, chat-whatsapp, omni-email, ...).",
        ),
        *SERVICE_LEVEL_FIELDS,
        ABANDON,
        ASA,
        ATA,
    ),
    primary_key=("report_date", "type_interaction"),
    grain="aggregate",
    params=(SKILL_ID_PARAM,),
)

#: The reports above, in the order they are declared.
REPORTS = reports_in(globals())
