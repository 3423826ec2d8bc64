"""Each result row's sampling variance, for the normal model of a ranking, from the row's own statistics.

The metric engine returns every row with the sufficient statistics its value came from (`total` and
`total_squares` of a mean, `numerator` and `denominator` of a rate, ...), so the variance of the value's
estimator can be computed from them, rather than read off the interval's width. Widths mislead wherever
the interval is asymmetric (Poisson and gamma intervals of counts, rates and sums, Wilson intervals near
0 or 1) or clipped (gross revenue retention at 100%). Where the variance depends on the true value
(rates, retention) or is itself a noisy estimate (a mean's s^2), the variance per unit is pooled over the
family, as parametric empirical Bayes does (Morris 1983): a scope's own luck then cannot lower its own
variance, and 0 events or 5 renewals of 5 do not claim an exact value. Only a percentile, whose interval
comes from order statistics, has no such formula: its variance is the width's. See
docs/concepts/fair-rankings.md.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from cxscore.stats import FloatArray, nps_variance, proportion_variance, ratio_estimator_variance
from cxscore.stats._inputs import z_value
from cxscore.stats._variances import mean_variance, pooled_rate_variance, pooled_variance, sum_variance

__all__ = ["sampling_variance"]


def _column(frame: pd.DataFrame, name: str) -> FloatArray:
    return frame[name].to_numpy(dtype=np.float64)


def _nps(frame: pd.DataFrame) -> FloatArray:
    return nps_variance(_column(frame, "promoters"), _column(frame, "detractors"), _column(frame, "n"))


def _share(frame: pd.DataFrame) -> FloatArray:
    return proportion_variance(_column(frame, "successes"), _column(frame, "n"))


def _mean(frame: pd.DataFrame) -> FloatArray:
    n = _column(frame, "n")
    return pooled_variance(mean_variance(_column(frame, "total"), _column(frame, "total_squares"), n), n)


def _sum(frame: pd.DataFrame) -> FloatArray:
    return sum_variance(_column(frame, "total_squares"), _column(frame, "n"))


def _count(frame: pd.DataFrame) -> FloatArray:
    return pooled_rate_variance(_column(frame, "n"), 1.0)


def _rate(frame: pd.DataFrame) -> FloatArray:
    return pooled_rate_variance(_column(frame, "numerator"), _column(frame, "denominator"))


def _ratio(frame: pd.DataFrame) -> FloatArray:
    """As the engine's interval: a proportion where the numerator fits in the denominator, else a rate."""
    top, bottom = _column(frame, "numerator"), _column(frame, "denominator")
    subset = top <= bottom
    share = proportion_variance(np.where(subset, top, 0.0), bottom)
    return np.where(subset, share, pooled_rate_variance(np.where(subset, np.nan, top), bottom))


def _revenue(frame: pd.DataFrame) -> FloatArray:
    columns = ("starting", "ending", "starting_squares", "ending_squares", "cross", "n")
    return pooled_variance(
        ratio_estimator_variance(*(_column(frame, c) for c in columns)), _column(frame, "n")
    )


_Variance = Callable[[pd.DataFrame], FloatArray]

#: The variance of each kind of value, with the statistics it needs (in the order they are tried).
_VARIANCES: dict[str, tuple[tuple[tuple[str, ...], _Variance], ...]] = {
    "nps": ((("promoters", "detractors"), _nps),),
    "share": ((("successes",), _share),),
    "retention": ((("successes",), _share), (("starting", "ending", "cross"), _revenue)),
    "mean": ((("total", "total_squares"), _mean),),
    "sum": ((("total_squares",), _sum),),
    "count": (((), _count),),
    "rate": ((("numerator", "denominator"), _rate),),
    "ratio": ((("numerator", "denominator"), _ratio),),
}


def sampling_variance(frame: pd.DataFrame, kind: str, level: float) -> FloatArray:
    """The sampling variance of each row's `value` (NaN where it has none, e.g. a mean of one answer).

    `kind` is the metric's aggregation. Rows without the statistics their kind needs, and percentiles,
    fall back to ((upper - lower) / (2 z))^2, the variance a symmetric `level` interval implies.

    >>> frame = pd.DataFrame({"n": [40, 9], "numerator": [40, 0], "denominator": [10.0, 10.0],
    ...     "value": [4.0, 0.0], "lower": [2.86, 0.0], "upper": [5.45, 0.369]})
    >>> sampling_variance(frame, "rate", 0.95).round(4).tolist()  # the widths say 0.4363 and 0.0089
    [0.2025, 0.2025]
    """
    for needed, variance in _VARIANCES.get(kind, ()):
        if set(needed) <= set(frame.columns):
            return variance(frame)
    width = _column(frame, "upper") - _column(frame, "lower")
    return np.asarray((width / (2.0 * z_value(level))) ** 2, dtype=np.float64)
