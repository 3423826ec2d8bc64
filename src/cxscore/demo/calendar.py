"""The demo company's calendar: the three years it covers, days as integers, and seasonality.

Days are numpy `datetime64[D]` values held as int64 day numbers (days since 1970-01-01), timestamps as
int64 seconds, so that whole columns are computed with integer arithmetic.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

__all__ = [
    "DAY",
    "END",
    "FIRST_DAY",
    "LAST_DAY",
    "START",
    "Ints",
    "day",
    "month_of",
    "office_hours",
    "random_days",
    "seasonal_weights",
    "year_of",
]

Ints = npt.NDArray[np.int64]

#: The company's history covers these three full years; follow-ups of late-December events spill into
#: January 2026, which is still in the past when the demo is generated.
START = dt.date(2023, 1, 1)
END = dt.date(2025, 12, 31)
DAY = 86_400


def day(value: dt.date | str) -> int:
    """The day number of a date.

    >>> day("1970-01-02")
    1
    """
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return (date - dt.date(1970, 1, 1)).days


FIRST_DAY = day(START)
LAST_DAY = day(END)

#: Support volume by calendar month: Q1 is the busiest quarter (year-end releases land, budgets reset).
CASE_VOLUME_BY_MONTH = np.array([1.35, 1.30, 1.22, 1.0, 0.95, 0.92, 0.85, 0.88, 0.98, 1.0, 0.97, 0.80])


def month_of(days: Ints) -> Ints:
    """Calendar month (1-12) of each day number.

    >>> month_of(np.array([day("2024-02-29")])).tolist()
    [2]
    """
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months % 12 + 1


def year_of(days: Ints) -> Ints:
    """Calendar year of each day number.

    >>> year_of(np.array([day("2025-12-31")])).tolist()
    [2025]
    """
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def seasonal_weights() -> npt.NDArray[np.float64]:
    """Relative support volume of each day from START to END: month seasonality, quiet weekends."""
    days = np.arange(FIRST_DAY, LAST_DAY + 1, dtype=np.int64)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    weekend = np.where(weekday >= 5, 0.25, 1.0)
    return np.asarray(CASE_VOLUME_BY_MONTH[month_of(days) - 1] * weekend, dtype=np.float64)


_CUMULATIVE = np.concatenate([[0.0], np.cumsum(seasonal_weights())])
_CUMULATIVE /= _CUMULATIVE[-1]


def random_days(rng: np.random.Generator, low: Ints, high: Ints) -> Ints:
    """One seasonal random day in [low, high] (day numbers, inside START..END) per row.

    Draws from the seasonal distribution restricted to each row's window, by inverting its CDF.
    """
    lo = np.clip(low, FIRST_DAY, LAST_DAY) - FIRST_DAY
    hi = np.clip(high, FIRST_DAY, LAST_DAY) - FIRST_DAY
    u = _CUMULATIVE[lo] + rng.random(len(lo)) * (_CUMULATIVE[hi + 1] - _CUMULATIVE[lo])
    index = np.searchsorted(_CUMULATIVE, u, side="right") - 1
    return np.asarray(np.clip(index, lo, hi), dtype=np.int64) + FIRST_DAY


def office_hours(rng: np.random.Generator, days: Ints) -> Ints:
    """A timestamp (seconds) on each day, mostly in office hours (around 13:00, spread +-3 hours)."""
    seconds = np.clip(rng.normal(13 * 3600, 3 * 3600, len(days)), 0, DAY - 1).astype(np.int64)
    return days * DAY + seconds
