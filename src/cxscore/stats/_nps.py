"""Net Promoter Score: adjusted-Wald intervals, change tests and sample sizes, in NPS points (-100..100).

An NPS is the difference of two proportions from ONE multinomial sample (promoters, passives, detractors),
so its variance is (p + d - (p - d)^2) / n, not the sum of two binomial variances. Like Agresti & Coull's
interval for one proportion, the adjusted Wald adds pseudo-observations before using that variance: 0.75
detractor, 1.5 passive and 0.75 promoter (3 in all). Rocks (2016) found it the best of six methods at
small and moderate n; Sauro & Lewis (MeasuringU) recommend it.
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

#: Pseudo-observations of the adjusted Wald: added to promoters and to detractors (1.5 more go to passives).
PSEUDO_PROMOTERS = 0.75
PSEUDO_DETRACTORS = 0.75
PSEUDO_TOTAL = 3.0


def _adjusted(promoters: FloatArray, detractors: FloatArray, n: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Adjusted NPS as a fraction in [-1, 1] and its multinomial variance."""
    size = n + PSEUDO_TOTAL
    p = (promoters + PSEUDO_PROMOTERS) / size
    d = (detractors + PSEUDO_DETRACTORS) / size
    return p - d, (p + d - (p - d) ** 2) / size


def _counts(
    promoters: npt.ArrayLike, detractors: npt.ArrayLike, n: npt.ArrayLike, suffix: str = ""
) -> tuple[FloatArray, FloatArray, FloatArray]:
    p = as_count(f"promoters{suffix}", promoters)
    d = as_count(f"detractors{suffix}", detractors)
    size = as_count(f"n{suffix}", n)
    check_not_above(f"promoters{suffix} + detractors{suffix}", p + d, f"n{suffix}", size)
    return p, d, size


def nps_interval(
    promoters: npt.ArrayLike, detractors: npt.ArrayLike, n: npt.ArrayLike, level: float = 0.95
) -> Interval:
    """Adjusted-Wald interval for an NPS, in points within [-100, 100]; NaN where n == 0.

    The interval is centred on the adjusted score, which is pulled towards 0. At a handful of responses
    that pull can leave the observed score outside the interval (1 promoter out of 1: NPS 100, adjusted
    interval up to 98.5); the bounds are then widened to include the observed score, so a reported
    interval always contains the number reported with it.

    >>> lower, upper = nps_interval(60, 15, 120)
    >>> print(f"{lower:.1f} to {upper:.1f}")
    24.2 to 48.9
    """
    z = z_value(level)
    p, d, size = _counts(promoters, detractors, n)
    centre, variance = _adjusted(p, d, size)
    half = z * np.sqrt(variance)
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = (p - d) / size
    lower = np.clip(np.minimum(centre - half, observed), -1.0, 1.0) * 100.0
    upper = np.clip(np.maximum(centre + half, observed), -1.0, 1.0) * 100.0
    undefined = ~(size > 0)
    return np.where(undefined, np.nan, lower), np.where(undefined, np.nan, upper)


def nps_change_pvalue(
    p1: npt.ArrayLike,
    d1: npt.ArrayLike,
    n1: npt.ArrayLike,
    p2: npt.ArrayLike,
    d2: npt.ArrayLike,
    n2: npt.ArrayLike,
) -> FloatArray:
    """Two-sided p-value that two independent samples (periods, teams) share one NPS.

    A z test on the difference of the adjusted scores with each sample's own multinomial variance (the
    unpooled two-sample adjusted Wald of Rocks 2016). NaN where either sample is empty.

    >>> print(f"{nps_change_pvalue(60, 15, 120, 45, 30, 120):.4f}")
    0.0097
    """
    pro1, det1, size1 = _counts(p1, d1, n1, "1")
    pro2, det2, size2 = _counts(p2, d2, n2, "2")
    score1, var1 = _adjusted(pro1, det1, size1)
    score2, var2 = _adjusted(pro2, det2, size2)
    z = (score1 - score2) / np.sqrt(var1 + var2)
    pvalue = np.asarray(2.0 * _scipy_stats.norm.sf(np.abs(z)), dtype=np.float64)
    return np.where((size1 > 0) & (size2 > 0), pvalue, np.nan)


def sample_size_for_nps(
    promoter_share: npt.ArrayLike,
    detractor_share: npt.ArrayLike,
    margin_points: npt.ArrayLike,
    level: float = 0.95,
) -> FloatArray:
    """Responses needed so that the adjusted-Wald NPS interval has half-width <= `margin_points`.

    Uses the expected shares as planning values: n = z^2 (p + d - (p - d)^2) 100^2 / margin^2 - 3, rounded
    up and at least 1. The most demanding case is half promoters, half detractors.

    >>> sample_size_for_nps([0.5, 0.3], [0.5, 0.2], 5).tolist()
    [1534.0, 750.0]
    """
    z = z_value(level)
    p = as_float("promoter_share", promoter_share)
    d = as_float("detractor_share", detractor_share)
    margin = as_float("margin_points", margin_points)
    check_fraction("promoter_share", p)
    check_fraction("detractor_share", d)
    check_fraction("promoter_share + detractor_share", p + d)
    check_positive("margin_points", margin)
    variance = p + d - (p - d) ** 2
    needed = z * z * variance * 100.0**2 / margin**2 - PSEUDO_TOTAL
    return np.maximum(np.ceil(needed - 1e-9), 1.0)
