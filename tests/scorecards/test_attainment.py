"""Attainment is decided with the interval: property tests of its definition."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from cxscore.scorecards.attainment import POINTS, Attainment, decide

values = st.floats(-100, 100, allow_nan=False)


@given(values, values, values, values)
def test_the_categories_follow_the_interval(a: float, b: float, c: float, goal: float) -> None:
    lower, value, upper = sorted((a, b, c))
    found = decide(value, lower, upper, goal, True, False)
    if lower >= goal:
        assert found is Attainment.MET
    elif value >= goal:
        assert found is Attainment.LIKELY_MET
    elif upper >= goal:
        assert found is Attainment.LIKELY_NOT_MET
    else:
        assert found is Attainment.NOT_MET


@given(values, values, values, values)
def test_lower_is_better_mirrors_higher_is_better(a: float, b: float, c: float, goal: float) -> None:
    lower, value, upper = sorted((a, b, c))
    assert decide(value, lower, upper, goal, False, False) is decide(
        -value, -upper, -lower, -goal, True, False
    )


@given(values, values, values, values)
def test_insufficient_data_is_never_scored(a: float, b: float, c: float, goal: float) -> None:
    lower, value, upper = sorted((a, b, c))
    found = decide(value, lower, upper, goal, True, True)
    assert found is Attainment.INSUFFICIENT and found not in POINTS


def test_no_goal_and_no_value() -> None:
    assert decide(0.5, 0.4, 0.6, math.nan, True, False) is Attainment.NO_GOAL
    assert decide(math.nan, math.nan, math.nan, 0.5, True, False) is Attainment.INSUFFICIENT
