"""Surveys: definitions and questions, invitations (who, when, why, credited to whom), responses, the
contacts who opted out, and the follow-ups that close the loop with unhappy customers."""

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
        Column(
            "answered_anonymously",
            Kind.BOOLEAN,
            "Whether it was answered by an anonymous answer, which does not name its invitation: the "
            "response rate counts it; nothing links the answer to it.",
            "false",
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

FOLLOWUP_REASONS = ("detractor", "low_csat", "high_effort")
FOLLOWUP_OUTCOMES = ("resolved", "explained", "not_resolved", "no_reply", "not_needed")

UNSUBSCRIBES = Table(
    "unsubscribes",
    "Contacts who opted out of surveys. Honoured forever: no survey is sent to the contact or the "
    "address again, whatever later imports of `contacts` say.",
    "surveys",
    (
        Column(
            "contact_id",
            Kind.STRING,
            "The contact who opted out.",
            "C-55012",
            required=True,
            references="contacts.contact_id",
        ),
        Column("email", Kind.STRING, "Their address when they opted out.", "maria@northwind.example"),
        Column(
            "unsubscribed_at",
            Kind.TIMESTAMP,
            "When they opted out.",
            "2025-02-01 10:00:00",
            required=True,
            past=True,
        ),
        Column(
            "source",
            Kind.STRING,
            "How: the link in a survey e-mail, an import, or an administrator.",
            "link",
            choices=("link", "import", "admin"),
        ),
    ),
    key=("contact_id",),
)

FOLLOWUPS = Table(
    "followups",
    "Follow-up tasks that close the loop: a detractor, a low CSAT or a hard effort answer opens one for "
    "the case's agent or the account owner, due by `due_at`; contacting the customer and closing it with "
    "an outcome are recorded here.",
    "surveys",
    (
        Column("followup_id", Kind.STRING, "Stable id of the task.", "F-3b1c9e20a4d1", required=True),
        Column(
            "response_id",
            Kind.STRING,
            "The answer that opened it.",
            "R-8000456",
            required=True,
            references="responses.response_id",
        ),
        Column("survey_id", Kind.STRING, "The survey answered.", "case-csat"),
        Column("account_id", Kind.STRING, "The account.", "A-10001", references="accounts.account_id"),
        Column(
            "contact_id", Kind.STRING, "The contact to call.", "C-55012", references="contacts.contact_id"
        ),
        Column("case_id", Kind.STRING, "The case it is about.", "CS-900017", references="cases.case_id"),
        Column(
            "reason",
            Kind.STRING,
            "Why it was opened.",
            "detractor",
            required=True,
            choices=FOLLOWUP_REASONS,
        ),
        Column(
            "assignee_id",
            Kind.STRING,
            "Who must follow up: the case's agent, else the account owner.",
            "P-0042",
            references="people.person_id",
        ),
        Column("team_id", Kind.STRING, "The assignee's team.", "T-SUP-EMEA", references="teams.team_id"),
        Column("opened_at", Kind.TIMESTAMP, "When it was opened.", "2025-03-06 18:02:00", required=True),
        Column(
            "due_at", Kind.TIMESTAMP, "When the first contact is due.", "2025-03-08 18:02:00", required=True
        ),
        Column("first_contact_at", Kind.TIMESTAMP, "When the customer was first contacted.", ""),
        Column("closed_at", Kind.TIMESTAMP, "When it was closed.", ""),
        Column(
            "outcome",
            Kind.STRING,
            "How it ended, when closed.",
            "resolved",
            choices=FOLLOWUP_OUTCOMES,
        ),
        Column(
            "status",
            Kind.STRING,
            "`open` until closed.",
            "open",
            required=True,
            choices=("open", "closed"),
        ),
    ),
    key=("followup_id",),
    ordered=(Ordered("opened_at", "due_at"), Ordered("opened_at", "closed_at")),
)

FOLLOWUP_NOTES = Table(
    "followup_notes",
    "Notes on follow-up tasks, in time order: assignments, calls, what the customer said.",
    "surveys",
    (
        Column(
            "followup_id",
            Kind.STRING,
            "The task.",
            "F-3b1c9e20a4d1",
            required=True,
            references="followups.followup_id",
        ),
        Column(
            "noted_at", Kind.TIMESTAMP, "When the note was written.", "2025-03-07 09:30:00", required=True
        ),
        Column("author", Kind.STRING, "Who wrote it (a person id or a user name).", "P-0042"),
        Column(
            "kind",
            Kind.STRING,
            "What happened.",
            "contact",
            required=True,
            choices=("note", "contact", "assign", "close"),
        ),
        Column("text", Kind.STRING, "The note.", "Called Maria; the fix ships on Friday."),
    ),
    key=("followup_id", "noted_at"),
)

TABLES = (
    SURVEYS,
    SURVEY_QUESTIONS,
    INVITATIONS,
    RESPONSES,
    RESPONSE_ANSWERS,
    UNSUBSCRIBES,
    FOLLOWUPS,
    FOLLOWUP_NOTES,
)
