"""Disposition (activity) codes (act_*)."""

from __future__ import annotations

from tap_wolkvox.declarations.model import Field, Kind, Param, Report
from tap_wolkvox.declarations.shared import (
    AGENT_DNI,
    AGENT_ID,
    AGENT_NAME,
    CALL_DURATION,
    CAMPAIGN_ID,
    COD_ACT,
    CONN_ID,
    CUSTOMER_ID,
    DESCRIPTION_COD_ACT,
    DESTINY,
    SKILL_ID,
    TELEPHONE,
    TYPE_INTERACTION,
    reports_in,
)

# The extra query parameter every report of this family takes.
DISPOSITION_CODE_PARAM = Param(name="cod_act", setting="disposition_code_variant")

AGENT_DAILY_CALLS_BY_DISPOSITION = Report(
    api="act_1",
    stream="agent_daily_calls_by_disposition",
    title="Disposition codes per agent",
    description="How many calls each agent coded with each disposition code.",
    fields=(
        Field("count", Kind.INTEGER, "Calls coded with that code by the agent."),
        AGENT_NAME,
        AGENT_DNI,
        COD_ACT,
        DESCRIPTION_COD_ACT,
    ),
    primary_key=("report_date", "agent_dni", "agent_name", "cod_act"),
    grain="aggregate",
    params=(DISPOSITION_CODE_PARAM,),
)

SKILL_DAILY_CALLS_BY_DISPOSITION = Report(
    api="act_2",
    stream="skill_daily_calls_by_disposition",
    title="Disposition codes per skill",
    description="How many calls were coded with each disposition code, per skill.",
    fields=(
        Field("count", Kind.INTEGER, "Calls coded with that code in the skill."),
        SKILL_ID,
        COD_ACT,
        DESCRIPTION_COD_ACT,
    ),
    primary_key=("report_date", "skill_id", "cod_act"),
    grain="aggregate",
    params=(DISPOSITION_CODE_PARAM,),
)

CODED_CALLS = Report(
    api="act_3",
    stream="coded_calls",
    title="Disposition code detail",
    description=(
        "One row per coded call with agent, skill, codes, comments, phone, duration and campaign."
    ),
    fields=(
        CONN_ID,
        AGENT_ID,
        AGENT_NAME,
        AGENT_DNI,
        SKILL_ID,
        Field("date", Kind.INSTANT, "Date/time of the coded call."),
        COD_ACT,
        DESCRIPTION_COD_ACT,
        Field("cod_act_2", Kind.TEXT, "Second disposition code ID (may read TIMEOUTACW)."),
        Field(
            "description_cod_act_2", Kind.TEXT, "Text description of the second disposition code."
        ),
        Field("comments", Kind.TEXT, "Free-text comments entered by the agent."),
        TYPE_INTERACTION,
        TELEPHONE,
        DESTINY,
        CALL_DURATION,
        Field("hang_up", Kind.TEXT, "Which party ended the interaction."),
        CUSTOMER_ID,
        CAMPAIGN_ID,
    ),
    primary_key=("conn_id", "date", "agent_id"),
    timestamp="date",
    params=(DISPOSITION_CODE_PARAM,),
)

AGENT_DAILY_UNCODED_CALLS = Report(
    api="act_4",
    stream="agent_daily_uncoded_calls",
    title="Uncoded calls per agent",
    description="Per agent, how many calls were left without a disposition code.",
    fields=(
        Field("uncode_calls", Kind.INTEGER, "Calls left without a disposition code."),
        AGENT_ID,
        AGENT_NAME,
    ),
    primary_key=("report_date", "agent_id"),
    grain="aggregate",
)

DAILY_CALLS_BY_DISPOSITION = Report(
    api="act_5",
    stream="daily_calls_by_disposition",
    title="Disposition codes grouped by code",
    description="Usage count per disposition code over the range.",
    fields=(
        Field("count", Kind.INTEGER, "Times the code was used in the range."),
        COD_ACT,
        DESCRIPTION_COD_ACT,
    ),
    primary_key=("report_date", "cod_act"),
    grain="aggregate",
    params=(DISPOSITION_CODE_PARAM,),
)

#: The reports above, in the order they are declared.
REPORTS = reports_in(globals())
