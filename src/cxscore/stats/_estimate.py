"""One reported number: its value, sample size, interval, level and the method behind the interval."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from cxscore.stats._inputs import check_level
from cxscore.stats._means import mean_interval
from cxscore.stats._nps import nps_interval
from cxscore.stats._proportions import wilson_interval
from cxscore.stats._rates import rate_interval


class Method(enum.StrEnum):
    """How an interval was computed; the value is what results tables and reports store."""

    WILSON = "wilson"
    NPS_ADJUSTED_WALD = "nps_adjusted_wald"
    STUDENT_T = "student_t"
    POISSON_EXACT = "poisson_exact"
    GAMMA_WEIGHTED_POISSON = "gamma_weighted_poisson"
    ORDER_STATISTIC = "order_statistic"
    BOOTSTRAP_PERCENTILE = "bootstrap_percentile"
    EMPIRICAL_BAYES = "empirical_bayes"


@dataclass(frozen=True)
class Estimate:
    """A value with its sample size and confidence interval, so no number travels without its noise.

    >>> Estimate(42.0, n=120, lower=33.1, upper=50.2, level=0.95, method=Method.NPS_ADJUSTED_WALD).format()
    '42.0 (95% CI 33.1 to 50.2, n=120)'
    """

    value: float
    n: int
    lower: float
    upper: float
    level: float
    method: Method

    def __post_init__(self) -> None:
        check_level(self.level)

    def format(self, digits: int = 1) -> str:
        """The value, its interval and n for people: '42.0 (95% CI 33.1 to 50.2, n=120)'.

        >>> Estimate(math.nan, 0, math.nan, math.nan, 0.9, Method.WILSON).format()
        'n/a (n=0)'
        """
        if math.isnan(self.value):
            return f"n/a (n={self.n})"
        value = f"{self.value:.{digits}f}"
        label = f"{self.level * 100:g}% CI"
        if math.isnan(self.lower) or math.isnan(self.upper):
            return f"{value} ({label} n/a, n={self.n})"
        return f"{value} ({label} {self.lower:.{digits}f} to {self.upper:.{digits}f}, n={self.n})"

    @property
    def half_width(self) -> float:
        """Half the interval's width: the '+-' people quote (NaN without an interval)."""
        return (self.upper - self.lower) / 2.0

    @classmethod
    def proportion(cls, successes: float, n: int, level: float = 0.95) -> Estimate:
        """A share of n (as a fraction) with its Wilson interval.

        >>> Estimate.proportion(81, 100).format(3)
        '0.810 (95% CI 0.722 to 0.875, n=100)'
        """
        lower, upper = wilson_interval(successes, n, level)
        value = successes / n if n > 0 else math.nan
        return cls(value, n, float(lower), float(upper), level, Method.WILSON)

    @classmethod
    def nps(cls, promoters: float, detractors: float, n: int, level: float = 0.95) -> Estimate:
        """An NPS in points with its adjusted-Wald interval.

        >>> Estimate.nps(60, 15, 120).format()
        '37.5 (95% CI 24.2 to 48.9, n=120)'
        """
        lower, upper = nps_interval(promoters, detractors, n, level)
        value = 100.0 * (promoters - detractors) / n if n > 0 else math.nan
        return cls(value, n, float(lower), float(upper), level, Method.NPS_ADJUSTED_WALD)

    @classmethod
    def mean(cls, mean: float, sd: float, n: int, level: float = 0.95) -> Estimate:
        """A mean with its Student t interval.

        >>> Estimate.mean(5.2, 1.1, 40).format(2)
        '5.20 (95% CI 4.85 to 5.55, n=40)'
        """
        lower, upper = mean_interval(mean, sd, n, level)
        return cls(mean if n > 0 else math.nan, n, float(lower), float(upper), level, Method.STUDENT_T)

    @classmethod
    def rate(cls, events: float, exposure: float, n: int, level: float = 0.95) -> Estimate:
        """Events per unit of exposure with its exact Poisson interval; `n` is the number of units observed.

        >>> Estimate.rate(3, 100, 100, 0.9).format(3)
        '0.030 (90% CI 0.008 to 0.078, n=100)'
        """
        lower, upper = rate_interval(events, exposure, level)
        value = events / exposure if exposure > 0 else math.nan
        return cls(value, n, float(lower), float(upper), level, Method.POISSON_EXACT)
