"""Send survey invitations and the one reminder, recording each invitation with its credit.

Each invitation is recorded (with its link, `pending`) before its e-mail goes out, and marked `sent`
after; if the e-mail fails, the invitation is removed again, so the store never counts an invitation
that was not sent and fatigue never misses one that was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cxscore.errors import MailError
from cxscore.store import Store
from cxscore.surveys.audience import Candidate, select_candidates
from cxscore.surveys.definition import Survey
from cxscore.surveys.dialect import SENDING_LOCK, SENDING_LOCK_KEY, exclusive, require_engine
from cxscore.surveys.keys import Keys
from cxscore.surveys.mail import Invitation, Mailer, compose, sender_address
from cxscore.surveys.settings import SurveySettings
from cxscore.surveys.tokens import make_link, new_link_id

__all__ = [
    "SENDING_ELSEWHERE",
    "Hold",
    "SendReport",
    "send_reminders",
    "send_surveys",
    "sending_alone",
    "sync_definitions",
    "utc_now",
]

#: What a send holds while it uses the store, and lets go of while it talks to the mail server: the
#: running server's store lock (so answers are not kept waiting on e-mail), or nothing from the CLI.
Hold = Callable[[], AbstractContextManager[object]]

#: Unsubscribe links work for this long (in practice: forever).
UNSUBSCRIBE_YEARS = 20


@dataclass
class SendReport:
    """What a send did: invitations per survey, and the failures with their reasons."""

    dry_run: bool
    invited: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    planned: list[tuple[str, Candidate]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.invited.values())


#: What a send reports when another process (another server, or the command) is sending right now.
SENDING_ELSEWHERE = (
    "Another process is sending survey invitations to this store right now (another `cxscore serve` or "
    "`cxscore surveys send`); nothing was sent, so nobody is invited twice. Try again in a minute."
)


@contextmanager
def sending_alone(store: Store, hold: Hold = nullcontext) -> Iterator[bool]:
    """Whether this process may send now: on PostgreSQL, where several processes share the store, one
    of them sends at a time (a session lock of the database, taken without waiting); the embedded store
    has one process anyway."""
    lock = SENDING_LOCK.get(store.backend)
    if lock is None:
        yield True
        return
    take, release = lock
    with hold():
        row = store.execute(take, [SENDING_LOCK_KEY]).fetchone()
    alone = bool(row and row[0])
    try:
        yield alone
    finally:
        if alone:
            with hold():
                store.execute(release, [SENDING_LOCK_KEY])


def utc_now() -> datetime:
    """Now in UTC, without a zone: how the store keeps timestamps."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def sync_definitions(store: Store, surveys: Iterable[Survey]) -> None:
    """Write the definitions to the `surveys` and `survey_questions` tables (replacing what was there)."""
    with exclusive(store, "definitions"), store.transaction():  # servers starting together: one copy
        for survey in surveys:
            store.execute("DELETE FROM survey_questions WHERE survey_id = ?", [survey.id])
            store.execute("DELETE FROM surveys WHERE survey_id = ?", [survey.id])
            store.execute(
                "INSERT INTO surveys (survey_id, name, kind, trigger, source) VALUES (?, ?, ?, ?, 'cxscore')",
                [survey.id, survey.name, survey.kind, survey.trigger],
            )
            for position, question in enumerate(survey.questions, start=1):
                store.execute(
                    "INSERT INTO survey_questions (survey_id, question_id, position, kind, text) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [survey.id, question.id, position, question.kind, question.label(survey.languages[0])],
                )


def send_surveys(
    store: Store,
    root: Path,
    settings: SurveySettings,
    surveys: Mapping[str, Survey],
    *,
    only: Iterable[str] | None = None,
    contacts: Sequence[str] | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    hold: Hold = nullcontext,
) -> SendReport:
    """Invite everyone the surveys' triggers select at `now` (or the `contacts` given); with `dry_run`,
    only say whom. The store is used only inside `hold()`, never while an e-mail is being sent."""
    require_engine(store)
    if dry_run:
        return _send_surveys(store, root, settings, surveys, only, contacts, now, True, hold)
    with sending_alone(store, hold) as alone:
        if not alone:
            return SendReport(dry_run=False, failed=[SENDING_ELSEWHERE])
        return _send_surveys(store, root, settings, surveys, only, contacts, now, False, hold)


