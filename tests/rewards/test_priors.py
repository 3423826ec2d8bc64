"""The priors against independent references: maximum likelihood written here with scipy.stats."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, optimize
from scipy import stats as scipy_stats

from cxscore.rewards.posterior import beta_posterior, dirichlet_posterior
from cxscore.rewards.priors import fit_beta_binomial, fit_dirichlet_multinomial


def _simulated_shares(seed: int, scopes: int = 40) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = rng.integers(5, 300, scopes)
    return rng.binomial(n, rng.beta(16.0, 4.0, scopes)), n


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_beta_binomial_is_the_scipy_maximum_likelihood(seed: int) -> None:
    x, n = _simulated_shares(seed)

    def negative_loglik(log_ab: np.ndarray) -> float:
        return -float(np.sum(scipy_stats.betabinom.logpmf(x, n, *np.exp(log_ab))))

    reference = optimize.minimize(negative_loglik, [0.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-8})
    a, b = np.exp(reference.x)
    prior = fit_beta_binomial(x, n)
    assert prior.method == "maximum_likelihood"
    assert prior.a == pytest.approx(a, rel=1e-3)
    assert prior.b == pytest.approx(b, rel=1e-3)


@pytest.mark.parametrize("seed", [4, 5])
def test_dirichlet_multinomial_is_the_scipy_maximum_likelihood(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = rng.integers(10, 200, 30)
    counts = np.array([rng.multinomial(k, rng.dirichlet([8.0, 5.0, 3.0])) for k in n])

    def negative_loglik(log_alpha: np.ndarray) -> float:
        alpha = np.exp(log_alpha)
        return -float(sum(scipy_stats.dirichlet_multinomial.logpmf(c, alpha, c.sum()) for c in counts))

    reference = optimize.minimize(
        negative_loglik, [0.0, 0.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-8}
    )
    prior = fit_dirichlet_multinomial(counts[:, 0], counts[:, 2], n)
    assert prior.method == "maximum_likelihood"
    assert np.array(prior.alpha) == pytest.approx(np.exp(reference.x), rel=2e-3)


def test_moments_recover_a_known_spread_before_the_likelihood_refines_it() -> None:
    # Many scopes with a known Beta(30, 10): the fit finds the mean and the true spread, not the noisy one.
    rng = np.random.default_rng(11)
    n = rng.integers(20, 200, 2000)
    x = rng.binomial(n, rng.beta(30.0, 10.0, n.size))
    prior = fit_beta_binomial(x, n)
    assert prior.mean == pytest.approx(0.75, abs=0.01)
    assert prior.sd == pytest.approx(float(scipy_stats.beta.std(30.0, 10.0)), rel=0.1)
    raw_sd = float(np.std(x / n))
    assert raw_sd > prior.sd * 1.2  # the raw spread includes the sampling noise


def test_scopes_that_differ_only_by_noise_are_pooled() -> None:
    rng = np.random.default_rng(3)
    n = rng.integers(20, 100, 30)
    x = rng.binomial(n, 0.8)
    post = beta_posterior(x, n)
    assert fit_beta_binomial(x, n).sd < 0.03 < float(np.std(x / n))
    assert np.ptp(post.values) < 0.4 * np.ptp(x / n)


def test_beta_posterior_is_conjugate_and_its_draws_match_exact_integration() -> None:
    x, n = np.array([18, 30, 9, 12]), np.array([20, 50, 10, 30])
    post = beta_posterior(x, n)
    prior = fit_beta_binomial(x, n)
    a, b = prior.a + x, prior.b + n - x
    assert post.values == pytest.approx(a / (a + b))
    assert post.lower == pytest.approx(scipy_stats.beta.ppf(0.025, a, b))
    # P(scope 0 truly beats scope 1) = integral of f0(t) F1(t) dt.
    assert a[0] + b[0] < 100  # a real spread between the scopes, so the question is not trivial

    def integrand(t: float) -> float:
        return float(scipy_stats.beta.pdf(t, a[0], b[0]) * scipy_stats.beta.cdf(t, a[1], b[1]))

    exact, _ = integrate.quad(integrand, 0, 1, limit=200)
    assert 0.6 < exact < 0.999
    assert float(np.mean(post.draws[0] > post.draws[1])) == pytest.approx(exact, abs=0.015)


def test_dirichlet_posterior_mean_and_draws() -> None:
    promoters, detractors, n = np.array([60, 20]), np.array([10, 15]), np.array([100, 50])
    post = dirichlet_posterior(promoters, detractors, n)
    alpha = np.array(fit_dirichlet_multinomial(promoters, detractors, n).alpha)
    counts = np.stack([promoters, n - promoters - detractors, detractors], axis=1) + alpha
    assert post.values == pytest.approx(100 * (counts[:, 0] - counts[:, 2]) / counts.sum(axis=1))
    assert post.draws.mean(axis=1) == pytest.approx(post.values, abs=0.5)
    assert np.all((post.lower < post.values) & (post.values < post.upper))


def test_fewer_than_two_scopes_get_a_uniform_prior() -> None:
    assert fit_beta_binomial([3], [4]).method == "uniform"
    assert fit_dirichlet_multinomial([3], [1], [5]).method == "uniform"


def test_the_likelihood_leaves_the_pooling_bound_when_moments_end_there() -> None:
    # CSAT of the demo's leaf teams in 2025: tiny teams make the moment estimate pool everything, but
    # the likelihood has its maximum inside (scipy's Nelder-Mead from three starts: a = 86.59, b = 22.63).
    x = np.array([2, 15, 15, 31, 182, 7, 13, 2, 8, 149, 278, 63, 223, 8])
    n = np.array([2, 16, 18, 40, 232, 8, 16, 2, 10, 169, 364, 90, 285, 12])

    def negative_loglik(log_ab: np.ndarray) -> float:
        return -float(np.sum(scipy_stats.betabinom.logpmf(x, n, *np.exp(log_ab))))

    reference = min(
        (optimize.minimize(negative_loglik, s, method="Nelder-Mead") for s in ([1, 0], [3, 1], [13, 12])),
        key=lambda r: r.fun,
    )
    prior = fit_beta_binomial(x, n)
    assert (prior.a, prior.b) == pytest.approx(tuple(np.exp(reference.x)), rel=1e-3)
