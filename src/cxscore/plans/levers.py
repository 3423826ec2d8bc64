"""The levers a role controls (new, retained and expansion ARR, CX metrics) and what a plan pays for
moving each: the average slope of the whole payout across last year's plausible range of outcomes.
See docs/concepts/balance-check.md.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from cxscore.plans.definition import Plan, Reading
from cxscore.plans.evaluation import Booking, Inputs, Measure, evaluate, money
from cxscore.plans.facts import Facts, payout_period

if TYPE_CHECKING:
    from cxscore.plans.api import Payroll

__all__ = ["RETENTION_METRICS", "Lever", "Outcomes", "book_per_period", "nps_gap", "plausible_range"]

#: Metrics that are retained ARR in another unit: one more dollar kept moves them by a known amount.
RETENTION_METRICS = ("renewal_rate", "logo_retention", "gross_revenue_retention", "net_revenue_retention")


@dataclass(frozen=True)
class Lever:
    """One thing the role controls, and what the plan pays for moving it."""

    name: str
    unit: str
    low: float
    high: float
    per_unit: float
    """Average marginal payout per unit (a dollar, or a metric point) over the plausible range."""
    per_dollar: float | None
    """Payout per dollar of value (None when the metric cannot be converted to dollars)."""
    how: str


Payout = Callable[[Inputs], float]


def payout_of(plan: Plan) -> Payout:
    def pay(inputs: Inputs) -> float:
        return float(sum(evaluate(plan, inputs).exact.values(), Decimal(0)))

    return pay


def plausible_range(values: list[float]) -> tuple[float, float] | None:
    """The plausible range: 10th to 90th percentile (min to max when they coincide)."""
    if len(values) < 2:
        return None
    cuts = statistics.quantiles(values, n=10, method="inclusive")
    low, high = cuts[0], cuts[-1]
    if high <= low:
        low, high = min(values), max(values)
    return (low, high) if high > low else None


def set_booked(inputs: Inputs, kind: str, amount: float) -> Inputs:
    kept = tuple(b for b in inputs.bookings if b.kind != kind)
    extra = (
        (Booking(f"whatif-{kind}", kind, dt.date(2000, 1, 1), Decimal(repr(amount))),) if amount > 0 else ()
    )
    return replace(inputs, bookings=kept + extra)


def booked_arr(inputs: Inputs, kind: str) -> float:
    return float(sum((b.arr for b in inputs.bookings if b.kind == kind), Decimal(0)))


def shift(inputs: Inputs, reading: Reading, to: Callable[[Measure], float | None]) -> Inputs:
    """The inputs with the reading's own measure moved to a value (thin measures stay thin)."""
    own, team = inputs.measures.get(reading, (None, None))
    if own is None or own.thin:
        return inputs
    value = to(own)
    measures = dict(inputs.measures)
    measures[reading] = (replace(own, value=value), team)
    return replace(inputs, measures=measures)


def slope(
    pay: Payout,
    cases: list[Inputs],
    low: Callable[[Inputs], Inputs],
    high: Callable[[Inputs], Inputs],
    width: float,
) -> float:
    return statistics.fmean((pay(high(c)) - pay(low(c))) / width for c in cases)


def _dollars_to_metric(reading: Reading, measure: Measure, dollars: float, term_arr: float) -> float | None:
    """How far `dollars` more retained ARR moves a retention metric of this scope."""
    assert measure.value is not None
    if reading.metric in ("gross_revenue_retention", "net_revenue_retention"):
        if not measure.starting:
            return measure.value
        moved = measure.value + dollars / measure.starting
        return min(moved, 1.0) if reading.metric == "gross_revenue_retention" else moved
    return min(1.0, max(0.0, measure.value + dollars / (term_arr * max(measure.n, 1))))


