"""Who a survey goes to: the contacts its trigger selects, with who is credited, minus those who must rest.

Relationship surveys go to the contacts (with an e-mail) of every account with a contract term running
today, each at most once every `every_days` (90: quarterly). Transactional surveys go to the contact of
each trigger that happened `delay_hours` ago, looking back `lookback_days`: a closed case, a booked
renewal, an attended event, an upgrade installed.

Credit is fixed now, as of the trigger's day: the case's agent and team, the account's owner then, the
product's manager then, the event's team, or the touchpoint's owning team.

Nobody is invited who unsubscribed (ever, by contact or by address), who was invited to *any* survey in
the last `fatigue_days` days (counted on invitations sent, not on answers), or who was already invited by
this survey for the same trigger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cxscore.store import Store
from cxscore.surveys.definition import Survey

__all__ = ["Candidate", "select_candidates"]


@dataclass(frozen=True)
class Candidate:
    """One invitation to make: to whom, about what, credited to whom."""

    contact_id: str
    email: str
    name: str | None
    language: str | None
    account_id: str | None
    case_id: str | None = None
    event_id: str | None = None
    product_id: str | None = None
    credited_person_id: str | None = None
    credited_team_id: str | None = None


_CONTACT = "c.contact_id, c.email, c.name, c.language, c.account_id"

#: For each trigger: the SELECT giving (contact columns, case, event, product, person, team, day, subject)
#: where `day` is the trigger's date (for credit) and `subject` what an invitation must not repeat.
_TRIGGERS = {
    "relationship": f"""
        SELECT {_CONTACT}, NULL AS case_id, NULL AS event_id, NULL AS product_id,
               NULL AS person_id, NULL AS team_id, CAST(? AS DATE) AS day
        FROM contacts c
        WHERE c.account_id IN (SELECT account_id FROM contracts
                               WHERE start_date <= CAST(? AS DATE) AND end_date >= CAST(? AS DATE))
          AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.survey_id = ? AND i.contact_id = c.contact_id
                          AND i.sent_at > ?)""",
    "case_closed": f"""
        SELECT {_CONTACT}, k.case_id, NULL AS event_id, k.product_id, k.agent_id AS person_id, k.team_id,
               CAST(coalesce(k.closed_at, k.resolved_at) AS DATE) AS day
        FROM cases k JOIN contacts c ON c.contact_id = k.contact_id
        WHERE coalesce(k.closed_at, k.resolved_at) > ? AND coalesce(k.closed_at, k.resolved_at) <= ?
          AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.survey_id = ? AND i.case_id = k.case_id)""",
    "renewal": f"""
        SELECT {_CONTACT}, NULL AS case_id, NULL AS event_id, k.product_id, k.credited_person_id AS person_id,
               NULL AS team_id, k.booked_on AS day
        FROM contracts k JOIN contacts c ON c.account_id = k.account_id
        WHERE k.kind = 'renewal' AND k.booked_on > CAST(? AS DATE) AND k.booked_on <= CAST(? AS DATE)
          AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.survey_id = ? AND i.contact_id = c.contact_id
                          AND i.sent_at >= k.booked_on)""",
    "event_attended": f"""
        SELECT {_CONTACT}, NULL AS case_id, e.event_id, NULL AS product_id, NULL AS person_id, e.team_id,
               coalesce(e.ends_on, e.starts_on) AS day
        FROM event_registrations r JOIN events e ON e.event_id = r.event_id
        JOIN contacts c ON c.contact_id = r.attendee_id
        WHERE r.attended AND coalesce(e.ends_on, e.starts_on) > CAST(? AS DATE)
          AND coalesce(e.ends_on, e.starts_on) <= CAST(? AS DATE)
          AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.survey_id = ? AND i.event_id = e.event_id
                          AND i.contact_id = c.contact_id)""",
    "upgrade": f"""
        SELECT {_CONTACT}, NULL AS case_id, NULL AS event_id, n.product_id, NULL AS person_id,
               NULL AS team_id, n.installed_on AS day
        FROM installations n JOIN contacts c ON c.account_id = n.account_id
        WHERE n.installed_on > CAST(? AS DATE) AND n.installed_on <= CAST(? AS DATE)
          AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.survey_id = ? AND i.contact_id = c.contact_id
                          AND i.product_id = n.product_id AND i.sent_at >= n.installed_on)""",
}


_BY_CONTACT = f"""
    SELECT {_CONTACT}, NULL AS case_id, NULL AS event_id, NULL AS product_id, NULL AS person_id,
           NULL AS team_id, CAST(? AS DATE) AS day
    FROM contacts c WHERE c.contact_id IN ({{marks}})"""


#: The conditions every candidate meets: an address, never unsubscribed, not invited since the one
#: parameter (the start of the fatigue period, computed in Python so that both engines read a timestamp).
_RESTED = """
        t.email IS NOT NULL AND trim(t.email) <> ''
        AND t.contact_id NOT IN (SELECT contact_id FROM unsubscribes)
        AND lower(trim(t.email)) NOT IN (SELECT lower(trim(email)) FROM unsubscribes WHERE email IS NOT NULL)
        AND t.contact_id NOT IN (SELECT contact_id FROM contacts WHERE unsubscribed_at IS NOT NULL)
        AND t.contact_id NOT IN (SELECT contact_id FROM invitations WHERE contact_id IS NOT NULL
                                 AND sent_at > ?)"""


#: The credited person and team as of the trigger's day, by the survey's `credit`; a team of None is the
#: team the credited person belonged to that day.
_CREDIT: dict[str, tuple[str, str | None]] = {
    "agent": ("t.person_id", "t.team_id"),
    "account_owner": (
        "(SELECT o.person_id FROM account_owners o WHERE o.account_id = t.account_id "
        "AND o.valid_from <= t.day "
        "AND (o.valid_to IS NULL OR o.valid_to >= t.day) ORDER BY o.valid_from DESC LIMIT 1)",
        None,
    ),
    "product_manager": (
        "(SELECT m.person_id FROM product_managers m WHERE m.product_id = t.product_id "
        "AND m.valid_from <= t.day AND (m.valid_to IS NULL OR m.valid_to >= t.day) "
        "ORDER BY m.valid_from DESC LIMIT 1)",
        None,
    ),
    "event": ("NULL", "t.team_id"),
    "touchpoint": (
        "NULL",
        "(SELECT tt.team_id FROM touchpoint_teams tt WHERE tt.touchpoint_id = ? "
        "ORDER BY tt.contribution = 'owner' DESC, tt.team_id LIMIT 1)",
    ),
    "none": ("NULL", "NULL"),
}
_TEAM_OF = (
    "(SELECT b.team_id FROM memberships b WHERE b.person_id = p.person AND b.valid_from <= p.day "
    "AND (b.valid_to IS NULL OR b.valid_to >= p.day) ORDER BY b.valid_from DESC LIMIT 1)"
)


def select_candidates(
    store: Store, survey: Survey, now: datetime, fatigue_days: int, contacts: Sequence[str] | None = None
) -> list[Candidate]:
    """The contacts `survey` would invite at `now` (UTC, naive), one per contact, credit resolved.

    `contacts` names the contacts to invite instead of the trigger's (how `manual` and `touchpoint`
    surveys are sent); fatigue and unsubscribes still apply."""
    if contacts is not None:
        marks = ", ".join("?" for _ in contacts) or "NULL"
        trigger = _BY_CONTACT.format(marks=marks)
        params: list[object] = [now.date(), *contacts]
    elif survey.trigger in _TRIGGERS:
        trigger = _TRIGGERS[survey.trigger]
        due = now - timedelta(hours=survey.delay_hours)
        since = due - timedelta(days=survey.lookback_days)
        if survey.trigger == "relationship":  # once per `every_days` per contact, on top of fatigue
            params = [now.date(), now.date(), now.date(), survey.id, now - timedelta(days=survey.every_days)]
        else:
            params = [since, due, survey.id]
    else:  # `manual` and `touchpoint` surveys select nobody on their own
        return []
    person, team = _CREDIT[survey.credit]
    team_params: list[object] = [survey.touchpoint] if survey.credit == "touchpoint" else []
    sql = f"""
        SELECT p.contact_id, p.email, p.name, p.language, p.account_id, p.case_id, p.event_id, p.product_id,
               p.person, coalesce(p.explicit_team, {_TEAM_OF})
        FROM (SELECT t.*, {person} AS person, {team or "NULL"} AS explicit_team
              FROM ({trigger}) t WHERE {_RESTED}) p"""
    rested_since = now - timedelta(days=fatigue_days)
    rows = store.execute(sql, [*team_params, *params, rested_since]).fetchall()
    seen: set[str] = set()
    candidates = []
    for row in sorted(rows, key=lambda r: (str(r[0]), str(r[5] or ""), str(r[6] or ""), str(r[7] or ""))):
        if row[0] in seen:
            continue
        seen.add(str(row[0]))
        candidates.append(
            Candidate(
                contact_id=str(row[0]),
                email=str(row[1]).strip(),
                name=row[2],
                language=row[3],
                account_id=row[4],
                case_id=row[5],
                event_id=row[6],
                product_id=row[7],
                credited_person_id=row[8],
                credited_team_id=row[9],
            )
        )
    return candidates
