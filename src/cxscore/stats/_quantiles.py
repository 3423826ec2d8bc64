"""Distribution-free intervals for medians and other quantiles (time to resolve, time to upgrade).

Durations are skewed and heavy-tailed, so a t interval on their mean says little. The order-statistic
interval (Conover 1999, section 3.2) needs no distribution: in a sample of n, the number of values below
the true q-quantile is Binomial(n, q), so the l-th and u-th smallest values bracket the quantile with
probability P(l <= B <= u - 1). cxscore picks the tightest l and u that leave at most alpha/2 in each tail,
so the coverage is at least the level asked for (it is exact only at the discrete steps of the binomial).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats as _scipy_stats

from cxscore.errors import StatisticsError
from cxscore.stats._inputs import Interval, as_count, as_float, check_fraction, check_level

# Binomial tail sums are computed in floating point; a tail equal to alpha/2 in exact arithmetic must count
# as "at most alpha/2" whichever way the rounding went.
_TAIL_SLACK = 1e-10


def quantile_rank_bounds(n: npt.ArrayLike, q: npt.ArrayLike = 0.5, level: float = 0.95) -> Interval:
    """1-based ranks (lower, upper) of the order statistics that bound the q-quantile of n values.

    The lower rank l is the largest with P(B <= l - 1) <= alpha/2, the upper rank u the smallest with
    P(B >= u) <= alpha/2, where B ~ Binomial(n, q). NaN where no such rank exists: n == 0, or a sample too
    small for the level (a 95% interval for a median needs n >= 6). An SQL engine can then pick the
    values itself, e.g. with a window `row_number()`.

    >>> [r.tolist() for r in quantile_rank_bounds([6, 10, 20])]
    [[1.0, 2.0, 6.0], [6.0, 9.0, 15.0]]
    """
    alpha_half = (1.0 - check_level(level)) / 2.0
    size = np.floor(as_count("n", n))
    share = as_float("q", q)
    check_fraction("q", share, open_interval=True)
    size, share = np.broadcast_arrays(size, share)
    binomial = _scipy_stats.binom(size, share)
    limit = alpha_half * (1.0 + _TAIL_SLACK)

    # Smallest k with F(k) >= alpha/2; the lower rank is k + 1 when F(k) itself stays within the tail.
    k = np.asarray(binomial.ppf(alpha_half), dtype=np.float64)
    k = np.where(binomial.cdf(k) <= limit, k, k - 1.0)
    k = np.where((k + 1.0 < size) & (binomial.cdf(k + 1.0) <= limit), k + 1.0, k)
    lower = k + 1.0

    # Smallest u with P(B >= u) <= alpha/2, i.e. sf(u - 1) <= alpha/2.
    j = np.asarray(binomial.isf(alpha_half), dtype=np.float64)
    j = np.where(binomial.sf(j) <= limit, j, j + 1.0)
    j = np.where((j >= 1.0) & (binomial.sf(j - 1.0) <= limit), j - 1.0, j)
    upper = j + 1.0

    lower = np.where((size > 0) & (lower >= 1.0), lower, np.nan)
    upper = np.where((size > 0) & (upper <= size), upper, np.nan)
    return lower, upper


def median_interval(values: npt.ArrayLike, level: float = 0.95, quantile: float = 0.5) -> tuple[float, float]:
    """Distribution-free interval for the median (or another quantile) of a 1-D sample; NaN values are
    skipped, and a bound is NaN when the sample is too small for the level.

    >>> median_interval([7, 1, 3, 9, 4, 12, 2, 8, 5, 10])
    (2.0, 10.0)
    """
    sample = np.atleast_1d(as_float("values", values))
    if sample.ndim != 1:
        raise StatisticsError(
            f"median_interval needs a 1-D sample, got an array of shape {sample.shape}. "
            "Pass one group's values at a time."
        )
    ordered = np.sort(sample[~np.isnan(sample)])
    lower_rank, upper_rank = quantile_rank_bounds(ordered.size, quantile, level)
    return _pick(ordered, float(lower_rank)), _pick(ordered, float(upper_rank))


def _pick(ordered: npt.NDArray[np.float64], rank: float) -> float:
    """The value of 1-based rank `rank` in a sorted sample, NaN for a NaN rank."""
    return float(ordered[int(rank) - 1]) if rank == rank else float("nan")
