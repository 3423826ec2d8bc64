"""The logistic model, checked against statsmodels' Logit."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from cxscore.diagnose.logistic import fit_logistic
from cxscore.errors import DiagnosisError


@pytest.mark.parametrize("seed", [1, 2])
def test_matches_statsmodels_logit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(size=800), rng.integers(0, 2, 800), rng.exponential(size=800)])
    eta = -0.5 + 0.8 * x[:, 0] - 1.2 * x[:, 1] + 0.3 * x[:, 2]
    y = (rng.random(800) < 1 / (1 + np.exp(-eta))).astype(float)
    ours = fit_logistic(x, y)
    reference = sm.Logit(y, sm.add_constant(x)).fit(disp=0)
    np.testing.assert_allclose(ours.coefficients, reference.params, rtol=1e-7)
    np.testing.assert_allclose(ours.standard_errors, reference.bse, rtol=1e-6)
    assert ours.pseudo_r2 == pytest.approx(reference.prsquared, rel=1e-8)
    ratio, lower, upper = ours.odds_ratio_intervals(0.95)
    np.testing.assert_allclose(np.log(lower), reference.conf_int(0.05)[:, 0], rtol=1e-6)
    np.testing.assert_allclose(ratio, np.exp(reference.params), rtol=1e-7)
    assert (lower <= ratio).all() and (ratio <= upper).all()


def test_one_outcome_only_is_refused() -> None:
    with pytest.raises(DiagnosisError, match="both outcomes"):
        fit_logistic(np.zeros((5, 1)), np.ones(5))
