"""Scorecard periods: a quarter (2025-Q4) or a year (2025), and the latest complete quarter of a store."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cxscore.errors import ConfigError

if TYPE_CHECKING:
    from cxscore.store import Store

__all__ = ["Period", "first_year", "latest_complete_quarter"]

_PATTERN = re.compile(r"^(\d{4})(?:-?Q([1-4]))?$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """A quarter or a whole year.

    >>> Period.parse("2025-Q2").start, Period.parse("2025-Q2").end
    (datetime.date(2025, 4, 1), datetime.date(2025, 6, 30))
    >>> Period.parse("2025").label
    '2025'
    """

    year: int
    quarter: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period:
        found = _PATTERN.match(text.strip())
        if not found:
            raise ConfigError(f"Period '{text}' is not a quarter or a year. Write e.g. 2025-Q4 or 2025.")
        return cls(int(found.group(1)), int(found.group(2)) if found.group(2) else None)

    @property
    def grain(self) -> str:
        return "year" if self.quarter is None else "quarter"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        if self.quarter is None or self.quarter == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year}-Q{self.quarter}"

    @property
    def parts_of_year(self) -> int:
        """How many such periods make a year: 4 for a quarter, 1 for a year."""
        return 1 if self.quarter is None else 4

    @property
    def year_to_date_window(self) -> int:
        """How many quarters from January to the end of this period (1 for a year: the year itself)."""
        return 1 if self.quarter is None else self.quarter

    def __str__(self) -> str:
        return self.label


def latest_complete_quarter(store: Store) -> Period:
    """The last quarter that ended on or before the latest survey answer in the store.

    Follow-ups of the last quarter's work (late answers) can fall in the next quarter; that quarter is
    not complete and is not chosen.
    """
    latest = store.table("responses").responded_at.max().execute()
    day = dt.date.today() if latest is None or str(latest) == "NaT" else latest.date()
    quarter = (day.month - 1) // 3 + 1
    period = Period(day.year, quarter)
    if day == period.end:
        return period
    return Period(day.year, quarter - 1) if quarter > 1 else Period(day.year - 1, 4)


def first_year(store: Store) -> int | None:
    """The year of the earliest survey answer or case in the store (None when it holds neither)."""
    years = []
    for table, column in (("responses", "responded_at"), ("cases", "opened_at")):
        earliest = store.table(table)[column].min().execute()
        if earliest is not None and str(earliest) != "NaT":
            years.append(int(earliest.year))
    return min(years) if years else None
