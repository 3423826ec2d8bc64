"""The Python API of incentive plans: payout statements for a period (`payouts`), and the plans to use.

from cxscore.plans import payouts
for statement in payouts("demo-company", "2025-Q4"):
    print(statement.name, statement.total, statement.to_dict()["lines"])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from cxscore.errors import PayoutError
from cxscore.plans.definition import Plan
from cxscore.plans.evaluation import evaluate
from cxscore.plans.facts import Facts, payout_period
from cxscore.plans.loader import load_plans, read_plan
from cxscore.plans.statement import Statement, data_hash, plan_version

if TYPE_CHECKING:
    from cxscore.metrics import MetricEngine
    from cxscore.store import Project, Store

__all__ = ["Payroll", "find_plan", "open_payroll", "payouts", "statements"]


@dataclass
class Payroll:
    """An open project ready to pay: its plans, its catalogue and facts (close it when done)."""

    project: Project
    store: Store
    engine: MetricEngine
    facts: Facts

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Payroll:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def plans(self) -> list[Plan]:
        return load_plans(self.project.root, self.engine.catalog)

    def plan(self, which: str | Path) -> Plan:
        return find_plan(self.project, which, self.engine.catalog)


def open_payroll(project: Path | str | None = None) -> Payroll:
    """Open a project (found from `project` or the current folder) for payouts."""
    from cxscore.metrics import MetricEngine, load_catalog
    from cxscore.store import open_project

    found = open_project(None if project is None else Path(project))
    store = found.store()
    try:
        engine = MetricEngine(store, load_catalog(found.root))
        return Payroll(found, store, engine, Facts(engine, found.root))
    except BaseException:
        store.close()
        raise


def find_plan(project: Project, which: str | Path, catalog: object = None) -> Plan:
    """A plan by file path (absolute, or relative to here or to the project), by file name in `plans/`
    without its suffix (`current`), or by the plan's name."""
    from cxscore.metrics import Catalog

    chosen = catalog if isinstance(catalog, Catalog) else None
    named = project.root / "plans" / str(which)
    for path in (
        Path(which),
        project.root / which,
        named.with_name(f"{named.name}.yml"),
        named.with_name(f"{named.name}.yaml"),
    ):
        if path.is_file():
            shown = _shown(project, path)
            return read_plan(path, shown, chosen)
    plans = load_plans(project.root, chosen)
    for plan in plans:
        if plan.name == str(which):
            return plan
    names = ", ".join(f"{p.name} ({p.file})" for p in plans) or "none"
    raise PayoutError(f"No plan file or plan named '{which}'. Plans of the project: {names}.")


def _shown(project: Project, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(project.root))
    except ValueError:
        return str(path)


def statements(payroll: Payroll, plan: Plan, period_text: str, person: str | None = None) -> list[Statement]:
    """One statement per person the plan pays in the period (or only `person`)."""
    from cxscore import __version__

    period = payout_period(plan, period_text)
    paid = payroll.facts.participants(plan, period)
    former = payroll.facts.former(plan, period)
    if person is not None:
        if person not in paid and person not in former:
            raise PayoutError(_not_paid(payroll, plan, person, period.label, paid))
        paid = {person: paid[person]} if person in paid else {}
        former = {person: former[person]} if person in former else {}
    path = payroll.project.root / plan.file
    version = plan_version(plan.name, path if path.is_file() else None, plan.text, plan.file)
    notes = _notes(payroll, period.end)
    found = []
    for person_id, stint in [*paid.items(), *former.items()]:
        member = person_id in paid
        inputs, rows = payroll.facts.inputs(plan, person_id, stint.team_id, period, paid=member)
        result = evaluate(plan, inputs)
        lines = result.lines if member else tuple(x for x in result.lines if x.kind == "clawback")
        if not lines:
            continue
        left = () if member else (
            f"{person_id} held no role of this plan in {period.label}: the statement holds only the "
            f"clawbacks of sales made as {stint.role_id} in {stint.team_id}.",
        )  # fmt: skip
        total = sum((x.amount for x in lines), Decimal(0))
        owed = (
            (f"The total is negative: {-total:,.2f} {plan.currency} owed, netted against later payouts.",)
            if total < 0
            else ()
        )
        found.append(
            Statement(
                person_id=person_id,
                name=payroll.facts.names.get(person_id, person_id),
                role=stint.role_id,
                team=stint.team_id,
                period=period.label,
                currency=plan.currency,
                plan=version,
                lines=lines,
                data_sha256=data_hash(rows),
                rows=len(set(rows)),
                notes=notes + left + owed,
                software=f"cxscore {__version__}",
            )
        )
    return found


def _notes(payroll: Payroll, end: object) -> tuple[str, ...]:
    last = payroll.facts.last_booking()
    if last is None:
        return ("The store holds no contracts: every commission is zero.",)
    if str(last) < str(end):
        return (f"The store's last booking is on {last}: later bookings of this period are not in it yet.",)
    return ()


def _not_paid(payroll: Payroll, plan: Plan, person: str, period: str, paid: Mapping[str, object]) -> str:
    known = payroll.facts.names.get(person)
    who = f"'{person}' ({known})" if known else f"'{person}'"
    roles = ", ".join(plan.roles)
    if known is None:
        example = next(iter(paid), "P-0001")
        return f"There is no person {who} in the people table. Check --person (e.g. {example})."
    return (
        f"Person {who} held no role paid by plan '{plan.name}' ({roles}) in {period}. People it pays then: "
        f"{', '.join(sorted(paid)[:12])}{' ...' if len(paid) > 12 else ''}."
    )


def payouts(
    project: Path | str | None,
    period: str,
    person: str | None = None,
    *,
    plan: str | Path | None = None,
) -> list[Statement]:
    """Every payout statement of `period` under the project's active plans (or the plan given by name
    or file), for everyone or one person. Raises `PayoutError` for a period, person or plan that does not
    fit, `PlanDefinitionError` for plans with problems.
    """
    with open_payroll(project) as payroll:
        chosen = (
            [payroll.plan(plan)] if plan is not None else [p for p in payroll.plans() if p.status == "active"]
        )
        if not chosen:
            raise PayoutError(
                f"Project {payroll.project.root} has no active plan in plans/. Add one "
                "(docs/incentive-plans.md) or name a plan file with plan=."
            )
        if person is not None:
            payable = [p for p in chosen if person in payroll.facts.participants(p, payout_period(p, period))]
            if not payable:
                return statements(payroll, chosen[0], period, person)  # raises with the reason
            chosen = payable
        found: list[Statement] = []
        for p in chosen:
            found += statements(payroll, p, period, person)
        return found
