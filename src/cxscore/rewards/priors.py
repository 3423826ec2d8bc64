"""Priors learned from the ranked population: beta-binomial for shares, Dirichlet-multinomial for NPS.

How much scopes truly differ is estimated from the data in two steps. First the method of moments,
corrected for sampling noise: the observed spread of the shares is partly binomial noise, mu (1 - mu) / n_i,
and only the excess is true difference. Then maximum likelihood of the marginal (beta-binomial or
Dirichlet-multinomial) distribution, started from the moment estimate. When the scopes differ no more than
their noise the concentration runs to its upper bound: every scope gets (nearly) the common mean.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize, special

from cxscore.errors import StatisticsError
from cxscore.stats import FloatArray

__all__ = ["BetaPrior", "DirichletPrior", "fit_beta_binomial", "fit_dirichlet_multinomial"]

#: Bounds of the prior's concentration (a + b, or the sum of the alphas): from nearly flat to total pooling.
MIN_CONCENTRATION, MAX_CONCENTRATION = 0.05, 1e6

#: No parameter of a prior goes below Jeffreys' 0.5: when every scope has 0 successes the likelihood would
#: push a to 0, a prior so skewed that a posterior mean falls outside its own interval.
MIN_PARAMETER = 0.5


@dataclass(frozen=True)
class BetaPrior:
    """Beta(a, b): how true shares are spread over the scopes of one ranking."""

    a: float
    b: float
    method: str
    """`maximum_likelihood`, `moments` (the likelihood could not beat them) or `uniform` (< 2 scopes)."""

    @property
    def mean(self) -> float:
        return self.a / (self.a + self.b)

    @property
    def sd(self) -> float:
        total = self.a + self.b
        return float(np.sqrt(self.a * self.b / (total**2 * (total + 1.0))))


@dataclass(frozen=True)
class DirichletPrior:
    """Dirichlet(promoters, passives, detractors): how true NPS answer mixes are spread over the scopes."""

    alpha: tuple[float, float, float]
    method: str

    @property
    def mean_nps(self) -> float:
        promoters, _, detractors = self.alpha
        return 100.0 * (promoters - detractors) / sum(self.alpha)

    @property
    def sd_nps(self) -> float:
        """Standard deviation of the true NPS between scopes, in points."""
        total = sum(self.alpha)
        p, d = self.alpha[0] / total, self.alpha[2] / total
        return float(100.0 * np.sqrt((p + d - (p - d) ** 2) / (total + 1.0)))


def fit_beta_binomial(successes: npt.ArrayLike, n: npt.ArrayLike) -> BetaPrior:
    """Fit Beta(a, b) to per-scope successes out of n: moments corrected for noise, then maximum likelihood.

    >>> prior = fit_beta_binomial([45, 30, 18, 88, 9], [50, 40, 30, 100, 10])
    >>> round(prior.mean, 3), prior.method
    (0.805, 'maximum_likelihood')
    """
    x, size = _counts(successes, n)
    if x.size < 2:
        return BetaPrior(1.0, 1.0, "uniform")
    mean, concentration = _beta_moments(x, size)
    start = _log_parameters(np.array([mean, 1.0 - mean]) * concentration)

    def negative_loglik(log_ab: FloatArray) -> float:
        a, b = np.exp(log_ab)
        return -float(np.sum(special.betaln(x + a, size - x + b) - special.betaln(a, b)))

    # A moment estimate at the pooling bound sits on a flat likelihood; a second, moderate start finds
    # the maximum when it is inside.
    fitted = _best_fit(negative_loglik, (start, _log_parameters(np.array([mean, 1.0 - mean]) * 10.0)))
    chosen, method = (
        (fitted.x, "maximum_likelihood") if fitted.fun <= negative_loglik(start) else (start, "moments")
    )
    a, b = np.exp(chosen)
    return BetaPrior(float(a), float(b), method)


def fit_dirichlet_multinomial(
    promoters: npt.ArrayLike, detractors: npt.ArrayLike, n: npt.ArrayLike
) -> DirichletPrior:
    """Fit a Dirichlet over (promoters, passives, detractors) shares: noise-corrected moments, then maximum
    likelihood of the Dirichlet-multinomial.

    >>> prior = fit_dirichlet_multinomial([50, 30, 12, 60], [10, 20, 8, 10], [100, 80, 30, 100])
    >>> round(prior.mean_nps, 1), prior.method
    (31.8, 'maximum_likelihood')
    """
    p, size = _counts(promoters, n)
    d, _ = _counts(detractors, n)
    if np.any(p + d > size):
        raise StatisticsError("promoters + detractors is larger than n. Check the NPS counts of the scopes.")
    counts = np.stack([p, size - p - d, d], axis=1)
    if counts.shape[0] < 2:
        return DirichletPrior((1.0, 1.0, 1.0), "uniform")
    shares, concentration = _dirichlet_moments(counts)
    shares = np.maximum(shares, 1e-4)
    start = _log_parameters(shares * concentration)

    def negative_loglik(log_alpha: FloatArray) -> float:
        alpha = np.exp(log_alpha)
        total = alpha.sum()
        per_scope = special.gammaln(total) - special.gammaln(size + total)
        per_scope += np.sum(special.gammaln(counts + alpha) - special.gammaln(alpha), axis=1)
        return -float(np.sum(per_scope))

    fitted = _best_fit(negative_loglik, (start, _log_parameters(shares * 10.0)))
    chosen, method = (
        (fitted.x, "maximum_likelihood") if fitted.fun <= negative_loglik(start) else (start, "moments")
    )
    alpha = np.exp(chosen)
    return DirichletPrior((float(alpha[0]), float(alpha[1]), float(alpha[2])), method)


def _counts(part: npt.ArrayLike, n: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Counts of the scopes with at least one answer; refuse negative counts and parts above the whole."""
    x, size = np.asarray(part, dtype=np.float64).reshape(-1), np.asarray(n, dtype=np.float64).reshape(-1)
    if x.shape != size.shape:
        raise StatisticsError(f"Got {x.size} counts for {size.size} sample sizes; give one per scope.")
    if np.any(x < 0) or np.any(x > size):
        raise StatisticsError("Counts must be between 0 and n. Check the successes and n of the scopes.")
    keep = size > 0
    return x[keep], size[keep]


