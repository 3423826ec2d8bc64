"""The surveys' own bookkeeping tables: link state, partial answers and webhook receipts.

They are internal (never exported or reported): the canonical survey tables are in `cxscore.model.surveys`.
"""

from __future__ import annotations

from cxscore.model.schema import Column, Kind, Table

__all__ = ["LINKS", "PARTIALS", "RECEIPTS", "TABLES"]

LINKS = Table(
    "_survey_links",
    "One row per survey link sent: when it expires, whether its e-mail went out, and its single use. "
    "For anonymous surveys `response_id` stays empty, so nothing leads from the answer to the person.",
    "bookkeeping",
    (
        Column(
            "invitation_id", Kind.STRING, "The invitation the link belongs to.", "I-q3Jx...", required=True
        ),
        Column("survey_id", Kind.STRING, "The survey.", "case-csat", required=True),
        Column("email", Kind.STRING, "Where the invitation was sent.", "maria@northwind.example"),
        Column("language", Kind.STRING, "Language of the e-mail and the page.", "en", required=True),
        Column(
            "expires_at", Kind.TIMESTAMP, "When the link stops working.", "2025-03-20 16:40:00", required=True
        ),
        Column(
            "mail_status",
            Kind.STRING,
            "`pending` while the e-mail is being sent, then `sent`.",
            "sent",
            required=True,
            choices=("pending", "sent"),
        ),
        Column("used_at", Kind.TIMESTAMP, "When the answer was stored (the link's one use).", ""),
        Column(
            "submission",
            Kind.STRING,
            "The id of the form submission that used the link; a retry of it gets the same answer.",
            "k3J9...",
        ),
        Column("response_id", Kind.STRING, "The stored response (empty for anonymous surveys).", "R-..."),
    ),
    key=("invitation_id",),
)

PARTIALS = Table(
    "_survey_partials",
    "Answers given on a survey page before the last screen, kept until the survey is submitted.",
    "bookkeeping",
    (
        Column("invitation_id", Kind.STRING, "The link's invitation.", "I-q3Jx...", required=True),
        Column("question_id", Kind.STRING, "The question.", "nps", required=True),
        Column("value", Kind.STRING, "The answer as given.", "9"),
        Column("saved_at", Kind.TIMESTAMP, "When it was saved.", "2025-03-06 18:01:00", required=True),
    ),
    key=("invitation_id", "question_id"),
)

RECEIPTS = Table(
    "_webhook_receipts",
    "Every webhook delivery accepted, by source and delivery id, so a replayed delivery changes nothing.",
    "bookkeeping",
    (
        Column("source", Kind.STRING, "The configured webhook source.", "typeform", required=True),
        Column("delivery_id", Kind.STRING, "The sender's id of the delivery.", "01HZX...", required=True),
        Column("received_at", Kind.TIMESTAMP, "When it was accepted.", "2025-03-06 18:02:01", required=True),
        Column("import_id", Kind.STRING, "The import run that stored its rows.", "imp-..."),
        Column("stored", Kind.INTEGER, "Rows stored.", "1"),
        Column("quarantined", Kind.INTEGER, "Rows quarantined.", "0"),
    ),
    key=("source", "delivery_id"),
)

TABLES = (LINKS, PARTIALS, RECEIPTS)
