"""The facts of a metric with their candidate drivers, built as one Ibis expression for the store's engine.

The metric engine supplies the facts exactly as the metric counts them (filters, period, attribution as of
the fact's date, the team roll-up); this module joins what is known about each fact: the case (product,
version, category, channel, priority, first-response and resolution times, transfers), the account
(segment, region), the touchpoint, and the credited person (team, training, tenure).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from cxscore.errors import DiagnosisError
from cxscore.metrics.compiler import fact_rows
from cxscore.metrics.definition import Aggregation, Metric
from cxscore.metrics.query import Query
from cxscore.metrics.views import VIEWS, seconds_between, source_table
from cxscore.model import TABLES

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from cxscore.store import Store

__all__ = ["OUTCOME", "Driver", "Scope", "driver_facts"]

#: The column holding each fact's outcome: 0/1 for shares, -100/0/100 for NPS, the value for means.
OUTCOME = "_y"
NO_VALUE = "(none)"


@dataclass(frozen=True)
class Driver:
    """A candidate driver: a column of the driver table, categorical (levels) or numeric."""

    name: str
    label: str
    kind: Literal["categorical", "numeric"]


@dataclass(frozen=True)
class Scope:
    """Whose facts: the company, a team (with the teams below it) or a person."""

    kind: Literal["company", "team", "person"] = "company"
    id: str = "company"

    @classmethod
    def parse(cls, text: str | None) -> Scope:
        """`company`, `team:T-SUP-EMEA` or `person:P-0042`.

        >>> Scope.parse("team:T-SUP-EMEA")
        Scope(kind='team', id='T-SUP-EMEA')
        """
        if text is None or text == "company":
            return cls()
        kind, _, ident = text.partition(":")
        if kind not in ("team", "person") or not ident:
            raise DiagnosisError(f"Scope '{text}' is not one of: company, team:TEAM_ID, person:PERSON_ID.")
        return cls(kind, ident)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return "company" if self.kind == "company" else f"{self.kind}:{self.id}"


_CASE_DRIVERS = (
    Driver("product", "product", "categorical"),
    Driver("version", "product version", "categorical"),
    Driver("category", "case category", "categorical"),
    Driver("channel", "channel", "categorical"),
    Driver("priority", "priority", "categorical"),
    Driver("first_response", "first response time (log hours)", "numeric"),
    Driver("resolution", "time to resolution (log hours)", "numeric"),
    Driver("transfers", "transfers between agents or teams", "numeric"),
)
_PERSON_DRIVERS = (
    Driver("team", "credited team", "categorical"),
    Driver("training", "agent's training", "categorical"),
    Driver("tenure", "credited person's tenure (years)", "numeric"),
)


@contextmanager
def driver_facts(
    store: Store, metric: Metric, scope: Scope, start: dt.date | None, end: dt.date | None
) -> Iterator[tuple[ir.Table, tuple[Driver, ...]]]:
    """The metric's facts in `scope` and `start..end`, one row each, with OUTCOME and candidate drivers.

    A context: the facts in scope are computed once into a temporary table, dropped when it ends.
    PostgreSQL cannot estimate the metric's period filter (a timestamp cast to a date) and, expecting a
    handful of facts, joined the case and account context by nested loops: 9 minutes for the drivers of
    CSAT in a year of the medium demo, 13 s from the temporary table (DuckDB: 18 s).
    """
    declared = source_table(metric.facts.source)
    assert declared is not None  # the catalogue validated it
    if len(declared.key) != 1:
        raise DiagnosisError(f"Metric '{metric.name}': drivers need a source with a one-column key.")
    key = declared.key[0]
    scoped = _scoped(store, metric, scope, key, start, end)
    # Ibis 12's PySpark backend caches without registering in-memory tables (the team closure) first.
    store.con._register_in_memory_tables(scoped)
    kept = scoped.cache()
    try:
        yield _described(store, metric, kept, key)
    finally:
        kept.release()


def _described(
    store: Store, metric: Metric, scoped: ir.Table, key: str
) -> tuple[ir.Table, tuple[Driver, ...]]:
    """The facts with OUTCOME and what is known of each: case, account, touchpoint, person."""
    facts = scoped.mutate(**{OUTCOME: _outcome(metric, scoped)}).select(
        key, OUTCOME, "_at", "_person", "_team"
    )
    source = _source(store, metric.facts.source)
    known = [
        c
        for c in ("case_id", "account_id", "touchpoint_id", "product_id", "kind", "arr")
        if c in source.columns
    ]
    if known and key in source.columns:
        context = source.select(key, *[c for c in known if c != key])
        facts = facts.left_join(context, key).select(*facts.columns, *[c for c in known if c != key])
    if "case_id" in known or key == "case_id":
        facts = _with_case(store, facts)
    drivers: list[Driver] = list(_CASE_DRIVERS) if "case_id" in facts.columns else []
    facts, more = _with_others(store, facts)
    return facts, (*drivers, *more)


def _scoped(
    store: Store, metric: Metric, scope: Scope, key: str, start: dt.date | None, end: dt.date | None
) -> ir.Table:
    import ibis

    def rows(by: tuple[str, ...]) -> ir.Table:
        t = fact_rows(metric, store.table, Query(by, "month", start, end))
        t = t.filter(t._at >= start) if start is not None and "_at" in t.columns else t
        return t

    if metric.facts.attribution is None:
        if scope.kind != "company":
            raise DiagnosisError(f"Metric '{metric.name}' credits nobody, so it has no {scope.kind} drivers.")
        t = rows((key,))
        return t.mutate(_person=ibis.null("string"), _team=ibis.null("string"))
    credited = rows(("team", key))
    if "_team" not in credited.columns:  # credited to touchpoint teams: no person, no single team
        credited = credited.mutate(
            _person=ibis.null("string"), _team=ibis.null("string"), _at=credited.period
        )
    if scope.kind == "team":
        chosen = credited.filter(credited.scope_id == scope.id)
        return chosen.group_by(key).aggregate(
            _at=chosen._at.min(), _person=chosen._person.min(), _team=chosen._team.min(), **_kept(chosen)
        )
    if scope.kind == "person":
        mine = rows(("person", key))
        return mine.filter(mine.scope_id == scope.id).mutate(
            _team=mine._team if "_team" in mine.columns else ibis.null("string")
        )
    everything = rows((key,))
    direct = (
        credited.filter(credited.scope_id == credited._team)
        .group_by(key)
        .aggregate(_person=credited._person.min(), _team=credited._team.min())
    )
    joined = everything.left_join(direct, key)
    return joined.select(*everything.columns, "_person", "_team")


def _kept(t: ir.Table) -> dict[str, ir.Value]:
    return {c: t[c].max() for c in ("_s", "_x") if c in t.columns}


def _outcome(metric: Metric, t: ir.Table) -> ir.Value:
    import ibis

    kind = metric.aggregation
    if kind is Aggregation.SHARE:
        return t._s.cast("float64")
    if kind is Aggregation.NPS:
        return ibis.cases((t._x >= 9, 100.0), (t._x <= 6, -100.0), else_=0.0)
    if kind in (Aggregation.MEAN, Aggregation.PERCENTILE):
        return t._x.cast("float64")
    raise DiagnosisError(
        f"Metric '{metric.name}' is a {kind.value}: key drivers need a metric with one outcome per fact "
        "(kind share, nps, mean or percentile), e.g. csat, nps, reopen_rate, churn_rate, time_to_resolution."
    )


def _source(store: Store, name: str) -> ir.Table:
    if name in TABLES:
        return store.table(name)
    return VIEWS[name].build(store.table)


def _log_hours(start: ir.Value, end: ir.Value) -> ir.Value:
    hours = seconds_between(start, end) / 3600.0
    return (hours.clip(lower=0.0) + 1.0).ln()


def _with_case(store: Store, facts: ir.Table) -> ir.Table:
    cases = store.table("cases")
    moves = store.table("case_assignments")
    transfers = moves.group_by(_case=moves.case_id).aggregate(_moves=moves.count())
    c = cases.left_join(transfers, cases.case_id == transfers._case)
    context = c.select(
        _cid=c.case_id,
        product=c.product_id,
        version=c.product_id.concat(" ", c.version),
        category=c.category,
        channel=c.channel,
        priority=c.priority,
        first_response=_log_hours(c.opened_at, c.first_response_at),
        resolution=_log_hours(c.opened_at, c.resolved_at),
        transfers=(c._moves.fill_null(1) - 1).clip(lower=0).cast("float64"),
    )
    joined = facts.left_join(context, facts.case_id == context._cid)
    return joined.drop("_cid")


def _with_others(store: Store, facts: ir.Table) -> tuple[ir.Table, list[Driver]]:
    import ibis

    drivers: list[Driver] = []
    if "touchpoint_id" in facts.columns:
        facts, drivers = (
            facts.mutate(touchpoint=facts.touchpoint_id),
            [*drivers, Driver("touchpoint", "touchpoint", "categorical")],
        )
    if "product_id" in facts.columns and "product" not in facts.columns:
        facts, drivers = (
            facts.mutate(product=facts.product_id),
            [*drivers, Driver("product", "product", "categorical")],
        )
    if "kind" in facts.columns and "arr" in facts.columns:
        facts = facts.mutate(
            contract_kind=facts.kind, size=(facts.arr.cast("float64").clip(lower=0.0) + 1.0).ln()
        )
        drivers += [
            Driver("contract_kind", "contract kind", "categorical"),
            Driver("size", "ARR (log)", "numeric"),
        ]
    if "account_id" in facts.columns:
        accounts = store.table("accounts").select(_aid="account_id", segment="segment", region="region")
        facts = facts.left_join(accounts, facts.account_id == accounts._aid).drop("_aid")
        drivers += [
            Driver("segment", "account segment", "categorical"),
            Driver("region", "account region", "categorical"),
        ]
    trainings = store.table("trainings")
    members = store.table("memberships")
    first = members.group_by(_pid=members.person_id).aggregate(_since=members.valid_from.min())
    facts = facts.left_join(first, facts._person == first._pid).drop("_pid")
    trained = trainings.select(_tid=trainings.person_id, _done=trainings.completed_on)
    flags = facts.select("_person", "_at").distinct()
    flags = flags.left_join(trained, (flags._person == trained._tid) & (trained._done <= flags._at))
    flags = flags.group_by(_fp=flags._person, _fat=flags._at).aggregate(_trained=flags._tid.count() > 0)
    facts = facts.left_join(flags, (facts._person == flags._fp) & (facts._at == flags._fat)).drop(
        "_fp", "_fat"
    )
    facts = facts.mutate(
        team=facts._team,
        training=ibis.cases(
            (facts._person.isnull(), ibis.null("string")), (facts._trained, "trained"), else_="untrained"
        ),
        tenure=_years(facts._since, facts._at),
    )
    return facts, [*drivers, *_PERSON_DRIVERS]


def _years(since: ir.Value, at: ir.Value) -> ir.Value:
    return seconds_between(since, at) / (365.25 * 86400.0)
