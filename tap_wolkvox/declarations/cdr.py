"""Call detail records and telephony, messaging, NLP and e-mail usage (cdr_*)."""

from __future__ import annotations

from tap_wolkvox.declarations.model import Field, Kind, Report, VoiceIds
from tap_wolkvox.declarations.shared import (
    AGENT_ID,
    AGENT_NAME,
    CALL_DATE,
    CAMPAIGN_ID,
    COD_ACT,
    CONN_ID,
    CUSTOMER_ID,
    DESCRIPTION_COD_ACT,
    DESTINY,
    MESSAGE_BODY,
    SKILL_ID,
    SKILL_NAME,
    TELEPHONE,
    TYPE_INTERACTION,
    reports_in,
)

CALL_DETAIL_RECORDS = Report(
    api="cdr_1",
    stream="call_detail_records",
    title="Call detail records",
    description=(
        "One row per call with agent, date, destination, number, duration, cost, dispositions, "
        "call type, campaign, skill and who hung up."
    ),
    fields=(
        AGENT_NAME,
        CALL_DATE,
        DESTINY,
        Field("telephone", Kind.TEXT, "Number dialled / involved."),
        Field("cost", Kind.NUMBER, "Cost of the telephony usage."),
        Field("time_seg", Kind.DURATION, "Call duration in seconds."),
        Field("time_min", Kind.NUMBER, "Call duration in minutes."),
        COD_ACT,
        Field("cod_act_2", Kind.TEXT, "Second disposition code ID (may read TIMEOUTACW)."),
        DESCRIPTION_COD_ACT,
        Field(
            "description_cod_act_2", Kind.TEXT, "Text description of the second disposition code."
        ),
        TYPE_INTERACTION,
        CUSTOMER_ID,
        Field("hang_up", Kind.TEXT, "Which side hung up."),
        CAMPAIGN_ID,
        CONN_ID,
        SKILL_ID,
        SKILL_NAME,
        AGENT_ID,
        Field("comment", Kind.TEXT, "Comment the agent added."),
    ),
    primary_key=("conn_id", "date", "agent_id"),
    timestamp="date",
    voice_ids=VoiceIds("conn_id", "date"),
    selected_by_default=True,
)

AGENT_DAILY_PHONE_USAGE = Report(
    api="cdr_2",
    stream="agent_daily_phone_usage",
    title="Calls and phone usage per agent",
    description="Per agent: number of calls and their telephony cost.",
    fields=(
        Field("calls", Kind.INTEGER, "Calls handled by the agent."),
        AGENT_NAME,
        Field("cost", Kind.NUMBER, "Telephony cost of those calls."),
    ),
    primary_key=("report_date", "agent_name"),
    grain="aggregate",
)

OUTBOUND_TEXT_MESSAGES = Report(
    api="cdr_3",
    stream="outbound_text_messages",
    title="SMS / WhatsApp sent detail",
    description=(
        "One row per outbound SMS or WhatsApp message with text, number, channel and customer."
    ),
    fields=(
        AGENT_ID,
        AGENT_NAME,
        Field("date", Kind.INSTANT, "Date/time the message was sent."),
        DESTINY,
        Field("telephone", Kind.TEXT, "Number the message was sent to."),
        Field("message", Kind.TEXT, "Exact text that was sent."),
        Field("channel", Kind.TEXT, "SMS, or WhatsApp plus connector type/ID."),
        CUSTOMER_ID,
        Field("conn_id", Kind.TEXT, "Interaction ID."),
    ),
    primary_key=("conn_id", "date", "telephone"),
    timestamp="date",
)

DAILY_CALLS_BY_DURATION_BUCKET = Report(
    api="cdr_4",
    stream="daily_calls_by_duration_bucket",
    title="Call duration by time bucket",
    description=(
        "Calls, minutes, cost and share per call-duration bucket. The reply's data is one "
        "object keyed by bucket (0_5_seg, 6_20_seg, 21_60_seg, 61_120_seg, greater_than_121), "
        "each holding calls, minutes, cost and percentage: one row per bucket, keyed by it."
    ),
    fields=(
        Field(
            "duration_bucket",
            Kind.TEXT,
            "The bucket's key in the reply: 0_5_seg, 6_20_seg, 21_60_seg, 61_120_seg or "
            "greater_than_121 (call duration in seconds). The field table documents the bucket "
            "as a field INTERVAL, which is read here too.",
            aliases=("INTERVAL",),
        ),
        Field("calls", Kind.INTEGER, "Calls in the duration bucket."),
        Field("minutes", Kind.NUMBER, "Minutes consumed."),
        Field("cost", Kind.NUMBER, "Cost of the calls in the bucket."),
        Field("percentage", Kind.PERCENT, "Share of calls in the bucket."),
    ),
    primary_key=("report_date", "duration_bucket"),
    grain="aggregate",
    buckets="duration_bucket",
)

UNCONNECTED_CALLS = Report(
    api="cdr_5",
    stream="unconnected_calls",
    title="Unconnected calls detail",
    description="One row per outbound attempt that did not connect, with ring time and reason.",
    fields=(
        AGENT_NAME,
        Field("date", Kind.INSTANT, "Date/time of the attempt."),
        DESTINY,
        TELEPHONE,
        Field("ring_time", Kind.DURATION, "How long it rang before giving up."),
        Field(
            "result",
            Kind.TEXT,
            "Why it did not connect: Cancel, Chanunavail, Congestion, Busy, No answer, Tcpa, Do "
            "not call.",
        ),
        TYPE_INTERACTION,
        CUSTOMER_ID,
        CAMPAIGN_ID,
        AGENT_ID,
        CONN_ID,
    ),
    primary_key=("conn_id", "date", "telephone"),
    timestamp="date",
)

