"""Surveys: definitions and questions, invitations (who, when, why, credited to whom) and responses."""

from __future__ import annotations

from cxscore.model.schema import Column, Kind, Ordered, Table

TRIGGERS = (
    "relationship",
    "case_closed",
    "renewal",
    "event_attended",
    "upgrade",
    "touchpoint",
    "manual",
)
QUESTION_KINDS = ("nps", "csat", "ces", "rating", "choice", "text")

SURVEYS = Table(
    "surveys",
    "Survey definitions: a relationship survey sent on a schedule, or a transactional one sent "
    "after a trigger.",
    "surveys",
    (
        Column("survey_id", Kind.STRING, "Stable id of the survey.", "case-csat", required=True),
        Column("name", Kind.STRING, "Display name.", "Support case satisfaction", required=True),
        Column(
            "kind",
            Kind.STRING,
            "Relationship (periodic) or transactional (event-driven).",
            "transactional",
            required=True,
            choices=("relationship", "transactional"),
        ),
        Column("trigger", Kind.STRING, "What sends it.", "case_closed", choices=TRIGGERS),
        Column("source", Kind.STRING, "Where the survey runs.", "cxscore"),
    ),
    key=("survey_id",),
)

SURVEY_QUESTIONS = Table(
    "survey_questions",
    "Questions of each survey, in order.",
    "surveys",
    (
        Column(
            "survey_id",
            Kind.STRING,
            "The survey.",
            "case-csat",
            required=True,
            references="surveys.survey_id",
        ),
        Column(
            "question_id",
            Kind.STRING,
            "Id of the question within the survey.",
            "csat",
            required=True,
        ),
        Column("position", Kind.INTEGER, "Order on the page, from 1.", "1", required=True, minimum=1),
        Column(
            "kind",
            Kind.STRING,
            "Answer type; `nps` is 0-10, `csat` 1-5, `ces` 1-7.",
            "csat",
            required=True,
            choices=QUESTION_KINDS,
        ),
        Column(
            "text",
            Kind.STRING,
            "The question as the customer reads it.",
            "How satisfied are you with how we handled your case?",
            required=True,
        ),
    ),
    key=("survey_id", "question_id"),
)

INVITATIONS = Table(
    "invitations",
    "Every survey invitation sent: to whom, when, by which trigger, for which case, account, event "
    "or touchpoint, and who is credited with the answer (fixed when it is sent).",
    "surveys",
    (
        Column("invitation_id", Kind.STRING, "Stable id of the invitation.", "I-7000123", required=True),
        Column(
            "survey_id",
            Kind.STRING,
            "The survey.",
            "case-csat",
            required=True,
            references="surveys.survey_id",
        ),
        Column(
            "contact_id",
            Kind.STRING,
            "The invited contact.",
            "C-55012",
            references="contacts.contact_id",
        ),
        Column("account_id", Kind.STRING, "The account.", "A-10001", references="accounts.account_id"),
        Column(
            "sent_at",
            Kind.TIMESTAMP,
            "When it was sent.",
            "2025-03-06 16:40:00",
            required=True,
            past=True,
        ),
        Column("trigger", Kind.STRING, "What sent it.", "case_closed", choices=TRIGGERS),
        Column(
            "case_id",
            Kind.STRING,
            "The case it asks about.",
            "CS-900017",
            references="cases.case_id",
        ),
        Column("event_id", Kind.STRING, "The event it asks about.", "", references="events.event_id"),
        Column(
            "touchpoint_id",
            Kind.STRING,
            "The touchpoint it asks about.",
            "support_case",
            references="touchpoints.touchpoint_id",
        ),
        Column(
            "product_id",
            Kind.STRING,
            "The product it asks about.",
            "atlas",
            references="products.product_id",
        ),
        Column(
            "credited_person_id",
            Kind.STRING,
            "Who is credited with the answer.",
            "P-0042",
            references="people.person_id",
        ),
        Column(
            "credited_team_id",
            Kind.STRING,
            "Which team is credited.",
            "T-SUP-EMEA",
            references="teams.team_id",
        ),
        Column(
            "reminded_at",
            Kind.TIMESTAMP,
            "When the one reminder was sent, if it was.",
            "",
            past=True,
        ),
    ),
    key=("invitation_id",),
    ordered=(Ordered("sent_at", "reminded_at"),),
)

