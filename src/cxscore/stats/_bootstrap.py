"""Percentile bootstrap (Efron & Tibshirani 1993, ch. 13) for statistics without a closed-form interval.

The fallback for statistics such as a trimmed mean, a ratio of sums over rows, or a difference of
medians. It resamples in memory, so it is for a sample a scope has fetched, not for a whole table.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from cxscore.errors import StatisticsError
from cxscore.stats._inputs import as_float, check_level

Statistic = Callable[[npt.NDArray[np.float64]], float]
"""A function of one sample (a 1-D array of values, or a 2-D array of rows) returning one number."""


def bootstrap_interval(
    values: npt.ArrayLike,
    statistic: Statistic,
    level: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of `statistic` over `values`; (NaN, NaN) for an empty sample.

    Rows (the first axis) are resampled with replacement `resamples` times from a generator seeded with
    `seed`, so the answer is reproducible. The rows are sorted first, so the answer does not depend on
    the order in which the engine returned them.

    >>> lower, upper = bootstrap_interval([3, 5, 4, 6, 2, 5, 4, 7, 3, 5], np.mean)
    >>> print(f"{lower:.2f} to {upper:.2f}")
    3.50 to 5.30
    """
    alpha = 1.0 - check_level(level)
    if resamples < 1:
        raise StatisticsError(f"resamples must be at least 1, got {resamples}. 2000 is a sound default.")
    sample = _sorted_rows(np.atleast_1d(as_float("values", values)))
    if sample.shape[0] == 0:
        return float("nan"), float("nan")
    generator = np.random.default_rng(seed)
    rows = generator.integers(0, sample.shape[0], size=(resamples, sample.shape[0]))
    estimates = np.array([statistic(sample[chosen]) for chosen in rows], dtype=np.float64)
    lower, upper = np.quantile(estimates, [alpha / 2.0, 1.0 - alpha / 2.0])
    return float(lower), float(upper)


def _sorted_rows(sample: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The sample with its rows in a canonical order: by value, or lexicographically for 2-D rows."""
    if sample.ndim == 1:
        return np.sort(sample)
    if sample.ndim == 2:
        return sample[np.lexsort(sample.T[::-1])]
    raise StatisticsError(
        f"bootstrap_interval needs a 1-D sample or 2-D rows, got an array of shape {sample.shape}."
    )
