"""Relative importance of drivers: Shapley decomposition of R2 (dominance analysis) and relative weights.

Both work from a covariance matrix of the design columns and the outcome, so they run equally on the
exact cross-products the engine aggregates and on the rows of a bootstrap sample. A driver is a *group*
of columns (a categorical driver is its dummy columns), and its importance is the group's share of R2.

- Shapley values of R2 (Lindeman, Merenda and Gold 1980; Budescu 1993; Gromping 2007): each driver's
  average gain in R2 when added to every subset of the others; they sum to the full model's R2. Needs the
  R2 of all 2^k subsets, so it is used for up to 15 drivers.
- Relative weights (Johnson 2000): the columns replaced by their closest orthogonal counterparts; the
  weights sum to R2 too and approximate the Shapley values in a single eigen-decomposition.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import factorial

import numpy as np
import numpy.typing as npt

__all__ = ["MAX_SHAPLEY_DRIVERS", "correlation", "r_squared", "relative_weights", "shapley_r2", "subset_r2"]

FloatArray = npt.NDArray[np.float64]

#: Beyond this many drivers the 2^k subset regressions of the Shapley values get too many.
MAX_SHAPLEY_DRIVERS = 15


def correlation(covariance: FloatArray) -> FloatArray:
    """The correlation matrix of a covariance matrix; columns without variance get zero correlations.

    >>> correlation(np.array([[4.0, 2.0], [2.0, 1.0]])).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    sd = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    scale = np.where(sd > 0, 1.0 / np.where(sd > 0, sd, 1.0), 0.0)
    result: FloatArray = covariance * np.outer(scale, scale)
    return result


def r_squared(corr: FloatArray, columns: Sequence[int]) -> float:
    """R2 of the outcome (the last column of `corr`) regressed on `columns`, from the correlation matrix.

    Collinear columns (e.g. a version that implies its product) are handled with a least-squares solve.

    >>> corr = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])
    >>> round(r_squared(corr, [0, 1]), 4)
    0.45
    """
    if not columns:
        return 0.0
    index = list(columns)
    between = corr[np.ix_(index, index)]
    with_outcome = corr[index, -1]
    beta = np.linalg.lstsq(between, with_outcome, rcond=1e-10)[0]
    return float(np.clip(beta @ with_outcome, 0.0, 1.0))


def subset_r2(corr: FloatArray, groups: Sequence[Sequence[int]], batch: int = 512) -> FloatArray:
    """R2 of every subset of the driver groups, indexed by the bit mask of the subset (2^k values).

    All subsets are computed in batches of equal-sized systems: a column outside the subset gets a unit
    diagonal and no correlation. The outcome borders each system, [[R_S, r_S], [r_S', 1]], whose Cholesky
    factor ends in sqrt(1 - R2(S)), so one batched factorisation gives every R2. A ridge of 1e-12 keeps
    exactly collinear columns (a version and its product) factorable; a batch that still is not falls
    back to a least-squares solve.
    """
    k = len(groups)
    index = sorted(c for group in groups for c in group)
    position = {c: i for i, c in enumerate(index)}
    p = len(index)
    bordered = np.empty((p + 1, p + 1))
    bordered[:p, :p] = corr[np.ix_(index, index)]
    bordered[:p, p] = bordered[p, :p] = corr[index, -1]
    bordered[p, p] = 1.0
    member = np.zeros((k, p + 1), dtype=bool)
    for j, group in enumerate(groups):
        member[j, [position[c] for c in group]] = True
    masks = np.arange(1 << k)
    values = np.zeros(1 << k)
    identity = np.eye(p + 1)
    for first in range(1, 1 << k, batch):
        chosen = masks[first : first + batch]
        inside = ((chosen[:, None] >> np.arange(k)) & 1).astype(bool) @ member  # subsets x columns
        inside[:, p] = True
        systems = np.where(inside[:, :, None] & inside[:, None, :], bordered, identity) + 1e-12 * identity
        try:
            last = np.linalg.cholesky(systems)[:, p, p]
            values[chosen] = np.clip(1.0 - last**2, 0.0, 1.0)
        except np.linalg.LinAlgError:
            values[chosen] = [r_squared(corr, [index[i] for i in np.flatnonzero(row[:p])]) for row in inside]
    return values


def shapley_r2(corr: FloatArray, groups: Sequence[Sequence[int]]) -> FloatArray:
    """Each driver group's Shapley value of R2 (its general dominance weight); they sum to the full R2.

    >>> corr = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])
    >>> shapley_r2(corr, [[0], [1]]).round(4).tolist()
    [0.36, 0.09]
    """
    k = len(groups)
    values = subset_r2(corr, groups)
    masks = np.arange(1 << k)
    sizes = np.array([bin(m).count("1") for m in masks])
    weight = np.array([factorial(s) * factorial(k - s - 1) / factorial(k) if s < k else 0.0 for s in sizes])
    shares = np.zeros(k)
    for j in range(k):
        without = masks[(masks >> j & 1) == 0]
        shares[j] = float(np.sum(weight[without] * (values[without | (1 << j)] - values[without])))
    return shares


def relative_weights(corr: FloatArray, groups: Sequence[Sequence[int]]) -> FloatArray:
    """Johnson's (2000) relative weights, summed over each group's columns; they sum to the full R2.

    >>> corr = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])
    >>> relative_weights(corr, [[0], [1]]).round(4).tolist()
    [0.36, 0.09]
    """
    index = sorted(c for group in groups for c in group)
    between = corr[np.ix_(index, index)]
    with_outcome = corr[index, -1]
    eigenvalues, vectors = np.linalg.eigh(between)
    root = np.sqrt(np.clip(eigenvalues, 0.0, None))
    # Lambda: correlations of the columns with their orthogonal counterparts Z (the symmetric square root).
    loadings = (vectors * root) @ vectors.T
    beta = np.linalg.lstsq(loadings, with_outcome, rcond=1e-10)[0]
    raw = (loadings**2) @ (beta**2)
    position = {c: i for i, c in enumerate(index)}
    return np.array([sum(raw[position[c]] for c in group) for group in groups])
