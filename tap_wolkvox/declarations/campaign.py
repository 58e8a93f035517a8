"""Outbound campaigns (campaign_*); every one needs campaign_id."""

from __future__ import annotations

from tap_wolkvox.declarations.model import Field, Kind, Param, Report
from tap_wolkvox.declarations.shared import (
    AGENT_ID,
    CALL_DATE,
    CALL_DURATION,
    CAMPAIGN_ID,
    COD_ACT,
    CONN_ID,
    CUSTOMER_ID,
    CUSTOMER_NAME,
    TELEPHONE,
    TYPE_INTERACTION,
    reports_in,
)

# The extra query parameter every report of this family takes.
CAMPAIGN_ID_PARAM = Param(name="campaign_id", setting="campaign_ids")

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

#: The reports above, in the order they are declared.
REPORTS = reports_in(globals())
