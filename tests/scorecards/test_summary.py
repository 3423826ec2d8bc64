"""The company summary (the end of `make demo`): every team, the largest gaps, JSON and CSV on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from cxscore.cli.main import app
from cxscore.scorecards.attainment import Attainment
from cxscore.scorecards.evaluation import Evaluator
from cxscore.scorecards.period import Period, latest_complete_quarter
from cxscore.scorecards.summary import summarize
from cxscore.store import Project


def test_the_latest_complete_quarter_of_the_demo_is_2025_q4(demo: Project) -> None:
    store = demo.store()
    try:
        assert latest_complete_quarter(store) == Period(2025, 4)
    finally:
        store.close()


def test_the_summary_scores_every_team_and_lists_the_surest_largest_gaps_first(evaluator: Evaluator) -> None:
    summary = summarize(evaluator, Period(2025, 4))
    teams = {r.scope_id: r for r in summary.results}
    assert {"T-COMPANY", "T-SUP-APAC", "T-SALES-NA", "T-PRODUCT", "T-EVENTS", "T-BILLING"} <= set(teams)
    assert teams["T-SUP-PREMIER"].score is None  # planted truth 4: no top score on a handful of answers
    # Planted truth 5: the sales team paid on new logos scores lowest of the sales teams, and its renewal
    # rate is among the largest gaps (after gaps in new ARR and first-contact resolution that are larger).
    sales = {
        t: teams[t].score
        for t in ("T-SALES-EMEA", "T-SALES-NA", "T-SALES-APAC")
        if teams[t].score is not None
    }
    assert min(sales, key=lambda t: sales[t]) == "T-SALES-NA"
    renewals = [g for g in summary.gaps if g.team_id == "T-SALES-NA" and "renewal" in g.line.metric.name]
    assert [g.line.attainment for g in renewals] == [Attainment.NOT_MET]
    assert all(g.line.attainment in (Attainment.NOT_MET, Attainment.LIKELY_NOT_MET) for g in summary.gaps)
    assert all(g.shortfall > 0 for g in summary.gaps)
    not_met = [g.relative for g in summary.gaps if g.line.attainment is Attainment.NOT_MET]
    assert not_met == sorted(not_met, reverse=True)


def test_the_summary_command_prints_and_writes_json_and_csv(demo: Project, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "scorecard",
            "summary",
            "--period",
            "2025-Q4",
            "--industry",
            "b2b_saas",
            "--out",
            str(tmp_path),
            "-p",
            str(demo.root),
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "Scorecard summary, 2025-Q4" in result.output and "Largest gaps" in result.output
    data = json.loads((tmp_path / "scorecard-summary-2025-Q4.json").read_text(encoding="utf-8"))
    frame = pd.read_csv(tmp_path / "scorecard-summary-2025-Q4.csv")
    assert len(frame) == sum(len(card["metrics"]) for card in data["scorecards"])
    assert set(frame["scope_id"]) == {team["team_id"] for team in data["teams"]}
    assert data["largest_gaps"] and data["period"] == "2025-Q4"
