"""Quality evaluations (quality_*)."""

from __future__ import annotations

from tap_wolkvox.declarations.model import Field, Kind, Report
from tap_wolkvox.declarations.shared import (
    AGENT_ID,
    AGENT_NAME,
    COD_ACT,
    CONN_ID,
    SKILL_ID,
    reports_in,
)

# Quality evaluations.
QUALITY_SURVEY = Field("survey", Kind.TEXT, "Evaluation template (form) used.")
PRECISION_UNIT_CRITICAL_ERROR = Field(
    "precision_unit_critical_error",
    Kind.PERCENT,
    "Critical-error precision score per unit (100% = no critical error committed).",
)
ACCURACY = Field("accuracy", Kind.PERCENT, "Average score (%) obtained in the quality evaluations.")

AGENT_DAILY_QUALITY_RESULTS = Report(
    api="quality_1",
    stream="agent_daily_quality_results",
    title="Quality results per agent",
    description="Per agent: number of evaluations, critical-error precision scores and accuracy.",
    fields=(
        AGENT_ID,
        AGENT_NAME,
        Field("evaluations", Kind.INTEGER, "Number of evaluations performed."),
        PRECISION_UNIT_CRITICAL_ERROR,
        Field(
            "precision_opportunity_critical_error",
            Kind.PERCENT,
            "Critical-error precision score (100% = no critical error committed).",
        ),
        ACCURACY,
    ),
    primary_key=("report_date", "agent_id"),
    grain="aggregate",
)

QUALITY_EVALUATIONS = Report(
    api="quality_2",
    stream="quality_evaluations",
    title="Evaluation results per agent (detail)",
    description=(
        "One row per evaluated interaction with scores, template, code, channel and feedback."
    ),
    fields=(
        CONN_ID,
        AGENT_ID,
        AGENT_NAME,
        Field("comments", Kind.TEXT, "Evaluator comments."),
        PRECISION_UNIT_CRITICAL_ERROR,
        Field(
            "precision_opportunity_error",
            Kind.PERCENT,
            "Critical-error precision score (100% = no critical error committed).",
        ),
        ACCURACY,
        Field("date", Kind.INSTANT, "Date/time of the evaluated interaction."),
        QUALITY_SURVEY,
        COD_ACT,
        Field("channel", Kind.TEXT, "Channel of the evaluated interaction."),
        Field("feedback", Kind.TEXT, "Feedback given to the agent."),
        SKILL_ID,
    ),
    primary_key=("conn_id", "date", "agent_id", "survey"),
    timestamp="date",
)

QUALITY_ATTRIBUTE_EVALUATIONS = Report(
    api="quality_3",
    stream="quality_attribute_evaluations",
    title="Evaluation detail per attribute",
    description=(
        "One row per attribute evaluated in an interaction (met or not, error type, category, "
        "analyst)."
    ),
    fields=(
        CONN_ID,
        AGENT_ID,
        AGENT_NAME,
        Field(
            "attribute", Kind.TEXT, "Quality attribute (standardised behaviour) being evaluated."
        ),
        Field("type_error", Kind.TEXT, "Error type: critical (CE) or non-critical (NCE)."),
        Field(
            "yes_no",
            Kind.TEXT,
            "Whether the agent met the attribute (yes/no).",
            aliases=("yes/no",),
        ),
        Field("date", Kind.INSTANT, "Date/time of the evaluated interaction."),
        QUALITY_SURVEY,
        Field("category", Kind.TEXT, "Evaluation category (e.g. greeting, negotiation, closing)."),
        Field("quality_analyst", Kind.TEXT, "Analyst who evaluated (QAi_Bot when done by the AI)."),
        Field("channel", Kind.TEXT, "chat, chat-web, chat-whatsapp or voice."),
        Field(
            "ai_comment",
            Kind.TEXT,
            "Comment from the quality analyst or from the AI quality analysis of the interaction.",
        ),
    ),
    primary_key=("conn_id", "date", "survey", "category", "attribute"),
    timestamp="date",
)

QUALITY_ATTRIBUTE_DAILY_RESULTS = Report(
    api="quality_4",
    stream="quality_attribute_daily_results",
    title="Results per attribute",
    description="Per attribute: times met / not met and compliance percentage.",
    fields=(
        Field(
            "attribute", Kind.TEXT, "Quality attribute (standardised behaviour) being evaluated."
        ),
        Field("yes", Kind.INTEGER, "Times the attribute was met."),
        Field("no", Kind.INTEGER, "Times the attribute was not met."),
        Field("percent", Kind.PERCENT, "Compliance percentage for the attribute."),
        QUALITY_SURVEY,
        Field("category", Kind.TEXT, "Evaluation category (e.g. greeting, negotiation, closing)."),
    ),
    primary_key=("report_date", "survey", "category", "attribute"),
    grain="aggregate",
)

QUALITY_ANALYST_DAILY_RESULTS = Report(
    api="quality_5",
    stream="quality_analyst_daily_results",
    title="Results per quality analyst",
    description="Per analyst: evaluations performed and average scores.",
    fields=(
        Field("quality_analyst", Kind.TEXT, "Analyst who evaluated (QAi_Bot when done by the AI)."),
        Field("evaluations", Kind.INTEGER, "Number of evaluations performed."),
        PRECISION_UNIT_CRITICAL_ERROR,
        Field(
            "precision_opportunity_critical_error",
            Kind.PERCENT,
            "Critical-error precision score (100% = no critical error committed).",
        ),
        ACCURACY,
    ),
    primary_key=("report_date", "quality_analyst"),
    grain="aggregate",
)

#: The reports above, in the order they are declared.
REPORTS = reports_in(globals())
