"""Contracts and subscriptions: ARR, term, renewal outcome, churn reason, and who gets the credit."""

from __future__ import annotations

from cxscore.model.schema import Column, Kind, Ordered, Table

KINDS = ("new_business", "renewal", "expansion")
OUTCOMES = ("pending", "renewed", "expanded", "contracted", "churned")

CONTRACTS = Table(
    "contracts",
    "One row per contract term. A renewal points at the term it renews through "
    "`previous_contract_id`; its `renewal_outcome` says what happened at the end of the term.",
    "contracts",
    (
        Column("contract_id", Kind.STRING, "Stable id of the contract term.", "K-20001", required=True),
        Column(
            "account_id",
            Kind.STRING,
            "The customer account.",
            "A-10001",
            required=True,
            references="accounts.account_id",
        ),
        Column(
            "product_id",
            Kind.STRING,
            "The product subscribed to, if one.",
            "atlas",
            references="products.product_id",
        ),
        Column(
            "kind",
            Kind.STRING,
            "Booking type: a new logo, a renewal of an existing term, or an expansion (upsell).",
            "renewal",
            required=True,
            choices=KINDS,
        ),
        Column(
            "previous_contract_id",
            Kind.STRING,
            "The term this one renews or expands.",
            "K-10001",
            references="contracts.contract_id",
        ),
        Column(
            "booked_on",
            Kind.DATE,
            "Day the deal closed (the booking date).",
            "2024-12-15",
            required=True,
            past=True,
        ),
        Column("start_date", Kind.DATE, "First day of the term.", "2025-01-01", required=True),
        Column("end_date", Kind.DATE, "Last day of the term.", "2025-12-31", required=True),
        Column(
            "arr",
            Kind.FLOAT,
            "Annual recurring revenue of the term.",
            "48000",
            required=True,
            minimum=0,
        ),
        Column("currency", Kind.STRING, "ISO 4217 currency code of `arr`.", "EUR"),
        Column(
            "renewal_outcome",
            Kind.STRING,
            "What happened at the end of the term; `pending` until it is known.",
            "renewed",
            choices=OUTCOMES,
        ),
        Column("churn_reason", Kind.STRING, "Why the customer left, when it churned.", "price"),
        Column(
            "credited_person_id",
            Kind.STRING,
            "The rep credited with the booking.",
            "P-0101",
            references="people.person_id",
        ),
    ),
    key=("contract_id",),
    ordered=(Ordered("start_date", "end_date"),),
)

TABLES = (CONTRACTS,)
