"""`cxscore demo --no-truths`: the same company without the planted truths' effects."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cxscore.cli.main import app
from cxscore.demo import TRUTHS


@pytest.mark.slow
def test_no_truths_builds_a_company_without_the_planted_effects(tmp_path: Path) -> None:
    folder = tmp_path / "clean"
    built = CliRunner().invoke(app, ["demo", "--no-truths", "--project", str(folder)])
    assert built.exit_code == 0, built.output
    assert "without planted truths" in built.output
    con = duckdb.connect(str(folder / "cxscore.duckdb"), read_only=True)
    # Truth 2: Support LATAM's people are trained like everyone else.
    trained = (
        "SELECT count(*) FROM trainings JOIN memberships USING (person_id) WHERE team_id = 'T-SUP-LATAM'"
    )
    assert con.execute(trained).fetchone()[0] > 0  # type: ignore[index]
    # Truth 1: cases on atlas 3.2 score like other atlas cases (within noise of a few hundred answers).
    csat = """SELECT avg(CASE WHEN r.csat >= 4 THEN 1.0 ELSE 0.0 END) FILTER (WHERE c.version = '3.2'),
                     avg(CASE WHEN r.csat >= 4 THEN 1.0 ELSE 0.0 END) FILTER (WHERE c.version <> '3.2')
              FROM responses r JOIN cases c USING (case_id)
              WHERE c.product_id = 'atlas' AND r.csat IS NOT NULL"""
    defect, others = con.execute(csat).fetchone()  # type: ignore[misc]
    assert abs(defect - others) < 0.08
    # Truth 6: the agent of truth 6 invites like the peers.
    measured = con.execute(TRUTHS[5].measure).fetchone()[0]  # type: ignore[index]
    con.close()
    rate = float(measured.split("invitation rate ")[1].split("%")[0])
    peers = float(measured.split("peers: ")[1].split("%")[0])
    assert abs(rate - peers) < 10, measured
