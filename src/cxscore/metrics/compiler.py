"""The compiler: a metric definition and a query become Ibis expressions of *sufficient statistics*.

Everything heavy runs in the engine: filtering, attribution as of the fact's date, the team roll-up,
slicing and grouping. The engine returns, per scope x dimensions x period, only the numbers an
interval needs (n, successes, promoters and detractors, sums and sums of squares, ...); `result.py`
turns those into values with intervals. Percentiles also need a sample: the order statistics at the
ranks their interval names, picked by the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cxscore.errors import ConfigError
from cxscore.metrics import conditions
from cxscore.metrics.attribution import OWNERSHIPS, TEAM_CREDITS, credit, team_closure
from cxscore.metrics.definition import Aggregation, Facts, Metric
from cxscore.metrics.query import GRAINS, Query
from cxscore.metrics.views import VIEWS, seconds_between, source_table, within_days
from cxscore.model import TABLES

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["DIMENSION_ALIASES", "Compiled", "compile_metric", "fact_rows"]

Tables = Callable[[str], "ir.Table"]

#: Short names for dimensions whose column has a longer name.
DIMENSION_ALIASES: dict[str, str] = {
    "product": "product_id",
    "touchpoint": "touchpoint_id",
    "account": "account_id",
    "event": "event_id",
    "survey": "survey_id",
}
_DURATION_SECONDS = {"minutes": 60.0, "hours": 3600.0, "days": 86400.0}


@dataclass(frozen=True)
class Compiled:
    """A metric compiled for one query: the statistics expression and the group columns it has."""

    metric: Metric
    query: Query
    statistics: ir.Table
    keys: tuple[str, ...]  # scope_id, the dimensions, period
    facts: ir.Table | None  # one row per credited fact with `_x`, for the order statistics of percentiles


def compile_metric(metric: Metric, table: Tables, query: Query, closure: ir.Table | None = None) -> Compiled:
    """Compile `metric` for `query` against the tables returned by `table(name)`.

    `closure` is the team closure (`attribution.team_closure`) when the caller keeps one; otherwise it
    is read from the `teams` table when a query needs it.
    """
    resolve = _resolver(table, closure)
    keys = ("scope_id", *query.dimensions, "period")
    if metric.aggregation in (Aggregation.RATIO, Aggregation.RATE):
        numerator, denominator = metric.sides
        top = _side(metric, numerator, query, resolve, "numerator", "numerator_n")
        bottom = _side(metric, denominator, query, resolve, "denominator", "n")
        joined = top.outer_join(bottom, list(keys))
        stats = joined.select(
            *[joined[k].coalesce(joined[f"{k}_right"]).name(k) for k in keys],
            numerator=joined.numerator.coalesce(0),
            numerator_n=joined.numerator_n.coalesce(0),
            denominator=joined.denominator.coalesce(0),
            n=joined.n.coalesce(0),
        )
        return Compiled(metric, query, stats, keys, None)
    facts = scoped_facts(metric, metric.facts, query, resolve, _measure(metric))
    if _rolls_up(metric, metric.facts, query):
        leaves = scoped_facts(metric, metric.facts, query, resolve, _measure(metric), leaves=True)
        stats = _roll_up(_AGGREGATE[metric.aggregation](metric, leaves, list(keys)), keys, resolve)
    else:
        stats = _AGGREGATE[metric.aggregation](metric, facts, list(keys))
    return Compiled(metric, query, stats, keys, facts)


def _rolls_up(metric: Metric, facts: Facts, query: Query) -> bool:
    """Whether a team query can aggregate by each fact's own team first and then add the statistics up
    the hierarchy: the statistics are sums (not a median of the pooled facts), and every fact is credited
    to one team (a fact credited to two teams of one parent counts once for the parent, which adding
    the two teams' sums would not).

    Adding up a few thousand team-month rows instead of joining every fact with its ancestors does the
    same arithmetic on a fraction of the rows.
    """
    if query.scope != "team" or facts.attribution is None or facts.attribution.teams is not None:
        return False
    if metric.aggregation is Aggregation.PERCENTILE:
        return False
    retention = metric.retention
    # A logo counts once per period however many of its terms ended in it: its terms must meet first.
    return not (retention is not None and retention.mode == "logo" and retention.unit is not None)


def _roll_up(stats: ir.Table, keys: tuple[str, ...], resolve: Tables) -> ir.Table:
    """Statistics by each fact's own team (`scope_id`) added up to the team and each of its ancestors."""
    closure = resolve("_team_closure")
    joined = stats.join(closure, stats.scope_id == closure.team_id)
    measures = [c for c in stats.columns if c not in keys]
    rows = joined.select(*[joined[k] for k in keys[1:]], *measures, scope_id=joined.ancestor_id)
    return rows.group_by(list(keys)).aggregate(**{c: rows[c].sum() for c in measures})


def _side(metric: Metric, facts: Facts, query: Query, resolve: Tables, total: str, count: str) -> ir.Table:
    """One side of a ratio or rate: the sum of its `_x` and its number of facts, per group."""
    keys = ["scope_id", *query.dimensions, "period"]
    leaves = _rolls_up(metric, facts, query)
    rows = scoped_facts(metric, facts, query, resolve, _side_measure(facts), leaves=leaves)
    stats = rows.group_by(keys).aggregate(**{total: rows._x.sum(), count: rows.count()})
    return _roll_up(stats, tuple(keys), resolve) if leaves else stats


def fact_rows(metric: Metric, table: Tables, query: Query) -> ir.Table:
    """The credited facts of a one-sided metric, one row per scope credited (for tests and samples)."""
    return scoped_facts(metric, metric.facts, query, _resolver(table), _measure(metric))


def _resolver(table: Tables, closure: ir.Table | None = None) -> Tables:
    """Look up canonical tables through `table`, derived views by building them, the closure once."""
    cache: dict[str, ir.Table] = {} if closure is None else {"_team_closure": closure}

    def resolve(name: str) -> ir.Table:
        if name not in cache:
            if name == "_team_closure":
                cache[name] = team_closure(resolve)
            elif name in VIEWS:
                cache[name] = VIEWS[name].build(resolve)
            else:
                cache[name] = table(name)
        return cache[name]

    return resolve


Measure = Callable[["ir.Table"], dict[str, Any]]


def scoped_facts(
    metric: Metric, facts: Facts, query: Query, resolve: Tables, measure: Measure, leaves: bool = False
) -> ir.Table:
    """Filtered, measured, credited, sliced facts with `scope_id`, the dimensions and `period`.

    `leaves` credits a team query's facts to their own team only (`scope_id` is the team, possibly
    empty), for statistics that are then added up the hierarchy (`_roll_up`).
    """
    t = resolve(facts.source)
    if facts.filters is not None:
        t = t.filter(conditions.to_ibis(facts.filters, t))
    when = t[facts.time]
    if within := within_days(when, query.fetch_from, query.end):
        t = t.filter(*within)
    t = t.mutate(_at=when.cast("date"), period=when.truncate(GRAINS[query.grain]).cast("date"))
    t = t.mutate(**measure(t))
    if "_x" in t.columns and metric.aggregation is not Aggregation.COUNT:
        t = t.filter(t._x.notnull())
    t = t.select(*_needed(facts, query, t))
    needs_team = query.scope == "team" or "role" in query.dimensions
    if (query.scope != "company" or "role" in query.dimensions) and facts.attribution is None:
        raise ConfigError(
            f"Metric '{metric.name}' credits no person or team (no attribution in {metric.location}), "
            f"so it cannot be sliced by {query.scope if query.scope != 'company' else 'role'}. Drop that "
            "from --by, or add an attribution to the metric."
        )
    if query.scope != "company" or "role" in query.dimensions:
        t = credit(t, facts.attribution, resolve, with_team=needs_team)
    for name in query.dimensions:
        t = _dimension(metric, facts, t, name, resolve)
    if leaves:
        return t.mutate(scope_id=t._team)
    return _scope(metric, facts, t, query, resolve)


def _needed(facts: Facts, query: Query, t: ir.Table) -> list[str]:
    """The columns the rest of the query reads: fewer columns, smaller plans and less work."""
    declared = source_table(facts.source)
    assert declared is not None  # validated
    wanted = ["_at", "period", *[c for c in ("_x", "_s") if c in t.columns]]
    spec = facts.attribution
    if spec is not None:
        wanted += [c for c in (spec.person, spec.team, spec.anonymous) if c]
        wanted += [OWNERSHIPS[spec.owner].match] if spec.owner else []
        wanted += [*declared.key, TEAM_CREDITS[spec.teams].match] if spec.teams else []
    for name in query.dimensions:
        found = _dimension_column(facts, name)
        wanted += [found[0]] if found else []
    return list(dict.fromkeys(c for c in wanted if c in t.columns))


def _dimension_column(facts: Facts, name: str) -> tuple[str, str | None, str | None] | None:
    """Where dimension `name` comes from: (source column, referenced table, its key), or None."""
    declared = source_table(facts.source)
    assert declared is not None
    column = DIMENSION_ALIASES.get(name, name)
    if declared.has_column(column):
        return column, None, None
    for via in declared.columns:
        target = via.references.split(".") if via.references else None
        if (
            target
            and target[0] in TABLES
            and target[0] != facts.source
            and TABLES[target[0]].has_column(name)
        ):
            return via.name, target[0], target[1]
    return None


def _dimension(metric: Metric, facts: Facts, t: ir.Table, name: str, resolve: Tables) -> ir.Table:
    """Add dimension `name` as a column: the source's own column, or one reached through a reference."""
    if name == "role":
        return t.mutate(role=t._role)
    declared = source_table(facts.source)
    assert declared is not None  # validated
    found = _dimension_column(facts, name)
    if found is not None:
        column, target, key = found
        if target is None or key is None:
            return t.mutate(**{name: t[column].cast("string")}) if column != name else t
        other = resolve(target).select(_ref_key=key, _ref_value=name)
        joined = t.left_join(other, t[column] == other._ref_key)
        return joined.select(*t.columns, joined._ref_value.cast("string").name(name))
    raise ConfigError(
        f"Metric '{metric.name}' cannot be sliced by '{name}': table '{facts.source}' has no such column "
        f"and none of the tables it references has one. Slice by a column of {facts.source} "
        f"({', '.join(declared.column_names)}), by role, or by a column of a referenced table."
    )


def _scope(metric: Metric, facts: Facts, t: ir.Table, query: Query, resolve: Tables) -> ir.Table:
    import ibis

    if query.scope == "person":
        return t.filter(t._person.notnull()).mutate(scope_id=t._person)
    if query.scope == "company":
        return t.mutate(scope_id=ibis.literal("company"))
    closure = resolve("_team_closure")
    joined = t.join(closure, t._team == closure.team_id)
    rolled = joined.select(*t.columns, scope_id=closure.ancestor_id)
    if facts.attribution is not None and facts.attribution.teams is not None:
        # One fact credited to two teams of one parent counts once for the parent.
        declared = source_table(facts.source)
        assert declared is not None
        keep = [*declared.key, *[c for c in rolled.columns if c.startswith("_x") or c.startswith("_s")]]
        keep += ["scope_id", *query.dimensions, "period"]
        rolled = rolled.select(*dict.fromkeys(keep)).distinct()
    return rolled


def _value(metric: Metric, t: ir.Table) -> ir.Value:
    if metric.duration is not None:
        seconds = seconds_between(t[metric.duration.start], t[metric.duration.end])
        return seconds / _DURATION_SECONDS[metric.duration.unit]
    assert metric.column is not None
    return t[metric.column].cast("float64")


def _measure(metric: Metric) -> Measure:
    kind = metric.aggregation
    if kind is Aggregation.SHARE:
        assert metric.success is not None
        success = metric.success
        return lambda t: {"_s": _one_if(conditions.to_ibis(success, t))}
    if kind is Aggregation.RETENTION:
        return _retention_measure(metric)
    if kind is Aggregation.COUNT:
        return lambda t: {}
    return lambda t: {"_x": _value(metric, t)}


def _retention_measure(metric: Metric) -> Measure:
    import ibis

    spec = metric.retention
    assert spec is not None

    def measure(t: ir.Table) -> dict[str, Any]:
        start = t[spec.starting].cast("float64").fill_null(0.0)
        end = t[spec.ending].cast("float64").fill_null(0.0)
        if spec.mode == "gross":
            end = ibis.least(start, end)
        return {"_x": start, "_s": end}

    return measure


def _side_measure(facts: Facts) -> Measure:
    import ibis

    if facts.sum is None:
        return lambda t: {"_x": ibis.literal(1).cast("float64")}
    column = facts.sum
    return lambda t: {"_x": t[column].cast("float64").fill_null(0.0)}


def _one_if(condition: ir.BooleanValue) -> ir.IntegerValue:
    """1 where the condition holds, else 0 (PostgreSQL cannot cast a boolean to a number)."""
    return condition.ifelse(1, 0).cast("int64")


def _count(metric: Metric, facts: ir.Table, keys: list[str]) -> ir.Table:
    return facts.group_by(keys).aggregate(n=facts.count())


def _nps(metric: Metric, facts: ir.Table, keys: list[str]) -> ir.Table:
    return facts.group_by(keys).aggregate(
        n=facts.count(),
        promoters=_one_if(facts._x >= 9).sum(),
        detractors=_one_if(facts._x <= 6).sum(),
    )


def _share(metric: Metric, facts: ir.Table, keys: list[str]) -> ir.Table:
    return facts.group_by(keys).aggregate(n=facts.count(), successes=facts._s.sum())


def _moments(metric: Metric, facts: ir.Table, keys: list[str]) -> ir.Table:
    return facts.group_by(keys).aggregate(
        n=facts.count(), total=facts._x.sum(), total_squares=(facts._x * facts._x).sum()
    )


def _percentile(metric: Metric, facts: ir.Table, keys: list[str]) -> ir.Table:
    return facts.group_by(keys).aggregate(n=facts.count(), quantile_value=facts._x.quantile(metric.quantile))


def _retention(metric: Metric, facts: ir.Table, keys: list[str]) -> ir.Table:
    spec = metric.retention
    assert spec is not None
    if spec.mode == "logo":
        unit = spec.unit
        if unit is not None:
            # A logo is retained if any of its terms that ended in the period was renewed.
            facts = facts.group_by([*keys, unit]).aggregate(_x=facts._x.max(), _s=_one_if(facts._s > 0).max())
        return facts.group_by(keys).aggregate(n=facts.count(), successes=_one_if(facts._s > 0).sum())
    # Sums, squares and cross-products: enough for the ratio estimator's linearised variance.
    return facts.group_by(keys).aggregate(
        n=facts.count(),
        starting=facts._x.sum(),
        ending=facts._s.sum(),
        starting_squares=(facts._x * facts._x).sum(),
        ending_squares=(facts._s * facts._s).sum(),
        cross=(facts._x * facts._s).sum(),
    )


_AGGREGATE: dict[Aggregation, Callable[[Metric, ir.Table, list[str]], ir.Table]] = {
    Aggregation.NPS: _nps,
    Aggregation.SHARE: _share,
    Aggregation.MEAN: _moments,
    Aggregation.SUM: _moments,
    Aggregation.COUNT: _count,
    Aggregation.PERCENTILE: _percentile,
    Aggregation.RETENTION: _retention,
}
