"""What-if: pay a whole year again under another plan and compare the cost, by person, role and component.

Both plans are applied to the same data as if each had been in force the whole year (a proposal's
`status` does not matter here), over each plan's own payout periods.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cxscore.plans.api import Payroll, open_payroll, statements
from cxscore.plans.definition import Plan
from cxscore.plans.statement import PlanVersion, Statement

__all__ = ["Comparison", "WhatIf", "compare", "pay_year", "whatif"]


@dataclass(frozen=True)
class Comparison:
    """One person's (or role's, or component's) pay for the year under both plans."""

    key: str
    label: str
    role: str
    current: Decimal
    proposed: Decimal

    @property
    def change(self) -> Decimal:
        return self.proposed - self.current

    def to_dict(self) -> dict[str, str]:
        return {
            "key": self.key,
            "label": self.label,
            "role": self.role,
            "current": str(self.current),
            "proposed": str(self.proposed),
            "change": str(self.change),
        }


@dataclass(frozen=True)
class WhatIf:
    """The year paid under the current and the proposed plan."""

    year: int
    current: PlanVersion
    proposed: PlanVersion
    people: tuple[Comparison, ...]
    roles: tuple[Comparison, ...]
    components: tuple[Comparison, ...]

    @property
    def total_current(self) -> Decimal:
        return sum((p.current for p in self.people), Decimal(0))

    @property
    def total_proposed(self) -> Decimal:
        return sum((p.proposed for p in self.people), Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "current": self.current.to_dict(),
            "proposed": self.proposed.to_dict(),
            "total": {
                "current": str(self.total_current),
                "proposed": str(self.total_proposed),
                "change": str(self.total_proposed - self.total_current),
            },
            "roles": [r.to_dict() for r in self.roles],
            "components": [c.to_dict() for c in self.components],
            "people": [p.to_dict() for p in self.people],
        }


def pay_year(payroll: Payroll, plan: Plan, year: int) -> list[Statement]:
    """Every statement of `plan` in `year`, period by period."""
    periods = [f"{year}-Q{q}" for q in range(1, 5)] if plan.period == "quarter" else [str(year)]
    found: list[Statement] = []
    for period in periods:
        found += statements(payroll, plan, period)
    return found


def compare(payroll: Payroll, proposed: Plan, current: Plan, year: int) -> WhatIf:
    """Pay `year` under both plans and compare."""
    before, after = pay_year(payroll, current, year), pay_year(payroll, proposed, year)
    people: dict[str, list[Any]] = {}
    roles: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    parts: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for side, paid in ((0, before), (1, after)):
        for s in paid:
            entry = people.setdefault(s.person_id, [s.name, s.role, Decimal(0), Decimal(0)])
            entry[2 + side] += s.total
            roles[s.role][side] += s.total
            for line in s.lines:
                name = line.component if line.kind != "clawback" else f"{line.component} (clawback)"
                parts[name][side] += line.amount
    return WhatIf(
        year=year,
        current=before[0].plan if before else _version(current),
        proposed=after[0].plan if after else _version(proposed),
        people=tuple(Comparison(k, v[0], v[1], v[2], v[3]) for k, v in sorted(people.items())),
        roles=tuple(Comparison(k, k, k, v[0], v[1]) for k, v in sorted(roles.items())),
        components=tuple(Comparison(k, k, "", v[0], v[1]) for k, v in parts.items()),
    )


def _version(plan: Plan) -> PlanVersion:
    from cxscore.plans.statement import plan_version

    return plan_version(plan.name, None, plan.text, plan.file)


def whatif(proposed: str | Path, against: str | Path, year: int, project: Path | str | None = None) -> WhatIf:
    """Pay `year` again under the `proposed` plan and compare with the `against` plan (files or names)."""
    with open_payroll(project) as payroll:
        return compare(payroll, payroll.plan(proposed), payroll.plan(against), year)
