"""Obstacle verdicts on the demo company: the defective product and the untrained team are found, a tiny
team gets no verdict, and the same company built without its planted truths shows no obstacle."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cxscore
from cxscore.cli.main import app
from cxscore.diagnose import Component, ObstacleVerdict, obstacles
from cxscore.errors import DiagnosisError

REGIONS = ("T-SUP-EMEA", "T-SUP-NA", "T-SUP-APAC", "T-SUP-LATAM")


def _part(verdict: ObstacleVerdict, name: str) -> Component:
    return next(c for c in verdict.components if c.name == name)


def test_truth_1_the_defective_version_explains_the_gap_to_a_goal(demo: Path) -> None:
    verdict = obstacles("csat", team="T-SUP-EMEA", period="2024", goal=0.85, project=demo)
    product = _part(verdict, "product")
    assert verdict.decided and verdict.confidence == "clear"
    assert product.lower > 0 and product.share > 0.4
    assert product.levels[0].level == "atlas 3.2" and product.levels[0].upper < 0
    assert "4 of 4 teams" in product.evidence  # low for every team, not this team's doing
    assert "of the gap goes with product" in verdict.verdict and verdict.named == ("product",)
    assert _part(verdict, "people").lower < 0 < _part(verdict, "people").upper  # agents: within noise


def test_truth_2_the_untrained_team_is_held_back_by_training(demo: Path) -> None:
    verdict = obstacles("csat", team="T-SUP-LATAM", project=demo)
    training = _part(verdict, "training")
    assert verdict.decided and verdict.gap_lower > 0
    assert training.lower > 0 and training.share > 0.25
    assert training.levels[0].level == "untrained" and training.levels[0].share == pytest.approx(1.0)
    assert "goes with training" in verdict.verdict and "training" in verdict.named
    assert "train the team before judging its people" in verdict.verdict


def test_an_unclear_gap_with_a_clear_part_says_why_it_is_unclear(demo: Path, clean: Path) -> None:
    # Support LATAM in 2025: training alone holds the team back clearly, the whole gap is within noise.
    verdict = obstacles("csat", team="T-SUP-LATAM", period="2025", project=demo)
    training = _part(verdict, "training")
    assert verdict.confidence == "unclear" and verdict.gap_lower < 0 < training.lower
    assert "nothing to explain" not in verdict.verdict
    reason = verdict.verdict[verdict.verdict.index("One part is clear") :]
    assert "yet the verdict is unclear: training holds the team back by 11.6 pts" in reason
    assert "(+3.2 pts to +20.0 pts)" in reason and "work the other way" in reason
    others = sum(c.drag for c in verdict.components if c.name not in ("training", "unexplained"))
    assert f"({others * 100:+.1f} pts together)" in reason
    # Without a clear part, a gap within noise still has nothing to explain.
    plain = obstacles("csat", team="T-SUP-NA", period="2024", project=clean)
    assert plain.confidence == "unclear" and plain.gap_lower < 0
    assert plain.verdict.endswith("there is nothing to explain.")
    shown = CliRunner().invoke(
        app,
        ["diagnose", "--team", "T-SUP-LATAM", "--period", "2025", "--project", str(demo)],
        terminal_width=400,
    )
    assert (
        shown.exit_code == 0
        and "Verdict (unclear)" in shown.output
        and "yet the verdict is unclear" in shown.output
    )


def test_the_parts_add_up_to_the_gap(demo: Path) -> None:
    verdict = obstacles("csat", team="T-SUP-APAC", period="2024", project=demo)
    assert sum(c.drag for c in verdict.components) == pytest.approx(verdict.gap, abs=1e-9)
    assert verdict.value == pytest.approx(verdict.target - verdict.gap)
    assert verdict.lower < verdict.value < verdict.upper
    assert {v.name for v in verdict.variances} == {"agents", "products", "facts (residual)"}
    # The team's value and n are the metric engine's for the team and year.
    rows = cxscore.compute("csat", by=["team"], grain="year", project=demo)
    row = rows[(rows["scope_id"] == "T-SUP-APAC") & (rows["period"] == dt.date(2024, 1, 1))].iloc[0]
    assert (verdict.value, verdict.n) == (pytest.approx(row["value"]), row["n"])
    assert sum(v.share for v in verdict.variances) == pytest.approx(1.0)


def test_no_verdict_on_a_tiny_team_and_it_says_what_is_missing(demo: Path) -> None:
    verdict = obstacles("csat", team="T-SUP-PREMIER", period="2025", project=demo)
    assert not verdict.decided and verdict.components == ()
    assert "needs at least 50" in verdict.verdict and verdict.missing


def test_bad_input_names_the_team_and_the_fix(demo: Path) -> None:
    with pytest.raises(DiagnosisError, match="T-NOPE"):
        obstacles("csat", team="T-NOPE", project=demo)
    with pytest.raises(DiagnosisError, match="--goal"):
        obstacles("csat", team="T-SUP", within="T-SUP", project=demo)
    with pytest.raises(DiagnosisError, match="not under 'T-SALES'"):
        obstacles("csat", team="T-SUP-LATAM", within="T-SALES", project=demo)


def test_a_clean_company_shows_no_obstacle(clean: Path) -> None:
    for team in REGIONS:
        for period in (None, "2025"):
            verdict = obstacles("csat", team=team, period=period, project=clean)
            assert verdict.named == () and "goes with" not in verdict.verdict, verdict.verdict
    # Against a goal far above everyone, the product is no obstacle when nothing is defective.
    high = obstacles("csat", team="T-SUP-EMEA", period="2024", goal=0.97, project=clean)
    assert "product" not in high.named and "goes with product" not in high.verdict
    assert _part(high, "product").drag < 0.02


def test_cli_table_and_json(demo: Path) -> None:
    runner = CliRunner()
    args = ["diagnose", "--metric", "csat", "--team", "T-SUP-EMEA", "--period", "2024", "--goal", "0.85"]
    shown = runner.invoke(app, [*args, "--project", str(demo)], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "atlas 3.2" in shown.output and "The gap, split" in shown.output
    printed = runner.invoke(app, [*args, "--format", "json", "--project", str(demo)])
    data = json.loads(printed.output)
    assert data["components"][0]["name"] == "product" and data["decided"] is True
    assert not any(isinstance(v, float) and math.isnan(v) for v in data["components"][-1].values())
    failed = runner.invoke(app, ["diagnose", "--team", "T-NOPE", "--project", str(demo)])
    assert failed.exit_code == 1 and "T-NOPE" in failed.output


@pytest.mark.parametrize("metric", ["csat", "reopen_rate"])
def test_people_clearly_worse_or_better_follow_the_metrics_direction(demo: Path, metric: str) -> None:
    """Reopen rate is better low: an agent is clearly worse when their whole interval is above a typical
    agent's rate. (It counted an agent whose interval straddled zero as clearly worse *and* better.)"""
    people = _part(obstacles(metric, team="T-SUP-LATAM", project=demo), "people")
    mine = [c for c in people.levels if c.n > 0]
    sign = -1 if metric == "reopen_rate" else 1
    worse = sum(1 for c in mine if sign * c.lower < 0 and sign * c.upper < 0)
    better = sum(1 for c in mine if sign * c.lower > 0 and sign * c.upper > 0)
    assert f"{len(mine)} people in the team; {worse} clearly worse than a typical person, {better} " in (
        people.evidence
    )
    assert any(c.lower < 0 < c.upper for c in mine)  # one within noise, counted neither way


