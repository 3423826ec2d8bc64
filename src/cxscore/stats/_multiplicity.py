"""Adjusting p-values when many comparisons are made at once (every team's change on one scorecard).

Test forty teams at the 5% level and two will "significantly" change by chance alone. Before a scorecard
flags a change, or a ranking separates two people, the p-values of the whole family are adjusted together:
Holm (1979) controls the chance of any false flag; Benjamini & Hochberg (1995) the expected share of false
flags among those raised, which loses less power when many scopes are compared.
"""

from __future__ import annotations

import enum

import numpy as np
import numpy.typing as npt

from cxscore.errors import StatisticsError
from cxscore.stats._inputs import FloatArray, as_float


class Adjustment(enum.StrEnum):
    """How a family of p-values is adjusted."""

    HOLM = "holm"
    BENJAMINI_HOCHBERG = "benjamini_hochberg"


def adjust_pvalues(pvalues: npt.ArrayLike, method: Adjustment | str = Adjustment.HOLM) -> FloatArray:
    """Adjusted p-values of one family, in the input's order; NaN entries stay NaN and do not count.

    Compare the adjusted values with the level as usual (flag where adjusted < 0.05).

    >>> adjust_pvalues([0.01, 0.04, 0.03, 0.20]).tolist()
    [0.04, 0.09, 0.09, 0.2]
    >>> adjust_pvalues([0.01, 0.04, 0.03, 0.20], "benjamini_hochberg").round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.2]
    """
    try:
        chosen = Adjustment(method)
    except ValueError as error:
        names = ", ".join(a.value for a in Adjustment)
        raise StatisticsError(f"Unknown p-value adjustment {method!r}. Use one of: {names}.") from error
    values = as_float("pvalues", pvalues)
    flat = values.reshape(-1)
    bad = (flat < 0) | (flat > 1)
    if np.any(bad):
        raise StatisticsError(f"p-values must be within [0, 1], got {float(flat[bad][0]):g}.")
    present = ~np.isnan(flat)
    adjusted = np.full(flat.shape, np.nan)
    adjusted[present] = _ADJUST[chosen](flat[present])
    return adjusted.reshape(values.shape)


def _holm(pvalues: FloatArray) -> FloatArray:
    """Holm's step-down: the i-th smallest is multiplied by (m - i + 1), then made monotone upwards."""
    order = np.argsort(pvalues, kind="stable")
    m = pvalues.size
    stepped = np.maximum.accumulate((m - np.arange(m)) * pvalues[order])
    return _unsort(np.minimum(stepped, 1.0), order)


def _benjamini_hochberg(pvalues: FloatArray) -> FloatArray:
    """Benjamini-Hochberg step-up: the i-th smallest is multiplied by m / i, then made monotone downwards."""
    order = np.argsort(pvalues, kind="stable")
    m = pvalues.size
    scaled = pvalues[order] * m / np.arange(1, m + 1)
    stepped = np.minimum.accumulate(scaled[::-1])[::-1]
    return _unsort(np.minimum(stepped, 1.0), order)


def _unsort(sorted_values: FloatArray, order: npt.NDArray[np.intp]) -> FloatArray:
    result = np.empty_like(sorted_values)
    result[order] = sorted_values
    return result


_ADJUST = {Adjustment.HOLM: _holm, Adjustment.BENJAMINI_HOCHBERG: _benjamini_hochberg}
