"""Local accounts, sessions, API tokens and the audit log, kept as bookkeeping tables in the store.

Passwords are stored only as argon2id hashes. A session or API token is a random string given to the
client once; the store keeps its SHA-256, so a copy of the store cannot be used to sign in. After
`lockout_failures` failed sign-ins in a row an account is locked for `lockout_minutes`.

>>> from cxscore.store import Store
>>> store = Store.duckdb()
>>> create_tables(store)
>>> accounts = Accounts(store)
>>> accounts.add("ada", "manager", "correct horse battery", person_id="P-00001").role
'manager'
>>> accounts.sign_in("ada", "correct horse battery").username
'ada'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from cxscore.errors import AccessDeniedError, AccountError, AccountLockedError, AuthenticationError
from cxscore.store import Store
from cxscore.web.tables import API_TOKENS, AUDIT_LOG, MIN_PASSWORD, ROLES, SESSIONS, TABLES, USERS

__all__ = [
    "API_TOKENS",
    "AUDIT_LOG",
    "MIN_PASSWORD",
    "ROLES",
    "SESSIONS",
    "TABLES",
    "USERS",
    "Accounts",
    "User",
    "as_text",
    "create_tables",
]

#: How long a checked session is trusted without asking the store again.
SESSION_CACHE_SECONDS = 10.0

_HASHER = PasswordHasher()
# Verifying against this when the user does not exist takes as long as a real check, so the answer's
# timing does not tell which usernames exist.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


def create_tables(store: Store) -> None:
    """Create the account tables that the store does not have yet (older stores, fresh stores)."""
    existing = set(store.engine.list_tables())
    missing = [t for t in TABLES if t.name not in existing]
    if missing:
        with store.transaction():
            store.engine.create_tables(missing)
            store.engine.number_columns(missing)
            store.engine.create_indexes(missing)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _day(value: dt.date | dt.datetime | str) -> dt.date:
    """A date column's value as a date (stores give dates, timestamps or ISO text)."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class User:
    """An account as the app sees it (never with its password hash)."""

    username: str
    role: str
    person_id: str | None = None
    display_name: str | None = None

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def to_dict(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "role": self.role,
            "person_id": self.person_id,
            "display_name": self.display_name,
        }


