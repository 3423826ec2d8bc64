"""A goal: a target for one metric, scope and year, with the reasons behind it and the sample it needs."""

from __future__ import annotations

import math
from dataclasses import dataclass

from cxscore import stats
from cxscore.goals.benchmarks import Benchmark
from cxscore.goals.policy import Policy
from cxscore.metrics import Aggregation, Direction, Metric

__all__ = ["Goal", "better", "bounds", "sample_size_needed"]


@dataclass(frozen=True)
class Goal:
    """The target of one metric for one scope in one year, and everything that explains it."""

    metric: str
    scope: str
    scope_id: str
    name: str  # the team's or person's name
    year: int
    target: float
    direction: str  # higher or lower: which way is better
    policy: Policy
    benchmark: Benchmark | None  # the published benchmark used, if any
    reference: float | None  # the benchmark value the policy used (published or derived)
    reference_note: str  # where the reference comes from, e.g. "derived from our own data: ..."
    last_year: stats.Estimate | None  # our result of the year before
    industry_target: float | None
    own_target: float | None
    flags: tuple[str, ...]
    sample_size: int | None  # the n needed to tell whether the goal was met
    sample_size_note: str
    explanation: str

    @property
    def derived(self) -> bool:
        """True when no published benchmark existed and the reference comes from our own data."""
        return self.benchmark is None


def better(direction: Direction | str, a: float, b: float) -> float:
    """The better of two values in the metric's direction.

    >>> better("lower", 0.1, 0.2), better("higher", 0.1, 0.2)
    (0.1, 0.2)
    """
    lower = (
        Direction(direction) is Direction.LOWER
        if isinstance(direction, str)
        else direction is Direction.LOWER
    )
    return min(a, b) if lower else max(a, b)


def bounds(metric: Metric) -> tuple[float, float] | None:
    """The smallest and largest possible value, for metrics that have them (shares, NPS, capped retention)."""
    if metric.aggregation is Aggregation.NPS:
        return (-100.0, 100.0)
    if metric.aggregation is Aggregation.SHARE:
        return (0.0, 1.0)
    if metric.aggregation is Aggregation.RETENTION and metric.retention and metric.retention.mode != "net":
        return (0.0, 1.0)
    return None


def sample_size_needed(
    metric: Metric, target: float, last: stats.Estimate | None, row: dict[str, float]
) -> tuple[int | None, str]:
    """The sample that makes the interval's half-width no wider than the distance from last year to the goal.

    With that n, a result at the goal's level excludes last year's value and a result at last year's level
    excludes the goal, so the scorecard can say met or not met instead of "likely". Planning values come
    from last year's result (`row` holds its sufficient statistics).
    """
    if last is None or math.isnan(last.value):
        return None, "no result last year to plan from"
    margin = abs(target - last.value)
    if margin < 1e-9:
        return None, "the goal equals last year's result: no sample can tell them apart; set a step"
    kind = metric.aggregation
    mode = metric.retention.mode if metric.retention else None
    if kind is Aggregation.SHARE or (kind is Aggregation.RETENTION and mode == "logo"):
        p = min(max(target, 0.0), 1.0)
        n = stats.sample_size_for_proportion(p, margin, last.level)
        return int(n), f"Wilson interval half-width {margin:.3g} around {p:.3g}"
    if kind is Aggregation.NPS and last.n > 0:
        promoters = row.get("promoters", math.nan) / last.n
        detractors = row.get("detractors", math.nan) / last.n
        if not (math.isnan(promoters) or math.isnan(detractors)):
            n = stats.sample_size_for_nps(promoters, detractors, margin, last.level)
            return int(n), f"adjusted-Wald NPS interval half-width {margin:.3g} points"
    spread = _spread(kind, mode, last.n, row)
    if spread is not None and spread > 0:
        z = _normal_quantile((1 + last.level) / 2)
        what = "mean" if kind is Aggregation.MEAN else "revenue retention (linearised ratio estimator)"
        return math.ceil((z * spread / margin) ** 2), f"{what} interval half-width {margin:.3g}"
    return None, f"no sample-size rule for a {kind.value} metric yet"


def _spread(kind: Aggregation, mode: str | None, n: int, row: dict[str, float]) -> float | None:
    """The standard deviation of one fact's contribution, from last year's sufficient statistics: of the
    values for a mean; for revenue retention, of the residuals ending - R * starting over the mean
    starting amount (Cochran 1977, section 6.3, as the metric engine computes its interval)."""
    if n < 2:
        return None
    if kind is Aggregation.MEAN:
        total, squares = row.get("total", math.nan), row.get("total_squares", math.nan)
        variance = (squares - total * total / n) / (n - 1)
        return math.sqrt(variance) if variance > 0 else None
    if kind is Aggregation.RETENTION and mode in ("gross", "net"):
        starting, ending = row.get("starting", math.nan), row.get("ending", math.nan)
        if not starting > 0:
            return None
        ratio = ending / starting
        residual = row.get("ending_squares", math.nan) - 2 * ratio * row.get("cross", math.nan)
        residual += ratio * ratio * row.get("starting_squares", math.nan)
        return math.sqrt(max(residual, 0.0) / (n - 1)) / (starting / n)
    return None


def _normal_quantile(p: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(p))
