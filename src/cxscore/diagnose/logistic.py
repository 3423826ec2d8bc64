"""Logistic regression for binary outcomes (churned, renewed, satisfied), fitted by iteratively
reweighted least squares, with Wald intervals of the odds ratios and McFadden's pseudo-R2."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as scipy_stats

from cxscore.errors import DiagnosisError

__all__ = ["LogisticFit", "fit_logistic"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LogisticFit:
    """Coefficients (log odds, the intercept first), their standard errors and the fit's likelihoods."""

    coefficients: FloatArray
    standard_errors: FloatArray
    log_likelihood: float
    null_log_likelihood: float
    iterations: int

    @property
    def pseudo_r2(self) -> float:
        """McFadden's pseudo-R2: 1 - logL(model) / logL(intercept only)."""
        return 1.0 - self.log_likelihood / self.null_log_likelihood

    def odds_ratio_intervals(self, level: float = 0.95) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Odds ratios exp(b) and their Wald interval exp(b +- z se)."""
        z = float(scipy_stats.norm.ppf(0.5 + level / 2))
        b, se = self.coefficients, self.standard_errors
        # Clipped so that a perfectly separated level gives an infinite ratio instead of an overflow.
        return tuple(np.exp(np.clip(v, -700.0, 700.0)) for v in (b, b - z * se, b + z * se))  # type: ignore[return-value]


def fit_logistic(x: FloatArray, y: FloatArray, max_iterations: int = 50) -> LogisticFit:
    """Fit P(y = 1) = 1 / (1 + exp(-(b0 + x b))) by Newton-Raphson (IRLS); `x` without the constant.

    >>> x = np.array([[0.0], [0.0], [0.0], [1.0], [1.0], [1.0]])
    >>> fit = fit_logistic(x, np.array([0.0, 0.0, 1.0, 1.0, 1.0, 0.0]))
    >>> round(float(np.exp(fit.coefficients[1])), 3)  # odds 2:1 against 1:2
    4.0
    """
    design = np.column_stack([np.ones(len(y)), x])
    if len(np.unique(y)) < 2:
        raise DiagnosisError(
            f"A logistic model needs both outcomes, but all {len(y)} facts have the same one. "
            "Choose a wider scope or period."
        )
    beta = np.zeros(design.shape[1])
    mean = float(np.mean(y))
    beta[0] = np.log(mean / (1 - mean))
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 (reported in the fit)
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        weight = np.clip(p * (1 - p), 1e-12, None)
        information = design.T @ (design * weight[:, None])
        step = np.linalg.lstsq(information, design.T @ (y - p), rcond=1e-12)[0]
        beta = beta + step
        if float(np.max(np.abs(step))) < 1e-10:
            break
    p = np.clip(1.0 / (1.0 + np.exp(-(design @ beta))), 1e-15, 1 - 1e-15)
    information = design.T @ (design * (p * (1 - p))[:, None])
    covariance = np.linalg.pinv(information)
    log_likelihood = float(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))
    null = float(len(y) * (mean * np.log(mean) + (1 - mean) * np.log(1 - mean)))
    errors = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    return LogisticFit(beta, errors, log_likelihood, null, iteration)
