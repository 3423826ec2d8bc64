"""Results: comparisons with the previous period and last year, rolling windows, flags and levels."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from cxscore import stats
from cxscore.errors import ConfigError
from cxscore.metrics import COLUMNS, MetricEngine
from cxscore.store import Store

D = dt.date


def test_previous_period_change_and_p_value(world: Any) -> None:
    result = world.compute("nps", grain="month").set_index("period")
    months = list(result.index)
    compared = 0
    for month in months:
        before = (pd.Timestamp(month) - pd.DateOffset(months=1)).date()
        row = result.loc[month]
        if before not in result.index:
            assert np.isnan(row.previous_value) and np.isnan(row.p_value)
            continue
        old = result.loc[before]
        assert row.previous_value == old.value
        assert row.change == pytest.approx(row.value - old.value)
        want = stats.nps_change_pvalue(
            row.promoters, row.detractors, row.n, old.promoters, old.detractors, old.n
        )
        assert row.p_value == pytest.approx(float(want))
        compared += 1
    assert compared >= 12


def test_same_period_last_year(world: Any) -> None:
    result = world.compute("csat", grain="quarter").set_index("period")
    row = result.loc[D(2025, 1, 1)]
    old = result.loc[D(2024, 1, 1)]
    assert row.last_year_value == old.value
    assert row.last_year_change == pytest.approx(row.value - old.value)
    want = stats.proportion_change_pvalue(row.successes, row.n, old.successes, old.n)
    assert row.last_year_p_value == pytest.approx(float(want))
    assert np.isnan(result.loc[D(2024, 1, 1)].last_year_value)


def test_mean_change_uses_welch(world: Any) -> None:
    answers = world.frames["responses"].dropna(subset=["ces"])
    quarter = [pd.Timestamp(t).to_period("Q").start_time.date() for t in answers.responded_at]
    groups = answers.assign(period=quarter).groupby("period").ces
    now, then = groups.get_group(D(2025, 1, 1)).astype(float), groups.get_group(D(2024, 10, 1)).astype(float)
    want = stats.mean_change_pvalue(now.mean(), now.std(), len(now), then.mean(), then.std(), len(then))
    row = world.compute("ces", grain="quarter").set_index("period").loc[D(2025, 1, 1)]
    assert row.p_value == pytest.approx(float(want), rel=1e-9)


def test_rolling_window_adds_up_the_periods(world: Any) -> None:
    monthly = world.compute("csat", grain="month").set_index("period")
    rolling = world.compute("csat", grain="month", window=3).set_index("period")
    month = D(2025, 3, 1)
    window = [D(2025, 1, 1), D(2025, 2, 1), D(2025, 3, 1)]
    assert rolling.loc[month].n == monthly.loc[window].n.sum()
    assert rolling.loc[month].successes == monthly.loc[window].successes.sum()
    assert rolling.loc[month].grain == "3 months rolling"
    # compared with the window before it, which does not overlap
    assert rolling.loc[month].previous_value == rolling.loc[D(2024, 12, 1)].value


def test_start_and_end_keep_the_comparisons(world: Any) -> None:
    result = world.compute("nps", grain="quarter", start=D(2025, 1, 1), end=D(2025, 3, 31))
    assert result.period.tolist() == [D(2025, 1, 1)]
    assert not np.isnan(result.previous_value[0]) and not np.isnan(result.last_year_value[0])


def test_insufficient_data_is_flagged_under_the_minimum_sample(world: Any) -> None:
    result = world.compute("nps", by=["person"], grain="month")
    assert result.insufficient.any()
    assert (result.insufficient == (result.n < 30)).all()
    yearly = world.compute("nps", grain="year")
    assert not yearly.insufficient.any()


def test_a_lower_level_gives_a_narrower_interval(world: Any) -> None:
    wide = world.compute("csat", grain="year")
    narrow = world.compute("csat", grain="year", level=0.8)
    assert ((narrow.upper - narrow.lower) < (wide.upper - wide.lower)).all()
    assert (narrow.level == 0.8).all()


def test_weeks_start_on_monday(world: Any) -> None:
    result = world.compute("nps", grain="week")
    assert {d.weekday() for d in result.period} == {0}
    assert int(result.n.sum()) == int(world.frames["responses"].nps.notna().sum())


def test_percentiles_refuse_rolling_windows(world: Any) -> None:
    with pytest.raises(ConfigError, match="rolling"):
        world.compute("time_to_resolution", window=3)


def test_an_empty_store_gives_an_empty_result_with_every_column(store: Store) -> None:
    engine = MetricEngine(store)
    for metric in ("nps", "time_to_resolution", "gross_revenue_retention", "testimonials_per_event"):
        result = engine.compute(metric, by=["team"])
        assert result.empty
        assert set(COLUMNS) <= set(result.columns)


def test_compute_api_on_a_project(project: Any) -> None:
    import cxscore

    result = cxscore.compute("nps", by=["team"], grain="quarter", project=project.root)
    assert result.empty and "p_value" in result.columns


def _linearised(starting: list[float], ending: list[float]) -> tuple[float, float]:
    """A ratio estimator and its linearised standard error (Cochran 1977, 6.3), by hand."""
    start, end = np.array(starting), np.array(ending)
    ratio = end.sum() / start.sum()
    return ratio, (end - ratio * start).std(ddof=1) / (start.mean() * np.sqrt(len(start)))


def test_revenue_retention_change_is_the_z_test_of_two_ratio_estimators(world: Any) -> None:
    from statsmodels.stats.weightstats import _zstat_generic2 as z_test

    # Terms (starting ARR, renewed ARR): 2024 (100, 130) and (90, 0); 2025 as in test_builtin.
    before, before_se = _linearised([100.0, 90.0], [130.0, 0.0])
    now, now_se = _linearised([200.0, 50.0, 80.0, 60.0], [0.0, 40.0, 80.0, 0.0])
    _, want = z_test(now - before, np.hypot(now_se, before_se), alternative="two-sided")
    result = world.compute("net_revenue_retention", grain="year").set_index("period")
    assert result.loc[D(2025, 1, 1)].p_value == pytest.approx(want, rel=1e-9)
    assert np.isnan(result.loc[D(2024, 1, 1)].p_value)  # 2023 had one term: no standard error


def test_rate_change_is_the_exact_conditional_test(world: Any) -> None:
    from scipy import stats as scipy_stats

    result = world.compute("testimonials_per_event", by=["team"], grain="year")
    rows = result[result.scope_id == "EVENTS"].set_index("period")
    now, then = rows.loc[D(2024, 1, 1)], rows.loc[D(2023, 1, 1)]
    # Given all testimonials of both years, this year's share is binomial with p = its share of events.
    total = int(now.numerator + then.numerator)
    want = scipy_stats.binomtest(int(now.numerator), total, now.n / (now.n + then.n)).pvalue
    assert now.p_value == pytest.approx(want, rel=1e-9)


def test_no_change_test_for_sums_and_percentiles(world: Any) -> None:
    for metric in ("new_business_arr", "time_to_resolution"):
        result = world.compute(metric, grain="quarter")
        assert result.previous_value.notna().any()
        assert result.p_value.isna().all()
