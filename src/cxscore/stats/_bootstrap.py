"""Percentile bootstrap (Efron & Tibshirani 1993, ch. 13) for statistics without a closed-form interval.

The fallback for statistics such as a trimmed mean, a ratio of sums over rows, or a difference of
medians. It resamples in memory, so it is for a sample a scope has fetched, not for a whole table.
`bias_shifted_interval` moves a percentile interval by the bootstrap's estimate of the bias, for
statistics whose resampled values are biased, such as R2 and its shares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from cxscore.errors import StatisticsError
from cxscore.stats._inputs import as_float, check_level

Statistic = Callable[[npt.NDArray[np.float64]], Any]
"""A function of one sample (a 1-D array of values, or a 2-D array of rows) returning one number; or, when
vectorized, of a batch of samples (one more leading axis) returning one number per sample."""

# Resampled rows are drawn and evaluated in batches of about this many cells (8 MB of row indices).
_BATCH_CELLS = 1 << 20


def bootstrap_interval(
    values: npt.ArrayLike,
    statistic: Statistic,
    level: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
    *,
    vectorized: bool = False,
) -> tuple[float, float]:
    """Percentile bootstrap interval of `statistic` over `values`; (NaN, NaN) for an empty sample.

    Rows (the first axis) are resampled with replacement `resamples` times from a generator seeded with
    `seed`, so the answer is reproducible. The rows are sorted first, so the answer does not depend on
    the order in which the engine returned them. With `vectorized=True` the statistic is called once per
    batch of resamples, on an array with one more leading axis (resamples, rows[, columns]), and must
    return one value per resample; the answer is the same, hundreds of times faster.

    >>> lower, upper = bootstrap_interval([3, 5, 4, 6, 2, 5, 4, 7, 3, 5], np.mean)
    >>> print(f"{lower:.2f} to {upper:.2f}")
    3.50 to 5.30
    >>> bootstrap_interval([3, 5, 4, 6, 2, 5, 4, 7, 3, 5], lambda batch: batch.mean(axis=1), vectorized=True)
    (3.5, 5.3)
    """
    alpha = 1.0 - check_level(level)
    if resamples < 1:
        raise StatisticsError(f"resamples must be at least 1, got {resamples}. 2000 is a sound default.")
    sample = _sorted_rows(np.atleast_1d(as_float("values", values)))
    if sample.shape[0] == 0:
        return float("nan"), float("nan")
    estimates = np.concatenate(
        [
            _evaluate(statistic, sample[chosen], vectorized)
            for chosen in _resampled_rows(np.random.default_rng(seed), sample.shape[0], resamples)
        ]
    )
    lower, upper = np.quantile(estimates, [alpha / 2.0, 1.0 - alpha / 2.0])
    return float(lower), float(upper)


def bias_shifted_interval(
    estimates: npt.ArrayLike, observed: npt.ArrayLike, level: float = 0.95, floor: float | None = None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Percentile interval of a bootstrap distribution moved by the bootstrap's estimate of the bias.

    `estimates` holds the statistic of each resample (one row per resample, one column per statistic),
    `observed` the statistic of the sample itself. Some statistics come out higher on a resample than on
    the sample for a reason that has nothing to do with the population: R2 and its shares, refitted on a
    resample that repeats rows, explain more. Their plain percentile interval sits above the estimate
    and never reaches 0 for a driver that explains nothing. The bias is estimated as the mean of the
    resampled values minus the observed one (Efron & Tibshirani 1993, section 10.2), and the percentile
    bounds are moved down by it; `floor` (0 for shares) cuts bounds at the least possible value. The
    coverage of this and three other intervals on simulated regressions with known shares is in
    docs/concepts/key-drivers.md.

    >>> low, high = bias_shifted_interval([[0.10], [0.12], [0.13], [0.15], [0.20]], [0.12], 0.5, floor=0.0)
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.1, 0.13)
    """
    alpha = 1.0 - check_level(level)
    values = np.asarray(estimates, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, None]
    if values.shape[0] < 1:
        raise StatisticsError("bias_shifted_interval needs at least one resampled estimate.")
    bias = values.mean(axis=0) - np.asarray(observed, dtype=np.float64)
    lower = np.quantile(values, alpha / 2.0, axis=0) - bias
    upper = np.quantile(values, 1.0 - alpha / 2.0, axis=0) - bias
    if floor is not None:
        lower, upper = np.maximum(lower, floor), np.maximum(upper, floor)
    return lower, upper


def _resampled_rows(
    generator: np.random.Generator, rows: int, resamples: int
) -> Iterator[npt.NDArray[np.int64]]:
    """Row indices of the resamples, in batches of about a million cells so memory stays bounded.

    Drawing in batches consumes the generator exactly as one big draw would, so results do not depend on
    the batch size.
    """
    batch = max(1, _BATCH_CELLS // rows)
    for start in range(0, resamples, batch):
        yield generator.integers(0, rows, size=(min(batch, resamples - start), rows))


def _evaluate(
    statistic: Statistic, batch: npt.NDArray[np.float64], vectorized: bool
) -> npt.NDArray[np.float64]:
    """The statistic of every resample in a batch."""
    if vectorized:
        found = np.asarray(statistic(batch), dtype=np.float64).reshape(-1)
        if found.shape[0] != batch.shape[0]:
            raise StatisticsError(
                f"A vectorized statistic must return one value per resample: got {found.shape[0]} values "
                f"for {batch.shape[0]} resamples. Reduce over axis 1, e.g. batch.mean(axis=1)."
            )
        return found
    return np.array([statistic(resample) for resample in batch], dtype=np.float64)


def _sorted_rows(sample: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The sample with its rows in a canonical order: by value, or lexicographically for 2-D rows."""
    if sample.ndim == 1:
        return np.sort(sample)
    if sample.ndim == 2:
        return sample[np.lexsort(sample.T[::-1])]
    raise StatisticsError(
        f"bootstrap_interval needs a 1-D sample or 2-D rows, got an array of shape {sample.shape}."
    )
