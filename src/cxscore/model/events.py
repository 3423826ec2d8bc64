"""Events (user conferences): editions, registrations and attendance, talk submissions, testimonials."""

from __future__ import annotations

from cxscore.model.schema import Column, Kind, Ordered, Table

EVENTS = Table(
    "events",
    "Event editions, e.g. the 2025 user conference. Editions of one `series` are compared year on year.",
    "events",
    (
        Column("event_id", Kind.STRING, "Stable id of the edition.", "summit-2025", required=True),
        Column("series", Kind.STRING, "The recurring event it belongs to.", "summit", required=True),
        Column("name", Kind.STRING, "Display name.", "Atlas Summit 2025", required=True),
        Column("starts_on", Kind.DATE, "First day.", "2025-10-14", required=True),
        Column("ends_on", Kind.DATE, "Last day.", "2025-10-16"),
        Column("location", Kind.STRING, "Where it takes place.", "Lisbon"),
        Column("team_id", Kind.STRING, "The team that runs it.", "T-EVENTS", references="teams.team_id"),
    ),
    key=("event_id",),
    ordered=(Ordered("starts_on", "ends_on"),),
)

EVENT_REGISTRATIONS = Table(
    "event_registrations",
    "Who registered for an edition and whether they came.",
    "events",
    (
        Column(
            "event_id",
            Kind.STRING,
            "The edition.",
            "summit-2025",
            required=True,
            references="events.event_id",
        ),
        Column(
            "attendee_id",
            Kind.STRING,
            "Who registered: a contact id for customers, any stable id for others.",
            "C-55012",
            required=True,
        ),
        Column(
            "account_id",
            Kind.STRING,
            "The attendee's account, when a customer.",
            "A-10001",
            references="accounts.account_id",
        ),
        Column(
            "registered_at",
            Kind.TIMESTAMP,
            "When they registered.",
            "2025-06-01 12:00:00",
            past=True,
        ),
        Column("attended", Kind.BOOLEAN, "Whether they came.", "true"),
    ),
    key=("event_id", "attendee_id"),
)

TALK_SUBMISSIONS = Table(
    "talk_submissions",
    "Talks proposed for an edition, and whether a customer proposed them.",
    "events",
    (
        Column("submission_id", Kind.STRING, "Stable id.", "TS-301", required=True),
        Column(
            "event_id",
            Kind.STRING,
            "The edition.",
            "summit-2025",
            required=True,
            references="events.event_id",
        ),
        Column("title", Kind.STRING, "Title.", "How we cut onboarding time in half"),
        Column(
            "submitted_at",
            Kind.TIMESTAMP,
            "When it was submitted.",
            "2025-04-02 08:00:00",
            past=True,
        ),
        Column("by_customer", Kind.BOOLEAN, "Whether a customer submitted it.", "true", required=True),
        Column(
            "account_id",
            Kind.STRING,
            "The customer's account.",
            "A-10001",
            references="accounts.account_id",
        ),
        Column("accepted", Kind.BOOLEAN, "Whether it made the programme.", "true"),
    ),
    key=("submission_id",),
)

TESTIMONIALS = Table(
    "testimonials",
    "Customer testimonials (quotes, case studies, videos), possibly recorded at an event.",
    "events",
    (
        Column("testimonial_id", Kind.STRING, "Stable id.", "TM-17", required=True),
        Column(
            "account_id",
            Kind.STRING,
            "The customer.",
            "A-10001",
            required=True,
            references="accounts.account_id",
        ),
        Column(
            "event_id",
            Kind.STRING,
            "The edition where it was recorded, if any.",
            "summit-2025",
            references="events.event_id",
        ),
        Column("recorded_on", Kind.DATE, "Day it was given.", "2025-10-15", required=True, past=True),
        Column(
            "format",
            Kind.STRING,
            "Form of the testimonial.",
            "video",
            required=True,
            choices=("quote", "case_study", "video", "review"),
        ),
        Column("url", Kind.STRING, "Where it can be seen.", "https://example.com/t/17"),
    ),
    key=("testimonial_id",),
)

TABLES = (EVENTS, EVENT_REGISTRATIONS, TALK_SUBMISSIONS, TESTIMONIALS)