class Outcomes:
    """Last year's person-periods of one role under one plan, and the levers measured on them."""

    def __init__(self, payroll: Payroll, plan: Plan, role: str, year: int) -> None:
        self.payroll, self.plan, self.role, self.year = payroll, plan, role, year
        self.facts: Facts = payroll.facts
        self.pay = payout_of(plan)
        self.cases: list[Inputs] = []
        periods = [f"{year}-Q{q}" for q in range(1, 5)] if plan.period == "quarter" else [str(year)]
        for text in periods:
            period = payout_period(plan, text)
            for person, stint in self.facts.participants(plan, period).items():
                if stint.role_id == role:
                    inputs, _ = self.facts.inputs(plan, person, stint.team_id, period, churns=False)
                    self.cases.append(inputs)
        ended = [
            float(c["arr"])
            for c in self.facts.contracts
            if c["kind"] in ("new_business", "renewal")
            and c["end_date"].year == year
            and c["renewal_outcome"]
        ]
        self.term_arr = statistics.fmean(ended) if ended else 1.0

    def booking_lever(self, kind: str, name: str, retention: bool) -> tuple[Lever, float, float] | None:
        """A lever on booked ARR: its bookings slope, plus (for retention) the retention metrics' slopes."""
        span = plausible_range([booked_arr(c, kind) for c in self.cases])
        if span is None:
            return None
        low, high = span
        booked = slope(
            self.pay,
            self.cases,
            lambda c: set_booked(c, kind, low),
            lambda c: set_booked(c, kind, high),
            high - low,
        )
        metric_part = 0.0
        parts = [f"bookings {booked:.2%}"]
        if retention:
            for reading in dict.fromkeys(r for r in self.plan.readings() if r.metric in RETENTION_METRICS):
                part = reading.window * self._retention_slope(reading, kind, low, high)
                metric_part += part
                parts.append(f"{reading.metric} over {reading.window} period(s) {part:.2%}")
        total = booked + metric_part
        cur = self.plan.currency
        how = (
            f"{name} from {whole(low, cur)} to {whole(high, cur)} a {self.plan.period} "
            f"(10th to 90th percentile of {len(self.cases)} person-periods): " + " + ".join(parts)
        )
        return Lever(name, "USD", low, high, total, total, how), booked, metric_part

    def _retention_slope(self, reading: Reading, kind: str, low: float, high: float) -> float:
        def at(amount: float) -> Callable[[Inputs], Inputs]:
            def move(c: Inputs) -> Inputs:
                delta = amount - booked_arr(c, kind)
                return shift(c, reading, lambda m: _dollars_to_metric(reading, m, delta, self.term_arr))

            return move

        return slope(self.pay, self.cases, at(low), at(high), high - low)

    def cx_lever(self, reading: Reading, dollars_per_point: float | None) -> Lever | None:
        values = [
            m.value
            for c in self.cases
            if (m := c.measures.get(reading, (None, None))[0]) is not None
            and not m.thin
            and m.value is not None
        ]
        span = plausible_range(values)
        if span is None:
            return None
        low, high = span
        rise = reading.window * slope(
            self.pay,
            self.cases,
            lambda c: shift(c, reading, lambda m: low),
            lambda c: shift(c, reading, lambda m: high),
            high - low,
        )
        point = 1.0 if reading.metric == "nps" else 0.01
        per_point = rise * point
        per_dollar = per_point / dollars_per_point if dollars_per_point else None
        unit = "point" if reading.metric == "nps" else "percentage point"
        value_text = (
            f"; one {unit} is worth {whole(dollars_per_point, self.plan.currency)} of retained ARR a period"
            if dollars_per_point
            else "; no conversion to dollars for this metric"
        )
        how = (
            f"{reading.metric} ({reading.scope}, {reading.window} period(s)) from {low:.3g} to {high:.3g} "
            f"(10th to 90th percentile of {len(values)} evaluated person-periods): "
            f"{money(Decimal(str(round(per_point, 2))), self.plan.currency)} per {unit}{value_text}"
        )
        return Lever(reading.metric, unit, low, high, per_point, per_dollar, how)


def nps_gap(payroll: Payroll, year: int) -> float | None:
    """Retention of accounts by their relationship NPS answer (the 12 months before the term ended):
    half the gap between promoters and detractors is what one NPS point is worth per dollar of book."""
    import ibis

    store = payroll.store
    responses, contracts = store.table("responses"), store.table("contracts")
    answered = responses.filter(responses.nps.notnull() & responses.account_id.notnull())
    terms = contracts.filter(
        contracts.kind.isin(["new_business", "renewal"])
        & contracts.renewal_outcome.notnull()
        & (contracts.renewal_outcome != "pending")
    )
    day = answered.responded_at.cast("date")
    joined = answered.join(
        terms,
        [
            answered.account_id == terms.account_id,
            terms.end_date >= day,
            terms.end_date <= day + ibis.interval(days=365),
        ],
    )
    category = ibis.cases((joined.nps >= 9, "promoter"), (joined.nps <= 6, "detractor"), else_="passive")
    # 1.0 or 0.0 by a CASE, not a cast: PostgreSQL cannot cast a boolean to double precision.
    kept = (joined.renewal_outcome != "churned").ifelse(1.0, 0.0)
    rates = (
        joined.mutate(category=category, kept=kept)
        .group_by("category")
        .aggregate(rate=lambda t: t.kept.mean(), n=lambda t: t.count())
        .execute()
    )
    found = dict(zip(rates.category, rates.rate, strict=True))
    if "promoter" not in found or "detractor" not in found:
        return None
    return float(found["promoter"] - found["detractor"]) / 2


def book_per_period(payroll: Payroll, plan: Plan, role: Outcomes) -> float | None:
    """The median ARR up for renewal per person-period of the role (GRR's starting amount)."""
    frame = payroll.engine.compute(
        "gross_revenue_retention",
        ["person"],
        plan.period,
        dt.date(role.year, 1, 1),
        dt.date(role.year, 12, 31),
    )
    people = {c.person_id for c in role.cases}
    mine = frame[frame.scope_id.isin(people)]
    return float(mine.starting.median()) if not mine.empty else None


def whole(value: float | Decimal, currency: str) -> str:
    """An amount rounded to whole units of the plan's currency, e.g. 1,235.00 EUR."""
    return money(Decimal(round(value)), currency)


def own_measures(role: Outcomes, reading: Reading) -> list[Measure]:
    """The person's (or team's) own measures of a reading over the role's person-periods."""
    return [m for c in role.cases if (m := c.measures.get(reading, (None, None))[0]) is not None]