class Accounts:
    """Users, sessions, tokens and the audit log on one store; every store access holds `lock`."""

    def __init__(
        self,
        store: Store,
        lock: threading.RLock | None = None,
        *,
        session_hours: float = 12.0,
        lockout_failures: int = 5,
        lockout_minutes: float = 15.0,
    ) -> None:
        self.store = store
        self._lock: AbstractContextManager[Any] = lock if lock is not None else nullcontext()
        self.session_hours = session_hours
        # Valid sessions seen in the last SESSION_CACHE_SECONDS, so a page view does not query the store
        # for its session each time; signing out or a password reset removes them at once.
        self._sessions: dict[str, tuple[User, dt.datetime, float]] = {}
        self.lockout_failures = lockout_failures
        self.lockout_minutes = lockout_minutes

    # -- users ---------------------------------------------------------------------------------------

    def add(
        self,
        username: str,
        role: str,
        password: str,
        *,
        person_id: str | None = None,
        display_name: str | None = None,
    ) -> User:
        """Create an account; refuses a taken name, an unknown role or a short password."""
        _check_username(username)
        _check_role(role)
        _check_password(password)
        with self._lock:
            if self._row(username) is not None:
                raise AccountError(
                    f"There is already a user '{username}'. Pick another name, or reset their password "
                    f"with `cxscore users reset {username}`."
                )
            self.store.execute(
                "INSERT INTO _users (username, display_name, role, person_id, password_hash, "
                "failed_logins, locked_until, created_at) VALUES (?, ?, ?, ?, ?, 0, NULL, ?)",
                [username, display_name, role, person_id, _HASHER.hash(password), _now()],
            )
        return User(username, role, person_id, display_name)

    def users(self) -> list[User]:
        with self._lock:
            rows = self.store.execute(
                "SELECT username, role, person_id, display_name FROM _users ORDER BY username"
            ).fetchall()
        return [User(*row) for row in rows]

    def get(self, username: str) -> User:
        with self._lock:
            row = self._row(username)
        if row is None:
            raise AccountError(f"There is no user '{username}'. See them with `cxscore users list`.")
        return User(row["username"], row["role"], row["person_id"], row["display_name"])

    def reset(self, username: str, password: str) -> None:
        """Set a new password, unlock the account and end its sessions."""
        _check_password(password)
        self.get(username)
        with self._lock, self.store.transaction():
            self.store.execute(
                "UPDATE _users SET password_hash = ?, failed_logins = 0, locked_until = NULL "
                "WHERE username = ?",
                [_HASHER.hash(password), username],
            )
            self.store.execute("DELETE FROM _sessions WHERE username = ?", [username])
        self._sessions = {k: v for k, v in self._sessions.items() if v[0].username != username}

    def _row(self, username: str) -> dict[str, Any] | None:
        found = self.store.execute(
            "SELECT username, role, person_id, display_name, password_hash, failed_logins, locked_until "
            "FROM _users WHERE username = ?",
            [username],
        ).fetchone()
        if found is None:
            return None
        names = ("username", "role", "person_id", "display_name", "password_hash", "failed_logins")
        return {**dict(zip(names, found[:6], strict=True)), "locked_until": found[6]}

    # -- signing in ----------------------------------------------------------------------------------

    def sign_in(self, username: str, password: str, *, origin: str = "") -> User:
        """The user when the password is right; counts failures and locks after too many. Every attempt
        goes to the audit log with the name given (never the password) and `origin` (the address)."""
        now = _now()
        with self._lock:
            row = self._row(username)
            if row is None:
                _verify(_DUMMY_HASH, password)
                self._audit_sign_in(username, "sign-in failed", "password: unknown account", origin)
                raise AuthenticationError("Wrong username or password. Check both and try again.")
            locked = row["locked_until"]
            if locked is not None and locked > now:
                wait = (locked - now).total_seconds()
                self._audit_sign_in(username, "sign-in failed", f"password: locked until {locked}", origin)
                raise AccountLockedError(
                    f"The account '{username}' is locked after {self.lockout_failures} failed sign-ins. "
                    f"Try again in {wait / 60:.0f} minutes, or ask an admin: cxscore users reset {username}.",
                    retry_after=wait,
                )
            if not row["password_hash"] or not _verify(row["password_hash"], password):
                failures = int(row["failed_logins"]) + 1
                locks = self._failed(username, failures, now)
                why = f"locked until {locks}" if locks else f"{failures} in a row"
                self._audit_sign_in(username, "sign-in failed", f"password: wrong password, {why}", origin)
                raise AuthenticationError("Wrong username or password. Check both and try again.")
            self.store.execute(
                "UPDATE _users SET failed_logins = 0, locked_until = NULL WHERE username = ?", [username]
            )
            self._audit_sign_in(username, "sign in", "password", origin)
        return User(row["username"], row["role"], row["person_id"], row["display_name"])

    def by_email(self, email: str) -> User:
        """The one existing account with this (verified) e-mail address, for single sign-on: the account
        whose username is the address, or whose person has it in the people table. Never creates one;
        refuses an unknown or shared address, a locked account and one whose person has left."""
        wanted = email.strip().lower()
        with self._lock:
            rows = self.store.execute(
                "SELECT u.username, u.role, u.person_id, u.display_name, u.locked_until, p.left_on "
                "FROM _users u LEFT JOIN people p ON p.person_id = u.person_id "
                "WHERE lower(u.username) = ? OR lower(p.email) = ? ORDER BY u.username",
                [wanted, wanted],
            ).fetchall()
        if not rows:
            raise AccessDeniedError(
                f"There is no cxscore account for {email}. Single sign-on signs in existing accounts only: "
                f"an admin must add yours with `cxscore users add USERNAME --role ROLE --person PERSON_ID` "
                f"(the person's e-mail in the people table must be {email}), or with {email} as the username."
            )
        if len(rows) > 1:
            names = ", ".join(str(r[0]) for r in rows)
            raise AccessDeniedError(
                f"The e-mail address {email} belongs to several cxscore accounts ({names}), so single "
                "sign-on cannot tell which is yours. Sign in with your password, or ask an admin to keep one."
            )
        username, role, person_id, display_name, locked, left_on = rows[0]
        now = _now()
        if locked is not None and locked > now:
            wait = (locked - now).total_seconds()
            raise AccountLockedError(
                f"The account '{username}' is locked after {self.lockout_failures} failed sign-ins. Try "
                f"again in {wait / 60:.0f} minutes, or ask an admin: cxscore users reset {username}.",
                retry_after=wait,
            )
        if left_on is not None and _day(left_on) < now.date():
            raise AccessDeniedError(
                f"The account '{username}' is disabled: its person ({person_id}) left on {_day(left_on)}. "
                "Ask an admin if this is wrong (the people table's left_on)."
            )
        return User(username, role, person_id, display_name)

    def _failed(self, username: str, failures: int, now: dt.datetime) -> dt.datetime | None:
        """Count a failed sign-in; the time the account is locked until when this one locks it."""
        until = (
            now + dt.timedelta(minutes=self.lockout_minutes) if failures >= self.lockout_failures else None
        )
        self.store.execute(
            "UPDATE _users SET failed_logins = ?, locked_until = ? WHERE username = ?",
            [0 if until else failures, until, username],
        )
        return until

    def _audit_sign_in(self, name: str, action: str, how: str, origin: str) -> None:
        typed = as_text(name)
        self.audit(typed, action, typed, f"{how}, from {origin}" if origin else how)

    # -- sessions and tokens -------------------------------------------------------------------------

    def open_session(self, user: User) -> str:
        """A new session token for `user` (give it to the browser; the store keeps only its hash)."""
        token = secrets.token_urlsafe(32)
        now = _now()
        with self._lock:
            self.store.execute("DELETE FROM _sessions WHERE expires_at < ?", [now])
            self.store.execute(
                "INSERT INTO _sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)",
                [token_hash(token), user.username, now, now + dt.timedelta(hours=self.session_hours)],
            )
        return token

    def close_session(self, token: str, *, origin: str = "") -> None:
        """End a session (signing out); the audit log gets whose it was and `origin` (the address)."""
        key = token_hash(token)
        self._sessions.pop(key, None)
        with self._lock:
            found = self.store.execute(
                "SELECT username FROM _sessions WHERE token_hash = ?", [key]
            ).fetchone()
            self.store.execute("DELETE FROM _sessions WHERE token_hash = ?", [key])
            if found is not None:
                self._audit_sign_in(str(found[0]), "sign out", "session ended", origin)

    def session_user(self, token: str) -> User | None:
        """The user of a valid, unexpired session token; None otherwise."""
        key = token_hash(token)
        seen = self._sessions.get(key)
        if seen is not None and time.monotonic() - seen[2] < SESSION_CACHE_SECONDS and seen[1] > _now():
            return seen[0]
        found = self._user_by("_sessions", token, required_expiry=True)
        if found is None:
            self._sessions.pop(key, None)
            return None
        with self._lock:
            expires = self.store.execute(
                "SELECT expires_at FROM _sessions WHERE token_hash = ?", [key]
            ).fetchone()
        if expires is not None:
            if len(self._sessions) > 10_000:
                self._sessions.clear()
            self._sessions[key] = (found, expires[0], time.monotonic())
        return found

    def create_token(self, username: str, name: str, days: int | None = None) -> str:
        """A new API token acting as `username` (shown once; the store keeps its hash)."""
        self.get(username)
        if not name.strip():
            raise AccountError("Give the token a name saying what it is for, e.g. 'nightly export'.")
        token = "cxs_" + secrets.token_urlsafe(32)
        now = _now()
        expires = now + dt.timedelta(days=days) if days else None
        with self._lock:
            self.store.execute(
                "INSERT INTO _api_tokens (token_hash, username, name, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [token_hash(token), username, name.strip(), now, expires],
            )
        return token

    def token_user(self, token: str) -> User | None:
        return self._user_by("_api_tokens", token, required_expiry=False)

    def tokens(self, username: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self.store.execute(
                "SELECT name, created_at, expires_at, token_hash FROM _api_tokens WHERE username = ? "
                "ORDER BY created_at",
                [username],
            ).fetchall()
        return [{"name": r[0], "created_at": r[1], "expires_at": r[2], "id": r[3][:12]} for r in rows]

    def revoke_token(self, username: str, token_id: str) -> int:
        with self._lock:
            rows = self.store.execute(
                "SELECT token_hash FROM _api_tokens WHERE username = ?", [username]
            ).fetchall()
            hits = [r[0] for r in rows if r[0].startswith(token_id) and len(token_id) >= 12]
            for found in hits:
                self.store.execute("DELETE FROM _api_tokens WHERE token_hash = ?", [found])
        return len(hits)

    def _user_by(self, table: str, token: str, *, required_expiry: bool) -> User | None:
        now = _now()
        with self._lock:
            found = self.store.execute(
                f"SELECT u.username, u.role, u.person_id, u.display_name, t.expires_at FROM {table} t "
                "JOIN _users u ON u.username = t.username WHERE t.token_hash = ?",
                [token_hash(token)],
            ).fetchone()
        if found is None:
            return None
        expires = found[4]
        if (expires is None and required_expiry) or (expires is not None and expires < now):
            return None
        return User(found[0], found[1], found[2], found[3])

    # -- audit ---------------------------------------------------------------------------------------

    def audit(self, username: str, action: str, subject: str | None, detail: str) -> None:
        """Write who did what to whose data, and when. The store numbers the entry (`seq`, from its
        sequence): entries of the same second (a sign-in and the sign-out after it) keep the order they
        were written in, and two servers writing at once never get the same number."""
        with self._lock:
            self.store.execute(
                "INSERT INTO _audit_log (occurred_at, username, action, subject, detail) "
                "VALUES (?, ?, ?, ?, ?)",
                [_now(), username, action, subject, detail],
            )

    def audit_entries(self, limit: int = 200) -> list[dict[str, Any]]:
        """The newest `limit` entries, newest first: by time, then within a second by the order written
        (`AUDIT_LOG.listed_by`, the order of its index on PostgreSQL, so no read sorts the whole log)."""
        with self._lock:
            rows = self.store.execute(
                "SELECT occurred_at, username, action, subject, detail FROM _audit_log "
                f"ORDER BY {AUDIT_LOG.order_by(self.store.engine.quote)} LIMIT ?",
                [limit],
            ).fetchall()
        names = ("occurred_at", "username", "action", "subject", "detail")
        return [dict(zip(names, row, strict=True)) for row in rows]


def as_text(name: str) -> str:
    """A name someone typed, for the audit log: as typed, unless a spreadsheet opening an export would
    read it as a formula (it starts with =, +, -, @) or it holds control characters; then quoted.

    >>> as_text("ada"), as_text("=HYPERLINK(1)")
    ('ada', "'=HYPERLINK(1)'")
    """
    if not name or name[0] in "=+-@" or not name.isprintable():
        return repr(name)
    return name


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _check_username(username: str) -> None:
    allowed = username.replace(".", "").replace("-", "").replace("_", "").replace("@", "")
    if not username or not allowed.isalnum() or len(username) > 64:
        raise AccountError(
            f"'{username}' is not a usable username: use 1-64 letters, digits, '.', '-', '_' or '@'."
        )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"There is no role '{role}'. Roles: {', '.join(ROLES)}.")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            f"The password is {len(password)} characters long; use at least {MIN_PASSWORD} "
            "(a few words are easier to remember than symbols)."
        )


