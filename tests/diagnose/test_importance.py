"""Shapley values of R2 and relative weights, checked against independent computations with statsmodels."""

from __future__ import annotations

import warnings
from itertools import combinations
from math import factorial

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.tools.sm_exceptions import SingularMatrixWarning

from cxscore.diagnose.importance import correlation, r_squared, relative_weights, shapley_r2, subset_r2


def _simulated(seed: int, n: int = 400) -> tuple[np.ndarray, list[list[int]]]:
    """Columns: x0, x1 (correlated), a 3-level categorical as 2 dummies, x4; outcome last."""
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=n)
    x1 = 0.6 * x0 + rng.normal(size=n)
    level = rng.integers(0, 3, n)
    d1, d2 = (level == 1).astype(float), (level == 2).astype(float)
    x4 = rng.exponential(size=n)
    y = 0.5 * x0 + 0.2 * x1 - 0.8 * d2 + 0.3 * d1 + 0.1 * x4 + rng.normal(size=n)
    return np.column_stack([x0, x1, d1, d2, x4, y]), [[0], [1], [2, 3], [4]]


def _ols_r2(data: np.ndarray, columns: list[int]) -> float:
    if not columns:
        return 0.0
    return float(sm.OLS(data[:, -1], sm.add_constant(data[:, columns])).fit().rsquared)


def _brute_force_shapley(data: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """Shapley values from statsmodels R2 of every subset, by the textbook formula."""
    k = len(groups)
    r2 = {}
    for size in range(k + 1):
        for subset in combinations(range(k), size):
            r2[subset] = _ols_r2(data, [c for j in subset for c in groups[j]])
    values = np.zeros(k)
    for j in range(k):
        others = [i for i in range(k) if i != j]
        for size in range(k):
            for subset in combinations(others, size):
                weight = factorial(size) * factorial(k - size - 1) / factorial(k)
                values[j] += weight * (r2[tuple(sorted((*subset, j)))] - r2[subset])
    return values


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_shapley_matches_brute_force_statsmodels(seed: int) -> None:
    data, groups = _simulated(seed)
    corr = correlation(np.cov(data, rowvar=False))
    expected = _brute_force_shapley(data, groups)
    np.testing.assert_allclose(shapley_r2(corr, groups), expected, atol=1e-7)
    assert shapley_r2(corr, groups).sum() == pytest.approx(_ols_r2(data, [0, 1, 2, 3, 4]), abs=1e-7)


def test_subset_r2_matches_statsmodels_with_collinear_columns() -> None:
    data, _ = _simulated(4)
    # A column that is the sum of two others (a product and its versions): exactly collinear.
    data = np.column_stack([data[:, :4], data[:, 2] + data[:, 3], data[:, 4:]])
    groups = [[0], [1], [2, 3], [4], [5]]
    corr = correlation(np.cov(data, rowvar=False))
    values = subset_r2(corr, groups)
    for mask in range(1, 1 << len(groups)):
        columns = [c for j, g in enumerate(groups) if mask >> j & 1 for c in g]
        with warnings.catch_warnings():  # statsmodels warns of the collinearity we built on purpose
            warnings.simplefilter("ignore", SingularMatrixWarning)
            expected = _ols_r2(data, columns)
        assert values[mask] == pytest.approx(expected, abs=1e-6)


def _johnson_by_regressions(data: np.ndarray) -> np.ndarray:
    """Johnson (2000) as first described: orthogonal counterparts Z from the SVD, then two regressions."""
    x = data[:, :-1]
    z_x = (x - x.mean(0)) / x.std(0, ddof=1)
    y = data[:, -1]
    z_y = (y - y.mean()) / y.std(ddof=1)
    p, _, qt = np.linalg.svd(z_x, full_matrices=False)
    z = p @ qt * np.sqrt(len(y) - 1)  # standardised orthogonal approximations of the columns
    beta = sm.OLS(z_y, z).fit().params  # outcome on Z
    lam = np.array([sm.OLS(z_x[:, j], z).fit().params for j in range(x.shape[1])])  # each column on Z
    return (lam**2) @ (beta**2)


@pytest.mark.parametrize("seed", [5, 6])
def test_relative_weights_match_johnsons_regressions(seed: int) -> None:
    data, groups = _simulated(seed)
    corr = correlation(np.cov(data, rowvar=False))
    raw = _johnson_by_regressions(data)
    expected = np.array([raw[g].sum() for g in groups])
    np.testing.assert_allclose(relative_weights(corr, groups), expected, atol=1e-8)
    assert expected.sum() == pytest.approx(_ols_r2(data, [0, 1, 2, 3, 4]), abs=1e-8)


def test_uncorrelated_drivers_get_their_squared_correlations() -> None:
    corr = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])
    np.testing.assert_allclose(shapley_r2(corr, [[0], [1]]), [0.36, 0.09])
    assert r_squared(corr, [0, 1]) == pytest.approx(0.45)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 6))
def test_shares_are_nonnegative_and_sum_to_r2(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(120, k)) @ rng.normal(size=(k, k))
    y = x @ rng.normal(size=k) + rng.normal(size=120) * 2
    data = np.column_stack([x, y])
    corr = correlation(np.cov(data, rowvar=False))
    groups = [[j] for j in range(k)]
    shapley = shapley_r2(corr, groups)
    full = r_squared(corr, list(range(k)))
    assert shapley.sum() == pytest.approx(full, abs=1e-7)
    assert relative_weights(corr, groups).sum() == pytest.approx(full, abs=1e-7)
    assert (relative_weights(corr, groups) >= -1e-12).all()
