"""Proportions (CSAT, renewal rate, first-contact resolution): Wilson intervals, change tests, sample sizes.

Wilson (1927) and not the textbook Wald interval p +- z sqrt(p(1-p)/n): at the small n of one agent's month,
or near 0% and 100%, Wald covers far less than it claims and collapses to zero width at 0 or n successes
(Agresti & Coull 1998). Wilson stays inside [0, 1] and keeps close to its nominal coverage.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats as _scipy_stats

from cxscore.stats._inputs import (
    FloatArray,
    Interval,
    as_count,
    as_float,
    check_fraction,
    check_not_above,
    check_positive,
    z_value,
)


def wilson_interval(successes: npt.ArrayLike, n: npt.ArrayLike, level: float = 0.95) -> Interval:
    """Wilson score interval for a proportion: bounds in [0, 1], NaN where n == 0.

    >>> lower, upper = wilson_interval(81, 100)
    >>> print(f"{lower:.4f} to {upper:.4f}")
    0.7222 to 0.8749
    >>> wilson_interval([0, 3], [0, 3])[1].tolist()
    [nan, 1.0]
    """
    z = z_value(level)
    x = as_count("successes", successes)
    size = as_count("n", n)
    check_not_above("successes", x, "n", size)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / size
        z2_n = z * z / size
        centre = (p + z2_n / 2.0) / (1.0 + z2_n)
        half = z / (1.0 + z2_n) * np.sqrt(p * (1.0 - p) / size + z2_n / (4.0 * size))
    lower = np.where(x == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    upper = np.where(x == size, 1.0, np.clip(centre + half, 0.0, 1.0))
    undefined = ~(size > 0)
    return np.where(undefined, np.nan, lower), np.where(undefined, np.nan, upper)


def proportion_change_pvalue(
    x1: npt.ArrayLike, n1: npt.ArrayLike, x2: npt.ArrayLike, n2: npt.ArrayLike
) -> FloatArray:
    """Two-sided p-value that two independent periods share one proportion (pooled two-proportion z test).

    When both periods are all failures or all successes the observed change is exactly zero and the
    p-value is 1; when either period is empty it is NaN.

    >>> print(f"{proportion_change_pvalue(73, 85, 43, 82):.2e}")
    2.72e-06
    """
    s1, size1 = as_count("x1", x1), as_count("n1", n1)
    s2, size2 = as_count("x2", x2), as_count("n2", n2)
    check_not_above("x1", s1, "n1", size1)
    check_not_above("x2", s2, "n2", size2)
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (s1 + s2) / (size1 + size2)
        se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / size1 + 1.0 / size2))
        z = (s1 / size1 - s2 / size2) / se
    pvalue = np.asarray(2.0 * _scipy_stats.norm.sf(np.abs(z)), dtype=np.float64)
    pvalue = np.where(se == 0, 1.0, pvalue)
    return np.where((size1 > 0) & (size2 > 0), pvalue, np.nan)


def proportion_difference_interval(
    x1: npt.ArrayLike, n1: npt.ArrayLike, x2: npt.ArrayLike, n2: npt.ArrayLike, level: float = 0.95
) -> Interval:
    """Agresti & Caffo (2000) interval for p1 - p2 of two independent periods, clipped to [-1, 1].

    Adds one success and one failure to each period, then uses the Wald interval of the difference; with
    that adjustment it keeps close to nominal coverage even at small n. NaN where either period is empty.

    >>> lower, upper = proportion_difference_interval(73, 85, 43, 82)
    >>> print(f"{lower:.4f} to {upper:.4f}")
    0.1963 to 0.4572
    """
    z = z_value(level)
    s1, size1 = as_count("x1", x1), as_count("n1", n1)
    s2, size2 = as_count("x2", x2), as_count("n2", n2)
    check_not_above("x1", s1, "n1", size1)
    check_not_above("x2", s2, "n2", size2)
    p1, p2 = (s1 + 1.0) / (size1 + 2.0), (s2 + 1.0) / (size2 + 2.0)
    half = z * np.sqrt(p1 * (1.0 - p1) / (size1 + 2.0) + p2 * (1.0 - p2) / (size2 + 2.0))
    defined = (size1 > 0) & (size2 > 0)
    lower = np.clip(p1 - p2 - half, -1.0, 1.0)
    upper = np.clip(p1 - p2 + half, -1.0, 1.0)
    return np.where(defined, lower, np.nan), np.where(defined, upper, np.nan)


def sample_size_for_proportion(p: npt.ArrayLike, margin: npt.ArrayLike, level: float = 0.95) -> FloatArray:
    """Smallest n whose Wilson interval around an expected proportion `p` has half-width <= `margin`.

    Solves z sqrt(p(1-p)n + z^2/4) / (n + z^2) <= margin exactly (see docs/concepts/statistics.md). Unlike
    the Wald rule z^2 p(1-p)/margin^2 it does not promise a 0-width interval at p = 0 or 1.

    >>> sample_size_for_proportion([0.5, 0.9], 0.05).tolist()
    [381.0, 141.0]
    """
    z = z_value(level)
    share = as_float("p", p)
    half_width = as_float("margin", margin)
    check_fraction("p", share)
    check_positive("margin", half_width)
    pq = share * (1.0 - share)
    z2 = z * z
    # (n + z^2) is the positive root of margin^2 N^2 - z^2 pq N - z^4 (1/4 - pq) = 0.
    root = (z2 * pq + np.sqrt(z2 * z2 * pq * pq + 4.0 * half_width**2 * z2 * z2 * (0.25 - pq))) / (
        2.0 * half_width**2
    )
    return np.maximum(np.ceil(root - z2 - 1e-9), 1.0)
