"""The comparison the engine tests rely on fails where two answers differ, and only there."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest


@dataclass(frozen=True)
class Line:
    name: str
    amount: Decimal
    share: float | None
    on: dt.date


@dataclass(frozen=True)
class Other:
    name: str


LINE = Line("renewals", Decimal("25143.70"), 0.25, dt.date(2025, 12, 31))


def test_answers_within_the_float_tolerance_are_the_same(assert_same: Any) -> None:
    closer = Line("renewals", Decimal("25143.70"), 0.25 * (1 + 1e-12), LINE.on)
    assert_same([LINE, {"n": 3}], [closer, {"n": 3}])
    assert_same(pd.DataFrame({"x": [1.0, float("nan")]}), pd.DataFrame({"x": [1.0, float("nan")]}))


@pytest.mark.parametrize(
    "other",
    [
        Line("renewals", Decimal("25143.71"), 0.25, LINE.on),  # a cent
        Line("renewals", Decimal("25143.70"), 0.25 * (1 + 1e-8), LINE.on),  # beyond 1e-9
        Line("renewals", Decimal("25143.70"), None, LINE.on),  # None vs a number
        Line("renewals", Decimal("25143.70"), float("nan"), LINE.on),  # NaN vs a number
        Line("renewals", Decimal("25143.70"), 0.25, pd.Timestamp(LINE.on)),  # a timestamp for a date
        Line("Renewals", Decimal("25143.70"), 0.25, LINE.on),
    ],
)
def test_any_difference_in_a_leaf_is_found_and_named(assert_same: Any, other: Line) -> None:
    with pytest.raises(AssertionError, match=r"answer\[0\]\."):
        assert_same([LINE], [other])


def test_order_length_keys_and_types_count(assert_same: Any) -> None:
    with pytest.raises(AssertionError, match="2 items vs 1"):
        assert_same([LINE, LINE], [LINE])
    with pytest.raises(AssertionError):
        assert_same({"a": 1, "b": 2}, {"b": 2, "a": 1})
    with pytest.raises(AssertionError, match="int vs float"):
        assert_same({"n": 3}, {"n": 3.0})
    with pytest.raises(AssertionError):
        assert_same(pd.DataFrame({"x": [1, 2]}), pd.DataFrame({"x": [2, 1]}))
    with pytest.raises(AssertionError, match="Line vs Other"):
        assert_same(LINE, Other("renewals"))
