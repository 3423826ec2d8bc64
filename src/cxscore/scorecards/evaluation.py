"""Evaluating a scorecard: each metric's value with its interval, its goal, attainment, trend and score.

For one person or team and one period (a quarter or a year): the period's result of every metric, the
goal of the year (set by the goal policy from the year before; sums and counts are spread evenly over
the quarters), the attainment decided with the interval, the year-to-date result, every earlier year,
and whether the change against the same period a year earlier is significant. The weighted score
counts only metrics with enough data; when they carry less than half the weight there is no score.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from cxscore import stats
from cxscore.errors import ConfigError
from cxscore.goals import BenchmarkTable, Goal, GoalSettings, Results, estimate_of, set_goals
from cxscore.metrics import Aggregation, Direction, Metric
from cxscore.scorecards.attainment import POINTS, Attainment, decide
from cxscore.scorecards.definition import Item, Scorecard, Scorecards
from cxscore.scorecards.period import Period

__all__ = ["MIN_COVERAGE", "SIGNIFICANCE", "Evaluator", "Line", "ScorecardResult", "YearResult"]

#: A change is called significant when its two-sided p-value is under this.
SIGNIFICANCE = 0.05
#: Below this share of the weight with enough data, a scorecard has no score ("insufficient data").
MIN_COVERAGE = 0.5


@dataclass(frozen=True)
class YearResult:
    """One year of a metric's history (or the current year to date) and its change on the year before."""

    year: int
    estimate: stats.Estimate
    insufficient: bool
    change: float | None
    p_value: float | None
    year_to_date: bool = False


@dataclass(frozen=True)
class Line:
    """One metric of an evaluated scorecard."""

    item: Item
    metric: Metric
    estimate: stats.Estimate | None
    insufficient: bool
    goal: Goal | None
    target: float  # the goal for this period (a quarter's share of a yearly sum), NaN without a goal
    attainment: Attainment
    year_to_date: YearResult | None
    history: tuple[YearResult, ...]
    change: float | None  # against the same period a year earlier
    p_value: float | None
    adjusted_p_value: float | None = None  # Holm-adjusted over the scorecard's metrics

    @property
    def points(self) -> float | None:
        return POINTS.get(self.attainment)

    @property
    def significant(self) -> bool:
        """The change is significant after the Holm adjustment over the scorecard's metrics."""
        p_value = self.adjusted_p_value if self.adjusted_p_value is not None else self.p_value
        return p_value is not None and p_value < SIGNIFICANCE

    @property
    def improved(self) -> bool | None:
        """True or False when the change is significant (in the metric's better direction), else None."""
        if not self.significant or self.change is None:
            return None
        return (self.change > 0) == (self.metric.direction is Direction.HIGHER)

    def format(self, value: float | None) -> str:
        if value is None or math.isnan(value):
            return "n/a"
        try:
            return format(value, self.metric.format)
        except ValueError:
            return f"{value:.3g}"


@dataclass(frozen=True)
class ScorecardResult:
    """A scorecard evaluated for one scope and period."""

    scorecard: Scorecard
    scope: str
    scope_id: str
    name: str
    period: Period
    lines: tuple[Line, ...]

    @property
    def coverage(self) -> float:
        """The share of the weight whose metrics had enough data and a goal."""
        return sum(line.item.weight for line in self.lines if line.points is not None)

    @property
    def score(self) -> float | None:
        """The weighted attainment points (0-1) of the metrics with data, or None under MIN_COVERAGE."""
        if self.coverage < MIN_COVERAGE or self.coverage == 0:
            return None
        scored = [line for line in self.lines if line.points is not None]
        return sum(line.item.weight * (line.points or 0.0) for line in scored) / self.coverage

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.scorecard.warnings

    def to_frame(self) -> pd.DataFrame:
        """One row per metric: the columns of the CSV export."""
        from cxscore.scorecards.export import result_rows

        return pd.DataFrame(result_rows(self))


