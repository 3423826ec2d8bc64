"""Support cases, their transfers, and the case-closed CSAT + CES survey, generated in chunks.

Planted here:
1. cases on atlas 3.2 are slower, reopen more and score far lower (latent -1.1), whatever the team;
2. Support LATAM (never trained) answers and resolves slower, reopens more, and scores lower (-0.5);
3. Support APAC improves each year: faster first responses, fewer reopens, latent -1.0, -0.3, +0.5;
4. Support Premier (2 agents, about 25 cases a year) has average true satisfaction; its observed sample
   is the 90th percentile of 40 equally likely draws (as lucky as the luckiest team in ten), so it tops
   the raw ranking by noise alone;
6. one Support EMEA agent sends the survey only after good cases (answered within a day, resolved within
   two, never reopened);
7. December is slow (first responses take twice as long, latent -0.5) and Q1 is the busiest quarter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxscore.demo import comments
from cxscore.demo.calendar import DAY, FIRST_DAY, LAST_DAY, Ints, month_of, office_hours, random_days, year_of
from cxscore.demo.contracts import Contracts
from cxscore.demo.customers import Customers
from cxscore.demo.feedback import Feedback, Invitations
from cxscore.demo.organisation import TEAMS, Organisation, team_code
from cxscore.demo.products import DEFECTIVE, PRODUCTS, VERSIONS, Products
from cxscore.demo.sizes import Size
from cxscore.demo.writer import Ids, Labels, Writer

__all__ = ["LUCKY_DRAWS", "build_support"]

LUCKY_DRAWS = 40
_REGION_TEAMS = ("T-SUP-EMEA", "T-SUP-NA", "T-SUP-APAC", "T-SUP-LATAM")
_PRIORITIES = ("low", "normal", "high", "urgent")
_CHANNELS = ("email", "phone", "chat", "web", "social", "in_person")
_CATEGORIES = ("defect", "how_to", "configuration", "access", "performance", "billing", "feature_request")
_RESOLUTIONS = ("solved", "workaround", "not_a_defect", "wont_fix", "duplicate", "cancelled")
_REASONS = ("new", "follow_the_sun", "escalation")
_PREMIER_CASES_PER_YEAR = 6.0
_TEAM_IDS = [t.team_id for t in TEAMS]


@dataclass(frozen=True)
class _World:
    """Everything a chunk of cases is drawn from."""

    size: Size
    org: Organisation
    customers: Customers
    products: Products
    writer: Writer
    feedback: Feedback
    agent_effect: np.ndarray  # per person, latent satisfaction they add


def build_support(
    rng: np.random.Generator,
    size: Size,
    org: Organisation,
    customers: Customers,
    products: Products,
    contracts: Contracts,
    writer: Writer,
    feedback: Feedback,
) -> None:
    """Generate every case in chunks of about `size.chunk_rows`, with assignments and surveys."""
    effect = rng.normal(0, 0.15, org.person_count)
    for name in ("surveying_agent", "premier_agent_1", "premier_agent_2"):
        effect[org.special[name]] = 0.0
    world = _World(size, org, customers, products, writer, feedback, effect)
    low = np.maximum(customers.created, FIRST_DAY)
    high = np.minimum(contracts.churned, LAST_DAY)
    years = np.maximum(high - low + 1, 0) / 365.25
    rate = size.cases_per_account_year * np.array([2.4, 1.0, 0.55])[customers.segment] / 0.95
    rate = np.where(customers.premier, _PREMIER_CASES_PER_YEAR, rate)
    count = rng.poisson(rate * years)
    premier = customers.premier
    ordinary = np.flatnonzero(~premier & (count > 0))
    blocks = np.cumsum(count[ordinary]) // size.chunk_rows
    first = 0
    for block in np.unique(blocks):
        accounts = ordinary[blocks == block]
        first = _chunk(rng, world, np.repeat(accounts, count[accounts]), low, high, first, lucky=False)
    accounts = np.flatnonzero(premier)
    _chunk(rng, world, np.repeat(accounts, count[accounts]), low, high, first, lucky=True)


def _chunk(
    rng: np.random.Generator, world: _World, account: Ints, low: Ints, high: Ints, first: int, *, lucky: bool
) -> int:
    """Generate the cases of `account` (one row per case); return the next free case number."""
    n = len(account)
    opened = np.sort(office_hours(rng, random_days(rng, low[account], high[account])))
    order = np.argsort(rng.random(n))  # cases of an account are spread through the chunk
    account = account[order]
    opened_day = opened // DAY
    case = np.arange(first, first + n)
    c = world.customers
    contact = c.random_contact(rng, account)
    weights = world.products.subscribed[account] * np.array([0.6, 0.25, 0.15])
    product = (rng.random(n)[:, None] > np.cumsum(weights / weights.sum(1, keepdims=True), 1)).sum(1)
    product = np.minimum(product, len(PRODUCTS) - 1)
    version = world.products.version_on(account, product, opened_day)
    planted = world.size.truths  # False: a clean company, none of the effects below
    defect = (version == DEFECTIVE) & planted
    team = np.array([team_code(t) for t in _REGION_TEAMS])[c.region[account]]
    team = np.where(c.premier[account], team_code("T-SUP-PREMIER"), team)
    year = year_of(opened_day) - 2023
    december = (month_of(opened_day) == 12) & planted
    latam, apac = (team == team_code("T-SUP-LATAM")) & planted, (team == team_code("T-SUP-APAC")) & planted
    times = _timeline(rng, n, opened, defect, latam, apac, year, december)
    reassign = _assign(rng, world, case, opened, opened_day, team, times["resolved_first"])
    agent = reassign["agent"]
    # the latent satisfaction of the customer with this case, before noise
    base = (
        1.5
        + np.choose(np.minimum(year, 2), [-1.0, -0.3, 0.5]) * apac
        - 0.5 * latam
        + world.agent_effect[agent]
        - 1.1 * defect
        - 0.6 * (times["reopens"] > 0)
        - 0.3 * np.log1p(times["resolve_days"])
        - 0.25 * (times["first_response_hours"] > 24)
        - 0.5 * december
    )
    category = _category(rng, n, defect)
    resolution = _resolution(rng, n, defect)
    contacts_needed = 1 + rng.poisson(0.35 * np.log1p(times["resolve_days"]) * 2) + times["reopens"]
    world.writer.write("cases", {
        "case_id": Ids("CS-", 7, case), "account_id": Ids("A-", 6, account),
        "contact_id": Ids("C-", 7, contact), "product_id": Labels([p[0] for p in PRODUCTS], product),
        "version": Labels([v[1] for v in VERSIONS], version),
        "agent_id": Ids("P-", 5, agent), "team_id": Labels(_TEAM_IDS, reassign["team"]),
        "category": Labels(_CATEGORIES, category),
        "channel": Labels(_CHANNELS, rng.choice(6, n, p=[0.45, 0.15, 0.12, 0.25, 0.02, 0.01])),
        "priority": Labels(_PRIORITIES, rng.choice(4, n, p=[0.2, 0.55, 0.2, 0.05])),
        "opened_at": opened, "first_response_at": times["first_response"], "resolved_at": times["resolved"],
        "closed_at": times["closed"], "reopened_at": times["reopened"], "reopen_count": times["reopens"],
        "contacts_to_resolve": contacts_needed, "resolution": Labels(_RESOLUTIONS, resolution),
    })  # fmt: skip
    groups = _comment_groups(defect, times)
    good = (times["reopens"] == 0) & (times["resolve_days"] < 2) & (times["first_response_hours"] < 24)
    _survey(
        rng,
        world,
        case,
        account,
        contact,
        product,
        agent,
        times["closed"],
        base,
        resolution,
        good,
        groups,
        lucky and planted,
    )
    return first + n


def _timeline(
    rng: np.random.Generator,
    n: int,
    opened: Ints,
    defect: np.ndarray,
    latam: np.ndarray,
    apac: np.ndarray,
    year: Ints,
    december: np.ndarray,
) -> dict[str, Ints]:
    """First response, resolution (with reopens), closure: seconds, and the derived hours and days."""
    apac_speed = np.choose(np.minimum(year, 2), [1.6, 1.15, 0.8])
    speed = np.where(latam, 1.5, 1.0) * np.where(apac, apac_speed, 1.0) * np.where(december, 2.0, 1.0)
    response_hours = rng.lognormal(np.log(4.0), 0.9, n) * speed
    first_response = opened + (response_hours * 3600).astype(np.int64) + 60
    days = rng.lognormal(np.log(1.2), 0.9, n) * np.where(defect, 2.2, 1.0) * np.where(latam, 1.4, 1.0)
    resolved_first = np.maximum(opened + (days * DAY).astype(np.int64), first_response + 600)
    p_reopen = 0.05 + 0.10 * latam + 0.10 * defect + np.choose(np.minimum(year, 2), [0.06, 0.03, 0.0]) * apac
    reopens = (rng.random(n) < p_reopen).astype(np.int64) * np.where(rng.random(n) < 0.2, 2, 1)
    reopened = np.where(reopens > 0, resolved_first + rng.integers(DAY // 4, 7 * DAY, n), -1)
    resolved = np.where(
        reopens > 0, reopened + rng.lognormal(np.log(DAY), 0.8, n).astype(np.int64) + 600, resolved_first
    )
    closed = resolved + rng.integers(DAY // 2, 5 * DAY, n)
    return {
        "first_response": first_response,
        "first_response_hours": response_hours,
        "resolved_first": resolved_first,
        "resolved": resolved,
        "resolve_days": (resolved - opened) / DAY,
        "reopened": reopened,
        "reopens": reopens,
        "closed": closed,
    }


def _assign(
    rng: np.random.Generator,
    world: _World,
    case: Ints,
    opened: Ints,
    opened_day: Ints,
    team: Ints,
    resolved_first: Ints,
) -> dict[str, Ints]:
    """Who held each case: a first assignment, and for some a transfer (the final owner is on the case)."""
    n = len(case)
    regions = np.array([team_code(t) for t in _REGION_TEAMS[:3]])
    follow_sun = np.isin(team, regions) & (rng.random(n) < 0.08)
    first_team = np.where(follow_sun, regions[rng.integers(0, 3, n)], team)
    follow_sun &= first_team != team
    escalated = ~follow_sun & (rng.random(n) < 0.06)
    first_agent = _member(world, first_team, opened_day, rng.random(n))
    moved = follow_sun | escalated
    final_agent = np.where(moved, _member(world, team, opened_day, rng.random(n)), first_agent)
    assigned = opened + rng.integers(60, 1800, n)
    transfer = assigned + 1 + ((resolved_first - assigned) * rng.uniform(0.2, 0.7, n)).astype(np.int64)
    rows = np.flatnonzero(moved)
    reason = np.where(follow_sun, 1, 2)
    world.writer.write("case_assignments", {
        "case_id": Ids("CS-", 7, np.concatenate([case, case[rows]])),
        "assigned_at": np.concatenate([assigned, transfer[rows]]),
        "person_id": Ids("P-", 5, np.concatenate([first_agent, final_agent[rows]])),
        "team_id": Labels(_TEAM_IDS, np.concatenate([first_team, team[rows]])),
        "reason": Labels(_REASONS, np.concatenate([np.zeros(n, dtype=np.int64), reason[rows]])),
    })  # fmt: skip
    return {"agent": final_agent, "team": team}


def _member(world: _World, team: Ints, days: Ints, u: np.ndarray) -> Ints:
    person = world.org.roster.pick(team, days, u)
    lead = np.array([world.org.leads[t] for t in range(max(world.org.leads) + 1)])
    return np.where(person >= 0, person, lead[team])


def _category(rng: np.random.Generator, n: int, defect: np.ndarray) -> Ints:
    p = np.array([0.22, 0.25, 0.18, 0.12, 0.1, 0.05, 0.08])
    ordinary = rng.choice(len(_CATEGORIES), n, p=p)
    return np.where(defect & (rng.random(n) < 0.45), 0, ordinary)


def _resolution(rng: np.random.Generator, n: int, defect: np.ndarray) -> Ints:
    ordinary = rng.choice(len(_RESOLUTIONS), n, p=[0.78, 0.08, 0.05, 0.02, 0.03, 0.04])
    return np.where(defect & (rng.random(n) < 0.25), 1, ordinary)


def _survey(
    rng: np.random.Generator,
    world: _World,
    case: Ints,
    account: Ints,
    contact: Ints,
    product: Ints,
    agent: Ints,
    closed: Ints,
    base: np.ndarray,
    resolution: Ints,
    good: np.ndarray,
    groups: tuple[Ints, Ints],
    lucky: bool,
) -> None:
    """Invite after closure (the surveying agent only after good cases) and record the answers."""
    n = len(case)
    sent = closed + rng.integers(300, 7200, n)
    eligible = (resolution < 4) & (world.customers.unsubscribed[contact] > sent)
    selective = (agent == world.org.special["surveying_agent"]) & world.size.truths
    rate = np.where(selective, np.where(good, 0.93, 0.05), 0.93)
    invite = np.flatnonzero(eligible & (rng.random(n) < rate))
    responds = rng.random(len(invite)) < 0.5
    noise = rng.normal(0, 1, len(invite))
    if lucky:  # as lucky as the luckiest team in ten: the 90th percentile of equally likely samples
        draws = rng.normal(0, 1, (LUCKY_DRAWS, len(invite)))
        happy = ((base[invite] + draws) > 0.15)[:, responds].mean(axis=1) if responds.any() else np.zeros(1)
        noise = draws[int(np.argsort(happy, kind="stable")[int(0.9 * (len(happy) - 1))])]
    z = base[invite] + noise
    team = world.org.person_team(agent[invite], sent[invite] // DAY)
    unhappy, happy = groups[0][invite], groups[1][invite]
    group = np.where(z < 0.15, unhappy, np.where(z > 1.3, happy, comments.group("neutral")))
    resolved = np.where((resolution[invite] <= 1) & (z > -0.5), 1, 0)
    world.feedback.send(rng, Invitations(
        survey="case-csat", account=account[invite], contact=contact[invite], sent=sent[invite],
        person=agent[invite], team=team, z=z, comments=comments.comment_codes(rng, group, 0.45),
        case=case[invite], touchpoint="support_case", product=product[invite], responds=responds,
        extra={"resolved": resolved},
    ))  # fmt: skip


def _comment_groups(defect: np.ndarray, times: dict[str, Ints]) -> tuple[Ints, Ints]:
    """The comment group an unhappy and a happy customer of each case would write from."""
    g = comments.group
    unhappy = np.select(
        [defect, times["reopens"] > 0, times["first_response_hours"] > 24, times["resolve_days"] > 4],
        [g("defect"), g("reopened"), g("slow_response"), g("long_resolution")],
        default=g("effort"),
    )
    return unhappy.astype(np.int64), np.full(len(defect), g("friendly"), dtype=np.int64)
