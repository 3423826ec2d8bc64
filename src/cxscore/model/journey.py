"""The customer journey: touchpoints, and the teams behind each one (the bakery's buyer, baker, packager)."""

from __future__ import annotations

from cxscore.model.schema import Column, Kind, Table

TOUCHPOINTS = Table(
    "touchpoints",
    "Moments of the customer journey where feedback is asked for.",
    "journey",
    (
        Column("touchpoint_id", Kind.STRING, "Stable id.", "delivery", required=True),
        Column("name", Kind.STRING, "Display name.", "Delivery", required=True),
        Column("stage", Kind.INTEGER, "Position in the journey, from 1.", "2", minimum=1),
        Column(
            "description",
            Kind.STRING,
            "What happens there.",
            "The equipment arrives at the customer.",
        ),
    ),
    key=("touchpoint_id",),
)

TOUCHPOINT_TEAMS = Table(
    "touchpoint_teams",
    "Teams that contribute to a touchpoint; feedback on the touchpoint is credited to each of them.",
    "journey",
    (
        Column(
            "touchpoint_id",
            Kind.STRING,
            "The touchpoint.",
            "delivery",
            required=True,
            references="touchpoints.touchpoint_id",
        ),
        Column(
            "team_id",
            Kind.STRING,
            "A contributing team.",
            "T-LOGISTICS",
            required=True,
            references="teams.team_id",
        ),
        Column(
            "contribution",
            Kind.STRING,
            "Whether the team owns the touchpoint or supports it.",
            "owner",
            required=True,
            choices=("owner", "contributor"),
        ),
        Column("weight", Kind.FLOAT, "Share of the credit, 0-1.", "0.5", minimum=0, maximum=1),
    ),
    key=("touchpoint_id", "team_id"),
)

TABLES = (TOUCHPOINTS, TOUCHPOINT_TEAMS)
