"""Sampling variances of the engine's statistics, from the sufficient statistics it already computes.

Shrinkage weighs each scope's own value by how noisy it is, so it needs each value's sampling variance.
An interval's width is not one: a Poisson, gamma or Wilson interval is asymmetric and narrows near the
edge of the range (5 of 5 has a short Wilson interval), and a clipped interval is narrower still. These
are the variances of the estimators themselves; shares and NPS (with pseudo-observations, so that 5 of 5
does not claim a variance of 0) are in `cxscore.stats._shrinkage`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cxscore.stats._inputs import FloatArray, as_count, as_float

#: Jeffreys' prior Gamma(1/2) on a Poisson mean adds half an event, so 0 events do not claim a rate of 0.
JEFFREYS_EVENTS = 0.5


def mean_variance(total: npt.ArrayLike, total_squares: npt.ArrayLike, n: npt.ArrayLike) -> FloatArray:
    """s^2 / n, the squared standard error of a mean of n answers (s^2 with n - 1); NaN where n < 2.

    >>> mean_variance(total=[10.0, 3.0], total_squares=[30.0, 9.0], n=[4, 1]).round(4).tolist()
    [0.4167, nan]
    """
    y, v, size = as_float("total", total), as_float("total_squares", total_squares), as_count("n", n)
    y, v, size = np.broadcast_arrays(y, v, size)
    several = size > 1
    safe = np.where(several, size, 2.0)
    squares = np.maximum(v - y * y / safe, 0.0)  # rounding can push an all-equal sample below 0
    return np.where(several, squares / (safe - 1.0) / safe, np.nan)


def sum_variance(total_squares: npt.ArrayLike, n: npt.ArrayLike) -> FloatArray:
    """The variance of a weighted Poisson sum, estimated by the sum of the squared amounts (Fay and Feuer
    1997, the variance their gamma interval matches); NaN where n == 0.

    >>> sum_variance(total_squares=[5 * 20_000.0**2, 0.0], n=[5, 0]).tolist()  # 5 deals of 20,000
    [2000000000.0, nan]
    """
    v, size = as_count("total_squares", total_squares), as_count("n", n)
    v, size = np.broadcast_arrays(v, size)
    return np.where(size > 0, v, np.nan)


def pooled_rate_variance(events: npt.ArrayLike, exposure: npt.ArrayLike) -> FloatArray:
    """The variance of each Poisson rate k / exposure at the family's pooled rate m = sum(k) / sum(exposure):
    m / exposure, the sampling variance averaged over the prior, as parametric empirical Bayes takes it
    (Morris 1983, natural exponential families with quadratic variance; Marshall 1991 for rates). A rate's
    own k / exposure^2 would give the luckiest and unluckiest scopes the wrong weights (0 events: a
    variance of 0). Jeffreys' half event keeps m above 0 when no scope had an event; NaN rows (and rows
    without exposure) take no part and get NaN.

    >>> pooled_rate_variance(events=[40, 0, 3], exposure=[10.0, 10.0, 0.0]).round(4).tolist()  # m = 40.5 / 20
    [0.2025, 0.2025, nan]
    """
    k, e = as_count("events", events), as_count("exposure", exposure)
    k, e = np.broadcast_arrays(k, e)
    known = ~np.isnan(k) & (e > 0)
    pooled = (np.sum(k[known]) + JEFFREYS_EVENTS) / np.sum(e[known]) if known.any() else np.nan
    return np.where(known, pooled / np.where(known, e, 1.0), np.nan)


def pooled_variance(variances: npt.ArrayLike, n: npt.ArrayLike) -> FloatArray:
    """Each scope's variance of a mean over n units, from the family's pooled variance per unit.

    `variances` are the scopes' own variances of their estimate (s_i^2 / n_i for a mean); the variance
    per unit s_i^2 is pooled with n_i - 1 degrees of freedom each (the one-way ANOVA's within-group mean
    square) and divided by each scope's n. A scope whose units all agree (s_i = 0, so its own variance
    claims an exact value) gets the family's. NaN where the scope's own variance is NaN (n < 2).

    >>> pooled_variance([0.5, 0.0, np.nan], [4, 6, 1]).round(4).tolist()  # s^2: 2 and 0, pooled 6 / 8
    [0.1875, 0.125, nan]
    """
    v, size = as_float("variances", variances), as_count("n", n)
    v, size = np.broadcast_arrays(v, size)
    known = ~np.isnan(v) & (size > 1)
    freedom = size[known] - 1.0
    per_unit = np.sum(v[known] * size[known] * freedom) / np.sum(freedom) if known.any() else np.nan
    return np.where(known, per_unit / np.where(known, size, 1.0), np.nan)


def ratio_estimator_variance(
    starting: npt.ArrayLike,
    ending: npt.ArrayLike,
    starting_squares: npt.ArrayLike,
    ending_squares: npt.ArrayLike,
    cross: npt.ArrayLike,
    n: npt.ArrayLike,
) -> FloatArray:
    """The linearised variance of R = sum(ending) / sum(starting) over n terms (Cochran 1977, 6.3):
    s_d^2 / (n mean(starting)^2), with d = ending - R starting and s_d^2 over n - 1; NaN where n < 2 or
    nothing started.

    >>> # 3 accounts of 100 renewing at 80, 90 and 100: R = 0.9, residuals -10, 0, 10
    >>> ratio_estimator_variance(300.0, 270.0, 30_000.0, 24_500.0, 27_000.0, 3).round(6).tolist()
    0.003333
    """
    x, y = as_float("starting", starting), as_float("ending", ending)
    xx, yy = as_float("starting_squares", starting_squares), as_float("ending_squares", ending_squares)
    xy = as_float("cross", cross)
    size = as_count("n", n)
    x, y, xx, yy, xy, size = np.broadcast_arrays(x, y, xx, yy, xy, size)
    defined = (size > 1) & (x > 0)
    safe_x, safe_n = np.where(defined, x, 1.0), np.where(defined, size, 2.0)
    r = y / safe_x
    residual = np.maximum(yy - 2.0 * r * xy + r * r * xx, 0.0) / (safe_n - 1.0)
    return np.where(defined, residual / (safe_n * (safe_x / safe_n) ** 2), np.nan)
