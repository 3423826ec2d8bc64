"""Payouts, what-if and the balance check on the demo company, checked against plain SQL and by hand."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from cxscore.errors import ConfigError, PayoutError
from cxscore.plans import Payroll, payouts, statements
from cxscore.plans.balance import balance
from cxscore.plans.comparison import compare
from cxscore.store import Project

# Bookings of a person in a quarter, by kind, credited while the person was a sales rep on the booking day.
BOOKED = """
SELECT k.kind, sum(k.arr) FROM contracts k
JOIN memberships m ON m.person_id = k.credited_person_id AND k.booked_on >= m.valid_from
     AND (m.valid_to IS NULL OR k.booked_on <= m.valid_to)
WHERE k.credited_person_id = ? AND k.booked_on BETWEEN ? AND ? AND m.role_id = 'sales_rep'
GROUP BY 1
"""


def booked(payroll: Payroll, person: str, start: str, end: str) -> dict[str, Decimal]:
    rows = payroll.store.con.con.execute(BOOKED, [person, start, end]).fetchall()
    return {kind: Decimal(repr(arr)).quantize(Decimal("0.01")) for kind, arr in rows}


def test_current_plan_pays_the_bookings_sql_finds_at_the_plan_rates(payroll: Payroll) -> None:
    plan = payroll.plan("plans/current.yml")
    for s in statements(payroll, plan, "2025-Q4"):
        arr = booked(payroll, s.person_id, "2025-10-01", "2025-12-31")
        new = arr.get("new_business", Decimal(0))
        # 10% up to 250,000 a quarter, 14% above, capped at 60,000
        expected_new = min(
            Decimal("0.10") * min(new, Decimal(250000)) + Decimal("0.14") * max(Decimal(0), new - 250000),
            Decimal(60000),
        )
        assert s.amount("new_logos") == expected_new.quantize(Decimal("0.01")), s.person_id
        assert s.amount("renewals") == (Decimal("0.05") * arr.get("renewal", Decimal(0))).quantize(
            Decimal("0.01")
        )
        assert s.amount("expansion") == (Decimal("0.05") * arr.get("expansion", Decimal(0))).quantize(
            Decimal("0.01")
        )
        assert s.total == sum(line.amount for line in s.lines)


def test_one_statement_by_hand(payroll: Payroll) -> None:
    # Una Novak (P-00027), Sales NA, 2025-Q4: new business 345,970.41 pays 10% of 250,000 = 25,000 plus
    # 14% of 95,970.41 = 13,435.86 (38,435.86); renewals 5% of 502,873.95 = 25,143.70; expansion 5% of
    # 8,216.24 = 410.81; her relationship NPS is under 30 answers in the quarter: no NPS bonus.
    (s,) = statements(payroll, payroll.plan("plans/current.yml"), "2025-Q4", "P-00027")
    assert [(x.component, x.amount) for x in s.lines] == [
        ("new_logos", Decimal("38435.86")),
        ("renewals", Decimal("25143.70")),
        ("expansion", Decimal("410.81")),
        ("nps_bonus", Decimal("0.00")),
    ]
    assert s.total == Decimal("63990.37") and s.team == "T-SALES-NA"
    assert "marginal tiers: 10% from 0.00 USD, 14% from 250,000.00 USD" in s.lines[0].how


def test_statements_are_byte_identical_when_computed_again(demo: Project) -> None:
    first = [s.to_json() for s in payouts(demo.root, "2025-Q1", plan="plans/proposed.yml")]
    again = [s.to_json() for s in payouts(demo.root, "2025-Q1", plan="plans/proposed.yml")]
    assert first == again and len(first) > 10
    assert len(set(first)) == len(first)  # one per person, each with its own data hash


def test_the_data_hash_changes_with_the_data_and_the_plan_hash_with_the_plan(
    demo: Project, tmp_path: Path
) -> None:
    copy = tmp_path / "company"
    shutil.copytree(demo.root, copy)
    before = {s.person_id: s for s in payouts(copy, "2025-Q4")}
    import duckdb

    con = duckdb.connect(str(copy / "cxscore.duckdb"))
    con.execute(
        "UPDATE contracts SET arr = arr + 1 WHERE contract_id = (SELECT min(contract_id) FROM contracts "
        "WHERE credited_person_id = 'P-00027' AND booked_on >= DATE '2025-10-01' AND kind = 'renewal')"
    )
    con.close()
    after = {s.person_id: s for s in payouts(copy, "2025-Q4")}
    assert after["P-00027"].data_sha256 != before["P-00027"].data_sha256
    assert after["P-00027"].amount("renewals") == before["P-00027"].amount("renewals") + Decimal("0.05")
    assert after["P-00022"].data_sha256 == before["P-00022"].data_sha256
    plan = copy / "plans" / "current.yml"
    plan.write_text(plan.read_text().replace("rate: 0.05", "rate: 0.06", 1))
    changed = payouts(copy, "2025-Q4", "P-00022")[0]
    assert changed.plan.sha256 != before["P-00022"].plan.sha256


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_plan_version_is_the_commit_when_the_file_is_committed_and_unchanged(
    demo: Project, tmp_path: Path
) -> None:
    copy = tmp_path / "company"
    shutil.copytree(demo.root, copy)

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(copy), *args], check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=a@b.c", "-c", "user.name=a", "add", "plans")
    git("-c", "user.email=a@b.c", "-c", "user.name=a", "commit", "-q", "-m", "plans")
    head = subprocess.run(
        ["git", "-C", str(copy), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    assert payouts(copy, "2025-Q4", "P-00027")[0].plan.commit == head
    plan = copy / "plans" / "current.yml"
    plan.write_text(plan.read_text() + "\n# changed\n")
    assert payouts(copy, "2025-Q4", "P-00027")[0].plan.commit == "uncommitted"


def test_clawbacks_take_back_first_term_churn_at_the_original_commission(payroll: Payroll) -> None:
    proposed = payroll.plan("plans/proposed.yml")
    (s,) = statements(payroll, proposed, "2025-Q1", "P-00035")
    (line,) = [x for x in s.lines if x.kind == "clawback"]
    # K-0000214: 52,222.29 of new business booked 2024-01-28, below the 250,000 tier: 7% = 3,655.56
    assert line.contracts == (("K-0000214", "-3655.56"),) and line.amount == Decimal("-3655.56")
    (origin,) = statements(payroll, proposed, "2024-Q1", "P-00035")
    paid = dict(
        next(x for x in origin.lines if x.component == "new_logos" and x.kind == "commission").contracts
    )
    assert paid["K-0000214"] == "3655.56"


def test_bad_periods_and_people_are_named_with_the_fix(demo: Project) -> None:
    with pytest.raises(
        PayoutError,
        match=r"pays per quarter, so period '2025' cannot be paid: ask for a quarter such as 2025-Q4",
    ):
        payouts(demo.root, "2025")
    with pytest.raises(ConfigError, match="Period '2025-Q5' is not a quarter or a year"):
        payouts(demo.root, "2025-Q5")
    with pytest.raises(PayoutError, match="There is no person 'P-99999'"):
        payouts(demo.root, "2025-Q4", "P-99999")
    with pytest.raises(
        PayoutError, match=r"held no role paid by plan 'meridian_sales_current' \(sales_rep\) in 2025-Q4"
    ):
        payouts(demo.root, "2025-Q4", "P-00044")  # a support agent
    with pytest.raises(PayoutError, match="No plan file or plan named 'nope'"):
        payouts(demo.root, "2025-Q4", plan="nope")


def test_a_period_after_the_data_says_so(demo: Project) -> None:
    found = payouts(demo.root, "2026-Q2")
    assert found and all(s.total == 0 for s in found)
    assert "The store's last booking is on 2025-12" in found[0].notes[0]


def test_whatif_totals_are_the_sums_of_the_statements(payroll: Payroll) -> None:
    current, proposed = payroll.plan("plans/current.yml"), payroll.plan("plans/proposed.yml")
    result = compare(payroll, proposed, current, 2025)
    paid = sum((s.total for q in range(1, 5) for s in statements(payroll, current, f"2025-Q{q}")), Decimal(0))
    assert result.total_current == paid == sum(r.current for r in result.roles)
    assert result.total_proposed == sum(c.proposed for c in result.components)
    by_person = {p.key: p for p in result.people}
    assert by_person["P-00029"].change < 0  # the new-logo seller of Sales NA loses under the proposal
    assert result.to_dict()["total"]["current"] == str(paid)


def test_the_balance_check_flags_the_current_plan_and_sales_north_america(payroll: Payroll) -> None:
    (role,) = balance(payroll, payroll.plan("plans/current.yml"), 2025)
    kinds = {f.kind for f in role.findings}
    assert {"ratio", "no_guard", "small", "noisy", "team"} <= kinds
    ratio = next(f for f in role.findings if f.kind == "ratio")
    assert "acquisition pays 2.0x what retention pays per dollar" in ratio.message
    teams = [f.component for f in role.findings if f.kind == "team"]
    assert teams == ["T-SALES-NA"]  # planted truth 5
    levers = {lever.name: lever for lever in role.levers}
    assert levers["new ARR"].per_unit == pytest.approx(0.10) and levers[
        "retained ARR"
    ].per_unit == pytest.approx(0.05)
    assert role.suggestion is not None
    rates = dict(role.suggestion.rates)
    assert rates["new_logos"].startswith("6.") and rates["renewals"].startswith("6.")
    # cost-neutral by construction on last year's bases: within 1% of what was paid
    assert abs(role.suggestion.cost - role.suggestion.actual) < Decimal("0.01") * role.suggestion.actual


def test_the_balance_check_passes_the_proposed_plan(payroll: Payroll) -> None:
    (role,) = balance(payroll, payroll.plan("plans/proposed.yml"), 2025)
    assert role.findings == () and role.suggestion is None
    levers = {lever.name: lever for lever in role.levers}
    assert 1 / 1.5 < levers["new ARR"].per_unit / levers["retained ARR"].per_unit < 1.5


def test_the_balance_check_speaks_the_plans_currency(payroll: Payroll) -> None:
    plan = dataclasses.replace(payroll.plan("plans/current.yml"), currency="EUR")
    (role,) = balance(payroll, plan, 2025)
    assert role.suggestion is not None
    texts = [lever.how for lever in role.levers] + [f.message for f in role.findings]
    texts.append(role.suggestion.message)
    assert [t for t in texts if "USD" in t] == []  # amounts of a EUR plan used to be printed in USD
    small = next(f for f in role.findings if f.kind == "small")
    assert re.search(r"pays at most [\d,]+\.00 EUR a quarter", small.message), small.message
    assert re.search(r"would have cost [\d,]+\.\d\d EUR instead of", role.suggestion.message)
    assert role.to_dict()["currency"] == "EUR"


def test_a_gate_on_the_persons_own_goal_uses_the_goal_policies(payroll: Payroll, tmp_path: Path) -> None:
    from cxscore.goals import Results, load_benchmarks, load_goal_settings, set_goals
    from cxscore.plans import read_plan

    path = tmp_path / "goal.yml"
    path.write_text(
        "name: goal_plan\nstatus: proposal\nroles: [sales_rep]\ncomponents:\n"
        "  - name: new\n    kind: commission\n    base: new_business\n"
        "    tiers: [{from: 0, rate: 0.08}, {from: 50000, rate: 0.12}]\n"
        "    gate: {metric: renewal_rate, at_least: goal, window: 4, min_n: 10}\n"
    )
    (s,) = statements(payroll, read_plan(path), "2025-Q4", "P-00027")
    root = payroll.project.root
    (goal,) = set_goals(Results(payroll.engine), "renewal_rate", "person", 2025, load_goal_settings(root),
                        load_benchmarks(root), ["P-00027"])  # fmt: skip
    assert f"at least its {goal.target:.1%} goal" in s.lines[0].how
    # 345,970.41 of new business; her rolling-year renewal rate (71%) is under her goal: 8% of it all
    assert goal.target > 0.71 and s.lines[0].amount == Decimal("27677.63")


def test_a_negative_statement_says_what_is_owed(payroll: Payroll) -> None:
    # Mia Martin (Sales NA), 2025-Q2 under the proposed plan: three first-term churns clawed back exceed
    # the quarter's commissions.
    (s,) = statements(payroll, payroll.plan("plans/proposed.yml"), "2025-Q2", "P-00029")
    clawed = [x for x in s.lines if x.kind == "clawback"]
    assert len(clawed) == 3 and s.total == Decimal("-288.87")
    assert "The total is negative: 288.87 USD owed" in s.notes[-1]


def test_a_rep_who_moved_on_still_owes_the_clawback_of_an_earlier_sale(payroll: Payroll) -> None:
    # P-00021 was a sales rep in Sales EMEA until 2024-12-13, then an account manager. K-0000244
    # (69,372.68, booked 2024-02-27) churned on 2025-02-25: 7% of it, 4,856.09, is clawed back in 2025-Q1,
    # on a statement of clawbacks only (no commission or bonus in a quarter without the role).
    proposed = payroll.plan("plans/proposed.yml")
    (s,) = statements(payroll, proposed, "2025-Q1", "P-00021")
    assert [(x.kind, x.amount) for x in s.lines] == [("clawback", Decimal("-4856.09"))]
    assert "held no role of this plan in 2025-Q1" in s.notes[0] and s.team == "T-SALES-EMEA"
    assert "P-00021" in {x.person_id for x in statements(payroll, proposed, "2025-Q1")}
    assert "P-00021" not in {x.person_id for x in statements(payroll, proposed, "2025-Q2")}