RESPONSES = Table(
    "responses",
    "Survey answers. The attribution columns repeat the invitation's so that responses imported from "
    "other tools, which have no invitation, can still be credited. An anonymous response is "
    "reported only for teams, never linked to a person.",
    "surveys",
    (
        Column("response_id", Kind.STRING, "Stable id of the response.", "R-8000456", required=True),
        Column("survey_id", Kind.STRING, "The survey.", "case-csat", references="surveys.survey_id"),
        Column(
            "invitation_id",
            Kind.STRING,
            "The invitation answered, if known.",
            "I-7000123",
            references="invitations.invitation_id",
        ),
        Column("account_id", Kind.STRING, "The account.", "A-10001", references="accounts.account_id"),
        Column(
            "contact_id",
            Kind.STRING,
            "The contact who answered.",
            "C-55012",
            references="contacts.contact_id",
        ),
        Column(
            "responded_at",
            Kind.TIMESTAMP,
            "When the answer was submitted.",
            "2025-03-06 18:02:00",
            required=True,
            past=True,
        ),
        Column("nps", Kind.INTEGER, "Likelihood to recommend, 0-10.", "9", minimum=0, maximum=10),
        Column(
            "csat",
            Kind.INTEGER,
            "Satisfaction, 1-5 (5 = very satisfied).",
            "4",
            minimum=1,
            maximum=5,
        ),
        Column(
            "ces",
            Kind.INTEGER,
            "Customer effort, 1-7 agreement that it was easy.",
            "6",
            minimum=1,
            maximum=7,
        ),
        Column("comment", Kind.STRING, "Free-text comment (a verbatim).", "Quick and friendly, thanks!"),
        Column("language", Kind.STRING, "Language of the comment (BCP 47), if known.", "en"),
        Column("anonymous", Kind.BOOLEAN, "Answered anonymously: report for teams only.", "false"),
        Column("case_id", Kind.STRING, "The case it is about.", "CS-900017", references="cases.case_id"),
        Column("event_id", Kind.STRING, "The event it is about.", "", references="events.event_id"),
        Column(
            "touchpoint_id",
            Kind.STRING,
            "The touchpoint it is about.",
            "support_case",
            references="touchpoints.touchpoint_id",
        ),
        Column(
            "product_id",
            Kind.STRING,
            "The product it is about.",
            "atlas",
            references="products.product_id",
        ),
        Column(
            "person_id",
            Kind.STRING,
            "The person credited.",
            "P-0042",
            references="people.person_id",
        ),
        Column("team_id", Kind.STRING, "The team credited.", "T-SUP-EMEA", references="teams.team_id"),
    ),
    key=("response_id",),
)

RESPONSE_ANSWERS = Table(
    "response_answers",
    "Answers to questions other than NPS, CSAT, CES and the comment.",
    "surveys",
    (
        Column(
            "response_id",
            Kind.STRING,
            "The response.",
            "R-8000456",
            required=True,
            references="responses.response_id",
        ),
        Column("question_id", Kind.STRING, "The question.", "ease_of_setup", required=True),
        Column("value", Kind.STRING, "The answer as given.", "Easy"),
        Column("score", Kind.FLOAT, "The answer as a number, when it is one.", "4"),
    ),
    key=("response_id", "question_id"),
)

TABLES = (SURVEYS, SURVEY_QUESTIONS, INVITATIONS, RESPONSES, RESPONSE_ANSWERS)
