"""How values and changes of a metric are written: a change in a share is in percentage points.

A CSAT that goes from 42% to 91% changed by +49 points, not by "+49%" (which would read as a relative
change of 49%). Every place that prints a change uses `format_change`.
"""

from __future__ import annotations

import math
import re

__all__ = ["format_change", "format_value"]


def format_value(value: float | None, spec: str) -> str:
    """A value in the metric's display format (a Python format spec such as `.1%`).

    >>> format_value(0.912, ".1%")
    '91.2%'
    >>> format_value(float("nan"), ".1%")
    'n/a'
    """
    if value is None or math.isnan(value):
        return "n/a"
    try:
        return format(value, spec)
    except ValueError:
        return f"{value:.3g}"


def format_change(value: float | None, spec: str) -> str:
    """A difference between two values of the metric, with its sign; shares in percentage points.

    >>> format_change(0.57, ".1%")
    '+57.0 pts'
    >>> format_change(-1.25, ".2f")
    '-1.25'
    >>> format_change(12.0, "+.0f")
    '+12'
    """
    if value is None or math.isnan(value):
        return "n/a"
    bare = spec.lstrip("+")
    if bare.endswith("%"):
        digits = re.search(r"\.(\d+)", bare)
        return f"{100 * value:+.{digits.group(1) if digits else '0'}f} pts"
    try:
        return format(value, "+" + bare)
    except ValueError:
        return f"{value:+.3g}"
