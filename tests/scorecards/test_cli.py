"""`cxscore scorecard ...` on the demo company: the table, JSON and CSV carry the same numbers."""

from __future__ import annotations

import io
import json

import pandas as pd
from typer.testing import CliRunner

from cxscore.cli.main import app
from cxscore.scorecards.evaluation import Evaluator
from cxscore.scorecards.period import Period
from cxscore.store import Project

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "250"})
    return result.exit_code, result.output


def test_show_as_json_and_csv_match_the_python_api(demo: Project, evaluator: Evaluator) -> None:
    expected = evaluator.evaluate("team", "T-SUP-APAC", Period(2025, 4))
    args = ("scorecard", "show", "--team", "T-SUP-APAC", "--period", "2025-Q4", "--industry", "b2b_saas")
    code, out = run(*args, "--format", "json", "-p", str(demo.root))
    assert code == 0, out
    data = json.loads(out)
    assert data["scope_id"] == "T-SUP-APAC" and data["period"] == "2025-Q4"
    assert data["score"] == expected.score
    assert [m["attainment"] for m in data["metrics"]] == [line.attainment.value for line in expected.lines]
    assert data["metrics"][0]["history"][0]["year"] == 2023
    code, out = run(*args, "--format", "csv", "-p", str(demo.root))
    assert code == 0, out
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame["metric"]) == [line.item.metric for line in expected.lines]
    assert list(frame["n"]) == [line.estimate.n for line in expected.lines if line.estimate]


def test_show_as_a_table_and_errors_as_one_line(demo: Project) -> None:
    code, out = run("scorecard", "show", "--team", "T-SUP-PREMIER", "--period", "2025", "-p", str(demo.root))
    assert code == 0, out
    assert "Support Premier" in out and "insufficient data" in out
    code, out = run("scorecard", "show", "--team", "T-NOPE", "-p", str(demo.root))
    assert code == 1 and "There is no team 'T-NOPE'" in out


def test_list_shows_the_customer_share(demo: Project) -> None:
    code, out = run("scorecard", "list", "-p", str(demo.root))
    assert code == 0 and "support_agent" in out and "75%" in out
