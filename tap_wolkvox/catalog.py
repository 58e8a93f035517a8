"""The Wolkvox reports this tap extracts, declared as data.

Field lists come from the research catalogue in ``shared/wolkvox-api/reports.json`` (the
official Postman collection and the English report pages). Adding a report means adding a
:class:`~tap_wolkvox.reports.Report` here. Fields, and runs of fields, that several reports
share are declared once as constants below and reused.

Conventions:

* Field names are the keys the field tables document, misspellings included (``aht_outbund``,
  ``agent_anwers``, ``campaing_id``, ``destinity``, ``explation``). Where the vendor's sample
  reply or public code shows another spelling of a key (chat_13 sends ``chanel``), it is an
  alias of that one column: whichever spelling arrives fills it.
* A key identifies a row: the row's own ID where the reply has one; otherwise the stream's
  description says why the key is what it is.
* Kinds: ``YYYY-MM-DD HH:MM:SS`` timestamps are INSTANT, days DAY, ``HH:MM:SS`` (or bare second)
  durations DURATION, counts INTEGER, ``"34.64 %"`` values PERCENT, decimal amounts NUMBER
  (averages documented in seconds too: a mean of seconds may have decimals); IDs, names, codes,
  phone numbers, hour labels, free text and anything uncertain stay TEXT.
* Stream names say what one row is. Event reports are plural nouns (``chats``, ``ivr_calls``).
  Aggregate reports are read one local day at a time and the stream adds ``report_date``:
  they are named ``<subject>_<period>_<measures>`` (``agent_daily_performance``,
  ``skill_hourly_service_levels``), or ``daily_<measures>_by_<attribute>`` when the rows are a
  breakdown by some attribute rather than by an entity (``daily_calls_by_disposition``).
"""

from __future__ import annotations

from tap_wolkvox.reports import Field, Kind, Param, Report

# Extra query parameters shared by whole families.
CAMPAIGN_ID_PARAM = Param(name="campaign_id", setting="campaign_ids")
SKILL_ID_PARAM = Param(name="skill_id", setting="skill_ids")
DISPOSITION_CODE_PARAM = Param(name="cod_act", setting="disposition_code_variant")

# Fields shared by many reports, declared once.

# Agents.
AGENT_ID = Field("agent_id", Kind.TEXT, "Numeric agent ID / extension in wolkvox.")
AGENT_NAME = Field("agent_name", Kind.TEXT, "Agent display name.")
AGENT_DNI = Field("agent_dni", Kind.TEXT, "Agent's personal identity document number.")

# Skills (queues) and campaigns.
SKILL_ID = Field("skill_id", Kind.TEXT, "Skill (queue) ID.")
SKILL_NAME = Field("skill_name", Kind.TEXT, "Skill (queue) name.")
CAMPAIGN_ID = Field("campaign_id", Kind.TEXT, "Numeric campaign ID.")

# Customers.
CUSTOMER_ID = Field("customer_id", Kind.TEXT, "Customer identification number.")
CUSTOMER_NAME = Field("customer_name", Kind.TEXT, "Customer name.")
CUSTOMER_PHONE = Field("customer_phone", Kind.TEXT, "Customer phone number.")
CUSTOMER_EMAIL = Field("customer_email", Kind.TEXT, "Customer e-mail.")

# Interactions and calls.
CONN_ID = Field("conn_id", Kind.TEXT, "Interaction/connection ID (call or chat ID).")
TYPE_INTERACTION = Field(
    "type_interaction",
    Kind.TEXT,
    "Call type (inbound, outbound_ma, out_pre, transfer, conference, internal call, ...).",
)
CALL_DATE = Field("date", Kind.INSTANT, "Date/time of the call.")
CALL_DURATION = Field("time", Kind.DURATION, "Call duration.")
ANI = Field("ani", Kind.TEXT, "Calling number (ANI) the customer called from.")
TELEPHONE = Field("telephone", Kind.TEXT, "Phone number (or address, depending on channel).")
DESTINY = Field("destiny", Kind.TEXT, "Destination (country / route) of the call or message.")
COD_ACT = Field(
    "cod_act",
    Kind.TEXT,
    "Disposition (activity) code set by the agent; TIMEOUTACW when coding timed out.",
)
DESCRIPTION_COD_ACT = Field(
    "description_cod_act", Kind.TEXT, "Text description of the disposition code."
)

# Chats, messages and omnichannel interactions.
CHAT_CHANNEL = Field("channel", Kind.TEXT, "facebook, instagram, web or whatsapp.")
MESSAGE_BODY = Field("body", Kind.TEXT, "Body text of the message / e-mail.")
FEELING = Field(
    "feeling",
    Kind.TEXT,
    "Detected sentiment (very negative, negative, neutral, positive, very positive).",
)
INTERACTIONS = Field("interactions", Kind.INTEGER, "Number of interactions.")

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
# Documented as mean seconds: read as a number of seconds, so that decimals are kept (and an
# HH:MM:SS value, as other averages come, still reads).
ASA = Field(
    "asa",
    Kind.SECONDS,
    "Average speed of answer: mean seconds a caller waited in queue before an agent picked up.",
)
ATA = Field(
    "ata",
    Kind.SECONDS,
    "Average time to abandon: mean seconds callers waited before hanging up.",
)
AHT = Field("aht", Kind.DURATION, "Average handling time per call.")
ATT = Field("att", Kind.DURATION, "Average talk time per call.")
ACW = Field("acw", Kind.DURATION, "Average after-call-work time (wrap-up/coding after hanging up).")

# Agent activity totals.
CALLS = Field("calls", Kind.INTEGER, "Calls (inbound + outbound + internal).")
LOGIN_TIME = Field("login_time", Kind.DURATION, "Time logged in to wolkvox Agent (HH:MM:SS).")

# IVR and routing points.
RP_ID = Field("rp_id", Kind.TEXT, "Routing point ID.")
COD_OPC_MENU = Field(
    "cod_opc_menu", Kind.TEXT, "IVR menu option chosen (PULSE means no key was pressed)."
)

# Quality evaluations.
QUALITY_SURVEY = Field("survey", Kind.TEXT, "Evaluation template (form) used.")
PRECISION_UNIT_CRITICAL_ERROR = Field(
    "precision_unit_critical_error",
    Kind.PERCENT,
    "Critical-error precision score per unit (100% = no critical error committed).",
)
ACCURACY = Field("accuracy", Kind.PERCENT, "Average score (%) obtained in the quality evaluations.")

# wvx Copilot (Mr. Wizard).
COPILOT_QUESTION = Field(
    "question", Kind.TEXT, "Question the agent asked wvx Copilot (Mr. Wizard)."
)
COPILOT_DATE = Field("date", Kind.INSTANT, "When Copilot was used.")

# Runs of fields shared by whole report families.

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

