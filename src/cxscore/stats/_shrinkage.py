"""Empirical-Bayes shrinkage: fair per-scope estimates for rankings, awards and coaching lists.

An agent with 6 surveys and a CSAT of 100% is not better than one with 400 surveys and 96%: small samples
produce the extreme values, so a raw ranking rewards luck. Shrinkage pulls each scope's estimate towards
the common mean by as much as its own sampling noise warrants (the normal-normal model of Efron & Morris
1975). How far scopes truly differ (the between-scope variance tau^2) is estimated from the data with the
Paule & Mandel (1982) estimator, recommended over DerSimonian-Laird by Veroniki et al. (2016).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize as _scipy_optimize

from cxscore.errors import StatisticsError
from cxscore.stats._inputs import FloatArray, as_count, as_float, check_not_above, z_value
from cxscore.stats._nps import PSEUDO_DETRACTORS, PSEUDO_PROMOTERS, PSEUDO_TOTAL


@dataclass(frozen=True)
class Shrunk:
    """Shrunken estimates of a family of scopes, in the order given; NaN where a scope had no estimate."""

    values: FloatArray
    """Posterior means: prior_mean + weights * (raw - prior_mean)."""
    lower: FloatArray
    upper: FloatArray
    weights: FloatArray
    """Weight of each scope's own data, tau^2 / (tau^2 + variance): 1 keeps the raw value, 0 the mean."""
    prior_mean: float
    prior_sd: float
    """tau: how much the scopes' true values differ from each other."""


def shrink_estimates(
    values: npt.ArrayLike,
    variances: npt.ArrayLike,
    level: float = 0.95,
    bounds: tuple[float, float] | None = None,
) -> Shrunk:
    """Shrink per-scope estimates with known sampling variances towards their precision-weighted mean.

    Intervals include the uncertainty of the estimated mean: the posterior variance is
    w v + (1 - w)^2 Var(mean). With fewer than two scopes there is nothing to learn tau^2 from, and the
    raw values come back unchanged. `bounds` clips the intervals to a metric's range, e.g. (0, 1) for a
    share or (-100, 100) for an NPS.

    >>> shrunk = shrink_estimates([0.95, 0.80, 0.60, 0.85], [0.0100, 0.0010, 0.0040, 0.0005], bounds=(0, 1))
    >>> shrunk.values.round(3).tolist(), round(shrunk.prior_mean, 3), shrunk.upper.round(3).tolist()
    ([0.89, 0.8, 0.639, 0.848], 0.794, [1.0, 0.86, 0.753, 0.892])
    """
    z = z_value(level)
    raw = as_float("values", values).reshape(-1)
    noise = as_float("variances", variances).reshape(-1)
    raw, noise = np.broadcast_arrays(raw, noise)
    if np.any(noise <= 0):
        raise StatisticsError(
            f"variances must be positive, got {float(noise[noise <= 0][0]):g}. A 0 variance claims an exact "
            "value; for shares and NPS use proportion_variance or nps_variance, which never give 0."
        )
    usable = ~(np.isnan(raw) | np.isnan(noise))
    tau2, mean, mean_variance = _fit(raw[usable], noise[usable])
    weights = np.where(usable, tau2 / (tau2 + noise) if np.isfinite(tau2) else 1.0, np.nan)
    centre = mean + weights * (raw - mean) if np.isfinite(tau2) else raw.copy()
    spread = np.sqrt(weights * noise + (1.0 - weights) ** 2 * mean_variance)
    low, high = (-np.inf, np.inf) if bounds is None else bounds
    return Shrunk(
        values=np.where(usable, centre, np.nan),
        lower=np.where(usable, np.clip(centre - z * spread, low, high), np.nan),
        upper=np.where(usable, np.clip(centre + z * spread, low, high), np.nan),
        weights=weights,
        prior_mean=mean,
        prior_sd=float(np.sqrt(tau2)),
    )


def _fit(raw: FloatArray, noise: FloatArray) -> tuple[float, float, float]:
    """(tau^2, weighted mean, variance of that mean); tau^2 is infinite when it cannot be estimated."""
    if raw.size < 2:
        return np.inf, float(raw[0]) if raw.size else np.nan, 0.0

    def excess(tau2: float) -> float:
        # Paule-Mandel: the generalised Q statistic equals its expectation, k - 1.
        w = 1.0 / (noise + tau2)
        mean = float(np.sum(w * raw) / np.sum(w))
        return float(np.sum(w * (raw - mean) ** 2)) - (raw.size - 1)

    if excess(0.0) <= 0.0:
        tau2 = 0.0
    else:
        upper = float(np.var(raw)) * 2.0 + float(np.max(noise))
        while excess(upper) > 0.0:
            upper *= 2.0
        tau2 = float(_scipy_optimize.brentq(excess, 0.0, upper, xtol=1e-14, rtol=1e-12))
    w = 1.0 / (noise + tau2)
    return tau2, float(np.sum(w * raw) / np.sum(w)), float(1.0 / np.sum(w))


def proportion_variance(successes: npt.ArrayLike, n: npt.ArrayLike) -> FloatArray:
    """Sampling variance of a share for shrinkage weights, adjusted like Agresti & Coull (2 successes and 2
    failures added) so that 0 of 6 or 6 of 6 do not claim a variance of 0. NaN where n == 0.

    >>> proportion_variance([6, 0], [6, 0]).round(5).tolist()
    [0.016, nan]
    """
    x, size = as_count("successes", successes), as_count("n", n)
    check_not_above("successes", x, "n", size)
    share = (x + 2.0) / (size + 4.0)
    return np.where(size > 0, share * (1.0 - share) / (size + 4.0), np.nan)


def nps_variance(promoters: npt.ArrayLike, detractors: npt.ArrayLike, n: npt.ArrayLike) -> FloatArray:
    """Sampling variance of an NPS in points^2, with the adjusted-Wald pseudo-observations; NaN where n == 0.

    >>> round(float(nps_variance(60, 15, 120)), 2)
    39.68
    """
    p, d, size = as_count("promoters", promoters), as_count("detractors", detractors), as_count("n", n)
    check_not_above("promoters + detractors", p + d, "n", size)
    total = size + PSEUDO_TOTAL
    pro, det = (p + PSEUDO_PROMOTERS) / total, (d + PSEUDO_DETRACTORS) / total
    return np.where(size > 0, 1e4 * (pro + det - (pro - det) ** 2) / total, np.nan)
