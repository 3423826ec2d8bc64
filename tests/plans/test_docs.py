"""The plan examples of docs/incentive-plans.md parse, so the how-to cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

from cxscore.metrics import load_catalog
from cxscore.plans import parse_plan

PAGE = Path(__file__).resolve().parents[2] / "docs" / "incentive-plans.md"
HEAD = "name: doc\nroles: [sales_rep]\ncomponents:\n"


def blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_every_yaml_example_is_a_valid_plan_or_list_of_components() -> None:
    catalog = load_catalog()
    found = blocks()
    assert len(found) >= 5
    for block in found:
        text = (
            block
            if block.startswith("name:")
            else HEAD + "".join(f"  {line}\n" for line in block.splitlines())
        )
        plan, problems = parse_plan(text, "docs/incentive-plans.md", catalog)
        assert plan is not None and problems == [], (block, [str(p) for p in problems])