#: Inbound call counts and service levels of a skill, DNIS or interaction type.
SERVICE_LEVEL_FIELDS = (
    INBOUND_CALLS,
    ANSWER_CALLS,
    ABANDON_CALLS,
    Field("service_level_10seg", Kind.PERCENT, "Percent of calls answered within 10 s."),
    Field("service_level_20seg", Kind.PERCENT, "Percent of calls answered within 20 s."),
    Field("service_level_30seg", Kind.PERCENT, "Percent of calls answered within 30 s."),
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

#: Smart-survey totals: survey count, average per question and overall.
SMART_SURVEY_SCORE_FIELDS = (
    Field("surveys", Kind.INTEGER, "Number of smart surveys completed."),
    Field("q01", Kind.NUMBER, "Average score for custom survey question 1."),
    Field("q02", Kind.NUMBER, "Average score for custom survey question 2."),
    Field("q03", Kind.NUMBER, "Average score for custom survey question 3."),
    Field("q04", Kind.NUMBER, "Average score for custom survey question 4."),
    Field("q05", Kind.NUMBER, "Average score for custom survey question 5."),
    Field("q06", Kind.NUMBER, "Average score for custom survey question 6."),
    Field("q07", Kind.NUMBER, "Average score for custom survey question 7."),
    Field("q08", Kind.NUMBER, "Average score for custom survey question 8."),
    Field("q09", Kind.NUMBER, "Average score for custom survey question 9."),
    Field("q10", Kind.NUMBER, "Average score for custom survey question 10."),
    Field("average", Kind.NUMBER, "Average score across the survey questions."),
)


# Chat and omnichannel interactions (chat_*).

INTERACTION_TRANSFERS = Report(
    api="chat_9",
    stream="interaction_transfers",
    title="Interaction transfers",
    description="One row per transfer of an (e-mail/omnichannel) interaction between agents or "
    "to a skill. The reply has no ID of the transfer itself and one interaction can be "
    "transferred several times, so the key is the interaction, when, who transferred it and "
    "who received it.",
    fields=(
        Field("conn_id", description="Interaction (case) ID that was transferred."),
        Field("transfer_agent_id", description="ID of the agent who made the transfer."),
        Field("transfer_agent_name", description="Name of the agent who made the transfer."),
        Field(
            "receiver_agent_id",
            description="ID of the receiver: an agent, or a skill / routing point.",
        ),
        Field(
            "receiver_agent_name",
            description="Receiving agent name; the literal SKILL when the interaction was sent "
            "to a skill (agent group).",
        ),
        Field(
            "channel",
            description='Interaction channel; the docs say it only yields "email".',
        ),
        Field(
            "date",
            Kind.INSTANT,
            description="When the transfer happened, documented as year-month-day-hour: the "
            "tap reads YYYY-MM-DD HH:MM:SS, YYYY-MM-DD HH:MM and YYYY-MM-DDTHH:MM:SS in the "
            "operation's wall clock and emits a UTC ISO 8601 instant.",
        ),
    ),
    primary_key=("conn_id", "date", "transfer_agent_id", "receiver_agent_id"),
    timestamp="date",
    selected_by_default=True,
)

CHATS = Report(
    api="chat_1",
    stream="chats",
    title="Chats",
    description=(
        "One row per chat handled by a human agent with channel, customer, agent, durations, "
        "disposition, skill, ASA, last speaker and sentiment."
    ),
    fields=(
        CONN_ID,
        CHAT_CHANNEL,
        Field("date", Kind.INSTANT, "Date/time of the chat."),
        CUSTOMER_NAME,
        CUSTOMER_EMAIL,
        CUSTOMER_PHONE,
        Field("customer_chars", Kind.INTEGER, "Number of characters typed by the customer."),
        Field("agent_id", Kind.TEXT, "Agent ID / extension."),
        AGENT_NAME,
        Field("agent_chars", Kind.INTEGER, "Number of characters typed by the agent."),
        Field("time_on_agent", Kind.DURATION, "Time the agent spent on the chat."),
        Field(
            "chat_duration",
            Kind.DURATION,
            "Duration of the chat (HH:MM:SS, or seconds as the docs say).",
        ),
        COD_ACT,
        DESCRIPTION_COD_ACT,
        Field("comments", Kind.TEXT, "Comment text on the chat."),
        CUSTOMER_ID,
        SKILL_ID,
        Field(
            "ASA",
            Kind.DURATION,
            "Average speed of answer for the chat: time between the customer opening the chat "
            "and the agent first replying.",
        ),
        Field(
            "last_participant_who_spoke",
            Kind.TEXT,
            "Who sent the last message (agent, chat-bot or customer).",
        ),
        Field("extra_field", Kind.TEXT, "Extra free field attached to the chat."),
        Field("comment", Kind.TEXT, "Second comment field on the chat."),
        Field("user_id", Kind.TEXT, "User identifier of the customer on the channel."),
        FEELING,
        Field(
            "agent_anwers",
            Kind.INTEGER,
            "How many times the agent wrote to the customer (key spelled as the docs spell it; "
            "the vendor's sample sends it with a trailing space, a public client maps "
            "agent_answers).",
            aliases=("agent_answers",),
        ),
        Field(
            "agent_dni",
            Kind.TEXT,
            "Agent's identity document number (seen in a public client, not in the doc table).",
        ),
    ),
    primary_key=("conn_id", "agent_id", "date"),
    timestamp="date",
    selected_by_default=True,
)

CHAT_CONVERSATIONS = Report(
    api="chat_2",
    stream="chat_conversations",
    title="Conversations (chat transcripts)",
    description=(
        "One row per chat with a nested list of every message (sender, recipient, date, text); "
        "date is the time of the earliest message."
    ),
    fields=(
        CONN_ID,
        AGENT_NAME,
        CUSTOMER_NAME,
        Field(
            "date",
            Kind.INSTANT,
            "Time of the chat's earliest message (derived from conversation[].date).",
        ),
        Field(
            "conversation",
            Kind.OBJECTS,
            "Nested list with one object per message of the chat.",
            items=(
                CHAT_CHANNEL,
                Field("from", Kind.TEXT, "AGENT or CUSTOMER."),
                Field("from_name", Kind.TEXT, "Sender display name."),
                Field(
                    "to_name",
                    Kind.TEXT,
                    'Recipient display name ("chat bot" when a customer message went to a bot).',
                ),
                Field("date", Kind.INSTANT, "Date/time of the message."),
                Field("message", Kind.TEXT, "Message text; attachment URLs appear here."),
                CUSTOMER_ID,
                CUSTOMER_PHONE,
            ),
        ),
    ),
    primary_key=("conn_id", "agent_name"),
    timestamp="date",
    timestamp_source="conversation[].date",
)

CHANNEL_DAILY_CLOSED_INTERACTIONS = Report(
    api="chat_3",
    stream="channel_daily_closed_interactions",
    title="Closed interactions per channel",
    description=(
        "Closed omnichannel interactions (email / social posts) and handling time per channel."
    ),
    fields=(
        Field("channel", Kind.TEXT, "Email, facebook_page, instagram or twitter."),
        INTERACTIONS,
        Field("closing_time", Kind.DURATION, "Handling time of the interactions."),
    ),
    primary_key=("report_date", "channel"),
    grain="aggregate",
)

OMNICHANNEL_INTERACTIONS = Report(
    api="chat_4",
    stream="omnichannel_interactions",
    title="Interactions detail (email / social)",
    description=(
        "One row per omnichannel interaction (email, Facebook/Instagram/Twitter posts) with "
        "message, answer, dates, evaluation, code and status."
    ),
    fields=(
        Field("channel", Kind.TEXT, "Email, facebook_page, instagram or twitter."),
        AGENT_NAME,
        SKILL_ID,
        Field("case_id", Kind.TEXT, "Case (ticket) ID of the interaction."),
        Field("subject", Kind.TEXT, "E-mail subject, or name of who wrote on the social wall."),
        Field("from", Kind.TEXT, "Sender (e-mail address, or social profile id + name)."),
        Field("to", Kind.TEXT, "Recipient (e-mail address, or social profile id + name)."),
        MESSAGE_BODY,
        Field("answer", Kind.TEXT, "Reply sent back to the sender."),
        Field("date_creation", Kind.INSTANT, "Date/time the interaction was created."),
        Field("close_date", Kind.INSTANT, "Date/time the interaction was closed."),
        Field("evaluation_survey", Kind.TEXT, "Survey score given to the interaction, if any."),
        COD_ACT,
        Field("cod_description", Kind.TEXT, "Description of the disposition code."),
        Field("comments", Kind.TEXT, "Free-text comments entered by the agent."),
        Field(
            "attachments",
            Kind.TEXT,
            "Attachments of the interaction (format depends on attach_array / "
            "include_attachments). Kept as text: the vendor's sample leaves it blank, so its "
            "shape is not documented; a list or object is written as its JSON text.",
        ),
        Field("status", Kind.TEXT, "open, close or archived."),
    ),
    primary_key=("case_id", "date_creation"),
    timestamp="date_creation",
)

AGENT_DAILY_CLOSED_INTERACTIONS = Report(
    api="chat_5",
    stream="agent_daily_closed_interactions",
    title="Closed interactions per agent",
    description="Per agent: interactions closed and handling time.",
    fields=(
        AGENT_NAME,
        INTERACTIONS,
        Field("close_time", Kind.DURATION, "Handling time spent closing the interactions."),
    ),
    primary_key=("report_date", "agent_name"),
    grain="aggregate",
)

DAILY_CLOSED_INTERACTIONS = Report(
    api="chat_6",
    stream="daily_closed_interactions",
    title="Closed interactions per day",
    description="Per day: interactions closed and handling time. The tap asks for one day at a "
    "time, so the reply is that day's one row and report_date alone is the key.",
    fields=(
        Field("date", Kind.DAY, "Day the totals belong to."),
        INTERACTIONS,
        Field("close_time", Kind.DURATION, "Handling time spent closing the interactions."),
    ),
    primary_key=("report_date",),
    grain="aggregate",
)

AGENT_DAILY_CLOSED_INTERACTIONS_BY_DISPOSITION = Report(
    api="chat_7",
    stream="agent_daily_closed_interactions_by_disposition",
    title="Closed interactions per agent and code",
    description=(
        "Interactions closed per agent and disposition code (not enabled on every server: it may "
        "answer 404 throughout)."
    ),
    fields=(
        INTERACTIONS,
        AGENT_NAME,
        Field("cod_act", Kind.TEXT, "Disposition code."),
        DESCRIPTION_COD_ACT,
    ),
    primary_key=("report_date", "agent_name", "cod_act"),
    grain="aggregate",
)

BOT_TO_AGENT_CHATS = Report(
    api="chat_8",
    stream="bot_to_agent_chats",
    title="Chats transferred from bot to agent",
    description=(
        "One row per chat that started with a bot and was passed to a human, with bot time, "
        "agent time, routing point and characters."
    ),
    fields=(
        CONN_ID,
        Field("session_id", Kind.TEXT, "Customer vs channel/connector identifier."),
        Field("times_chatted", Kind.INTEGER, "Number of messages exchanged."),
        Field("start_date", Kind.INSTANT, "When the chat started."),
        Field("end_date", Kind.INSTANT, "When the chat ended."),
        Field("time_on_chatbot", Kind.DURATION, "Time the customer spent with the bot."),
        RP_ID,
        Field("channel", Kind.TEXT, "facebook, instagram, telegram, web or whatsapp."),
        Field("go_to_agent", Kind.TEXT, "Whether the interaction was passed to a human agent."),
        CUSTOMER_PHONE,
        CUSTOMER_NAME,
        AGENT_ID,
        AGENT_NAME,
        Field("time_with_agent", Kind.DURATION, "Time the agent spent on the chat."),
        Field("total_time", Kind.DURATION, "Total handling time."),
        Field("customer_chars", Kind.INTEGER, "Number of characters typed by the customer."),
        Field("total_chars", Kind.INTEGER, "Characters typed by customer plus agent."),
        ASA,
        Field("last_sender", Kind.TEXT, "Who sent the last message (agent, chat_bot or customer)."),
        CUSTOMER_ID,
        CUSTOMER_EMAIL,
        Field("agent_chars", Kind.INTEGER, "Number of characters typed by the agent."),
    ),
    primary_key=("conn_id", "start_date", "agent_id"),
    timestamp="start_date",
)

WHATSAPP_BILLING_EVENTS = Report(
    api="chat_10",
    stream="whatsapp_billing_events",
    title="Official WhatsApp billing",
    description=(
        "One row per WhatsApp Business (official connector) conversation event with phone, "
        "template use and destination country; no costs."
    ),
    fields=(
        CONN_ID,
        Field("session_id", Kind.TEXT, 'Composite id "customer phone.operation.connector id".'),
        Field("date", Kind.INSTANT, "Date/time of the billable WhatsApp event."),
        CUSTOMER_PHONE,
        Field("template", Kind.TEXT, "Whether an official WhatsApp template was used (yes/no)."),
        Field("destiny", Kind.TEXT, "Destination country of the conversation."),
    ),
    primary_key=("conn_id", "session_id", "date"),
    timestamp="date",
)

CHAT_TRANSFERS = Report(
    api="chat_11",
    stream="chat_transfers",
    title="Chat transfers",
    description=(
        "One row per chat transferred between agents, with both agents (ID, name, DNI), channel "
        "and date."
    ),
    fields=(
        CONN_ID,
        Field("transfer_agent_id", Kind.TEXT, "ID of the agent who made the transfer."),
        Field("transfer_agent_name", Kind.TEXT, "Name of the agent who made the transfer."),
        Field("transfer_agent_dni", Kind.TEXT, "Identity document of the transferring agent."),
        Field("receiver_agent_id", Kind.TEXT, "ID of the receiving agent."),
        Field("receiver_agent_name", Kind.TEXT, "Name of the receiving agent."),
        Field("receiver_agent_dni", Kind.TEXT, "Identity document of the receiving agent."),
        CHAT_CHANNEL,
        Field("date", Kind.INSTANT, "Date/time of the transfer."),
    ),
    primary_key=("conn_id", "date", "transfer_agent_id", "receiver_agent_id"),
    timestamp="date",
)

OUTBOUND_EMAIL_INTERACTIONS = Report(
    api="chat_12",
    stream="outbound_email_interactions",
    title="Interactions sent by agent (outbound email)",
    description="One row per outbound e-mail interaction created by an agent.",
    fields=(
        Field("conn_id", Kind.TEXT, "Interaction ID."),
        AGENT_ID,
        AGENT_NAME,
        Field("channel", Kind.TEXT, 'Always "email".'),
        Field("from", Kind.TEXT, "Sender e-mail."),
        Field("to", Kind.TEXT, "Recipient e-mail."),
        Field("subject", Kind.TEXT, "Subject."),
        MESSAGE_BODY,
        Field("date", Kind.INSTANT, "When the outbound interaction was created."),
        COD_ACT,
        DESCRIPTION_COD_ACT,
    ),
    primary_key=("conn_id", "date"),
    timestamp="date",
)

CHANNEL_DAILY_CLOSED_CHATS = Report(
    api="chat_13",
    stream="channel_daily_closed_chats",
    title="Closed chats per channel",
    description="Closed chats per chat channel (facebook, instagram, web, whatsapp).",
    fields=(
        Field(
            "channel",
            Kind.TEXT,
            "facebook, instagram, web or whatsapp (the vendor's sample sends the key as chanel).",
            aliases=("chanel",),
        ),
        Field("interaction", Kind.INTEGER, "Closed chats for the channel."),
    ),
    primary_key=("report_date", "channel"),
    grain="aggregate",
)

CLICK_TO_WHATSAPP_CHATS = Report(
    api="chat_14",
    stream="click_to_whatsapp_chats",
    title="Click-to-WhatsApp detail",
    description=(
        "One row per chat that originated from an ad or post, with source URL/type/ID, media and "
        "disposition."
    ),
    fields=(
        Field("source_url", Kind.TEXT, "URL of the ad or post that generated the chat."),
        Field("source_type", Kind.TEXT, "Origin type (ad or post)."),
        Field("source_id", Kind.TEXT, "ID of the ad or post."),
        Field("chat_id", Kind.TEXT, "Chat ID."),
        Field("rp_id", Kind.TEXT, "Routing point the chat entered."),
        Field("agent_id", Kind.TEXT, "Agent who received the chat."),
        Field("media_type", Kind.TEXT, "Media type of the ad (image or video)."),
        Field("media_url", Kind.TEXT, "Link to the ad image or video."),
        Field("date", Kind.INSTANT, "When the interaction was generated."),
        Field("cod_act", Kind.TEXT, "Final disposition code of the interaction."),
    ),
    primary_key=("chat_id", "date"),
    timestamp="date",
)

DAILY_CLICK_TO_WHATSAPP_TOTALS = Report(
    api="chat_15",
    stream="daily_click_to_whatsapp_totals",
    title="Click-to-WhatsApp summary",
    description="Totals of ad/post-originated chats handled by bots vs human agents: one row of "
    "totals for the day asked, with no field that tells two rows apart, so report_date alone "
    "is the key.",
    fields=(
        Field(
            "ad_chatbot", Kind.INTEGER, "Chats that came from an ad and were handled only by a bot."
        ),
        Field(
            "ad_agents",
            Kind.INTEGER,
            "Chats that came from an ad and were handled by a human agent.",
        ),
        Field(
            "post_chatbot",
            Kind.INTEGER,
            "Chats that came from a post and were handled only by a bot.",
        ),
        Field(
            "post_agents",
            Kind.INTEGER,
            "Chats that came from a post and were handled by a human agent.",
        ),
        Field("total_chatbot", Kind.INTEGER, "Chats handled only by bots."),
        Field("total_agents", Kind.INTEGER, "Chats that needed a human agent."),
    ),
    primary_key=("report_date",),
    grain="aggregate",
)

AGENT_DAILY_CHAT_PRODUCTIVITY = Report(
    api="chat_16",
    stream="agent_daily_chat_productivity",
    title="Agent productivity (chat)",
    description=(
        "Per agent: chats handled, total conversation time, average time per chat and transfer "
        "rate."
    ),
    fields=(
        AGENT_ID,
        AGENT_NAME,
        Field("total_chats", Kind.INTEGER, "Chats handled by the agent."),
        Field("time", Kind.DURATION, "Sum of the agent conversation durations in the range."),
        Field("tmo", Kind.DURATION, "Average handling time per chat (time / total_chats)."),
        Field(
            "percent_transfer", Kind.PERCENT, "Share of the agent's chats that were transferred."
        ),
    ),
    primary_key=("report_date", "agent_id"),
    grain="aggregate",
)

# Call detail records and telephony, messaging, NLP and e-mail usage (cdr_*).

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
    "The reply has no ID of the use, so every field is in the key: two identical uses in one "
    "second still become one row.",
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

# Agents: states, sessions, transfers, preview time (agent_*).

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

# Outbound campaigns (campaign_*); every one needs campaign_id.

DAILY_CAMPAIGN_RECORDS_BY_FINAL_RESULT = Report(
    api="campaign_1",
    stream="daily_campaign_records_by_final_result",
    title="Campaign by machine (final result)",
    description="Records per final dialler result and share of the campaign total.",
    fields=(
        Field(
            "result",
            Kind.TEXT,
            "Final dialler result: no-answer, busy, answer, answer-machine, recall, "
            "do-not-call_clean, congestion, abandon.",
        ),
        Field("records", Kind.INTEGER, "Number of records or dial attempts with this result."),
        Field(
            "percent",
            Kind.PERCENT,
            "Share of the campaign total (a public client reads the key as porcent).",
            aliases=("porcent",),
        ),
    ),
    primary_key=("report_date", "result"),
    grain="aggregate",
    params=(CAMPAIGN_ID_PARAM,),
)

DAILY_CAMPAIGN_RECORDS_BY_DISPOSITION = Report(
    api="campaign_2",
    stream="daily_campaign_records_by_disposition",
    title="Campaign results by disposition code",
    description="Records per disposition code and share of total.",
    fields=(
        Field("cod_act", Kind.TEXT, "Disposition code used on the records (may be TIMEOUTACW)."),
        Field("records", Kind.INTEGER, "Records with that code."),
        Field("percent", Kind.PERCENT, "Percentage the row represents of the total."),
    ),
    primary_key=("report_date", "cod_act"),
    grain="aggregate",
    params=(CAMPAIGN_ID_PARAM,),
)

CAMPAIGN_DIAL_ATTEMPTS = Report(
    api="campaign_3",
    stream="campaign_dial_attempts",
    title="Campaign result phone by phone",
    description=(
        "One row per dialled phone of a predictive campaign with customer data, result, the "
        "custom opt columns and call ID."
    ),
    fields=(
        CAMPAIGN_ID,
        CUSTOMER_NAME,
        Field("customer_last_name", Kind.TEXT, "Customer last name."),
        Field("id_type", Kind.TEXT, "Customer identification document type."),
        CUSTOMER_ID,
        Field(
            "date",
            Kind.INSTANT,
            "Date/time of the attempt (the docs say attempt dates are always GMT-5).",
        ),
        Field("telephone", Kind.TEXT, "Number dialled."),
        Field(
            "result",
            Kind.TEXT,
            "Attempt result: abandon, answer, answer-machine, busy, congestion, failed, no-answer.",
        ),
        Field("opt1", Kind.TEXT, "Custom campaign-database column 1."),
        Field("opt2", Kind.TEXT, "Custom campaign-database column 2."),
        Field("opt3", Kind.TEXT, "Custom campaign-database column 3."),
        Field("opt4", Kind.TEXT, "Custom campaign-database column 4."),
        Field("opt5", Kind.TEXT, "Custom campaign-database column 5."),
        Field("opt6", Kind.TEXT, "Custom campaign-database column 6."),
        Field("opt7", Kind.TEXT, "Custom campaign-database column 7."),
        Field("opt8", Kind.TEXT, "Custom campaign-database column 8."),
        Field("opt9", Kind.TEXT, "Custom campaign-database column 9."),
        Field("opt10", Kind.TEXT, "Custom campaign-database column 10."),
        Field("opt11", Kind.TEXT, "Custom campaign-database column 11."),
        Field("opt12", Kind.TEXT, "Custom campaign-database column 12."),
        CONN_ID,
    ),
    primary_key=("campaign_id", "telephone", "date", "conn_id"),
    timestamp="date",
    params=(CAMPAIGN_ID_PARAM,),
)

DAILY_CAMPAIGN_ATTEMPTS_BY_RESULT = Report(
    api="campaign_4",
    stream="daily_campaign_attempts_by_result",
    title="Campaign by machine (attempt by attempt)",
    description="Dial attempts per dialler result and share of total.",
    fields=(
        Field("result", Kind.TEXT, "Per-attempt dialler result."),
        Field("records", Kind.INTEGER, "Attempts with that result."),
        Field("percent", Kind.PERCENT, "Percentage the row represents of the total."),
    ),
    primary_key=("report_date", "result"),
    grain="aggregate",
    params=(CAMPAIGN_ID_PARAM,),
)

PREVIEW_CAMPAIGN_DIALS = Report(
    api="campaign_5",
    stream="preview_campaign_dials",
    title="Preview call detail (per call)",
    description=(
        "One row per preview/manual call with customer, result, last code, comments, call type "
        "and duration."
    ),
    fields=(
        Field("type_of_row", Kind.TEXT, "Kind of dial: preview (campaign) or call (manual)."),
        CAMPAIGN_ID,
        CUSTOMER_NAME,
        Field("customer_last_name", Kind.TEXT, "Customer last name."),
        Field("result", Kind.TEXT, "Dial result (e.g. right-party contact or clean)."),
        Field("last_code_act", Kind.TEXT, "Disposition of the last call to the customer."),
        Field(
            "comments_customer_reg",
            Kind.TEXT,
            "Comments stored on the customer record (preview campaigns).",
        ),
        CUSTOMER_ID,
        AGENT_ID,
        CONN_ID,
        TELEPHONE,
        Field("hang_up", Kind.TEXT, "Which party ended the interaction."),
        TYPE_INTERACTION,
        Field("call_result", Kind.TEXT, "Technical result of the call (e.g. answer)."),
        CALL_DATE,
        CALL_DURATION,
        COD_ACT,
        Field("comments", Kind.TEXT, "Agent comments on the preview call."),
    ),
    primary_key=("campaign_id", "conn_id", "telephone", "date"),
    timestamp="date",
    params=(CAMPAIGN_ID_PARAM,),
)

CAMPAIGN_DAILY_AMD_TOTALS = Report(
    api="campaign_6",
    stream="campaign_daily_amd_totals",
    title="AMD accumulated",
    description="Total answering-machine detections per campaign.",
    fields=(
        CAMPAIGN_ID,
        Field("total_amd", Kind.INTEGER, "Total answering-machine detections."),
    ),
    primary_key=("report_date", "campaign_id"),
    grain="aggregate",
    params=(CAMPAIGN_ID_PARAM,),
)

AMD_DETECTIONS = Report(
    api="campaign_7",
    stream="amd_detections",
    title="AMD detail",
    description=(
        "One row per answering-machine-detection verdict with customer, number and audio file."
    ),
    fields=(
        CUSTOMER_ID,
        CAMPAIGN_ID,
        Field("file_name", Kind.TEXT, "Voice file played by AMD when a machine answered."),
        Field("telephone", Kind.TEXT, "Number dialled."),
        Field("result", Kind.TEXT, "AMD verdict: machine or human."),
        Field("date", Kind.INSTANT, "Date/time of the detection."),
    ),
    primary_key=("campaign_id", "telephone", "date"),
    timestamp="date",
    params=(CAMPAIGN_ID_PARAM,),
)

PHONE_NUMBER_DAILY_DIAL_RESULTS = Report(
    api="campaign_8",
    stream="phone_number_daily_dial_results",
    title="Machine codes grouped by phone and result",
    description=(
        "Per phone number: counts of machine recognitions, no answer, busy, congestion and "
        "failures."
    ),
    fields=(
        TELEPHONE,
        Field(
            "total_machine_recognitions",
            Kind.INTEGER,
            "Total times a machine (not a human) answered.",
        ),
        Field("no_answer", Kind.INTEGER, "Attempts with no answer."),
        Field("answer_machine", Kind.INTEGER, "Attempts where an answering machine picked up."),
        Field("busy", Kind.INTEGER, "Attempts that found the line busy."),
        Field("congestion", Kind.INTEGER, "Attempts that hit a congested line."),
        Field("failed", Kind.INTEGER, "Attempts that failed to dial."),
    ),
    primary_key=("report_date", "telephone"),
    grain="aggregate",
    params=(CAMPAIGN_ID_PARAM,),
)

WHATSAPP_CAMPAIGN_RECORDS = Report(
    api="campaign_9",
    stream="whatsapp_campaign_records",
    title="WhatsApp campaign record status",
    description=(
        "One row per WhatsApp campaign record with delivery status, errors and last update."
    ),
    fields=(
        Field("campaing_id", Kind.TEXT, "Numeric campaign ID (key spelled as sent)."),
        Field("telephone", Kind.TEXT, "Number messaged."),
        Field("status", Kind.TEXT, "Message status: accepted, delivered, submitted, failed."),
        Field("errors", Kind.TEXT, "Error detail returned when contacting the record."),
        Field("date", Kind.INSTANT, "When the record was contacted."),
        Field("last_update", Kind.INSTANT, "Last time the record was contacted/updated."),
    ),
    primary_key=("campaing_id", "telephone", "date"),
    timestamp="date",
    params=(CAMPAIGN_ID_PARAM,),
)

DAILY_TURBO_DIAL_COUNTS_BY_MACHINE_CODE = Report(
    api="campaign_10",
    stream="daily_turbo_dial_counts_by_machine_code",
    title="Turbo dial grouped by machine code",
    description="Count per machine code for turbo-dial campaigns.",
    fields=(
        Field(
            "machinecode",
            Kind.TEXT,
            "Dialler machine code (answer machine, no answer, failed, answer, congestion, "
            "abandon, busy, chanunavail).",
        ),
        Field("cantidad", Kind.INTEGER, "How many times the machine code was detected."),
    ),
    primary_key=("report_date", "machinecode"),
    grain="aggregate",
    params=(CAMPAIGN_ID_PARAM,),
)

# Skills (queues) and service levels (skill_*); every one needs skill_id.

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

# Disposition (activity) codes (act_*).

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

# Diagrams: IVR, routing points, bots, smart hold and surveys (diagram_*).

IVR_CALLS = Report(
    api="diagram_1",
    stream="ivr_calls",
    title="IVR call detail",
    description=(
        "One row per IVR call with routing point, option pressed, routing target, result and "
        "duration."
    ),
    fields=(
        RP_ID,
        Field("rp_name", Kind.TEXT, "Routing point name."),
        COD_OPC_MENU,
        Field("dn_transfer", Kind.TEXT, "Where the IVR routed the call after the menu choice."),
        Field("date", Kind.INSTANT, "Date/time the IVR leg ended."),
        Field("result", Kind.TEXT, "IVR outcome: ok or hung up."),
        ANI,
        Field("time", Kind.DURATION, "Duration of the IVR interaction."),
        CUSTOMER_ID,
        CONN_ID,
    ),
    primary_key=("conn_id", "rp_id", "date"),
    timestamp="date",
)

IVR_DAILY_USAGE = Report(
    api="diagram_1_1",
    stream="ivr_daily_usage",
    title="IVR calls and minutes per day",
    description="Calls and IVR minutes per day. The tap asks for one day at a time, so the reply "
    "is that day's one row and report_date alone is the key.",
    fields=(
        Field("day", Kind.DAY, "Day (year-month-day)."),
        Field("calls", Kind.INTEGER, "Calls handled by the IVR that day."),
        Field("ivr_minutes", Kind.NUMBER, "IVR minutes consumed."),
    ),
    primary_key=("report_date",),
    grain="aggregate",
)

IVR_DAILY_USAGE_BY_TIME_BUCKET = Report(
    api="diagram_1_2",
    stream="ivr_daily_usage_by_time_bucket",
    title="IVR calls and minutes per time bucket",
    description="Calls and IVR minutes per date/hour bucket, keyed by the bucket.",
    fields=(
        Field(
            "date",
            Kind.TEXT,
            "Date/hour bucket label (documented as year-month-day-hour; format unconfirmed). "
            "The field table calls it date; the vendor's sample reply sends it as day.",
            aliases=("day",),
        ),
        Field("calls", Kind.INTEGER, "Calls handled by the IVR in the bucket."),
        Field("ivr_minutes", Kind.NUMBER, "IVR minutes consumed."),
    ),
    primary_key=("report_date", "date"),
    grain="aggregate",
)

IVR_DAILY_USAGE_BY_MENU_OPTION = Report(
    api="diagram_1_3",
    stream="ivr_daily_usage_by_menu_option",
    title="IVR calls and minutes per menu option",
    description="Calls and minutes per routing point and menu option.",
    fields=(
        RP_ID,
        Field("calls", Kind.INTEGER, "Calls that picked that option."),
        Field(
            "time", Kind.TEXT, "IVR minutes consumed for that option (unit and format unconfirmed)."
        ),
        COD_OPC_MENU,
    ),
    primary_key=("report_date", "rp_id", "cod_opc_menu"),
    grain="aggregate",
)

SKILL_DAILY_SMART_HOLD_RESULTS = Report(
    api="diagram_2",
    stream="skill_daily_smart_hold_results",
    title="Smart hold summary",
    description=(
        "Per skill: calls offered smart hold (call-back), accept/decline counts, call-back "
        "success and service-level gain."
    ),
    fields=(
        SKILL_ID,
        Field("treatment", Kind.INTEGER, "Calls that entered smart hold."),
        Field("customer_say_no", Kind.INTEGER, "Callers who declined the call-back offer."),
        Field("customer_say_yes", Kind.INTEGER, "Callers who accepted the call-back offer."),
        Field("recall_fail", Kind.INTEGER, "Call-backs that did not reach the customer."),
        Field("recall_ok", Kind.INTEGER, "Call-backs that reached the customer."),
        Field(
            "service_level_up",
            Kind.PERCENT,
            "How much (%) smart hold raised the skill service level.",
        ),
    ),
    primary_key=("report_date", "skill_id"),
    grain="aggregate",
)

SMART_HOLD_CALLBACKS = Report(
    api="diagram_3",
    stream="smart_hold_callbacks",
    title="Smart hold detail",
    description=(
        "One row per smart-hold (call-back) case with original call time, last call-back time, "
        "status, attempts and billed minutes."
    ),
    fields=(
        SKILL_ID,
        Field("date_inbound_call", Kind.INSTANT, "When the customer originally called in."),
        Field(
            "date_last_outbound_call",
            Kind.INSTANT,
            "When the system last called the customer back.",
        ),
        Field("status", Kind.TEXT, "Smart-hold status: YES, NO, OK, NO USER, STOP NEW, FAIL."),
        Field("attempts", Kind.INTEGER, "How many call-back attempts the system made."),
        Field("ani", Kind.TEXT, "Number the customer called from."),
        Field("dial_phone", Kind.TEXT, "Number the customer left for the call-back."),
        Field(
            "time_between_calls",
            Kind.DURATION,
            "Time between the customer call and the system call-back.",
        ),
        Field("time", Kind.DURATION, "Duration of the call-back."),
        Field("billed_minutes", Kind.NUMBER, "Minutes billed for the call-back."),
        CUSTOMER_ID,
    ),
    primary_key=("skill_id", "date_inbound_call", "ani"),
    timestamp="date_inbound_call",
)

SMART_SURVEY_RESPONSES = Report(
    api="diagram_4",
    stream="smart_survey_responses",
    title="Smart survey detail",
    description=(
        "One row per post-call survey with agent, skill, answers to each question, voice message "
        "and sentiment."
    ),
    fields=(
        AGENT_ID,
        AGENT_NAME,
        AGENT_DNI,
        SKILL_ID,
        SKILL_NAME,
        Field("date", Kind.INSTANT, "Date/time of the survey."),
        CONN_ID,
        ANI,
        CUSTOMER_ID,
        Field("q01", Kind.TEXT, "Answer to custom survey question 1."),
        Field("q02", Kind.TEXT, "Answer to custom survey question 2."),
        Field("q03", Kind.TEXT, "Answer to custom survey question 3."),
        Field("q04", Kind.TEXT, "Answer to custom survey question 4."),
        Field("q05", Kind.TEXT, "Answer to custom survey question 5."),
        Field("q06", Kind.TEXT, "Answer to custom survey question 6."),
        Field("q07", Kind.TEXT, "Answer to custom survey question 7."),
        Field("q08", Kind.TEXT, "Answer to custom survey question 8."),
        Field("q09", Kind.TEXT, "Answer to custom survey question 9."),
        Field("q10", Kind.TEXT, "Answer to custom survey question 10."),
        Field("voice_message_duration", Kind.DURATION, "Length of the voice message."),
        TYPE_INTERACTION,
        Field("result", Kind.TEXT, "Survey outcome: abandon, complete or incomplete."),
        Field("time", Kind.DURATION, "Duration."),
        Field("voice_message", Kind.TEXT, "Voice message left by the customer."),
        FEELING,
    ),
    primary_key=("conn_id", "date"),
    timestamp="date",
)

AGENT_DAILY_SMART_SURVEY_SCORES = Report(
    api="diagram_5",
    stream="agent_daily_smart_survey_scores",
    title="Smart survey per agent",
    description="Per agent: number of surveys and average score per question.",
    fields=(AGENT_ID, AGENT_NAME, *SMART_SURVEY_SCORE_FIELDS),
    primary_key=("report_date", "agent_id"),
    grain="aggregate",
)

SKILL_DAILY_SMART_SURVEY_SCORES = Report(
    api="diagram_6",
    stream="skill_daily_smart_survey_scores",
    title="Smart survey per skill",
    description="Per skill: number of surveys and average score per question.",
    fields=(SKILL_ID, SKILL_NAME, *SMART_SURVEY_SCORE_FIELDS),
    primary_key=("report_date", "skill_id"),
    grain="aggregate",
)

ASR_RECOGNITIONS = Report(
    api="diagram_7",
    stream="asr_recognitions",
    title="ASR usage detail",
    description=(
        "One row per speech-recognition use with seconds used, language and recognised text. "
        "The reply has no ID of the use, so every field is in the key: two identical uses in "
        "one second still become one row."
    ),
    fields=(
        Field(
            "time",
            Kind.DURATION,
            "ASR time used, in seconds: the field table documents it as seconds of ASR used (the "
            "sample leaves it blank). A whole number is read as seconds, HH:MM:SS too; nothing "
            "is converted from milliseconds.",
        ),
        Field("language", Kind.TEXT, "Language used for recognition."),
        Field("recognized_text", Kind.TEXT, "Text recognised from speech."),
        Field("date", Kind.INSTANT, "When the recognition happened."),
        RP_ID,
    ),
    primary_key=("date", "rp_id", "recognized_text", "language", "time"),
    timestamp="date",
)

TTS_GENERATIONS = Report(
    api="diagram_8",
    stream="tts_generations",
    title="TTS usage detail",
    description="One row per text-to-speech generation with text, credits and routing point. "
    "The reply has no ID of the generation, so every field it sends is in the key: two "
    "identical generations in one second still become one row.",
    fields=(
        Field("tts_text", Kind.TEXT, "Text converted to speech."),
        Field(
            "characters",
            Kind.INTEGER,
            "Characters converted (in the field table, not in the sample).",
        ),
        Field("recognized_text", Kind.TEXT, "Text produced/recognised."),
        Field("date", Kind.INSTANT, "When the TTS was generated."),
        Field(
            "credits",
            Kind.NUMBER,
            "Credits of the generation: the vendor's sample reply sends it where the field table "
            "lists characters; the docs do not say whether both count the same.",
        ),
        Field("rp_id", Kind.TEXT, "Routing point ID (in the sample, not in the field table)."),
    ),
    primary_key=("date", "rp_id", "tts_text", "recognized_text", "credits"),
    timestamp="date",
)

BOT_ROUTING_STEPS = Report(
    api="diagram_9",
    stream="bot_routing_steps",
    title="Interaction routing and chatbot CDR",
    description=(
        "One row per bot/routing step with customer data, what the customer wrote and what the "
        "routing answered."
    ),
    fields=(
        Field("session_id", Kind.TEXT, "Bot session ID."),
        Field("channel", Kind.TEXT, "Channel of the bot conversation."),
        RP_ID,
        Field("date", Kind.INSTANT, "Date/time of the bot message/step."),
        CUSTOMER_NAME,
        CUSTOMER_EMAIL,
        CUSTOMER_PHONE,
        Field("customer_query", Kind.TEXT, "What the customer wrote / asked."),
        Field(
            "routing_answer", Kind.TEXT, "What the routing point answered (e.g. transfer to skill)."
        ),
        CUSTOMER_ID,
        CONN_ID,
    ),
    primary_key=("session_id", "rp_id", "date"),
    timestamp="date",
)

TTS_TEXT_DAILY_PLAYS = Report(
    api="diagram_10",
    stream="tts_text_daily_plays",
    title="TTS texts ranked by use",
    description="TTS texts with how many times each was played and its length.",
    fields=(
        Field("total", Kind.INTEGER, "Number of times the TTS text was played."),
        Field("characters", Kind.INTEGER, "Characters in the text."),
        Field("tts_text", Kind.TEXT, "Text converted to speech."),
    ),
    primary_key=("report_date", "tts_text"),
    grain="aggregate",
)

IVR_TO_AGENT_CALLS = Report(
    api="diagram_11",
    stream="ivr_to_agent_calls",
    title="IVR vs transferred to agent",
    description=(
        "One row per call showing IVR time, skill queue time, whether it reached an agent, agent "
        "time and dispositions."
    ),
    fields=(
        CONN_ID,
        Field("time_on_rp", Kind.DURATION, "Time spent in the IVR / routing point."),
        Field(
            "end_date_rp", Kind.INSTANT, "Date/time associated with the IVR (routing point) leg."
        ),
        RP_ID,
        ANI,
        CUSTOMER_ID,
        Field("time_on_skill", Kind.DURATION, "Time spent queued in the skill."),
        SKILL_ID,
        Field("skill_result", Kind.TEXT, "Whether there was an answer after the IVR/skill."),
        Field("go_to_agent", Kind.TEXT, "Whether the call went on to an agent."),
        AGENT_ID,
        AGENT_NAME,
        Field("time_with_agent", Kind.DURATION, "Time spent with the agent."),
        Field("cod_act", Kind.TEXT, "Disposition code set by the agent."),
        Field("cod_act_2", Kind.TEXT, "Second disposition code."),
        TYPE_INTERACTION,
        Field("total_time", Kind.DURATION, "IVR time plus time with the agent."),
    ),
    primary_key=("conn_id", "rp_id", "end_date_rp"),
    timestamp="end_date_rp",
)

SENTIMENT_ANALYSIS_REQUESTS = Report(
    api="diagram_12",
    stream="sentiment_analysis_requests",
    title="Sentiment analysis CDR",
    description="One row per sentiment-analysis request with text and billed units. The reply "
    "has no ID of the request, so every field is in the key: two identical requests in one "
    "second still become one row.",
    fields=(
        Field("units", Kind.NUMBER, "Billing units consumed."),
        Field("text", Kind.TEXT, "Text submitted for sentiment analysis."),
        Field("date", Kind.INSTANT, "When the sentiment analysis was run."),
    ),
    primary_key=("date", "text", "units"),
    timestamp="date",
)

IVR_MENU_SELECTIONS = Report(
    api="diagram_13",
    stream="ivr_menu_selections",
    title="Menu options CDR",
    description=(
        "One row per menu option reached in a routing point with channel, phone and the second "
        "it happened."
    ),
    fields=(
        RP_ID,
        CONN_ID,
        CUSTOMER_ID,
        Field(
            "channel", Kind.TEXT, "voice, chat-web, chat-whatsapp, chat-facebook or chat-telegram."
        ),
        Field("telephone", Kind.TEXT, "Customer number."),
        Field("attempt", Kind.INTEGER, "Attempt number inside the routing point."),
        Field("date", Kind.INSTANT, "Date of the interaction."),
        Field(
            "second_event",
            Kind.DURATION,
            "Second (offset within the call) at which the option was reached.",
        ),
        COD_OPC_MENU,
    ),
    primary_key=("conn_id", "rp_id", "date", "cod_opc_menu", "second_event"),
    timestamp="date",
)

DAILY_MENU_OPTIONS_BY_CODE = Report(
    api="diagram_14",
    stream="daily_menu_options_by_code",
    title="Menu options grouped by code",
    description="Usage count and share per menu option/code.",
    fields=(
        Field("cod_act", Kind.TEXT, "Menu option / disposition code."),
        DESCRIPTION_COD_ACT,
        Field("count", Kind.INTEGER, "Times the option/code was used."),
        Field("percent", Kind.PERCENT, "Share of the total."),
    ),
    primary_key=("report_date", "cod_act"),
    grain="aggregate",
)

VOICE_CONVERSATIONS = Report(
    api="diagram_15",
    stream="voice_conversations",
    title="Voice conversations (IVR + ASR + TTS + NLP)",
    description=(
        "One row per conversational-voice session with IVR time, ASR time and NLP/TTS credits."
    ),
    fields=(
        Field("conversational_id", Kind.TEXT, "Voice routing point the conversation belongs to."),
        Field("connect_id", Kind.TEXT, "ID of the voice conversation."),
        Field("date", Kind.INSTANT, "When the conversation took place."),
        Field("ivr_time", Kind.DURATION, "Time spent in the IVR (hh:mm:ss)."),
        Field("nlp_credits", Kind.NUMBER, "NLP credits consumed in the conversation."),
        Field(
            "asr_time", Kind.DURATION, "Speech-recognition (ASR) time consumed in the conversation."
        ),
        Field("tts_credits", Kind.NUMBER, "TTS credits consumed."),
    ),
    primary_key=("connect_id", "date"),
    timestamp="date",
)

# Quality evaluations (quality_*).

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
        Field("yes/no", Kind.TEXT, "Whether the agent met the attribute (yes/no)."),
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

# Speech analytics (speech_*).

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

# wvx Copilot (Mr. Wizard) usage (wizard_*).

COPILOT_QUESTIONS = Report(
    api="wizard_1",
    stream="copilot_questions",
    title="wvx Copilot usage detail",
    description="One row per question an agent asked wvx Copilot (Mr. Wizard) with the answer.",
    fields=(
        AGENT_ID,
        CONN_ID,
        COPILOT_QUESTION,
        Field("answer", Kind.TEXT, "Copilot answer."),
        COPILOT_DATE,
    ),
    primary_key=("conn_id", "agent_id", "date"),
    timestamp="date",
)

COPILOT_POSITIVE_RATINGS = Report(
    api="wizard_2",
    stream="copilot_positive_ratings",
    title="wvx Copilot positive ratings",
    description="Copilot answers the agent rated positive.",
    fields=(
        AGENT_ID,
        COPILOT_QUESTION,
        Field("answer", Kind.TEXT, "Copilot answer rated positive."),
        COPILOT_DATE,
    ),
    primary_key=("agent_id", "date"),
    timestamp="date",
)

COPILOT_NEGATIVE_RATINGS = Report(
    api="wizard_3",
    stream="copilot_negative_ratings",
    title="wvx Copilot negative ratings",
    description="Copilot answers the agent rated negative, with the agent explanation.",
    fields=(
        AGENT_ID,
        COPILOT_QUESTION,
        Field("answer", Kind.TEXT, "Copilot answer rated negative."),
        Field(
            "explation",
            Kind.TEXT,
            "Agent explanation of why the answer was rated negative (key spelled as sent).",
        ),
        COPILOT_DATE,
    ),
    primary_key=("agent_id", "date"),
    timestamp="date",
)

REPORTS: tuple[Report, ...] = (
    INTERACTION_TRANSFERS,
    CHATS,
    CHAT_CONVERSATIONS,
    CHANNEL_DAILY_CLOSED_INTERACTIONS,
    OMNICHANNEL_INTERACTIONS,
    AGENT_DAILY_CLOSED_INTERACTIONS,
    DAILY_CLOSED_INTERACTIONS,
    AGENT_DAILY_CLOSED_INTERACTIONS_BY_DISPOSITION,
    BOT_TO_AGENT_CHATS,
    WHATSAPP_BILLING_EVENTS,
    CHAT_TRANSFERS,
    OUTBOUND_EMAIL_INTERACTIONS,
    CHANNEL_DAILY_CLOSED_CHATS,
    CLICK_TO_WHATSAPP_CHATS,
    DAILY_CLICK_TO_WHATSAPP_TOTALS,
    AGENT_DAILY_CHAT_PRODUCTIVITY,
    CALL_DETAIL_RECORDS,
    AGENT_DAILY_PHONE_USAGE,
    OUTBOUND_TEXT_MESSAGES,
    DAILY_CALLS_BY_DURATION_BUCKET,
    UNCONNECTED_CALLS,
    DAILY_UNCONNECTED_CALLS_BY_RESULT,
    NLP_USAGE_EVENTS,
    DAILY_NLP_USAGE_BY_TYPE,
    SENT_EMAILS,
    COBROWSING_SESSIONS,
    LAW_2300_CUSTOMER_RELEASES,
    AGENT_DAILY_PERFORMANCE,
    SELECTED_AGENT_STATE_EVENTS,
    AGENT_DAILY_AUX_TIMES,
    AGENT_DAILY_PERFORMANCE_BY_CAMPAIGN,
    AGENT_DAILY_STATES_BY_HOUR,
    ALL_AGENTS_HOURLY_STATES,
    AGENT_LOGIN_SESSIONS,
    AGENT_HOURLY_STATES,
    AGENT_HALF_HOURLY_STATES,
    AGENT_DAILY_HOLD_AND_MUTE_TIMES,
    HOLD_AND_MUTE_ACTIONS,
    SKILL_DAILY_AGENT_PERFORMANCE,
    AGENT_DAILY_TRANSFERS_AND_CONFERENCES,
    AGENT_TRANSFERS_AND_CONFERENCES,
    TRANSFERRED_AND_CONFERENCED_CALLS,
    AGENT_STATE_EVENTS,
    AGENT_PREVIEW_CALLS,
    AGENT_DAILY_PREVIEW_TIMES,
    DAILY_CAMPAIGN_RECORDS_BY_FINAL_RESULT,
    DAILY_CAMPAIGN_RECORDS_BY_DISPOSITION,
    CAMPAIGN_DIAL_ATTEMPTS,
    DAILY_CAMPAIGN_ATTEMPTS_BY_RESULT,
    PREVIEW_CAMPAIGN_DIALS,
    CAMPAIGN_DAILY_AMD_TOTALS,
    AMD_DETECTIONS,
    PHONE_NUMBER_DAILY_DIAL_RESULTS,
    WHATSAPP_CAMPAIGN_RECORDS,
    DAILY_TURBO_DIAL_COUNTS_BY_MACHINE_CODE,
    SKILL_DAILY_SERVICE_LEVELS,
    ABANDONED_CALLS,
    SKILL_DAILY_SERVICE_LEVELS_BY_DATE,
    SKILL_HOURLY_SERVICE_LEVELS,
    SKILL_HALF_HOURLY_SERVICE_LEVELS,
    SKILL_TEN_MINUTE_SERVICE_LEVELS,
    SKILL_HOURLY_WORKFORCE,
    DNIS_DAILY_SERVICE_LEVELS,
    SKILL_HOURLY_SERVICE_LEVELS_BY_DATE,
    SKILL_DAILY_ANSWERED_CALL_BUCKETS,
    SKILL_DAILY_ABANDONED_CALL_BUCKETS,
    ANSWERED_CALLS,
    INTERACTION_TYPE_DAILY_SERVICE_LEVELS,
    AGENT_DAILY_CALLS_BY_DISPOSITION,
    SKILL_DAILY_CALLS_BY_DISPOSITION,
    CODED_CALLS,
    AGENT_DAILY_UNCODED_CALLS,
    DAILY_CALLS_BY_DISPOSITION,
    IVR_CALLS,
    IVR_DAILY_USAGE,
    IVR_DAILY_USAGE_BY_TIME_BUCKET,
    IVR_DAILY_USAGE_BY_MENU_OPTION,
    SKILL_DAILY_SMART_HOLD_RESULTS,
    SMART_HOLD_CALLBACKS,
    SMART_SURVEY_RESPONSES,
    AGENT_DAILY_SMART_SURVEY_SCORES,
    SKILL_DAILY_SMART_SURVEY_SCORES,
    ASR_RECOGNITIONS,
    TTS_GENERATIONS,
    BOT_ROUTING_STEPS,
    TTS_TEXT_DAILY_PLAYS,
    IVR_TO_AGENT_CALLS,
    SENTIMENT_ANALYSIS_REQUESTS,
    IVR_MENU_SELECTIONS,
    DAILY_MENU_OPTIONS_BY_CODE,
    VOICE_CONVERSATIONS,
    AGENT_DAILY_QUALITY_RESULTS,
    QUALITY_EVALUATIONS,
    QUALITY_ATTRIBUTE_EVALUATIONS,
    QUALITY_ATTRIBUTE_DAILY_RESULTS,
    QUALITY_ANALYST_DAILY_RESULTS,
    SPEECH_ANALYTICS_INTERACTIONS,
    AGENT_DAILY_SILENCE_RATES,
    AGENT_DAILY_SLOW_GREETING_RATES,
    AGENT_DAILY_SENTIMENT_LEVELS,
    ON_DEMAND_TEXT_ANALYSES,
    COPILOT_QUESTIONS,
    COPILOT_POSITIVE_RATINGS,
    COPILOT_NEGATIVE_RATINGS,
)
