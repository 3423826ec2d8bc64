"""`cxscore payouts` and `cxscore plans ...` on the demo company."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from cxscore.cli.main import app
from cxscore.store import Project

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "250"})
    return result.exit_code, result.output


def test_payouts_summary_json_csv_and_out(demo: Project, tmp_path: Path) -> None:
    code, out = run("payouts", "--period", "2025-Q4", "--summary", "-p", str(demo.root))
    assert code == 0 and "Payouts, 2025-Q4" in out and "Una Novak (P-00027)" in out and "63,990.37" in out
    code, out = run(
        "payouts", "--period", "2025-Q4", "--person", "P-00027", "-f", "json", "-p", str(demo.root)
    )
    (statement,) = json.loads(out)
    assert code == 0 and statement["total"] == "63990.37" and len(statement["data"]["sha256"]) == 64
    code, out = run(
        "payouts", "--period", "2025-Q4", "-f", "csv", "--out", str(tmp_path), "-p", str(demo.root)
    )
    assert code == 0 and out.startswith("Wrote 14 statement(s)") and "P-00027" in out
    saved = json.loads((tmp_path / "payout-2025-Q4-P-00027.json").read_text())
    assert saved == statement
    assert (tmp_path / "payouts-2025-Q4.csv").read_text().count("\n") == 1 + 14 * 4


def test_payouts_table_shows_how_each_line_was_computed(demo: Project) -> None:
    code, out = run(
        "payouts", "--period", "2025-Q1", "--person", "P-00035", "--plan", "proposed", "-p", str(demo.root)
    )
    assert code == 0 and "Clawback: New-business commission" in out and "-3,655.56" in out
    assert "data sha256" in out and "plans/proposed.yml" in out


def test_bad_input_is_one_line_with_the_fix(demo: Project) -> None:
    code, out = run("payouts", "--period", "2025", "-p", str(demo.root))
    assert code == 1 and "ask for a quarter such as 2025-Q4" in out and "Traceback" not in out


def test_plans_list_show_validate(demo: Project, tmp_path: Path) -> None:
    code, out = run("plans", "list", "-p", str(demo.root))
    assert code == 0 and "meridian_sales_current" in out and "proposal" in out
    code, out = run("plans", "show", "current", "-p", str(demo.root))
    assert code == 0 and "sha256" in out and "name: meridian_sales_current" in out
    copy = tmp_path / "company"
    shutil.copytree(demo.root / "plans", copy / "plans")
    (copy / "cxscore.yaml").write_text("name: x\n")
    (copy / "plans" / "bad.yml").write_text(
        "name: bad\nroles: [sales_rep]\ncomponents:\n  - {name: a, kind: tip}\n"
    )
    code, out = run("plans", "validate", "-p", str(copy))
    assert code == 1 and "plans/bad.yml:4: component 'a': kind 'tip' is not one of" in out


def test_plans_whatif_and_check(demo: Project) -> None:
    compare = ("plans/proposed.yml", "--against", "plans/current.yml", "--year", "2025")
    code, out = run("plans", "whatif", *compare, "-p", str(demo.root))
    assert code == 0 and "by role" in out and "sales_rep" in out and "Total cost 2025" in out
    code, out = run("plans", "check", "--plan", "current", "-p", str(demo.root))
    assert code == 1 and "acquisition pays 2.0x" in out and "T-SALES-NA" in out and "Suggestion" in out
    code, out = run("plans", "check", "--plan", "proposed", "-p", str(demo.root))
    assert code == 0 and "Nothing flagged" in out
