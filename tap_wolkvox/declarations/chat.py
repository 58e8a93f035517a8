"""Chat and omnichannel interactions (chat_*)."""

from __future__ import annotations

from tap_wolkvox.declarations.model import Field, Kind, Report
from tap_wolkvox.declarations.shared import (
    AGENT_ID,
    AGENT_NAME,
    ASA,
    COD_ACT,
    CONN_ID,
    CUSTOMER_EMAIL,
    CUSTOMER_ID,
    CUSTOMER_NAME,
    CUSTOMER_PHONE,
    DESCRIPTION_COD_ACT,
    FEELING,
    MESSAGE_BODY,
    RP_ID,
    SKILL_ID,
    reports_in,
)

# Chats, messages and omnichannel interactions.
CHAT_CHANNEL = Field("channel", Kind.TEXT, "facebook, instagram, web or whatsapp.")
INTERACTIONS = Field("interactions", Kind.INTEGER, "Number of interactions.")

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
            "asa",
            Kind.DURATION,
            "Average speed of answer for the chat: time between the customer opening the chat "
            "and the agent first replying.",
            aliases=("ASA",),
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

#: The reports above, in the order they are declared.
REPORTS = reports_in(globals())
