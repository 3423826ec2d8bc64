"""The rows a plan pays from: who held a plan role when, the contracts they were credited with, and the
metric results the plan's gates, bonuses and multipliers read (from the metric engine).

Credit follows the day of the event, as everywhere in cxscore: a booking counts under a plan when the
credited person held one of the plan's roles on the booking day.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from cxscore.errors import PayoutError
from cxscore.plans.definition import Commission, Plan, Reading
from cxscore.plans.evaluation import Booking, Churn, Inputs, Measure, evaluate
from cxscore.scorecards.period import Period

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from cxscore.metrics import MetricEngine

__all__ = ["Facts", "Stint", "payout_period", "period_of"]

_FAR = dt.date(9999, 12, 31)


def payout_period(plan: Plan, text: str) -> Period:
    """The period asked for, checked against the plan's payout period (a quarter or a year)."""
    period = Period.parse(text)
    if (plan.period == "quarter") != (period.quarter is not None):
        example = f"{period.year}-Q4" if plan.period == "quarter" else str(period.year)
        raise PayoutError(
            f"Plan '{plan.name}' ({plan.file}) pays per {plan.period}, so period '{text}' cannot be paid: "
            f"ask for a {plan.period} such as {example}."
        )
    return period


def period_of(plan: Plan, day: dt.date) -> Period:
    """The payout period of the plan that holds `day`."""
    return Period(day.year, (day.month - 1) // 3 + 1 if plan.period == "quarter" else None)


@dataclass(frozen=True)
class Stint:
    """One membership: a person in a team and role from one day to another (both included)."""

    person_id: str
    team_id: str
    role_id: str
    start: dt.date
    end: dt.date

    def row(self) -> tuple[str, ...]:
        return ("membership", self.person_id, self.team_id, self.role_id, str(self.start), str(self.end))


def _day(value: Any) -> dt.date:
    if value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in ("NaT", "None"):
        return _FAR
    return (
        value.date()
        if hasattr(value, "date") and callable(value.date)
        else dt.date.fromisoformat(str(value)[:10])
    )


def _amount(value: float) -> Decimal:
    """ARR as stored (a float) to exact cents: the float's shortest repr, rounded to cents once."""
    return Decimal(repr(float(value))).quantize(Decimal("0.01"))


class Facts:
    """The organisation and contracts of a store, read once, and metric results computed on demand."""

    def __init__(self, engine: MetricEngine, project_root: Path | None = None) -> None:
        self.engine = engine
        self.project_root = project_root
        self._goals: dict[tuple[str, str, int], dict[str, tuple[float, str]]] = {}
        self.stints: dict[str, list[Stint]] = {}
        for r in engine.frame("memberships").itertuples(index=False):
            stint = Stint(
                str(r.person_id), str(r.team_id), str(r.role_id), _day(r.valid_from), _day(r.valid_to)
            )
            self.stints.setdefault(stint.person_id, []).append(stint)
        people = engine.frame("people")
        self.names = dict(zip(people.person_id, people.name, strict=True))
        self.contracts = _contracts(engine)
        self._credited: dict[str | None, list[dict[str, Any]]] = {}
        for c in self.contracts:
            self._credited.setdefault(c["credited_person_id"], []).append(c)
        self._measures: dict[tuple[str, str, int, str, int], pd.DataFrame] = {}

    def role_on(self, person: str, day: dt.date) -> Stint | None:
        """The person's membership on `day`, if any."""
        return next((s for s in self.stints.get(person, ()) if s.start <= day <= s.end), None)

    def participants(self, plan: Plan, period: Period) -> dict[str, Stint]:
        """Everyone who held a plan role on some day of the period, with their last such stint in it."""
        found: dict[str, Stint] = {}
        for person, stints in sorted(self.stints.items()):
            inside = [
                s
                for s in stints
                if s.role_id in plan.roles and s.start <= period.end and s.end >= period.start
            ]
            if inside:
                found[person] = max(inside, key=lambda s: s.start)
        return found

    def former(self, plan: Plan, period: Period) -> dict[str, Stint]:
        """People without a plan role in the period whose sale under the plan churned in it (they owe its
        clawback), each with the stint of that sale's booking day."""
        paid = self.participants(plan, period)
        found: dict[str, Stint] = {}
        for person in sorted(p for p in self._credited if p is not None and p not in paid):
            churned = self.churns(plan, person, period)
            stint = self.role_on(person, churned[0]["booked_on"]) if churned else None
            if stint is not None:
                found[person] = stint
        return found

    def last_booking(self) -> dt.date | None:
        return max((c["booked_on"] for c in self.contracts), default=None)

    def bookings(self, plan: Plan, person: str, period: Period) -> list[dict[str, Any]]:
        """Contracts credited to `person`, booked in the period while they held a plan role."""
        return [
            c
            for c in self._credited.get(person, ())
            if period.start <= c["booked_on"] <= period.end and self._eligible(plan, person, c["booked_on"])
        ]

    def churns(self, plan: Plan, person: str, period: Period) -> list[dict[str, Any]]:
        """Churned contracts credited to `person` (when a plan role held), whose term ends in the period."""
        kinds = {k for c in plan.components if isinstance(c, Commission) and c.clawback for k in c.on}
        return [
            c
            for c in self._credited.get(person, ())
            if c["renewal_outcome"] == "churned"
            and c["kind"] in kinds
            and period.start <= c["end_date"] <= period.end
            and self._eligible(plan, person, c["booked_on"])
        ]

    def _eligible(self, plan: Plan, person: str, day: dt.date) -> bool:
        stint = self.role_on(person, day)
        return stint is not None and stint.role_id in plan.roles

    def measure(
        self, reading: Reading, scope_id: str, period: Period, grain: str, scope: str
    ) -> Measure | None:
        """The metric's result for one person or team over the reading's window ending with `period`."""
        metric = self.engine.catalog.get(reading.metric)
        key = (reading.metric, scope, reading.window, grain, period.year)
        if key not in self._measures:
            self._measures[key] = self.engine.compute(
                metric,
                [scope],
                grain,
                dt.date(period.year, 1, 1),
                dt.date(period.year, 12, 31),
                reading.window,
            )
        frame = self._measures[key]
        if frame.empty:
            return None
        rows = frame[(frame.scope_id == scope_id) & (frame.period.astype(str).str[:10] == str(period.start))]
        if rows.empty:
            return None
        row = rows.iloc[0]
        value = None if math.isnan(float(row.value)) else float(row.value)
        goal, goal_note = (
            self.goal(reading.metric, scope, scope_id, period.year) if reading.goal else (None, "")
        )
        return Measure(
            metric=reading.metric,
            scope=scope,
            scope_id=scope_id,
            value=value,
            n=int(row.n),
            lower=None if math.isnan(float(row.lower)) else float(row.lower),
            upper=None if math.isnan(float(row.upper)) else float(row.upper),
            min_n=reading.min_n if reading.min_n is not None else metric.min_n,
            higher_is_better=metric.direction.value == "higher",
            spec=metric.format,
            starting=float(row.starting) if "starting" in row.index else None,
            goal=goal,
            goal_note=goal_note,
        )

    def goal(self, metric: str, scope: str, scope_id: str, year: int) -> tuple[float | None, str]:
        """The scope's goal of `metric` for `year` from the project's goal policies, and why none if none."""
        key = (metric, scope, year)
        if key not in self._goals:
            from cxscore.goals import Results, load_benchmarks, load_goal_settings, set_goals

            settings = load_goal_settings(self.project_root)
            goals = set_goals(
                Results(self.engine), metric, scope, year, settings, load_benchmarks(self.project_root)
            )
            self._goals[key] = {
                g.scope_id: (g.target, g.explanation) for g in goals if not math.isnan(g.target)
            }
        found = self._goals[key].get(scope_id)
        if found is None:
            return (
                None,
                f"no {year} goal of {metric} for {scope} {scope_id}: no result in {year - 1} to set it from",
            )
        return found[0], found[1]

    def inputs(
        self, plan: Plan, person: str, team: str, period: Period, *, churns: bool = True, paid: bool = True
    ) -> tuple[Inputs, list[tuple[object, ...]]]:
        """The inputs of one person's statement and the rows they came from (for the data hash).

        The commission a churned contract earned is found by paying its booking period again with the
        same plan (without that period's own clawbacks). With `paid=False` (a person who has left the
        plan's roles) only the clawbacks are gathered.
        """
        rows: list[tuple[object, ...]] = [s.row() for s in self.stints.get(person, ())]
        booked = self.bookings(plan, person, period) if paid else []
        rows += [_row("booking", c) for c in booked]
        measures = {}
        for reading in plan.readings() if paid else ():
            own_id = person if reading.scope == "person" else team
            own = self.measure(reading, own_id, period, plan.period, reading.scope)
            fallback = (
                self.measure(reading, team, period, plan.period, "team")
                if reading.scope == "person"
                else None
            )
            measures[reading] = (own, fallback)
            rows += [_measure_row(m, period, reading.window) for m in (own, fallback) if m is not None]
        found: list[Churn] = []
        if churns:
            for c in self.churns(plan, person, period):
                origin = period_of(plan, c["booked_on"])
                original, original_rows = self.inputs(plan, person, team, origin, churns=False)
                earned = evaluate(plan, original).allocations
                shares = {n: got[c["contract_id"]] for n, got in earned.items() if c["contract_id"] in got}
                rows += [_row("churn", c), *original_rows]
                found.append(
                    Churn(
                        c["contract_id"], c["kind"], c["booked_on"], c["end_date"], c["arr"], origin.label,
                        shares,
                    )
                )  # fmt: skip
        bookings = tuple(Booking(c["contract_id"], c["kind"], c["booked_on"], c["arr"]) for c in booked)
        return Inputs(person, period.label, bookings, tuple(found), measures), rows


def _contracts(engine: MetricEngine) -> list[dict[str, Any]]:
    table = engine.store.table("contracts")
    columns = ["contract_id", "account_id", "kind", "booked_on", "start_date", "end_date", "arr"]
    frame = table.select(*columns, "renewal_outcome", "credited_person_id").execute()
    found = []
    for r in frame.to_dict("records"):
        for day in ("booked_on", "start_date", "end_date"):
            r[day] = _day(r[day])
        r["arr"] = _amount(r["arr"])
        r["renewal_outcome"] = r["renewal_outcome"] if isinstance(r["renewal_outcome"], str) else None
        r["credited_person_id"] = (
            r["credited_person_id"] if isinstance(r["credited_person_id"], str) else None
        )
        found.append(r)
    return found


def _row(kind: str, c: dict[str, Any]) -> tuple[object, ...]:
    keys = ("contract_id", "account_id", "kind", "booked_on", "start_date", "end_date", "arr",
            "renewal_outcome", "credited_person_id")  # fmt: skip
    return (kind, *(c[k] for k in keys))


def _measure_row(m: Measure, period: Period, window: int) -> tuple[object, ...]:
    return (
        "measure",
        m.metric,
        m.scope,
        m.scope_id,
        period.label,
        window,
        m.value,
        m.n,
        m.lower,
        m.upper,
        m.goal,
    )
