"""The Wolkvox reports this tap extracts, declared as data.

Field lists come from the research catalogue in ``shared/wolkvox-api/reports.json`` (the
official Postman collection and the English report pages). Adding a report means adding a
:class:`~tap_wolkvox.reports.Report` here.
"""

from __future__ import annotations

from tap_wolkvox.reports import Field, Kind, Report

INTERACTION_TRANSFERS = Report(
    api="chat_9",
    stream="interaction_transfers",
    title="Interaction transfers",
    description="One row per transfer of an (e-mail/omnichannel) interaction from an agent to "
    "another agent or to a skill.",
    fields=(
        Field("conn_id", description="Interaction (connection) ID."),
        Field("transfer_agent_id", description="ID of the agent who transferred."),
        Field("transfer_agent_name", description="Name of the agent who transferred."),
        Field(
            "receiver_agent_id",
            description="ID of the receiving agent, or of the skill when the interaction went "
            "to a queue.",
        ),
        Field(
            "receiver_agent_name",
            description="Name of the receiving agent, or the literal SKILL when the interaction "
            "went to a queue rather than to a person.",
        ),
        Field("channel", description="Channel of the interaction (for example email)."),
        Field(
            "date",
            Kind.INSTANT,
            description="When the transfer happened: the operation's wall-clock time converted "
            "to a UTC ISO 8601 instant.",
        ),
    ),
    # One interaction can be transferred several times, so conn_id alone is not a key.
    primary_key=("conn_id", "date", "transfer_agent_id", "receiver_agent_id"),
    timestamp="date",
    selected_by_default=True,
)

REPORTS: tuple[Report, ...] = (INTERACTION_TRANSFERS,)
