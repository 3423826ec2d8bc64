"""Results as plain data for JSON: NaN (a number that does not apply) becomes null."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["without_nan"]


def without_nan(value: Any) -> Any:
    """`value` with every float NaN, at any depth of dicts, lists and tuples, replaced by None.

    >>> without_nan({"a": float("nan"), "b": [1.0, (float("nan"),)]})
    {'a': None, 'b': [1.0, [None]]}
    """
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: without_nan(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [without_nan(v) for v in value]
    return value
