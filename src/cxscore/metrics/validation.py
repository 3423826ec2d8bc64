"""Validation: every problem of every metric definition, checked against the data model before anything runs.

Each check returns problems rather than raising, so that `cxscore metrics validate` lists them all,
each with its file:line and the fix (metricflow's validator design, written afresh).
"""

from __future__ import annotations

from collections.abc import Iterable

from cxscore.metrics import conditions
from cxscore.metrics.attribution import OWNERSHIPS, TEAM_CREDITS
from cxscore.metrics.definition import Aggregation, Attribution, Facts, Location, Metric
from cxscore.metrics.problems import Problem
from cxscore.metrics.views import VIEWS, source_table
from cxscore.model import TABLES, Kind, Table

__all__ = ["validate"]

_NUMERIC = (Kind.INTEGER, Kind.FLOAT)
_COLUMN_KINDS = (Aggregation.NPS, Aggregation.MEAN, Aggregation.SUM, Aggregation.PERCENTILE)

#: Which kind-specific fields each aggregation takes (the others must be absent).
_KIND_FIELDS: dict[Aggregation, frozenset[str]] = {
    Aggregation.NPS: frozenset({"column"}),
    Aggregation.SHARE: frozenset({"success"}),
    Aggregation.MEAN: frozenset({"column", "duration"}),
    Aggregation.RATIO: frozenset({"numerator", "denominator"}),
    Aggregation.RATE: frozenset({"numerator", "denominator"}),
    Aggregation.RETENTION: frozenset({"retention"}),
    Aggregation.COUNT: frozenset(),
    Aggregation.SUM: frozenset({"column"}),
    Aggregation.PERCENTILE: frozenset({"column", "duration", "quantile"}),
}
_SPECIFIC = frozenset().union(*_KIND_FIELDS.values())


def validate(metrics: Iterable[Metric]) -> list[Problem]:
    """Every problem of every metric, sorted by file and line."""
    problems: list[Problem] = []
    for metric in metrics:
        problems.extend(_metric_problems(metric))
    return sorted(problems)


def _metric_problems(metric: Metric) -> list[Problem]:
    problems: list[Problem] = []
    for key in sorted(_SPECIFIC - _KIND_FIELDS[metric.aggregation]):
        if key in metric.lines:
            allowed = ", ".join(sorted(_KIND_FIELDS[metric.aggregation])) or "none"
            problems.append(
                Problem(
                    metric.where(key),
                    f"Metric '{metric.name}' is a {metric.aggregation.value} metric, which takes no '{key}' "
                    f"(its own fields: {allowed}). Remove it or change 'kind'.",
                )
            )
    for facts in metric.sides:
        problems.extend(_facts_problems(metric, facts))
    table = source_table(metric.facts.source)
    if table is not None:
        problems.extend(_kind_problems(metric, table))
    if metric.aggregation in (Aggregation.RATIO, Aggregation.RATE) and len(metric.sides) == 2:
        problems.extend(_sides_agree(metric))
    return problems


def _facts_problems(metric: Metric, facts: Facts) -> list[Problem]:
    table = source_table(facts.source)
    if table is None:
        names = ", ".join([*TABLES, *VIEWS])
        return [
            Problem(
                facts.where("source"),
                f"Metric '{metric.name}' reads table '{facts.source}', which does not exist (tables and "
                f"views: {names}). Fix 'source'.",
            )
        ]
    problems: list[Problem] = []
    _column(metric, table, facts.time, "time", facts.where("time"), problems, temporal=True)
    if facts.sum is not None:
        _column(metric, table, facts.sum, "sum", facts.where("sum"), problems, numeric=True)
    conditions.check(facts.filters, table, metric.name, problems)
    if facts.attribution is not None:
        problems.extend(_attribution_problems(metric, table, facts.attribution))
    return problems


def _column(
    metric: Metric,
    table: Table,
    name: str,
    field: str,
    where: Location,
    problems: list[Problem],
    numeric: bool = False,
    temporal: bool = False,
) -> None:
    if not table.has_column(name):
        problems.append(
            Problem(
                where,
                f"Metric '{metric.name}' uses column '{name}' as its {field} but table '{table.name}' has no "
                f"such column (has: {', '.join(table.column_names)}). Fix '{field}'.",
            )
        )
        return
    kind = table.column(name).kind
    if numeric and kind not in _NUMERIC:
        problems.append(
            Problem(
                where,
                f"Metric '{metric.name}': {field} '{name}' is {kind.value}, not a number. "
                "Pick a numeric column.",
            )
        )
    if temporal and not kind.is_temporal:
        problems.append(
            Problem(
                where,
                f"Metric '{metric.name}': {field} '{name}' is {kind.value}, not a date or timestamp. "
                "Pick the column that says when the fact happened.",
            )
        )


