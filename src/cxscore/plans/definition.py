"""Incentive plans as written in `plans/*.yml`: frozen, typed, and each part knows its file and line.

A plan pays the people of some roles per period (a quarter or a year) through components: commissions
on booked ARR, bonuses and multipliers on a metric. Money and rates are `Decimal`, never floats.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from cxscore.metrics.definition import Location

__all__ = [
    "BASES",
    "Bonus",
    "Clawback",
    "Commission",
    "Component",
    "Gate",
    "Location",
    "Multiplier",
    "Plan",
    "Reading",
    "Step",
    "Tier",
    "TierMode",
]

#: What a commission can be paid on: the contract kinds of the data model (new logos, renewals, upsell).
BASES = ("new_business", "renewal", "expansion")


class TierMode(enum.Enum):
    """How a commission's tiers apply to the base."""

    MARGINAL = "marginal"  # each slice of the base pays the rate of its own tier (no cliff)
    RETROACTIVE = "retroactive"  # the whole base pays the rate of the highest tier reached (a cliff)


@dataclass(frozen=True)
class Tier:
    """From `start` (an amount of the base in the period) on, the rate is `rate`."""

    start: Decimal
    rate: Decimal


@dataclass(frozen=True)
class Reading:
    """Where a component reads a metric: which metric, of whom, over how many periods, how much data.

    `window` counts payout periods ending with the one paid (4 quarters: a rolling year). Under `min_n`
    the value is too thin to decide on and `when_thin` says what to do instead.
    """

    metric: str
    scope: str = "person"  # person, or team: the person's team at the end of the period
    window: int = 1
    min_n: int | None = None  # default: the metric's own min_n
    when_thin: str = "team"
    goal: bool = False
    """Whether the component compares with the scope's own goal for the year (goals/*.yml policies)."""


@dataclass(frozen=True)
class Gate:
    """A condition on a metric that unlocks a commission's accelerators (or the whole commission).

    Met when the metric is at least (or at most) `target` (None: the scope's own goal for the period's
    year, set by the project's goal policies); `locks` says what is withheld when it is not:
    `accelerators` (every tier pays the first tier's rate) or `component` (nothing is paid).
    """

    reading: Reading
    target: Decimal | None
    at_least: bool
    locks: str
    location: Location


@dataclass(frozen=True)
class Clawback:
    """A sale whose contract churns within `days` of its booking gives its commission back."""

    days: int
    location: Location


@dataclass(frozen=True)
class Commission:
    """A rate (or tiers of rates) on the ARR booked in the period on contracts of the kinds `on`."""

    name: str
    label: str
    on: tuple[str, ...]
    tiers: tuple[Tier, ...]
    tier_mode: TierMode
    location: Location
    threshold: Decimal | None = None
    cap: Decimal | None = None
    gate: Gate | None = None
    clawback: Clawback | None = None

    kind = "commission"

    @property
    def accelerated(self) -> bool:
        """Whether any tier pays more than the first one."""
        return any(t.rate > self.tiers[0].rate for t in self.tiers[1:])


@dataclass(frozen=True)
class Bonus:
    """An amount paid on a metric: in full at `at` (a step; `at: goal` is the scope's own goal, kept in
    `reading.goal`), or rising linearly from `start` to `full`."""

    name: str
    label: str
    reading: Reading
    amount: Decimal
    location: Location
    at: Decimal | None = None
    start: Decimal | None = None
    full: Decimal | None = None

    kind = "bonus"


@dataclass(frozen=True)
class Step:
    """From metric value `start` on, the factor is `factor`."""

    start: Decimal
    factor: Decimal


@dataclass(frozen=True)
class Multiplier:
    """Multiplies the payout of other components by a factor that depends on a metric (a CX multiplier)."""

    name: str
    label: str
    reading: Reading
    steps: tuple[Step, ...]
    applies_to: tuple[str, ...]
    location: Location

    kind = "multiplier"


Component = Commission | Bonus | Multiplier


@dataclass(frozen=True)
class Plan:
    """One incentive plan: who it pays, how often, and its components in the order they are computed."""

    name: str
    label: str
    roles: tuple[str, ...]
    components: tuple[Component, ...]
    file: str
    text: str
    """The file's exact content: its sha256 is part of every statement's plan version."""
    status: str = "active"  # active: `cxscore payouts` uses it; proposal: what-if and check only
    period: str = "quarter"
    currency: str = "USD"
    description: str = ""

    def component(self, name: str) -> Component:
        """The component called `name`."""
        return next(c for c in self.components if c.name == name)

    def readings(self) -> tuple[Reading, ...]:
        """Every metric reading the plan's components and gates need."""
        found: list[Reading] = []
        for c in self.components:
            if isinstance(c, Commission) and c.gate is not None:
                found.append(c.gate.reading)
            elif isinstance(c, Bonus | Multiplier):
                found.append(c.reading)
        return tuple(found)
