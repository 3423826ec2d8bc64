"""What the balance check flags: acquisition over retention, unguarded new-business pay, CX parts too
small or too noisy to matter, cliffs and caps inside the plausible range, and the team where it shows.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from cxscore.plans.definition import Bonus, Commission, Multiplier, Plan, Reading, TierMode
from cxscore.plans.evaluation import commission_amount, evaluate, money
from cxscore.plans.facts import payout_period
from cxscore.plans.levers import (
    RETENTION_METRICS,
    Lever,
    Outcomes,
    booked_arr,
    own_measures,
    plausible_range,
    whole,
)

if TYPE_CHECKING:
    from cxscore.plans.api import Payroll

__all__ = ["Finding", "cliff_findings", "cx_findings", "guard_findings", "ratio_findings", "team_findings"]

#: Acquisition paying this many times what retention pays per dollar is flagged (2x is the classic case).
RATIO_FLAG = 1.5
#: A CX component whose most it can pay in a period is under this share of the median pay is too small.
SMALL_SHARE = 0.05
#: A CX reading whose reliability (true spread over true spread plus sampling noise) is under this is noise.
RELIABILITY_FLAG = 0.5


@dataclass(frozen=True)
class Finding:
    """A problem the check found, with its kind (ratio, no_guard, small, noisy, cliff, cap)."""

    kind: str
    component: str
    message: str


def ratio_findings(
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


def guard_findings(plan: Plan) -> list[Finding]:
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


def cx_findings(plan: Plan, role: Outcomes, readings: list[Reading]) -> list[Finding]:
    found = []
    totals = [role.pay(c) for c in role.cases]
    median_pay = statistics.median(totals) if totals else 0.0
    cur = plan.currency
    for c in plan.components:
        if not isinstance(c, Bonus | Multiplier) or c.reading not in readings:
            continue
        most = _most(c, role)
        if median_pay > 0 and most < SMALL_SHARE * median_pay:
            found.append(
                Finding(
                    "small",
                    c.name,
                    f"{c.name} pays at most {whole(most, cur)} a {plan.period}, "
                    f"{most / median_pay:.1%} of the median pay of {whole(median_pay, cur)}: too small to "
                    f"change what people do (flagged under {SMALL_SHARE:.0%}).",
                )
            )
        found += _noise(c.name, c.reading, role)
    return found


def _most(c: Bonus | Multiplier, role: Outcomes) -> float:
    if isinstance(c, Bonus):
        return float(c.amount)
    spread = float(c.steps[-1].factor - c.steps[0].factor)
    bases = [
        float(sum((evaluate(role.plan, x).exact.get(n, Decimal(0)) for n in c.applies_to), Decimal(0)))
        for x in role.cases
    ]
    return spread * statistics.median(bases) if bases else 0.0


def _noise(name: str, reading: Reading, role: Outcomes) -> list[Finding]:
    measures = own_measures(role, reading)
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


def cliff_findings(plan: Plan, role: Outcomes) -> list[Finding]:
    found: list[Finding] = []
    for c in plan.components:
        if isinstance(c, Commission):
            found += _commission_cliffs(c, role)
        else:
            found += _metric_cliffs(c, role)
    return found


def _commission_cliffs(c: Commission, role: Outcomes) -> list[Finding]:
    span = plausible_range([sum(booked_arr(x, k) for k in c.on) for x in role.cases])
    if span is None:
        return []
    low, high = span
    cur = role.plan.currency
    where = f"inside the plausible range ({whole(low, cur)} to {whole(high, cur)})"
    found = []
    if c.threshold is not None and low < float(c.threshold) < high:
        jump = money(commission_amount(c, c.threshold), cur)
        found.append(
            Finding("cliff", c.name, f"{c.name}: its threshold {money(c.threshold, cur)} lies {where}: "
                    f"one dollar across it pays {jump}.")
        )  # fmt: skip
    if c.tier_mode is TierMode.RETROACTIVE:
        for before, tier in itertools.pairwise(c.tiers):
            if low < float(tier.start) < high:
                jump = money(tier.start * (tier.rate - before.rate), cur)
                found.append(
                    Finding("cliff", c.name, f"{c.name}: the retroactive tier at {money(tier.start, cur)} "
                            f"lies {where}: crossing it pays {jump} at once.")
                )  # fmt: skip
    cap_at = _cap_base(c)
    if c.cap is not None and cap_at is not None and low < float(cap_at) < high:
        found.append(
            Finding("cap", c.name, f"{c.name}: the cap of {money(c.cap, cur)} binds from "
                    f"{money(cap_at, cur)} of ARR, {where}: beyond it more sales pay nothing.")
        )  # fmt: skip
    return found


def _metric_cliffs(c: Bonus | Multiplier, role: Outcomes) -> list[Finding]:
    values = [m.value for m in own_measures(role, c.reading) if m.value is not None and not m.thin]
    span = plausible_range(values)
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


def team_findings(payroll: Payroll, plan: Plan, role: Outcomes) -> list[Finding]:
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
