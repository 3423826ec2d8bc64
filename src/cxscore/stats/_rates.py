"""Rates (reopened cases per 100 closed, escalations per account-year) and ratios of two counts.

A rate is events over an exposure; its interval is Garwood's (1936) exact Poisson interval on the event
count, divided by the exposure. Exact rather than normal because CX rates are often built from a few
events, where k +- z sqrt(k) gives negative lower bounds and poor coverage.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats as _scipy_stats

from cxscore.stats._inputs import Interval, as_count, check_level
from cxscore.stats._proportions import wilson_interval


def rate_interval(events: npt.ArrayLike, exposure: npt.ArrayLike, level: float = 0.95) -> Interval:
    """Exact Poisson (Garwood) interval for events / exposure; NaN where the exposure is 0.

    Bounds are chi2(alpha/2, 2k)/2 and chi2(1 - alpha/2, 2k + 2)/2 events, divided by the exposure; the
    lower bound is 0 when no event happened.

    >>> lower, upper = rate_interval(3, 100)
    >>> print(f"{lower:.5f} to {upper:.5f}")
    0.00619 to 0.08767
    """
    alpha = 1.0 - check_level(level)
    k = as_count("events", events)
    time = as_count("exposure", exposure)
    # One pair of quantiles per distinct count (many rows share few counts): same values, less work.
    counts, where = np.unique(k, return_inverse=True)
    lowers = np.asarray(_scipy_stats.chi2.ppf(alpha / 2.0, 2.0 * counts) / 2.0, dtype=np.float64)
    uppers = np.asarray(_scipy_stats.chi2.ppf(1.0 - alpha / 2.0, 2.0 * counts + 2.0) / 2.0, dtype=np.float64)
    k_lower = np.where(k == 0, 0.0, lowers[where].reshape(k.shape))
    k_upper = uppers[where].reshape(k.shape)
    defined = time > 0
    safe = np.where(defined, time, 1.0)
    return np.where(defined, k_lower / safe, np.nan), np.where(defined, k_upper / safe, np.nan)


def ratio_interval(numerator: npt.ArrayLike, denominator: npt.ArrayLike, level: float = 0.95) -> Interval:
    """Interval for a ratio of two counts, choosing the model from the counts themselves.

    When 0 <= numerator <= denominator the numerator counts a subset of the denominator's rows (cases
    closed to satisfaction out of cases closed), so the ratio is a proportion: Wilson interval. When the
    numerator exceeds the denominator it cannot be a subset (touches per account, reopenings per case), so
    the ratio is a rate: exact Poisson on the numerator over the denominator as exposure. NaN where the
    denominator is 0. A metric that knows its kind should call `wilson_interval` or `rate_interval`.

    >>> [round(float(b), 4) for b in ratio_interval([81, 150], [100, 100])[0]]
    [0.7222, 1.2696]
    """
    level = check_level(level)
    top = as_count("numerator", numerator)
    bottom = as_count("denominator", denominator)
    top, bottom = np.broadcast_arrays(top, bottom)
    is_proportion = top <= bottom
    w_lower, w_upper = wilson_interval(np.where(is_proportion, top, 0.0), bottom, level)
    r_lower, r_upper = rate_interval(top, bottom, level)
    return np.where(is_proportion, w_lower, r_lower), np.where(is_proportion, w_upper, r_upper)