class Evaluator:
    """Evaluates scorecards on one store with one set of goal policies, benchmarks and scorecards."""

    def __init__(
        self, results: Results, settings: GoalSettings, benchmarks: BenchmarkTable, scorecards: Scorecards
    ) -> None:
        self.results = results
        self.settings = settings
        self.benchmarks = benchmarks
        self.scorecards = scorecards

    def scorecard_for(self, scope: str, scope_id: str, period: Period) -> Scorecard:
        """The scorecard of a team's function or of a person's role at the end of the period."""
        if scope == "team":
            function = self.results.function(scope_id)
            found = self.scorecards.for_function(function)
            what = f"team {scope_id} (function {function})"
        elif scope == "person":
            role = self.results.role(scope_id, period.end)
            found = self.scorecards.for_role(role)
            what = f"person {scope_id} (role {role} on {period.end})"
        else:
            found = self.scorecards.for_function("executive")
            what = "the company"
        if found is None:
            names = ", ".join(s.name for s in self.scorecards)
            raise ConfigError(f"No scorecard applies to {what}. Pick one with --scorecard ({names}).")
        return found

    def evaluate(
        self, scope: str, scope_id: str, period: Period, scorecard: Scorecard | None = None
    ) -> ScorecardResult:
        """Evaluate the scorecard (by default the one for the scope id) for one period."""
        self._check_scope(scope, scope_id)
        card = scorecard or self.scorecard_for(scope, scope_id, period)
        lines = _adjusted([self._line(item, scope, scope_id, period) for item in card.items])
        return ScorecardResult(card, scope, scope_id, self.results.name(scope, scope_id), period, lines)

    def _check_scope(self, scope: str, scope_id: str) -> None:
        if scope == "team" and scope_id not in set(self.results.teams["team_id"]):
            teams = ", ".join(sorted(self.results.teams["team_id"]))
            raise ConfigError(f"There is no team '{scope_id}'. Teams: {teams}.")
        if scope == "person" and scope_id not in set(self.results.people["person_id"]):
            raise ConfigError(f"There is no person '{scope_id}' in the people table.")

    def goal(self, metric: str, scope: str, scope_id: str, year: int) -> Goal:
        (goal,) = set_goals(self.results, metric, scope, year, self.settings, self.benchmarks, [scope_id])
        return goal

    def _line(self, item: Item, scope: str, scope_id: str, period: Period) -> Line:
        metric = self.results.metric(item.metric)
        row = self.results.row(item.metric, scope, scope_id, period.grain, period.start)
        estimate = estimate_of(row)
        insufficient = row is None or bool(row["insufficient"])
        goal = self.goal(item.metric, scope, scope_id, period.year)
        target = goal.target / (period.parts_of_year if _additive(metric) else 1)
        higher = metric.direction is Direction.HIGHER
        attainment = (
            decide(estimate.value, estimate.lower, estimate.upper, target, higher, insufficient)
            if estimate is not None
            else Attainment.INSUFFICIENT
        )
        change, p_value = _comparison(row, "last_year_change" if period.quarter else "change")
        return Line(
            item,
            metric,
            estimate,
            insufficient,
            goal,
            target,
            attainment,
            self._year_to_date(metric, scope, scope_id, period),
            self._history(metric, scope, scope_id, period.year),
            change,
            p_value,
        )

    def _year_to_date(self, metric: Metric, scope: str, scope_id: str, period: Period) -> YearResult | None:
        window = period.year_to_date_window
        if period.quarter is None:
            grain, start = "year", period.start
        elif window > 1 and (metric.aggregation is Aggregation.PERCENTILE or _additive(metric)):
            return None  # percentiles cannot be rolled; sums over part of a year have no yearly goal to face
        else:
            grain, start = "quarter", period.start
        row = self.results.row(
            metric.name, scope, scope_id, grain, start, window if grain == "quarter" else 1
        )
        estimate = estimate_of(row)
        if row is None or estimate is None:
            return None
        change, p_value = _comparison(row, "last_year_change" if grain == "quarter" else "change")
        return YearResult(
            period.year, estimate, bool(row["insufficient"]), change, p_value, year_to_date=True
        )

    def _history(self, metric: Metric, scope: str, scope_id: str, year: int) -> tuple[YearResult, ...]:
        frame = self.results.get(metric.name, scope, "year")
        mine = frame[(frame["scope_id"] == scope_id) & (frame["period"] < dt.date(year, 1, 1))]
        history = []
        for _, row in mine.sort_values("period").iterrows():
            estimate = estimate_of(row)
            if estimate is not None:
                change, p_value = _comparison(row, "change")
                history.append(
                    YearResult(row["period"].year, estimate, bool(row["insufficient"]), change, p_value)
                )
        return tuple(history)


def _additive(metric: Metric) -> bool:
    """Sums and counts grow with the period's length; a yearly goal is spread over the quarters."""
    return metric.aggregation in (Aggregation.SUM, Aggregation.COUNT)


def _adjusted(lines: list[Line]) -> tuple[Line, ...]:
    """Each line with its p-value adjusted by Holm over the scorecard's lines that have one: a scorecard
    tests several changes at once, and one of many is significant by chance more often than 5%."""
    tested = {i: line.p_value for i, line in enumerate(lines) if line.p_value is not None}
    if not tested:
        return tuple(lines)
    adjusted = stats.adjust_pvalues(list(tested.values()), stats.Adjustment.HOLM)
    found = dict(zip(tested, (float(p) for p in adjusted), strict=True))
    return tuple(replace(line, adjusted_p_value=found.get(i)) for i, line in enumerate(lines))


def _comparison(row: pd.Series | None, change_column: str) -> tuple[float | None, float | None]:
    """The change against a year earlier and its p-value (None where the engine has none)."""
    if row is None:
        return None, None
    p_column = "last_year_p_value" if change_column == "last_year_change" else "p_value"
    change, p_value = row[change_column], row[p_column]
    return (
        None if pd.isna(change) else float(change),
        None if pd.isna(p_value) else float(p_value),
    )


def evaluate_many(
    evaluator: Evaluator, scope: str, scope_ids: Sequence[str], period: Period
) -> list[ScorecardResult]:
    """Evaluate each scope id with its own scorecard; ids without one are skipped."""
    found = []
    for scope_id in scope_ids:
        try:
            found.append(evaluator.evaluate(scope, scope_id, period))
        except ConfigError:
            continue
    return found
