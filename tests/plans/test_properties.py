"""Properties: pay never falls when a rewarded metric improves (unless a cap holds it), and a clawback never
takes back more than was paid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cxscore.plans import evaluate, parse_plan
from cxscore.plans.definition import Commission, Plan
from cxscore.plans.evaluation import Booking, Churn, Inputs, Measure, commission_amount

amounts = st.decimals(min_value=0, max_value=2_000_000, places=2)
rates = st.decimals(min_value=0, max_value=Decimal("0.3"), places=3)


@st.composite
def commissions(draw: st.DrawFn) -> Commission:
    starts = sorted(set(draw(st.lists(st.integers(1, 900_000), max_size=3))))
    rising = sorted(draw(st.lists(rates, min_size=len(starts) + 1, max_size=len(starts) + 1)))
    mode = draw(st.sampled_from(["marginal", "retroactive"]))
    free = draw(st.lists(rates, min_size=len(starts) + 1, max_size=len(starts) + 1))
    chosen = free if mode == "marginal" else rising  # marginal tiers may fall (decelerators); retroactive not
    tiers = ", ".join(f"{{from: {s}, rate: {r}}}" for s, r in zip([0, *starts], chosen, strict=True))
    extra = ""
    if draw(st.booleans()):
        extra += f", threshold: {draw(st.integers(0, 300_000))}"
    if draw(st.booleans()):
        extra += f", cap: {draw(st.integers(1, 200_000))}"
    text = (
        "name: p\nroles: [r]\ncomponents:\n  - {name: c, kind: commission, base: new_business, "
        f"tier_mode: {mode}, tiers: [{tiers}]{extra}}}\n"
    )
    plan, problems = parse_plan(text, "plans/p.yml")
    assert plan is not None, problems
    component = plan.components[0]
    assert isinstance(component, Commission)
    return component


@settings(max_examples=150, deadline=None)
@given(commissions(), amounts, amounts, st.booleans())
def test_commission_never_falls_when_more_is_booked(c: Commission, a: Decimal, b: Decimal, met: bool) -> None:
    low, high = min(a, b), max(a, b)
    assert commission_amount(c, low, met) <= commission_amount(c, high, met)
    if c.cap is not None:
        assert commission_amount(c, high, met) <= c.cap


@settings(max_examples=150, deadline=None)
@given(commissions(), amounts)
def test_meeting_a_gate_never_pays_less(c: Commission, base: Decimal) -> None:
    assert commission_amount(c, base, gate_met=False) <= commission_amount(c, base, gate_met=True)


def _metric_plan(spec: str) -> Plan:
    text = (
        "name: p\nroles: [r]\ncomponents:\n  - {name: c, kind: commission, base: new_business, rate: 0.1}\n"
        f"  - {spec}\n"
    )
    plan, problems = parse_plan(text, "plans/p.yml")
    assert plan is not None, problems
    return plan


def _total(plan: Plan, value: float) -> Decimal:
    reading = plan.readings()[0]
    m = Measure("nps", "person", "P-1", value, 100, None, None, 30)
    inputs = Inputs("P-1", "Q", (Booking("K-1", "new_business", dt.date(2025, 1, 1), Decimal(50_000)),),
                    measures={reading: (m, None)})  # fmt: skip
    return evaluate(plan, inputs).total


nps = st.floats(min_value=-100, max_value=100, allow_nan=False)
METRIC_PLANS = [
    _metric_plan("{name: b, kind: bonus, metric: nps, at: 30, amount: 500}"),
    _metric_plan("{name: b, kind: bonus, metric: nps, from: -10, to: 45, amount: 900}"),
    _metric_plan(
        "{name: m, kind: multiplier, metric: nps, applies_to: [c], "
        "steps: [{from: -100, factor: 0.8}, {from: 0, factor: 1.0}, {from: 40, factor: 1.25}]}"
    ),
]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(METRIC_PLANS), nps, nps)
def test_a_better_metric_never_pays_less(plan: Plan, a: float, b: float) -> None:
    assert _total(plan, min(a, b)) <= _total(plan, max(a, b))


@settings(max_examples=100, deadline=None)
@given(commissions(), st.lists(st.decimals(min_value=1, max_value=400_000, places=2), min_size=1, max_size=6),
       st.integers(0, 5), st.integers(300, 500))  # fmt: skip
def test_a_clawback_never_exceeds_what_was_paid(
    c: Commission, arrs: list[Decimal], which: int, days: int
) -> None:
    from dataclasses import replace

    from cxscore.plans.definition import Clawback, Location

    c = replace(c, clawback=Clawback(400, Location("plans/p.yml", 1)))
    plan = Plan("p", "p", ("r",), (c,), "plans/p.yml", "")
    sold = tuple(Booking(f"K-{i}", "new_business", dt.date(2024, 5, 1), a) for i, a in enumerate(arrs))
    original = evaluate(plan, Inputs("P-1", "2024-Q2", sold))
    paid = original.allocations["c"]
    assert sum(paid.values()) == original.exact["c"]  # the shares add up to exactly what was paid
    lost = sold[which % len(sold)]
    churn = Churn(lost.contract_id, "new_business", lost.booked_on, lost.booked_on + dt.timedelta(days=days),
                  lost.arr, "2024-Q2", {"c": paid.get(lost.contract_id, Decimal(0))})  # fmt: skip
    later = evaluate(plan, Inputs("P-1", "2025-Q2", churns=(churn,)))
    clawed = -sum((x.amount for x in later.lines if x.kind == "clawback"), Decimal(0))
    assert Decimal(0) <= clawed <= original.lines[0].amount
    assert (clawed > 0) == (days <= 400 and paid.get(lost.contract_id, Decimal(0)) >= Decimal("0.005"))
