"""Attainment: whether a goal was met, decided with the interval, never with the point value alone."""

from __future__ import annotations

import enum
import math

__all__ = ["POINTS", "Attainment", "decide"]


class Attainment(enum.StrEnum):
    """How a result compares with its goal, given its confidence interval."""

    MET = "met"  # the whole interval is at or beyond the goal
    LIKELY_MET = "likely met"  # the value is at or beyond the goal, the interval reaches below it
    LIKELY_NOT_MET = "likely not met"  # the value falls short, the interval reaches the goal
    NOT_MET = "not met"  # the whole interval falls short of the goal
    INSUFFICIENT = "insufficient data"  # n under the metric's minimum (or no result): never scored
    NO_GOAL = "no goal"  # no goal could be set (no benchmark and no history)


#: The points each attainment adds to the weighted score; the others are left out of it.
POINTS: dict[Attainment, float] = {
    Attainment.MET: 1.0,
    Attainment.LIKELY_MET: 0.75,
    Attainment.LIKELY_NOT_MET: 0.25,
    Attainment.NOT_MET: 0.0,
}


def decide(
    value: float, lower: float, upper: float, goal: float, higher_is_better: bool, insufficient: bool
) -> Attainment:
    """The attainment of one result.

    >>> decide(0.82, 0.78, 0.86, 0.75, True, False).value
    'met'
    >>> decide(0.78, 0.70, 0.85, 0.75, True, False).value
    'likely met'
    >>> decide(0.08, 0.05, 0.12, 0.10, False, False).value   # reopen rate: lower is better
    'likely met'
    >>> decide(0.95, 0.80, 1.0, 0.75, True, True).value
    'insufficient data'
    """
    if insufficient or math.isnan(value):
        return Attainment.INSUFFICIENT
    if math.isnan(goal):
        return Attainment.NO_GOAL
    if not higher_is_better:
        value, lower, upper, goal = -value, -upper, -lower, -goal
    if math.isnan(lower) or math.isnan(upper):
        return Attainment.LIKELY_MET if value >= goal else Attainment.LIKELY_NOT_MET
    if lower >= goal:
        return Attainment.MET
    if value >= goal:
        return Attainment.LIKELY_MET
    return Attainment.LIKELY_NOT_MET if upper >= goal else Attainment.NOT_MET
