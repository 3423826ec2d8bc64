"""The balance check: does a plan pay as much for a dollar kept as for a dollar won, and can its CX parts
be moved with effort? The method and its references are in docs/concepts/balance-check.md.

For each role a plan pays, over last year's person-periods (the plausible range of outcomes is their
10th to 90th percentile), the *marginal payout per dollar of value* of each lever the role controls:
new ARR, retained ARR, expansion ARR and each CX metric the plan reads (converted to retained ARR where
the data allow). The marginal is the average slope of the whole payout across that range, holding the
rest of each person-period as it was; an outcome that counts in a rolling window of w periods pays in w
statements, so its slope counts w times.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from cxscore.plans.definition import Bonus, Commission, Multiplier, Plan, Reading, Tier, TierMode
from cxscore.plans.evaluation import Booking, Inputs, Measure, commission_amount, evaluate, money
from cxscore.plans.facts import Facts, payout_period
from cxscore.plans.whatif import pay_year

if TYPE_CHECKING:
    from pathlib import Path

    from cxscore.plans.api import Payroll

__all__ = [
    "RETENTION_METRICS",
    "Finding",
    "Lever",
    "RoleBalance",
    "Suggestion",
    "balance",
    "check",
]

#: Metrics that are retained ARR in another unit: one more dollar kept moves them by a known amount.
RETENTION_METRICS = ("renewal_rate", "logo_retention", "gross_revenue_retention", "net_revenue_retention")
#: Acquisition paying this many times what retention pays per dollar is flagged (2x is the classic case).
RATIO_FLAG = 1.5
#: A CX component whose most it can pay in a period is under this share of the median pay is too small.
SMALL_SHARE = 0.05
#: A CX reading whose reliability (true spread over true spread plus sampling noise) is under this is noise.
RELIABILITY_FLAG = 0.5


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


@dataclass(frozen=True)
class Finding:
    """A problem the check found, with its kind (ratio, no_guard, small, noisy, cliff, cap)."""

    kind: str
    component: str
    message: str


@dataclass(frozen=True)
class Suggestion:
    """Rates that would equalise the marginal returns of new and retained ARR at last year's cost."""

    rates: tuple[tuple[str, str], ...]
    cost: Decimal
    actual: Decimal
    message: str


@dataclass(frozen=True)
class RoleBalance:
    """The check of one role under one plan."""

    plan: str
    file: str
    role: str
    year: int
    people: int
    periods: int
    levers: tuple[Lever, ...]
    findings: tuple[Finding, ...]
    suggestion: Suggestion | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "file": self.file,
            "role": self.role,
            "year": self.year,
            "people": self.people,
            "person_periods": self.periods,
            "levers": [vars(x) for x in self.levers],
            "findings": [vars(f) for f in self.findings],
            "suggestion": None
            if self.suggestion is None
            else {
                "rates": dict(self.suggestion.rates),
                "cost_last_year": str(self.suggestion.cost),
                "actual_last_year": str(self.suggestion.actual),
                "message": self.suggestion.message,
            },
        }


Payout = Callable[[Inputs], float]


def _payout(plan: Plan) -> Payout:
    def pay(inputs: Inputs) -> float:
        return float(sum(evaluate(plan, inputs).exact.values(), Decimal(0)))

    return pay


def _range(values: list[float]) -> tuple[float, float] | None:
    """The plausible range: 10th to 90th percentile (min to max when they coincide)."""
    if len(values) < 2:
        return None
    cuts = statistics.quantiles(values, n=10, method="inclusive")
    low, high = cuts[0], cuts[-1]
    if high <= low:
        low, high = min(values), max(values)
    return (low, high) if high > low else None


def _set_base(inputs: Inputs, kind: str, amount: float) -> Inputs:
    kept = tuple(b for b in inputs.bookings if b.kind != kind)
    extra = (
        (Booking(f"whatif-{kind}", kind, dt.date(2000, 1, 1), Decimal(repr(amount))),) if amount > 0 else ()
    )
    return replace(inputs, bookings=kept + extra)


