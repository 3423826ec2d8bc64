"""The web app's bookkeeping tables: accounts, sessions, API tokens and the audit log.

Declared here, apart from the code that uses them, so `cxscore.store.bookkeeping` can list them without
importing the web app.
"""

from __future__ import annotations

from cxscore.model.schema import Column, Kind, Sort, Table

__all__ = ["API_TOKENS", "AUDIT_LOG", "MIN_PASSWORD", "ROLES", "SESSIONS", "TABLES", "USERS"]

#: The roles of the web app, from least to most seeing (payouts aside: see `cxscore.web.access`).
ROLES = ("employee", "manager", "executive", "compensation_admin", "admin")
#: The shortest password accepted.
MIN_PASSWORD = 12

USERS = Table(
    "_users",
    "Accounts of the web app: role, the person they are (for own scorecards and managers' teams), the "
    "argon2 hash of the password and the sign-in failures counted for the lockout.",
    "bookkeeping",
    (
        Column("username", Kind.STRING, "Sign-in name.", "ada", required=True),
        Column("display_name", Kind.STRING, "Name shown in the app.", "Ada Lovelace"),
        Column("role", Kind.STRING, "The role.", "manager", required=True, choices=ROLES),
        Column("person_id", Kind.STRING, "The person this account is, if any.", "P-00001"),
        Column("password_hash", Kind.STRING, "argon2id hash of the password.", "$argon2id$v=19$..."),
        Column("failed_logins", Kind.INTEGER, "Failed sign-ins in a row.", "0", required=True),
        Column("locked_until", Kind.TIMESTAMP, "Locked until then after too many failures.", ""),
        Column("created_at", Kind.TIMESTAMP, "When the account was made.", "2025-03-01 10:15:00"),
    ),
    key=("username",),
)

SESSIONS = Table(
    "_sessions",
    "Signed-in browser sessions: the SHA-256 of the cookie's token (never the token), whose and until when.",
    "bookkeeping",
    (
        Column("token_hash", Kind.STRING, "SHA-256 of the session token, hex.", "9f86d0...", required=True),
        Column("username", Kind.STRING, "Whose session.", "ada", required=True),
        Column("created_at", Kind.TIMESTAMP, "Signed in at.", "2025-03-01 10:15:00", required=True),
        Column("expires_at", Kind.TIMESTAMP, "Valid until.", "2025-03-01 22:15:00", required=True),
    ),
    key=("token_hash",),
)

API_TOKENS = Table(
    "_api_tokens",
    "API tokens for scripts (sent as `Authorization: Bearer ...`): the SHA-256 of the token, whose, a name.",
    "bookkeeping",
    (
        Column("token_hash", Kind.STRING, "SHA-256 of the token, hex.", "2c26b4...", required=True),
        Column("username", Kind.STRING, "The account the token acts as.", "ada", required=True),
        Column("name", Kind.STRING, "What the token is for.", "nightly export", required=True),
        Column("created_at", Kind.TIMESTAMP, "When it was made.", "2025-03-01 10:15:00", required=True),
        Column("expires_at", Kind.TIMESTAMP, "Valid until (empty: until revoked).", ""),
    ),
    key=("token_hash",),
)

AUDIT_LOG = Table(
    "_audit_log",
    "Who looked at what: every view of payout data (page, JSON, export), account changes, sign-ins (failed "
    "ones with the name given, never the password) and sign-outs.",
    "bookkeeping",
    (
        Column("occurred_at", Kind.TIMESTAMP, "When.", "2025-03-01 10:15:00", required=True),
        Column(
            "username",
            Kind.STRING,
            "Who (the signed-in account; for a failed sign-in the name given, or '(unknown)').",
            "ada",
            required=True,
        ),
        Column("action", Kind.STRING, "What they did.", "view payouts", required=True),
        Column("subject", Kind.STRING, "Whose data, or which account.", "P-00044"),
        Column(
            "detail",
            Kind.STRING,
            "The request (path and format), or how one signed in and from where, or why a sign-in failed.",
            "/payouts?period=2025 (html)",
        ),
        Column(
            "seq",
            Kind.INTEGER,
            "The entry's number, from the store's sequence `cx__audit_log_seq`: unique and increasing in "
            "the order entries were written, also with several servers on one PostgreSQL (`occurred_at`, "
            "to the second, cannot tell within a second); empty for entries written before schema version 5.",
            "1041",
            numbered=True,
        ),
    ),
    key=(),
    listed_by=(Sort("occurred_at", descending=True), Sort("seq", descending=True)),
)

TABLES = (USERS, SESSIONS, API_TOKENS, AUDIT_LOG)