DAILY_UNCONNECTED_CALLS_BY_RESULT = Report(
    api="cdr_6",
    stream="daily_unconnected_calls_by_result",
    title="Unconnected calls by result",
    description=(
        "Count of non-connected outbound calls per result (busy, no answer, congestion ...)."
    ),
    fields=(
        Field(
            "result",
            Kind.TEXT,
            "Non-connection result (cancel, chanunavail, congestion, no answer, busy ...).",
        ),
        Field("count", Kind.INTEGER, "Outbound calls with that result."),
    ),
    primary_key=("report_date", "result"),
    grain="aggregate",
)

NLP_USAGE_EVENTS = Report(
    api="cdr_7",
    stream="nlp_usage_events",
    title="NLP usage detail",
    description="One row per NLP/AI feature use with type, origin and characters sent/received. "
    "The reply has no ID of the use, so every field is in the key, with _occurrence numbering "
    "identical uses in one second (each is a row).",
    fields=(
        Field(
            "type_nlp",
            Kind.TEXT,
            "NLP feature used (e.g. nlp-voice-summary, nlp-text-sentiment, nlp-MrWizard-chat, "
            "unknown).",
        ),
        Field(
            "nlp_channel",
            Kind.TEXT,
            "Origin of the NLP activity; its format depends on type_nlp (e.g. bot/routing point, "
            "agent id, chat or call id).",
        ),
        Field("chars_send", Kind.INTEGER, "Characters sent to the NLP service."),
        Field("chars_answer", Kind.INTEGER, "Characters received back from the NLP service."),
        Field("total_chars", Kind.INTEGER, "Total characters (sent + received)."),
        Field("date", Kind.INSTANT, "When the NLP usage happened."),
    ),
    primary_key=("date", "type_nlp", "nlp_channel", "chars_send", "chars_answer", "total_chars"),
    timestamp="date",
)

DAILY_NLP_USAGE_BY_TYPE = Report(
    api="cdr_8",
    stream="daily_nlp_usage_by_type",
    title="NLP usage grouped by type",
    description="NLP feature usage counts and characters per NLP type.",
    fields=(
        Field(
            "type_nlp",
            Kind.TEXT,
            "NLP feature used (e.g. nlp-voice-summary, nlp-text-sentiment, nlp-MrWizard-chat, "
            "unknown).",
        ),
        Field("nlp_amount", Kind.INTEGER, "How many times the NLP component type was used."),
        Field("chars_send", Kind.INTEGER, "Characters sent to the NLP service."),
        Field("chars_answer", Kind.INTEGER, "Characters received back from the NLP service."),
        Field("total_chars", Kind.INTEGER, "Total characters (sent + received)."),
    ),
    primary_key=("report_date", "type_nlp"),
    grain="aggregate",
)

SENT_EMAILS = Report(
    api="cdr_9",
    stream="sent_emails",
    title="E-mail detail",
    description="One row per e-mail sent with channel/route, sender, recipient, subject and body. "
    "The reply has no ID of the e-mail, so the key is when, the route, sender, recipient and "
    "subject (not the body, too long for a key): two e-mails alike in all of these in one "
    "second become one row.",
    fields=(
        Field(
            "channel",
            Kind.TEXT,
            "Routing point (email-route-xxxxx) or campaign (campaign-xxxxx) that sent the e-mail.",
        ),
        Field("date", Kind.INSTANT, "Send date/time."),
        Field("from", Kind.TEXT, "Sender e-mail address."),
        Field("to", Kind.TEXT, "Recipient e-mail address."),
        Field("subject", Kind.TEXT, "Subject."),
        MESSAGE_BODY,
    ),
    primary_key=("date", "channel", "from", "to", "subject"),
    timestamp="date",
)

COBROWSING_SESSIONS = Report(
    api="cdr_10",
    stream="cobrowsing_sessions",
    title="Co-browsing sessions",
    description="One row per co-browsing session with agent, start/end, duration and who hung up.",
    fields=(
        AGENT_ID,
        AGENT_NAME,
        Field("date_ini", Kind.INSTANT, "Start of the co-browsing session."),
        Field("date_end", Kind.INSTANT, "End of the co-browsing session."),
        Field("time", Kind.DURATION, "Length of the session."),
        Field("hung_up", Kind.TEXT, "Whether customer or agent hung up first."),
    ),
    primary_key=("agent_id", "date_ini"),
    timestamp="date_ini",
)

LAW_2300_CUSTOMER_RELEASES = Report(
    api="cdr_11",
    stream="law_2300_customer_releases",
    title="Customers released under Law 2300 (Colombia)",
    description=(
        "One row per customer released from the law-2300 contact restriction, with who released "
        "it and by which key. The reply has no ID of the release, so the key is when, by which "
        "key (item) and the value released."
    ),
    fields=(
        Field(
            "protected_nit",
            Kind.TEXT,
            "Tax ID (NIT) of the company the released customer belongs to.",
        ),
        AGENT_ID,
        Field(
            "agent_name",
            Kind.TEXT,
            "Agent name (the vendor's sample sends the key as name_agent).",
            aliases=("name_agent",),
        ),
        Field("operation", Kind.TEXT, "Operation name."),
        Field("date", Kind.INSTANT, "When the customer was released."),
        Field("item", Kind.TEXT, "Which key released the customer: tel_number or id_customer."),
        Field("value", Kind.TEXT, "Phone number or customer ID that was released (see item)."),
    ),
    primary_key=("date", "item", "value"),
    timestamp="date",
)

#: The reports above, in the order they are declared.
REPORTS = reports_in(globals())
