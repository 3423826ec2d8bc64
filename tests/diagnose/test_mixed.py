"""The mixed model fitted from cells: the same numbers as statsmodels MixedLM on the rows, and known
variances recovered from simulated data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from cxscore.diagnose.mixed import MixedFit, fit_cells, likelihood_ratio_pvalue
from cxscore.errors import DiagnosisError


def _simulate(seed: int, rows: int, agent_sd: float, product_sd: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    agent, product = rng.integers(0, 25, rows), rng.integers(0, 8, rows)
    untrained, category = rng.random(rows) < 0.3, rng.integers(0, 3, rows)
    y = (
        0.7
        + rng.normal(0, agent_sd, 25)[agent]
        + rng.normal(0, product_sd, 8)[product]
        - 0.4 * untrained
        + np.array([0.0, 0.2, -0.1])[category]
        + rng.normal(0, 1, rows)
    )
    return pd.DataFrame(
        {
            "y": y,
            "agent": agent,
            "product": product,
            "untrained": untrained.astype(float),
            "category": category,
        }
    )


def _fit_from_cells(rows: pd.DataFrame, **kwargs: object) -> MixedFit:
    keys = ["agent", "product", "untrained", "category"]
    cells = rows.groupby(keys)["y"].agg(["count", "mean", "var"]).reset_index()
    within = float(((cells["count"] - 1) * cells["var"].fillna(0.0)).sum())
    x = np.column_stack(
        [np.ones(len(cells)), cells["untrained"], cells["category"] == 1, cells["category"] == 2]
    ).astype(float)
    return fit_cells(
        x,
        [cells["agent"], cells["product"]],
        cells["count"],
        cells["mean"],
        within,
        **kwargs,  # type: ignore[arg-type]
    )


def test_crossed_random_effects_equal_statsmodels_mixedlm_reml() -> None:
    rows = _simulate(3, 1500, 0.3, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' own convergence chatter
        reference = smf.mixedlm(
            "y ~ untrained + C(category)",
            rows.assign(one=1),
            groups="one",
            re_formula="0",
            vc_formula={"agent": "0 + C(agent)", "product": "0 + C(product)"},
        ).fit(reml=True)
    fit = _fit_from_cells(rows)
    expected = reference.params[["Intercept", "untrained", "C(category)[T.1]", "C(category)[T.2]"]]
    assert fit.beta == pytest.approx(expected.to_numpy(), abs=1e-4)
    assert fit.variances[:2] == pytest.approx(reference.vcomp, rel=5e-3)
    assert fit.variances[2] == pytest.approx(reference.scale, rel=1e-4)
    errors = reference.bse[["Intercept", "untrained", "C(category)[T.1]", "C(category)[T.2]"]]
    assert fit.fixed_standard_errors() == pytest.approx(errors.to_numpy(), rel=2e-3)


def test_cells_give_the_same_fit_as_one_cell_per_row() -> None:
    rows = _simulate(5, 400, 0.4, 0.4)
    pooled = _fit_from_cells(rows)
    x = np.column_stack(
        [np.ones(len(rows)), rows["untrained"], rows["category"] == 1, rows["category"] == 2]
    ).astype(float)
    single = fit_cells(x, [rows["agent"], rows["product"]], np.ones(len(rows)), rows["y"], 0.0)
    assert pooled.beta == pytest.approx(single.beta, abs=1e-6)
    assert pooled.variances == pytest.approx(single.variances, rel=1e-4)
    assert pooled.effects[1] == pytest.approx(single.effects[1], abs=1e-5)


def test_known_variances_are_recovered_from_many_facts() -> None:
    rng = np.random.default_rng(11)
    agents, per = 200, 60
    truth = rng.normal(0, 0.5, agents)
    agent = np.repeat(np.arange(agents), per)
    y = 2.0 + truth[agent] + rng.normal(0, 1.0, agents * per)
    fit = fit_cells(np.ones((len(y), 1)), [agent], np.ones(len(y)), y, 0.0)
    assert fit.variances[0] == pytest.approx(0.25, rel=0.25)
    assert fit.variances[1] == pytest.approx(1.0, rel=0.05)
    # The predicted agent effects track the true ones (shrunk a little towards zero).
    assert np.corrcoef(fit.effects[0], truth)[0, 1] > 0.95


def test_a_variance_that_is_not_there_is_estimated_near_zero_and_not_significant() -> None:
    rows = _simulate(7, 1200, 0.0, 0.6)
    full = _fit_from_cells(rows)
    without_agents = _fit_from_cells(rows, fixed_zero=[0])
    without_products = _fit_from_cells(rows, fixed_zero=[1])
    assert full.variances[0] < 0.01
    assert likelihood_ratio_pvalue(full, without_agents) > 0.05
    assert likelihood_ratio_pvalue(full, without_products) < 1e-6


def test_one_factor_fixed_at_zero_is_ordinary_least_squares() -> None:
    """The reduced model of a one-factor fit (the agents' test when facts carry no product) has nothing
    left to estimate: it is the fixed part alone, as numpy's least squares gives it."""
    rows = _simulate(13, 300, 0.3, 0.0)
    x = np.column_stack([np.ones(len(rows)), rows["untrained"]])
    reduced = fit_cells(x, [rows["agent"]], np.ones(len(rows)), rows["y"], 0.0, fixed_zero=[0])
    beta, *_ = np.linalg.lstsq(x, rows["y"].to_numpy(), rcond=None)
    assert reduced.beta == pytest.approx(beta, abs=1e-9)
    assert reduced.variances[0] == 0.0
    full = fit_cells(x, [rows["agent"]], np.ones(len(rows)), rows["y"], 0.0)
    assert 0.0 <= likelihood_ratio_pvalue(full, reduced) <= 1.0


def test_bad_cells_are_refused() -> None:
    with pytest.raises(DiagnosisError, match="one row per cell"):
        fit_cells(np.ones((3, 1)), [np.array([0, 1, 2])], np.ones(2), np.ones(3), 0.0)
    with pytest.raises(DiagnosisError, match="at least one fact"):
        fit_cells(np.ones((2, 1)), [np.array([0, 1])], np.array([1.0, 0.0]), np.ones(2), 0.0)


def test_predicted_effects_equal_statsmodels_random_effects() -> None:
    rng = np.random.default_rng(8)
    agent, flag = rng.integers(0, 15, 600), rng.random(600) < 0.4
    y = 1 + rng.normal(0, 0.5, 15)[agent] - 0.3 * flag + rng.normal(0, 1, 600)
    rows = pd.DataFrame({"y": y, "agent": agent, "flag": flag.astype(float)})
    reference = smf.mixedlm("y ~ flag", rows, groups="agent").fit(reml=True)
    expected = np.array([reference.random_effects[g].iloc[0] for g in range(15)])
    fit = fit_cells(np.column_stack([np.ones(600), flag]), [agent], np.ones(600), y, 0.0)
    assert fit.effects[0] == pytest.approx(expected, abs=1e-4)
    # An effect's standard error lies between 0 and its prior standard deviation (it is shrunk).
    unit = np.zeros(15)
    unit[0] = 1.0
    assert 0 < fit.standard_error(np.zeros(2), unit) < np.sqrt(fit.variances[0])


def test_the_order_of_the_cells_does_not_matter() -> None:
    rows = _simulate(9, 500, 0.4, 0.4)
    cells = rows.groupby(["agent", "product", "untrained"])["y"].agg(["count", "mean", "var"]).reset_index()
    within = float(((cells["count"] - 1) * cells["var"].fillna(0.0)).sum())

    def fit(order: np.ndarray) -> MixedFit:
        c = cells.iloc[order]
        x = np.column_stack([np.ones(len(c)), c["untrained"]])
        return fit_cells(x, [c["agent"], c["product"]], c["count"], c["mean"], within)

    first = fit(np.arange(len(cells)))
    shuffled = fit(np.random.default_rng(1).permutation(len(cells)))
    assert shuffled.beta == pytest.approx(first.beta, abs=1e-7)
    assert shuffled.variances == pytest.approx(first.variances, rel=1e-5)
    assert shuffled.effects[0] == pytest.approx(first.effects[0], abs=1e-6)
    assert first.variances.min() >= 0
