"""Payouts on the web equal the CLI's: a plan gated on each person's own goal (set by the project's goal
policies) pays the same on the payouts page as `cxscore payouts` on the same data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from cxscore.cli.main import app as cli

PLAN = """\
name: goal_gated_web_test
status: active
roles: [sales_rep]
components:
  - name: new
    kind: commission
    base: new_business
    tiers: [{from: 0, rate: 0.08}, {from: 50000, rate: 0.12}]
    gate: {metric: renewal_rate, at_least: goal, window: 4, min_n: 10}
"""
#: The project's own goal policy for the gate's metric: a fixed 50%, unlike the default high bar.
GOALS = "metrics:\n  renewal_rate: {policy: absolute, target: 0.5}\n"
PERIOD = "2025-Q3"  # a quarter no other web test asks payouts of (they are cached per data version)


def test_a_goal_gated_component_on_the_web_equals_the_clis_statement(
    server: Any, clients: dict[str, Any], tmp_path: Path
) -> None:
    root = server.project.root
    plan = root / "plans" / "goal_gated_web_test.yml"
    # One active plan per role: the demo's sales plan steps aside while this one pays the reps.
    active = {path: path.read_text(encoding="utf-8") for path in (root / "plans").glob("*.yml")}
    for path in active:
        path.unlink()
    plan.write_text(PLAN, encoding="utf-8")
    goals = root / "goals" / "web_test.yml"
    goals.parent.mkdir(exist_ok=True)
    goals.write_text(GOALS, encoding="utf-8")
    try:
        answer = clients["compensation_admin"].get(f"/api/payouts?period={PERIOD}")
        assert answer.status_code == 200, answer.text
        web = {
            s["person_id"]: s
            for s in answer.json()["statements"]
            if s["plan"]["name"] == "goal_gated_web_test"
        }
        # The gate compares with the goal the project's policy sets (50%), not the default high bar.
        gated = [p for p, s in web.items() if "its 50.0% goal" in s["lines"][0]["how"]]
        assert gated, [s["lines"][0]["how"] for s in web.values()]
        # The CLI on a copy of the same data (the server holds the store's file).
        store, lock = server.app.state.store, server.app.state.store_lock
        copy = tmp_path / "company"
        with lock:
            store.execute("CHECKPOINT")
            shutil.copytree(root, copy, ignore=shutil.ignore_patterns("*.wal", "*.tmp"))
        person = gated[0]
        run = CliRunner().invoke(
            cli,
            [
                "payouts",
                "--period",
                PERIOD,
                "--person",
                person,
                "--plan",
                "goal_gated_web_test",
                "-f",
                "json",
                "--project",
                str(copy),
            ],
        )
        assert run.exit_code == 0, run.output
        (statement,) = json.loads(run.stdout)
        keep = ("component", "kind", "amount", "how")
        assert [{k: line[k] for k in keep} for line in web[person]["lines"]] == [
            {k: line[k] for k in keep} for line in statement["lines"]
        ]
        assert web[person]["total"] == statement["total"]
    finally:
        plan.unlink()
        goals.unlink()
        for path, text in active.items():
            path.write_text(text, encoding="utf-8")
        server.app.state.site.views._snapshot = None  # the next request starts from the plans on disk
