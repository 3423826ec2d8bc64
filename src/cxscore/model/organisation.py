"""Organisation: teams (a hierarchy), roles, people, and who belonged where and reported to whom, when."""

from __future__ import annotations

from cxscore.model.schema import Column, Kind, Ordered, Table

FUNCTIONS = (
    "sales",
    "account_management",
    "support",
    "product",
    "events",
    "back_office",
    "executive",
    "other",
)

TEAMS = Table(
    "teams",
    "Teams, in a hierarchy through `parent_team_id`; the root team (no parent) is the company.",
    "organisation",
    (
        Column("team_id", Kind.STRING, "Stable id of the team.", "T-SUP-EMEA", required=True),
        Column("name", Kind.STRING, "Display name.", "Support EMEA", required=True),
        Column(
            "parent_team_id",
            Kind.STRING,
            "The team this team rolls up into; empty for the company itself.",
            "T-SUP",
            references="teams.team_id",
        ),
        Column(
            "function",
            Kind.STRING,
            "What the team does; picks the default scorecard.",
            "support",
            required=True,
            choices=FUNCTIONS,
        ),
        Column("region", Kind.STRING, "Region the team serves, if any.", "EMEA"),
    ),
    key=("team_id",),
)

ROLES = Table(
    "roles",
    "Job roles. A role names the scorecard a person is measured on.",
    "organisation",
    (
        Column("role_id", Kind.STRING, "Stable id of the role.", "support_agent", required=True),
        Column("name", Kind.STRING, "Display name.", "Support agent", required=True),
        Column(
            "function",
            Kind.STRING,
            "Function of the role.",
            "support",
            required=True,
            choices=FUNCTIONS,
        ),
        Column(
            "is_manager",
            Kind.BOOLEAN,
            "Whether the role leads a team.",
            "false",
        ),
    ),
    key=("role_id",),
)

PEOPLE = Table(
    "people",
    "Employees. Team and manager live in the effective-dated `memberships` and `manager_links`.",
    "organisation",
    (
        Column("person_id", Kind.STRING, "Stable id of the person.", "P-0042", required=True),
        Column("name", Kind.STRING, "Full name.", "Ada Lovelace", required=True),
        Column("email", Kind.STRING, "Work e-mail address (used for sign-in).", "ada@example.com"),
        Column("hired_on", Kind.DATE, "First day of work.", "2023-02-01", past=True),
        Column("left_on", Kind.DATE, "Last day of work; empty while employed.", "2025-06-30"),
    ),
    key=("person_id",),
    ordered=(Ordered("hired_on", "left_on"),),
)

MEMBERSHIPS = Table(
    "memberships",
    "Which team a person belonged to, in which role, from when to when. Credit for an event goes to "
    "the membership valid on the event's date, not to today's org chart.",
    "organisation",
    (
        Column(
            "person_id",
            Kind.STRING,
            "The person.",
            "P-0042",
            required=True,
            references="people.person_id",
        ),
        Column(
            "team_id",
            Kind.STRING,
            "The team.",
            "T-SUP-EMEA",
            required=True,
            references="teams.team_id",
        ),
        Column(
            "role_id",
            Kind.STRING,
            "The role held in that team.",
            "support_agent",
            required=True,
            references="roles.role_id",
        ),
        Column("valid_from", Kind.DATE, "First day of the membership.", "2024-01-01", required=True),
        Column("valid_to", Kind.DATE, "Last day of the membership; empty while it lasts.", "2025-03-31"),
    ),
    key=("person_id", "valid_from"),
    ordered=(Ordered("valid_from", "valid_to"),),
)

MANAGER_LINKS = Table(
    "manager_links",
    "Who a person reported to, from when to when.",
    "organisation",
    (
        Column(
            "person_id",
            Kind.STRING,
            "The person.",
            "P-0042",
            required=True,
            references="people.person_id",
        ),
        Column(
            "manager_id",
            Kind.STRING,
            "Their manager.",
            "P-0007",
            required=True,
            references="people.person_id",
        ),
        Column("valid_from", Kind.DATE, "First day of the reporting line.", "2024-01-01", required=True),
        Column("valid_to", Kind.DATE, "Last day; empty while it lasts.", ""),
    ),
    key=("person_id", "valid_from"),
    ordered=(Ordered("valid_from", "valid_to"),),
)

TRAININGS = Table(
    "trainings",
    "Training courses people completed; diagnosis compares trained and untrained staff.",
    "organisation",
    (
        Column(
            "person_id",
            Kind.STRING,
            "The person trained.",
            "P-0042",
            required=True,
            references="people.person_id",
        ),
        Column("course", Kind.STRING, "Course name.", "Atlas product certification", required=True),
        Column(
            "completed_on",
            Kind.DATE,
            "Day the course was completed.",
            "2024-03-15",
            required=True,
            past=True,
        ),
    ),
    key=("person_id", "course", "completed_on"),
)

TABLES = (TEAMS, ROLES, PEOPLE, MEMBERSHIPS, MANAGER_LINKS, TRAININGS)