def _attribution_problems(metric: Metric, table: Table, attribution: Attribution) -> list[Problem]:
    problems: list[Problem] = []
    where = attribution.location
    for field in ("person", "team"):
        name = getattr(attribution, field)
        if name is not None:
            _column(metric, table, name, f"attribution {field}", where, problems)
    if attribution.anonymous is not None:
        _column(metric, table, attribution.anonymous, "attribution anonymous", where, problems)
        if (
            table.has_column(attribution.anonymous)
            and table.column(attribution.anonymous).kind is not Kind.BOOLEAN
        ):
            problems.append(
                Problem(
                    where, f"attribution anonymous '{attribution.anonymous}' must be a true/false column."
                )
            )
    for field, registry in (("owner", OWNERSHIPS), ("teams", TEAM_CREDITS)):
        name = getattr(attribution, field)
        if name is None:
            continue
        spec = registry.get(name)
        if spec is None:
            problems.append(
                Problem(
                    where,
                    f"Metric '{metric.name}' credits {field} '{name}', which is not one of: "
                    f"{', '.join(registry)}.",
                )
            )
        elif not table.has_column(spec.match):
            problems.append(
                Problem(
                    where,
                    f"Metric '{metric.name}' credits the {field} in '{name}', matched on '{spec.match}', but "
                    f"table '{table.name}' has no '{spec.match}' column. Pick another attribution.",
                )
            )
    chosen = [f for f in ("person", "owner", "teams") if getattr(attribution, f) is not None]
    if len(chosen) > 1:
        problems.append(
            Problem(
                where, f"Metric '{metric.name}' attribution names {' and '.join(chosen)}; choose one of them."
            )
        )
    if not chosen and attribution.team is None:
        problems.append(
            Problem(
                where, f"Metric '{metric.name}' attribution credits no one; add person, team, owner or teams."
            )
        )
    return problems


def _kind_problems(metric: Metric, table: Table) -> list[Problem]:
    problems: list[Problem] = []
    kind = metric.aggregation
    if kind in _COLUMN_KINDS:
        if metric.column is not None:
            _column(metric, table, metric.column, "column", metric.where("column"), problems, numeric=True)
        elif metric.duration is not None and kind in (Aggregation.MEAN, Aggregation.PERCENTILE):
            for end in (metric.duration.start, metric.duration.end):
                _column(metric, table, end, "duration", metric.duration.location, problems, temporal=True)
        else:
            needs = (
                "'column' or 'duration'" if kind in (Aggregation.MEAN, Aggregation.PERCENTILE) else "'column'"
            )
            problems.append(
                Problem(metric.location, f"Metric '{metric.name}' ({kind.value}) needs {needs}. Add it.")
            )
    if kind is Aggregation.SHARE:
        if metric.success is None:
            problems.append(
                Problem(
                    metric.location,
                    f"Metric '{metric.name}' (share) needs 'success', e.g. success: {{column: csat, ge: 4}}.",
                )
            )
        conditions.check(metric.success, table, metric.name, problems)
    if kind is Aggregation.RETENTION:
        if metric.retention is None:
            problems.append(
                Problem(
                    metric.location,
                    f"Metric '{metric.name}' (retention) needs 'retention: {{mode, starting, ending}}'.",
                )
            )
        else:
            where = metric.retention.location
            _column(
                metric, table, metric.retention.starting, "retention starting", where, problems, numeric=True
            )
            _column(metric, table, metric.retention.ending, "retention ending", where, problems, numeric=True)
            if metric.retention.unit is not None:
                _column(metric, table, metric.retention.unit, "retention unit", where, problems)
    return problems


def _sides_agree(metric: Metric) -> list[Problem]:
    numerator, denominator = metric.sides
    if (numerator.attribution is None) != (denominator.attribution is None):
        return [
            Problem(
                metric.location,
                f"Metric '{metric.name}' credits people or teams on one side of the ratio only; give both "
                "numerator and denominator an attribution, or neither.",
            )
        ]
    return []
