"""Scorecards evaluated on the demo company, checked against its planted truths and the engine's numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from cxscore.errors import ConfigError
from cxscore.scorecards.attainment import Attainment, decide
from cxscore.scorecards.evaluation import Evaluator, evaluate_many
from cxscore.scorecards.period import Period

SUPPORT = ["T-SUP-EMEA", "T-SUP-NA", "T-SUP-APAC", "T-SUP-LATAM", "T-SUP-PREMIER"]


def test_the_team_that_truly_improved_shows_a_significant_improvement(evaluator: Evaluator) -> None:
    """Planted truth 3: Support APAC improves every year (CSAT 43%, 59%, 88% in small, seed 7)."""
    result = evaluator.evaluate("team", "T-SUP-APAC", Period(2025))
    lines = {line.item.metric: line for line in result.lines}
    for metric in ("csat", "cases_satisfied", "reopen_rate", "ces"):
        line = lines[metric]
        assert line.significant and line.improved is True, metric
    csat = lines["csat"]
    assert [h.year for h in csat.history] == [2023, 2024]
    assert csat.history[1].estimate.value > csat.history[0].estimate.value
    assert csat.history[1].p_value is not None and csat.history[1].p_value < 0.05
    assert csat.attainment is Attainment.MET
    # And it is the best scored support team of 2025.
    scores = {r.scope_id: r.score for r in evaluate_many(evaluator, "team", SUPPORT, Period(2025))}
    assert max((s, t) for t, s in scores.items() if s is not None)[1] == "T-SUP-APAC"


def test_the_tiny_lucky_team_gets_insufficient_data_not_a_top_score(evaluator: Evaluator) -> None:
    """Planted truth 4: Support Premier's raw CSAT is the top one, on a few dozen answers."""
    for period in (Period(2025), Period(2025, 4), Period(2024)):
        results = {r.scope_id: r for r in evaluate_many(evaluator, "team", SUPPORT, period)}
        premier = results["T-SUP-PREMIER"]
        assert premier.score is None, period
        csat = next(line for line in premier.lines if line.item.metric == "csat")
        assert csat.attainment is Attainment.INSUFFICIENT
        assert csat.estimate is not None and csat.estimate.n < csat.metric.min_n
        assert csat.estimate.upper - csat.estimate.lower > 0.2  # a wide interval, shown, not hidden


def test_each_value_is_the_engines_and_attainment_follows_its_interval(evaluator: Evaluator) -> None:
    result = evaluator.evaluate("team", "T-SUP-EMEA", Period(2025, 4))
    assert result.scorecard.name == "support_agent"
    for line in result.lines:
        row = evaluator.results.row(line.item.metric, "team", "T-SUP-EMEA", "quarter", dt.date(2025, 10, 1))
        assert row is not None and line.estimate is not None
        assert line.estimate.value == pytest.approx(float(row["value"]))
        assert line.estimate.n == int(row["n"])
        assert line.insufficient == bool(row["insufficient"])
        expected = decide(
            line.estimate.value,
            line.estimate.lower,
            line.estimate.upper,
            line.target,
            line.metric.direction.value == "higher",
            line.insufficient,
        )
        assert line.attainment is expected
        assert line.change == pytest.approx(float(row["last_year_change"]))


def test_the_weighted_score_is_the_weighted_mean_of_the_points(evaluator: Evaluator) -> None:
    result = evaluator.evaluate("team", "T-SUP-EMEA", Period(2025))
    scored = [line for line in result.lines if line.points is not None]
    weight = sum(line.item.weight for line in scored)
    assert result.coverage == pytest.approx(weight)
    assert result.score == pytest.approx(sum(line.item.weight * line.points for line in scored) / weight)  # type: ignore[operator]


def test_year_to_date_covers_january_to_the_end_of_the_quarter(evaluator: Evaluator) -> None:
    result = evaluator.evaluate("team", "T-SUP-EMEA", Period(2025, 3))
    csat = next(line for line in result.lines if line.item.metric == "csat")
    quarters = evaluator.results.get("csat", "team", "quarter")
    mine = quarters[
        (quarters["scope_id"] == "T-SUP-EMEA")
        & quarters["period"].between(dt.date(2025, 1, 1), dt.date(2025, 7, 1))
    ]
    assert csat.year_to_date is not None
    assert csat.year_to_date.estimate.n == int(mine["n"].sum())
    assert csat.year_to_date.estimate.value == pytest.approx(mine["successes"].sum() / mine["n"].sum())


def test_a_yearly_goal_of_a_sum_is_spread_over_the_quarters(evaluator: Evaluator) -> None:
    result = evaluator.evaluate("team", "T-SALES-EMEA", Period(2025, 2))
    arr = next(line for line in result.lines if line.item.metric == "new_business_arr")
    assert arr.goal is not None and arr.target == pytest.approx(arr.goal.target / 4)
    nps = next(line for line in result.lines if line.item.metric == "nps")
    assert nps.goal is not None and nps.target == nps.goal.target


def test_a_person_gets_the_scorecard_of_their_role(evaluator: Evaluator) -> None:
    result = evaluator.evaluate("person", "P-00044", Period(2025))
    assert result.scorecard.name == "support_agent" and result.name != "P-00044"
    assert all(line.goal is not None and line.goal.scope == "person" for line in result.lines)


def test_unknown_teams_and_periods_are_explained(evaluator: Evaluator) -> None:
    with pytest.raises(ConfigError, match="There is no team 'T-NOPE'"):
        evaluator.evaluate("team", "T-NOPE", Period(2025))
    with pytest.raises(ConfigError, match=r"Write e\.g\. 2025-Q4"):
        Period.parse("2025-13")


def test_significance_is_holm_adjusted_over_the_scorecards_metrics(evaluator: Evaluator) -> None:
    from statsmodels.stats.multitest import multipletests

    result = evaluator.evaluate("team", "T-SUP-EMEA", Period(2025))
    tested = [line for line in result.lines if line.p_value is not None]
    assert len(tested) >= 3
    _, expected, _, _ = multipletests([line.p_value for line in tested], method="holm")
    for line, holm in zip(tested, expected, strict=True):
        assert line.adjusted_p_value == pytest.approx(holm)
        assert line.significant == (holm < 0.05)
