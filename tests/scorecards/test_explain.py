"""`scorecard explain`: the metric, the rows behind the number, the goal policy and the benchmark."""

from __future__ import annotations

from typer.testing import CliRunner

from cxscore.cli.main import app
from cxscore.scorecards.evaluation import Evaluator
from cxscore.scorecards.explain import explain
from cxscore.scorecards.period import Period
from cxscore.store import Project


def test_the_rows_shown_are_the_rows_counted(evaluator: Evaluator) -> None:
    found = explain(evaluator, "csat", "team", "T-SUP-EMEA", Period(2025, 4), rows=5)
    assert found.line.estimate is not None
    assert found.row_count == found.line.estimate.n
    assert found.rows is not None and len(found.rows) == 5
    assert set(found.rows["scope_id"]) == {"T-SUP-EMEA"}
    # A share is the mean of the success flags of the credited rows.
    every = explain(evaluator, "csat", "team", "T-SUP-EMEA", Period(2025, 4), rows=10_000)
    assert every.rows is not None and every.rows["_s"].mean() == found.line.estimate.value
    text = found.to_text()
    for section in ("Metric", "Value", "Rows", "Goal", "Attainment", "SQL the engine runs"):
        assert f"\n{section}" in text
    assert "Benchmark used: none published" in text and "derived from our own data" in text
    assert "success" in text and "credited_team" in text


def test_a_published_benchmark_is_cited_with_its_source(evaluator: Evaluator) -> None:
    text = explain(evaluator, "nps", "team", "T-SALES-NA", Period(2025, 4)).to_text()
    assert "Benchmark used:" in text and "https://" in text and "quality low" in text


def test_a_metric_that_is_not_on_the_scorecard_is_shown_alone(evaluator: Evaluator) -> None:
    found = explain(evaluator, "time_to_resolution", "team", "T-SUP-EMEA", Period(2025))
    assert "not on it" in found.scorecard and found.line.item.metric == "time_to_resolution"


def test_the_explain_command(demo: Project) -> None:
    args = [
        "scorecard",
        "explain",
        "reopen_rate",
        "--team",
        "T-SUP-LATAM",
        "--period",
        "2025-Q4",
        "-p",
        str(demo.root),
    ]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert (
        "Reopen rate" in result.output
        and "lower is better" in result.output
        and "credited fact(s)" in result.output
    )
