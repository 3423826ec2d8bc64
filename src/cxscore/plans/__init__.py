"""Incentive plans: plans as YAML (`plans/*.yml`), payout statements, what-if and the balance check.

The API the web app calls: `payouts(project, period, person=None)` -> list of `Statement` (`to_dict()`),
`whatif(proposed, against, year, project)` -> `WhatIf` and `check(project, plan=None, year=None)` ->
list of `RoleBalance` (each with `to_dict()`). See docs/incentive-plans.md.

>>> from cxscore.plans import parse_plan
>>> plan, problems = parse_plan("name: s\\nroles: [sales_rep]\\ncomponents:\\n"
...     "  - {name: new, kind: commission, base: new_business, rate: 0.1}\\n", "plans/s.yml")
>>> plan.roles, problems
(('sales_rep',), [])
"""

from __future__ import annotations

from cxscore.plans.api import Payroll, find_plan, open_payroll, payouts, statements
from cxscore.plans.balance import RoleBalance, check
from cxscore.plans.comparison import WhatIf, compare, whatif
from cxscore.plans.definition import Bonus, Clawback, Commission, Gate, Multiplier, Plan, Reading, Tier
from cxscore.plans.evaluation import Line, evaluate
from cxscore.plans.loader import load_plans, parse_plan, read_plan
from cxscore.plans.statement import Statement

__all__ = [
    "Bonus",
    "Clawback",
    "Commission",
    "Gate",
    "Line",
    "Multiplier",
    "Payroll",
    "Plan",
    "Reading",
    "RoleBalance",
    "Statement",
    "Tier",
    "WhatIf",
    "check",
    "compare",
    "evaluate",
    "find_plan",
    "load_plans",
    "open_payroll",
    "parse_plan",
    "payouts",
    "read_plan",
    "statements",
    "whatif",
]
