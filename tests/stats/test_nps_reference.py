"""The NPS adjusted-Wald interval, change test and sample size against independent references.

The method (Rocks 2016, The American Statistician 70(4); described by Lewis & Sauro at
https://measuringu.com/nps-confidence-intervals/ and https://measuringu.com/nps-three-confidence-intervals/):
add 3 to n, 3/4 to the detractors and 3/4 to the promoters (so 1.5 to the passives, the pseudo-observations
c(0.75, 1.5, 0.75) of Rocks' R package NPS), then use the variance of the difference of two proportions of
one multinomial sample. The MeasuringU pages as stored for this project give the method but not their
worked numbers, so the reference here is the variance of the -1/0/+1 trinomial scores as computed by
statsmodels' weighted descriptive statistics, and the coverage is checked by simulation.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from cxscore.stats import nps_change_pvalue, nps_interval, sample_size_for_nps

SCORES = np.array([1.0, 0.0, -1.0])  # promoter, passive, detractor
CASES = [(60, 15, 120), (0, 0, 5), (10, 0, 10), (0, 10, 10), (3, 4, 9), (412, 133, 1000), (1, 0, 1)]


def _adjusted_sample(promoters: int, detractors: int, n: int, total: float) -> DescrStatsW:
    """The -1/0/+1 scores weighted by the adjusted counts, rescaled so the weights sum to `total`."""
    counts = np.array([promoters + 0.75, n - promoters - detractors + 1.5, detractors + 0.75])
    return DescrStatsW(SCORES, weights=counts * total / counts.sum(), ddof=0)


@pytest.mark.parametrize(("promoters", "detractors", "n"), CASES)
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_interval_matches_weighted_trinomial_scores(
    promoters: int, detractors: int, n: int, level: float
) -> None:
    sample = _adjusted_sample(promoters, detractors, n, n + 3)
    z = scipy_stats.norm.ppf(0.5 + level / 2)
    half = z * np.sqrt(sample.var / (n + 3))
    observed = (promoters - detractors) / n
    expected_lower = 100 * max(-1.0, min(sample.mean - half, observed))
    expected_upper = 100 * min(1.0, max(sample.mean + half, observed))
    lower, upper = nps_interval(promoters, detractors, n, level)
    assert float(lower) == pytest.approx(expected_lower, abs=1e-9)
    assert float(upper) == pytest.approx(expected_upper, abs=1e-9)


def test_interval_worked_by_hand() -> None:
    # 60 promoters, 45 passives, 15 detractors: adjusted shares 60.75/123 and 15.75/123, adjusted NPS
    # 36.585; variance (0.62195 - 0.13385) / 123 = 0.0039683; half-width 1.96 * 0.062994 = 12.347 points.
    lower, upper = nps_interval(60, 15, 120)
    assert float(lower) == pytest.approx(24.24, abs=0.01)
    assert float(upper) == pytest.approx(48.93, abs=0.01)


@pytest.mark.parametrize(
    ("promoter_share", "detractor_share", "n"),
    [(0.5, 0.2, 20), (0.3, 0.3, 30), (0.7, 0.05, 50), (0.2, 0.6, 100), (0.9, 0.02, 400), (0.6, 0.1, 15)],
)
def test_coverage_of_the_95_percent_interval(promoter_share: float, detractor_share: float, n: int) -> None:
    generator = np.random.default_rng(20161)
    shares = [promoter_share, 1 - promoter_share - detractor_share, detractor_share]
    counts = generator.multinomial(n, shares, size=4000)
    lower, upper = nps_interval(counts[:, 0], counts[:, 2], n)
    truth = 100 * (promoter_share - detractor_share)
    coverage = float(np.mean((lower <= truth) & (truth <= upper)))
    assert 0.93 <= coverage <= 0.97


@pytest.mark.parametrize(
    "case",
    [(60, 15, 120, 45, 30, 120), (5, 5, 12, 9, 1, 14), (400, 100, 1000, 380, 110, 950), (0, 0, 3, 3, 0, 3)],
)
def test_change_pvalue_matches_unpooled_z_test_on_trinomial_scores(case: tuple[int, ...]) -> None:
    p1, d1, n1, p2, d2, n2 = case
    # statsmodels divides each ddof=0 variance by (nobs - 1); weights summing to n + 4 make that n + 3.
    first = _adjusted_sample(p1, d1, n1, n1 + 4)
    second = _adjusted_sample(p2, d2, n2, n2 + 4)
    _, expected = CompareMeans(first, second).ztest_ind(usevar="unequal")
    assert float(nps_change_pvalue(p1, d1, n1, p2, d2, n2)) == pytest.approx(expected, rel=1e-9)


def test_change_pvalue_holds_its_size_under_no_change() -> None:
    generator = np.random.default_rng(7)
    shares = [0.45, 0.35, 0.2]
    first = generator.multinomial(150, shares, size=4000)
    second = generator.multinomial(90, shares, size=4000)
    pvalues = nps_change_pvalue(first[:, 0], first[:, 2], 150, second[:, 0], second[:, 2], 90)
    assert 0.035 <= float(np.mean(pvalues < 0.05)) <= 0.065


@pytest.mark.parametrize(("promoter_share", "detractor_share"), [(0.5, 0.5), (0.4, 0.2), (0.8, 0.05), (0, 0)])
@pytest.mark.parametrize("margin", [3.0, 5.0, 10.0])
def test_sample_size_gives_the_margin(promoter_share: float, detractor_share: float, margin: float) -> None:
    n = int(sample_size_for_nps(promoter_share, detractor_share, margin))
    shares = np.array([promoter_share, 1 - promoter_share - detractor_share, detractor_share])
    variance = DescrStatsW(SCORES, weights=shares, ddof=0).var
    z = scipy_stats.norm.ppf(0.975)

    def half_width(size: int) -> float:
        return 100 * z * np.sqrt(variance / (size + 3))

    assert half_width(n) <= margin * (1 + 1e-9)
    assert n == 1 or half_width(n - 1) > margin
