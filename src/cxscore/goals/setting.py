"""Setting goals: apply a policy to last year's results and the industry benchmark, and explain the result.

The default policy, the high bar, takes the stricter of "beat the industry" and "beat ourselves". Where no
benchmark is published, the industry side is derived from the company's own data (a percentile of the
peers' results last year, or the company's own result) and the explanation says so.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from cxscore import stats
from cxscore.goals.benchmarks import Benchmark, BenchmarkTable
from cxscore.goals.goal import Goal, better, bounds, sample_size_needed
from cxscore.goals.policy import GoalSettings, Policy, PolicyKind
from cxscore.goals.results import Results
from cxscore.metrics import Direction, Metric

__all__ = ["estimate_of", "set_goals"]


def set_goals(
    results: Results,
    metric: str,
    scope: str,
    year: int,
    settings: GoalSettings,
    benchmarks: BenchmarkTable,
    scope_ids: Sequence[str] | None = None,
) -> list[Goal]:
    """The goals of `metric` for `year` for every scope id (or the ones given), from the year before."""
    definition = results.metric(metric)
    policy = settings.policy(metric)
    yearly = results.get(metric, scope, "year")
    last_year = yearly[yearly["period"] == dt.date(year - 1, 1, 1)]
    ids = list(scope_ids) if scope_ids is not None else sorted(set(yearly["scope_id"]))
    industry = settings.industry_for(metric)
    benchmark = benchmarks.find(metric, industry, policy.segment, policy.statistic, policy.min_quality)
    return [
        _goal(results, definition, policy, scope, scope_id, year, last_year, benchmark, industry)
        for scope_id in ids
    ]


def estimate_of(row: pd.Series | None) -> stats.Estimate | None:
    """A result row as an Estimate (None when there is no row or no value)."""
    if row is None or pd.isna(row["value"]):
        return None
    return stats.Estimate(
        float(row["value"]),
        int(row["n"]),
        float(row["lower"]),
        float(row["upper"]),
        float(row["level"]),
        stats.Method(str(row["method"])),
    )


def _goal(
    results: Results,
    metric: Metric,
    policy: Policy,
    scope: str,
    scope_id: str,
    year: int,
    last_year: pd.DataFrame,
    benchmark: Benchmark | None,
    industry: str | None,
) -> Goal:
    mine = last_year[last_year["scope_id"] == scope_id]
    row = None if mine.empty else mine.iloc[0]
    last = estimate_of(row)
    reference, note = _reference(
        results, metric, policy, scope, scope_id, last_year, benchmark, industry, last
    )
    sign = 1.0 if metric.direction is Direction.HIGHER else -1.0
    industry_target = None if reference is None else reference + sign * policy.margin
    own_target = _own_target(results, metric, policy, scope, scope_id, last_year, last)
    target = _combine(metric, policy, industry_target, own_target)
    flags = _flags(metric, target, benchmark, last, row, policy)
    statistics = {} if row is None else {str(k): float(v) for k, v in row.items() if _is_number(v)}
    needed, needed_note = (
        sample_size_needed(metric, target, last, statistics) if not math.isnan(target) else (None, "no goal")
    )
    name = results.name(scope, scope_id)
    goal = Goal(
        metric.name,
        scope,
        scope_id,
        name,
        year,
        target,
        metric.direction.value,
        policy,
        benchmark,
        reference,
        note,
        last,
        industry_target,
        own_target,
        flags,
        needed,
        needed_note,
        "",
    )
    return replace(goal, explanation=explain_goal(goal, metric))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _reference(
    results: Results,
    metric: Metric,
    policy: Policy,
    scope: str,
    scope_id: str,
    last_year: pd.DataFrame,
    benchmark: Benchmark | None,
    industry: str | None,
    last: stats.Estimate | None,
) -> tuple[float | None, str]:
    """The industry side: the published benchmark, else a stand-in derived from our own data."""
    if policy.kind in (PolicyKind.ABSOLUTE, PolicyKind.BEAT_OURSELVES, PolicyKind.IMPROVEMENT):
        return None, "not used by this policy"
    if benchmark is not None:
        return (
            benchmark.value,
            f"industry ({benchmark.industry}, {benchmark.year or 'n.d.'}) is "
            f"{_fmt(metric, benchmark.value)}: {benchmark.describe()}",
        )
    values = _peer_values(results, scope, scope_id, last_year)
    where = f"no published benchmark for {metric.name} in {industry or 'any industry'}"
    if len(values) >= 3:
        value = _percentile(metric, values, policy.percentile)
        return value, (
            f"{where}; derived from our own data: the {policy.percentile:g}th percentile of {len(values)} "
            f"peer {scope}s' {last_year_label(last_year)} results, {_fmt(metric, value)}"
        )
    if last is not None:
        return last.value, f"{where}; derived from our own data: our own {last_year_label(last_year)} result"
    return None, f"{where}, and no result of ours last year to derive one from"


def last_year_label(last_year: pd.DataFrame) -> str:
    return str(last_year["period"].iloc[0].year) if not last_year.empty else "last year's"


def _peer_values(results: Results, scope: str, scope_id: str, last_year: pd.DataFrame) -> list[float]:
    day = dt.date(last_year["period"].iloc[0].year, 12, 31) if not last_year.empty else None
    peers = results.peers(scope, scope_id, day)
    if peers is None:
        return []
    usable = last_year[~last_year["insufficient"].astype(bool) & last_year["value"].notna()]
    if peers:
        usable = usable[usable["scope_id"].isin(peers)]
    return [float(v) for v in usable["value"]]


def _percentile(metric: Metric, values: list[float], percentile: float) -> float:
    """The percentile counted from the worst, so 75 is the top quartile for both directions."""
    q = percentile if metric.direction is Direction.HIGHER else 100.0 - percentile
    return float(np.percentile(values, q))


def _own_target(
    results: Results,
    metric: Metric,
    policy: Policy,
    scope: str,
    scope_id: str,
    last_year: pd.DataFrame,
    last: stats.Estimate | None,
) -> float | None:
    sign = 1.0 if metric.direction is Direction.HIGHER else -1.0
    if policy.kind in (PolicyKind.ABSOLUTE, PolicyKind.BEAT_INDUSTRY):
        return None
    if policy.kind is PolicyKind.BEAT_OURSELVES and policy.basis == "top_quartile":
        values = _peer_values(results, scope, scope_id, last_year)
        return _percentile(metric, values, 75.0) if values else None
    if last is None:
        return None
    if policy.kind is PolicyKind.IMPROVEMENT:
        return last.value + sign * policy.relative * abs(last.value)
    return last.value + sign * default_step(metric, policy, last.value)


def default_step(metric: Metric, policy: Policy, last: float) -> float:
    """The policy's step, else: close `gap` of the distance to the best value (bounded metrics),
    else improve by `relative` (unbounded ones).

    >>> from cxscore.metrics import load_catalog
    >>> round(default_step(load_catalog().get("csat"), Policy(), 0.8), 3)
    0.02
    """
    if policy.step is not None:
        return policy.step
    limits = bounds(metric)
    if limits is None:
        return policy.relative * abs(last)
    best = limits[1] if metric.direction is Direction.HIGHER else limits[0]
    return policy.gap * abs(best - last)


def _combine(metric: Metric, policy: Policy, industry: float | None, own: float | None) -> float:
    if policy.kind is PolicyKind.ABSOLUTE:
        assert policy.target is not None
        return policy.target
    candidates = [v for v in (industry, own) if v is not None and not math.isnan(v)]
    if not candidates:
        return math.nan
    target = candidates[0] if len(candidates) == 1 else better(metric.direction, candidates[0], candidates[1])
    limits = bounds(metric)
    return float(np.clip(target, *limits)) if limits else target


def _flags(
    metric: Metric,
    target: float,
    benchmark: Benchmark | None,
    last: stats.Estimate | None,
    row: pd.Series | None,
    policy: Policy,
) -> tuple[str, ...]:
    flags: list[str] = ["no_goal"] if math.isnan(target) else []
    if not flags and benchmark is not None and better(metric.direction, target, benchmark.value) != target:
        flags.append("below_industry")
    if not flags and last is not None and better(metric.direction, target, last.value) != target:
        flags.append("below_last_year")
    if last is None:
        flags.append("no_history")
    elif row is not None and bool(row["insufficient"]):
        flags.append("thin_history")
    if benchmark is None and policy.kind in (PolicyKind.BEAT_INDUSTRY, PolicyKind.HIGH_BAR):
        flags.append("derived_benchmark")
    return tuple(flags)


def _fmt(metric: Metric, value: float | None) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    try:
        return format(value, metric.format)
    except ValueError:
        return f"{value:.3g}"


FLAG_TEXT = {
    "below_industry": "the goal is below the industry benchmark",
    "below_last_year": "the goal is below last year's result",
    "no_history": "no result last year",
    "thin_history": "last year's result is on too few facts (insufficient data)",
    "derived_benchmark": "no published benchmark: the industry side is derived from our own data",
    "no_goal": "no goal could be set",
}


def explain_goal(goal: Goal, metric: Metric) -> str:
    """One paragraph: the goal, benchmark, last year's result, policy, flags and the sample needed."""
    last = goal.last_year
    parts = [
        f"{metric.label or metric.name} goal {_fmt(metric, goal.target)} "
        f"for {goal.name} ({goal.scope_id}) in {goal.year}"
    ]
    if goal.reference is not None or goal.policy.kind in (PolicyKind.BEAT_INDUSTRY, PolicyKind.HIGH_BAR):
        parts.append(goal.reference_note)
    if last is not None:
        parts.append(
            f"our {goal.year - 1} result was {_fmt(metric, last.value)} "
            f"(CI {_fmt(metric, last.lower)} to {_fmt(metric, last.upper)}, n={last.n})"
        )
    else:
        parts.append(f"no result of ours in {goal.year - 1}")
    policy = goal.policy.describe(bounds(metric) is not None)
    parts.append(f"policy {goal.policy.kind.value}: {policy} ({goal.direction} is better)")
    text = "; ".join(parts) + "."
    if goal.flags:
        text += " Flags: " + "; ".join(FLAG_TEXT[f] for f in goal.flags) + "."
    if goal.sample_size is not None:
        had = f" (had {last.n} in {goal.year - 1})" if last is not None else ""
        text += (
            f" To tell whether it was met: n >= {goal.sample_size} in the year{had}; {goal.sample_size_note}."
        )
    else:
        text += f" Sample size needed: not computed ({goal.sample_size_note})."
    return text
