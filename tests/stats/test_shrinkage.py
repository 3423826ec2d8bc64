"""Empirical-Bayes shrinkage: tau^2 and the mean against statsmodels' Paule-Mandel random-effects fit,
and the benefit it promises (smaller error than raw values, honest coverage) by simulation."""

from __future__ import annotations

from random import Random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.meta_analysis import combine_effects

from cxscore.errors import StatisticsError
from cxscore.stats import nps_variance, proportion_variance, shrink_estimates


@pytest.mark.parametrize("seed", range(5))
def test_between_scope_variance_and_mean_match_statsmodels_paule_mandel(seed: int) -> None:
    generator = np.random.default_rng(seed)
    k = int(generator.integers(3, 40))
    variances = generator.uniform(0.5, 30.0, k)
    values = generator.normal(40.0, generator.uniform(0.0, 8.0), k) + generator.normal(0, np.sqrt(variances))
    reference = combine_effects(values, variances, method_re="iterated")
    shrunk = shrink_estimates(values, variances)
    assert shrunk.prior_sd**2 == pytest.approx(reference.tau2, rel=1e-5, abs=1e-8)
    assert shrunk.prior_mean == pytest.approx(reference.mean_effect_re, rel=1e-7)
    weights = reference.tau2 / (reference.tau2 + variances)
    expected = reference.mean_effect_re + weights * (values - reference.mean_effect_re)
    np.testing.assert_allclose(shrunk.values, expected, rtol=1e-6, atol=1e-8)


def test_homogeneous_scopes_collapse_to_the_mean() -> None:
    # Values closer together than their noise: tau^2 = 0, every scope gets the common (fixed-effect) mean.
    values, variances = np.array([50.0, 51.0, 49.0, 50.5]), np.array([25.0, 25.0, 16.0, 36.0])
    shrunk = shrink_estimates(values, variances)
    assert shrunk.prior_sd == 0.0
    fixed_effect = combine_effects(values, variances).mean_effect_fe
    np.testing.assert_allclose(shrunk.values, fixed_effect)
    assert np.all(shrunk.lower < fixed_effect) and np.all(shrunk.upper > fixed_effect)


def test_shrinkage_beats_raw_values_and_covers_by_simulation() -> None:
    generator = np.random.default_rng(1975)
    errors_raw, errors_shrunk, covered = [], [], []
    for _ in range(200):
        n = generator.integers(5, 300, size=30)
        truth = np.clip(generator.normal(0.85, 0.05, size=30), 0.01, 0.99)
        successes = generator.binomial(n, truth)
        shrunk = shrink_estimates(successes / n, proportion_variance(successes, n), bounds=(0, 1))
        errors_raw.append(np.mean((successes / n - truth) ** 2))
        errors_shrunk.append(np.mean((shrunk.values - truth) ** 2))
        covered.append(np.mean((shrunk.lower <= truth) & (truth <= shrunk.upper)))
    assert np.mean(errors_shrunk) < 0.6 * np.mean(errors_raw)
    assert 0.92 <= np.mean(covered) <= 0.99


def test_missing_and_lonely_scopes() -> None:
    shrunk = shrink_estimates([0.9, np.nan, 0.7, 0.8], [0.01, 0.01, np.nan, 0.02])
    assert np.isnan(shrunk.values[[1, 2]]).all() and not np.isnan(shrunk.values[[0, 3]]).any()
    single = shrink_estimates([0.9], [0.01])
    assert single.values.tolist() == [0.9] and single.weights.tolist() == [1.0]
    empty = shrink_estimates([], [])
    assert empty.values.shape == (0,)
    with pytest.raises(StatisticsError, match="variances must be positive, got 0"):
        shrink_estimates([0.5, 0.6], [0.01, 0.0])


@given(
    st.lists(
        st.tuples(st.floats(-100, 100), st.floats(0.01, 400)),
        min_size=2,
        max_size=30,
    ),
    st.randoms(use_true_random=False),
)
def test_each_value_moves_towards_the_mean_and_order_does_not_matter(
    scopes: list[tuple[float, float]], shuffler: Random
) -> None:
    values, variances = (np.array(column) for column in zip(*scopes, strict=True))
    shrunk = shrink_estimates(values, variances)
    assert np.all((shrunk.weights >= 0) & (shrunk.weights <= 1))
    tolerance = 1e-7 * (1 + np.abs(values))
    assert np.all(np.abs(shrunk.values - shrunk.prior_mean) <= np.abs(values - shrunk.prior_mean) + tolerance)
    order = list(range(len(scopes)))
    shuffler.shuffle(order)
    reordered = shrink_estimates(values[order], variances[order])
    np.testing.assert_allclose(reordered.values, shrunk.values[order], rtol=1e-6, atol=1e-6)


def test_variances_for_shares_and_nps() -> None:
    # Agresti-Coull adjusted: (x + 2) / (n + 4); never 0, even for 0 of 6.
    assert float(proportion_variance(0, 6)) == pytest.approx(0.2 * 0.8 / 10)
    # Adjusted-Wald NPS variance in points^2 equals the weighted variance of the -1/0/+1 scores.
    scores = np.array([1.0, 0.0, -1.0])
    weights = np.array([60.75, 46.5, 15.75])
    mean = np.average(scores, weights=weights)
    expected = 1e4 * np.average((scores - mean) ** 2, weights=weights) / 123
    assert float(nps_variance(60, 15, 120)) == pytest.approx(expected)
    assert np.isnan(nps_variance(0, 0, 0)) and np.isnan(proportion_variance(0, 0))
