"""`cxscore verbatims`: the tables name the teams behind each topic and touchpoint; JSON keeps the ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxscore.cli.main import app

runner = CliRunner()

TEAMS = "team_id,name,function\nT-SUP,Customer Support,support\nT-BILL,Billing,back_office\n"
TOUCHPOINTS = "touchpoint_id,name\nsupport_case,Support case\nfirst_invoice,First invoice\n"
LINKS = "touchpoint_id,team_id,contribution\nsupport_case,T-SUP,owner\nfirst_invoice,T-BILL,owner\n"
COMMENTS = {
    "support_case": ("The agent solved my issue quickly.", "Nobody answered my ticket for days."),
    "first_invoice": ("The invoice amount was wrong.", "Clear and correct invoice."),
}


def run(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with two named teams, each behind a touchpoint, and 40 comments on those touchpoints."""
    folder = tmp_path_factory.mktemp("verbatims")
    root = folder / "acme"
    run("init", str(root))
    lines = ["response_id,responded_at,touchpoint_id,csat,comment,language"]
    for i in range(40):
        point = "support_case" if i % 2 else "first_invoice"
        text = COMMENTS[point][i % 4 // 2]
        lines.append(f"R{i},2025-03-{1 + i % 28:02d} 10:00:00,{point},{1 + i % 5},{text},en")
    files = {
        "teams": TEAMS,
        "touchpoints": TOUCHPOINTS,
        "touchpoint_teams": LINKS,
        "responses": "\n".join(lines) + "\n",
    }
    for table, text in files.items():
        path = folder / f"{table}.csv"
        path.write_text(text, encoding="utf-8")
        assert "row(s) quarantined" not in run("import", table, str(path), "-p", str(root))
    return root


def test_the_tables_show_team_names_beside_their_ids(project: Path) -> None:
    shown = run("verbatims", "--period", "2025", "--topics", "2", "-p", str(project))
    topics, touchpoints = shown.split("Touchpoints")
    assert "Customer Support (T-SUP)" in topics or "Billing (T-BILL)" in topics
    assert "Customer Support (T-SUP)" in touchpoints and "Billing (T-BILL)" in touchpoints


def test_json_keeps_the_team_ids(project: Path) -> None:
    data = json.loads(run("verbatims", "--period", "2025", "--topics", "2", "-f", "json", "-p", str(project)))
    teams = {team for view in data["touchpoints"] for team in view["teams"]}
    assert teams == {"T-SUP", "T-BILL"}
