"""What to compute: the slicing, the time grain, the date range, the rolling window and the interval level."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cxscore.errors import ConfigError

__all__ = ["GRAINS", "SCOPES", "Query"]

#: Time grains and their Ibis truncation units.
GRAINS: dict[str, str] = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}
#: Periods of each grain in a year, for "same period last year".
PER_YEAR: dict[str, int] = {"week": 52, "month": 12, "quarter": 4, "year": 1}
#: The `by` names that pick who is credited rather than slicing by a column.
SCOPES = ("team", "person")


@dataclass(frozen=True)
class Query:
    """How to slice a metric: by scope and dimensions, per period of a grain, over an optional date range.

    `by` holds at most one scope (`team` rolls up through the hierarchy, `person`), plus any dimensions
    (`segment`, `region`, `product`, `channel`, `touchpoint`, `role`, or a column of the source).
    Without a scope the results are for the whole company. `window` > 1 makes each period a rolling
    window of that many periods ending with it.

    >>> Query(by=("team", "segment"), grain="quarter").scope
    'team'
    """

    by: tuple[str, ...] = ()
    grain: str = "month"
    start: dt.date | None = None
    end: dt.date | None = None
    window: int = 1
    level: float = 0.95

    def __post_init__(self) -> None:
        if self.grain not in GRAINS:
            raise ConfigError(f"Unknown grain '{self.grain}'. Use one of: {', '.join(GRAINS)}.")
        scopes = [b for b in self.by if b in SCOPES]
        if len(scopes) > 1:
            raise ConfigError(
                f"Slice by one scope at a time, not {' and '.join(scopes)}: pick team or person."
            )
        if len(set(self.by)) != len(self.by):
            raise ConfigError(f"by names a dimension twice: {', '.join(self.by)}. Name each once.")
        if self.window < 1:
            raise ConfigError(f"window must be at least 1 period, not {self.window}.")
        if not 0 < self.level < 1:
            raise ConfigError(f"level must be between 0 and 1 (e.g. 0.95), not {self.level}.")
        if self.start and self.end and self.start > self.end:
            raise ConfigError(f"start {self.start} is after end {self.end}. Swap them.")

    @property
    def scope(self) -> str:
        """`team`, `person` or `company`."""
        return next((b for b in self.by if b in SCOPES), "company")

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(b for b in self.by if b not in SCOPES)

    @property
    def fetch_from(self) -> dt.date | None:
        """The first day to read: a year (and a window) before `start`, for the comparisons."""
        if self.start is None:
            return None
        return dt.date(self.start.year - 2, self.start.month, 1)
