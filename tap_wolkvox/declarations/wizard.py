"""wvx Copilot (Mr. Wizard) usage (wizard_*)."""

from __future__ import annotations

from tap_wolkvox.declarations.model import Field, Kind, Report
from tap_wolkvox.declarations.shared import AGENT_ID, CONN_ID, reports_in

# wvx Copilot (Mr. Wizard).
COPILOT_QUESTION = Field(
    "question", Kind.TEXT, "Question the agent asked wvx Copilot (Mr. Wizard)."
)
COPILOT_DATE = Field("date", Kind.INSTANT, "When Copilot was used.")

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

#: The reports above, in the order they are declared.
REPORTS = reports_in(globals())
