"""Order-statistic intervals for quantiles against exact binomial enumeration and a published table."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from cxscore.stats import median_interval, quantile_rank_bounds


def _brute_force_ranks(n: int, q: Fraction, level: Fraction) -> tuple[float, float]:
    """Exact search in rational arithmetic: the widest-tail ranks with each tail <= (1 - level) / 2."""
    tail = (1 - level) / 2
    pmf = [math.comb(n, i) * q**i * (1 - q) ** (n - i) for i in range(n + 1)]
    lowers = [rank for rank in range(1, n + 1) if sum(pmf[:rank]) <= tail]
    uppers = [rank for rank in range(1, n + 1) if sum(pmf[rank:]) <= tail]
    return (float(max(lowers)) if lowers else math.nan, float(min(uppers)) if uppers else math.nan)


@pytest.mark.parametrize("q", ["0.5", "0.25", "0.9", "0.1", "0.75"])
@pytest.mark.parametrize("level", ["0.95", "0.9", "0.5", "0.99"])
def test_ranks_match_exact_enumeration(q: str, level: str) -> None:
    sizes = [*range(0, 31), 47, 64, 99]
    lower, upper = quantile_rank_bounds(sizes, float(q), float(level))
    for i, n in enumerate(sizes):
        expected = _brute_force_ranks(n, Fraction(q), Fraction(level)) if n else (math.nan, math.nan)
        np.testing.assert_equal((lower[i], upper[i]), expected, err_msg=f"n={n} q={q} level={level}")


def test_ranks_match_published_table() -> None:
    # Campbell & Gardner (1988), BMJ 296:1454-6, Table 1 (also Altman et al., Statistics with Confidence,
    # 2nd ed., Table 18.4): ranks of the observations bounding a 95% interval for a median.
    published = {6: (1, 6), 10: (2, 9), 20: (6, 15), 30: (10, 21), 50: (18, 33), 100: (40, 61)}
    lower, upper = quantile_rank_bounds(list(published), 0.5, 0.95)
    assert list(zip(lower.astype(int).tolist(), upper.astype(int).tolist(), strict=True)) == list(
        published.values()
    )


def test_no_95_percent_interval_for_a_median_of_five() -> None:
    # With 5 values the most extreme pair covers 1 - 2/32 = 93.75% < 95%: there is no such interval.
    assert median_interval([1, 2, 3, 4, 5]) == pytest.approx((math.nan, math.nan), nan_ok=True)
    assert median_interval([1, 2, 3, 4, 5], level=0.9) == (1.0, 5.0)


def test_median_interval_picks_the_order_statistics() -> None:
    values = np.array([31, 5, 12, 8, 44, 19, 23, 2, 17, 9, 14, 28, 3, 11, 7, 21, 16, 6, 35, 10], dtype=float)
    ordered = np.sort(values)
    assert median_interval(values) == (ordered[5], ordered[14])  # ranks 6 and 15 of 20
    with_missing = np.append(values, [np.nan, np.nan])
    assert median_interval(with_missing) == (ordered[5], ordered[14])


def test_interval_for_another_quantile() -> None:
    values = np.arange(1.0, 101.0)
    lower, upper = median_interval(values, quantile=0.9)
    assert lower <= 90 <= upper
    assert (lower, upper) == _brute_force_ranks(100, Fraction("0.9"), Fraction("0.95"))


@pytest.mark.parametrize(("n", "q"), [(15, 0.5), (40, 0.5), (60, 0.9)])
def test_coverage_on_a_skewed_distribution_is_at_least_the_level(n: int, q: float) -> None:
    # Durations are skewed: exponential with mean 1, whose q-quantile is -log(1 - q).
    generator = np.random.default_rng(1999)
    truth = -math.log(1 - q)
    ordered = np.sort(generator.exponential(1.0, size=(4000, n)), axis=1)
    lower_rank, upper_rank = (int(r) for r in quantile_rank_bounds(n, q))
    hits = (ordered[:, lower_rank - 1] <= truth) & (truth <= ordered[:, upper_rank - 1])
    exact = sum(math.comb(n, i) * q**i * (1 - q) ** (n - i) for i in range(lower_rank, upper_rank))
    assert exact >= 0.95
    assert abs(float(np.mean(hits)) - exact) < 0.012  # Monte Carlo error of 4000 draws is about 0.003
