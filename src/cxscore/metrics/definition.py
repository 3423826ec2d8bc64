"""What a metric is: frozen, typed objects parsed from YAML that remember the file and line they came from.

The definition says *what* to measure; `compiler.py` says how to compute it on an engine, and
`result.py` turns the engine's sufficient statistics into values with intervals.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Union

__all__ = [
    "AGGREGATIONS",
    "BOUNDS",
    "Aggregation",
    "AllOf",
    "AnyOf",
    "Attribution",
    "Comparison",
    "Condition",
    "Direction",
    "Duration",
    "Facts",
    "Location",
    "Metric",
    "Not",
    "Retention",
]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a definition file, for error messages: ``metrics/nps.yml:4``."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class Aggregation(enum.Enum):
    """How the facts of one scope and period become one number."""

    NPS = "nps"  # % promoters (9-10) minus % detractors (0-6) of a 0-10 column
    SHARE = "share"  # share of facts meeting the `success` condition (top-box, rates of yes/no outcomes)
    MEAN = "mean"  # mean of a column or a duration
    RATIO = "ratio"  # count (or sum) of numerator facts over count (or sum) of denominator facts
    RATE = "rate"  # count of numerator facts per unit of exposure (the denominator), a Poisson rate
    RETENTION = "retention"  # logo, gross (capped) or net revenue retention of terms that ended
    COUNT = "count"  # number of facts
    SUM = "sum"  # total of a column, e.g. ARR booked
    PERCENTILE = "percentile"  # a quantile (the median by default) of a column or a duration


AGGREGATIONS = tuple(a.value for a in Aggregation)

#: The range of each aggregation's values (not listed: any number, e.g. a mean or a percentile of a
#: column). A gross or logo retention is narrower than a net one: see `Metric.bounds`.
BOUNDS: dict[Aggregation, tuple[float, float]] = {
    Aggregation.NPS: (-100.0, 100.0),
    Aggregation.SHARE: (0.0, 1.0),
    Aggregation.RETENTION: (0.0, math.inf),
    Aggregation.SUM: (0.0, math.inf),
    Aggregation.COUNT: (0.0, math.inf),
    Aggregation.RATE: (0.0, math.inf),
    Aggregation.RATIO: (0.0, math.inf),
}


class Direction(enum.Enum):
    """Whether a higher value is better (NPS) or worse (reopen rate)."""

    HIGHER = "higher"
    LOWER = "lower"


@dataclass(frozen=True)
class Comparison:
    """`column op value`, e.g. ``{column: csat, ge: 4}``; `op` is one of `OPERATORS` in `conditions.py`."""

    column: str
    op: str
    value: object
    location: Location


@dataclass(frozen=True)
class AllOf:
    """Every condition holds (a YAML list of conditions means this)."""

    conditions: tuple[Condition, ...]
    location: Location


@dataclass(frozen=True)
class AnyOf:
    """At least one condition holds: ``{any: [...]}``."""

    conditions: tuple[Condition, ...]
    location: Location


@dataclass(frozen=True)
class Not:
    """The condition does not hold: ``{not: {...}}``."""

    condition: Condition
    location: Location


Condition = Union[Comparison, AllOf, AnyOf, Not]  # noqa: UP007 (a runtime alias; `|` needs the classes first)


@dataclass(frozen=True)
class Attribution:
    """Who gets the credit for a fact, as of the time of the fact.

    - `person`: a column of the source naming the credited person; their team is the membership valid
      on the fact's date (`memberships`), falling back to the `team` column when there is none.
    - `team`: a column naming the credited team directly.
    - `owner`: an effective-dated ownership table (`account_owners`, `product_managers`): the owner on
      the fact's date is the credited person.
    - `teams`: a table crediting every contributing team (`touchpoint_teams`), with no person.
    - `anonymous`: a boolean column; anonymous facts are credited to teams but never to a person.
    """

    location: Location
    person: str | None = None
    team: str | None = None
    owner: str | None = None
    teams: str | None = None
    anonymous: str | None = None

    @property
    def credits_people(self) -> bool:
        return self.person is not None or self.owner is not None

    @property
    def credits_teams(self) -> bool:
        return self.credits_people or self.team is not None or self.teams is not None

    def describe(self) -> str:
        """The attribution in a few words, for `metrics list` and the docs.

        >>> Attribution(Location("x.yml", 1), owner="account_owners").describe()
        'owner in account_owners'
        """
        if self.owner:
            return f"owner in {self.owner}"
        if self.teams:
            return f"every team in {self.teams}"
        if self.person:
            return f"{self.person}" + (f" (else {self.team})" if self.team else "")
        return f"team {self.team}" if self.team else "company only"


@dataclass(frozen=True)
class Facts:
    """A set of facts: rows of a source table, filtered, placed in time, credited to people and teams."""

    source: str
    time: str
    location: Location
    filters: Condition | None = None
    attribution: Attribution | None = None
    sum: str | None = None  # for the sides of a ratio or rate: add up this column instead of counting rows
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False, hash=False)

    def where(self, key: str) -> Location:
        """The location of field `key` (the mapping's own line when the field is inherited)."""
        return Location(self.location.file, self.lines.get(key, self.location.line))


@dataclass(frozen=True)
class Duration:
    """The time from one column to another, in `unit` (minutes, hours or days)."""

    start: str
    end: str
    unit: str
    location: Location


@dataclass(frozen=True)
class Retention:
    """Retention of terms that ended: `starting` value at the end of the term, `ending` value after it.

    `mode` is `logo` (share of `unit`s with any ending value), `gross` (ending capped at starting,
    so at most 100%) or `net` (with expansion).
    """

    mode: str
    starting: str
    ending: str
    unit: str | None
    location: Location


@dataclass(frozen=True)
class Metric:
    """One metric definition, as written in a YAML file."""

    name: str
    label: str
    description: str
    aggregation: Aggregation
    facts: Facts
    location: Location
    direction: Direction = Direction.HIGHER
    unit: str = ""
    format: str = ".1f"
    min_n: int = 1
    reference: str = ""
    column: str | None = None
    duration: Duration | None = None
    success: Condition | None = None
    quantile: float = 0.5
    numerator: Facts | None = None
    denominator: Facts | None = None
    retention: Retention | None = None
    origin: str = "built-in"
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False, hash=False)

    def where(self, key: str) -> Location:
        """The location of field `key` in the file (the metric's own line when unknown)."""
        return Location(self.location.file, self.lines.get(key, self.location.line))

    @property
    def bounds(self) -> tuple[float, float]:
        """The lowest and highest value the metric can take, from its definition: a gross revenue
        retention caps each term's ending at its starting and a logo retention is a share, so both are
        at most 1; a net retention counts expansion and has no top; a mean has no bounds at all.

        >>> from cxscore.metrics import load_catalog
        >>> catalog = load_catalog()
        >>> catalog.get("gross_revenue_retention").bounds, catalog.get("net_revenue_retention").bounds
        ((0.0, 1.0), (0.0, inf))
        """
        if self.retention is not None and self.retention.mode in ("gross", "logo"):
            return (0.0, 1.0)
        return BOUNDS.get(self.aggregation, (-math.inf, math.inf))

    @property
    def sides(self) -> tuple[Facts, ...]:
        """Every set of facts the metric reads (one, or the two sides of a ratio or rate)."""
        return tuple(f for f in (self.numerator, self.denominator) if f is not None) or (self.facts,)
