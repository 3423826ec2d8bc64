"""Support cases and their transfers between agents and teams."""

from __future__ import annotations

from cxscore.model.schema import Column, Kind, Ordered, Table

CHANNELS = ("email", "phone", "chat", "web", "social", "in_person")
RESOLUTIONS = ("solved", "workaround", "not_a_defect", "wont_fix", "duplicate", "cancelled")

CASES = Table(
    "cases",
    "Support cases. `agent_id` and `team_id` are the owner when the case was resolved; the hand-offs "
    "before that are in `case_assignments`.",
    "support",
    (
        Column("case_id", Kind.STRING, "Stable id of the case.", "CS-900017", required=True),
        Column(
            "account_id",
            Kind.STRING,
            "The customer account.",
            "A-10001",
            references="accounts.account_id",
        ),
        Column(
            "contact_id",
            Kind.STRING,
            "The contact who raised it.",
            "C-55012",
            references="contacts.contact_id",
        ),
        Column(
            "product_id",
            Kind.STRING,
            "The product concerned.",
            "atlas",
            references="products.product_id",
        ),
        Column("version", Kind.STRING, "The product version concerned.", "3.2"),
        Column(
            "agent_id",
            Kind.STRING,
            "The agent who owned the case at resolution.",
            "P-0042",
            references="people.person_id",
        ),
        Column(
            "team_id",
            Kind.STRING,
            "The support team that owned it.",
            "T-SUP-EMEA",
            references="teams.team_id",
        ),
        Column("category", Kind.STRING, "What the case is about.", "defect"),
        Column("channel", Kind.STRING, "How the customer reached us.", "email", choices=CHANNELS),
        Column(
            "priority",
            Kind.STRING,
            "Priority.",
            "normal",
            choices=("low", "normal", "high", "urgent"),
        ),
        Column(
            "opened_at",
            Kind.TIMESTAMP,
            "When the customer opened it.",
            "2025-03-04 09:12:00",
            required=True,
            past=True,
        ),
        Column(
            "first_response_at",
            Kind.TIMESTAMP,
            "First answer from a person.",
            "2025-03-04 10:02:00",
            past=True,
        ),
        Column("resolved_at", Kind.TIMESTAMP, "When it was resolved.", "2025-03-05 16:40:00", past=True),
        Column(
            "closed_at",
            Kind.TIMESTAMP,
            "When it was closed (after any confirmation).",
            "2025-03-07 16:40:00",
            past=True,
        ),
        Column("reopened_at", Kind.TIMESTAMP, "Last time it was reopened, if ever.", "", past=True),
        Column("reopen_count", Kind.INTEGER, "How many times it was reopened.", "0", minimum=0),
        Column(
            "contacts_to_resolve",
            Kind.INTEGER,
            "Customer interactions until resolution; 1 means first-contact resolution.",
            "1",
            minimum=0,
        ),
        Column("resolution", Kind.STRING, "How it ended.", "solved", choices=RESOLUTIONS),
    ),
    key=("case_id",),
    ordered=(
        Ordered("opened_at", "first_response_at"),
        Ordered("opened_at", "resolved_at"),
        Ordered("resolved_at", "closed_at"),
        Ordered("opened_at", "reopened_at"),
    ),
)

CASE_ASSIGNMENTS = Table(
    "case_assignments",
    "Every assignment of a case to an agent or team, in time order; more than one row is a transfer.",
    "support",
    (
        Column(
            "case_id",
            Kind.STRING,
            "The case.",
            "CS-900017",
            required=True,
            references="cases.case_id",
        ),
        Column(
            "assigned_at",
            Kind.TIMESTAMP,
            "When the case was assigned.",
            "2025-03-04 09:15:00",
            required=True,
            past=True,
        ),
        Column(
            "person_id",
            Kind.STRING,
            "The agent it was assigned to.",
            "P-0042",
            references="people.person_id",
        ),
        Column(
            "team_id",
            Kind.STRING,
            "The team it was assigned to.",
            "T-SUP-EMEA",
            references="teams.team_id",
        ),
        Column("reason", Kind.STRING, "Why it moved.", "escalation"),
    ),
    key=("case_id", "assigned_at"),
)

TABLES = (CASES, CASE_ASSIGNMENTS)
