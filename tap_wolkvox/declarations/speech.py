"""Speech analytics (speech_*)."""

from __future__ import annotations

from tap_wolkvox.declarations.model import Field, Kind, Report
from tap_wolkvox.declarations.shared import (
    AGENT_DNI,
    AGENT_ID,
    AGENT_NAME,
    COD_ACT,
    CONN_ID,
    CUSTOMER_ID,
    CUSTOMER_PHONE,
    DESCRIPTION_COD_ACT,
    FEELING,
    reports_in,
)

SPEECH_ANALYTICS_INTERACTIONS = Report(
    api="speech_1",
    stream="speech_analytics_interactions",
    title="Speech analytics CDR",
    description=(
        "One row per analysed call/chat with silence, greeting checks, custom categories, "
        "transcript and sentiment."
    ),
    fields=(
        AGENT_ID,
        AGENT_NAME,
        AGENT_DNI,
        CONN_ID,
        Field("time", Kind.DURATION, "Call/interaction duration."),
        Field("date", Kind.INSTANT, "When the call/interaction happened."),
        Field("time_silence", Kind.DURATION, "Total silence (always 0 for non-voice channels)."),
        CUSTOMER_PHONE,
        CUSTOMER_ID,
        COD_ACT,
        DESCRIPTION_COD_ACT,
        Field("greeting", Kind.TEXT, "Whether the agent greeted (yes/no)."),
        Field("slow_to_greet", Kind.TEXT, "Whether the agent greeted too slowly (yes/no)."),
        Field(
            "greeting_agent_name",
            Kind.TEXT,
            'Whether the agent said their name in the greeting ("yes - <name>" or "no").',
        ),
        Field(
            "category01",
            Kind.TEXT,
            "First custom speech-analytics category; further category columns are named after "
            "the operation's categories and are not declared.",
        ),
        Field("audio_text", Kind.TEXT, "Speech-to-text transcript of the call."),
        FEELING,
        Field(
            "channel",
            Kind.TEXT,
            "chat-facebook, chat-instagram, chat-sms, chat-web, chat-whatsapp or voice.",
        ),
    ),
    primary_key=("conn_id", "date"),
    timestamp="date",
)

AGENT_DAILY_SILENCE_RATES = Report(
    api="speech_2",
    stream="agent_daily_silence_rates",
    title="Silence percentage per agent",
    description="Average silence percentage per agent.",
    fields=(
        AGENT_ID,
        AGENT_NAME,
        AGENT_DNI,
        Field("silence", Kind.PERCENT, "Average silence percentage of the agent in calls."),
    ),
    primary_key=("report_date", "agent_id"),
    grain="aggregate",
)

AGENT_DAILY_SLOW_GREETING_RATES = Report(
    api="speech_3",
    stream="agent_daily_slow_greeting_rates",
    title="Slow greeting percentage per agent",
    description="Average share of slow greetings per agent.",
    fields=(
        AGENT_ID,
        AGENT_NAME,
        AGENT_DNI,
        Field("slow_to_greet", Kind.PERCENT, "Average percentage of slow greetings."),
    ),
    primary_key=("report_date", "agent_id"),
    grain="aggregate",
)

AGENT_DAILY_SENTIMENT_LEVELS = Report(
    api="speech_4",
    stream="agent_daily_sentiment_levels",
    title="Average sentiment per agent",
    description="Average sentiment level per agent.",
    fields=(
        AGENT_ID,
        AGENT_NAME,
        AGENT_DNI,
        Field("feeling", Kind.TEXT, "Average sentiment level detected for the agent."),
    ),
    primary_key=("report_date", "agent_id"),
    grain="aggregate",
)

ON_DEMAND_TEXT_ANALYSES = Report(
    api="speech_5",
    stream="on_demand_text_analyses",
    title="On-demand speech/text analysis",
    description="One row per on-demand analysis with text, summary, sentiment and characters.",
    fields=(
        Field(
            "agent_id",
            Kind.TEXT,
            "Numeric agent ID / extension in wolkvox (the vendor's sample sends the key as "
            "id_agent).",
            aliases=("id_agent",),
        ),
        Field("id_text", Kind.TEXT, "ID of the analysed conversation."),
        Field("text", Kind.TEXT, "Conversation text analysed."),
        Field("summary", Kind.TEXT, "Summary of the conversation."),
        FEELING,
        Field("date", Kind.INSTANT, "When the analysis was run."),
        Field("total_chars", Kind.INTEGER, "Characters in the text."),
    ),
    primary_key=("id_text", "date"),
    timestamp="date",
)

#: The reports above, in the order they are declared.
REPORTS = reports_in(globals())
