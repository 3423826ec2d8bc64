"""Statistics for honest CX numbers: every value with its sample size and confidence interval.

All interval, test and sample-size functions are vectorised: they take scalars or array-likes (whole columns
of aggregated results), broadcast them together and return float64 arrays, with NaN wherever a group is
empty or the value is undefined; only impossible inputs raise `cxscore.errors.StatisticsError`. The
formulas, references and worked examples are in docs/concepts/statistics.md.

>>> from cxscore.stats import wilson_interval
>>> lower, upper = wilson_interval([45, 0], [50, 0])
>>> lower.round(3).tolist(), upper.round(3).tolist()
([0.786, nan], [0.957, nan])
"""

from __future__ import annotations

from cxscore.stats._bootstrap import Statistic, bias_shifted_interval, bootstrap_interval
from cxscore.stats._changes import binomial_test, rate_change_pvalue, ratio_change_pvalue
from cxscore.stats._estimate import Estimate, Method
from cxscore.stats._inputs import FloatArray, Interval
from cxscore.stats._means import mean_change_pvalue, mean_interval
from cxscore.stats._multiplicity import Adjustment, adjust_pvalues
from cxscore.stats._nps import nps_change_pvalue, nps_interval, sample_size_for_nps
from cxscore.stats._proportions import (
    proportion_change_pvalue,
    proportion_difference_interval,
    sample_size_for_proportion,
    wilson_interval,
)
from cxscore.stats._quantiles import median_interval, quantile_rank_bounds
from cxscore.stats._rates import rate_interval, ratio_interval
from cxscore.stats._shrinkage import Shrunk, nps_variance, proportion_variance, shrink_estimates
from cxscore.stats._sums import sum_interval
from cxscore.stats._variances import ratio_estimator_variance

__all__ = [
    "Adjustment",
    "Estimate",
    "FloatArray",
    "Interval",
    "Method",
    "Shrunk",
    "Statistic",
    "adjust_pvalues",
    "bias_shifted_interval",
    "binomial_test",
    "bootstrap_interval",
    "mean_change_pvalue",
    "mean_interval",
    "median_interval",
    "nps_change_pvalue",
    "nps_interval",
    "nps_variance",
    "proportion_change_pvalue",
    "proportion_difference_interval",
    "proportion_variance",
    "quantile_rank_bounds",
    "rate_change_pvalue",
    "rate_interval",
    "ratio_change_pvalue",
    "ratio_estimator_variance",
    "ratio_interval",
    "sample_size_for_nps",
    "sample_size_for_proportion",
    "shrink_estimates",
    "sum_interval",
    "wilson_interval",
]
