"""Estimate: one reported number with its n, interval, level and method, formatted for people."""

from __future__ import annotations

import dataclasses
import math

import pytest
from statsmodels.stats.proportion import proportion_confint

from cxscore.errors import StatisticsError
from cxscore.stats import Estimate, Method


def test_format_matches_the_house_example() -> None:
    estimate = Estimate(42.0, 120, 33.1, 50.2, 0.95, Method.NPS_ADJUSTED_WALD)
    assert estimate.format() == "42.0 (95% CI 33.1 to 50.2, n=120)"
    assert estimate.format(digits=0) == "42 (95% CI 33 to 50, n=120)"
    assert estimate.half_width == pytest.approx(8.55)


def test_format_without_data_or_without_an_interval() -> None:
    assert Estimate(math.nan, 0, math.nan, math.nan, 0.95, Method.WILSON).format() == "n/a (n=0)"
    assert Estimate(4.0, 1, math.nan, math.nan, 0.9, Method.STUDENT_T).format() == "4.0 (90% CI n/a, n=1)"
    assert Estimate(0.5, 9, 0.2, 0.8, 0.995, Method.WILSON).format() == "0.5 (99.5% CI 0.2 to 0.8, n=9)"


def test_is_frozen_and_checks_its_level() -> None:
    estimate = Estimate.proportion(3, 10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        estimate.value = 1.0  # type: ignore[misc]
    with pytest.raises(StatisticsError):
        Estimate(1.0, 1, 0.0, 2.0, 95, Method.WILSON)


def test_constructors_use_the_matching_method() -> None:
    proportion = Estimate.proportion(17, 40, level=0.9)
    low, high = proportion_confint(17, 40, alpha=0.1, method="wilson")
    assert (proportion.value, proportion.lower, proportion.upper) == pytest.approx((17 / 40, low, high))
    assert proportion.method is Method.WILSON and proportion.n == 40
    assert Estimate.nps(60, 15, 120).method == "nps_adjusted_wald"
    assert Estimate.mean(5.0, 1.0, 10).method is Method.STUDENT_T
    assert Estimate.rate(2, 50.0, 50).method is Method.POISSON_EXACT
    empty = Estimate.nps(0, 0, 0)
    assert math.isnan(empty.value) and math.isnan(empty.lower) and empty.format() == "n/a (n=0)"


def test_method_names_are_stable_strings() -> None:
    assert {m.value for m in Method} == {
        "wilson",
        "nps_adjusted_wald",
        "student_t",
        "poisson_exact",
        "gamma_weighted_poisson",
        "order_statistic",
        "bootstrap_percentile",
        "empirical_bayes",
    }
