"""`cxscore benchmarks list/show` and `cxscore goals show` on the demo company."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cxscore.cli.main import app
from cxscore.store import Project

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "250"})
    return result.exit_code, result.output


def test_benchmarks_list_and_show_cite_every_source() -> None:
    code, out = run("benchmarks", "list", "--metric", "net_revenue_retention")
    assert (
        code == 0
        and "SaaS Capital" in out
        and "nps" not in out.split("Benchmarks", 1)[1].split("Every row")[0]
    )
    code, out = run("benchmarks", "show", "net_revenue_retention")
    assert (
        code == 0
        and "url: https://churnzero.com/" in out
        and "population:" in out
        and "quality: medium" in out
    )
    code, out = run("benchmarks", "show", "ces")
    assert code == 0 and "No published benchmark for 'ces'" in out


def test_goals_show_explains_and_flags(demo: Project) -> None:
    (demo.root / "goals").mkdir(exist_ok=True)
    policy = demo.root / "goals" / "goals.yml"
    policy.write_text(
        "industry: b2b_saas\nmetrics:\n  reopen_rate: {policy: absolute, target: 0.2}\n", encoding="utf-8"
    )
    try:
        code, out = run(
            "goals", "show", "reopen_rate", "--year", "2025", "--id", "T-SUP-EMEA", "-p", str(demo.root)
        )
        assert code == 0, out
        assert "FLAGGED" in out and "below last year's result" in out
        code, out = run(
            "goals", "show", "nps", "--year", "2026", "--scope", "company", "-f", "json", "-p", str(demo.root)
        )
        assert code == 0, out
        (row,) = json.loads(out)
        assert (
            row["scope_id"] == "company"
            and row["policy"] == "high_bar"
            and row["benchmark"].startswith("Churnward")
        )
        assert row["goal"] >= 36 and row["sample_size_needed"] > 0
    finally:
        policy.unlink()


def test_goals_check_fails_on_goals_set_below_last_year(demo: Project) -> None:
    code, out = run("goals", "check", "--year", "2025", "-p", str(demo.root))
    assert code == 0 and "0 of" in out
    (demo.root / "goals").mkdir(exist_ok=True)
    policy = demo.root / "goals" / "lenient.yml"
    policy.write_text("metrics:\n  reopen_rate: {policy: absolute, target: 0.5}\n", encoding="utf-8")
    try:
        code, out = run("goals", "check", "--year", "2025", "-p", str(demo.root))
    finally:
        policy.unlink()
    assert code == 1
    assert "FLAGGED Reopen rate goal 50.0% for Support EMEA (T-SUP-EMEA) in 2025" in out
    assert "goals for 2025 flagged" in out
