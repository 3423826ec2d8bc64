"""The demo company's organisation: teams in a hierarchy, roles, people, who was where and when.

Planted here: Support LATAM is never trained (no `trainings` rows for anyone who was ever in it),
Support APAC gets a training programme in 2023-2024 (the reason it improves), Support Premier is a
three-person team, and a few people change teams mid-period so that credit has to follow the date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxscore.demo.calendar import Ints, day
from cxscore.demo.lookup import Roster, Timeline
from cxscore.demo.names import DOMAIN, FIRST_NAMES, LAST_NAMES
from cxscore.demo.sizes import Size
from cxscore.demo.writer import Ids, Labels, Writer

__all__ = ["ROLES", "TEAMS", "Organisation", "Team", "build_organisation", "team_code"]


@dataclass(frozen=True)
class Team:
    """A team of the demo company, the role its members hold and the role of its lead."""

    team_id: str
    name: str
    parent: str | None
    function: str
    region: str | None
    member_role: str
    lead_role: str


TEAMS: tuple[Team, ...] = (
    Team("T-COMPANY", "Meridian Software", None, "executive", None, "ceo", "ceo"),
    Team("T-SALES", "Sales", "T-COMPANY", "sales", None, "director", "director"),
    Team("T-SALES-EMEA", "Sales EMEA", "T-SALES", "sales", "EMEA", "sales_rep", "sales_manager"),
    Team("T-SALES-NA", "Sales North America", "T-SALES", "sales", "North America", "sales_rep",
         "sales_manager"),
    Team("T-SALES-APAC", "Sales APAC", "T-SALES", "sales", "APAC", "sales_rep", "sales_manager"),
    Team("T-SALES-LATAM", "Sales LATAM", "T-SALES", "sales", "LATAM", "sales_rep", "sales_manager"),
    Team("T-AM", "Account Management", "T-SALES", "account_management", None, "account_manager", "am_lead"),
    Team("T-SUP", "Customer Support", "T-COMPANY", "support", None, "director", "director"),
    Team("T-SUP-EMEA", "Support EMEA", "T-SUP", "support", "EMEA", "support_agent", "support_lead"),
    Team("T-SUP-NA", "Support North America", "T-SUP", "support", "North America", "support_agent",
         "support_lead"),
    Team("T-SUP-APAC", "Support APAC", "T-SUP", "support", "APAC", "support_agent", "support_lead"),
    Team("T-SUP-LATAM", "Support LATAM", "T-SUP", "support", "LATAM", "support_agent", "support_lead"),
    Team("T-SUP-PREMIER", "Support Premier", "T-SUP", "support", None, "support_agent", "support_lead"),
    Team("T-PRODUCT", "Product Management", "T-COMPANY", "product", None, "product_manager", "product_lead"),
    Team("T-EVENTS", "Events & Community", "T-COMPANY", "events", None, "event_manager", "events_lead"),
    Team("T-OPS", "Operations", "T-COMPANY", "back_office", None, "director", "director"),
    Team("T-PURCHASING", "Purchasing", "T-OPS", "back_office", None, "back_office_specialist", "ops_lead"),
    Team("T-PROVISIONING", "Production & Provisioning", "T-OPS", "back_office", None,
         "back_office_specialist", "ops_lead"),
    Team("T-LOGISTICS", "Packaging & Logistics", "T-OPS", "back_office", None, "back_office_specialist",
         "ops_lead"),
    Team("T-BILLING", "Billing", "T-OPS", "back_office", None, "back_office_specialist", "ops_lead"),
)  # fmt: skip

ROLES: tuple[tuple[str, str, str, bool], ...] = (
    ("ceo", "Chief executive", "executive", True),
    ("director", "Director", "executive", True),
    ("sales_rep", "Sales representative", "sales", False),
    ("sales_manager", "Sales manager", "sales", True),
    ("account_manager", "Account manager", "account_management", False),
    ("am_lead", "Account management lead", "account_management", True),
    ("support_agent", "Support agent", "support", False),
    ("support_lead", "Support team lead", "support", True),
    ("product_manager", "Product manager", "product", False),
    ("product_lead", "Head of product", "product", True),
    ("event_manager", "Event manager", "events", False),
    ("events_lead", "Head of events and community", "events", True),
    ("back_office_specialist", "Operations specialist", "back_office", False),
    ("ops_lead", "Operations team lead", "back_office", True),
)

_TEAM_INDEX = {t.team_id: i for i, t in enumerate(TEAMS)}
_ROLE_INDEX = {r[0]: i for i, r in enumerate(ROLES)}
_ORG_START = day("2022-01-01")
_LAST = day("2025-12-31")


def team_code(team_id: str) -> int:
    """The index of a team in TEAMS (the code generators use for it).

    >>> TEAMS[team_code("T-SUP-APAC")].name
    'Support APAC'
    """
    return _TEAM_INDEX[team_id]


@dataclass(frozen=True)
class Organisation:
    """People and memberships as arrays, with the look-ups generators need."""

    person_count: int
    membership_person: Ints
    membership_team: Ints
    membership_from: Ints
    membership_to: Ints
    roster: Roster  # members (not leads) of each team over time
    team_of: Timeline  # person -> team on a day
    membership_of: Timeline  # person -> row of the memberships on a day
    leads: dict[int, int]  # team code -> its lead
    special: dict[str, int]  # named people the planted truths are about

    def person_team(self, person: Ints, days: Ints) -> Ints:
        """The team code of each person on each day (-1 where none)."""
        return self.team_of.at(person, days)


@dataclass
class _People:
    """Accumulates people and memberships while the organisation is built (then frozen into arrays)."""

    hired: list[int]
    left: list[int]
    rows: list[tuple[int, int, int, int, int]]  # person, team, role, from, to (-1 open)

    def hire(self, hired_on: int) -> int:
        self.hired.append(hired_on)
        self.left.append(-1)
        return len(self.hired) - 1


def build_organisation(rng: np.random.Generator, size: Size, writer: Writer) -> Organisation:
    """Create teams, roles, people, memberships, manager links and trainings; return the look-ups."""
    people = _People([], [], [])
    leads = {code: _lead(rng, people, code) for code in range(len(TEAMS))}
    special: dict[str, int] = {}
    for code, team in enumerate(TEAMS):
        if team.member_role in ("ceo", "director"):
            continue
        for slot in range(_headcount(team, size)):
            first = _staff_slot(rng, people, code, keep=slot < _keepers(team))
            if team.team_id == "T-SUP-EMEA" and slot == 0:
                special["surveying_agent"] = first
            if team.team_id == "T-SUP-PREMIER":
                special[f"premier_agent_{slot + 1}"] = first
            if team.team_id == "T-PRODUCT" and slot < 4:
                special[("pm_atlas", "pm_beacon", "pm_courier", "pm_atlas_next")[slot]] = first
            if team.team_id == "T-EVENTS" and slot == 0:
                special["event_manager"] = first
    _move_people(rng, people, set(special.values()) | set(leads.values()), special)
    special["ceo"] = leads[team_code("T-COMPANY")]
    return _freeze(rng, people, leads, special, writer, planted=size.truths)


def _headcount(team: Team, size: Size) -> int:
    accounts, cases = size.accounts, size.accounts * size.cases_per_account_year
    share = {"EMEA": 0.37, "North America": 0.38, "APAC": 0.15, "LATAM": 0.10}.get(team.region or "", 0)
    if team.team_id == "T-SUP-PREMIER":
        return 2
    if team.function == "support":
        return size.headcount(cases * share, per_person=1_400, minimum=5)
    if team.function == "sales":
        return size.headcount(accounts * share, per_person=260, minimum=4)
    if team.function == "account_management":
        return size.headcount(accounts * 0.12, per_person=60, minimum=3)
    if team.function == "product":
        return 5
    if team.function == "events":
        return size.headcount(accounts, per_person=20_000, minimum=3)
    return size.headcount(accounts, per_person=4_000, minimum=3)


def _keepers(team: Team) -> int:
    """Slots whose first holder never leaves (people the planted truths and products name)."""
    return {"T-SUP-EMEA": 1, "T-SUP-PREMIER": 2, "T-PRODUCT": 4, "T-EVENTS": 1}.get(team.team_id, 0)


def _lead(rng: np.random.Generator, people: _People, code: int) -> int:
    team = TEAMS[code]
    person = people.hire(_ORG_START - int(rng.integers(200, 2_500)))
    people.rows.append((person, code, _ROLE_INDEX[team.lead_role], people.hired[person], -1))
    return person


def _staff_slot(rng: np.random.Generator, people: _People, code: int, *, keep: bool) -> int:
    """Fill one seat of a team over the years: its holder may leave and be replaced."""
    role = _ROLE_INDEX[TEAMS[code].member_role]
    grows = not keep and rng.random() < 0.15  # a seat added during the three years
    start = int(rng.integers(day("2023-02-01"), day("2025-06-01"))) if grows else None
    hired = start if start is not None else _ORG_START - int(rng.integers(30, 2_500))
    first = person = people.hire(hired)
    since = max(hired, _ORG_START) if start is None else hired
    while True:
        leaves = not keep and rng.random() < 0.25 and since < _LAST - 200
        if not leaves:
            people.rows.append((person, code, role, since, -1))
            return first
        left = int(rng.integers(since + 120, _LAST))
        people.rows.append((person, code, role, since, left))
        people.left[person] = left
        since = left + int(rng.integers(14, 60))
        if since > _LAST:
            return first
        person = people.hire(since)
        keep = rng.random() < 0.6  # most replacements stay


_MOVES = {"T-SUP-EMEA": "T-SUP-APAC", "T-SUP-NA": "T-SUP-EMEA", "T-SALES-EMEA": "T-AM", "T-SALES-NA": "T-AM"}


def _move_people(
    rng: np.random.Generator, people: _People, protected: set[int], special: dict[str, int]
) -> None:
    """Some people change teams mid-period (at least one on each route); credit must follow the date."""
    routes: set[int] = set()
    for index, (person, code, role, since, until) in enumerate(list(people.rows)):
        destination = _MOVES.get(TEAMS[code].team_id)
        if destination is None or until >= 0 or person in protected:
            continue
        low, high = max(since + 90, day("2023-09-01")), day("2025-06-30")
        if low >= high or (code in routes and rng.random() > 0.08):
            continue
        when = int(rng.integers(low, high))
        new_code = team_code(destination)
        people.rows[index] = (person, code, role, since, when - 1)
        people.rows.append((person, new_code, _ROLE_INDEX[TEAMS[new_code].member_role], when, -1))
        if not routes:
            special["team_changer"] = person
        routes.add(code)


def _freeze(
    rng: np.random.Generator,
    people: _People,
    leads: dict[int, int],
    special: dict[str, int],
    writer: Writer,
    *,
    planted: bool = True,
) -> Organisation:
    rows = np.array(sorted(people.rows, key=lambda r: (r[0], r[3])), dtype=np.int64)
    person, team, role, since, until = (rows[:, i] for i in range(5))
    count = len(people.hired)
    _write_teams_and_roles(writer)
    _write_people(rng, writer, count, np.array(people.hired), np.array(people.left))
    writer.write(
        "memberships",
        {
            "person_id": Ids("P-", 5, person),
            "team_id": Labels([t.team_id for t in TEAMS], team),
            "role_id": Labels([r[0] for r in ROLES], role),
            "valid_from": since,
            "valid_to": until,
        },
    )
    _write_manager_links(writer, person, team, since, until, leads)
    _write_trainings(rng, writer, person, team, since, until, planted=planted)
    is_lead = np.isin(person, list(leads.values()))
    return Organisation(
        person_count=count,
        membership_person=person,
        membership_team=team,
        membership_from=since,
        membership_to=until,
        roster=Roster.build(person[~is_lead], team[~is_lead], since[~is_lead], until[~is_lead]),
        team_of=Timeline.build(person, since, until, team),
        membership_of=Timeline.build(person, since, until, np.arange(len(person))),
        leads=leads,
        special=special,
    )


def _write_teams_and_roles(writer: Writer) -> None:
    writer.write(
        "teams",
        {
            "team_id": [t.team_id for t in TEAMS],
            "name": [t.name for t in TEAMS],
            "parent_team_id": [t.parent for t in TEAMS],
            "function": [t.function for t in TEAMS],
            "region": [t.region for t in TEAMS],
        },
    )
    writer.write(
        "roles",
        {
            "role_id": [r[0] for r in ROLES],
            "name": [r[1] for r in ROLES],
            "function": [r[2] for r in ROLES],
            "is_manager": [r[3] for r in ROLES],
        },
    )


def _write_people(rng: np.random.Generator, writer: Writer, count: int, hired: Ints, left: Ints) -> None:
    first = rng.integers(0, len(FIRST_NAMES), count)
    last = rng.integers(0, len(LAST_NAMES), count)
    names = [f"{FIRST_NAMES[f]} {LAST_NAMES[g]}" for f, g in zip(first, last, strict=True)]
    emails = [
        f"{FIRST_NAMES[f].lower()}.{LAST_NAMES[g].lower()}{i + 1}@{DOMAIN}"
        for i, (f, g) in enumerate(zip(first, last, strict=True))
    ]
    writer.write(
        "people",
        {
            "person_id": Ids("P-", 5, np.arange(count)),
            "name": names,
            "email": emails,
            "hired_on": hired,
            "left_on": left,
        },
    )


def _write_manager_links(
    writer: Writer, person: Ints, team: Ints, since: Ints, until: Ints, leads: dict[int, int]
) -> None:
    """Members report to their team's lead; leads report to the lead of the parent team."""
    lead_of = np.array([leads[c] for c in range(len(TEAMS))])
    parent = np.array([_TEAM_INDEX[t.parent] if t.parent else -1 for t in TEAMS])
    is_lead = person == lead_of[team]
    manager = np.where(
        is_lead, np.where(parent[team] >= 0, lead_of[np.maximum(parent[team], 0)], -1), lead_of[team]
    )
    keep = manager >= 0
    writer.write(
        "manager_links",
        {
            "person_id": Ids("P-", 5, person[keep]),
            "manager_id": Ids("P-", 5, manager[keep]),
            "valid_from": since[keep],
            "valid_to": until[keep],
        },
    )


