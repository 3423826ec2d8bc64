"""Periods as people write them: a year, a quarter or a month."""

from __future__ import annotations

import datetime as dt
import re

from cxscore.errors import DiagnosisError

__all__ = ["parse_period"]

_FORMS = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """First and last day of `2025`, `2025-Q2` or `2025-03`.

    >>> parse_period("2025-Q2")
    (datetime.date(2025, 4, 1), datetime.date(2025, 6, 30))
    """
    found = _FORMS.match(text.strip())
    if found is None:
        raise DiagnosisError(
            f"Period '{text}' is not a year, quarter or month (e.g. 2025, 2025-Q2, 2025-03)."
        )
    year = int(found["year"])
    if found["quarter"]:
        first_month, months = 3 * int(found["quarter"]) - 2, 3
    elif found["month"]:
        first_month, months = int(found["month"]), 1
    else:
        first_month, months = 1, 12
    start = dt.date(year, first_month, 1)
    following = dt.date(year + (first_month + months - 1) // 12, (first_month + months - 1) % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)
