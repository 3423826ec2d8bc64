"""Write the tutorial's sample exports (docs/tutorial/exports/*.csv) for Acme Cloud, a made-up company.

Run it from anywhere (`python docs/tutorial/make_sample.py`); the same seed writes the same files, and the
files are committed, so the tutorial does not depend on this script. What is planted, on purpose:

- answers given during onboarding score lower than the others, whichever team handles them (the product's
  set-up is hard), so the key drivers name the stage before the team;
- Support Europe improves from 2024 to 2025; Support Americas stays where it was;
- Support Asia-Pacific is one agent with a handful of answers: insufficient data, never ranked;
- Nora Quinn moves from Support Americas to Support Europe on 2025-07-01: her answers are credited to the
  team she was in on the day of each answer;
- two bad rows in nps.csv: a score of 11 (a bug of the survey tool, fixed in nps-corrected.csv, which
  also credits one answer to the agent who really handled it) and the first answer handled by Ines
  Duarte, a new hire not yet in people.csv (she is in new-hire.csv).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Sequence
from pathlib import Path

OUT = Path(__file__).resolve().parent / "exports"

TEAMS = [
    ("T-ACME", "Acme Cloud", "", "executive", ""),
    ("T-SUP", "Support", "T-ACME", "support", ""),
    ("T-SUP-EU", "Support Europe", "T-SUP", "support", "EMEA"),
    ("T-SUP-US", "Support Americas", "T-SUP", "support", "Americas"),
    ("T-SUP-APAC", "Support Asia-Pacific", "T-SUP", "support", "APAC"),
]
ROLES = [
    ("ceo", "Chief executive", "executive", "true"),
    ("support_lead", "Support lead", "support", "true"),
    ("support_agent", "Support agent", "support", "false"),
]
# person_id, name, team, role, hired_on; agents answer surveys, leads and the CEO do not.
PEOPLE = [
    ("P-001", "Grace Okafor", "T-ACME", "ceo", "2019-03-01"),
    ("P-002", "Tomas Lindqvist", "T-SUP", "support_lead", "2020-01-06"),
    ("P-010", "Lena Fischer", "T-SUP-EU", "support_lead", "2020-05-04"),
    ("P-011", "Marco Rossi", "T-SUP-EU", "support_agent", "2021-02-01"),
    ("P-012", "Aisha Khan", "T-SUP-EU", "support_agent", "2021-09-13"),
    ("P-013", "Jonas Weber", "T-SUP-EU", "support_agent", "2022-04-04"),
    ("P-014", "Chloé Martin", "T-SUP-EU", "support_agent", "2023-01-09"),
    ("P-020", "Dana Brooks", "T-SUP-US", "support_lead", "2020-03-02"),
    ("P-021", "Luis Ortega", "T-SUP-US", "support_agent", "2021-06-07"),
    ("P-022", "Mei Chen", "T-SUP-US", "support_agent", "2022-01-10"),
    ("P-023", "Sam Carter", "T-SUP-US", "support_agent", "2022-08-01"),
    ("P-024", "Nora Quinn", "T-SUP-US", "support_agent", "2023-03-06"),
    ("P-030", "Kenji Sato", "T-SUP-APAC", "support_agent", "2023-10-02"),
]
NEW_HIRE = ("P-016", "Ines Duarte", "T-SUP-EU", "support_agent", "2025-12-01")
MOVE_ON = dt.date(2025, 7, 1)  # Nora Quinn joins Support Europe
STAGES = ["Onboarding", "Support", "Renewal"]
TOUCHPOINTS = [
    ("Onboarding", "Onboarding", "1", "The first 90 days: set-up, data import, single sign-on."),
    ("Support", "Support", "2", "A question or a problem, handled by a support agent."),
    ("Renewal", "Renewal", "3", "The renewal conversation before the term ends."),
]
SEGMENTS = ["smb", "mid_market", "enterprise"]
REGIONS = {"T-SUP-EU": "EMEA", "T-SUP-US": "Americas", "T-SUP-APAC": "APAC"}
# Chance of a promoter and of a detractor, by team and year, before the stage's effect.
MOOD = {
    ("T-SUP-EU", 2024): (0.38, 0.26),
    ("T-SUP-EU", 2025): (0.55, 0.13),
    ("T-SUP-US", 2024): (0.47, 0.17),
    ("T-SUP-US", 2025): (0.47, 0.17),
    ("T-SUP-APAC", 2024): (0.50, 0.15),
    ("T-SUP-APAC", 2025): (0.50, 0.15),
}
COMMENTS = {
    "good": [
        "Quick and friendly, thanks!",
        "{agent} sorted it out in one call.",
        "Clear answer, and the fix worked first time.",
        "Great support, {agent} explained every step.",
        "Fast reply and a real solution.",
        "Renewal was painless, the team knows our account.",
        "Helpful people, the product just works.",
        "The dashboard export is exactly what we needed.",
    ],
    "middle": [
        "Fine, but it took two days to get an answer.",
        "OK overall. The invoice was confusing.",
        "Good product, support could be faster.",
        "Answer was right but I had to ask twice.",
    ],
    "bad": [
        "Setup took weeks and the documentation is out of date.",
        "The onboarding guide skips the SSO configuration.",
        "Still waiting for a fix, third time I ask.",
        "Invoice was wrong again, nobody called back.",
        "Too expensive for what it does.",
        "The data import failed and the error message did not help.",
        "Documentation does not match the product, setup was painful.",
    ],
}


def main(out: Path = OUT) -> None:
    """Write every sample file into `out` (tests/test_tutorial.py checks they equal the committed ones)."""
    rng = random.Random(2026)
    out.mkdir(exist_ok=True)
    accounts = write_org(rng, out)
    rows = answers(rng, accounts)
    header = ["When", "Score", "Stage", "Comment", "Account", "Agent"]
    corrected = [dict(row) for row in rows]
    bad = next(i for i, row in enumerate(rows) if row["Score"] == "10" and row["When"].startswith("1"))
    rows[bad]["Score"] = "11"  # the survey tool's bug; nps-corrected.csv has the 10
    moved = next(i for i, row in enumerate(rows) if row["Agent"] == "P-023" and row["Comment"])
    corrected[moved]["Agent"] = "P-022"  # the tool credited this conversation to the wrong agent
    write(out / "nps.csv", header, rows)
    write(out / "nps-corrected.csv", header, corrected)


def write_org(rng: random.Random, out: Path) -> list[tuple[str, str, str, str]]:
    write(out / "teams.csv", ["team_id", "name", "parent_team_id", "function", "region"], TEAMS)
    write(out / "touchpoints.csv", ["touchpoint_id", "name", "stage", "description"], TOUCHPOINTS)
    write(out / "roles.csv", ["role_id", "name", "function", "is_manager"], ROLES)
    people_header = ["person_id", "name", "email", "hired_on", "team_id", "role_id", "valid_from"]
    write(out / "people.csv", people_header[:4], [person(p)[:4] for p in PEOPLE])
    write(out / "new-hire.csv", people_header, [person(NEW_HIRE)])
    memberships = [(p[0], p[2], p[3], p[4], "") for p in PEOPLE if p[0] != "P-024"]
    memberships += [
        ("P-024", "T-SUP-US", "support_agent", "2023-03-06", "2025-06-30"),
        ("P-024", "T-SUP-EU", "support_agent", MOVE_ON.isoformat(), ""),
    ]
    write(out / "memberships.csv", ["person_id", "team_id", "role_id", "valid_from", "valid_to"], memberships)
    names = ["Northwind", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Acme Bakery", "Hooli"]
    kinds = ["Traders", "Labs", "Logistics", "Health", "Retail", "Foods"]
    accounts = []
    for number in range(1, 37):
        region = ["EMEA", "Americas", "APAC"][0 if number <= 16 else 1 if number <= 32 else 2]
        name = f"{names[number % len(names)]} {kinds[number % len(kinds)]}"
        accounts.append((f"A-{1000 + number}", name, rng.choice(SEGMENTS), region))
    write(out / "accounts.csv", ["account_id", "name", "segment", "region"], accounts)
    return accounts


def person(p: tuple[str, str, str, str, str]) -> tuple[str, ...]:
    email = p[1].lower().replace(" ", ".").replace("é", "e") + "@acme.example"
    return (p[0], p[1], email, p[4], p[2], p[3], p[4])


def team_of(agent: str, day: dt.date) -> str:
    if agent == "P-024":
        return "T-SUP-EU" if day >= MOVE_ON else "T-SUP-US"
    return next(p[2] for p in [*PEOPLE, NEW_HIRE] if p[0] == agent)


def answers(rng: random.Random, accounts: list[tuple[str, str, str, str]]) -> list[dict[str, str]]:
    agents = {"P-011": 32, "P-012": 32, "P-013": 32, "P-014": 32, "P-021": 34, "P-022": 34}
    agents |= {"P-023": 34, "P-024": 34, "P-030": 7}
    seen: set[tuple[str, str, str]] = set()
    rows = []
    for year in (2024, 2025):
        for agent, count in agents.items():
            for _ in range(count):
                rows.append(answer(rng, agent, year, accounts, seen))
    rows.append(answer(rng, NEW_HIRE[0], 2025, accounts, seen, first=dt.date(2025, 12, 3)))
    rows.sort(key=lambda row: dt.datetime.strptime(row["When"], "%d/%m/%Y %H:%M"))
    return rows


def answer(
    rng: random.Random,
    agent: str,
    year: int,
    accounts: list[tuple[str, str, str, str]],
    seen: set[tuple[str, str, str]],
    first: dt.date | None = None,
) -> dict[str, str]:
    while True:
        day = first or dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        when = dt.datetime.combine(day, dt.time(rng.randrange(7, 20), rng.randrange(60)))
        team = team_of(agent, day)
        stage = rng.choices(STAGES, weights=[3, 6, 2])[0]
        promoter, detractor = MOOD.get((team, year), (0.5, 0.15))
        if stage == "Onboarding":
            promoter, detractor = promoter - 0.2, detractor + 0.25
        draw = rng.random()
        if draw < promoter:
            score, mood = rng.choice([9, 10]), "good"
        elif draw < promoter + detractor:
            score, mood = rng.choice([0, 2, 3, 4, 5, 6, 6]), "bad"
        else:
            score, mood = rng.choice([7, 8]), "middle"
        comment = ""
        if rng.random() < 0.6:
            name = next(p[1] for p in [*PEOPLE, NEW_HIRE] if p[0] == agent).split()[0]
            comment = rng.choice(COMMENTS[mood]).format(agent=name)
        key = (when.strftime("%d/%m/%Y %H:%M"), stage, comment)
        if key in seen:
            continue
        seen.add(key)
        region = REGIONS[team]
        account = rng.choice([a for a in accounts if a[3] == region])[0]
        return {
            "When": key[0],
            "Score": str(score),
            "Stage": stage,
            "Comment": comment,
            "Account": account,
            "Agent": agent,
        }


def write(path: Path, header: list[str], rows: Sequence[dict[str, str]] | Sequence[tuple[str, ...]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row.values() if isinstance(row, dict) else row)


if __name__ == "__main__":
    main()
