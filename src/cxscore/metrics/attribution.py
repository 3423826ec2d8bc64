"""Attribution: crediting each fact to the person and team that owned it *at the time of the fact*.

The org chart changes: people move teams, accounts change owners, products change managers. A fact
from March is credited to whoever held the account in March and to the team that person was in
in March, never to today's owner. Teams roll up through `teams.parent_team_id` to the company;
the roll-up is the team *closure* (every team paired with itself and each ancestor), computed once
per query from the small `teams` table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cxscore.errors import ConfigError
from cxscore.metrics.definition import Attribution

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = [
    "DATED",
    "OWNERSHIPS",
    "TEAM_CREDITS",
    "Ownership",
    "TeamCredit",
    "credit",
    "overlaps",
    "team_closure",
]

Tables = Callable[[str], "ir.Table"]


@dataclass(frozen=True)
class Ownership:
    """An effective-dated ownership table: `person` owns the thing named by `match` from/to a date."""

    match: str
    person: str = "person_id"


@dataclass(frozen=True)
class TeamCredit:
    """A table crediting every team that contributes to the thing named by `match`.

    `weight` is the team's share of the credit. A satisfaction answer is one observation, so it is not
    split into fractions (a fraction of an answer has no binomial interval): every team with a positive
    (or empty) weight is credited with the whole answer, and a weight of 0 lists a team that gets no
    credit. Splitting money by weight is for incentive plans, not for the measured number.
    """

    match: str
    team: str = "team_id"
    weight: str = "weight"


#: Ownership tables an `owner:` attribution may name.
OWNERSHIPS: dict[str, Ownership] = {
    "account_owners": Ownership("account_id"),
    "product_managers": Ownership("product_id"),
}

#: Many-team tables a `teams:` attribution may name.
TEAM_CREDITS: dict[str, TeamCredit] = {"touchpoint_teams": TeamCredit("touchpoint_id")}


#: The effective-dated tables attribution reads, with the column naming what each row is about.
DATED: dict[str, str] = {
    "memberships": "person_id",
    "account_owners": "account_id",
    "product_managers": "product_id",
}

#: Stands for an open end (`valid_to` empty) in effective-dated comparisons.
_OPEN_END = dt.date(9999, 12, 31)


def _valid_on(table: ir.Table, day: ir.Value) -> ir.BooleanValue:
    """Whether an effective-dated row (valid_from .. valid_to, both included) covers `day`.

    The open end is a far date rather than ``valid_to IS NULL OR ...``: with an OR in its condition
    DuckDB can only run the join as a nested loop (minutes on 10 million facts instead of seconds).
    """
    import ibis

    return (table.valid_from <= day) & (day <= table.valid_to.fill_null(ibis.literal(_OPEN_END)))


def credit(facts: ir.Table, attribution: Attribution | None, table: Tables, with_team: bool) -> ir.Table:
    """Add `_person` and `_team` (and `_role`) to `facts`, which must have the fact's date in `_at`.

    `with_team` skips the membership look-up when only people are wanted (it is the costly join).
    A fact with `teams:` attribution becomes one row per contributing team.
    """
    import ibis

    null = ibis.null().cast("string")
    if attribution is None:
        return facts.mutate(_person=null, _team=null, _role=null)
    if attribution.teams is not None:
        credits = table(attribution.teams)
        spec = TEAM_CREDITS[attribution.teams]
        credits = credits.filter(credits[spec.weight].isnull() | (credits[spec.weight] > 0))
        joined = facts.left_join(credits, facts[spec.match] == credits[spec.match])
        return joined.select(*facts.columns, _team=credits[spec.team]).mutate(_person=null, _role=null)
    facts = _person(facts, attribution, table)
    direct = facts[attribution.team].cast("string") if attribution.team else null
    if not (with_team and attribution.credits_people):
        return facts.mutate(_team=direct, _role=null)
    members = table("memberships")
    joined = facts.left_join(members, [facts._person_any == members.person_id, _valid_on(members, facts._at)])
    return joined.select(
        *facts.columns,
        _team=members.team_id.coalesce(direct),
        _role=members.role_id,
    ).drop("_person_any")


def _person(facts: ir.Table, attribution: Attribution, table: Tables) -> ir.Table:
    """Add `_person` (hidden for anonymous facts) and `_person_any` (for the team look-up)."""
    import ibis

    null = ibis.null().cast("string")
    if attribution.owner is not None:
        owners = table(attribution.owner)
        spec = OWNERSHIPS[attribution.owner]
        joined = facts.left_join(
            owners, [facts[spec.match] == owners[spec.match], _valid_on(owners, facts._at)]
        )
        facts = joined.select(*facts.columns, _person_any=owners[spec.person])
    elif attribution.person is not None:
        facts = facts.mutate(_person_any=facts[attribution.person].cast("string"))
    else:
        facts = facts.mutate(_person_any=null)
    if attribution.anonymous is not None:
        hidden = facts[attribution.anonymous].fill_null(False)
        return facts.mutate(_person=hidden.ifelse(null, facts._person_any))
    return facts.mutate(_person=facts._person_any)


def team_closure(table: Tables) -> ir.Table:
    """Every team paired with itself and each of its ancestors: columns `team_id`, `ancestor_id`.

    Computed in Python from the `teams` table (small), then handed to the engine as an in-memory
    table. A cycle in `parent_team_id` is reported as an error rather than looped over forever.

    >>> import ibis
    >>> teams = ibis.memtable({"team_id": ["CO", "SUP", "EMEA"], "parent_team_id": [None, "CO", "SUP"]})
    >>> closure = team_closure(lambda name: teams).to_pandas()
    >>> sorted(closure.itertuples(index=False, name=None))[:3]
    [('CO', 'CO'), ('EMEA', 'CO'), ('EMEA', 'EMEA')]
    """
    import ibis

    rows = table("teams").select("team_id", "parent_team_id").to_pyarrow().to_pylist()
    parent = {r["team_id"]: r["parent_team_id"] for r in rows}
    pairs: list[tuple[str, str]] = []
    for team in parent:
        seen: list[str] = []
        current: str | None = team
        while current is not None:
            if current in seen:
                raise ConfigError(
                    f"The team hierarchy has a cycle: {' -> '.join([*seen, current])}. Fix parent_team_id "
                    "in the teams table so that every team leads up to the company."
                )
            seen.append(current)
            pairs.append((team, current))
            current = parent.get(current)
    return ibis.memtable(
        {"team_id": [p[0] for p in pairs], "ancestor_id": [p[1] for p in pairs]},
        schema={"team_id": "string", "ancestor_id": "string"},
    )


def overlaps(table: Tables, name: str) -> ir.Table:
    """Pairs of rows of the effective-dated table `name` about one thing whose dates overlap.

    Such rows credit a fact twice: a person in two teams on one day credits both teams (and their common
    ancestors twice); two owners of one account credit both. Columns: `key` (the person, account or
    product), `first_from`, `first_to`, `second_from`, `second_to` (the second row starts later).
    """
    import ibis

    key = DATED[name]
    first = table(name)
    second = first.view()
    far = ibis.literal(_OPEN_END)
    pairs = first.join(
        second,
        [
            first[key] == second[key],
            first.valid_from < second.valid_from,
            second.valid_from <= first.valid_to.fill_null(far),
        ],
    )
    return pairs.select(
        key=first[key],
        first_from=first.valid_from,
        first_to=first.valid_to,
        second_from=second.valid_from,
        second_to=second.valid_to,
    )
