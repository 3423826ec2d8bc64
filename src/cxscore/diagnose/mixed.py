"""A linear mixed model with crossed random effects, fitted by REML from aggregated cells.

Facts that share every fixed-effect value and every random-effect level (one agent, one product version,
one training status, one case mix) form a *cell*; the cell's count, mean and within-cell sum of squares
are sufficient statistics, so the model is fitted exactly without the rows: within a cell the rows differ
only by residual noise, so the likelihood splits into one part for the cell means (each with variance
sigma^2 / n) and one for the within-cell spread (sigma^2 chi-square with N - C degrees of freedom).

    y = X beta + Z_1 u_1 + ... + Z_k u_k + e,   u_f ~ N(0, sigma_f^2 I),  e ~ N(0, sigma^2 I)

The REML criterion is profiled over sigma^2 and minimised over the log variance ratios
lambda_f = sigma_f^2 / sigma^2. With u = L v (L = diag(sqrt(lambda))) and D = diag(n), everything is
computed through the q x q matrix M = I + L Z'DZ L (Henderson's mixed-model equations, Bates et al. 2015's
parametrisation), so a variance component at zero is no special case. Methods: docs/concepts/obstacles.md.

>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> agent = np.repeat(np.arange(20), 5)
>>> y = 3 + rng.normal(0, 1, 20)[agent] + rng.normal(0, 0.5, 100)
>>> fit = fit_cells(np.ones((100, 1)), [agent], np.ones(100), y, 0.0)
>>> round(float(fit.beta[0]), 2), fit.variances.round(2).tolist()
(3.0, [0.27, 0.21])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize, sparse, stats

from cxscore.errors import DiagnosisError

__all__ = ["MixedFit", "fit_cells"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: log(sigma_f^2 / sigma^2) is searched in this range; the lower end stands for "no variance".
_LOG_RATIO = (-18.0, 8.0)


@dataclass(frozen=True)
class _Cells:
    """The sufficient statistics: the fixed design, random-effect indicators, counts and means."""

    x: FloatArray
    z: sparse.csr_matrix
    sizes: tuple[int, ...]  # levels of each random factor
    n: FloatArray
    mean: FloatArray
    within: float  # the sum over cells of the squared deviations of rows from their cell mean
    rank: int  # of the fixed design

    @property
    def total(self) -> float:
        return float(self.n.sum())

    def parts(self, ratios: FloatArray) -> dict[str, FloatArray]:
        """The pieces every quantity is built from, for variance ratios `ratios` (one per factor)."""
        scale = np.sqrt(np.repeat(ratios, self.sizes))
        zl = self.z.multiply(scale[None, :]).tocsr()
        dzl = zl.multiply(self.n[:, None]).tocsr()
        m = np.eye(len(scale)) + (zl.T @ dzl).toarray()
        return {
            "m": m,
            "xdx": self.x.T @ (self.x * self.n[:, None]),
            "xdzl": np.asarray((dzl.T @ self.x).T),
            "xdy": self.x.T @ (self.n * self.mean),
            "lzdy": np.asarray(dzl.T @ self.mean).ravel(),
            "ydy": np.array(float(self.n @ self.mean**2)),
            "scale": scale,
        }


@dataclass(frozen=True)
class MixedFit:
    """A fitted mixed model: fixed effects, variance components, predicted random effects, and what it
    takes to give any linear combination of them a standard error."""

    beta: FloatArray
    variances: FloatArray  # sigma_1^2, ..., sigma_k^2, then the residual sigma^2
    effects: tuple[FloatArray, ...]  # the predicted (BLUP) random effects of each factor
    deviance: float  # -2 x the profiled REML log-likelihood (without constants)
    n: int
    cells: int
    _covariance: FloatArray  # of (beta - true beta, v - true v), v = u / sqrt(lambda)
    _scale: FloatArray

    def standard_error(self, fixed: FloatArray, random: FloatArray) -> float:
        """The standard error of fixed @ beta + random @ u (u: every random effect, factor by factor),
        as an estimate of the true combination (Henderson 1975: the inverse of the mixed-model equations)."""
        w = np.concatenate([fixed, random * self._scale])
        return float(np.sqrt(max(float(w @ self._covariance @ w), 0.0)))

    def fixed_standard_errors(self) -> FloatArray:
        """The standard errors of the fixed effects."""
        p = len(self.beta)
        return np.sqrt(np.clip(np.diag(self._covariance)[:p], 0.0, None))


def fit_cells(
    x: npt.ArrayLike,
    groups: Sequence[npt.ArrayLike],
    n: npt.ArrayLike,
    mean: npt.ArrayLike,
    within: float,
    *,
    fixed_zero: Sequence[int] = (),
) -> MixedFit:
    """Fit by REML: `x` the fixed design of each cell (with an intercept column), `groups` the level
    (0..q-1) of each random factor in each cell, `n` the facts, `mean` the outcome's mean and `within` the
    total within-cell sum of squares. `fixed_zero` holds factors whose variance is fixed at 0 (for tests).
    """
    cells = _prepare(x, groups, n, mean, within)
    free = [f for f in range(len(cells.sizes)) if f not in fixed_zero]
    start = np.zeros(len(free))

    def objective(theta: FloatArray) -> float:
        return _deviance(cells, _ratios(theta, free, len(cells.sizes)))

    if not free:  # every variance fixed at 0: nothing to optimise (scipy refuses an empty problem)
        return _finish(cells, _ratios(start, free, len(cells.sizes)))
    best = optimize.minimize(objective, start, method="L-BFGS-B", bounds=[_LOG_RATIO] * len(free))
    theta = np.asarray(best.x, dtype=float)
    # The optimum may lie on the boundary (a variance of zero): compare each factor switched off.
    for i in range(len(free)):
        trial = theta.copy()
        trial[i] = _LOG_RATIO[0]
        if objective(trial) < objective(theta):
            theta = trial
    return _finish(cells, _ratios(theta, free, len(cells.sizes)))


def likelihood_ratio_pvalue(full: MixedFit, reduced: MixedFit) -> float:
    """p-value that a variance component is zero: half a chi-square(1) (Self and Liang 1987), since the
    null hypothesis lies on the boundary of the parameter space."""
    statistic = max(reduced.deviance - full.deviance, 0.0)
    return float(0.5 * stats.chi2.sf(statistic, 1)) if statistic > 0 else 1.0


def _ratios(theta: FloatArray, free: list[int], k: int) -> FloatArray:
    ratios = np.zeros(k)
    for i, f in enumerate(free):
        ratios[f] = 0.0 if theta[i] <= _LOG_RATIO[0] else float(np.exp(theta[i]))
    return ratios


def _prepare(
    x: npt.ArrayLike, groups: Sequence[npt.ArrayLike], n: npt.ArrayLike, mean: npt.ArrayLike, within: float
) -> _Cells:
    design = np.asarray(x, dtype=float)
    counts = np.asarray(n, dtype=float)
    means = np.asarray(mean, dtype=float)
    if design.ndim != 2 or len(design) != len(counts) or len(means) != len(counts):
        raise DiagnosisError("Mixed model: x, n and mean need one row per cell.")
    if np.any(counts <= 0) or not np.all(np.isfinite(means)):
        raise DiagnosisError("Mixed model: every cell needs at least one fact and a finite mean.")
    blocks, sizes = [], []
    for g in groups:
        level = np.asarray(g, dtype=np.int64)
        q = int(level.max()) + 1 if len(level) else 0
        blocks.append(
            sparse.csr_matrix((np.ones(len(level)), (np.arange(len(level)), level)), (len(level), q))
        )
        sizes.append(q)
    z = sparse.hstack(blocks).tocsr() if blocks else sparse.csr_matrix((len(counts), 0))
    rank = int(np.linalg.matrix_rank(design))
    if counts.sum() <= rank:
        raise DiagnosisError("Mixed model: fewer facts than fixed effects.")
    return _Cells(design, z, tuple(sizes), counts, means, float(max(within, 0.0)), rank)


class _Parts:
    """The REML pieces for one set of variance ratios."""

    def __init__(self, parts: dict[str, FloatArray]) -> None:
        self.m = parts["m"]
        self.chol = np.linalg.cholesky(self.m)
        a = self._m_solve(parts["xdzl"].T)
        b = self._m_solve(parts["lzdy"])
        self.xhx = parts["xdx"] - parts["xdzl"] @ a
        self.xhy = parts["xdy"] - parts["xdzl"] @ b
        self.yhy = float(parts["ydy"]) - float(parts["lzdy"] @ b)
        self.xdzl, self.lzdy, self.scale = parts["xdzl"], parts["lzdy"], parts["scale"]
        self.xdx = parts["xdx"]

    def _m_solve(self, rhs: FloatArray) -> FloatArray:
        inner = np.linalg.solve(self.chol, rhs)
        solved: FloatArray = np.linalg.solve(self.chol.T, inner)
        return solved

    def log_det_m(self) -> float:
        return float(2.0 * np.sum(np.log(np.diag(self.chol))))

    def beta(self) -> FloatArray:
        solved = np.linalg.lstsq(self.xhx, self.xhy, rcond=None)[0]
        return np.asarray(solved, dtype=np.float64)


def _deviance(cells: _Cells, ratios: FloatArray) -> float:
    parts = _Parts(cells.parts(ratios))
    beta = parts.beta()
    quadratic = max(parts.yhy - float(beta @ parts.xhy), 0.0)
    p = cells.rank
    sigma2 = (quadratic + cells.within) / (cells.total - p)
    sign, log_det_x = np.linalg.slogdet(parts.xhx)
    if sign <= 0:  # a rank-deficient fixed design: use its non-zero eigenvalues
        values = np.linalg.eigvalsh(parts.xhx)
        log_det_x = float(np.sum(np.log(values[values > 1e-10 * values.max()])))
    return float((cells.total - p) * np.log(max(sigma2, 1e-300)) + parts.log_det_m() + log_det_x)


def _finish(cells: _Cells, ratios: FloatArray) -> MixedFit:
    parts = _Parts(cells.parts(ratios))
    beta = parts.beta()
    p = cells.rank
    quadratic = max(parts.yhy - float(beta @ parts.xhy), 0.0)
    sigma2 = (quadratic + cells.within) / (cells.total - p)
    residual = cells.mean - cells.x @ beta
    zl = cells.z.multiply(parts.scale[None, :]).tocsr()
    v = parts._m_solve(np.asarray(zl.T @ (cells.n * residual)).ravel())
    u = parts.scale * v
    bounds = np.cumsum((0, *cells.sizes))
    effects = tuple(u[bounds[i] : bounds[i + 1]] for i in range(len(cells.sizes)))
    equations = np.block([[parts.xdx, parts.xdzl], [parts.xdzl.T, parts.m]])
    covariance = np.linalg.pinv(equations, rcond=1e-12) * sigma2
    return MixedFit(
        beta,
        np.append(ratios * sigma2, sigma2),
        effects,
        _deviance(cells, ratios),
        int(cells.total),
        len(cells.n),
        covariance,
        parts.scale,
    )
