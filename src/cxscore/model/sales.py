"""Sales activities on accounts after the deal closed: the post-sale engagement that keeps customers."""

from __future__ import annotations

from cxscore.model.schema import Column, Kind, Table

ACTIVITIES = Table(
    "activities",
    "Calls, meetings, QBRs and visits by reps and account managers on their accounts.",
    "sales",
    (
        Column("activity_id", Kind.STRING, "Stable id.", "ACT-44012", required=True),
        Column(
            "account_id",
            Kind.STRING,
            "The account.",
            "A-10001",
            required=True,
            references="accounts.account_id",
        ),
        Column(
            "person_id",
            Kind.STRING,
            "Who did it.",
            "P-0101",
            required=True,
            references="people.person_id",
        ),
        Column(
            "kind",
            Kind.STRING,
            "What it was.",
            "qbr",
            required=True,
            choices=("call", "meeting", "qbr", "email", "visit"),
        ),
        Column("occurred_at", Kind.TIMESTAMP, "When.", "2025-04-10 14:00:00", required=True, past=True),
        Column(
            "contract_id",
            Kind.STRING,
            "The contract it follows up, if any.",
            "K-20001",
            references="contracts.contract_id",
        ),
    ),
    key=("activity_id",),
)

TABLES = (ACTIVITIES,)