def demo_people(store: Store) -> dict[str, tuple[str | None, str | None]]:
    """Whom the demo's accounts are, by role: (person id, name). The executive is a member of the root
    team; the manager leads the first team with people in it (support teams first: their scorecards have
    the most answers); the employee works in that team."""
    teams = store.execute("SELECT team_id, parent_team_id, function FROM teams").fetchall()
    root = next((t for t, parent, _ in teams if parent is None), None)
    function = {t: f for t, _, f in teams}
    rows = store.execute(
        "SELECT m.person_id, m.team_id, m.role_id, p.name FROM memberships m JOIN people p USING (person_id) "
        "WHERE m.valid_to IS NULL ORDER BY m.team_id, m.person_id"
    ).fetchall()
    names = {person: name for person, _, _, name in rows}
    executive = next((p for p, team, _, _ in rows if team == root), None)
    leads = [(p, team) for p, team, role, _ in rows if str(role).endswith(("_lead", "_manager"))]
    leads.sort(key=lambda lead: (function.get(lead[1]) != "support", lead[1]))
    lead_roles = ("_lead", "_manager")
    staff = {
        team: [p for p, t, role, _ in rows if t == team and not str(role).endswith(lead_roles)]
        for _, team in leads
    }
    manager, team = next(((p, t) for p, t in leads if staff.get(t)), (None, None))
    employee = staff[team][0] if team else None
    return {
        "executive": (executive, names.get(executive or "")),
        "manager": (manager, names.get(manager or "")),
        "employee": (employee, names.get(employee or "")),
        "compensation_admin": (None, "Compensation admin"),
        "admin": (None, "Administrator"),
    }