def test_answers_without_a_product_get_no_product_part(tmp_path: Path) -> None:
    """The tutorial's survey answers name no product: one level, whose variance cannot be told from the
    intercept (the model gave it half the residual variance, 'products 50%'), so the product part is left
    out with a note, and the people part's test (then the only random factor) still runs."""
    exports = Path(__file__).parents[2] / "docs" / "tutorial" / "exports"
    project = tmp_path / "acme"
    runner = CliRunner()
    steps = [["init", str(project)]]
    steps += [["import", t, str(exports / f"{t}.csv")] for t in ("teams", "roles", "people", "memberships")]
    maps = ["responded_at=When", "nps=Score", "comment=Comment", "person_id=Agent"]
    steps.append(["import", "responses", str(exports / "nps.csv"), "--day-first", "--key-from",
                  "When,Stage,Comment", *(w for m in maps for w in ("--map", m))])  # fmt: skip
    for step in steps:
        where = ["-p", str(project)] if step[0] != "init" else []
        assert runner.invoke(app, [*step, *where]).exit_code == 0
    verdict = obstacles("nps", team="T-SUP-US", period="2025", project=project)
    assert [v.name for v in verdict.variances] == ["agents", "facts (residual)"]
    assert "product" not in {c.name for c in verdict.components}
    assert any("one product version only: the product part cannot be judged" in n for n in verdict.notes)
    assert 0 <= verdict.variances[0].p_value <= 1
