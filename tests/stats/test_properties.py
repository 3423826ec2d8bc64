"""Properties every interval must have, whatever the counts: bounds, containment, narrowing, symmetry,
and independence from the order in which an engine returned the rows."""

from __future__ import annotations

from random import Random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from cxscore.stats import (
    bootstrap_interval,
    mean_interval,
    median_interval,
    nps_change_pvalue,
    nps_interval,
    quantile_rank_bounds,
    rate_interval,
    wilson_interval,
)

LEVELS = st.sampled_from([0.8, 0.9, 0.95, 0.99])
EPS = 1e-9


@st.composite
def trinomials(draw: st.DrawFn, max_n: int = 2000) -> tuple[int, int, int]:
    """(promoters, detractors, n) with promoters + detractors <= n and n >= 1."""
    n = draw(st.integers(1, max_n))
    promoters = draw(st.integers(0, n))
    detractors = draw(st.integers(0, n - promoters))
    return promoters, detractors, n


@given(st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))), LEVELS)
def test_wilson_bounds_contain_the_share(case: tuple[int, int], level: float) -> None:
    successes, n = case
    lower, upper = (float(b) for b in wilson_interval(successes, n, level))
    assert 0.0 <= lower <= successes / n + EPS
    assert successes / n - EPS <= upper <= 1.0


@given(trinomials(), LEVELS)
def test_nps_bounds_contain_the_score(case: tuple[int, int, int], level: float) -> None:
    promoters, detractors, n = case
    lower, upper = (float(b) for b in nps_interval(promoters, detractors, n, level))
    score = 100.0 * (promoters - detractors) / n
    assert -100.0 <= lower <= score + EPS
    assert score - EPS <= upper <= 100.0


@given(trinomials(), LEVELS)
def test_swapping_promoters_and_detractors_negates_the_interval(
    case: tuple[int, int, int], level: float
) -> None:
    promoters, detractors, n = case
    lower, upper = nps_interval(promoters, detractors, n, level)
    swapped_lower, swapped_upper = nps_interval(detractors, promoters, n, level)
    np.testing.assert_allclose([swapped_lower, swapped_upper], [-upper, -lower], atol=1e-9)


@given(trinomials(max_n=500), st.integers(2, 20))
def test_more_responses_with_the_same_shares_narrow_the_nps_interval(
    case: tuple[int, int, int], k: int
) -> None:
    promoters, detractors, n = case
    small = np.subtract(*reversed(nps_interval(promoters, detractors, n)))
    large = np.subtract(*reversed(nps_interval(k * promoters, k * detractors, k * n)))
    assert large < small + EPS


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))), st.integers(2, 20))
def test_more_trials_with_the_same_share_narrow_the_wilson_interval(case: tuple[int, int], k: int) -> None:
    successes, n = case
    small = np.subtract(*reversed(wilson_interval(successes, n)))
    large = np.subtract(*reversed(wilson_interval(k * successes, k * n)))
    assert large < small


@given(st.floats(-1e3, 1e3), st.floats(0.01, 100), st.integers(2, 10_000), st.integers(2, 10))
def test_t_interval_is_centred_and_narrows(mean: float, sd: float, n: int, k: int) -> None:
    lower, upper = mean_interval(mean, sd, n)
    assert float(lower) < mean < float(upper)
    assert abs((lower + upper) / 2 - mean) <= 1e-9 * max(1.0, abs(mean))
    wider = float(upper - lower)
    narrower = float(np.subtract(*reversed(mean_interval(mean, sd, k * n))))
    assert narrower < wider


@given(st.integers(0, 5000), st.floats(0.1, 1e6), LEVELS)
def test_rate_interval_contains_the_rate(events: int, exposure: float, level: float) -> None:
    lower, upper = (float(b) for b in rate_interval(events, exposure, level))
    rate = events / exposure
    assert 0.0 <= lower <= rate * (1 + EPS) and rate * (1 - EPS) <= upper


@given(st.integers(1, 3000), st.sampled_from([0.05, 0.25, 0.5, 0.75, 0.9]), LEVELS)
def test_rank_bounds_cover_at_least_the_level(n: int, q: float, level: float) -> None:
    lower, upper = (float(b) for b in quantile_rank_bounds(n, q, level))
    tail = (1 - level) / 2
    if lower == lower:  # a real rank: the lower tail is within alpha/2 and one rank more would not be
        assert scipy_stats.binom.cdf(lower - 1, n, q) <= tail * (1 + 1e-9)
        assert lower == n or scipy_stats.binom.cdf(lower, n, q) > tail
    if upper == upper:
        assert scipy_stats.binom.sf(upper - 1, n, q) <= tail * (1 + 1e-9)
    if q == 0.5 and lower == lower and upper == upper:
        assert lower + upper == n + 1


@settings(max_examples=50)
@given(st.lists(st.floats(-1e6, 1e6), min_size=0, max_size=200), st.randoms(use_true_random=False))
def test_median_interval_ignores_row_order(values: list[float], shuffler: Random) -> None:
    shuffled = list(values)
    shuffler.shuffle(shuffled)
    # The same numbers, NaN bounds included. Not assert_equal: it tells 0.0 from -0.0, and with both in the
    # sample their order after the sort depends on the rows' order, so a bound is either (~1 run in 150).
    np.testing.assert_array_equal(median_interval(values), median_interval(shuffled))


@settings(max_examples=25)
@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=60), st.randoms(use_true_random=False))
def test_bootstrap_ignores_row_order(values: list[float], shuffler: Random) -> None:
    shuffled = list(values)
    shuffler.shuffle(shuffled)
    assert bootstrap_interval(values, np.mean, resamples=200) == bootstrap_interval(
        shuffled, np.mean, resamples=200
    )


@given(trinomials(max_n=300), trinomials(max_n=300))
def test_nps_change_pvalue_is_symmetric_and_a_probability(
    first: tuple[int, int, int], second: tuple[int, int, int]
) -> None:
    forward = float(nps_change_pvalue(*first, *second))
    backward = float(nps_change_pvalue(*second, *first))
    assert 0.0 <= forward <= 1.0
    assert abs(forward - backward) <= 1e-12
    assert float(nps_change_pvalue(*first, *first)) == 1.0
