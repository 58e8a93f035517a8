"""Diagrams: IVR, routing points, bots, smart hold and surveys (diagram_*)."""

from __future__ import annotations

from tap_wolkvox.declarations.model import Field, Kind, Report, VoiceIds
from tap_wolkvox.declarations.shared import (
    AGENT_DNI,
    AGENT_ID,
    AGENT_NAME,
    ANI,
    CONN_ID,
    CUSTOMER_EMAIL,
    CUSTOMER_ID,
    CUSTOMER_NAME,
    CUSTOMER_PHONE,
    DESCRIPTION_COD_ACT,
    FEELING,
    RP_ID,
    SKILL_ID,
    SKILL_NAME,
    TYPE_INTERACTION,
    reports_in,
)

# IVR and routing points.
COD_OPC_MENU = Field(
    "cod_opc_menu", Kind.TEXT, "IVR menu option chosen (PULSE means no key was pressed)."
)

# Runs of fields several reports of this family share.
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
        "The reply has no ID of the use, so every field is in the key, with _occurrence "
        "numbering identical uses in one second (each is a row)."
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
    "The reply has no ID of the generation, so every field it sends is in the key, with "
    "_occurrence numbering identical generations in one second (each is a row).",
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
    "has no ID of the request, so every field is in the key, with _occurrence numbering "
    "identical requests in one second (each is a row).",
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
    voice_ids=VoiceIds("connect_id", "date"),
)

#: The reports above, in the order they are declared.
REPORTS = reports_in(globals())
