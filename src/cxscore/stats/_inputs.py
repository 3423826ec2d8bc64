"""Input checks and conversions shared by every statistic.

Every public function accepts scalars or array-likes and returns float64 arrays broadcast together, so the
metric engine can pass whole columns of aggregated results at once. An empty group (n == 0) is not an error:
it yields NaN. Impossible inputs (a negative count, a level outside (0, 1)) raise `StatisticsError` with the
bad value and the fix.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import stats as _scipy_stats

from cxscore.errors import StatisticsError

FloatArray: TypeAlias = npt.NDArray[np.float64]
"""What every vectorised statistic returns: float64, NaN where undefined."""

Interval: TypeAlias = tuple[FloatArray, FloatArray]
"""Lower and upper bounds, each broadcast to the shape of the inputs."""


def check_level(level: float) -> float:
    """Return `level` as a float if it is a confidence level strictly between 0 and 1.

    >>> check_level(0.9)
    0.9
    """
    value = float(level)
    if not 0.0 < value < 1.0:
        raise StatisticsError(
            f"Confidence level {level!r} is outside (0, 1). Give a fraction, e.g. 0.95 for a 95% interval."
        )
    return value


def z_value(level: float) -> float:
    """The two-sided standard normal critical value for `level` (1.959963984540054 at 0.95).

    >>> round(z_value(0.95), 4)
    1.96
    """
    return float(_scipy_stats.norm.ppf(0.5 + check_level(level) / 2.0))


def as_float(name: str, values: npt.ArrayLike) -> FloatArray:
    """Convert `values` to a float64 array; NaN passes through (a missing aggregate stays missing)."""
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise StatisticsError(
            f"{name} must be numbers, got {values!r}. Pass numbers or arrays of them."
        ) from error


def as_count(name: str, values: npt.ArrayLike) -> FloatArray:
    """Convert `values` to float64 and refuse negative entries, which no count can have."""
    array = as_float(name, values)
    negative = array < 0  # NaN compares False, so missing values pass
    if np.any(negative):
        worst = float(np.min(array[negative]))
        raise StatisticsError(
            f"{name} must not be negative, got {worst:g}. Counts, sample sizes and exposures are >= 0; "
            "check the query or the column that produced them."
        )
    return array


def check_not_above(name: str, part: FloatArray, whole_name: str, whole: FloatArray) -> None:
    """Refuse a part larger than its whole, e.g. more promoters than responses."""
    too_big = part > whole
    if np.any(too_big):
        index = tuple(int(i) for i in np.argwhere(too_big)[0])
        bad_part = float(np.broadcast_to(part, too_big.shape)[index])
        bad_whole = float(np.broadcast_to(whole, too_big.shape)[index])
        raise StatisticsError(
            f"{name} ({bad_part:g}) is larger than {whole_name} ({bad_whole:g}). "
            f"A part cannot exceed its whole; check that both count the same rows."
        )


def check_fraction(name: str, values: FloatArray, *, open_interval: bool = False) -> None:
    """Refuse values outside [0, 1] (or (0, 1) when `open_interval`)."""
    outside = (values <= 0) | (values >= 1) if open_interval else (values < 0) | (values > 1)
    if np.any(outside):
        worst = float(values[outside].flat[0])
        bounds = "(0, 1)" if open_interval else "[0, 1]"
        raise StatisticsError(
            f"{name} {worst:g} is outside {bounds}. Give it as a fraction, e.g. 0.25 for 25%."
        )


def check_positive(name: str, values: FloatArray) -> None:
    """Refuse values that are zero or negative where only a positive number makes sense."""
    bad = values <= 0
    if np.any(bad):
        worst = float(values[bad].flat[0])
        raise StatisticsError(f"{name} must be positive, got {worst:g}.")
