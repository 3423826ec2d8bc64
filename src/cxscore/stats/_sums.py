"""Totals of non-negative amounts (ARR booked, hours worked): the gamma interval of a weighted Poisson sum.

A month's new-business ARR is a number of deals times their sizes, and both vary: the count of deals is
modelled as Poisson and each amount as the weight of its deal, so the total is a weighted sum of Poisson
counts. Fay and Feuer (1997) bound such a sum with gamma distributions matched to its estimated mean and
variance; the upper bound adds one more "typical" amount, here the Tiwari, Clegg and Zou (2006)
modification (the mean amount and the mean squared amount), which needs only n, the total and the total
of squares, the same statistics the engine already computes. The interval never goes below zero and
with equal amounts it is exactly Garwood's Poisson interval times the amount.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats as _scipy_stats

from cxscore.stats._inputs import FloatArray, Interval, as_count, as_float, check_level


def sum_interval(
    total: npt.ArrayLike, total_squares: npt.ArrayLike, n: npt.ArrayLike, level: float = 0.95
) -> Interval:
    """Gamma interval (Fay and Feuer 1997, upper bound as Tiwari et al. 2006) for a total of n amounts >= 0.

    With y the total, v the total of squares and n the number of amounts:

    - lower: the alpha/2 quantile of the gamma distribution with mean y and variance v (0 when y = 0);
    - upper: the 1 - alpha/2 quantile of the gamma distribution with mean y + y/n and variance v + v/n.

    NaN where n = 0, or where the statistics cannot come from non-negative amounts (a negative total, or
    a total whose square is below the total of squares). All amounts 0 give [0, 0].

    >>> lower, upper = sum_interval(total=5 * 20_000.0, total_squares=5 * 20_000.0**2, n=5)
    >>> print(f"{lower:,.0f} to {upper:,.0f}")       # 5 deals of 20,000: Garwood's 1.62 to 11.67 deals
    32,470 to 233,367
    """
    alpha = 1.0 - check_level(level)
    y, v, size = as_float("total", total), as_count("total_squares", total_squares), as_count("n", n)
    y, v, size = np.broadcast_arrays(y, v, size)
    # (sum w)^2 >= sum w^2 for amounts w >= 0; a small tolerance for rounding in the engine's sums.
    possible = (size > 0) & (y >= 0) & (y * y >= v * (1.0 - 1e-9))
    positive = possible & (y > 0) & (v > 0)
    safe_y, safe_v = np.where(positive, y, 1.0), np.where(positive, v, 1.0)
    safe_n = np.where(positive, size, 1.0)
    lower = _gamma_quantile(alpha / 2.0, safe_y, safe_v)
    upper = _gamma_quantile(1.0 - alpha / 2.0, safe_y * (1.0 + 1.0 / safe_n), safe_v * (1.0 + 1.0 / safe_n))
    zero = possible & (y == 0)  # every amount was 0
    lower = np.where(positive, lower, np.where(zero, 0.0, np.nan))
    upper = np.where(positive, upper, np.where(zero, 0.0, np.nan))
    return lower, upper


def _gamma_quantile(p: float, mean: FloatArray, variance: FloatArray) -> FloatArray:
    """The p quantile of the gamma distribution with this mean and variance (shape mean²/var)."""
    quantile = _scipy_stats.gamma.ppf(p, mean * mean / variance, scale=variance / mean)
    return np.asarray(quantile, dtype=np.float64)
