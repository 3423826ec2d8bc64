"""How a diagnosis writes a metric's values, differences and intervals (a share's difference in points).

>>> from cxscore.metrics import load_catalog
>>> units = Units.of(load_catalog().get("csat"))
>>> units.value(0.781), units.change(-0.081)
('78.1%', '-8.1 pts')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxscore import stats
from cxscore.metrics.definition import Metric
from cxscore.metrics.display import format_change, format_value

__all__ = ["Units"]


@dataclass(frozen=True)
class Units:
    """A metric's kind and display format."""

    kind: str
    spec: str

    @classmethod
    def of(cls, metric: Metric) -> Units:
        return cls(metric.aggregation.value, metric.format or ".3g")

    def value(self, value: float) -> str:
        return format_value(value, self.spec)

    def change(self, value: float) -> str:
        return format_change(value, self.spec)

    def interval(self, cells: pd.DataFrame, level: float = 0.95) -> tuple[float, float]:
        """The interval of the mean outcome of `cells` (n, _s the sum of outcomes, _ss their squares)."""
        n, s, ss = float(cells["n"].sum()), float(cells["_s"].sum()), float(cells["_ss"].sum())
        if n == 0:
            return float("nan"), float("nan")
        if self.kind == "share":
            lower, upper = stats.wilson_interval(s, n, level)
        elif self.kind == "nps":
            promoters = round((ss / 1e4 + s / 100) / 2)
            detractors = round((ss / 1e4 - s / 100) / 2)
            lower, upper = stats.nps_interval(promoters, detractors, n, level)
        else:
            mean = s / n
            sd = float(np.sqrt(max((ss - n * mean**2) / max(n - 1, 1), 0.0)))
            lower, upper = stats.mean_interval(mean, sd, n, level)
        return float(lower), float(upper)
