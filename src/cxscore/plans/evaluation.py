"""Paying one person for one period: every component of a plan on that person's bookings and metrics.

Pure functions over `Inputs` (no store): the API gathers the inputs, the tests hand-compute them. Money
is `Decimal`, exact until each line is rounded once to cents (half to even); a statement's total is the
sum of its rounded lines, so the lines always add up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal

from cxscore.metrics.display import format_value
from cxscore.plans.definition import Bonus, Commission, Multiplier, Plan, Reading, Tier, TierMode

__all__ = [
    "Booking",
    "Churn",
    "Evaluation",
    "Inputs",
    "Line",
    "Measure",
    "bonus_amount",
    "cents",
    "commission_amount",
    "evaluate",
    "money",
    "multiplier_factor",
]

CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    """Round once to cents, half to even (banker's rounding: no drift over many lines).

    >>> cents(Decimal("2.345")), cents(Decimal("2.355")), cents(Decimal("-2.345"))
    (Decimal('2.34'), Decimal('2.36'), Decimal('-2.34'))
    """
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def money(amount: Decimal, currency: str = "USD") -> str:
    """An amount as a compensation admin reads it.

    >>> money(Decimal("-12345.5"), "EUR")
    '-12,345.50 EUR'
    """
    return f"{cents(amount):,.2f} {currency}"


def _rate(rate: Decimal) -> str:
    return f"{rate * 100:.4f}".rstrip("0").rstrip(".") + "%"


@dataclass(frozen=True)
class Booking:
    """A contract credited to the person, booked in the period while they held a plan role."""

    contract_id: str
    kind: str
    booked_on: dt.date
    arr: Decimal


@dataclass(frozen=True)
class Churn:
    """A churned contract the person was paid on, ending in this period, and what each component paid.

    `paid` maps a commission's name to the exact amount that commission paid on this contract in its
    booking period (its share of the commission, before multipliers).
    """

    contract_id: str
    kind: str
    booked_on: dt.date
    ended_on: dt.date
    arr: Decimal
    booked_in: str
    paid: Mapping[str, Decimal]


@dataclass(frozen=True)
class Measure:
    """A metric's result for one scope over a reading's window, as the metric engine gave it."""

    metric: str
    scope: str
    scope_id: str
    value: float | None
    n: int
    lower: float | None
    upper: float | None
    min_n: int
    higher_is_better: bool = True
    spec: str = ".3g"
    starting: float | None = None
    """For retention metrics: the ARR the value is a share of (the balance check converts with it)."""
    goal: float | None = None
    """The scope's goal for the period's year, when the plan compares with it."""
    goal_note: str = ""

    @property
    def thin(self) -> bool:
        return self.value is None or self.n < self.min_n

    def describe(self) -> str:
        interval = ""
        if self.lower is not None and self.upper is not None:
            interval = (
                f", 95% CI {format_value(self.lower, self.spec)} to {format_value(self.upper, self.spec)}"
            )
        value = format_value(self.value, self.spec)
        return f"{self.metric} of {self.scope} {self.scope_id}: {value} (n={self.n}{interval})"


@dataclass(frozen=True)
class Inputs:
    """Everything one person's statement for one period is computed from."""

    person_id: str
    period: str
    bookings: tuple[Booking, ...] = ()
    churns: tuple[Churn, ...] = ()
    measures: Mapping[Reading, tuple[Measure | None, Measure | None]] = field(default_factory=dict)
    """For each reading: the person's (or team's, as the reading says) measure, and the team's as the
    fallback for thin samples."""


@dataclass(frozen=True)
class Line:
    """One line of a statement: what it pays (negative for a clawback) and how it was computed."""

    component: str
    kind: str
    label: str
    amount: Decimal
    how: str
    figures: tuple[tuple[str, str], ...] = ()
    contracts: tuple[tuple[str, str], ...] = ()
    """For commissions and clawbacks: (contract id, amount in cents) per contract."""


@dataclass(frozen=True)
class Evaluation:
    """The lines of one person-period, and the exact amounts behind them (for clawbacks and what-if)."""

    lines: tuple[Line, ...]
    exact: Mapping[str, Decimal]
    allocations: Mapping[str, Mapping[str, Decimal]]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


def commission_amount(c: Commission, base: Decimal, gate_met: bool = True) -> Decimal:
    """The exact commission on `base`: threshold, tiers (no tier above the first rate when the gate is
    not met), then the cap.

    >>> from cxscore.plans.definition import Commission, Tier, TierMode, Location
    >>> c = Commission("n", "n", ("new_business",), (Tier(Decimal(0), Decimal("0.08")),
    ...     Tier(Decimal(100000), Decimal("0.12"))), TierMode.MARGINAL, Location("p.yml", 1))
    >>> commission_amount(c, Decimal(150000)), commission_amount(c, Decimal(150000), gate_met=False)
    (Decimal('14000.00'), Decimal('12000.00'))
    """
    if c.threshold is not None and base < c.threshold:
        return Decimal(0)
    if c.gate is not None and not gate_met and c.gate.locks == "component":
        return Decimal(0)
    first = c.tiers[0].rate
    # A locked accelerator pays the first tier's rate; a tier paying less than that (a decelerator) stays.
    tiers = c.tiers if gate_met else tuple(Tier(t.start, min(t.rate, first)) for t in c.tiers)
    if c.tier_mode is TierMode.RETROACTIVE:
        amount = base * [t for t in tiers if t.start <= base][-1].rate
    else:
        amount = Decimal(0)
        for tier, following in zip(tiers, [*tiers[1:], None], strict=True):
            top = base if following is None else min(base, following.start)
            amount += tier.rate * max(Decimal(0), top - tier.start)
    return min(amount, c.cap) if c.cap is not None else amount


def bonus_amount(
    b: Bonus, value: Decimal, higher_is_better: bool = True, goal: Decimal | None = None
) -> Decimal:
    """The exact bonus for a metric value: all at `at` (a step) or a share of it on the ramp.

    >>> from cxscore.plans.definition import Bonus, Reading, Location
    >>> ramp = Bonus("r", "r", Reading("gross_revenue_retention"), Decimal(3000), Location("p.yml", 1),
    ...              start=Decimal("0.85"), full=Decimal("0.95"))
    >>> bonus_amount(ramp, Decimal("0.9")), bonus_amount(ramp, Decimal("0.99"))
    (Decimal('1500.0'), Decimal('3000'))
    """
    at = goal if b.reading.goal else b.at
    if at is not None:
        reached = value >= at if higher_is_better else value <= at
        return b.amount if reached else Decimal(0)
    if b.reading.goal:
        return Decimal(0)  # no goal was set: nothing to reach
    assert b.start is not None and b.full is not None
    share = (value - b.start) / (b.full - b.start)
    return b.amount * min(Decimal(1), max(Decimal(0), share))


def multiplier_factor(m: Multiplier, value: Decimal) -> Decimal:
    """The factor of the last step whose `from` the value reaches (the first step's below them all).

    >>> from cxscore.plans.definition import Multiplier, Reading, Step, Location
    >>> m = Multiplier("x", "x", Reading("nps"), (Step(Decimal(0), Decimal("0.9")),
    ...     Step(Decimal(30), Decimal("1.1"))), ("new",), Location("p.yml", 1))
    >>> multiplier_factor(m, Decimal(-40)), multiplier_factor(m, Decimal(30))
    (Decimal('0.9'), Decimal('1.1'))
    """
    reached = [s.factor for s in m.steps if s.start <= value]
    return reached[-1] if reached else m.steps[0].factor


@dataclass(frozen=True)
class _Decision:
    """Which measure a reading decides on, and the note saying why when it is not the person's own."""

    measure: Measure | None
    note: str
    forced: str | None = None  # when no measure decides: the plan's choice (met, not_met, pay, skip, neutral)


_FALLBACK = {"gate": "not_met", "bonus": "skip", "multiplier": "neutral"}
_SAYS = {
    "met": "treat the gate as met",
    "not_met": "treat the gate as not met",
    "pay": "pay the bonus in full",
    "skip": "pay no bonus",
    "neutral": "apply no multiplier (factor 1)",
}


def _decide(reading: Reading, inputs: Inputs, use: str) -> _Decision:
    own, team = inputs.measures.get(reading, (None, None))
    if own is not None and not own.thin:
        return _Decision(own, f"{own.describe()}")
    minimum = reading.min_n if reading.min_n is not None else (own.min_n if own else 1)
    had = f"{own.n} in the window" if own is not None else "no data in the window"
    thin = f"{reading.metric} not evaluated on the {reading.scope}: {had}, minimum {minimum}"
    if reading.when_thin == "team":
        if team is not None and not team.thin:
            return _Decision(team, f"{thin}; the plan says: use the team's value: {team.describe()}")
        team_had = f"{team.n}" if team is not None else "no data"
        return _Decision(
            None,
            f"{thin}; the plan says: use the team's value, but the team is thin too ({team_had}); "
            f"so {_SAYS[_FALLBACK[use]]}",
            _FALLBACK[use],
        )
    return _Decision(None, f"{thin}; the plan says: {_SAYS[reading.when_thin]}", reading.when_thin)


def _gate_met(c: Commission, inputs: Inputs) -> tuple[bool, str]:
    if c.gate is None:
        return True, ""
    gate = c.gate
    decision = _decide(gate.reading, inputs, "gate")
    word = "at least" if gate.at_least else "at most"
    if decision.measure is None:
        met = decision.forced == "met"
        return met, f"gate ({gate.reading.metric} {word} {gate.target}): {decision.note}"
    value = Decimal(str(decision.measure.value))
    goal = decision.measure.goal
    bar = gate.target if gate.target is not None else None if goal is None else Decimal(str(goal))
    locked = "accelerators locked" if gate.locks == "accelerators" else "nothing paid"
    if bar is None:
        return (
            False,
            f"gate ({gate.reading.metric} {word} its goal): {decision.note}: no goal set "
            f"({decision.measure.goal_note or 'no goal'}), not met, {locked}",
        )
    met = value >= bar if gate.at_least else value <= bar
    status = "met" if met else f"not met, {locked}"
    target = format_value(float(bar), decision.measure.spec)
    named = f"its {target} goal" if gate.target is None else target
    return met, f"gate ({gate.reading.metric} {word} {named}): {decision.note}: {status}"


def _commission(c: Commission, inputs: Inputs, currency: str) -> tuple[Line, Decimal, dict[str, Decimal]]:
    mine = [b for b in inputs.bookings if b.kind in c.on]
    base = sum((b.arr for b in mine), Decimal(0))
    met, gate_note = _gate_met(c, inputs)
    exact = commission_amount(c, base, met)
    uncapped = commission_amount(replace(c, cap=None), base, met)
    parts = [f"{money(base, currency)} of {'/'.join(c.on)} ARR on {len(mine)} contract(s)"]
    if c.threshold is not None:
        parts.append(
            f"threshold {money(c.threshold, currency)} {'reached' if base >= c.threshold else 'not reached'}"
        )
    parts.append(_tiers_text(c, met, currency))
    if gate_note:
        parts.append(gate_note)
    if c.cap is not None:
        parts.append(
            f"capped at {money(c.cap, currency)}"
            if uncapped > c.cap
            else f"cap {money(c.cap, currency)} not reached"
        )
    allocation = _allocate(exact, mine, base)
    figures = (
        ("base", f"{cents(base)}"),
        ("contracts", str(len(mine))),
        ("gate_met", "" if c.gate is None else str(met).lower()),
        ("uncapped", f"{cents(uncapped)}"),
        ("effective_rate", _rate(exact / base) if base > 0 else ""),
    )
    line = Line(
        c.name, "commission", c.label, cents(exact), "; ".join(parts), figures,
        tuple((k, str(cents(v))) for k, v in sorted(allocation.items())),
    )  # fmt: skip
    return line, exact, allocation


def _allocate(exact: Decimal, bookings: list[Booking], base: Decimal) -> dict[str, Decimal]:
    """Each contract's share of the commission, by its share of the ARR; the last takes the remainder so
    the shares add up to exactly what was paid (a clawback takes back one share)."""
    if base <= 0:
        return {}
    shares = {b.contract_id: exact * b.arr / base for b in bookings[:-1]}
    shares[bookings[-1].contract_id] = exact - sum(shares.values(), Decimal(0))
    return shares


def _tiers_text(c: Commission, met: bool, currency: str) -> str:
    first = c.tiers[0].rate
    tiers = c.tiers if met else tuple(t for t in c.tiers if t.rate <= first)
    if len(tiers) == 1:
        return f"at {_rate(tiers[0].rate)}"
    shown = ", ".join(f"{_rate(t.rate)} from {money(t.start, currency)}" for t in tiers)
    return f"{c.tier_mode.value} tiers: {shown}"


def _bonus(b: Bonus, inputs: Inputs, currency: str) -> tuple[Line, Decimal]:
    decision = _decide(b.reading, inputs, "bonus")
    if decision.measure is None:
        exact = b.amount if decision.forced == "pay" else Decimal(0)
    else:
        goal = decision.measure.goal
        exact = bonus_amount(
            b,
            Decimal(str(decision.measure.value)),
            decision.measure.higher_is_better,
            None if goal is None else Decimal(str(goal)),
        )
    spec = decision.measure.spec if decision.measure is not None else ".3g"
    if b.reading.goal:
        goal = decision.measure.goal if decision.measure is not None else None
        reached = "no goal set" if goal is None else f"its goal {format_value(goal, spec)}"
        rule = f"{money(b.amount, currency)} at {reached}"
    elif b.at is not None:
        rule = f"{money(b.amount, currency)} at {format_value(float(b.at), spec)}"
    else:
        assert b.start is not None and b.full is not None
        rule = (
            f"rising from nothing at {format_value(float(b.start), spec)} to {money(b.amount, currency)} "
            f"at {format_value(float(b.full), spec)}"
        )
    line = Line(b.name, "bonus", b.label, cents(exact), f"{decision.note}; {rule}",
                (("value", "" if decision.measure is None else repr(decision.measure.value)),))  # fmt: skip
    return line, exact


def _multiplier(
    m: Multiplier, inputs: Inputs, exact: Mapping[str, Decimal], currency: str
) -> tuple[Line, Decimal]:
    decision = _decide(m.reading, inputs, "multiplier")
    if decision.measure is None:
        factor = Decimal(1)
    else:
        factor = multiplier_factor(m, Decimal(str(decision.measure.value)))
    base = sum((exact.get(name, Decimal(0)) for name in m.applies_to), Decimal(0))
    amount = (factor - 1) * base
    how = f"{decision.note}; factor {factor} on {money(base, currency)} of {', '.join(m.applies_to)}"
    return Line(m.name, "multiplier", m.label, cents(amount), how, (("factor", str(factor)),)), amount


def _clawbacks(plan: Plan, inputs: Inputs, currency: str) -> list[tuple[Line, Decimal]]:
    found = []
    for c in plan.components:
        if not isinstance(c, Commission) or c.clawback is None:
            continue
        for churn in inputs.churns:
            days = (churn.ended_on - churn.booked_on).days
            paid = churn.paid.get(c.name, Decimal(0))
            if churn.kind not in c.on or days > c.clawback.days or paid <= 0:
                continue
            how = (
                f"{churn.contract_id} ({churn.kind}, {money(churn.arr, currency)}) booked {churn.booked_on} "
                f"churned at the end of its term on {churn.ended_on}, {days} days after the sale (clawback "
                f"within {c.clawback.days}); {c.name} paid {money(paid, currency)} on it in "
                f"{churn.booked_in}, taken back in full"
            )
            line = Line(f"{c.name}", "clawback", f"Clawback: {c.label}", -cents(paid), how,
                        (("booked_in", churn.booked_in), ("days", str(days))),
                        ((churn.contract_id, str(-cents(paid))),))  # fmt: skip
            found.append((line, -paid))
    return found


def evaluate(plan: Plan, inputs: Inputs) -> Evaluation:
    """Every line of one person's statement for one period, in the plan's order, then the clawbacks."""
    lines: list[Line] = []
    exact: dict[str, Decimal] = {}
    allocations: dict[str, Mapping[str, Decimal]] = {}
    for component in plan.components:
        if isinstance(component, Commission):
            line, amount, allocation = _commission(component, inputs, plan.currency)
            allocations[component.name] = allocation
        elif isinstance(component, Bonus):
            line, amount = _bonus(component, inputs, plan.currency)
        else:
            line, amount = _multiplier(component, inputs, exact, plan.currency)
        lines.append(line)
        exact[component.name] = amount
    for line, amount in _clawbacks(plan, inputs, plan.currency):
        lines.append(line)
        exact[f"clawback:{line.contracts[0][0]}"] = amount
    return Evaluation(tuple(lines), exact, allocations)