_COURSES: dict[str, tuple[str, ...]] = {
    "support": ("Support fundamentals", "Atlas product certification", "De-escalation and empathy"),
    "sales": ("Value selling", "Renewal playbook"),
    "account_management": ("Renewal playbook", "Executive business reviews"),
    "product": ("Customer discovery",),
    "events": ("Community management",),
    "back_office": ("Order-to-cash essentials",),
    "executive": ("Leading with customer metrics",),
}


def _write_trainings(
    rng: np.random.Generator,
    writer: Writer,
    person: Ints,
    team: Ints,
    since: Ints,
    until: Ints,
    *,
    planted: bool = True,
) -> None:
    """Courses by function; nobody who was ever in Support LATAM has any (planted truth 2)."""
    never = set(person[team == team_code("T-SUP-LATAM")].tolist()) if planted else set()
    apac = team_code("T-SUP-APAC")
    rows: dict[tuple[int, str, int], None] = {}
    for p, t, start, end in zip(person, team, since, until, strict=True):
        if int(p) in never:
            continue
        stop = min(int(end) if end >= 0 else _LAST, _LAST)
        for course in _COURSES[TEAMS[t].function]:
            if rng.random() < 0.8:
                rows[(int(p), course, int(rng.integers(int(start), max(int(start) + 1, stop))))] = None
        if t == apac and planted:  # the 2023-2024 programme behind Support APAC's improvement
            for course in ("Atlas product certification", "De-escalation and empathy"):
                low = max(int(start), day("2023-04-01"))
                rows[(int(p), course, int(rng.integers(low, max(low + 1, day("2024-06-30")))))] = None
    keys = sorted(rows)
    writer.write(
        "trainings",
        {
            "person_id": Ids("P-", 5, np.array([k[0] for k in keys], dtype=np.int64)),
            "course": [k[1] for k in keys],
            "completed_on": np.array([k[2] for k in keys], dtype=np.int64),
        },
    )
