"""The yearly user conference, Meridian Summit: registrations, attendance, talks, testimonials, survey.

Customers who came last year come back more often (repeat attendees), the conference grows a little
faster than the customer base, more talk submissions come from customers each year, and some attendees
record video testimonials.
"""

from __future__ import annotations

import numpy as np

from cxscore.demo import comments
from cxscore.demo.calendar import DAY, FIRST_DAY, LAST_DAY, Ints, day, office_hours
from cxscore.demo.contracts import Contracts
from cxscore.demo.customers import Customers
from cxscore.demo.feedback import EVENT_IDS, Feedback, Invitations
from cxscore.demo.organisation import Organisation, team_code
from cxscore.demo.writer import Derived, Ids, Labels, Writer

__all__ = ["EDITIONS", "build_events"]

#: (event id, name, first day, last day, location)
EDITIONS = (
    ("summit-2023", "Meridian Summit 2023", day("2023-10-17"), day("2023-10-19"), "Lisbon"),
    ("summit-2024", "Meridian Summit 2024", day("2024-10-15"), day("2024-10-17"), "Austin"),
    ("summit-2025", "Meridian Summit 2025", day("2025-10-14"), day("2025-10-16"), "Singapore"),
)
_TOPICS = ("onboarding", "reporting", "automation", "data quality", "integrations", "security", "scaling")
_TITLES = tuple(
    f"{head} {topic}"
    for head in ("How we improved", "Lessons learned in", "A year of", "Rethinking", "Beyond the basics of")
    for topic in _TOPICS
)


def build_events(
    rng: np.random.Generator,
    org: Organisation,
    customers: Customers,
    contracts: Contracts,
    writer: Writer,
    feedback: Feedback,
) -> None:
    """Create the editions and everything that happens around them."""
    writer.write("events", {
        "event_id": [e[0] for e in EDITIONS], "series": ["summit"] * 3, "name": [e[1] for e in EDITIONS],
        "starts_on": np.array([e[2] for e in EDITIONS]), "ends_on": np.array([e[3] for e in EDITIONS]),
        "location": [e[4] for e in EDITIONS], "team_id": ["T-EVENTS"] * 3,
    })  # fmt: skip
    contact_count = len(customers.contact_account)
    came_before = np.zeros(contact_count, dtype=bool)
    outsiders = 0
    for edition, (_, _, starts, ends, _) in enumerate(EDITIONS):
        account = customers.contact_account
        active = (customers.created[account] <= starts - 30) & (contracts.churned[account] >= starts)
        chance = np.where(came_before, 0.45, 0.02 * (1 + 0.2 * edition))
        registered = np.flatnonzero(active & (rng.random(contact_count) < chance))
        attended = rng.random(len(registered)) < 0.8
        guests = max(5, int(0.35 * len(registered)))
        guest_ids = np.arange(outsiders, outsiders + guests)
        outsiders += guests
        _registrations(rng, writer, edition, starts, registered, account[registered], attended, guest_ids)
        came_before[:] = False
        came_before[registered[attended]] = True
        _talks(rng, writer, edition, starts, account[registered[attended]])
        _testimonials(rng, writer, edition, ends, np.unique(account[registered[attended]]), customers.count)
        _survey(rng, org, customers, feedback, edition, ends, registered[attended])


def _registrations(
    rng: np.random.Generator,
    writer: Writer,
    edition: int,
    starts: int,
    contact: Ints,
    account: Ints,
    attended: np.ndarray,
    guests: Ints,
) -> None:
    n, g = len(contact), len(guests)
    customer_ids = Ids("C-", 7, contact)
    guest_ids = Ids("X-", 6, guests)
    registered = office_hours(rng, starts - rng.integers(10, 150, n + g))
    writer.write("event_registrations", {
        "event_id": Labels(EVENT_IDS, np.full(n, edition)), "attendee_id": customer_ids,
        "account_id": Ids("A-", 6, account), "registered_at": registered[:n], "attended": attended,
    })  # fmt: skip
    writer.write("event_registrations", {
        "event_id": Labels(EVENT_IDS, np.full(g, edition)), "attendee_id": guest_ids,
        "registered_at": registered[n:], "attended": rng.random(g) < 0.7,
    })  # fmt: skip


def _talks(rng: np.random.Generator, writer: Writer, edition: int, starts: int, attendees: Ints) -> None:
    count = max(12, int(0.04 * len(attendees)))
    by_customer = (rng.random(count) < 0.45 + 0.1 * edition) & (len(attendees) > 0)
    picked = attendees[rng.integers(0, len(attendees), count)] if len(attendees) else np.full(count, -1)
    account = np.where(by_customer, picked, -1)
    first = edition * 100_000  # ids tell the edition apart: TS-100001 is the first talk of 2024
    writer.write("talk_submissions", {
        "submission_id": Ids("TS-", 6, np.arange(first, first + count)),
        "event_id": Labels(EVENT_IDS, np.full(count, edition)),
        "title": Labels(_TITLES, rng.integers(0, len(_TITLES), count)),
        "submitted_at": office_hours(rng, starts - rng.integers(120, 200, count)),
        "by_customer": by_customer, "account_id": Ids("A-", 6, account), "accepted": rng.random(count) < 0.4,
    })  # fmt: skip


def _testimonials(
    rng: np.random.Generator, writer: Writer, edition: int, ends: int, attending: Ints, accounts: int
) -> None:
    """Videos recorded at the summit, and quotes, case studies and reviews given during the year."""
    videos = attending[: max(2, len(attending) // 30)]
    others = rng.integers(0, accounts, max(5, accounts // 80))
    year_start = FIRST_DAY + 365 * edition
    during = rng.integers(year_start, min(year_start + 365, LAST_DAY), len(others))
    recorded = np.concatenate([np.full(len(videos), ends), during])
    kind = np.concatenate([np.full(len(videos), 2), rng.choice([0, 1, 3], len(others), p=[0.5, 0.2, 0.3])])
    first = edition * 100_000
    ids = np.arange(first, first + len(recorded))
    at_event = np.concatenate([np.full(len(videos), edition), np.full(len(others), -1)])
    writer.write("testimonials", {
        "testimonial_id": Ids("TM-", 6, ids), "account_id": Ids("A-", 6, np.concatenate([videos, others])),
        "event_id": Labels(EVENT_IDS, at_event),
        "recorded_on": recorded, "format": Labels(("quote", "case_study", "video", "review"), kind),
        "url": Derived("'https://meridian.example/stories/' || {id}", {"id": Ids("TM-", 6, ids)}),
    })  # fmt: skip


def _survey(
    rng: np.random.Generator,
    org: Organisation,
    customers: Customers,
    feedback: Feedback,
    edition: int,
    ends: int,
    contact: Ints,
) -> None:
    sent = (ends + 1) * DAY + 10 * 3600 + rng.integers(0, 3600, len(contact))
    keep = customers.unsubscribed[contact] > sent
    contact, sent = contact[keep], sent[keep]
    n = len(contact)
    z = 1.0 + 0.15 * edition + rng.normal(0, 1, n)
    g = comments.group
    group = np.where(z < 0.15, g("event_bad"), g("event_good"))
    feedback.send(rng, Invitations(
        survey="event-feedback", account=customers.contact_account[contact], contact=contact, sent=sent,
        person=np.full(n, org.special["event_manager"]), team=np.full(n, team_code("T-EVENTS")), z=z,
        comments=comments.comment_codes(rng, group, 0.5), event=np.full(n, edition), touchpoint="event",
        respond=0.5, anonymous=0.1,
    ))  # fmt: skip