def _base(inputs: Inputs, kind: str) -> float:
    return float(sum((b.arr for b in inputs.bookings if b.kind == kind), Decimal(0)))


def _shift(inputs: Inputs, reading: Reading, to: Callable[[Measure], float | None]) -> Inputs:
    """The inputs with the reading's own measure moved to a value (thin measures stay thin)."""
    own, team = inputs.measures.get(reading, (None, None))
    if own is None or own.thin:
        return inputs
    value = to(own)
    measures = dict(inputs.measures)
    measures[reading] = (replace(own, value=value), team)
    return replace(inputs, measures=measures)


def _slope(
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


class _Role:
    """Last year's person-periods of one role under one plan, and the levers measured on them."""

    def __init__(self, payroll: Payroll, plan: Plan, role: str, year: int) -> None:
        self.payroll, self.plan, self.role, self.year = payroll, plan, role, year
        self.facts: Facts = payroll.facts
        self.pay = _payout(plan)
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
        span = _range([_base(c, kind) for c in self.cases])
        if span is None:
            return None
        low, high = span
        booked = _slope(
            self.pay,
            self.cases,
            lambda c: _set_base(c, kind, low),
            lambda c: _set_base(c, kind, high),
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
        how = (
            f"{name} from {money(Decimal(round(low)))} to {money(Decimal(round(high)))} a {self.plan.period} "
            f"(10th to 90th percentile of {len(self.cases)} person-periods): " + " + ".join(parts)
        )
        return Lever(name, "USD", low, high, total, total, how), booked, metric_part

    def _retention_slope(self, reading: Reading, kind: str, low: float, high: float) -> float:
        def at(amount: float) -> Callable[[Inputs], Inputs]:
            def move(c: Inputs) -> Inputs:
                delta = amount - _base(c, kind)
                return _shift(c, reading, lambda m: _dollars_to_metric(reading, m, delta, self.term_arr))

            return move

        return _slope(self.pay, self.cases, at(low), at(high), high - low)

    def cx_lever(self, reading: Reading, dollars_per_point: float | None) -> Lever | None:
        values = [
            m.value
            for c in self.cases
            if (m := c.measures.get(reading, (None, None))[0]) is not None
            and not m.thin
            and m.value is not None
        ]
        span = _range(values)
        if span is None:
            return None
        low, high = span
        slope = reading.window * _slope(
            self.pay,
            self.cases,
            lambda c: _shift(c, reading, lambda m: low),
            lambda c: _shift(c, reading, lambda m: high),
            high - low,
        )
        point = 1.0 if reading.metric == "nps" else 0.01
        per_point = slope * point
        per_dollar = per_point / dollars_per_point if dollars_per_point else None
        unit = "point" if reading.metric == "nps" else "percentage point"
        value_text = (
            f"; one {unit} is worth {money(Decimal(round(dollars_per_point)))} of retained ARR a period"
            if dollars_per_point
            else "; no conversion to dollars for this metric"
        )
        how = (
            f"{reading.metric} ({reading.scope}, {reading.window} period(s)) from {low:.3g} to {high:.3g} "
            f"(10th to 90th percentile of {len(values)} evaluated person-periods): "
            f"{money(Decimal(str(round(per_point, 2))))} per {unit}{value_text}"
        )
        return Lever(reading.metric, unit, low, high, per_point, per_dollar, how)


def _nps_value(payroll: Payroll, year: int) -> float | None:
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
    kept = (joined.renewal_outcome != "churned").cast("float64")
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


def _book(payroll: Payroll, plan: Plan, role: _Role) -> float | None:
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


def balance(payroll: Payroll, plan: Plan, year: int) -> list[RoleBalance]:
    """The balance check of every role `plan` pays, on `year`'s data."""
    found = []
    for role_id in plan.roles:
        role = _Role(payroll, plan, role_id, year)
        if not role.cases:
            continue
        found.append(_check_role(payroll, plan, role))
    return found


def _check_role(payroll: Payroll, plan: Plan, role: _Role) -> RoleBalance:
    levers: list[Lever] = []
    new = role.booking_lever("new_business", "new ARR", retention=False)
    kept = role.booking_lever("renewal", "retained ARR", retention=True)
    grown = role.booking_lever("expansion", "expansion ARR", retention=False)
    levers += [x[0] for x in (new, kept, grown) if x is not None]
    findings: list[Finding] = []
    nps_gap = _nps_value(payroll, role.year)
    book = _book(payroll, plan, role)
    cx_readings = [r for r in dict.fromkeys(plan.readings()) if r.metric not in RETENTION_METRICS]
    for reading in cx_readings:
        dollars = 0.01 * nps_gap * book if reading.metric == "nps" and nps_gap and book else None
        lever = role.cx_lever(reading, dollars)
        if lever is not None:
            levers.append(lever)
    findings += _ratio(plan, new, kept)
    findings += _guards(plan)
    findings += _cx(plan, role, cx_readings)
    findings += _cliffs(plan, role)
    if any(f.kind in ("ratio", "no_guard") for f in findings):
        findings += _teams(payroll, plan, role)
    suggestion = (
        _suggest(payroll, plan, role, new, kept) if any(f.kind == "ratio" for f in findings) else None
    )
    people = len({c.person_id for c in role.cases})
    return RoleBalance(
        plan.name,
        plan.file,
        role.role,
        role.year,
        people,
        len(role.cases),
        tuple(levers),
        tuple(findings),
        suggestion,
    )


def _ratio(
    plan: Plan, new: tuple[Lever, float, float] | None, kept: tuple[Lever, float, float] | None
) -> list[Finding]:
    if new is None or new[0].per_unit <= 0:
        return []
    retention = kept[0].per_unit if kept is not None else 0.0
    if retention <= 0:
        return [
            Finding(
                "ratio", "", f"new ARR pays {new[0].per_unit:.2%} per dollar and retained ARR pays nothing."
            )
        ]
    ratio = new[0].per_unit / retention
    if ratio < RATIO_FLAG:
        return []
    return [
        Finding(
            "ratio",
            "",
            f"acquisition pays {ratio:.1f}x what retention pays per dollar: {new[0].per_unit:.2%} of new ARR "
            f"vs {retention:.2%} of retained ARR (flagged from {RATIO_FLAG}x). A rep earns more replacing a "
            "lost customer than keeping one.",
        )
    ]


def _guards(plan: Plan) -> list[Finding]:
    found = []
    for c in plan.components:
        if not isinstance(c, Commission) or "new_business" not in c.on:
            continue
        gated = c.gate is not None and c.gate.reading.metric in RETENTION_METRICS
        if not gated and c.clawback is None:
            found.append(
                Finding(
                    "no_guard",
                    c.name,
                    f"{c.name} pays on new business with no retention gate and no clawback: a logo that "
                    "churns after its first term keeps its commission. Add gate: {metric: renewal_rate, "
                    "at_least: ...} or clawback: {days: 400}.",
                )
            )
    return found


def _cx(plan: Plan, role: _Role, readings: list[Reading]) -> list[Finding]:
    found = []
    totals = [role.pay(c) for c in role.cases]
    median_pay = statistics.median(totals) if totals else 0.0
    for c in plan.components:
        if not isinstance(c, Bonus | Multiplier) or c.reading not in readings:
            continue
        most = _most(c, role)
        if median_pay > 0 and most < SMALL_SHARE * median_pay:
            found.append(
                Finding(
                    "small",
                    c.name,
                    f"{c.name} pays at most {_usd(most)} a {plan.period}, {most / median_pay:.1%} of the "
                    f"median pay of {_usd(median_pay)}: too small to change what people do (flagged under "
                    f"{SMALL_SHARE:.0%}).",
                )
            )
        found += _noise(c.name, c.reading, role)
    return found


def _most(c: Bonus | Multiplier, role: _Role) -> float:
    if isinstance(c, Bonus):
        return float(c.amount)
    spread = float(c.steps[-1].factor - c.steps[0].factor)
    bases = [
        float(sum((evaluate(role.plan, x).exact.get(n, Decimal(0)) for n in c.applies_to), Decimal(0)))
        for x in role.cases
    ]
    return spread * statistics.median(bases) if bases else 0.0


def _noise(name: str, reading: Reading, role: _Role) -> list[Finding]:
    measures = _own(role, reading)
    if not measures:
        return [Finding("noisy", name, f"{name}: no {reading.metric} data for anyone in the role.")]
    thin = sum(1 for m in measures if m.thin) + (len(role.cases) - len(measures))
    found = []
    if thin > len(role.cases) / 2:
        minimum = measures[0].min_n
        found.append(
            Finding(
                "noisy",
                name,
                f"{name}: {reading.metric} is under its minimum sample ({minimum}) in {thin} of "
                f"{len(role.cases)} person-periods (median n {statistics.median(m.n for m in measures):.0f});"
                " "
                f"it is decided by the fallback (when_thin: {reading.when_thin}), not by the person's work. "
                "Read it over a longer window or at team scope.",
            )
        )
    usable = [
        m for m in measures if m.value is not None and m.lower is not None and m.upper is not None and m.n > 1
    ]
    if len(usable) >= 3:
        values = [float(m.value) for m in usable if m.value is not None]
        noise = [((float(m.upper or 0) - float(m.lower or 0)) / 3.92) ** 2 for m in usable]
        true = max(0.0, statistics.pvariance(values) - statistics.fmean(noise))
        typical = statistics.median(noise)
        reliability = true / (true + typical) if true + typical > 0 else 0.0
        if reliability < RELIABILITY_FLAG:
            found.append(
                Finding(
                    "noisy",
                    name,
                    f"{name}: at the role's median sample (n={statistics.median(m.n for m in usable):.0f}) "
                    f"the sampling noise of {reading.metric} (sd {typical**0.5:.3g}) is large beside the "
                    f"true spread between people (sd {true**0.5:.3g}): reliability {reliability:.2f}, under "
                    f"{RELIABILITY_FLAG}. Its payout follows luck more than effort.",
                )
            )
    return found


def _usd(value: float | Decimal) -> str:
    return money(Decimal(round(value)))


def _cliffs(plan: Plan, role: _Role) -> list[Finding]:
    found: list[Finding] = []
    for c in plan.components:
        if isinstance(c, Commission):
            found += _commission_cliffs(c, role)
        else:
            found += _metric_cliffs(c, role)
    return found


def _commission_cliffs(c: Commission, role: _Role) -> list[Finding]:
    span = _range([sum(_base(x, k) for k in c.on) for x in role.cases])
    if span is None:
        return []
    low, high = span
    where = f"inside the plausible range ({_usd(low)} to {_usd(high)})"
    found = []
    if c.threshold is not None and low < float(c.threshold) < high:
        jump = money(commission_amount(c, c.threshold))
        found.append(
            Finding("cliff", c.name, f"{c.name}: its threshold {money(c.threshold)} lies {where}: one dollar "
                    f"across it pays {jump}.")
        )  # fmt: skip
    if c.tier_mode is TierMode.RETROACTIVE:
        for before, tier in itertools.pairwise(c.tiers):
            if low < float(tier.start) < high:
                jump = money(tier.start * (tier.rate - before.rate))
                found.append(
                    Finding("cliff", c.name, f"{c.name}: the retroactive tier at {money(tier.start)} lies "
                            f"{where}: crossing it pays {jump} at once.")
                )  # fmt: skip
    cap_at = _cap_base(c)
    if c.cap is not None and cap_at is not None and low < float(cap_at) < high:
        found.append(
            Finding("cap", c.name, f"{c.name}: the cap of {money(c.cap)} binds from {money(cap_at)} of ARR, "
                    f"{where}: beyond it more sales pay nothing.")
        )  # fmt: skip
    return found


def _metric_cliffs(c: Bonus | Multiplier, role: _Role) -> list[Finding]:
    values = [m.value for m in _own(role, c.reading) if m.value is not None and not m.thin]
    span = _range(values)
    if span is None:
        return []
    low, high = span
    where = f"inside the plausible range ({low:.3g} to {high:.3g})"
    steps = [c.at] if isinstance(c, Bonus) else [s.start for s in c.steps[1:]]
    found = [
        Finding("cliff", c.name, f"{c.name}: the step at {c.reading.metric} {p} lies {where}: a small change "
                "around it moves the whole amount.")
        for p in steps
        if p is not None and low < float(p) < high
    ]  # fmt: skip
    if isinstance(c, Bonus) and c.full is not None and low < float(c.full) < high:
        found.append(
            Finding("cap", c.name, f"{c.name}: the bonus is full at {c.reading.metric} {c.full}, {where}: "
                    "beyond it the metric pays nothing more.")
        )  # fmt: skip
    return found


def _own(role: _Role, reading: Reading) -> list[Measure]:
    """The person's (or team's) own measures of a reading over the role's person-periods."""
    return [m for c in role.cases if (m := c.measures.get(reading, (None, None))[0]) is not None]


def _teams(payroll: Payroll, plan: Plan, role: _Role) -> list[Finding]:
    """Where an imbalance shows: a team that earns more of its pay from new logos than the role does and
    whose accounts renew surely less often than the role's other teams (its interval's top below them)."""
    acquisition = {c.name for c in plan.components if isinstance(c, Commission) and "new_business" in c.on}
    earned: dict[str, list[float]] = {}
    for case in role.cases:
        result = evaluate(plan, case).exact
        stint = payroll.facts.role_on(case.person_id, payout_period(plan, case.period).end)
        pay = earned.setdefault(stint.team_id if stint is not None else "?", [0.0, 0.0])
        pay[0] += float(sum((v for k, v in result.items() if k in acquisition), Decimal(0)))
        pay[1] += float(sum(result.values(), Decimal(0)))
    total_new, total = sum(v[0] for v in earned.values()), sum(v[1] for v in earned.values())
    if total <= 0 or not acquisition:
        return []
    year = (dt.date(role.year, 1, 1), dt.date(role.year, 12, 31))
    frame = payroll.engine.compute("renewal_rate", ["team"], "year", *year)
    rows: dict[str, dict[Any, Any]] = {
        str(r["scope_id"]): r for r in frame.to_dict("records") if r["scope_id"] in earned
    }
    found = []
    for team, (new, paid) in sorted(earned.items()):
        others = [r for t, r in rows.items() if t != team]
        if team not in rows or not others or paid <= 0:
            continue
        mine = rows[team]
        rest = sum(float(r["successes"]) for r in others) / sum(float(r["n"]) for r in others)
        if new / paid > total_new / total and float(mine["upper"]) < rest:
            found.append(
                Finding(
                    "team",
                    team,
                    f"{team} earned {new / paid:.0%} of its pay from new business (the role: "
                    f"{total_new / total:.0%}) and renewed {float(mine['value']):.0%} of its accounts' terms "
                    f"in {role.year} (n={int(mine['n'])}, 95% CI {float(mine['lower']):.0%} to "
                    f"{float(mine['upper']):.0%}) against {rest:.0%} for the role's other teams: the "
                    "imbalance shows in this team.",
                )
            )
    return found


def _cap_base(c: Commission) -> Decimal | None:
    """The smallest base at which the cap binds (bisection on the uncapped amount), if there is a cap."""
    if c.cap is None:
        return None
    free = replace(c, cap=None, threshold=None)
    low, high = Decimal(0), Decimal(10) ** 12
    if commission_amount(free, high) < c.cap:
        return None
    for _ in range(80):
        middle = (low + high) / 2
        low, high = (middle, high) if commission_amount(free, middle) < c.cap else (low, middle)
    return high.quantize(Decimal(1))


def _scaled(c: Commission, factor: float) -> Commission:
    k = Decimal(str(round(factor, 6)))
    tiers = tuple(Tier(t.start, (t.rate * k).quantize(Decimal("0.0005"))) for t in c.tiers)
    return replace(c, tiers=tiers)


def _suggest(
    payroll: Payroll,
    plan: Plan,
    role: _Role,
    new: tuple[Lever, float, float] | None,
    kept: tuple[Lever, float, float] | None,
) -> Suggestion | None:
    """Scale the new-business and renewal commissions so both marginals match at last year's cost."""
    if new is None or kept is None:
        return None
    m_new = new[0].per_unit
    m_kept_rate, m_kept_other = kept[1], kept[2]
    cost = {"new": Decimal(0), "kept": Decimal(0)}
    for c in role.cases:
        exact = evaluate(plan, c).exact
        for comp in plan.components:
            if isinstance(comp, Commission) and comp.on == ("new_business",):
                cost["new"] += exact.get(comp.name, Decimal(0))
            elif isinstance(comp, Commission) and comp.on == ("renewal",):
                cost["kept"] += exact.get(comp.name, Decimal(0))
    c_new, c_kept = float(cost["new"]), float(cost["kept"])
    if m_new <= 0 or c_new <= 0:
        return None
    denominator = m_kept_rate * c_new / m_new + c_kept
    k_kept = (c_new + c_kept - m_kept_other * c_new / m_new) / denominator if denominator > 0 else 1.0
    if k_kept <= 0:
        k_kept = 1.0
    k_new = (k_kept * m_kept_rate + m_kept_other) / m_new
    changed = tuple(
        _scaled(comp, k_new) if isinstance(comp, Commission) and comp.on == ("new_business",)
        else _scaled(comp, k_kept) if isinstance(comp, Commission) and comp.on == ("renewal",)
        else comp
        for comp in plan.components
    )  # fmt: skip
    proposal = replace(plan, components=changed)
    rates = tuple(
        (comp.name, ", ".join(f"{t.rate * 100:.2f}% from {t.start:,.0f}" for t in comp.tiers))
        for comp in changed
        if isinstance(comp, Commission) and comp.on in (("new_business",), ("renewal",))
    )
    actual = sum((s.total for s in pay_year(payroll, plan, role.year) if s.role == role.role), Decimal(0))
    would = sum((s.total for s in pay_year(payroll, proposal, role.year) if s.role == role.role), Decimal(0))
    message = (
        f"Scale new-business rates by {k_new:.2f} and renewal rates by {k_kept:.2f} "
        f"({'; '.join(f'{n}: {r}' for n, r in rates)}): a dollar kept then pays what a dollar won pays, and "
        f"{role.year} would have cost {money(would)} instead of {money(actual)} ({money(would - actual)})."
    )
    return Suggestion(rates, would, actual, message)


def last_full_year(facts: Facts) -> int:
    """The last year whose fourth quarter has bookings (the year before the last booking otherwise)."""
    last = facts.last_booking()
    if last is None:
        return dt.date.today().year - 1
    return last.year if last.month >= 10 else last.year - 1


def check(
    project: Path | str | None = None, plan: str | Path | None = None, year: int | None = None
) -> list[RoleBalance]:
    """The balance check of the project's plans (every plan in plans/, or the one named), on `year`
    (default: the last full year of bookings)."""
    from cxscore.plans.api import open_payroll

    with open_payroll(project) as payroll:
        plans = [payroll.plan(plan)] if plan is not None else payroll.plans()
        chosen = year if year is not None else last_full_year(payroll.facts)
        found: list[RoleBalance] = []
        for p in plans:
            found += balance(payroll, p, chosen)
        return found
