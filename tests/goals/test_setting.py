"""Goals set on the demo company: each policy, the flags, the explanation and the sample size needed."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from scipy import stats as scipy_stats

from cxscore.goals import GoalSettings, Policy, PolicyKind, Results, load_benchmarks, set_goals
from cxscore.goals.goal import Goal


def _goal(
    results: Results, metric: str, team: str, policy: Policy, industry: str | None = "b2b_saas"
) -> Goal:
    settings = GoalSettings(industry=industry, metrics={metric: policy})
    (goal,) = set_goals(results, metric, "team", 2025, settings, load_benchmarks(), [team])
    return goal


def _last(results: Results, metric: str, team: str) -> float:
    row = results.row(metric, "team", team, "year", dt.date(2024, 1, 1))
    assert row is not None
    return float(row["value"])


def test_high_bar_is_the_stricter_of_the_industry_and_our_own_past(results: Results) -> None:
    goal = _goal(results, "nps", "T-SALES-EMEA", Policy())
    benchmark = load_benchmarks().find("nps", "b2b_saas")
    assert benchmark is not None and goal.benchmark == benchmark
    last = _last(results, "nps", "T-SALES-EMEA")
    own = last + 0.10 * (100 - last)
    assert goal.own_target == pytest.approx(own)
    assert goal.target == pytest.approx(max(own, benchmark.value))
    assert goal.target >= benchmark.value and goal.target > last
    assert "below_industry" not in goal.flags and "below_last_year" not in goal.flags


def test_lower_is_better_metrics_get_goals_below_last_year(results: Results) -> None:
    goal = _goal(results, "reopen_rate", "T-SUP-LATAM", Policy(kind=PolicyKind.BEAT_OURSELVES))
    last = _last(results, "reopen_rate", "T-SUP-LATAM")
    assert goal.direction == "lower"
    assert goal.target == pytest.approx(last - 0.10 * last)


def test_an_absolute_goal_below_last_year_is_flagged(results: Results) -> None:
    last = _last(results, "csat", "T-SUP-EMEA")
    goal = _goal(results, "csat", "T-SUP-EMEA", Policy(kind=PolicyKind.ABSOLUTE, target=last - 0.1))
    assert goal.target == pytest.approx(last - 0.1)
    assert "below_last_year" in goal.flags
    assert "below last year's result" in goal.explanation


def test_a_goal_below_the_published_benchmark_is_flagged(results: Results) -> None:
    goal = _goal(
        results, "first_contact_resolution", "T-SUP-EMEA", Policy(kind=PolicyKind.ABSOLUTE, target=0.5)
    )
    assert goal.benchmark is not None and goal.benchmark.value == pytest.approx(0.70)
    assert "below_industry" in goal.flags


def test_without_a_published_benchmark_the_reference_is_derived_from_our_own_data_and_says_so(
    results: Results,
) -> None:
    goal = _goal(results, "ces", "T-SUP-APAC", Policy(kind=PolicyKind.BEAT_INDUSTRY))
    assert goal.benchmark is None and goal.derived
    assert "derived_benchmark" in goal.flags
    assert "derived from our own data" in goal.explanation
    peers = results.get("ces", "team", "year")
    siblings = peers[
        (peers["period"] == dt.date(2024, 1, 1))
        & peers["scope_id"].isin(["T-SUP-EMEA", "T-SUP-NA", "T-SUP-APAC", "T-SUP-LATAM", "T-SUP-PREMIER"])
        & ~peers["insufficient"]
    ]
    assert goal.reference == pytest.approx(float(siblings["value"].median()))


def test_top_quartile_of_our_own_teams(results: Results) -> None:
    goal = _goal(
        results,
        "cases_satisfied",
        "T-SUP-LATAM",
        Policy(kind=PolicyKind.BEAT_OURSELVES, basis="top_quartile"),
    )
    year = results.get("cases_satisfied", "team", "year")
    siblings = year[
        (year["period"] == dt.date(2024, 1, 1))
        & year["scope_id"].str.startswith("T-SUP-")
        & ~year["insufficient"]
    ]
    assert goal.target == pytest.approx(float(siblings["value"].quantile(0.75)))


def test_the_explanation_names_goal_benchmark_last_year_and_policy(results: Results) -> None:
    goal = _goal(results, "nps", "T-SALES-EMEA", Policy())
    text = goal.explanation
    assert text.startswith("Net Promoter Score goal")
    assert "Sales EMEA (T-SALES-EMEA) in 2025" in text
    assert "industry (b2b_saas" in text and "our 2024 result was" in text and "policy high_bar" in text


def _wilson_half_width(p_hat: float, n: int, level: float = 0.95) -> float:
    z = float(scipy_stats.norm.ppf((1 + level) / 2))
    return z * math.sqrt(p_hat * (1 - p_hat) * n + z * z / 4) / (n + z * z)


def test_the_sample_size_needed_makes_the_interval_as_narrow_as_the_step(results: Results) -> None:
    goal = _goal(results, "csat", "T-SUP-EMEA", Policy(step=0.04))
    assert goal.last_year is not None and goal.sample_size is not None
    margin = abs(goal.target - goal.last_year.value)
    assert margin == pytest.approx(0.04)
    # With the n asked for, the Wilson interval around the goal is no wider than the step; one fewer is not.
    assert _wilson_half_width(goal.target, goal.sample_size) <= margin + 1e-12
    assert _wilson_half_width(goal.target, goal.sample_size - 1) > margin
    assert f"n >= {goal.sample_size}" in goal.explanation


def test_a_team_without_history_has_no_own_target_and_says_so(results: Results) -> None:
    (goal,) = set_goals(results, "csat", "team", 2023, GoalSettings(), load_benchmarks(), ["T-SUP-EMEA"])
    assert goal.last_year is None and {"no_history", "no_goal"} <= set(goal.flags)
    assert goal.sample_size is None


def test_a_persons_peers_are_the_people_in_the_same_role(results: Results) -> None:
    settings = GoalSettings(metrics={"csat": Policy(kind=PolicyKind.BEAT_INDUSTRY)})
    (goal,) = set_goals(results, "csat", "person", 2025, settings, load_benchmarks(), ["P-00044"])
    members = results.memberships
    day = pd.Timestamp(2024, 12, 31)
    active = members[
        (pd.to_datetime(members["valid_from"]) <= day)
        & (members["valid_to"].isna() | (pd.to_datetime(members["valid_to"]) > day))
    ]
    agents = set(active.loc[active["role_id"] == "support_agent", "person_id"])
    year = results.get("csat", "person", "year")
    peers = year[
        (year["period"] == dt.date(2024, 1, 1)) & year["scope_id"].isin(agents) & ~year["insufficient"]
    ]
    assert len(peers) >= 3
    assert goal.reference == pytest.approx(float(peers["value"].median()))


@pytest.mark.parametrize(("metric", "scope_id"), [("net_revenue_retention", "T-SALES"), ("ces", "T-SUP")])
def test_the_sample_size_of_means_and_revenue_retention_matches_the_engines_interval(
    results: Results, metric: str, scope_id: str
) -> None:
    """At last year's n, the rule's half-width is the engine's interval half-width (z instead of t)."""
    goal = _goal(results, metric, scope_id, Policy(kind=PolicyKind.BEAT_OURSELVES))
    last = goal.last_year
    assert last is not None and goal.sample_size is not None
    margin = abs(goal.target - last.value)
    z, t = scipy_stats.norm.ppf(0.975), scipy_stats.t.ppf(0.975, last.n - 1)
    spread = margin * math.sqrt(goal.sample_size) / z  # the per-fact spread the rule used (up to rounding up)
    engine_half_width = (last.upper - last.lower) / 2
    assert spread * z / math.sqrt(last.n) == pytest.approx(engine_half_width * z / t, rel=0.02)


def test_low_quality_benchmarks_can_be_refused(results: Results) -> None:
    used = _goal(results, "nps", "T-SALES-EMEA", Policy(kind=PolicyKind.BEAT_INDUSTRY))
    assert used.benchmark is not None and used.benchmark.quality == "low"
    refused = _goal(
        results, "nps", "T-SALES-EMEA", Policy(kind=PolicyKind.BEAT_INDUSTRY, min_quality="medium")
    )
    assert refused.benchmark is None and "derived_benchmark" in refused.flags
