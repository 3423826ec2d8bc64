"""Recognition programs: parsing, and the demo truths (the improving team wins, the lucky one does not)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as scipy_stats
from typer.testing import CliRunner

from cxscore.cli.main import app
from cxscore.errors import ProgramDefinitionError
from cxscore.rewards import Leaderboards
from cxscore.rewards.awards import evaluate_program
from cxscore.rewards.programs import AwardKind, Program, load_programs, parse_program
from cxscore.scorecards.period import Period
from cxscore.store import Project

APAC, PREMIER = "T-SUP-APAC", "T-SUP-PREMIER"
IMPROVED = Program(
    "most_improved", "Most improved", AwardKind.MOST_IMPROVED, "csat", "test", within="T-SUP", min_change=0.05
)


def test_the_truly_improved_team_wins_most_improved(boards: Leaderboards) -> None:
    for year in ("2024", "2025"):
        result = evaluate_program(boards, IMPROVED, Period.parse(year))
        assert [w.scope_id for w in result.winners] == [APAC], result.summary
        numbers = result.winners[0].numbers
        assert float(numbers["probability"]) >= 0.9 and float(numbers["expected_change"]) > 0.05
        assert "exceeds +5.0 pts with probability" in result.winners[0].reason


def test_the_tiny_lucky_team_does_not_win_even_without_a_minimum_sample(boards: Leaderboards) -> None:
    # Premier's raw CSAT jumps around on 9 to 16 answers a year; shrinkage keeps that from looking real.
    for period in ("2024", "2025", "2025-Q2", "2025-Q4"):
        result = evaluate_program(boards, replace(IMPROVED, min_n=1), Period.parse(period))
        assert PREMIER not in {w.scope_id for w in result.winners}
    # Above the bar, the minimum sample is what stops it: in 2023 its 16 of 16 against five peers (one of
    # them truly poor, so the learned prior is wide) is still 90% surely above 80% once min_n is waived.
    above = Program("lunch", "Lunch", AwardKind.ABOVE_BAR, "csat", "test", within="T-SUP", threshold=0.8)
    for year in ("2023", "2024", "2025"):
        assert PREMIER not in {
            w.scope_id for w in evaluate_program(boards, above, Period.parse(year)).winners
        }
    waived = {
        w.scope_id for w in evaluate_program(boards, replace(above, min_n=1), Period.parse("2023")).winners
    }
    assert PREMIER in waived


def test_above_the_bar_is_a_posterior_probability(boards: Leaderboards) -> None:
    program = Program("lunch", "Lunch", AwardKind.ABOVE_BAR, "csat", "test", within="T-SUP", threshold=0.8)
    result = evaluate_program(boards, program, Period.parse("2025"))
    assert [w.scope_id for w in result.winners] == [APAC]
    # Independent check: Beta(a + x, b + n - x) tail from scipy with the prior of the fair ranking.
    board = boards.rank("csat", "team", Period.parse("2025"), within="T-SUP", min_n=0)
    apac = board.entry(APAC)
    assert apac is not None
    a_b = board.prior.split("(")[1].split(")")[0].split(", ")
    a, b = float(a_b[0]), float(a_b[1])
    successes = round(apac.value * apac.n)
    exact = scipy_stats.beta.sf(0.8, a + successes, b + apac.n - successes)
    assert float(result.winners[0].numbers["probability"]) == pytest.approx(exact, abs=0.01)


def test_an_award_on_gross_retention_shows_its_interval_within_100_percent(boards: Leaderboards) -> None:
    program = Program(
        "kept", "Kept", AwardKind.ABOVE_BAR, "gross_revenue_retention", "test", scope="person", threshold=0.85
    )
    winners = evaluate_program(boards, program, Period.parse("2025")).winners
    assert winners
    for winner in winners:  # "... shrunk 96.2% (85.5% to 100.0%); truly above 85.0% ..."
        interval = re.search(r"\(([\d.]+)% to ([\d.]+)%\)", winner.reason)
        assert interval is not None and float(interval[1]) < float(interval[2]) <= 100.0, winner.reason


def test_top_performer_needs_a_first_band_of_one(boards: Leaderboards) -> None:
    program = Program(
        "top", "Top team", AwardKind.TOP_PERFORMER, "csat", "test", within="T-SUP", confidence=0.95
    )
    won = evaluate_program(boards, program, Period.parse("2025"))
    assert [w.scope_id for w in won.winners] == [APAC]
    none = evaluate_program(boards, program, Period.parse("2024"))
    assert not none.winners and "cannot be told apart" in none.summary


def test_streaks_need_every_period(boards: Leaderboards) -> None:
    program = Program(
        "streak", "Streak", AwardKind.STREAK, "csat", "test", within="T-SUP", threshold=0.7, periods=3,
        confidence=0.9,
    )  # fmt: skip
    winners = {w.scope_id for w in evaluate_program(boards, program, Period.parse("2025-Q4")).winners}
    one = {
        w.scope_id
        for w in evaluate_program(boards, replace(program, periods=1), Period.parse("2025-Q4")).winners
    }
    assert winners <= one and APAC in one


def test_parse_reports_every_problem_with_its_file() -> None:
    program, problems = parse_program(
        {
            "name": "x",
            "award": "most_improved",
            "metric": "csat",
            "scope": "region",
            "confidence": 2,
            "colour": 1,
        },
        "programs/x.yml",
    )
    assert program is None
    assert len(problems) == 4 and all(p.startswith("programs/x.yml: program 'x'") for p in problems)
    assert any("needs 'min_change'" in p for p in problems) and any(
        "unknown field 'colour'" in p for p in problems
    )
    assert parse_program({"award": "medal"}, "f.yml")[1][-1].startswith("f.yml: program '?': award 'medal'")


def test_project_programs_replace_shipped_ones_and_errors_list_all(tmp_path: Path) -> None:
    shipped = {p.name for p in load_programs(None)}
    assert {"most_improved_team", "above_the_bar_lunch", "top_agent", "csat_streak"} <= shipped
    (tmp_path / "programs").mkdir()
    (tmp_path / "programs" / "lunch.yml").write_text(
        "programs:\n  - {name: above_the_bar_lunch, award: above_bar, metric: nps, threshold: 30}\n"
    )
    loaded = {p.name: p for p in load_programs(tmp_path)}
    assert (
        loaded["above_the_bar_lunch"].metric == "nps"
        and loaded["above_the_bar_lunch"].file == "programs/lunch.yml"
    )
    (tmp_path / "programs" / "bad.yml").write_text("name: bad\naward: streak\nmetric: csat\n")
    (tmp_path / "programs" / "broken.yml").write_text("name: [\n")
    with pytest.raises(ProgramDefinitionError) as error:
        load_programs(tmp_path)
    assert "3 problem(s)" in str(error.value) and "programs/broken.yml: not valid YAML" in str(error.value)


def test_the_awards_command(demo: Project) -> None:
    runner = CliRunner()
    base = ["awards", "--period", "2025", "-p", str(demo.root)]
    result = runner.invoke(app, [*base, "--program", "most_improved_team", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document[0]["winners"][0]["scope_id"] == APAC
    result = runner.invoke(app, [*base, "--format", "csv"])
    assert result.exit_code == 0 and result.output.startswith("program,label,award,metric,scope,period,prize")
    result = runner.invoke(app, base, env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "AWARDED Support APAC (T-SUP-APAC)" in result.output
    result = runner.invoke(app, [*base, "--program", "nope"])
    assert result.exit_code == 1 and "No program called nope" in result.output


def test_posterior_draws_of_two_periods_are_independent(boards: Leaderboards) -> None:
    # The previous period is drawn from another random stream: the change's spread is the sum of both.
    from cxscore.rewards.awards import _family

    now = _family(boards, IMPROVED, Period.parse("2025"))
    then = _family(boards, IMPROVED, Period.parse("2024"), seed_offset=1)
    i, j = now.index()[APAC], then.index()[APAC]
    change = now.posterior.draws[i] - then.posterior.draws[j]
    expected = np.var(now.posterior.draws[i]) + np.var(then.posterior.draws[j])
    assert np.var(change) == pytest.approx(expected, rel=0.05)


def test_awards_on_each_scope_own_goal(boards: Leaderboards, demo: Project) -> None:
    from cxscore.goals import Results, load_benchmarks, load_goal_settings, set_goals

    goal_boards = Leaderboards(boards.engine, project_root=demo.root)
    goals = set_goals(
        Results(boards.engine),
        "csat",
        "team",
        2025,
        load_goal_settings(demo.root),
        load_benchmarks(demo.root),
    )
    targets = {g.scope_id: g.target for g in goals}
    program = Program("goal", "Goal met", AwardKind.ABOVE_BAR, "csat", "test", within="T-SUP", goal=True)
    result = evaluate_program(goal_boards, program, Period.parse("2025"))
    assert result.winners and all(w.numbers["bar"] == targets[w.scope_id] for w in result.winners)
    assert all(f"its 2025 goal {targets[w.scope_id]:.1%}" in w.reason for w in result.winners)
    streak = Program(
        "run", "Goal met 3 quarters", AwardKind.STREAK, "csat", "test", within="T-SUP", goal=True, periods=3,
        min_n=20,
    )  # fmt: skip
    won = evaluate_program(goal_boards, streak, Period.parse("2025-Q4"))
    assert APAC in {w.scope_id for w in won.winners} and "vs 66.4%" in won.winners[0].reason


def test_nobody_is_awarded_on_the_prior_alone(boards: Leaderboards) -> None:
    # A bar just above a team's raw value: shrinkage towards better peers could push it over; it must not.
    board = boards.rank("csat", "team", Period.parse("2025"), within="T-SUP")
    lowest = board.entries[-1]
    assert lowest.shrunk > lowest.value
    bar = (lowest.value + lowest.shrunk) / 2
    program = Program(
        "lunch", "Lunch", AwardKind.ABOVE_BAR, "csat", "test", within="T-SUP", threshold=bar, confidence=0.5
    )
    assert lowest.scope_id not in {
        w.scope_id for w in evaluate_program(boards, program, Period.parse("2025")).winners
    }
