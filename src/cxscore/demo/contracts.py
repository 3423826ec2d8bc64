"""Contracts (new business, yearly renewals with their outcome, expansions) and post-sale activities.

Planted here (truth 5): Sales North America is paid on new logos. It brings in more and bigger new
accounts, but the accounts it owns at renewal time churn more (their churn odds are e^1.1 = 3x), expand
less, and get a quarter of the post-sale calls, meetings and QBRs that other teams give theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxscore.demo.calendar import FIRST_DAY, LAST_DAY, Ints, office_hours
from cxscore.demo.customers import Customers
from cxscore.demo.lookup import Timeline
from cxscore.demo.organisation import Organisation, team_code
from cxscore.demo.products import DEFECTIVE, Products
from cxscore.demo.sizes import Size
from cxscore.demo.writer import Ids, Labels, Writer

__all__ = ["CHURN_REASONS", "Bookings", "Contracts", "build_contracts"]

KINDS = ("new_business", "renewal", "expansion")
OUTCOMES = ("pending", "renewed", "expanded", "contracted", "churned")
CHURN_REASONS = (
    "price",
    "product_quality",
    "support_experience",
    "no_adoption",
    "competitor",
    "budget_cuts",
    "acquired",
)
_NEVER = np.int64(1 << 40)
_NEW_LOGO_TEAM = "T-SALES-NA"


@dataclass(frozen=True)
class Bookings:
    """Deals that start a delivery and an invoice: new business and expansions."""

    account: Ints
    contract: Ints  # contract number (K- id)
    kind: Ints  # index into KINDS
    booked: Ints
    start: Ints
    person: Ints  # credited rep


@dataclass(frozen=True)
class Contracts:
    """When each account stopped being a customer, and which contract term covered a day."""

    churned: Ints  # last day of the last term of churned accounts, a huge number otherwise
    term: Timeline  # account -> contract number on a day
    bookings: Bookings


@dataclass
class _Terms:
    """Contract rows collected while the terms are rolled forward year by year."""

    columns: dict[str, list[Ints]]

    def add(self, **values: Ints) -> None:
        for name, value in values.items():
            self.columns.setdefault(name, []).append(np.asarray(value))

    def get(self, name: str) -> Ints:
        return np.concatenate(self.columns[name])


def build_contracts(
    rng: np.random.Generator,
    size: Size,
    customers: Customers,
    products: Products,
    org: Organisation,
    writer: Writer,
) -> Contracts:
    """Roll each account's yearly terms from its 2022 (or first) term to the end of 2025."""
    n = customers.count
    na = team_code(_NEW_LOGO_TEAM) if size.truths else -1  # -1: no team neglects renewals
    created = customers.created
    base = created < FIRST_DAY
    years_in = np.maximum((FIRST_DAY - 1 - created) // 365, 0)
    start = np.where(base, created + 365 * years_in, created)
    arr = np.exp(rng.normal(np.log(np.array([150_000.0, 40_000.0, 9_000.0])[customers.segment]), 0.5))
    first_team = org.person_team(customers.owner.at(np.arange(n), np.maximum(created, FIRST_DAY)), created)
    arr = np.where(~base & (first_team == na), arr * 1.3, arr)
    terms = _Terms({})
    next_id = 0
    account, kind = np.arange(n), np.where(base & (years_in > 0), 1, 0)
    booked = np.where(kind == 0, created, start - rng.integers(0, 30, n))
    previous = np.full(n, -1)
    churned = np.full(n, _NEVER, dtype=np.int64)
    while len(account):
        ids = np.arange(next_id, next_id + len(account))
        next_id += len(account)
        end = start + 364
        owner_end = customers.owner.at(account, np.minimum(end, LAST_DAY) - 30)
        neglect = org.person_team(owner_end, np.minimum(end, LAST_DAY) - 30) == na
        next_id = _expansions(rng, terms, account, ids, start, end, arr, neglect, customers, next_id)
        known = end <= LAST_DAY
        outcome, factor, reason = _outcomes(rng, customers, products, account, end, neglect, size.truths)
        outcome = np.where(known, outcome, 0)
        terms.add(
            number=ids, account=account, kind=kind, previous=previous, booked=booked, start=start, end=end,
            arr=np.round(arr, 2), outcome=outcome, reason=np.where(known & (outcome == 4), reason, -1),
            person=customers.owner.at(account, np.maximum(booked, FIRST_DAY - 400)),
        )  # fmt: skip
        gone = known & (outcome == 4)
        churned[account[gone]] = end[gone]
        goes_on = known & ~gone
        account, previous = account[goes_on], ids[goes_on]
        arr = (arr * factor)[goes_on]
        start, kind = end[goes_on] + 1, np.ones(goes_on.sum(), dtype=np.int64)
        booked = np.minimum(start - 1 - rng.integers(0, 45, len(start)), LAST_DAY)
    _write_contracts(writer, terms)
    number, acc, kinds = terms.get("number"), terms.get("account"), terms.get("kind")
    starts, ends = terms.get("start"), terms.get("end")
    main = kinds != 2
    deals = (kinds != 1) & (terms.get("booked") >= FIRST_DAY)
    bookings = Bookings(
        acc[deals],
        number[deals],
        kinds[deals],
        terms.get("booked")[deals],
        starts[deals],
        terms.get("person")[deals],
    )
    _activities(
        rng,
        size,
        writer,
        org,
        customers,
        acc[main],
        number[main],
        starts[main],
        np.minimum(ends[main], churned[acc[main]]),
    )
    return Contracts(churned, Timeline.build(acc[main], starts[main], ends[main], number[main]), bookings)


def _expansions(
    rng: np.random.Generator,
    terms: _Terms,
    account: Ints,
    term: Ints,
    start: Ints,
    end: Ints,
    arr: np.ndarray,
    neglect: np.ndarray,
    customers: Customers,
    next_id: int,
) -> int:
    """Upsell bookings inside a term, co-terminous with it; returns the next free contract number."""
    booked = start + rng.integers(60, 300, len(account))
    takes = (rng.random(len(account)) < np.where(neglect, 0.05, 0.18)) & (booked <= np.minimum(end, LAST_DAY))
    takes &= booked >= FIRST_DAY
    k = int(takes.sum())
    ids = np.arange(next_id, next_id + k)
    terms.add(
        number=ids, account=account[takes], kind=np.full(k, 2), previous=term[takes], booked=booked[takes],
        start=booked[takes], end=end[takes], arr=np.round(arr[takes] * rng.uniform(0.1, 0.4, k), 2),
        outcome=np.full(k, -1), reason=np.full(k, -1),
        person=customers.owner.at(account[takes], booked[takes]),
    )  # fmt: skip
    return next_id + k


def _outcomes(
    rng: np.random.Generator,
    customers: Customers,
    products: Products,
    account: Ints,
    end: Ints,
    neglect: np.ndarray,
    planted: bool = True,
) -> tuple[Ints, np.ndarray, Ints]:
    """Outcome code, ARR factor of the next term and churn reason for terms ending on `end`."""
    n = len(account)
    on_defect = (
        products.version_on(account, np.zeros(n, dtype=np.int64), np.minimum(end, LAST_DAY) - 60) == DEFECTIVE
    ) & planted
    logit = np.array([-3.0, -2.5, -2.0])[customers.segment[account]]
    logit = logit + 1.1 * neglect + 0.5 * on_defect - 0.8 * customers.health[account]
    churn = rng.random(n) < 1 / (1 + np.exp(-logit))
    draw = rng.random(n)
    expand_share = np.where(neglect, 0.08, 0.24)
    outcome = np.where(churn, 4, np.where(draw < expand_share, 2, np.where(draw < expand_share + 0.1, 3, 1)))
    factor = np.choose(
        outcome, [np.ones(n), np.ones(n), rng.uniform(1.1, 1.4, n), rng.uniform(0.7, 0.95, n), np.ones(n)]
    )
    weights = np.tile([0.22, 0.12, 0.10, 0.14, 0.20, 0.14, 0.08], (n, 1))
    weights[neglect, 3] += 0.35  # nobody looked after them after the deal
    weights[on_defect, 1] += 0.5
    cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    reason = (rng.random(n)[:, None] > cumulative).sum(axis=1)
    return outcome.astype(np.int64), factor, np.minimum(reason, len(CHURN_REASONS) - 1)


def _write_contracts(writer: Writer, terms: _Terms) -> None:
    outcome = terms.get("outcome")
    writer.write(
        "contracts",
        {
            "contract_id": Ids("K-", 7, terms.get("number")),
            "account_id": Ids("A-", 6, terms.get("account")),
            "product_id": Labels(["atlas"], np.zeros(len(outcome), dtype=np.int64)),
            "kind": Labels(KINDS, terms.get("kind")),
            "previous_contract_id": Ids("K-", 7, terms.get("previous")),
            "booked_on": terms.get("booked"),
            "start_date": terms.get("start"),
            "end_date": terms.get("end"),
            "arr": terms.get("arr").astype(np.float64),
            "currency": Labels(["USD"], np.zeros(len(outcome), dtype=np.int64)),
            "renewal_outcome": Labels(OUTCOMES, outcome),
            "churn_reason": Labels(CHURN_REASONS, terms.get("reason")),
            "credited_person_id": Ids("P-", 5, terms.get("person")),
        },
    )


_ACTIVITY_KINDS = ("call", "meeting", "qbr", "email", "visit")


def _activities(
    rng: np.random.Generator,
    size: Size,
    writer: Writer,
    org: Organisation,
    customers: Customers,
    account: Ints,
    contract: Ints,
    start: Ints,
    end: Ints,
) -> None:
    """Post-sale touches by the account's owner of the day, a quarter as many for Sales North America."""
    low, high = np.maximum(start, FIRST_DAY), np.minimum(end, LAST_DAY)
    live = high >= low
    account, contract, low, high = account[live], contract[live], low[live], high[live]
    owner = customers.owner.at(account, (low + high) // 2)
    team = org.person_team(owner, (low + high) // 2)
    rate = np.array([18.0, 7.0, 3.0])[customers.segment[account]] * (high - low + 1) / 365
    rate = rate * np.where(
        team == team_code(_NEW_LOGO_TEAM), 0.25, np.where(team == team_code("T-AM"), 1.5, 1.0)
    )
    count = rng.poisson(rate)
    first_id = 0
    blocks = np.cumsum(count) // size.chunk_rows
    for block in np.unique(blocks):
        rows = np.flatnonzero(blocks == block)
        repeat = np.repeat(rows, count[rows])
        days = low[repeat] + (rng.random(len(repeat)) * (high[repeat] - low[repeat] + 1)).astype(np.int64)
        person = customers.owner.at(account[repeat], days)
        keep = person >= 0
        repeat, days, person = repeat[keep], days[keep], person[keep]
        kind = rng.choice(len(_ACTIVITY_KINDS), len(repeat), p=[0.35, 0.2, 0.1, 0.27, 0.08])
        writer.write(
            "activities",
            {
                "activity_id": Ids("ACT-", 8, np.arange(first_id, first_id + len(repeat))),
                "account_id": Ids("A-", 6, account[repeat]),
                "person_id": Ids("P-", 5, person),
                "kind": Labels(_ACTIVITY_KINDS, kind),
                "occurred_at": office_hours(rng, days),
                "contract_id": Ids("K-", 7, contract[repeat]),
            },
        )
        first_id += len(repeat)
