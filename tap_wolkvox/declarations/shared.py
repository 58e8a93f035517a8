"""What several report families share, declared once: fields, and how a family lists its reports.

A field, run of fields or parameter that only one family uses is declared in that family's
module instead.
"""

from __future__ import annotations

import typing as t

from tap_wolkvox.declarations.model import Field, Kind, Report

if t.TYPE_CHECKING:
    from collections.abc import Mapping

# Fields several families' reports share.

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
MESSAGE_BODY = Field("body", Kind.TEXT, "Body text of the message / e-mail.")
FEELING = Field(
    "feeling",
    Kind.TEXT,
    "Detected sentiment (very negative, negative, neutral, positive, very positive).",
)

# Call handling averages and service levels.
# Documented as mean seconds: read as a number of seconds, so that decimals are kept (and an
# HH:MM:SS value, as other averages come, still reads).
ASA = Field(
    "asa",
    Kind.SECONDS,
    "Average speed of answer: mean seconds a caller waited in queue before an agent picked up.",
)
AHT = Field("aht", Kind.DURATION, "Average handling time per call.")

# IVR and routing points.
RP_ID = Field("rp_id", Kind.TEXT, "Routing point ID.")


def reports_in(namespace: Mapping[str, object]) -> tuple[Report, ...]:
    """The reports a family module declares, in the order it declares them.

    A family module ends with ``REPORTS = reports_in(globals())``, so that a report is written
    once: a module's namespace keeps the order its names were first bound in. A family module
    therefore imports no report of another.
    """
    return tuple(value for value in namespace.values() if isinstance(value, Report))
