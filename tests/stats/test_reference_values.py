"""Every closed-form statistic against an independent reference: statsmodels, scipy, or a published table.

None of these expected values comes from cxscore itself.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest
from statsmodels.stats.rates import confint_poisson

from cxscore.stats import (
    mean_change_pvalue,
    mean_interval,
    proportion_change_pvalue,
    proportion_difference_interval,
    rate_interval,
    ratio_interval,
    sample_size_for_proportion,
    wilson_interval,
)

SUCCESSES = np.array([0, 1, 2, 5, 17, 50, 99, 100, 3, 0, 7, 1234])
TRIALS = np.array([10, 10, 3, 5, 40, 100, 100, 100, 1000, 1, 7, 5000])
LEVELS = [0.8, 0.9, 0.95, 0.99]


@pytest.mark.parametrize("level", LEVELS)
def test_wilson_matches_statsmodels(level: float) -> None:
    lower, upper = wilson_interval(SUCCESSES, TRIALS, level)
    ref_lower, ref_upper = proportion_confint(SUCCESSES, TRIALS, alpha=1 - level, method="wilson")
    np.testing.assert_allclose(lower, ref_lower, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(upper, ref_upper, rtol=1e-10, atol=1e-12)


def test_wilson_textbook_example() -> None:
    # Agresti & Coull (1998), section 2: 0 successes in 10 trials; 95% score interval [0, 0.2775].
    lower, upper = wilson_interval(0, 10)
    assert float(lower) == 0.0
    assert float(upper) == pytest.approx(0.2775, abs=5e-5)


@pytest.mark.parametrize("level", LEVELS)
def test_t_interval_matches_scipy(level: float) -> None:
    means = np.array([4.2, -1.0, 0.0, 77.5])
    sds = np.array([1.1, 2.5, 0.3, 30.0])
    sizes = np.array([2, 15, 40, 1000])
    lower, upper = mean_interval(means, sds, sizes, level)
    ref_lower, ref_upper = scipy_stats.t.interval(level, sizes - 1, loc=means, scale=sds / np.sqrt(sizes))
    np.testing.assert_allclose(lower, ref_lower, rtol=1e-12)
    np.testing.assert_allclose(upper, ref_upper, rtol=1e-12)


def test_t_interval_without_spread_is_the_mean_itself() -> None:
    lower, upper = mean_interval(4.0, 0.0, 12)
    assert (float(lower), float(upper)) == (4.0, 4.0)


@pytest.mark.parametrize("level", LEVELS)
def test_exact_poisson_matches_statsmodels_and_garwood(level: float) -> None:
    events = np.array([0, 1, 2, 3, 10, 57, 400])
    exposure = np.array([1.0, 12.0, 100.0, 100.0, 3.5, 1000.0, 20.0])
    lower, upper = rate_interval(events, exposure, level)
    ref_lower, ref_upper = confint_poisson(events, exposure, method="exact-c", alpha=1 - level)
    np.testing.assert_allclose(lower, ref_lower, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(upper, ref_upper, rtol=1e-9)
    # Garwood (1936) through the gamma distribution, written independently of the chi-square form.
    alpha = 1 - level
    garwood_lower = np.where(events == 0, 0.0, scipy_stats.gamma.ppf(alpha / 2, np.maximum(events, 1)))
    garwood_upper = scipy_stats.gamma.ppf(1 - alpha / 2, events + 1)
    np.testing.assert_allclose(lower, garwood_lower / exposure, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(upper, garwood_upper / exposure, rtol=1e-9)


def test_exact_poisson_published_table() -> None:
    # Garwood's 95% limits for small counts, as tabulated in e.g. Ulm (1990): 0 -> (0, 3.689),
    # 1 -> (0.0253, 5.572), 5 -> (1.623, 11.668), 10 -> (4.795, 18.390).
    lower, upper = rate_interval([0, 1, 5, 10], 1)
    np.testing.assert_allclose(lower, [0.0, 0.0253, 1.623, 4.795], atol=5e-4)
    np.testing.assert_allclose(upper, [3.689, 5.572, 11.668, 18.390], atol=5e-4)


def test_ratio_is_wilson_for_subsets_and_poisson_otherwise() -> None:
    numerator = np.array([3, 40, 150, 7])
    denominator = np.array([10, 40, 100, 2])
    lower, upper = ratio_interval(numerator, denominator)
    wilson_lower, wilson_upper = proportion_confint(numerator[:2], denominator[:2], method="wilson")
    rate_lower, rate_upper = confint_poisson(numerator[2:], denominator[2:], method="exact-c")
    np.testing.assert_allclose(lower, np.concatenate([wilson_lower, rate_lower]), rtol=1e-9)
    np.testing.assert_allclose(upper, np.concatenate([wilson_upper, rate_upper]), rtol=1e-9)


def test_two_proportions_match_statsmodels() -> None:
    cases = [(73, 85, 43, 82), (5, 20, 9, 22), (300, 1000, 330, 1000), (1, 3, 0, 4), (10, 10, 9, 10)]
    for x1, n1, x2, n2 in cases:
        _, expected = proportions_ztest([x1, x2], [n1, n2])
        assert float(proportion_change_pvalue(x1, n1, x2, n2)) == pytest.approx(expected, rel=1e-10)
    x1, n1, x2, n2 = (np.array(column) for column in zip(*cases, strict=True))
    vectorised = proportion_change_pvalue(x1, n1, x2, n2)
    assert vectorised.shape == (len(cases),)


def test_two_proportions_published_example() -> None:
    # Lane, HyperStat Online, "Differences between two proportions": 73/85 vs 43/82 gives z = 4.69.
    z = scipy_stats.norm.isf(float(proportion_change_pvalue(73, 85, 43, 82)) / 2)
    assert z == pytest.approx(4.69, abs=0.005)


def test_welch_matches_scipy() -> None:
    cases = [
        (5.2, 1.1, 40, 4.7, 1.6, 35),
        (0.0, 1.0, 2, 3.0, 10.0, 3),
        (100.0, 15.0, 500, 101.0, 25.0, 20),
        (3.3, 0.0, 12, 3.1, 0.4, 9),
    ]
    for m1, s1, n1, m2, s2, n2 in cases:
        expected = scipy_stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False).pvalue
        assert float(mean_change_pvalue(m1, s1, n1, m2, s2, n2)) == pytest.approx(expected, rel=1e-10)


def test_welch_published_example() -> None:
    # Welch-Satterthwaite worked example from NIST/SEMATECH e-Handbook 7.3.1 (AUTO83B.DAT, US vs Japanese
    # cars, mpg): n=249, mean 20.14458, sd 6.41470 vs n=79, mean 30.48101, sd 6.10771; T = -12.94627.
    p = float(mean_change_pvalue(20.14458, 6.41470, 249, 30.48101, 6.10771, 79))
    v1, v2 = 6.41470**2 / 249, 6.10771**2 / 79
    df = (v1 + v2) ** 2 / (v1**2 / 248 + v2**2 / 78)
    assert scipy_stats.t.isf(p / 2, df) == pytest.approx(12.94627, abs=1e-4)


@pytest.mark.parametrize("p", [0.0, 0.02, 0.1, 0.3, 0.5, 0.77, 0.99, 1.0])
@pytest.mark.parametrize("margin", [0.01, 0.03, 0.1])
def test_sample_size_for_proportion_is_the_smallest_that_reaches_the_margin(p: float, margin: float) -> None:
    n = int(sample_size_for_proportion(p, margin))

    def half_width(size: int) -> float:
        low, high = proportion_confint(p * size, size, method="wilson")
        return float(high - low) / 2

    assert half_width(n) <= margin * (1 + 1e-9)
    assert n == 1 or half_width(n - 1) > margin


def test_sample_size_for_proportion_near_the_classic_rule() -> None:
    # The classic 385 for +-5 points at 50% is the Wald rule; Wilson needs z^2 = 3.84 fewer.
    assert float(sample_size_for_proportion(0.5, 0.05)) == 381


@pytest.mark.parametrize("level", LEVELS)
def test_difference_interval_matches_statsmodels_agresti_caffo(level: float) -> None:
    x1, n1 = np.array([73, 0, 5, 9, 300]), np.array([85, 5, 20, 9, 1000])
    x2, n2 = np.array([43, 5, 9, 0, 330]), np.array([82, 5, 22, 12, 1000])
    lower, upper = proportion_difference_interval(x1, n1, x2, n2, level)
    ref_lower, ref_upper = confint_proportions_2indep(
        x1, n1, x2, n2, method="agresti-caffo", compare="diff", alpha=1 - level
    )
    np.testing.assert_allclose(lower, np.clip(ref_lower, -1, 1), rtol=1e-10)
    np.testing.assert_allclose(upper, np.clip(ref_upper, -1, 1), rtol=1e-10)
