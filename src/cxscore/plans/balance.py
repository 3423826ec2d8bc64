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
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from cxscore.plans.comparison import pay_year
from cxscore.plans.definition import Commission, Plan, Tier
from cxscore.plans.evaluation import evaluate, money
from cxscore.plans.facts import Facts
from cxscore.plans.findings import (
    Finding,
    cliff_findings,
    cx_findings,
    guard_findings,
    ratio_findings,
    team_findings,
)
from cxscore.plans.levers import RETENTION_METRICS, Lever, Outcomes, book_per_period, nps_gap

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
    currency: str = "USD"
    """The plan's currency: what its levers pay in."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "file": self.file,
            "role": self.role,
            "year": self.year,
            "people": self.people,
            "person_periods": self.periods,
            "currency": self.currency,
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


def balance(payroll: Payroll, plan: Plan, year: int) -> list[RoleBalance]:
    """The balance check of every role `plan` pays, on `year`'s data."""
    found = []
    for role_id in plan.roles:
        role = Outcomes(payroll, plan, role_id, year)
        if not role.cases:
            continue
        found.append(_check_role(payroll, plan, role))
    return found


def _check_role(payroll: Payroll, plan: Plan, role: Outcomes) -> RoleBalance:
    levers: list[Lever] = []
    new = role.booking_lever("new_business", "new ARR", retention=False)
    kept = role.booking_lever("renewal", "retained ARR", retention=True)
    grown = role.booking_lever("expansion", "expansion ARR", retention=False)
    levers += [x[0] for x in (new, kept, grown) if x is not None]
    findings: list[Finding] = []
    gap = nps_gap(payroll, role.year)
    book = book_per_period(payroll, plan, role)
    cx_readings = [r for r in dict.fromkeys(plan.readings()) if r.metric not in RETENTION_METRICS]
    for reading in cx_readings:
        dollars = 0.01 * gap * book if reading.metric == "nps" and gap and book else None
        lever = role.cx_lever(reading, dollars)
        if lever is not None:
            levers.append(lever)
    findings += ratio_findings(plan, new, kept)
    findings += guard_findings(plan)
    findings += cx_findings(plan, role, cx_readings)
    findings += cliff_findings(plan, role)
    if any(f.kind in ("ratio", "no_guard") for f in findings):
        findings += team_findings(payroll, plan, role)
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
        plan.currency,
    )


def _scaled(c: Commission, factor: float) -> Commission:
    k = Decimal(str(round(factor, 6)))
    tiers = tuple(Tier(t.start, (t.rate * k).quantize(Decimal("0.0005"))) for t in c.tiers)
    return replace(c, tiers=tiers)


def _suggest(
    payroll: Payroll,
    plan: Plan,
    role: Outcomes,
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
    cur = plan.currency
    message = (
        f"Scale new-business rates by {k_new:.2f} and renewal rates by {k_kept:.2f} "
        f"({'; '.join(f'{n}: {r}' for n, r in rates)}): a dollar kept then pays what a dollar won pays, and "
        f"{role.year} would have cost {money(would, cur)} instead of {money(actual, cur)} "
        f"({money(would - actual, cur)})."
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
