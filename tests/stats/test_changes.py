"""Change tests for counts, rates and revenue retention against scipy and statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.rates import test_poisson_2indep as poisson_2indep
from statsmodels.stats.weightstats import _zstat_generic2 as z_test

from cxscore.stats import binomial_test, rate_change_pvalue, ratio_change_pvalue


def test_binomial_test_matches_scipy_binomtest() -> None:
    rng = np.random.default_rng(3)
    n = rng.integers(1, 400, size=600)
    k = rng.integers(0, n + 1)
    p = np.where(rng.random(600) < 0.2, 0.5, rng.uniform(0.01, 0.99, size=600))
    got = binomial_test(k, n, p)
    want = [scipy_stats.binomtest(int(a), int(b), float(c)).pvalue for a, b, c in zip(k, n, p, strict=True)]
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-300)


@pytest.mark.parametrize(
    ("k1", "e1", "k2", "e2"),
    [(30, 1, 15, 1), (0, 1, 4, 1), (7, 120.0, 2, 80.0), (250, 1000, 300, 1000), (4, 2, 1, 1), (1, 1, 1, 1)],
)
def test_rate_change_matches_statsmodels_exact_conditional(k1: int, e1: float, k2: int, e2: float) -> None:
    want = poisson_2indep(k1, e1, k2, e2, method="exact-cond").pvalue
    assert float(rate_change_pvalue(k1, e1, k2, e2)) == pytest.approx(want, rel=1e-10)


def test_rate_change_edges() -> None:
    both_empty, no_exposure = rate_change_pvalue([0, 3], [1, 0], [0, 2], [1, 5])
    assert both_empty == 1.0
    assert np.isnan(no_exposure)


@pytest.mark.parametrize(("r1", "se1", "r2", "se2"), [(1.08, 0.02, 1.01, 0.025), (0.9, 0.05, 0.95, 0.01)])
def test_ratio_change_is_the_two_sided_z_test(r1: float, se1: float, r2: float, se2: float) -> None:
    _, want = z_test(r1 - r2, np.hypot(se1, se2), alternative="two-sided")
    assert float(ratio_change_pvalue(r1, se1, r2, se2)) == pytest.approx(want, rel=1e-12)


def test_ratio_change_edges() -> None:
    same, different, unknown = ratio_change_pvalue([1.0, 1.0, np.nan], [0.0, 0.0, 0.1], [1.0, 0.9, 1.0], 0.0)
    assert (same, different) == (1.0, 0.0)
    assert np.isnan(unknown)