def _noise_corrected_correlation(shares: FloatArray, size: FloatArray, mean: FloatArray) -> float:
    """The intra-scope correlation rho = 1 / (concentration + 1) by moments (Kleinman 1973).

    Each scope's squared deviation from the pooled share is weighted by its n:
    E sum_i n_i (p_ik - mu_k)^2 = mu_k (1 - mu_k) ((k - 1) + rho (N - sum n_i^2 / N)), with k scopes and N
    answers in all: the first term is binomial noise, the second true difference. Summed over the
    categories (one for a share, three for NPS) and solved for rho, clipped to the concentration bounds.
    `shares` is one row per scope (one column per category, or a vector), `size` one n per scope.
    """
    weighted = shares - mean
    weighted = weighted * (size if weighted.ndim == 1 else size[:, None])
    spread = float(np.sum(weighted * (shares - mean)))
    binomial = float(np.sum(mean * (1.0 - mean)))
    total = float(size.sum())
    between = total - float(np.sum(size**2)) / total
    if binomial <= 0.0 or between <= 0.0:
        return 1.0 / (MAX_CONCENTRATION + 1.0)
    rho = (spread / binomial - (size.size - 1)) / between
    return float(np.clip(rho, 1.0 / (MAX_CONCENTRATION + 1.0), 1.0 / (MIN_CONCENTRATION + 1.0)))


def _beta_moments(x: FloatArray, size: FloatArray) -> tuple[float, float]:
    """(mean, concentration a + b) by noise-corrected moments; the mean kept off 0 and 1."""
    mean = float(np.clip(x.sum() / size.sum(), 1e-4, 1.0 - 1e-4))
    rho = _noise_corrected_correlation(x / size, size, np.array(mean))
    return mean, 1.0 / rho - 1.0


def _dirichlet_moments(counts: FloatArray) -> tuple[FloatArray, float]:
    size = counts.sum(axis=1)
    mean = np.clip(counts.sum(axis=0) / size.sum(), 1e-4, 1.0)
    shares = counts / size[:, None]
    rho = _noise_corrected_correlation(shares, size, mean)
    return mean / mean.sum(), 1.0 / rho - 1.0


def _log_parameters(parameters: FloatArray) -> FloatArray:
    """Log of prior parameters kept within [MIN_PARAMETER, MAX_CONCENTRATION]."""
    return np.log(np.clip(parameters, MIN_PARAMETER, MAX_CONCENTRATION))


def _best_fit(negative_loglik: Callable[[FloatArray], float], starts: tuple[FloatArray, ...]) -> Any:
    """The best of L-BFGS-B runs from each start, on log parameters within the bounds."""
    bounds = [(float(np.log(MIN_PARAMETER)), float(np.log(MAX_CONCENTRATION)))] * len(starts[0])
    runs = [optimize.minimize(negative_loglik, s, method="L-BFGS-B", bounds=bounds) for s in starts]
    return min(runs, key=lambda result: float(result.fun))
