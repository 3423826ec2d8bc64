"""Change tests for counts, rates and ratio estimators (revenue retention) between two periods.

- Counts and rates: the exact conditional test of two Poisson rates (Przyborowski & Wilenski 1940):
  given k1 + k2 events, k1 is Binomial(k1 + k2, e1 / (e1 + e2)) when the two rates are equal, so the
  p-value is the two-sided exact binomial test's, summing every outcome no more likely than the one seen
  (the "minlike" rule of `scipy.stats.binomtest` and of `statsmodels`' `test_poisson_2indep`, method
  "exact-cond"). A count per period is a rate with exposure 1.
- Ratio estimators (revenue retention R = sum(ending) / sum(starting)): the difference of two
  independent estimates over its linearised standard error (delta method, Cochran 1977 section 6.3),
  a large-sample z test like the interval it goes with.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats as _scipy_stats

from cxscore.stats._inputs import FloatArray, as_count, as_float

# The relative tolerance scipy's binomtest uses to count outcomes "as likely" as the observed one.
_RELATIVE = 1.0 + 1e-7


def rate_change_pvalue(
    k1: npt.ArrayLike, e1: npt.ArrayLike, k2: npt.ArrayLike, e2: npt.ArrayLike
) -> FloatArray:
    """Two-sided exact conditional p-value that k1 events in exposure e1 and k2 in e2 share one rate.

    NaN where an exposure is 0 (no rate); 1 when no event happened in either.

    >>> print(f"{rate_change_pvalue(30, 1, 15, 1):.4f}")   # 30 complaints this month, 15 last month
    0.0357
    """
    x1, x2 = as_count("k1", k1), as_count("k2", k2)
    t1, t2 = as_count("e1", e1), as_count("e2", e2)
    x1, x2, t1, t2 = np.broadcast_arrays(x1, x2, t1, t2)
    defined = (t1 > 0) & (t2 > 0)
    total = x1 + x2
    share = np.where(defined, t1 / np.where(defined, t1 + t2, 1.0), 0.5)
    pvalue = binomial_test(x1, total, share)
    return np.where(defined, np.where(total == 0, 1.0, pvalue), np.nan)


def binomial_test(k: npt.ArrayLike, n: npt.ArrayLike, p: npt.ArrayLike) -> FloatArray:
    """Two-sided exact binomial test p-values, element by element (the rule of `scipy.stats.binomtest`).

    >>> print(f"{binomial_test(3, 15, 0.1):.4f}")
    0.1841
    """
    k, n, p = np.broadcast_arrays(as_float("k", k), as_float("n", n), as_float("p", p))
    shape = k.shape
    k, n, p = (np.atleast_1d(a).astype("float64") for a in (k, n, p))
    binomial = _scipy_stats.binom
    likely = binomial.pmf(k, n, p) * _RELATIVE
    mean = n * p
    below = k < mean
    # Below the mean: the outcomes above it that are no more likely, found from the top end down.
    top = _last_above(lambda x: -binomial.pmf(x, n, p), -likely, np.ceil(mean), n)
    count_top = n - top + (likely == binomial.pmf(top, n, p))
    low_tail = binomial.cdf(k, n, p) + binomial.sf(n - count_top, n, p)
    # Above the mean: the outcomes below it that are no more likely.
    bottom = _last_above(lambda x: binomial.pmf(x, n, p), likely, np.zeros_like(n), np.floor(mean))
    high_tail = binomial.cdf(bottom, n, p) + binomial.sf(k - 1.0, n, p)
    pvalue = np.minimum(1.0, np.where(below, low_tail, high_tail))
    result: FloatArray = np.where(k == mean, 1.0, pvalue).reshape(shape)
    return result


def _last_above(
    a: object, d: npt.NDArray[np.float64], lo: npt.NDArray[np.float64], hi: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Vectorised binary search for the last x in [lo, hi] with a(x) <= d, a increasing (scipy's
    `_binary_search_for_binom_tst`, element by element)."""
    assert callable(a)
    lo, hi = lo.copy(), hi.copy()
    found = np.full(lo.shape, np.nan)
    for _ in range(128):
        active = (lo < hi) & np.isnan(found)
        if not active.any():
            break
        mid = lo + np.floor((hi - lo) / 2.0)
        value = a(mid)
        less, more = active & (value < d), active & (value > d)
        lo = np.where(less, mid + 1.0, lo)
        hi = np.where(more, mid - 1.0, hi)
        found = np.where(active & ~less & ~more, mid, found)
    last = np.where(a(lo) <= d, lo, lo - 1.0)
    return np.where(np.isnan(found), last, found)


def ratio_change_pvalue(
    r1: npt.ArrayLike, se1: npt.ArrayLike, r2: npt.ArrayLike, se2: npt.ArrayLike
) -> FloatArray:
    """Two-sided z test p-value that two independent ratio estimates (with their linearised standard
    errors) share one value; NaN where either is undefined, 1 (or 0) when both errors are 0.

    >>> print(f"{ratio_change_pvalue(1.08, 0.02, 1.01, 0.025):.4f}")
    0.0288
    """
    a, b = as_float("r1", r1), as_float("r2", r2)
    s1, s2 = as_float("se1", se1), as_float("se2", se2)
    spread = np.sqrt(s1**2 + s2**2)
    difference = a - b
    with np.errstate(divide="ignore", invalid="ignore"):
        z = difference / spread
    pvalue = np.asarray(2.0 * _scipy_stats.norm.sf(np.abs(z)), dtype=np.float64)
    exact = np.where(difference == 0, 1.0, 0.0)
    return np.where(np.isnan(difference) | np.isnan(spread), np.nan, np.where(spread == 0, exact, pvalue))
