"""Integrity checks: the agent who surveys only happy customers is found, nothing is listed on the company
built without planted truths, and the statistics match statsmodels and simulated data."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import proportions_ztest
from typer.testing import CliRunner

from cxscore.cli.main import app
from cxscore.diagnose import CHECKS, integrity
from cxscore.diagnose.peers import bunching_test, log_odds_ratio, mean_tests, rates_against_peers
from cxscore.errors import DiagnosisError


def _surveying_agent(root: Path) -> str:
    """Truth 6's agent, found as docs/demo-company.md defines it."""
    con = duckdb.connect(str(root / "cxscore.duckdb"), read_only=True)
    query = (
        "SELECT min(person_id) FROM memberships WHERE team_id = 'T-SUP-EMEA' AND role_id = 'support_agent'"
    )
    row = con.execute(query).fetchone()
    con.close()
    assert row is not None
    return str(row[0])


def test_truth_6_the_agent_who_surveys_only_happy_customers_is_worth_a_look(demo: Path) -> None:
    report = integrity(threshold=0.8, project=demo)
    selective = next(c for c in report.checks if c.name == "selective_invitations")
    # The agent, in each of the three years, and nobody else in any check.
    assert sorted((f.person, f.year) for f in report.findings) == [
        (_surveying_agent(demo), year) for year in (2023, 2024, 2025)
    ]
    finding = selective.findings[0]
    assert finding.adjusted < 1e-6 and finding.value < 0.2 < 0.8 < finding.peers
    assert "with a poor one" in finding.evidence and "worth" not in finding.evidence
    assert report.tests == sum(c.tested for c in report.checks)
    assert all("cheat" not in f.evidence.lower() for f in report.findings)
    assert {c.name for c in report.checks} == {c.name for c in CHECKS}


def test_nothing_is_listed_on_a_company_without_planted_truths(clean: Path) -> None:
    for period in (None, "2024", "2025"):
        report = integrity(period=period, threshold=0.8, project=clean)
        assert report.findings == (), [f.evidence for f in report.findings]
        assert report.tests > 50


def test_a_team_only_and_bad_input(demo: Path) -> None:
    mine = integrity(period="2025", team="T-SUP-EMEA", project=demo)
    assert {f.team for f in mine.findings} == {"T-SUP-EMEA"}
    with pytest.raises(DiagnosisError, match="T-NOPE"):
        integrity(team="T-NOPE", project=demo)
    with pytest.raises(DiagnosisError, match="between 0 and 1"):
        integrity(fdr=5, project=demo)
    with pytest.raises(DiagnosisError, match="share metric"):
        integrity(threshold=0.8, metric="csat_mean", project=demo)


def test_rates_against_peers_equal_statsmodels_two_proportion_test() -> None:
    frame = pd.DataFrame(
        {"person": ["a", "b", "c"], "team": ["t", "t", "t"], "n": [120, 150, 90], "x": [30, 60, 40]}
    )
    out = rates_against_peers(frame, "n", "x", "two-sided")
    _, p = proportions_ztest([30, 100], [120, 240])
    assert out.loc[0, "p_value"] == pytest.approx(p, rel=1e-9)
    assert out.loc[0, "peers"] == pytest.approx(100 / 240)


def test_log_odds_ratio_equals_statsmodels_with_half_added() -> None:
    t = pd.DataFrame({"good": [80.0], "invited_good": [70.0], "poor": [40.0], "invited_poor": [5.0]})
    lor, variance = log_odds_ratio(t)
    table = Table2x2(np.array([[70.0, 10.0], [5.0, 35.0]]) + 0.5)
    assert lor[0] == pytest.approx(table.log_oddsratio)
    assert np.sqrt(variance[0]) == pytest.approx(table.log_oddsratio_se)


def test_account_clustered_means_equal_statsmodels_cluster_robust_errors() -> None:
    rng = np.random.default_rng(4)
    account = rng.integers(0, 25, 300)
    y = rng.normal(0, 1, 25)[account] + rng.normal(0, 1, 300)
    per = pd.DataFrame({"a": account, "y": y}).groupby("a")["y"].agg(["count", "sum"])
    row = {
        "n": 300.0, "s": y.sum(), "q": (y**2).sum(), "top": 0.0, "ss_a": (per["sum"] ** 2).sum(),
        "sn_a": (per["sum"] * per["count"]).sum(), "nn_a": (per["count"] ** 2).sum(), "clusters": 25.0,
    }  # fmt: skip
    frame = pd.DataFrame([{**row, "person": "p", "team": "t", "survey": "s"}] * 2)
    out = mean_tests(frame, "two-sided")
    ols = sm.OLS(y, np.ones(300)).fit(
        cov_type="cluster", cov_kwds={"groups": account, "use_correction": False}
    )
    # Two identical people: z = 0, and each one's variance is the cluster-robust one.
    assert out["value"].iloc[0] == pytest.approx(ols.params[0])
    own_variance = (row["ss_a"] - 2 * y.mean() * row["sn_a"] + y.mean() ** 2 * row["nn_a"]) / 300**2
    assert own_variance == pytest.approx(ols.bse[0] ** 2, rel=1e-9)
    assert out["p_value"].iloc[0] == pytest.approx(1.0)


def test_bunching_is_found_where_it_was_planted_and_not_in_binomial_noise() -> None:
    rng = np.random.default_rng(2)
    n = rng.integers(5, 40, 3000).astype(float)
    level = rng.uniform(0.6, 0.95, 3000)
    honest = rng.binomial(n.astype(int), level).astype(float)
    _, _, _, p = bunching_test(honest, n, level, 0.8, 0.1)
    assert p > 0.01
    # Nudge a third of the months just below 80% up to exactly the threshold.
    nudged = honest.copy()
    below = (honest / n >= 0.7) & (honest / n < 0.8) & (rng.random(3000) < 0.33)
    nudged[below] = np.ceil(0.8 * n[below] - 1e-9)
    above, low, expected, p = bunching_test(nudged, n, level, 0.8, 0.1)
    assert p < 1e-6 and above / (above + low) > expected


def test_cli_table_and_json(demo: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["integrity", "--period", "2025", "--project", str(demo)], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "Worth a look" in shown.output and "bunching not checked" in shown.output
    printed = runner.invoke(app, ["integrity", "--period", "2025", "-f", "json", "--project", str(demo)])
    data = json.loads(printed.output)
    assert data["checks"][0]["findings"][0]["person"] == _surveying_agent(demo)
    failed = runner.invoke(app, ["integrity", "--period", "someday", "--project", str(demo)])
    assert failed.exit_code == 1 and "not a year" in failed.output
