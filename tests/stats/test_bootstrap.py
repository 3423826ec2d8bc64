"""The percentile bootstrap against scipy's independent implementation."""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np
import pytest
from scipy import stats as scipy_stats

from cxscore.errors import StatisticsError
from cxscore.stats import bias_shifted_interval, bootstrap_interval


def _sample() -> np.ndarray:
    return np.random.default_rng(11).lognormal(mean=1.0, sigma=0.6, size=60)


@pytest.mark.parametrize("statistic", [np.mean, np.median])
def test_matches_scipy_percentile_bootstrap(statistic: Any) -> None:
    values = _sample()
    # scipy >= 1.15 names the generator `rng`; older versions (pyproject allows 1.11) call it `random_state`.
    seed_name = "rng" if "rng" in inspect.signature(scipy_stats.bootstrap).parameters else "random_state"
    reference = scipy_stats.bootstrap(
        (values,), statistic, method="percentile", n_resamples=20000, **{seed_name: np.random.default_rng(3)}
    ).confidence_interval
    lower, upper = bootstrap_interval(values, statistic, resamples=20000)
    scale = float(np.std(values))
    # Two independent Monte Carlo estimates of the same quantiles agree to a few hundredths of an sd.
    assert lower == pytest.approx(reference.low, abs=0.05 * scale)
    assert upper == pytest.approx(reference.high, abs=0.05 * scale)


def test_mean_interval_close_to_t_interval_for_a_symmetric_sample() -> None:
    values = np.random.default_rng(5).normal(10.0, 2.0, size=200)
    lower, upper = bootstrap_interval(values, np.mean)
    t_lower, t_upper = scipy_stats.t.interval(0.95, 199, loc=values.mean(), scale=scipy_stats.sem(values))
    assert lower == pytest.approx(t_lower, abs=0.06)
    assert upper == pytest.approx(t_upper, abs=0.06)


def test_reproducible_and_seeded() -> None:
    values = _sample()
    assert bootstrap_interval(values, np.mean) == bootstrap_interval(values, np.mean)
    assert bootstrap_interval(values, np.mean, seed=1) != bootstrap_interval(values, np.mean, seed=2)


def test_rows_of_two_columns_for_a_ratio_of_sums() -> None:
    generator = np.random.default_rng(9)
    accounts = np.column_stack([generator.integers(0, 5, 80), generator.integers(1, 9, 80)]).astype(float)
    lower, upper = bootstrap_interval(accounts, lambda rows: float(rows[:, 0].sum() / rows[:, 1].sum()))
    ratio = accounts[:, 0].sum() / accounts[:, 1].sum()
    assert lower < ratio < upper


def test_empty_sample_gives_nan_and_bad_arguments_raise() -> None:
    assert all(math.isnan(b) for b in bootstrap_interval([], np.mean))
    with pytest.raises(StatisticsError, match="resamples"):
        bootstrap_interval([1.0, 2.0], np.mean, resamples=0)
    with pytest.raises(StatisticsError, match="shape"):
        bootstrap_interval(np.zeros((2, 2, 2)), np.mean)


def test_vectorized_gives_the_same_answer_as_one_call_per_resample() -> None:
    values = _sample()
    one_by_one = bootstrap_interval(values, np.mean, resamples=500)
    batched = bootstrap_interval(values, lambda batch: batch.mean(axis=1), resamples=500, vectorized=True)
    assert batched == pytest.approx(one_by_one, rel=1e-12)


def test_vectorized_ratio_of_sums_over_rows() -> None:
    generator = np.random.default_rng(9)
    terms = np.column_stack([generator.uniform(10, 100, 50), generator.uniform(0, 120, 50)])

    def retained(rows: np.ndarray) -> float:
        return float(rows[:, 1].sum() / rows[:, 0].sum())

    def retained_batch(batch: np.ndarray) -> np.ndarray:
        return batch[:, :, 1].sum(axis=1) / batch[:, :, 0].sum(axis=1)

    expected = bootstrap_interval(terms, retained, resamples=300)
    assert bootstrap_interval(terms, retained_batch, resamples=300, vectorized=True) == pytest.approx(
        expected
    )


def test_batches_do_not_change_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    import cxscore.stats._bootstrap as bootstrap_module

    values = _sample()
    whole = bootstrap_interval(values, np.median, resamples=301)
    monkeypatch.setattr(bootstrap_module, "_BATCH_CELLS", 7 * values.size)
    assert bootstrap_interval(values, np.median, resamples=301) == whole


def test_vectorized_statistic_must_return_one_value_per_resample() -> None:
    with pytest.raises(StatisticsError, match="one value per resample"):
        bootstrap_interval([1.0, 2.0, 3.0], np.mean, resamples=10, vectorized=True)


def test_bias_shifted_interval_moves_the_percentiles_by_the_mean_minus_the_estimate() -> None:
    boot = np.random.default_rng(6).gamma(2.0, 0.05, size=(500, 3))
    observed = np.array([0.05, 0.10, 0.30])
    lower, upper = bias_shifted_interval(boot, observed, 0.9)
    shift = boot.mean(axis=0) - observed
    np.testing.assert_allclose(lower, np.quantile(boot, 0.05, axis=0) - shift, rtol=1e-12)
    np.testing.assert_allclose(upper, np.quantile(boot, 0.95, axis=0) - shift, rtol=1e-12)
    floored, _ = bias_shifted_interval(boot, observed, 0.9, floor=0.0)
    assert (floored >= 0).all() and floored[0] == 0.0 < lower[2] == floored[2]


def test_bias_shifted_interval_covers_r2_and_its_shares_where_the_percentile_interval_does_not() -> None:
    # Simulated regressions with known population shares (independent predictors: beta_i^2 / total
    # variance), one of them explaining nothing: the percentile interval of a share never reaches 0 and
    # sits above R2; the shifted one covers every share and R2 near 95% (docs/concepts/key-drivers.md).
    from cxscore.diagnose.importance import correlation, r_squared, shapley_r2

    rng = np.random.default_rng(12)
    beta = np.array([0.3, 0.12, 0.0])
    truth = np.append(beta**2, (beta**2).sum()) / ((beta**2).sum() + 1.0)
    n, resamples, datasets = 300, 64, 120
    covered = {"percentile": np.zeros(4), "shifted": np.zeros(4)}
    for _ in range(datasets):
        x = rng.normal(size=(n, 3))
        matrix = np.column_stack([x, x @ beta + rng.normal(size=n)])

        def statistics(weights: Any = None, matrix: np.ndarray = matrix) -> np.ndarray:
            corr = correlation(np.cov(matrix, rowvar=False, fweights=weights))
            return np.append(shapley_r2(corr, [[0], [1], [2]]), r_squared(corr, [0, 1, 2]))

        boot = np.array(
            [statistics(np.bincount(rng.integers(0, n, n), minlength=n)) for _ in range(resamples)]
        )
        low, high = np.quantile(boot, [0.025, 0.975], axis=0)
        covered["percentile"] += (low <= truth) & (truth <= high)
        low, high = bias_shifted_interval(boot, statistics(), 0.95, floor=0.0)
        covered["shifted"] += (low <= truth) & (truth <= high)
    percentile, shifted = covered["percentile"] / datasets, covered["shifted"] / datasets
    assert percentile[2] == 0.0  # a driver that explains nothing: never covered
    assert (shifted >= 0.85).all(), shifted
