"""Posteriors of each scope's true value under a prior learned from its peers, with seeded draws.

The draws answer the questions a leaderboard asks (is this entry truly better than the next one? how
likely is it the best?) the same way for every kind of metric. They come from one seeded generator, so a
ranking is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as scipy_stats

from cxscore.rewards.priors import BetaPrior, DirichletPrior, fit_beta_binomial, fit_dirichlet_multinomial
from cxscore.stats import FloatArray, shrink_estimates
from cxscore.stats._inputs import z_value

__all__ = [
    "DRAWS",
    "MAX_CELLS",
    "Posterior",
    "beta_posterior",
    "dirichlet_posterior",
    "draws_for",
    "normal_posterior",
]

#: Posterior draws per scope: the Monte Carlo error of a probability is at most 0.5 / sqrt(DRAWS) = 0.004.
DRAWS = 16_000

#: At most this many draws in all (scopes x draws, 32 MB per array), so ranking hundreds of people stays
#: small; beyond 250 scopes each gets fewer draws (never under 2,000: Monte Carlo error at most 0.011).
MAX_CELLS = 4_000_000


def draws_for(scopes: int, draws: int = DRAWS) -> int:
    """Draws per scope for a family of `scopes`, capped by MAX_CELLS.

    >>> draws_for(50), draws_for(1_000), draws_for(100_000)
    (16000, 4000, 2000)
    """
    return int(min(draws, max(2_000, MAX_CELLS // max(scopes, 1))))


@dataclass(frozen=True)
class Posterior:
    """Posterior means, `level` credible intervals and draws (one row per scope) of a family of scopes."""

    values: FloatArray
    lower: FloatArray
    upper: FloatArray
    draws: npt.NDArray[np.float64]
    model: str
    """`beta_binomial`, `dirichlet_multinomial` or `normal` (the normal-normal model of cxscore.stats)."""
    prior: str
    """The fitted prior, for people: its mean, how much scopes truly differ, and how it was fitted."""


def beta_posterior(
    successes: npt.ArrayLike, n: npt.ArrayLike, level: float = 0.95, seed: int = 0, draws: int = DRAWS
) -> Posterior:
    """Beta(a + x, b + n - x) per scope, with Beta(a, b) fitted on all the scopes given.

    >>> post = beta_posterior([6, 96, 70, 380, 30], [6, 100, 100, 400, 50])
    >>> post.values.round(3).tolist()
    [0.917, 0.953, 0.707, 0.948, 0.624]
    """
    x, size = np.asarray(successes, dtype=np.float64), np.asarray(n, dtype=np.float64)
    prior = fit_beta_binomial(x, size)
    a, b = prior.a + x, prior.b + size - x
    tail = (1.0 - level) / 2.0
    sampled = np.random.default_rng(seed).beta(a[:, None], b[:, None], size=(x.size, draws))
    return Posterior(
        values=a / (a + b),
        lower=np.asarray(scipy_stats.beta.ppf(tail, a, b), dtype=np.float64),
        upper=np.asarray(scipy_stats.beta.ppf(1.0 - tail, a, b), dtype=np.float64),
        draws=sampled,
        model="beta_binomial",
        prior=_describe_beta(prior),
    )


def dirichlet_posterior(
    promoters: npt.ArrayLike,
    detractors: npt.ArrayLike,
    n: npt.ArrayLike,
    level: float = 0.95,
    seed: int = 0,
    draws: int = DRAWS,
) -> Posterior:
    """Dirichlet(alpha + counts) per scope over (promoters, passives, detractors); values are NPS points.

    >>> post = dirichlet_posterior([6, 50, 30], [0, 10, 20], [6, 100, 80])
    >>> post.values.round(1).tolist()
    [39.3, 37.4, 20.6]
    """
    p, d, size = (np.asarray(v, dtype=np.float64) for v in (promoters, detractors, n))
    prior = fit_dirichlet_multinomial(p, d, size)
    alpha = np.stack([p, size - p - d, d], axis=1) + np.array(prior.alpha)
    gammas = np.random.default_rng(seed).standard_gamma(alpha[:, :, None], size=(p.size, 3, draws))
    # Clipped: with tiny parameters the division can land a rounding error beyond +-100.
    sampled = np.clip(100.0 * (gammas[:, 0] - gammas[:, 2]) / gammas.sum(axis=1), -100.0, 100.0)
    tail = (1.0 - level) / 2.0
    return Posterior(
        values=100.0 * (alpha[:, 0] - alpha[:, 2]) / alpha.sum(axis=1),
        lower=np.quantile(sampled, tail, axis=1),
        upper=np.quantile(sampled, 1.0 - tail, axis=1),
        draws=sampled,
        model="dirichlet_multinomial",
        prior=_describe_dirichlet(prior),
    )


def normal_posterior(
    values: npt.ArrayLike,
    variances: npt.ArrayLike,
    level: float = 0.95,
    seed: int = 0,
    draws: int = DRAWS,
    bounds: tuple[float, float] | None = None,
) -> Posterior:
    """The normal-normal shrinkage of `cxscore.stats.shrink_estimates`, for means, retention, rates, ...
    `bounds` clips the intervals to the metric's range (e.g. a rate is never below 0).

    >>> post = normal_posterior([4.1, 5.6, 5.0], [0.04, 0.09, 0.01])
    >>> post.values.round(2).tolist()
    [4.16, 5.49, 5.0]
    """
    raw, noise = np.asarray(values, dtype=np.float64), np.asarray(variances, dtype=np.float64)
    shrunk = shrink_estimates(raw, noise, level=level)
    spread = (shrunk.upper - shrunk.lower) / (2.0 * z_value(level))  # before clipping to the bounds
    low, high = (-np.inf, np.inf) if bounds is None else bounds
    sampled = np.random.default_rng(seed).normal(shrunk.values[:, None], spread[:, None], (raw.size, draws))
    return Posterior(
        values=shrunk.values,
        lower=np.clip(shrunk.lower, low, high),
        upper=np.clip(shrunk.upper, low, high),
        draws=sampled,
        model="normal",
        prior=f"normal prior: mean {shrunk.prior_mean:.4g}, true spread (sd) {shrunk.prior_sd:.3g}, "
        "Paule-Mandel",
    )


def _describe_beta(prior: BetaPrior) -> str:
    return (
        f"Beta({prior.a:.3g}, {prior.b:.3g}) by {prior.method.replace('_', ' ')}: mean {prior.mean:.1%}, "
        f"true spread (sd) {prior.sd:.1%}"
    )


def _describe_dirichlet(prior: DirichletPrior) -> str:
    shown = ", ".join(f"{a:.3g}" for a in prior.alpha)
    return (
        f"Dirichlet({shown}) by {prior.method.replace('_', ' ')}: mean NPS {prior.mean_nps:.1f}, "
        f"true spread (sd) {prior.sd_nps:.1f} points"
    )
