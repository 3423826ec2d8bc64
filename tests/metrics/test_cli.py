"""`cxscore metrics list|show|explain|validate` on a real project."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from typer.testing import CliRunner

from cxscore.cli.main import app
from cxscore.model import TABLES
from cxscore.store import Project
from cxscore.store.store import ibis_schema

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def put(project: Project, name: str, rows: list[dict[str, Any]]) -> None:
    schema = ibis_schema(TABLES[name]).to_pyarrow()
    store = project.store()
    try:
        store.load(
            name, pa.Table.from_pylist([{c: r.get(c) for c in schema.names} for r in rows], schema=schema)
        )
    finally:
        store.close()


def fill(project: Project) -> None:
    put(
        project,
        "teams",
        [
            {"team_id": "CO", "name": "Company", "function": "executive"},
            {"team_id": "SUP", "name": "Support", "parent_team_id": "CO", "function": "support"},
        ],
    )
    put(
        project,
        "memberships",
        [{"person_id": "P1", "team_id": "SUP", "role_id": "a", "valid_from": dt.date(2024, 1, 1)}],
    )
    answers = [
        {
            "response_id": f"R{i}",
            "responded_at": dt.datetime(2025, 1 + i % 6, 1 + i % 27),
            "nps": i % 11,
            "person_id": "P1",
        }
        for i in range(60)
    ]
    put(project, "responses", answers)


def test_list_shows_built_ins_and_overrides(project: Project) -> None:
    (project.root / "metrics" / "nps.yml").write_text(
        "name: nps\nkind: nps\nsource: responses\ntime: responded_at\ncolumn: nps\nlabel: Our NPS\n"
        "attribution: {person: person_id}\n",
        encoding="utf-8",
    )
    code, out = run("metrics", "list", "-p", str(project.root))
    assert code == 0, out
    assert "project (overrides built-in)" in out
    assert "gross_revenue_retention" in out and "built-in" in out


def test_show_as_table_csv_and_json(project: Project) -> None:
    fill(project)
    code, out = run("metrics", "show", "nps", "--by", "team", "--grain", "quarter", "-p", str(project.root))
    assert code == 0, out
    assert "Net Promoter Score" in out and "SUP" in out and "insufficient data" not in out
    assert "Support" in out, "the table names the teams"
    code, out = run("metrics", "show", "nps", "--grain", "month", "-p", str(project.root))
    assert code == 0 and "insufficient data: n < 30" in out
    code, out = run(
        "metrics",
        "show",
        "nps",
        "--by",
        "team",
        "--grain",
        "quarter",
        "--format",
        "csv",
        "-p",
        str(project.root),
    )
    assert code == 0, out
    frame = pd.read_csv(io.StringIO(out))
    assert set(frame.scope_id) == {"CO", "SUP"}
    assert frame.n.tolist() == [30, 30, 30, 30]
    code, out = run("metrics", "show", "nps", "--format", "json", "--grain", "year", "-p", str(project.root))
    assert code == 0, out
    records = json.loads(out)
    assert records[0]["scope"] == "company" and records[0]["n"] == 60
    assert {"value", "lower", "upper", "p_value", "insufficient"} <= set(records[0])


def test_show_reports_a_bad_date_and_an_unknown_metric(project: Project) -> None:
    code, out = run("metrics", "show", "nps", "--start", "yesterday", "-p", str(project.root))
    assert code == 1 and "--start 'yesterday' is not a date; write it as YYYY-MM-DD" in out
    code, out = run("metrics", "show", "npx", "-p", str(project.root))
    assert code == 1 and "There is no metric 'npx'" in out


def test_explain_prints_the_definition_and_the_sql(project: Project) -> None:
    code, out = run("metrics", "explain", "nps", "--by", "team", "-p", str(project.root))
    assert code == 0, out
    assert "Net Promoter Score (nps), from <built-in>/nps.yml:1" in out
    assert "Reichheld" in out
    assert "SELECT" in out and "memberships" in out and "GROUP BY" in out


def test_validate_lists_every_problem_with_file_and_line(project: Project) -> None:
    code, out = run("metrics", "validate", "-p", str(project.root))
    assert code == 0 and "All 29 metric definitions are valid." in out
    (project.root / "metrics" / "bad.yml").write_text(
        "name: bad\nkind: share\nsource: cases\ntime: resolved_at\nsuccess: {column: nope, eq: 1}\n"
        "attribution: {person: agent}\n",
        encoding="utf-8",
    )
    code, out = run("metrics", "validate", "-p", str(project.root))
    assert code == 1
    assert "2 problem(s)" in out
    assert "metrics/bad.yml:5: Metric 'bad' filters on column 'nope'" in out
    assert "metrics/bad.yml:6: Metric 'bad' uses column 'agent' as its attribution person" in out


def test_validate_outside_a_project_checks_the_built_ins(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = run("metrics", "validate")
    assert code == 0 and "All 29" in out
