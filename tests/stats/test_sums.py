"""The interval of a total of non-negative amounts (ARR booked): the gamma method for weighted Poisson sums.

References: with equal amounts it must be Garwood's exact Poisson interval times the amount (statsmodels);
with any amounts, the gamma quantiles of Fay and Feuer (1997) with the Tiwari, Clegg and Zou (2006) upper
bound, computed here from the raw amounts with scipy; and it must never go below zero, which the Student
t interval times n it replaces did for new-business ARR on small teams.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats
from statsmodels.stats.rates import confint_poisson

from cxscore.stats import sum_interval

LEVELS = [0.8, 0.9, 0.95, 0.99]


def _statistics(amounts: list[float]) -> tuple[float, float, int]:
    values = np.asarray(amounts, dtype="float64")
    return float(values.sum()), float((values * values).sum()), len(values)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("count", [1, 2, 5, 17, 100, 2500])
def test_equal_amounts_give_garwood_times_the_amount(count: int, level: float) -> None:
    amount = 12_500.0
    lower, upper = sum_interval(count * amount, count * amount**2, count, level)
    ref_lower, ref_upper = confint_poisson(count, 1.0, method="exact-c", alpha=1 - level)
    assert float(lower) == pytest.approx(ref_lower * amount, rel=1e-9)
    assert float(upper) == pytest.approx(ref_upper * amount, rel=1e-9)


AMOUNTS = [
    [48_000.0],
    [5_200.0, 310_000.0],
    [3_100.0, 4_000.0, 9_800.0, 22_000.0, 410_000.0],  # 5 deals, one large: the t interval goes negative
    [1.0, 2.0, 0.0, 7.5, 7.5, 100.0, 0.25],
    list(np.random.default_rng(3).lognormal(10, 1.2, 60)),
]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("amounts", AMOUNTS, ids=lambda a: f"n={len(a)}")
def test_gamma_bounds_from_the_raw_amounts(amounts: list[float], level: float) -> None:
    w = np.asarray(amounts)
    alpha = 1 - level
    mean, variance = w.sum(), (w * w).sum()
    ref_lower = scipy_stats.gamma(mean**2 / variance, scale=variance / mean).ppf(alpha / 2)
    mean_up, variance_up = mean + w.mean(), variance + (w * w).mean()
    ref_upper = scipy_stats.gamma(mean_up**2 / variance_up, scale=variance_up / mean_up).ppf(1 - alpha / 2)
    lower, upper = sum_interval(*_statistics(amounts), level)
    assert float(lower) == pytest.approx(ref_lower, rel=1e-9)
    assert float(upper) == pytest.approx(ref_upper, rel=1e-9)


def test_five_deals_on_a_small_team_no_longer_give_a_negative_lower_bound() -> None:
    amounts = np.array(AMOUNTS[2])
    n = len(amounts)
    t_lower, _ = scipy_stats.t.interval(
        0.95, n - 1, loc=amounts.mean(), scale=amounts.std(ddof=1) / np.sqrt(n)
    )
    assert t_lower * n < 0  # the old interval: n x the Student t interval of the mean
    lower, upper = sum_interval(*_statistics(list(amounts)))
    assert 0 < float(lower) < amounts.sum() < float(upper)


def test_one_deal_has_an_interval() -> None:
    lower, upper = sum_interval(48_000.0, 48_000.0**2, 1)
    ref_lower, ref_upper = confint_poisson(1, 1.0, method="exact-c")
    assert (float(lower), float(upper)) == pytest.approx((ref_lower * 48_000, ref_upper * 48_000), rel=1e-9)


def test_empty_zero_and_impossible_groups() -> None:
    lower, upper = sum_interval(
        [0.0, 0.0, -50.0, 10.0, np.nan], [0.0, 0.0, 2500.0, 150.0, np.nan], [0, 4, 1, 2, 3]
    )
    # n = 0: no group; all amounts 0: exactly 0; a negative total, or a square of the total below the
    # total of squares: not non-negative amounts, no interval; missing statistics stay missing.
    assert np.isnan(lower[0]) and np.isnan(upper[0])
    assert (lower[1], upper[1]) == (0.0, 0.0)
    assert np.isnan(lower[2:]).all() and np.isnan(upper[2:]).all()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 1e7)), min_size=1, max_size=40),
    st.sampled_from(LEVELS),
    st.floats(1e-3, 1e3),
)
def test_bounds_contain_the_total_never_go_below_zero_and_scale_with_the_amounts(
    amounts: list[float], level: float, factor: float
) -> None:
    total, squares, n = _statistics(amounts)
    lower, upper = sum_interval(total, squares, n, level)
    if total == 0:
        assert (float(lower), float(upper)) == (0.0, 0.0)
        return
    assert 0.0 <= float(lower) <= total <= float(upper)
    scaled = sum_interval(total * factor, squares * factor**2, n, level)
    np.testing.assert_allclose([scaled[0], scaled[1]], [lower * factor, upper * factor], rtol=1e-6)


@pytest.mark.parametrize("rate", [2, 5, 30])
def test_coverage_of_the_expected_total_when_amounts_are_moderately_skewed(rate: int) -> None:
    # Months of a Poisson number of deals with log-normal amounts (sigma 0.5); the interval should cover
    # the expected total, rate x E[amount], about 95% of the time (docs/concepts/statistics.md).
    rng = np.random.default_rng(rate)
    counts = rng.poisson(rate, 20_000)
    counts = counts[counts > 0]
    month = np.repeat(np.arange(len(counts)), counts)
    amounts = rng.lognormal(0.0, 0.5, month.size)
    lower, upper = sum_interval(np.bincount(month, amounts), np.bincount(month, amounts**2), counts)
    truth = rate * np.exp(0.5**2 / 2)
    assert 0.94 <= float(np.mean((lower <= truth) & (truth <= upper))) <= 0.99
    assert float(np.mean(truth < lower)) <= 0.025
