"""Means of rating scales (CES 1-7, CSAT 1-5 averages, time to upgrade): Student t intervals and Welch tests.

Both work from summary statistics (mean, sample standard deviation with ddof=1, n) so the engine can push
the aggregation down to SQL and hand only three numbers per group to Python.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats as _scipy_stats

from cxscore.stats._inputs import FloatArray, Interval, as_count, as_float, check_level


def mean_interval(mean: npt.ArrayLike, sd: npt.ArrayLike, n: npt.ArrayLike, level: float = 0.95) -> Interval:
    """Student t interval mean +- t(n-1) sd / sqrt(n); NaN where n < 2 (no spread can be estimated).

    >>> lower, upper = mean_interval(5.2, 1.1, 40)
    >>> print(f"{lower:.3f} to {upper:.3f}")
    4.848 to 5.552
    """
    alpha = 1.0 - check_level(level)
    centre = as_float("mean", mean)
    spread = as_count("sd", sd)
    size = as_count("n", n)
    defined = size >= 2
    df = np.where(defined, size - 1.0, 1.0)
    # One quantile per distinct sample size (a result has many rows but few sizes): same values, less work.
    sizes, where = np.unique(df, return_inverse=True)
    t = np.asarray(_scipy_stats.t.ppf(1.0 - alpha / 2.0, sizes), dtype=np.float64)[where].reshape(df.shape)
    half = t * spread / np.sqrt(np.where(defined, size, 1.0))
    return np.where(defined, centre - half, np.nan), np.where(defined, centre + half, np.nan)


def mean_change_pvalue(
    m1: npt.ArrayLike,
    s1: npt.ArrayLike,
    n1: npt.ArrayLike,
    m2: npt.ArrayLike,
    s2: npt.ArrayLike,
    n2: npt.ArrayLike,
) -> FloatArray:
    """Two-sided Welch (1947) t test p-value from summary statistics; NaN where either n < 2.

    Welch does not assume equal variances, which two periods or two teams rarely have. When both samples
    have zero spread the p-value is 1 if the means are equal and 0 if they differ.

    >>> print(f"{mean_change_pvalue(5.2, 1.1, 40, 4.7, 1.6, 35):.4f}")
    0.1253
    """
    mean1, sd1, size1 = as_float("m1", m1), as_count("s1", s1), as_count("n1", n1)
    mean2, sd2, size2 = as_float("m2", m2), as_count("s2", s2), as_count("n2", n2)
    defined = (size1 >= 2) & (size2 >= 2)
    safe1, safe2 = np.where(defined, size1, 2.0), np.where(defined, size2, 2.0)
    v1, v2 = sd1**2 / safe1, sd2**2 / safe2
    se2 = v1 + v2
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (mean1 - mean2) / np.sqrt(se2)
        df = se2**2 / (v1**2 / (safe1 - 1.0) + v2**2 / (safe2 - 1.0))
    pvalue = np.asarray(2.0 * _scipy_stats.t.sf(np.abs(t), np.where(se2 > 0, df, 1.0)), dtype=np.float64)
    difference = mean1 - mean2
    no_spread = np.where(difference == 0, 1.0, np.where(np.isnan(difference), np.nan, 0.0))
    pvalue = np.where(se2 == 0, no_spread, pvalue)
    return np.where(defined, pvalue, np.nan)
