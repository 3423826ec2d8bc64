"""Plan files: every problem reported at once with its file:line and the fix; the shipped plans are valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxscore.errors import PlanDefinitionError
from cxscore.metrics import load_catalog
from cxscore.plans import load_plans, parse_plan, read_plan
from cxscore.plans.shipped import DEMO_PLANS, install_demo_plans, shipped_plan

BROKEN = """\
name: Bad-Name
roles: sales_rep
period: month
components:
  - name: new
    kind: commission
    base: new_logos
    rate: -0.1
    tier_mode: retroactive
  - name: b
    kind: bonus
    metric: nps_score
    amount: 100
  - name: m
    kind: multiplier
    metric: nps
    applies_to: [later]
    steps: [{from: 30, factor: 1.1}, {from: 10, factor: 1.0}]
  - {name: later, kind: commission, base: renewal, tiers: [{from: 10, rate: 0.1}], colour: red}
"""


def test_every_problem_of_a_file_is_reported_with_its_line() -> None:
    plan, problems = parse_plan(BROKEN, "plans/bad.yml", load_catalog())
    text = [str(p) for p in problems]
    assert plan is None
    expected = [
        "plans/bad.yml:1: plan name 'Bad-Name' must be lower case",
        "plans/bad.yml:2: 'roles' must list the role ids",
        "plans/bad.yml:3: plan: period 'month' is not one of quarter, year",
        "plans/bad.yml:7: component 'new': base 'new_logos' must be one or more of new_business",
        "plans/bad.yml:8: component 'new': rate -0.1 must be at least 0",
        "plans/bad.yml:12: component 'b': unknown metric 'nps_score'",
        "plans/bad.yml:10: component 'b': give 'at' (paid in full from that value) or both 'from' and 'to'",
        "plans/bad.yml:18: component 'm': steps must rise",
        "plans/bad.yml:19: component 'later': unknown field 'colour'",
        "plans/bad.yml:19: component 'later': tiers must start at from: 0",
        "plans/bad.yml:14: component 'm': applies_to names 'later', which is not a component listed before",
    ]
    for start in expected:
        assert any(t.startswith(start) for t in text), (start, text)


def test_not_yaml_and_not_a_mapping_are_problems_not_crashes() -> None:
    assert str(parse_plan("name: [x\n", "plans/x.yml")[1][0]).startswith("plans/x.yml:2: not valid YAML")
    assert "holds one mapping" in str(parse_plan("- a\n", "plans/x.yml")[1][0])


def test_two_active_plans_may_not_pay_the_same_role(tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    body = (
        "roles: [sales_rep]\ncomponents:\n  - {name: new, kind: commission, base: new_business, rate: 0.1}\n"
    )
    (folder / "a.yml").write_text("name: a\n" + body)
    (folder / "b.yml").write_text("name: b\n" + body)
    with pytest.raises(
        PlanDefinitionError, match=r"role 'sales_rep' is paid by two active plans .* status: proposal"
    ):
        load_plans(tmp_path)
    (folder / "b.yml").write_text("name: b\nstatus: proposal\n" + body)
    assert [p.name for p in load_plans(tmp_path)] == ["a", "b"]


def test_a_missing_plan_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(PlanDefinitionError, match="no such plan file"):
        read_plan(tmp_path / "nope.yml")


def test_shipped_plans_are_valid_and_installed_without_overwriting(tmp_path: Path) -> None:
    catalog = load_catalog()
    for name in DEMO_PLANS:
        plan, problems = parse_plan(shipped_plan(name), name, catalog)
        assert plan is not None and problems == []
    written = install_demo_plans(tmp_path)
    assert sorted(p.name for p in written) == ["current.yml", "proposed.yml"]
    (tmp_path / "plans" / "current.yml").write_text("# edited\n")
    assert (
        install_demo_plans(tmp_path) == []
        and (tmp_path / "plans" / "current.yml").read_text() == "# edited\n"
    )


def test_a_ramp_or_multiplier_against_the_metrics_direction_is_a_problem() -> None:
    catalog = load_catalog()
    head = "name: x\nroles: [support_agent]\ncomponents:\n"
    ramp = head + "  - {name: b, kind: bonus, metric: reopen_rate, from: 0.05, to: 0.15, amount: 100}\n"
    found = [str(p) for p in parse_plan(ramp, "plans/x.yml", catalog)[1]]
    assert found == [
        "plans/x.yml:4: component 'b': reopen_rate is better lower, so the ramp must run from the worse "
        "value to the better one (swap 'from' and 'to')."
    ]
    assert (
        parse_plan(ramp.replace("from: 0.05, to: 0.15", "from: 0.15, to: 0.05"), "plans/x.yml", catalog)[1]
        == []
    )
    multiplier = (
        head + "  - {name: c, kind: commission, base: renewal, rate: 0.1}\n"
        "  - {name: m, kind: multiplier, metric: reopen_rate, applies_to: [c], "
        "steps: [{from: 0, factor: 1}]}\n"
    )
    assert "a multiplier needs a metric where higher is better" in str(
        parse_plan(multiplier, "x", catalog)[1][0]
    )