def _send_surveys(
    store: Store,
    root: Path,
    settings: SurveySettings,
    surveys: Mapping[str, Survey],
    only: Iterable[str] | None,
    contacts: Sequence[str] | None,
    now: datetime | None,
    dry_run: bool,
    hold: Hold,
) -> SendReport:
    now = now or utc_now()
    chosen = [surveys[s] for s in only] if only else list(surveys.values())
    report = SendReport(dry_run=dry_run)
    invited_now: set[str] = set()  # one invitation per contact per run, across surveys (fatigue)
    plan: list[tuple[Survey, Candidate]] = []
    with hold():
        sync_definitions(store, chosen) if not dry_run else None
        for survey in chosen:
            for candidate in select_candidates(store, survey, now, settings.fatigue_days, contacts):
                if candidate.contact_id in invited_now:
                    continue
                invited_now.add(candidate.contact_id)
                plan.append((survey, candidate))
                report.planned.append((survey.id, candidate))
    if dry_run or not plan:
        for survey, _ in plan:
            report.invited[survey.id] = report.invited.get(survey.id, 0) + 1
        return report
    keys = Keys.of(root)
    with Mailer(settings.smtp).connected() as mailer:
        for survey, candidate in plan:
            try:
                _invite(store, keys, settings, mailer, survey, candidate, now, hold)
            except MailError as error:
                report.failed.append(f"{survey.id} -> {candidate.contact_id}: {error}")
                continue
            report.invited[survey.id] = report.invited.get(survey.id, 0) + 1
    return report


def _invite(
    store: Store,
    keys: Keys,
    settings: SurveySettings,
    mailer: Mailer,
    survey: Survey,
    candidate: Candidate,
    now: datetime,
    hold: Hold = nullcontext,
) -> None:
    link_id = new_link_id()
    invitation_id = f"I-{link_id}"
    expires = now + timedelta(days=survey.expires_days)
    language = survey.language_for(candidate.language)
    with hold(), store.transaction():
        store.execute(
            "INSERT INTO invitations (invitation_id, survey_id, contact_id, account_id, sent_at, trigger, "
            "case_id, event_id, touchpoint_id, product_id, credited_person_id, credited_team_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                invitation_id,
                survey.id,
                candidate.contact_id,
                candidate.account_id,
                now,
                survey.trigger,
                candidate.case_id,
                candidate.event_id,
                survey.touchpoint,
                candidate.product_id,
                candidate.credited_person_id,
                candidate.credited_team_id,
            ],
        )
        store.execute(
            "INSERT INTO _survey_links (invitation_id, survey_id, email, language, expires_at, mail_status) "
            "VALUES (?, ?, ?, ?, ?, 'pending')",
            [invitation_id, survey.id, candidate.email, language, expires],
        )
    try:
        message = compose(
            _invitation(
                keys, settings, survey, candidate.email, candidate.name, language, link_id, expires, now
            ),
            sender_address(settings.sender),
        )
        mailer.send(message)
    except BaseException:  # not sent: the invitation must not count (fatigue, response rate)
        with hold(), store.transaction():
            store.execute("DELETE FROM _survey_links WHERE invitation_id = ?", [invitation_id])
            store.execute("DELETE FROM invitations WHERE invitation_id = ?", [invitation_id])
        raise
    with hold():
        store.execute(
            "UPDATE _survey_links SET mail_status = 'sent' WHERE invitation_id = ?", [invitation_id]
        )


