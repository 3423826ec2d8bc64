"""Every component kind paid on hand-built inputs, each expected amount computed by hand in the comment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cxscore.plans import evaluate, parse_plan
from cxscore.plans.definition import Plan, Reading
from cxscore.plans.evaluation import Booking, Churn, Inputs, Measure, cents

D = Decimal
DAY = dt.date(2025, 5, 1)


def plan(components: str) -> Plan:
    text = f"name: p\nroles: [sales_rep]\ncomponents:\n{components}"
    found, problems = parse_plan(text, "plans/p.yml")
    assert found is not None, [str(p) for p in problems]
    return found


def booked(*amounts: str, kind: str = "new_business") -> tuple[Booking, ...]:
    return tuple(Booking(f"K-{i}", kind, DAY, D(a)) for i, a in enumerate(amounts))


def pay(p: Plan, inputs: Inputs) -> dict[str, Decimal]:
    result = evaluate(p, inputs)
    assert result.total == sum(line.amount for line in result.lines)
    return {f"{line.component}/{line.kind}": line.amount for line in result.lines}


def measure(value: float, n: int, min_n: int = 10, scope: str = "person", scope_id: str = "P-1") -> Measure:
    return Measure("renewal_rate", scope, scope_id, value, n, value - 0.1, value + 0.1, min_n, spec=".1%")


def test_flat_commission_is_rate_times_the_booked_arr() -> None:
    p = plan("  - {name: new, kind: commission, base: new_business, rate: 0.1}\n")
    # 10% of (40,000.00 + 12,345.67) = 5,234.567 -> 5,234.57 (rounded once, half to even)
    got = pay(p, Inputs("P-1", "2025-Q2", booked("40000.00", "12345.67")))
    assert got == {"new/commission": D("5234.57")}


def test_commission_counts_only_its_own_contract_kinds() -> None:
    p = plan(
        "  - {name: new, kind: commission, base: new_business, rate: 0.1}\n"
        "  - {name: kept, kind: commission, base: [renewal, expansion], rate: 0.05}\n"
    )
    inputs = Inputs(
        "P-1", "2025-Q2", booked("1000") + booked("2000", kind="renewal") + booked("400", kind="expansion")
    )
    # new: 10% of 1,000 = 100; kept: 5% of (2,000 + 400) = 120
    assert pay(p, inputs) == {"new/commission": D("100.00"), "kept/commission": D("120.00")}


TIERS = "    tiers: [{from: 0, rate: 0.08}, {from: 100000, rate: 0.12}]\n"


def test_marginal_tiers_pay_each_slice_at_its_own_rate() -> None:
    p = plan("  - name: new\n    kind: commission\n    base: new_business\n" + TIERS)
    # 8% of the first 100,000 = 8,000, plus 12% of the 50,000 above = 6,000: 14,000
    assert pay(p, Inputs("P-1", "Q", booked("150000")))["new/commission"] == D("14000.00")


def test_retroactive_tiers_pay_the_whole_base_at_the_tier_reached() -> None:
    p = plan(
        "  - name: new\n    kind: commission\n    base: new_business\n    tier_mode: retroactive\n" + TIERS
    )
    # 12% of all 150,000 = 18,000; just under the tier: 8% of 99,999 = 7,999.92
    assert pay(p, Inputs("P-1", "Q", booked("150000")))["new/commission"] == D("18000.00")
    assert pay(p, Inputs("P-1", "Q", booked("99999")))["new/commission"] == D("7999.92")


def test_threshold_pays_nothing_below_it_and_everything_from_it() -> None:
    p = plan("  - {name: new, kind: commission, base: new_business, rate: 0.1, threshold: 20000}\n")
    assert pay(p, Inputs("P-1", "Q", booked("19999.99")))["new/commission"] == D("0.00")
    # at the threshold the whole base pays: 10% of 20,000 = 2,000
    assert pay(p, Inputs("P-1", "Q", booked("20000")))["new/commission"] == D("2000.00")


def test_cap_limits_the_component_and_says_so() -> None:
    p = plan("  - {name: new, kind: commission, base: new_business, rate: 0.1, cap: 5000}\n")
    result = evaluate(p, Inputs("P-1", "Q", booked("80000")))  # uncapped 8,000
    assert result.lines[0].amount == D("5000.00")
    assert "capped at 5,000.00 USD" in result.lines[0].how
    assert dict(result.lines[0].figures)["uncapped"] == "8000.00"


GATED = (
    "  - name: new\n    kind: commission\n    base: new_business\n"
    + TIERS
    + "    gate: {metric: renewal_rate, "
    "at_least: 0.8, min_n: 10, when_thin: WHEN}\n"
)


def gated(when: str = "team") -> Plan:
    return plan(GATED.replace("WHEN", when))


def with_gate(p: Plan, own: Measure | None, team: Measure | None = None) -> Inputs:
    reading = p.readings()[0]
    return Inputs("P-1", "Q", booked("150000"), measures={reading: (own, team)})


def test_gate_met_unlocks_the_accelerator() -> None:
    p = gated()
    line = evaluate(p, with_gate(p, measure(0.85, 20))).lines[0]
    assert line.amount == D("14000.00") and "met" in line.how  # as the marginal tiers above


def test_gate_not_met_locks_the_accelerator_to_the_first_rate() -> None:
    p = gated()
    line = evaluate(p, with_gate(p, measure(0.75, 20))).lines[0]
    # 8% of all 150,000 = 12,000
    assert line.amount == D("12000.00") and "not met, accelerators locked" in line.how


def test_gate_on_a_thin_sample_says_so_and_uses_the_team() -> None:
    p = gated("team")
    line = evaluate(p, with_gate(p, measure(0.99, 4), measure(0.7, 50, scope="team", scope_id="T-1"))).lines[
        0
    ]
    assert "renewal_rate not evaluated on the person: 4 in the window, minimum 10" in line.how
    assert "the plan says: use the team's value" in line.how and "T-1" in line.how
    assert line.amount == D("12000.00")  # the team's 70% does not meet 80%


def test_gate_on_a_thin_sample_follows_the_plan_when_told_met_or_not_met() -> None:
    for when, expected in (("met", "14000.00"), ("not_met", "12000.00")):
        p = gated(when)
        line = evaluate(p, with_gate(p, measure(0.5, 3))).lines[0]
        assert (
            line.amount == D(expected)
            and f"the plan says: treat the gate as {when.replace('_', ' ')}" in line.how
        )


def test_gate_that_locks_the_component_pays_nothing_when_not_met() -> None:
    p = plan(GATED.replace("when_thin: WHEN", "locks: component"))
    assert evaluate(p, with_gate(p, measure(0.79, 20))).lines[0].amount == D("0.00")


def nps_inputs(p: Plan, value: float, n: int = 40) -> Inputs:
    reading = p.readings()[0]
    m = Measure("nps", "person", "P-1", value, n, value - 10, value + 10, 30, spec="+.0f")
    return Inputs("P-1", "Q", booked("10000"), measures={reading: (m, None)})


def test_step_bonus_pays_in_full_from_its_value() -> None:
    p = plan("  - {name: b, kind: bonus, metric: nps, at: 30, amount: 500}\n")
    assert pay(p, nps_inputs(p, 29.9))["b/bonus"] == D("0.00")
    assert pay(p, nps_inputs(p, 30))["b/bonus"] == D("500.00")


def test_ramp_bonus_rises_linearly_and_stops_at_the_full_amount() -> None:
    p = plan("  - {name: b, kind: bonus, metric: nps, from: 20, to: 40, amount: 1000}\n")
    # (27.5 - 20) / (40 - 20) = 0.375 of 1,000 = 375
    assert pay(p, nps_inputs(p, 27.5))["b/bonus"] == D("375.00")
    assert pay(p, nps_inputs(p, 10))["b/bonus"] == D("0.00")
    assert pay(p, nps_inputs(p, 55))["b/bonus"] == D("1000.00")


def test_bonus_on_a_thin_sample_is_skipped_or_paid_as_the_plan_says() -> None:
    skip = plan("  - {name: b, kind: bonus, metric: nps, at: 30, amount: 500, when_thin: skip}\n")
    paid = plan("  - {name: b, kind: bonus, metric: nps, at: 30, amount: 500, when_thin: pay}\n")
    line = evaluate(skip, nps_inputs(skip, 80, n=12)).lines[0]
    assert (
        line.amount == D("0.00") and "12 in the window, minimum 30" in line.how and "pay no bonus" in line.how
    )
    assert evaluate(paid, nps_inputs(paid, 0, n=12)).lines[0].amount == D("500.00")


def test_bonus_on_a_lower_is_better_metric_pays_at_or_below_its_value() -> None:
    p = plan("  - {name: b, kind: bonus, metric: reopen_rate, at: 0.08, amount: 300}\n")
    reading = p.readings()[0]

    def at(value: float) -> Inputs:
        m = Measure("reopen_rate", "person", "P-1", value, 100, None, None, 30, higher_is_better=False)
        return Inputs("P-1", "Q", measures={reading: (m, None)})

    assert pay(p, at(0.08))["b/bonus"] == D("300.00") and pay(p, at(0.081))["b/bonus"] == D("0.00")


def test_multiplier_scales_the_components_it_names() -> None:
    p = plan(
        "  - {name: new, kind: commission, base: new_business, rate: 0.1}\n"
        "  - {name: m, kind: multiplier, metric: nps, applies_to: [new], "
        "steps: [{from: 0, factor: 0.9}, {from: 30, factor: 1.0}, {from: 50, factor: 1.2}]}\n"
    )
    # commission 10% of 10,000 = 1,000; at NPS 55 the factor 1.2 adds 200; at -5 the factor 0.9 takes 100
    assert pay(p, nps_inputs(p, 55)) == {"new/commission": D("1000.00"), "m/multiplier": D("200.00")}
    assert pay(p, nps_inputs(p, -5))["m/multiplier"] == D("-100.00")
    assert pay(p, nps_inputs(p, 80, n=5))["m/multiplier"] == D("0.00")  # thin, team thin too: factor 1


def test_clawback_takes_back_what_was_paid_on_the_churned_contract() -> None:
    p = plan(
        "  - name: new\n    kind: commission\n    base: new_business\n"
        + TIERS
        + "    clawback: {days: 400}\n"
    )
    # The booking quarter: 150,000 on two contracts (100,000 and 50,000) paid 14,000; each contract's
    # share is its share of the ARR: 100,000 / 150,000 x 14,000 = 9,333.33...
    original = evaluate(p, Inputs("P-1", "2024-Q2", booked("100000", "50000")))
    share = original.allocations["new"]["K-0"]
    assert cents(share) == D("9333.33") and sum(original.allocations["new"].values()) == original.exact["new"]
    churn = Churn("K-0", "new_business", dt.date(2024, 5, 1), dt.date(2025, 4, 30), D("100000"), "2024-Q2",
                  {"new": share})  # fmt: skip
    late = Churn("K-1", "new_business", dt.date(2024, 5, 1), dt.date(2025, 6, 30), D("50000"), "2024-Q2",
                 {"new": original.allocations["new"]["K-1"]})  # fmt: skip
    result = evaluate(p, Inputs("P-1", "2025-Q2", churns=(churn, late)))
    clawed = [line for line in result.lines if line.kind == "clawback"]
    # K-0 churned 364 days after the sale (within 400): -9,333.33; K-1 after 425 days: kept
    assert [(c.contracts[0][0], c.amount) for c in clawed] == [("K-0", D("-9333.33"))]
    assert "364 days after the sale" in clawed[0].how and "2024-Q2" in clawed[0].how


def test_a_negative_total_is_the_sum_of_its_lines() -> None:
    p = plan("  - {name: new, kind: commission, base: new_business, rate: 0.1, clawback: {days: 400}}\n")
    churn = Churn("K-9", "new_business", dt.date(2024, 5, 1), dt.date(2025, 4, 30), D("10000"), "2024-Q2",
                  {"new": D("1000")})  # fmt: skip
    result = evaluate(p, Inputs("P-1", "2025-Q2", booked("500"), churns=(churn,)))
    assert result.total == D("50.00") - D("1000.00")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.005", "0.00"), ("0.015", "0.02"), ("0.025", "0.02"), ("-0.025", "-0.02"), ("1234.5649", "1234.56")],
)
def test_rounding_is_once_to_cents_half_to_even(amount: str, expected: str) -> None:
    assert cents(D(amount)) == D(expected)


def test_readings_are_hashable_keys() -> None:
    assert {Reading("nps"): 1}[Reading("nps")] == 1


def test_gate_and_bonus_can_compare_with_the_scopes_own_goal() -> None:
    p = plan(
        "  - name: new\n    kind: commission\n    base: new_business\n"
        + TIERS
        + "    gate: {metric: renewal_rate, at_least: goal, min_n: 10}\n"
        "  - {name: b, kind: bonus, metric: renewal_rate, at: goal, amount: 250}\n"
    )
    gate_reading, bonus_reading = p.readings()
    assert gate_reading.goal and bonus_reading.goal

    def at(value: float, goal: float | None) -> Inputs:
        m = Measure(
            "renewal_rate", "person", "P-1", value, 20, value - 0.1, value + 0.1, 10, spec=".1%", goal=goal
        )
        return Inputs(
            "P-1", "Q", booked("150000"), measures={gate_reading: (m, None), bonus_reading: (m, None)}
        )

    # goal 82%: 85% meets it (14,000 and the 250 bonus); 80% does not (12,000, no bonus)
    assert pay(p, at(0.85, 0.82)) == {"new/commission": D("14000.00"), "b/bonus": D("250.00")}
    result = evaluate(p, at(0.80, 0.82))
    assert [x.amount for x in result.lines] == [D("12000.00"), D("0.00")]
    assert "at least its 82.0% goal" in result.lines[0].how and "at its goal 82.0%" in result.lines[1].how
    # no goal could be set: not met, and said so
    none = evaluate(p, at(0.99, None))
    assert none.lines[0].amount == D("12000.00") and "no goal set" in none.lines[0].how
    assert none.lines[1].amount == D("0.00")
