"""Scorecard results as rows (CSV) and as nested data (JSON): the same numbers the table shows."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cxscore import stats
    from cxscore.scorecards.evaluation import Line, ScorecardResult, YearResult

__all__ = ["result_rows", "to_data"]


def _number(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _estimate(estimate: stats.Estimate | None) -> dict[str, Any]:
    if estimate is None:
        return {"value": None, "n": 0, "lower": None, "upper": None}
    return {
        "value": _number(estimate.value),
        "n": estimate.n,
        "lower": _number(estimate.lower),
        "upper": _number(estimate.upper),
    }


def _year(result: YearResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "year": result.year,
        **_estimate(result.estimate),
        "insufficient": result.insufficient,
        "change": _number(result.change),
        "p_value": _number(result.p_value),
        "year_to_date": result.year_to_date,
    }


def line_data(line: Line) -> dict[str, Any]:
    goal = line.goal
    return {
        "metric": line.item.metric,
        "label": line.item.label or line.metric.label,
        "category": line.item.category.value,
        "weight": line.item.weight,
        "direction": line.metric.direction.value,
        **_estimate(line.estimate),
        "level": line.estimate.level if line.estimate else None,
        "insufficient": line.insufficient,
        "min_n": line.metric.min_n,
        "goal": _number(line.target),
        "goal_year": _number(goal.target) if goal else None,
        "goal_policy": goal.policy.kind.value if goal else None,
        "goal_flags": list(goal.flags) if goal else [],
        "goal_explanation": goal.explanation if goal else "",
        "benchmark": goal.benchmark.describe() if goal and goal.benchmark else None,
        "attainment": line.attainment.value,
        "points": line.points,
        "change_vs_last_year": _number(line.change),
        "p_value": _number(line.p_value),
        "adjusted_p_value": _number(line.adjusted_p_value),
        "significant": line.significant,
        "improved": line.improved,
        "year_to_date": _year(line.year_to_date),
        "history": [_year(h) for h in line.history],
    }


def to_data(result: ScorecardResult) -> dict[str, Any]:
    """The whole evaluated scorecard as JSON-ready data."""
    return {
        "scorecard": result.scorecard.name,
        "scope": result.scope,
        "scope_id": result.scope_id,
        "name": result.name,
        "period": result.period.label,
        "score": _number(result.score),
        "coverage": result.coverage,
        "customer_share": result.scorecard.customer_share,
        "warnings": list(result.warnings),
        "metrics": [line_data(line) for line in result.lines],
    }


def result_rows(result: ScorecardResult) -> list[dict[str, Any]]:
    """One flat row per metric (history and year-to-date as columns) for CSV."""
    rows = []
    for line in result.lines:
        data = line_data(line)
        ytd = data.pop("year_to_date") or {}
        history = data.pop("history")
        data.pop("goal_explanation")
        data["goal_flags"] = ";".join(data["goal_flags"])
        row = {
            "scorecard": result.scorecard.name,
            "scope": result.scope,
            "scope_id": result.scope_id,
            "name": result.name,
            "period": result.period.label,
            "score": _number(result.score),
            **data,
            "ytd_value": ytd.get("value"),
            "ytd_n": ytd.get("n"),
            "ytd_lower": ytd.get("lower"),
            "ytd_upper": ytd.get("upper"),
            "ytd_p_value": ytd.get("p_value"),
        }
        for year in history:
            row[f"value_{year['year']}"] = year["value"]
            row[f"n_{year['year']}"] = year["n"]
        rows.append(row)
    return rows
