"""Customer accounts, their contacts, and which rep owned each account when.

Ownership changes for four reasons, all dated: a rep leaves or changes teams (their accounts go to a
colleague), a new enterprise logo is handed to Account Management after its first year, and a territory
rebalancing on 2025-01-01 moves a few accounts between reps of the same team.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxscore.demo.calendar import DAY, FIRST_DAY, LAST_DAY, Ints, day
from cxscore.demo.lookup import Timeline
from cxscore.demo.names import (
    COUNTRIES,
    FIRST_NAMES,
    INDUSTRIES,
    LANGUAGES,
    LAST_NAMES,
    NAME_HEADS,
    NAME_TAILS,
)
from cxscore.demo.names import REGIONS as REGION_NAMES
from cxscore.demo.organisation import Organisation, team_code
from cxscore.demo.sizes import Size
from cxscore.demo.writer import Derived, Ids, Labels, Writer

__all__ = ["PREMIER_ACCOUNTS", "SEGMENTS", "Customers", "build_customers"]

SEGMENTS = ("enterprise", "mid_market", "smb")
#: Strategic accounts served by the three-person Support Premier team, whatever the size of the demo.
PREMIER_ACCOUNTS = 4
_SALES_TEAMS = ("T-SALES-EMEA", "T-SALES-NA", "T-SALES-APAC", "T-SALES-LATAM")
_REBALANCING = day("2025-01-01")
_NEVER = np.int64(1 << 40)


@dataclass(frozen=True)
class Customers:
    """Accounts and contacts as arrays (index i is account `A-` i+1), with the ownership look-up."""

    region: Ints  # index into names.REGIONS
    segment: Ints  # index into SEGMENTS
    created: Ints  # day number the account became a customer
    health: np.ndarray  # latent loyalty, N(0, 1): drives NPS and churn
    premier: np.ndarray  # bool: served by Support Premier
    contact_start: Ints  # first contact index of each account
    contact_count: Ints
    contact_account: Ints
    unsubscribed: Ints  # second the contact opted out, or a huge number if never
    owner: Timeline  # account -> owning person on a day

    @property
    def count(self) -> int:
        return len(self.region)

    def random_contact(self, rng: np.random.Generator, account: Ints) -> Ints:
        """A random contact of each account."""
        pick = (rng.random(len(account)) * self.contact_count[account]).astype(np.int64)
        return self.contact_start[account] + pick


def build_customers(rng: np.random.Generator, size: Size, org: Organisation, writer: Writer) -> Customers:
    """Create accounts, contacts and account owners."""
    n = size.accounts
    base = rng.random(n) < 0.55
    region = np.where(
        base, rng.choice(4, n, p=[0.40, 0.34, 0.16, 0.10]), rng.choice(4, n, p=[0.30, 0.48, 0.14, 0.08])
    )
    segment = rng.choice(3, n, p=[0.12, 0.35, 0.53])
    created = np.where(
        base,
        rng.integers(day("2016-01-01"), FIRST_DAY, n),
        FIRST_DAY + (rng.random(n) ** 0.8 * (LAST_DAY - 60 - FIRST_DAY)).astype(np.int64),
    )
    premier = np.zeros(n, dtype=bool)
    premier[np.flatnonzero(base & (segment == 0))[:PREMIER_ACCOUNTS]] = True
    _write_accounts(rng, writer, region, segment, created)
    contacts = np.array([10.0, 4.5, 2.2])[segment]
    count = 1 + rng.poisson(contacts)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    contact_account = np.repeat(np.arange(n), count)
    unsubscribed = _write_contacts(rng, writer, contact_account, region)
    owner = _owners(rng, org, writer, region, segment, created, base)
    return Customers(
        region,
        segment,
        created,
        rng.normal(0, 1, n),
        premier,
        start,
        count,
        contact_account,
        unsubscribed,
        owner,
    )


def _pick_words(rng: np.random.Generator, words: tuple[str, ...] | list[str], n: int) -> Labels:
    return Labels(words, rng.integers(0, len(words), n))


def _write_accounts(
    rng: np.random.Generator, writer: Writer, region: Ints, segment: Ints, created: Ints
) -> None:
    n = len(region)
    parts = {"head": _pick_words(rng, NAME_HEADS, n), "tail": _pick_words(rng, NAME_TAILS, n)}
    names = Derived("{head} || ' ' || {tail}", parts)
    flat = [c for r in REGION_NAMES for c in COUNTRIES[r]]
    offsets = np.cumsum([0] + [len(COUNTRIES[r]) for r in REGION_NAMES])[:-1]
    widths = np.array([len(COUNTRIES[r]) for r in REGION_NAMES])
    country = offsets[region] + (rng.random(n) * widths[region]).astype(np.int64)
    writer.write(
        "accounts",
        {
            "account_id": Ids("A-", 6, np.arange(n)),
            "name": names,
            "segment": Labels(SEGMENTS, segment),
            "industry": Labels(INDUSTRIES, rng.integers(0, len(INDUSTRIES), n)),
            "region": Labels(REGION_NAMES, region),
            "country": Labels(flat, country),
            "created_on": created,
        },
    )


def _write_contacts(rng: np.random.Generator, writer: Writer, account: Ints, region: Ints) -> Ints:
    n = len(account)
    first, last = _pick_words(rng, FIRST_NAMES, n), _pick_words(rng, LAST_NAMES, n)
    email = Derived(
        "lower({first}) || '.' || lower({last}) || CAST({number} AS VARCHAR) || '@customer.example'",
        {"first": first, "last": last, "number": np.arange(1, n + 1)},
    )
    languages = [lang for r in REGION_NAMES for lang in LANGUAGES[r]]
    offsets = np.cumsum([0] + [len(LANGUAGES[r]) for r in REGION_NAMES])[:-1]
    widths = np.array([len(LANGUAGES[r]) for r in REGION_NAMES])
    contact_region = region[account]
    language = offsets[contact_region] + (rng.random(n) * widths[contact_region]).astype(np.int64)
    opted_out = rng.random(n) < 0.04
    unsubscribed = np.where(opted_out, rng.integers(FIRST_DAY * DAY, (LAST_DAY + 1) * DAY, n), _NEVER).astype(
        np.int64
    )
    writer.write(
        "contacts",
        {
            "contact_id": Ids("C-", 7, np.arange(n)),
            "account_id": Ids("A-", 6, account),
            "name": Derived("{first} || ' ' || {last}", {"first": first, "last": last}),
            "email": email,
            "language": Labels(languages, language),
            "unsubscribed_at": np.where(opted_out, unsubscribed, -1),
        },
    )
    return unsubscribed


def _owners(
    rng: np.random.Generator,
    org: Organisation,
    writer: Writer,
    region: Ints,
    segment: Ints,
    created: Ints,
    base: np.ndarray,
) -> Timeline:
    """Owner segments per account, changed when the owner leaves or moves, at hand-over and rebalancing."""
    n = len(region)
    am = team_code("T-AM")
    sales = np.array([team_code(t) for t in _SALES_TEAMS])
    enterprise = segment == 0
    team = np.where(base & enterprise, am, sales[region])
    since = np.maximum(created, day("2022-01-01"))
    person = _pick(rng, org, team, since)
    handover = np.where(~base & enterprise, created + 365, _NEVER)
    rebalance = np.where(rng.random(n) < 0.05, _REBALANCING, _NEVER)
    account = np.arange(n)
    parts: list[tuple[Ints, ...]] = []
    while len(account):
        row = org.membership_of.at(person, since)
        end = np.where(row >= 0, org.membership_to[np.maximum(row, 0)], -1)
        leaves = np.where(end >= 0, end + 1, _NEVER)
        hand = np.where(team != am, handover[account], _NEVER)
        moves = np.where(since < _REBALANCING, rebalance[account], _NEVER)
        change = np.minimum(np.minimum(leaves, hand), moves)
        going = change <= LAST_DAY
        parts.append((account, person, since, np.where(going, change - 1, -1)))
        account, since = account[going], change[going]
        team = np.where(change[going] == hand[going], am, team[going])
        person = _pick(rng, org, team, since)
    acc, who, start, stop = (np.concatenate(p) for p in zip(*parts, strict=True))
    order = np.lexsort((start, acc))
    writer.write(
        "account_owners",
        {
            "account_id": Ids("A-", 6, acc[order]),
            "person_id": Ids("P-", 5, who[order]),
            "valid_from": start[order],
            "valid_to": stop[order],
        },
    )
    return Timeline.build(acc, start, stop, who)


def _pick(rng: np.random.Generator, org: Organisation, team: Ints, days: Ints) -> Ints:
    """A member of each team on each day, or its lead when the team had nobody else that day."""
    person = org.roster.pick(team, days, rng.random(len(team)))
    lead = np.array([org.leads[c] for c in range(max(org.leads) + 1)])
    return np.where(person >= 0, person, lead[team])