def _invitation(
    keys: Keys,
    settings: SurveySettings,
    survey: Survey,
    email: str,
    name: str | None,
    language: str,
    link_id: str,
    expires: datetime,
    now: datetime,
    reminder: bool = False,
) -> Invitation:
    token = make_link(keys.link, link_id, int(expires.replace(tzinfo=UTC).timestamp()))
    forever = int((now + timedelta(days=365 * UNSUBSCRIBE_YEARS)).replace(tzinfo=UTC).timestamp())
    unsubscribe = make_link(keys.unsubscribe, link_id, forever)
    return Invitation(
        to=email,
        name=name,
        survey_title=survey.title_in(language),
        first_question=survey.questions[0].label(language) if survey.questions else None,
        link=f"{settings.public_url}/s/{token}",
        unsubscribe_link=f"{settings.public_url}/u/{unsubscribe}",
        expires=f"{expires:%Y-%m-%d}",
        language=language,
        reminder=reminder,
    )


def send_reminders(
    store: Store,
    root: Path,
    settings: SurveySettings,
    surveys: Mapping[str, Survey],
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    hold: Hold = nullcontext,
) -> SendReport:
    """Send the one reminder of every unanswered, unexpired invitation whose survey has
    `reminder_after_days` and whose contact has not unsubscribed since (the store only inside `hold()`)."""
    require_engine(store)
    if dry_run:
        return _send_reminders(store, root, settings, surveys, now, True, hold)
    with sending_alone(store, hold) as alone:
        if not alone:
            return SendReport(dry_run=False, failed=[SENDING_ELSEWHERE])
        return _send_reminders(store, root, settings, surveys, now, False, hold)


def _send_reminders(
    store: Store,
    root: Path,
    settings: SurveySettings,
    surveys: Mapping[str, Survey],
    now: datetime | None,
    dry_run: bool,
    hold: Hold,
) -> SendReport:
    now = now or utc_now()
    report = SendReport(dry_run=dry_run)
    due = []
    for survey in surveys.values():
        if survey.reminder_after_days is None:
            continue
        with hold():
            rows = _due_reminders(store, survey, now)
        due += [(survey, row) for row in rows]
    for survey, _ in due:
        report.invited[survey.id] = report.invited.get(survey.id, 0) + 1
    if dry_run or not due:
        return report
    report.invited.clear()
    keys = Keys.of(root)
    with Mailer(settings.smtp).connected() as mailer:
        for survey, (invitation_id, email, name, language, expires) in due:
            link_id = str(invitation_id)[2:]
            invitation = _invitation(
                keys, settings, survey, str(email), name, str(language), link_id, expires, now, reminder=True
            )
            try:
                mailer.send(compose(invitation, sender_address(settings.sender)))
            except MailError as error:
                report.failed.append(f"{survey.id} -> {invitation_id}: {error}")
                continue
            with hold():
                store.execute(
                    "UPDATE invitations SET reminded_at = ? WHERE invitation_id = ?", [now, invitation_id]
                )
            report.invited[survey.id] = report.invited.get(survey.id, 0) + 1
    return report


def _due_reminders(store: Store, survey: Survey, now: datetime) -> list[tuple[Any, ...]]:
    assert survey.reminder_after_days is not None
    rows: list[tuple[Any, ...]] = store.execute(
        "SELECT i.invitation_id, l.email, c.name, l.language, l.expires_at FROM invitations i "
        "JOIN _survey_links l USING (invitation_id) LEFT JOIN contacts c ON c.contact_id = i.contact_id "
        "WHERE i.survey_id = ? AND i.reminded_at IS NULL AND l.used_at IS NULL "
        "AND l.mail_status = 'sent' "
        "AND l.expires_at > ? AND i.sent_at <= ? "
        "AND i.contact_id NOT IN (SELECT contact_id FROM unsubscribes) "
        "AND lower(l.email) NOT IN (SELECT lower(email) FROM unsubscribes WHERE email IS NOT NULL) "
        "AND i.invitation_id NOT IN (SELECT invitation_id FROM _survey_partials) "
        "ORDER BY i.invitation_id",
        [survey.id, now, now - timedelta(days=survey.reminder_after_days)],
    ).fetchall()
    return rows
