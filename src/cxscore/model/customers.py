"""Customers: accounts, their contacts, and which rep owned each account when."""

from __future__ import annotations

from cxscore.model.schema import Column, Kind, Ordered, Table

ACCOUNTS = Table(
    "accounts",
    "Customer accounts (companies or, for consumer businesses, households).",
    "customers",
    (
        Column("account_id", Kind.STRING, "Stable id of the account.", "A-10001", required=True),
        Column("name", Kind.STRING, "Account name.", "Northwind Traders"),
        Column("segment", Kind.STRING, "Customer segment.", "enterprise"),
        Column("industry", Kind.STRING, "Industry of the customer.", "Retail"),
        Column("region", Kind.STRING, "Sales region.", "EMEA"),
        Column("country", Kind.STRING, "Country (ISO 3166 alpha-2 preferred).", "DE"),
        Column("created_on", Kind.DATE, "Day the account became a customer.", "2023-05-10", past=True),
    ),
    key=("account_id",),
)

CONTACTS = Table(
    "contacts",
    "People at customer accounts; survey invitations go to them.",
    "customers",
    (
        Column("contact_id", Kind.STRING, "Stable id of the contact.", "C-55012", required=True),
        Column(
            "account_id",
            Kind.STRING,
            "The contact's account.",
            "A-10001",
            references="accounts.account_id",
        ),
        Column("name", Kind.STRING, "Full name.", "Maria Anders"),
        Column(
            "email",
            Kind.STRING,
            "E-mail address for survey invitations.",
            "maria@northwind.example",
        ),
        Column("language", Kind.STRING, "Preferred language (BCP 47).", "de"),
        Column(
            "unsubscribed_at",
            Kind.TIMESTAMP,
            "When the contact opted out of surveys; honoured forever.",
            "2025-02-01 10:00:00",
            past=True,
        ),
    ),
    key=("contact_id",),
)

ACCOUNT_OWNERS = Table(
    "account_owners",
    "Which rep owned an account, from when to when (effective-dated account ownership).",
    "customers",
    (
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
            "The owning rep.",
            "P-0101",
            required=True,
            references="people.person_id",
        ),
        Column("valid_from", Kind.DATE, "First day of ownership.", "2024-01-01", required=True),
        Column("valid_to", Kind.DATE, "Last day of ownership; empty while it lasts.", ""),
    ),
    key=("account_id", "valid_from"),
    ordered=(Ordered("valid_from", "valid_to"),),
)

TABLES = (ACCOUNTS, CONTACTS, ACCOUNT_OWNERS)
