"""Empty groups give NaN, impossible inputs raise StatisticsError, and shapes broadcast like numpy."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from cxscore.errors import CXScoreError, StatisticsError
from cxscore.stats import (
    mean_change_pvalue,
    mean_interval,
    median_interval,
    nps_change_pvalue,
    nps_interval,
    proportion_change_pvalue,
    quantile_rank_bounds,
    rate_interval,
    ratio_interval,
    sample_size_for_nps,
    sample_size_for_proportion,
    wilson_interval,
)


def _all_nan(*arrays: object) -> bool:
    return all(bool(np.all(np.isnan(np.asarray(a, dtype=float)))) for a in arrays)


def test_empty_groups_give_nan_without_warnings() -> None:
    assert _all_nan(*wilson_interval(0, 0))
    assert _all_nan(*nps_interval(0, 0, 0))
    assert _all_nan(*mean_interval(3.0, 1.0, 0))
    assert _all_nan(*mean_interval(3.0, 0.0, 1))  # one value: no spread to estimate
    assert _all_nan(*rate_interval(0, 0))
    assert _all_nan(*ratio_interval(0, 0))
    assert _all_nan(*quantile_rank_bounds(0))
    assert _all_nan(*median_interval([]))
    assert _all_nan(proportion_change_pvalue(0, 0, 3, 10))
    assert _all_nan(nps_change_pvalue(1, 1, 5, 0, 0, 0))
    assert _all_nan(mean_change_pvalue(1.0, 1.0, 1, 2.0, 1.0, 10))


def test_missing_aggregates_stay_missing() -> None:
    assert _all_nan(*wilson_interval(math.nan, 10))
    assert _all_nan(*mean_interval(math.nan, 1.0, 10))
    assert _all_nan(mean_change_pvalue(1.0, math.nan, 5, 2.0, 0.0, 5))


def test_vectorised_over_columns_with_broadcasting() -> None:
    lower, upper = wilson_interval(np.array([[1, 2, 3]]), np.array([[10], [20]]))
    assert lower.shape == upper.shape == (2, 3)
    assert lower.dtype == np.float64
    lower, upper = nps_interval([5, 0, 7], [1, 0, 2], [10, 0, 12])
    assert lower.shape == (3,) and math.isnan(lower[1]) and not math.isnan(lower[2])


def test_degenerate_changes() -> None:
    assert float(proportion_change_pvalue(0, 10, 0, 12)) == 1.0
    assert float(proportion_change_pvalue(10, 10, 12, 12)) == 1.0
    assert float(mean_change_pvalue(3.0, 0.0, 5, 3.0, 0.0, 9)) == 1.0
    assert float(mean_change_pvalue(3.0, 0.0, 5, 4.0, 0.0, 9)) == 0.0


@pytest.mark.parametrize("level", [0, 1, -0.5, 95, math.nan])
def test_level_outside_zero_one_is_refused(level: float) -> None:
    with pytest.raises(StatisticsError, match=r"outside \(0, 1\).*0\.95"):
        wilson_interval(1, 2, level)


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: wilson_interval(-1, 10), "successes must not be negative, got -1"),
        (lambda: wilson_interval(11, 10), r"successes \(11\) is larger than n \(10\)"),
        (lambda: nps_interval(6, 5, 10), r"promoters \+ detractors \(11\) is larger than n \(10\)"),
        (lambda: mean_interval(1.0, -2.0, 10), "sd must not be negative"),
        (lambda: rate_interval([1, -3], 10), "events must not be negative, got -3"),
        (lambda: ratio_interval(1, -1), "denominator must not be negative"),
        (lambda: quantile_rank_bounds(10, 1.0), r"q 1 is outside \(0, 1\)"),
        (lambda: median_interval(np.zeros((2, 2))), "1-D sample"),
        (lambda: sample_size_for_proportion(1.2, 0.05), r"p 1.2 is outside \[0, 1\]"),
        (lambda: sample_size_for_proportion(0.5, 0), "margin must be positive"),
        (lambda: sample_size_for_nps(0.7, 0.5, 5), r"promoter_share \+ detractor_share 1.2"),
        (lambda: proportion_change_pvalue(1, 2, 5, 4), r"x2 \(5\) is larger than n2 \(4\)"),
        (lambda: wilson_interval("many", 10), "successes must be numbers"),
    ],
)
def test_impossible_inputs_name_the_value(call: Callable[[], object], fragment: str) -> None:
    with pytest.raises(StatisticsError, match=fragment) as raised:
        call()
    assert isinstance(raised.value, CXScoreError) and isinstance(raised.value, ValueError)
